// Host check of port/fifo.c: behaviour at the edges, then a two-thread
// producer/consumer run (built with -fsanitize=thread by the Go test when the
// compiler supports it). Prints "ok" and exits 0, or says what broke.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "fifo.h"

#define CHECK(cond) do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1); \
        } \
} while (0)

static void edges(void) {
    uint8_t buf[8];
    fifo_t f;

    CHECK(!fifo_init(&f, buf, 6));  // not a power of two
    CHECK(!fifo_init(&f, buf, 1));
    CHECK(!fifo_init(&f, NULL, 8));
    CHECK(fifo_get(&f) == -1);      // an unusable ring reads empty ...
    CHECK(!fifo_put(&f, 1));        // ... and drops
    CHECK(fifo_dropped(&f) == 1);

    CHECK(fifo_init(&f, buf, 8));
    CHECK(fifo_get(&f) == -1);
    for (int i = 0; i < 8; ++i) {
        CHECK(fifo_put(&f, (uint8_t)(i + 100)));
    }
    CHECK(fifo_count(&f) == 8);
    CHECK(!fifo_put(&f, 7));        // full: dropped, stored bytes intact
    CHECK(!fifo_put(&f, 8));
    CHECK(fifo_dropped(&f) == 2);
    for (int i = 0; i < 8; ++i) {
        CHECK(fifo_get(&f) == i + 100);
    }
    CHECK(fifo_get(&f) == -1);
    CHECK(fifo_count(&f) == 0);

    // The free-running indices wrap around 2^32.
    f.head = f.tail = UINT32_MAX - 2;
    for (int i = 0; i < 6; ++i) {
        CHECK(fifo_put(&f, (uint8_t)i));
    }
    CHECK(fifo_count(&f) == 6);
    for (int i = 0; i < 6; ++i) {
        CHECK(fifo_get(&f) == i);
    }
    CHECK(fifo_get(&f) == -1);
    CHECK(fifo_put(&f, 0xff) && fifo_get(&f) == 0xff); // bytes come back unsigned
}

#define N (300000u)

static fifo_t ring;
static uint8_t ring_buf[64];
static int retry; // producer retries full puts (lossless) or moves on (lossy)
static unsigned sent;

static void *producer(void *arg) {
    (void)arg;
    for (unsigned i = 0; i < N; ++i) {
        while (!fifo_put(&ring, (uint8_t)i) && retry) {
            sched_yield();
        }
    }
    __atomic_store_n(&sent, N, __ATOMIC_RELEASE);
    return NULL;
}

// Returns how many bytes the consumer took; in lossless mode each must be the
// next in sequence.
static unsigned consume(void) {
    unsigned got = 0;
    for (;;) {
        int c = fifo_get(&ring);
        if (c < 0) {
            if (__atomic_load_n(&sent, __ATOMIC_ACQUIRE) == N && fifo_count(&ring) == 0) {
                return got;
            }
            sched_yield();
            continue;
        }
        if (retry && c != (int)(uint8_t)got) {
            fprintf(stderr, "byte %u: got %d, want %d\n", got, c, (uint8_t)got);
            exit(1);
        }
        ++got;
    }
}

static void threads(int with_retry) {
    pthread_t t;
    retry = with_retry;
    sent = 0;
    CHECK(fifo_init(&ring, ring_buf, sizeof(ring_buf)));
    CHECK(pthread_create(&t, NULL, producer, NULL) == 0);
    unsigned got = consume();
    CHECK(pthread_join(t, NULL) == 0);
    if (with_retry) {
        CHECK(got == N);
    } else {
        // Lossy: every byte is either delivered or counted as dropped.
        CHECK(got + fifo_dropped(&ring) == N);
    }
}

int main(void) {
    edges();
    threads(1);
    threads(0);
    printf("ok\n");
    return 0;
}
