// Package emutest runs the FR30xx RAM flash loader (boards/fr30xx/flasher) on an
// emulated Cortex-M33 (Debian's python3-unicorn, driven by emu/algo_runner.py)
// against a model of the chip's QSPI controller, flash cache and NOR flash
// (emu/fr30xx_flash.py), and asserts what a real part would hold and the command
// sequence it would see. With MPFORGE_TEST_FLM naming the vendor's FR30xx.FLM the
// same checks run on it too, which keeps the model honest: the vendor's own
// algorithm must program it correctly.
package emutest
