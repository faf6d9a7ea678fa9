// Command mage is the zero-install entry: `go run ./mage build:board fr30xx`
// works on a machine without a mage binary.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
