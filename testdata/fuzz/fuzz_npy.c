/* libFuzzer target: .npy headers. */
#include <stdint.h>
#include <stdlib.h>

#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wsd_npy_info info;
    wsd_npy_parse(data, size, "fuzz.npy", &info);
    return 0;
}
