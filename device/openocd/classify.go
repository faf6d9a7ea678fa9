package openocd

import "strings"

// A rule recognises one kind of failure by what OpenOCD 0.12 prints.
type rule struct {
	kind    Kind
	needles []string // lower-case; a line matches one when it holds its "*"-separated parts in order
	msg     string
	hint    string
}

const udevHint = "plug the probe in (lsusb lists it); on Linux give your user access: " +
	"sudo cp /usr/share/openocd/contrib/60-openocd.rules /etc/udev/rules.d/ && sudo udevadm control --reload-rules, then replug the probe; " +
	"with several probes, check the serial number"

// rules in order: the first that matches any line wins. Configuration
// mistakes come first (OpenOCD stops there), then the probe, then flash
// (whose markers only appear once the target answered), then the target.
var rules = []rule{
	{BadConfig, []string{"can't find *.cfg", "couldn't find *.cfg"},
		"OpenOCD cannot find a config file",
		"check the interface and target names against OpenOCD's scripts (e.g. ls /usr/share/openocd/scripts/interface /usr/share/openocd/scripts/target) or give a path to your own .cfg"},
	{BadConfig, []string{"doesn't support '", "can't change session's transport", "unknown transport"},
		"the probe does not support the selected transport",
		"pick a transport the interface offers (ST-Link: hla_swd, or use interface stlink-dap with dapdirect_swd; CMSIS-DAP and J-Link: swd or jtag)"},
	{BadConfig, []string{"invalid command name", "wrong # args", "unknown target type", "unknown parameter"},
		"OpenOCD rejected a command of the configuration",
		"check the extra OpenOCD arguments and the board file's flash settings against OpenOCD's manual"},
	{NoProbe, []string{"libusb_error_access", "permission denied", "unable to open cmsis-dap device", "please check connection and permissions"},
		"a debug probe is there but cannot be opened (no USB permission?)",
		udevHint},
	{NoProbe, []string{"libusb_error_busy", "resource busy"},
		"the debug probe is in use by another program",
		"close the other debugger or OpenOCD using the probe, then retry"},
	{NoProbe, []string{"unable to find a matching cmsis-dap device", "no j-link device found", "error: open failed",
		"st-link open failed", "no device matches the serial string", "doesn't match requested serial",
		"can't find usb jtag interface", "failed to open or find the device", "the specified debug interface was not found", "no device found"},
		"no debug probe found (or no permission to open it)",
		udevHint},
	{FlashFailed, []string{"** verify failed **", "checksum mismatch", "verify failed"},
		"the flash was written but does not read back the same (verify failed)",
		"retry at a lower adapter speed; check the board file's flash bank (base address, size) and that the chip's flash is not write-protected"},
	{FlashFailed, []string{"** programming failed **", "flash write failed", "error writing to flash", "no flash bank found", "failed erasing", "couldn't open"},
		"programming the flash failed",
		"check that the ELF's addresses fall in the board file's flash bank and that the flash is not locked or write-protected; retry at a lower adapter speed"},
	{NoTarget, []string{"cannot read idr", "error connecting dp", "does not have valid idcode", "ir capture error", "invalid ack",
		"sticky error", "init mode failed", "unable to connect to the target", "examination failed", "target not examined",
		"** unable to reset target **", "target voltage may be too low", "could not find mem-ap", "scan chain interrogation failed",
		"dap init failed", "target not halted", "failed to read memory"},
		"the probe works but the target chip does not answer",
		"check that the board is powered, that SWDIO/SWCLK (or JTAG) and GND are wired to the probe, that nothing holds the chip in reset; retry at a lower adapter speed"},
}

// classify finds the first rule matching OpenOCD's output; nil if none.
func classify(text []string) *Error {
	lower := make([]string, len(text))
	for i, l := range text {
		lower[i] = strings.ToLower(l)
	}
	for _, r := range rules {
		for _, l := range lower {
			for _, n := range r.needles {
				if holds(l, n) {
					return &Error{Kind: r.kind, Msg: r.msg, Hint: r.hint, Output: errorLines(text)}
				}
			}
		}
	}
	return nil
}

// holds reports whether line holds needle's "*"-separated parts in order.
func holds(line, needle string) bool {
	for _, part := range strings.Split(needle, "*") {
		i := strings.Index(line, part)
		if i < 0 {
			return false
		}
		line = line[i+len(part):]
	}
	return true
}

// failedMarkers are printed by OpenOCD's program command even when a
// version exits with status 0 after them.
var failedMarkers = []string{"** programming failed **", "** verify failed **", "** openocd init failed **", "** unable to reset target **"}

// reportsFailure reports whether output of a successful exit still shows a failure.
func reportsFailure(text []string) bool {
	for _, l := range text {
		l = strings.ToLower(l)
		for _, m := range failedMarkers {
			if strings.Contains(l, m) {
				return true
			}
		}
	}
	return false
}
