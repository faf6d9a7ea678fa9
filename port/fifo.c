#include "fifo.h"

#include <stddef.h>

bool fifo_init(fifo_t *f, uint8_t *buf, uint32_t capacity) {
    bool ok = buf != NULL && capacity >= 2 && (capacity & (capacity - 1)) == 0;
    // An unusable ring reads as empty and drops every byte put into it.
    f->buf = ok ? buf : NULL;
    f->mask = ok ? capacity - 1 : 0;
    f->head = 0;
    f->tail = 0;
    f->dropped = 0;
    return ok;
}

bool fifo_put(fifo_t *f, uint8_t b) {
    uint32_t head = f->head; // only this side writes head
    uint32_t tail = __atomic_load_n(&f->tail, __ATOMIC_ACQUIRE);
    if (f->buf == NULL || head - tail > f->mask) {
        __atomic_store_n(&f->dropped, f->dropped + 1, __ATOMIC_RELAXED);
        return false;
    }
    f->buf[head & f->mask] = b;
    // Publish the byte only after it is stored.
    __atomic_store_n(&f->head, head + 1, __ATOMIC_RELEASE);
    return true;
}

int fifo_get(fifo_t *f) {
    uint32_t tail = f->tail; // only this side writes tail
    uint32_t head = __atomic_load_n(&f->head, __ATOMIC_ACQUIRE);
    if (head == tail) {
        return -1;
    }
    uint8_t b = f->buf[tail & f->mask];
    // Hand the slot back only after the byte is read.
    __atomic_store_n(&f->tail, tail + 1, __ATOMIC_RELEASE);
    return b;
}

uint32_t fifo_count(const fifo_t *f) {
    return __atomic_load_n(&f->head, __ATOMIC_ACQUIRE) - f->tail;
}

uint32_t fifo_dropped(const fifo_t *f) {
    return __atomic_load_n(&f->dropped, __ATOMIC_RELAXED);
}
