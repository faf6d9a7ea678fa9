// A single-producer/single-consumer byte ring.
//
// One context (an interrupt handler) only calls fifo_put, one other context
// (the main loop) only calls fifo_get and fifo_count. No locks are needed:
// each index has exactly one writer, and the release/acquire accesses make a
// byte visible before the index that publishes it. A full ring drops the new
// byte and counts it in `dropped`; stored bytes are never overwritten.
#ifndef MPFORGE_PORT_FIFO_H
#define MPFORGE_PORT_FIFO_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint8_t *buf;
    uint32_t mask;     // capacity - 1; capacity is a power of two
    uint32_t head;     // free-running count of bytes put; written by the producer only
    uint32_t tail;     // free-running count of bytes taken; written by the consumer only
    uint32_t dropped;  // bytes lost because the ring was full; written by the producer only
} fifo_t;

// Sets up f over buf. capacity must be a power of two (>= 2); returns false
// and leaves f unusable otherwise.
bool fifo_init(fifo_t *f, uint8_t *buf, uint32_t capacity);

// Producer side: stores b, or counts it as dropped and returns false when full.
bool fifo_put(fifo_t *f, uint8_t b);

// Consumer side: returns the oldest byte, or -1 when the ring is empty.
int fifo_get(fifo_t *f);

// Consumer side: bytes waiting.
uint32_t fifo_count(const fifo_t *f);

// Any side: bytes dropped so far.
uint32_t fifo_dropped(const fifo_t *f);

#endif // MPFORGE_PORT_FIFO_H
