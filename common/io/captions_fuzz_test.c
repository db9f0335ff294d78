/* Mutation fuzzing of the text parsers: captions JSON, JSON Lines, id lists,
 * vocabulary JSON and the tokeniser. Mutants must never crash. */
#include "testing/mutate.h"
#include "io/captions.h"
#include "io/jsonl.h"
#include "testing/test.h"
#include "base/text.h"
#include "base/util.h"
#include "io/vocab.h"

enum { ROUNDS = 20000 };

static const char *const seeds[] = {
    "{\"v_a\": {\"duration\": 82.73, \"timestamps\": [[0.8, 19.9], [17, 60]], \"sentences\": [\" A "
    "man, a plan.\", "
    "\"Pi\\u00f1ata time\"]}, \"v_b\": {\"duration\": 3, \"timestamps\": [], \"sentences\": []}}",
    "{\"video_id\": \"v_x\", \"duration\": 10, \"events\": [{\"timestamp\": [1, 2], \"sentence\": "
    "\"hi there.\", "
    "\"score\": 0.9}]}\n{\"video_id\": \"v_y\", \"extra\": [1, {\"z\": null}]}\n",
    "v_1\n# comment\n  v_2  \nv_3",
    "{\"format\":\"wsdec-vocab\",\"version\":1,\"id_to_word\":[\"<bos>\",\"<eos>\",\"a\",\"<oov>\"]"
    ",\"counts\":[0,0,3,1]}",
};
#define N_SEEDS (sizeof seeds / sizeof *seeds)

static void caption_mutants_never_crash(void) {
    fuzz_rng r = {0xD1B54A32D192ED03ull};
    long loaded = 0;
    for (int i = 0; i < ROUNDS; i++) {
        const char *a = seeds[fuzz_below(&r, N_SEEDS)], *b = seeds[fuzz_below(&r, N_SEEDS)];
        size_t n;
        unsigned char *m = fuzz_mutate(&r, (const unsigned char *)a, strlen(a),
                                       (const unsigned char *)b, strlen(b), &n);
        wsd_captions *c = wsd_captions_parse((const char *)m, n, "fuzz.json");
        if (c) {
            loaded++;
            for (size_t v = 0; v < c->n; v++) {
                CHECK(wsd_captions_find(c, c->videos[v].id) == &c->videos[v]);
                cJSON *j = wsd_video_to_json(&c->videos[v]);
                cJSON_Delete(j);
            }
            wsd_vocab *voc = wsd_vocab_build(c, 1, 50, NULL);
            CHECK(voc != NULL); /* the loader already rejected invalid UTF-8 */
            wsd_vocab_free(voc);
            wsd_captions_free(c);
        } else {
            CHECK(strstr(wsd_error(), "fuzz.json") != NULL);
        }
        /* the same bytes as one JSON Lines line, and as a vocabulary */
        cJSON *o = wsd_jsonl_parse((const char *)m, n, "fuzz:1");
        if (o) {
            wsd_video v;
            if (wsd_video_from_json(o, "fuzz:1", &v) == 0) wsd_video_free(&v);
            wsd_vocab *voc = wsd_vocab_from_json(o, "fuzz-vocab");
            if (voc) {
                int32_t ids[] = {0, 2, 3, 1};
                char *s = wsd_vocab_decode(voc, ids, 4);
                free(s);
                wsd_vocab_free(voc);
            }
            cJSON_Delete(o);
        }
        free(m);
    }
    fprintf(stderr, "  captions: %d mutants, %ld loaded\n", ROUNDS, loaded);
    CHECK(loaded > 0);
}

static void tokenizer_mutants_never_crash(void) {
    fuzz_rng r = {77};
    const char *s = " A man\xc2\xa0is, PI\xc3\x91"
                    "ATA. caf\xc3\xa9\xe2\x80\x99s";
    for (int i = 0; i < ROUNDS; i++) {
        size_t n;
        unsigned char *m = fuzz_mutate(&r, (const unsigned char *)s, strlen(s),
                                       (const unsigned char *)s, strlen(s), &n);
        char *z = malloc(n + 1);
        memcpy(z, m, n);
        z[n] = '\0';
        wsd_tokens t;
        int valid = wsd_utf8_invalid_at(z, strlen(z)) < 0;
        CHECK((wsd_tokenize(z, &t) == 0) == valid);
        if (valid) {
            for (size_t k = 0; k < t.n; k++)
                CHECK(t.tok[k][0] != '\0' && wsd_utf8_invalid_at(t.tok[k], strlen(t.tok[k])) < 0);
            wsd_tokens_free(&t);
        }
        free(z);
        free(m);
    }
}

int main(void) {
    TEST_RUN(caption_mutants_never_crash);
    TEST_RUN(tokenizer_mutants_never_crash);
    return test_finish();
}
