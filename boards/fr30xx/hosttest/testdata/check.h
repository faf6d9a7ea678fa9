/* The host register-model tests' check: counts every check, prints each
 * failure with its place, and lets main() report the totals. */
#ifndef HOSTTEST_CHECK_H
#define HOSTTEST_CHECK_H

#include <stdio.h>

static int checks, failures;

#define CHECK(cond, ...) do { \
        checks++; \
        if (!(cond)) { \
            failures++; \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__); \
            printf("\n"); \
        } \
} while (0)

#endif
