/* A clock tests move by hand: sleeping advances it instantly. */
#ifndef LB_TEST_FAKE_CLOCK_H
#define LB_TEST_FAKE_CLOCK_H

#include <stdint.h>

#include "clock.h"

typedef struct fake_clock {
    lb_clock clock;  /* pass &fc.clock to the code under test */
    int64_t wall_ms; /* guarded by an internal mutex via the helpers */
    int64_t mono_ms;
    int64_t slept_ms; /* total time "slept" */
} fake_clock;

void fake_clock_init(fake_clock *fc, int64_t wall_ms);
void fake_clock_advance(fake_clock *fc, int64_t ms);

#endif
