# mpforge: program flash through a CMSIS flash algorithm with OpenOCD 0.12 (Jim Tcl).
#
# algo.go writes a script that sets the array mpf (addresses, entry points,
# files), sources these procs and calls mpf_begin, mpf_sector once per sector
# of the image, then mpf_end. Each line this prints starting "mpforge: " is
# read by algo.go: progress, and on failure "mpforge: error <what> ...".
#
# A call follows the CMSIS convention: arguments in r0-r2, r9 the static base,
# sp at the top of the work area, lr at a bkpt trap; the result is r0.

proc mpf_echo {args} {
	echo "mpforge: [join $args]"
}

# mpf_fail reports a failure in the form algo.go parses and stops the script.
proc mpf_fail {args} {
	mpf_echo error {*}$args
	error "mpforge: [join $args]"
}

proc mpf_hex {v} {
	format 0x%08x [expr {$v & 0xFFFFFFFF}]
}

# mpf_regs reads registers as numbers, from OpenOCD's cache: entering debug
# state at the halt has just read them all from the core.
proc mpf_regs {names} {
	set d [get_reg $names]
	set values {}
	foreach n $names {
		lappend values [expr {[dict get $d $n] + 0}]
	}
	return $values
}

# mpf_call runs the algorithm's function name (at most timeout_ms) and returns r0.
proc mpf_call {name timeout_ms {a0 0} {a1 0} {a2 0}} {
	global mpf
	set timeout_ms [expr {$timeout_ms * $mpf(slow)}]
	# pc without the Thumb bit, as OpenOCD's own algorithms set it (xPSR.T,
	# set by mpf_begin, selects Thumb state). Each register costs probe
	# round trips: only those a call may have changed are set again.
	set_reg [dict create r0 [mpf_hex $a0] r1 [mpf_hex $a1] r2 [mpf_hex $a2] \
		r9 $mpf(sb) sp $mpf(sp) lr [mpf_hex [expr {$mpf(trap) | 1}]] \
		pc $mpf(entry,$name)]
	resume
	if {[catch {wait_halt $timeout_ms}]} {
		catch {halt}
		if {[catch {mpf_hex [mpf_regs pc]} pc]} {
			set pc unknown
		}
		mpf_fail hung $name [mpf_hex $a0] $timeout_ms $pc
	}
	lassign [mpf_regs {pc r0}] pc r0
	if {$pc != $mpf(trap)} {
		mpf_fail fault $name [mpf_hex $a0] [mpf_hex $pc]
	}
	return $r0
}

# mpf_load puts a chunk file into the data buffer unless it is there already.
proc mpf_load {file} {
	global mpf
	if {$mpf(loaded) ne $file} {
		set mpf(loaded) ""
		load_image $file $mpf(buf) bin
		set mpf(loaded) $file
	}
}

# Time-outs: the FlashDevice's own, with room for the algorithm to notice a
# busy flash first and report it; reads scale with their length (16 KB/s at
# least, far below any flash read through a memory-mapped window).
proc mpf_read_ms {len} {
	expr {2000 + $len / 16}
}

proc mpf_begin {} {
	global mpf
	mpf_echo stage connect
	# No servers: this run needs none, and a debugger or a second OpenOCD
	# may hold their ports.
	gdb_port disabled
	telnet_port disabled
	tcl_port disabled
	init
	mpf_echo stage reset
	# reset halt, not halt: a halted firmware leaves MSPLIM at its own stack
	# limit, which faults the algorithm's first push; reset clears it. With
	# the Security Extension OpenOCD names the limits; clear them anyway.
	reset halt
	foreach r {msplim_s psplim_s msplim_ns psplim_ns} {
		catch {set_reg [dict create $r 0]}
	}
	# Thumb state, and interrupts masked: none is enabled after reset, and
	# the algorithm must not be interrupted if one were.
	set_reg {xPSR 0x01000000 primask 1}
	mww $mpf(trap) $mpf(trap_insn)
	load_image $mpf(algo) $mpf(load) bin
	mpf_echo stage init
	set r [mpf_call Init 5000 $mpf(dev) $mpf(clk) 2]
	if {$r != 0} {
		mpf_fail init [mpf_hex $r]
	}
	mpf_echo begin $mpf(sectors) $mpf(bytes)
}

# mpf_same reports whether the sector already holds the image's bytes: by
# the algorithm's Crc32 when it has one (only a word crosses the probe), else
# by Verify against the chunks loaded into the buffer (a vendor FLM), else
# not at all: without either, every sector is programmed. Not by OpenOCD's
# verify_image: its checksum code runs in the target's work area, on top of
# the algorithm.
proc mpf_same {addr len crc chunks} {
	global mpf
	if {$mpf(has,Crc32)} {
		return [expr {[mpf_call Crc32 [mpf_read_ms $len] $addr $len] == $crc}]
	}
	if {!$mpf(has,Verify)} {
		return 0
	}
	foreach c $chunks {
		lassign $c file caddr clen
		mpf_load $file
		set end [expr {($caddr + $clen) & 0xFFFFFFFF}]
		if {[mpf_call Verify [mpf_read_ms $clen] $caddr $clen $mpf(buf)] != $end} {
			return 0
		}
	}
	return 1
}

# mpf_sector programs sector i at addr (len image bytes, CRC-32 crc) unless
# it holds them already; chunks are {file addr len}, each at most a buffer.
proc mpf_sector {i addr len crc chunks} {
	global mpf
	set tag "$i/$mpf(sectors) [mpf_hex $addr]"
	if {[mpf_same $addr $len $crc $chunks]} {
		mpf_echo sector $tag skip
		return
	}
	set r [mpf_call EraseSector $mpf(to_erase) $addr]
	if {$r != 0} {
		mpf_fail erase [mpf_hex $addr] [mpf_hex $r]
	}
	foreach c $chunks {
		lassign $c file caddr clen
		mpf_load $file
		for {set off 0} {$off < $clen} {incr off $mpf(page)} {
			set n [expr {$clen - $off}]
			if {$n > $mpf(page)} {
				set n $mpf(page)
			}
			set a [expr {$caddr + $off}]
			set r [mpf_call ProgramPage $mpf(to_prog) $a $n [expr {$mpf(buf) + $off}]]
			if {$r != 0} {
				mpf_fail program [mpf_hex $a] [mpf_hex $r]
			}
		}
		# The data is still in the buffer: Verify returns the first address
		# that differs, or the end.
		if {$mpf(has,Verify)} {
			set end [expr {($caddr + $clen) & 0xFFFFFFFF}]
			set r [mpf_call Verify [mpf_read_ms $clen] $caddr $clen $mpf(buf)]
			if {$r != $end} {
				mpf_fail verify [mpf_hex $r]
			}
		}
	}
	if {!$mpf(has,Verify) && $mpf(has,Crc32)} {
		if {[mpf_call Crc32 [mpf_read_ms $len] $addr $len] != $crc} {
			mpf_fail verify [mpf_hex $addr] sector
		}
	}
	mpf_echo sector $tag program $len
}

# mpf_end checks the whole image on the chip, ends the algorithm and starts
# the firmware. With Crc32 the check runs before UnInit (the algorithm is
# only callable between Init and UnInit); a vendor FLM without it is checked
# by OpenOCD's verify_image after UnInit, which may use the work area the
# algorithm no longer needs.
proc mpf_end {crc} {
	global mpf
	mpf_echo stage verify
	if {$mpf(has,Crc32)} {
		set got [mpf_call Crc32 [mpf_read_ms $mpf(bytes)] $mpf(base) $mpf(bytes)]
		if {$got != $crc} {
			mpf_fail crc [mpf_hex $got] [mpf_hex $crc]
		}
	}
	set r [mpf_call UnInit 5000 2]
	if {$r != 0} {
		mpf_fail uninit [mpf_hex $r]
	}
	if {$mpf(has,Crc32)} {
		mpf_echo verified crc
	} else {
		if {[catch {verify_image $mpf(image) $mpf(base) bin} out]} {
			set addr unknown
			regexp {address (0x[0-9a-fA-F]+)} $out -> addr
			mpf_fail verify $addr image
		}
		mpf_echo verified image
	}
	mpf_echo stage run
	reset run
	mpf_echo done
}
