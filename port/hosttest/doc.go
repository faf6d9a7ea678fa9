// Package hosttest checks C code of the MicroPython port (../) on the build
// machine with the host C compiler. It has no Go API; see its tests.
// (The C sources live outside this folder: Go does not allow .c files in a
// package that does not use cgo.)
package hosttest
