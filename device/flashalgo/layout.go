package flashalgo

import "fmt"

// MinStack is the least stack a call gets: CMSIS algorithms are shallow, but
// a few keep a page-sized local buffer or call a C library memcpy.
const MinStack = 1024

// TrapInsn is the word at Layout.Trap: two Thumb `bkpt #0` halfwords. Each
// function returns to it (LR = Trap|1) and the core halts in debug state.
const TrapInsn = 0xBE00BE00

// Layout places a call of the algorithm in the target's RAM work area:
//
//	Trap | Load: Image (static base inside) | Buffer | ... stack ... | top
type Layout struct {
	WorkArea, WorkSize uint32
	Trap               uint32 // TrapInsn; LR = Trap|1
	Load               uint32 // where Image goes
	StaticBase         uint32 // r9 = Load + DataOffset
	Buffer, BufferSize uint32 // the data ProgramPage writes from
	StackLimit         uint32 // the lowest stack address
	Stack              uint32 // the initial SP: the top of the work area, 8-byte aligned
	Entries            map[string]uint32
}

// Layout places the algorithm, a bufSize-byte data buffer and the stack in
// the work area, or says why they do not fit.
func (a *Algorithm) Layout(workArea, workSize, bufSize uint32) (Layout, error) {
	if uint64(workArea)+uint64(workSize) >= 1<<32 {
		return Layout{}, fmt.Errorf("work area 0x%08x + %d bytes runs past the 32-bit address space", workArea, workSize)
	}
	if bufSize == 0 || bufSize%4 != 0 {
		return Layout{}, fmt.Errorf("data buffer of %d bytes: want a positive multiple of 4", bufSize)
	}
	l := Layout{WorkArea: workArea, WorkSize: workSize, Trap: alignUp(workArea, 4), BufferSize: bufSize}
	load := alignUp64(uint64(l.Trap)+4, uint64(a.Align))
	buf := alignUp64(load+uint64(len(a.Image)), 8)
	limit := alignUp64(buf+uint64(bufSize), 8)
	top := (uint64(workArea) + uint64(workSize)) &^ 7
	if limit+MinStack > top {
		return Layout{}, fmt.Errorf("the flash algorithm does not fit the %d-byte work area at 0x%08x: it needs %d bytes "+
			"(trap 4, algorithm %d, data buffer %d, stack at least %d, alignment %d); give a larger work area",
			workSize, workArea, limit+MinStack-uint64(workArea), len(a.Image), bufSize, MinStack,
			limit+MinStack-uint64(workArea)-4-uint64(len(a.Image))-uint64(bufSize)-MinStack)
	}
	l.Load, l.Buffer = uint32(load), uint32(buf)
	l.StaticBase = l.Load + a.DataOffset
	l.StackLimit, l.Stack = uint32(limit), uint32(top)
	l.Entries = make(map[string]uint32, len(a.Entries))
	for name, off := range a.Entries {
		l.Entries[name] = l.Load + off
	}
	return l, nil
}

func alignUp(v, a uint32) uint32 { return uint32(alignUp64(uint64(v), uint64(a))) }

func alignUp64(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }
