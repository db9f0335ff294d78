/* libFuzzer target for densevid-score's parsers and tokenizer; built and run
 * by testdata/fuzz/run-score-fuzz.sh (clang -fsanitize=fuzzer). */
#include "testing/score_fuzz_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_score_one(data, size);
    return 0;
}
