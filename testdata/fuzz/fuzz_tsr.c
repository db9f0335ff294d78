/* libFuzzer target: tensor stream records (see run.sh). */
#include <stdint.h>
#include <stdlib.h>

#include "io/tsr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wsd_tsr_reader *r = wsd_tsr_open_mem(data, size, "fuzz.tsr");
    wsd_tsr t;
    while (wsd_tsr_read(r, &t) == 1) wsd_tsr_free(&t);
    wsd_tsr_close(r);
    return 0;
}
