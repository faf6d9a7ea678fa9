package export

import (
	"encoding/xml"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// The project fragments beside the tree, generated from the manifest.
const (
	CMakeName   = "micropython.cmake"
	MakeName    = "micropython.mk"
	KeilName    = "micropython.keil.txt"
	UVGroupName = "micropython.uvgroup.xml"
	// SourcesName is the plain sources file the header-only mode reads
	// (package compdb): keep it when you keep your own copy of the sources.
	SourcesName = "mpforge-sources.txt"
)

// fragments are generated for the export folder named base.
func fragments(m *Manifest, base string) (map[string][]byte, error) {
	k := keilPaths{base}
	group, err := uvGroup(m, k)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		CMakeName:   []byte(cmake(m)),
		MakeName:    []byte(makefile(m)),
		KeilName:    []byte(keil(m, k)),
		UVGroupName: group,
		SourcesName: []byte(sourcesFile(m)),
	}, nil
}

func header(m *Manifest, comment string) string {
	return fmt.Sprintf("%s MicroPython %s for board %s, exported by mpforge (mage export:embed).\n%s Generated: export again rather than edit.\n", comment, m.MicroPython, m.Board, comment)
}

// apiInclude is the one folder a product's own code needs: mpforge_embed.h.
const apiInclude = portDir + "/embed"

func cmake(m *Manifest) string {
	var s strings.Builder
	s.WriteString(header(m, "#"))
	s.WriteString(`#
# In your CMakeLists.txt (CMake 3.12 or later):
#     include(path/to/this/folder/micropython.cmake)
#     target_link_libraries(your_firmware PRIVATE micropython)
# "micropython" is an object library: its objects link into your_firmware,
# which gets the include folder of mpforge_embed.h; MicroPython's own
# includes, defines and flags stay private to its sources.
set(MICROPYTHON_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(micropython OBJECT
`)
	for _, src := range m.Sources {
		fmt.Fprintf(&s, "    ${MICROPYTHON_DIR}/%s\n", src)
	}
	s.WriteString(")\ntarget_include_directories(micropython\n")
	fmt.Fprintf(&s, "    PUBLIC ${MICROPYTHON_DIR}/%s\n    PRIVATE\n", apiInclude)
	for _, inc := range m.Includes {
		if inc != apiInclude {
			fmt.Fprintf(&s, "        %s\n", cmakeDir(inc))
		}
	}
	s.WriteString(")\n")
	if len(m.Defines) > 0 {
		s.WriteString("target_compile_definitions(micropython PRIVATE\n")
		for _, d := range m.Defines {
			fmt.Fprintf(&s, "    %s\n", cmakeQuote(d))
		}
		s.WriteString(")\n")
	}
	s.WriteString("target_compile_options(micropython PRIVATE\n")
	for _, f := range m.Flags {
		fmt.Fprintf(&s, "    %s\n", cmakeQuote(f))
	}
	s.WriteString(")\n")
	return s.String()
}

func cmakeDir(inc string) string {
	if inc == "." {
		return "${MICROPYTHON_DIR}"
	}
	return "${MICROPYTHON_DIR}/" + inc
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_=+\-.,/:()]+$`)

func cmakeQuote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(s) + `"`
}

// shellQuote quotes a flag for the shell make runs recipes with.
func shellQuote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "'", `'\''`), "$", "$$") + "'"
}

func makefile(m *Manifest) string {
	var s strings.Builder
	s.WriteString(header(m, "#"))
	s.WriteString(`#
# In your Makefile, after CC is set (arm-none-eabi-gcc):
#     include path/to/this/folder/micropython.mk
#     your_firmware.elf: $(YOUR_OBJS) $(MICROPYTHON_OBJS)
# and compile your own files that call the API with $(MICROPYTHON_API_CFLAGS).
# Objects go to $(MICROPYTHON_BUILD) (default build/micropython).
MICROPYTHON_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
MICROPYTHON_BUILD ?= build/micropython
MICROPYTHON_SRCS := \
`)
	for _, src := range m.Sources {
		fmt.Fprintf(&s, "\t$(MICROPYTHON_DIR)/%s \\\n", src)
	}
	s.WriteString("\nMICROPYTHON_CFLAGS := \\\n")
	for _, f := range m.Flags {
		fmt.Fprintf(&s, "\t%s \\\n", shellQuote(f))
	}
	for _, d := range m.Defines {
		fmt.Fprintf(&s, "\t%s \\\n", shellQuote("-D"+d))
	}
	for _, inc := range m.Includes {
		dir := "$(MICROPYTHON_DIR)"
		if inc != "." {
			dir += "/" + inc
		}
		fmt.Fprintf(&s, "\t-I%s \\\n", dir)
	}
	fmt.Fprintf(&s, "\nMICROPYTHON_API_CFLAGS := -I$(MICROPYTHON_DIR)/%s\n", apiInclude)
	s.WriteString(`MICROPYTHON_OBJS := $(patsubst $(MICROPYTHON_DIR)/%.c,$(MICROPYTHON_BUILD)/%.o,$(MICROPYTHON_SRCS))

$(MICROPYTHON_BUILD)/%.o: $(MICROPYTHON_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(MICROPYTHON_CFLAGS) -MMD -MP -c $< -o $@

-include $(MICROPYTHON_OBJS:.o=.d)
`)
	return s.String()
}

// keilPaths spell paths of the export as µVision writes paths relative to
// the project file, for a .uvprojx beside the export folder (base).
type keilPaths struct{ base string }

func (k keilPaths) path(rel string) string {
	p := `.\` + k.base
	if rel != "." {
		p += `\` + strings.ReplaceAll(rel, "/", `\`)
	}
	return p
}

// keil is the list for µVision's dialogs: Options for Target > C/C++ takes
// the include paths (one field, ';'-separated) and the defines (','), the
// project window takes the sources as a group.
func keil(m *Manifest, k keilPaths) string {
	var s strings.Builder
	s.WriteString(header(m, ";"))
	s.WriteString(`;
; For Keil MDK (µVision 5, Arm Compiler 6). The paths below are relative to
; a .uvprojx in the folder that holds this export folder; export again from
; there (or edit the first part of each path) when the project sits elsewhere.
; 1. Project > Manage > Project Items: add a group "MicroPython" with the
;    [sources] below, or paste micropython.uvgroup.xml into <Groups> of the
;    .uvprojx.
; 2. Options for Target > C/C++ (AC6): Language C: gnu99; Include Paths and
;    Define from [include_paths] and [defines].
; 3. The compiler flags mpforge builds with (GCC spelling, for reference)
;    are under [gcc_flags]; match the CPU and floating-point ABI in
;    Options for Target > Target.
`)
	var incs []string
	for _, inc := range m.Includes {
		incs = append(incs, k.path(inc))
	}
	fmt.Fprintf(&s, "\n[include_paths]\n%s\n", strings.Join(incs, ";"))
	fmt.Fprintf(&s, "\n[defines]\n%s\n", strings.Join(m.Defines, ","))
	fmt.Fprintf(&s, "\n[gcc_flags]\n%s\n", strings.Join(m.Flags, " "))
	s.WriteString("\n[sources]\n")
	for _, src := range m.Sources {
		fmt.Fprintf(&s, "%s\n", k.path(src))
	}
	return s.String()
}

// The <Group> element of a µVision 5 project file (.uvprojx): FileType 1
// is a C source.
type uvGroupXML struct {
	XMLName   xml.Name    `xml:"Group"`
	GroupName string      `xml:"GroupName"`
	Files     []uvFileXML `xml:"Files>File"`
}

type uvFileXML struct {
	FileName string `xml:"FileName"`
	FileType int    `xml:"FileType"`
	FilePath string `xml:"FilePath"`
}

func uvGroup(m *Manifest, k keilPaths) ([]byte, error) {
	g := uvGroupXML{GroupName: "MicroPython"}
	for _, src := range m.Sources {
		g.Files = append(g.Files, uvFileXML{FileName: path.Base(src), FileType: 1, FilePath: k.path(src)})
	}
	data, err := xml.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// sourcesFile lists the sources and flags for `mage genhdr BOARD DIR`,
// which regenerates genhdr/ for a copy of the sources you keep and extend:
// add your own .c files here.
func sourcesFile(m *Manifest) string {
	var s strings.Builder
	s.WriteString(header(m, "#"))
	s.WriteString(`#
# For mage genhdr BOARD DIR (header-only mode): add your own C files that use
# MP_QSTR_ names or register modules, then run it as a pre-build step.
# Lines starting with '-' are compiler flags for every source; paths are
# relative to this file.
`)
	s.WriteString(strings.Join(m.Flags, " ") + "\n")
	for _, d := range m.Defines {
		fmt.Fprintf(&s, "-D%s\n", d)
	}
	for _, inc := range m.Includes {
		fmt.Fprintf(&s, "-I%s\n", inc)
	}
	for _, src := range m.Sources {
		s.WriteString(src + "\n")
	}
	return s.String()
}
