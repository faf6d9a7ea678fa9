package device

import (
	"debug/elf"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A fatal fault as port/fatal.c reports it, decoded for people:
//
//	FATAL: HardFault pc=0x... lr=0x... hfsr=0x... cfsr=0x... mmfar=0x... bfar=0x...
//
// becomes "HardFault (forced) from a precise data bus error reading 0xf0000000,
// at pc=0x00012345 mp_obj_subscr+0x1c, lr=... mp_execute_bytecode+0x3a2".
// Bit names are the ARMv7-M/ARMv8-M architecture's (SCB CFSR, HFSR).

var faultField = regexp.MustCompile(`(\w+)=0x([0-9a-fA-F]+)`)

type faultBit struct {
	bit  uint
	name string
	what string
}

// cfsrBits: MemManage (bits 0-7), BusFault (8-15), UsageFault (16-31).
var cfsrBits = []faultBit{
	{0, "IACCVIOL", "instruction fetch from a protected region"},
	{1, "DACCVIOL", "data access to a protected region"},
	{3, "MUNSTKERR", "MemManage fault on exception return"},
	{4, "MSTKERR", "MemManage fault on exception entry"},
	{5, "MLSPERR", "MemManage fault saving FP state"},
	{8, "IBUSERR", "bus error on instruction fetch"},
	{9, "PRECISERR", "precise data bus error"},
	{10, "IMPRECISERR", "imprecise data bus error"},
	{11, "UNSTKERR", "bus error on exception return"},
	{12, "STKERR", "bus error on exception entry (stack overflow?)"},
	{13, "LSPERR", "bus error saving FP state"},
	{16, "UNDEFINSTR", "undefined instruction"},
	{17, "INVSTATE", "invalid state (a call to an even address: Thumb bit clear)"},
	{18, "INVPC", "invalid EXC_RETURN on exception return"},
	{19, "NOCP", "coprocessor (FPU) disabled or absent"},
	{20, "STKOF", "stack overflow (stack limit register)"},
	{24, "UNALIGNED", "unaligned access"},
	{25, "DIVBYZERO", "division by zero"},
}

const (
	cfsrMMARVALID = 1 << 7
	cfsrBFARVALID = 1 << 15
	hfsrVECTTBL   = 1 << 1
	hfsrFORCED    = 1 << 30
	hfsrDEBUGEVT  = 1 << 31
)

// DecodeFault explains a FATAL line, naming code addresses with the ELF's
// function symbols when elfPath is given (and readable).
func DecodeFault(line, elfPath string) string {
	kind := strings.TrimPrefix(line, "FATAL: ")
	if !strings.HasPrefix(kind, "HardFault") {
		return line // an assertion or an uncaught NLR says what it is
	}
	regs := map[string]uint32{}
	for _, m := range faultField.FindAllStringSubmatch(line, -1) {
		if v, err := strconv.ParseUint(m[2], 16, 32); err == nil {
			regs[m[1]] = uint32(v)
		}
	}
	syms := loadSymbols(elfPath)
	var causes []string
	hfsr, cfsr := regs["hfsr"], regs["cfsr"]
	switch {
	case hfsr&hfsrVECTTBL != 0:
		causes = append(causes, "vector table read failed")
	case hfsr&hfsrDEBUGEVT != 0:
		causes = append(causes, "debug event")
	}
	for _, b := range cfsrBits {
		if cfsr&(1<<b.bit) != 0 {
			causes = append(causes, b.what+" ("+b.name+")")
		}
	}
	var s strings.Builder
	s.WriteString("HardFault")
	if hfsr&hfsrFORCED != 0 {
		s.WriteString(" (escalated)")
	}
	if len(causes) > 0 {
		s.WriteString(": " + strings.Join(causes, ", "))
	}
	if a, ok := regs["mmfar"]; ok && cfsr&cfsrMMARVALID != 0 {
		fmt.Fprintf(&s, ", faulting address 0x%08x", a)
	} else if a, ok := regs["bfar"]; ok && cfsr&cfsrBFARVALID != 0 {
		fmt.Fprintf(&s, ", faulting address 0x%08x", a)
	}
	for _, r := range []string{"pc", "lr"} {
		if v, ok := regs[r]; ok {
			fmt.Fprintf(&s, "; %s=0x%08x", r, v)
			if name := syms.name(v); name != "" {
				s.WriteString(" " + name)
			}
		}
	}
	return s.String()
}

type symbol struct {
	name       string
	addr, size uint64
}

type symbols []symbol // sorted by addr

func loadSymbols(path string) symbols {
	if path == "" {
		return nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	all, err := f.Symbols()
	if err != nil {
		return nil
	}
	var out symbols
	for _, sy := range all {
		if elf.ST_TYPE(sy.Info) == elf.STT_FUNC && sy.Name != "" {
			out = append(out, symbol{sy.Name, sy.Value &^ 1, sy.Size}) // Thumb bit
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

// name is "func+0x1c" for an address inside a function, "" otherwise.
func (s symbols) name(addr uint32) string {
	a := uint64(addr) &^ 1
	i := sort.Search(len(s), func(i int) bool { return s[i].addr > a }) - 1
	if i < 0 || a >= s[i].addr+max(s[i].size, 1) {
		return ""
	}
	return fmt.Sprintf("%s+0x%x", s[i].name, a-s[i].addr)
}
