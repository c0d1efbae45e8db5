/* Timestamps from the credential APIs. Checks that a parse never reads past
 * len, that every accepted instant lies in the documented range, and that
 * format_ms and parse agree on whatever they both accept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rfc3339.h"
#include "fuzz_check.h"

#define NS_PER_MS INT64_C(1000000)
/* 1970-01-01T00:00:00+23:59: the earliest instant the parser accepts. */
#define EARLIEST_NS (-INT64_C(86340) * INT64_C(1000000000))

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Formatting to milliseconds and parsing back loses only sub-ms digits. */
static void check_round_trip(int64_t ns) {
    char buf[32];
    int64_t ms = floor_div(ns, NS_PER_MS);
    if (lb_rfc3339_format_ms(ms, buf, sizeof buf) != 0)
        return;
    CHECK(strlen(buf) == 24);
    int64_t back = 0;
    if (ms >= 0)
        CHECK(lb_rfc3339_parse(buf, strlen(buf), &back) == 0 &&
              back == ms * NS_PER_MS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int64_t ns = 0;
    if (lb_rfc3339_parse((const char *)data, size, &ns) == 0) {
        CHECK(ns >= EARLIEST_NS);
        check_round_trip(ns);
    }
    /* The same bytes as an epoch-ms value for the formatter. */
    if (size >= sizeof(int64_t)) {
        int64_t ms;
        memcpy(&ms, data, sizeof ms);
        char buf[25];
        if (lb_rfc3339_format_ms(ms, buf, sizeof buf) == 0) {
            int64_t back;
            int rc = lb_rfc3339_parse(buf, 24, &back);
            CHECK(rc != 0 || back == ms * NS_PER_MS);
            CHECK(rc == 0 || ms < 0 || ms > INT64_MAX / NS_PER_MS);
        }
    }
    return 0;
}
