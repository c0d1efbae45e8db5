/* Shared by the fuzz targets: the entry point's prototype and a contract
 * check that aborts, so libFuzzer (and the corpus replay) report it. */
#ifndef LB_FUZZ_CHECK_H
#define LB_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

#endif
