//go:build !windows

package toolchain

const exeSuffix = ""
