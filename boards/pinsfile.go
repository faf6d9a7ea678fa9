package boards

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
)

// readPinsFile appends the pins of [peripherals.pin] pins_file to its pins:
// one pin a line, name,instance,port,bit,dir (as a pins entry), lines
// starting with # ignored. The fields are checked with the inline pins.
func (l *loader) readPinsFile(p *Peripheral, fail func(field, format string, args ...any)) {
	if p == nil || p.PinsFile == "" {
		return
	}
	const field = "peripherals.pin.pins_file"
	data, err := os.ReadFile(p.PinsFile)
	if err != nil {
		fail(field, "cannot read %s: %v", l.show(p.PinsFile), err)
		return
	}
	pins, err := parsePinsCSV(data)
	if err != nil {
		fail(field, "%s: %v", l.show(p.PinsFile), err)
		return
	}
	p.Pins = append(p.Pins, pins...)
}

// parsePinsCSV reads name,instance,port,bit,dir lines; numbers may be
// decimal or 0x hex. Errors name the line.
func parsePinsCSV(data []byte) ([]PinDef, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = 5
	r.TrimLeadingSpace = true
	var pins []PinDef
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return pins, nil
		}
		if err != nil {
			return nil, errors.New(strings.TrimPrefix(err.Error(), "record on "))
		}
		line, _ := r.FieldPos(0)
		var nums [3]int
		for i, s := range rec[1:4] {
			n, err := strconv.ParseInt(s, 0, 32)
			if err != nil {
				return nil, &pinLineError{line, "field " + strconv.Itoa(i+2) + ": want a number, got " + strconv.Quote(s)}
			}
			nums[i] = int(n)
		}
		pins = append(pins, PinDef{Name: rec[0], Instance: nums[0], Port: nums[1], Bit: nums[2], Dir: rec[4]})
	}
}

type pinLineError struct {
	line int
	msg  string
}

func (e *pinLineError) Error() string {
	return "line " + strconv.Itoa(e.line) + ": " + e.msg + " (want name,instance,port,bit,dir)"
}
