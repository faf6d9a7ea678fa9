// Package fstest checks the FR30xx filesystem's flash driver
// (boards/fr30xx/fs_qspi.c) in the firmware mpforge builds, without the chip:
// its write path links into PRAM and calls nothing outside it, and, run from
// firmware.elf's own bytes on an emulated Cortex-M33 with the FR30xx flash
// path modelled from the vendor HAL (emu/algo_runner.py, emu/fr30xx_flash.py),
// it erases and programs the partition, lifts and restores the protection
// bits, and invalidates the flash cache.
//
// It has no non-test code.
package fstest
