package toolchain

const exeSuffix = ".exe"
