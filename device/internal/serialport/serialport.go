// Package serialport opens a board's console port with errors that say
// what to do, for the monitor and the script runner alike.
package serialport

import (
	"errors"
	"fmt"
	"os"

	"go.bug.st/serial"
)

// Open opens path at baud, 8N1, no flow control. When the port does not
// exist the error wraps os.ErrNotExist (it may be about to appear).
func Open(path string, baud int) (serial.Port, error) {
	p, err := serial.Open(path, &serial.Mode{BaudRate: baud})
	if err == nil {
		return p, nil
	}
	var pe *serial.PortError
	if errors.As(err, &pe) && pe.Code() == serial.PermissionDenied {
		return nil, fmt.Errorf("cannot open %s: permission denied; add yourself to the port's group (Debian/Ubuntu: sudo usermod -aG dialout $USER, then log in again)", path)
	}
	if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w; check the port name (ls /dev/ttyUSB* /dev/ttyACM* /dev/serial/by-id) and that the board is plugged in", path, os.ErrNotExist)
	}
	return nil, fmt.Errorf("cannot open %s: %w", path, err)
}
