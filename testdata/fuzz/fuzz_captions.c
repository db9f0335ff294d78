/* libFuzzer target: captions JSON / JSON Lines / id lists, then the
 * vocabulary builder on whatever loads, and the input as a vocabulary. */
#include <stdint.h>
#include <stdlib.h>

#include "io/captions.h"
#include "io/jsonl.h"
#include "io/vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wsd_captions *c = wsd_captions_parse((const char *)data, size, "fuzz.json");
    if (c) {
        wsd_vocab *v = wsd_vocab_build(c, 1, 100, NULL);
        wsd_vocab_free(v);
        wsd_captions_free(c);
    }
    cJSON *o = wsd_jsonl_parse((const char *)data, size, "fuzz:1");
    if (o) {
        wsd_vocab *v = wsd_vocab_from_json(o, "fuzz");
        wsd_vocab_free(v);
        cJSON_Delete(o);
    }
    return 0;
}
