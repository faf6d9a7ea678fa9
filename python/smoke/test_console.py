# The console both ways: a long line out (the UART's transmit path and FIFO),
# and this script itself came in whole over the receive path.
line = "".join("%04d " % i for i in range(200))
print(line)
assert len(line) == 1000
