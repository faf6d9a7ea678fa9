package openocd

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// progressParser follows the "mpforge: ..." lines algo.tcl prints.
type progressParser struct {
	start, sectorsStart time.Time
	prog                Progress
	report              func(Progress)
	done                bool
	verified            string
	err                 *Error
}

func newProgressParser(sectors int, report func(Progress)) *progressParser {
	return &progressParser{start: time.Now(), prog: Progress{Sectors: sectors}, report: report}
}

const marker = "mpforge: "

// line takes one line of OpenOCD's output.
func (p *progressParser) line(l string) {
	i := strings.Index(l, marker)
	if i < 0 || p.err != nil {
		return
	}
	f := strings.Fields(l[i+len(marker):])
	if len(f) == 0 {
		return
	}
	now := time.Now()
	switch f[0] {
	case "stage":
		if len(f) == 2 {
			p.prog.Stage = f[1]
		}
	case "begin":
		p.prog.Stage, p.sectorsStart = "sectors", now
	case "sector":
		// sector <i>/<n> <addr> skip | program <bytes>
		if len(f) < 4 {
			return
		}
		p.prog.Done++
		if f[3] == "skip" {
			p.prog.Skipped++
		} else if len(f) == 5 {
			n, _ := strconv.ParseInt(f[4], 10, 64)
			p.prog.Programmed++
			p.prog.Bytes += n
		}
		if s := now.Sub(p.sectorsStart).Seconds(); s > 0 {
			p.prog.Rate = float64(p.prog.Bytes) / s
		}
	case "verified":
		if len(f) >= 2 {
			p.verified = f[1]
		}
		return
	case "done":
		p.done, p.prog.Stage = true, "done"
	case "error":
		p.err = algoError(f[1:])
		return
	default:
		return
	}
	p.prog.Elapsed = now.Sub(p.start)
	if p.report != nil {
		p.report(p.prog)
	}
}

// Flash-algorithm return codes (mpforge's loader; a vendor FLM returns 0 or 1).
const (
	rcFailed    = 0x01
	rcUnknownID = 0x02 // | JEDEC ID << 8
	rcBusy      = 0x03
	rcProtected = 0x04
	rcBadArg    = 0x05
)

const (
	hintPower  = "power-cycle the board and retry; if it happens again at the same place, the flash chip may be damaged or worn out"
	hintVerify = "that part of the flash did not take what was written: it may be write-protected or worn out; power-cycle the board and retry, and if the same address fails again, the chip's flash is damaged there"
	hintSpeed  = "the data may have been garbled on its way through the probe: retry at a lower adapter speed (MPFORGE_ADAPTER_KHZ=1000)"
	hintAlgo   = "check that the flash algorithm is the one for this chip and that the board file's work area (RAM) is right; power-cycle the board and retry"
	hintDevice = "check that the flash algorithm is the one for this chip (the board file's [flash] algorithm or loader); power-cycle the board and retry"
)

// algoError turns "mpforge: error <what> <args...>" into a classified error.
func algoError(f []string) *Error {
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return "?"
	}
	num := func(i int) uint64 {
		v, _ := strconv.ParseUint(arg(i), 0, 64)
		return v
	}
	switch arg(0) {
	case "init":
		code := num(1)
		if code&0xff == rcUnknownID {
			return &Error{Kind: FlashID,
				Msg: fmt.Sprintf("the flash chip's JEDEC ID is 0x%06X, which the flash loader does not know", code>>8),
				Hint: "an ID of 0x000000 or 0xFFFFFF means the flash does not answer (its power, wiring, or a chip held in deep power-down); " +
					"any other ID is a flash part the loader has no entry for: compare it with the part on the board and add it to the loader"}
		}
		return codeError(code, "the flash algorithm's Init failed", hintDevice)
	case "erase":
		return codeError(num(2), "erasing the sector at "+arg(1)+" failed", hintPower)
	case "program":
		return codeError(num(2), "programming the page at "+arg(1)+" failed", hintPower)
	case "uninit":
		return codeError(num(1), "the flash algorithm's UnInit failed (the image is written, but the flash may stay unprotected or the cache off until reset)", hintPower)
	case "verify":
		where := "at " + arg(1)
		if arg(2) == "sector" {
			where = "in the sector at " + arg(1)
		}
		hint := hintVerify
		if len(f) > 2 { // "sector" or "image"
			// A CRC of the sector or verify_image of the image compares
			// with mpforge's copy: the bytes may not have reached the chip
			// intact. Verify compares with the buffer the chip received.
			hint = hintSpeed + "; " + hintVerify
		}
		return &Error{Kind: VerifyFailed, Msg: "flash verify mismatch " + where + ": the chip reads back different bytes than were written", Hint: hint}
	case "crc":
		return &Error{Kind: VerifyFailed,
			Msg:  fmt.Sprintf("flash verify mismatch: the image's CRC-32 on the chip is %s, want %s", arg(1), arg(2)),
			Hint: hintSpeed}
	case "hung":
		return &Error{Kind: AlgorithmHung,
			Msg: fmt.Sprintf("the flash algorithm's %s(%s) did not return within %s ms (halted at pc %s)", arg(1), arg(2), arg(3), arg(4)),
			Hint: "the flash or its controller stopped answering; power-cycle the board and retry. " +
				"If it repeats at once, the work area may not be usable RAM at reset or the algorithm may not suit this chip"}
	case "fault":
		return &Error{Kind: AlgorithmHung,
			Msg:  fmt.Sprintf("the flash algorithm's %s(%s) stopped at pc %s instead of returning to its breakpoint (a fault?)", arg(1), arg(2), arg(3)),
			Hint: hintAlgo}
	}
	return &Error{Kind: FlashFailed, Msg: "the flash script failed: " + strings.Join(f, " "), Hint: hintAlgo}
}

// codeError classifies an algorithm's non-zero return code.
func codeError(code uint64, what, hint string) *Error {
	switch code {
	case rcBusy:
		return &Error{Kind: FlashTimeout, Msg: what + ": the flash stayed busy past its time-out", Hint: hintPower}
	case rcProtected:
		return &Error{Kind: FlashProtected, Msg: what + ": the flash's block-protect bits would not clear",
			Hint: "the flash is write-protected in hardware (its WP# pin held low) or its status register is locked; " +
				"check the WP# wiring, or clear the protection with the vendor's tool, then retry"}
	case rcBadArg:
		return &Error{Kind: FlashFailed, Msg: what + ": the loader rejected an address or size",
			Hint: "check the board file's [flash] base and image against the flash size; this is otherwise a bug in mpforge: report it"}
	}
	return &Error{Kind: FlashFailed, Msg: fmt.Sprintf("%s (it returned 0x%x)", what, code), Hint: hint}
}
