package genhdr

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// compressedMarker prefixes a compressed message (as "\377").
const compressedMarker = 0xff

// CompressedData is makecompresseddata.py with its word compression: it
// makes compressed.data.h from the collected MP_COMPRESSED_ROM_TEXT
// messages. The statistics comments at the end are reproduced too,
// including the gzip and zlib sizes the script gets from Python's zlib
// module: those match a Python linked against zlib 1.2.x/1.3.x (the usual
// case); one linked against zlib-ng prints other sizes there.
func CompressedData(c *Collected) ([]byte, error) {
	if err := checkUTF8("the collected compressed messages", c.Compress); err != nil {
		return nil, err
	}
	// Messages in first-seen order without duplicates; the collected text
	// is sorted already, so this is sorted order.
	var messages []string
	seen := map[string]bool{}
	maxLen, uses := 0, 0
	pyLines(c.Compress, func(raw []byte) {
		line := pyStrip(string(raw))
		if line == "" {
			return
		}
		uses++
		if !seen[line] {
			seen[line] = true
			messages = append(messages, line)
		}
		maxLen = max(maxLen, len([]rune(line)))
	})
	for _, m := range messages {
		for _, r := range m {
			if r >= 0x80 {
				return nil, fmt.Errorf("unable to generate compressed data: message %q contains a non-ascii character %q; keep MP_ERROR_TEXT messages ASCII", m, r)
			}
		}
	}

	table, compressed, err := wordCompression(messages)
	if err != nil {
		return nil, err
	}

	var out bytes.Buffer
	fmt.Fprintf(&out, "#define MP_MAX_UNCOMPRESSED_TEXT_LEN (%d)\n", maxLen)
	fmt.Fprintf(&out, "MP_COMPRESSED_DATA(\"%s\")\n", table)
	uncompLen, compLen := 0, 0
	for i, m := range messages {
		prefix := ""
		if compressed[i] != m {
			prefix = octalEscape(compressedMarker)
		}
		fmt.Fprintf(&out, "MP_MATCH_COMPRESSED(\"%s\", \"%s%s\")\n", m, prefix, compressed[i])
		uncompLen += len(m) + 1
		compLen += 1 + len(reOctalEscape.ReplaceAllString(compressed[i], "!")) + 1
	}
	dataLen := 0
	if table != "" {
		dataLen = len(table) + 1
	}
	fmt.Fprintf(&out, "// Total input length:      %d\n", uncompLen)
	fmt.Fprintf(&out, "// Total compressed length: %d\n", compLen)
	fmt.Fprintf(&out, "// Total data length:       %d\n", dataLen)
	fmt.Fprintf(&out, "// Predicted saving:        %d\n", uncompLen-compLen-dataLen)

	// The script compares with Python's gzip.compress (level 9) and
	// zlib.compress (level 6) of the messages joined by a literal `\0`,
	// plus 4 bytes per use.
	all := []byte(strings.Join(messages, `\0`))
	gzipLen := deflateLen(all, 9) + 18 + uses*4
	zlibLen := deflateLen(all, 6) + 6 + uses*4
	percent := func(n int) string {
		return strconv.FormatFloat(100*float64(compLen+dataLen)/float64(n), 'f', 1, 64)
	}
	out.WriteString("\n")
	fmt.Fprintf(&out, "// gzip length:             %d\n", gzipLen)
	fmt.Fprintf(&out, "// Percentage of gzip:      %s%%\n", percent(gzipLen))
	fmt.Fprintf(&out, "// zlib length:             %d\n", zlibLen)
	fmt.Fprintf(&out, "// Percentage of zlib:      %s%%\n", percent(zlibLen))
	return out.Bytes(), nil
}

// reOctalEscape is the script's measure of an escaped byte in a
// compressed message.
var reOctalEscape = regexp.MustCompile(`\\[0-9][0-9][0-9]`)

func octalEscape(b int) string { return fmt.Sprintf("\\%03o", b) }

// wordCompression replaces the up to 128 words (split on single spaces)
// whose replacement saves the most bytes by "\2xx" references into a word
// table. It returns the table and the compressed form of each message.
func wordCompression(messages []string) (string, []string, error) {
	counts := map[string]int{}
	for _, m := range messages {
		for _, w := range strings.Split(m, " ") {
			counts[w]++
		}
	}
	type wordCount struct {
		word  string
		count int
	}
	words := make([]wordCount, 0, len(counts))
	for w, n := range counts {
		words = append(words, wordCount{w, n})
	}
	// Most bytes saved first, ties by the word itself, like the script.
	saved := func(w wordCount) int { return (len(w.word) + 1) * (w.count - 1) }
	sort.Slice(words, func(i, j int) bool {
		si, sj := saved(words[i]), saved(words[j])
		if si != sj {
			return si > sj
		}
		return words[i].word < words[j].word
	})
	words = words[:min(len(words), 128)]
	index := map[string]int{}
	for i, w := range words {
		index[w.word] = i
	}

	compressed := make([]string, len(messages))
	for i, m := range messages {
		var b strings.Builder
		needSpace := false
		for _, w := range strings.Split(m, " ") {
			if k, ok := index[w]; ok {
				b.WriteString(octalEscape(0x80 | k))
				needSpace = false
				continue
			}
			if needSpace {
				b.WriteByte(' ')
			}
			needSpace = true
			b.WriteString(w)
		}
		compressed[i] = pyStrip(b.String())
	}

	var table strings.Builder
	for _, w := range words {
		if w.word == "" {
			// The script fails here too (IndexError on an empty word).
			return "", nil, fmt.Errorf("unable to generate compressed data: the empty word (from two spaces in a row in a message) ranks among the 128 most useful words; fix the message spacing")
		}
		last := len(w.word) - 1
		table.WriteString(w.word[:last] + octalEscape(0x80|int(w.word[last])))
	}
	return table.String(), compressed, nil
}
