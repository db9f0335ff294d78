/* Deterministic mutation fuzzing of densevid-score's parsers and tokenizer,
 * run by `make test` (the libFuzzer target testdata/fuzz/score_fuzz.c runs
 * the same code for as long as one likes). WSD_FUZZ_ITERATIONS overrides the
 * number of mutated inputs. */
#include "testing/test.h"

#include "testing/score_fuzz_one.h"

static uint64_t rng_state = 0x5eed;
static uint64_t next_rand(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *const seeds[] = {
    "{\"version\": \"1\", \"external_data\": {}, \"results\": {\"v_a\": [{\"sentence\": \"A man is "
    "standing in a "
    "kitchen.\", \"timestamp\": [0, 11]}, {\"sentence\": \"He chops an onion, then a T.\", "
    "\"timestamp\": [9.5, 21]}], "
    "\"v_b\": [{\"sentence\": \"abc123!@#\", \"timestamp\": [-1, 1e3]}]}}",
    "{\"video_id\": \"v_a\", \"duration\": 30, \"events\": [{\"timestamp\": [0, 10], \"sentence\": "
    "\"The U.S. dog's "
    "toys\\r\\nare <a href=\\\"x\\\">here</a> 7 1/2 ft.\"}]}\n{\"video_id\": \"v_b\", \"events\": "
    "[]}\n",
    "{\"v_a\": {\"duration\": 3, \"timestamps\": [[0, 1], [1, 2]], \"sentences\": [\"x\", "
    "\"y\\u00e9z\"]}}",
    "Hello!!! What?! can't won't gonna 'n' o'clock www.x.com a@b.c #tag @user $5.50 :) (a) [b] {c} "
    "-- ... \xc3\xa9",
    "a capital T.\nThe next\r\nline\x0b\x0c 925 606 0946 12:30pm AT&T c++ e.g. etc. Mr. no. 5",
};

static const char *const tokens[] = {
    "{",        "}",       "[",        "]",      "\"", ":",  ",",    "\\",   "\\u0000", "\\ud800",
    "null",     "true",    "-1e999",   "0.",     "\n", "\r", "\x0b", "\xc3", "\xff",    "timestamp",
    "sentence", "results", "video_id", "events", "'",  ".",  "T.",   " The "};

static void mutate(char *buf, size_t *len, size_t cap) {
    int ops = 1 + (int)(next_rand() % 4);
    for (int k = 0; k < ops; k++) {
        size_t pos = *len ? next_rand() % (*len + 1) : 0;
        switch (next_rand() % 5) {
        case 0: /* flip a bit */
            if (*len) buf[pos % *len] ^= (char)(1u << (next_rand() % 8));
            break;
        case 1: /* delete a run */
            if (*len) {
                size_t n = 1 + next_rand() % 8, p = pos % *len;
                if (p + n > *len) n = *len - p;
                memmove(buf + p, buf + p + n, *len - p - n);
                *len -= n;
            }
            break;
        case 2: /* random byte */
            if (*len + 1 < cap) {
                memmove(buf + pos + 1, buf + pos, *len - pos);
                buf[pos] = (char)next_rand();
                (*len)++;
            }
            break;
        default: { /* insert a JSON or tokenizer token */
            const char *t = tokens[next_rand() % (sizeof tokens / sizeof tokens[0])];
            size_t n = strlen(t);
            if (*len + n < cap) {
                memmove(buf + pos + n, buf + pos, *len - pos);
                memcpy(buf + pos, t, n);
                *len += n;
            }
        }
        }
    }
}

static void mutated_inputs_never_crash(void) {
    long iterations = 20000;
    const char *env = getenv("WSD_FUZZ_ITERATIONS");
    if (env) iterations = atol(env);
    char buf[4096];
    size_t n_seeds = sizeof seeds / sizeof seeds[0];
    for (size_t s = 0; s < n_seeds; s++)
        fuzz_score_one((const uint8_t *)seeds[s], strlen(seeds[s]));
    for (long i = 0; i < iterations; i++) {
        const char *seed = seeds[next_rand() % n_seeds];
        size_t len = strlen(seed);
        memcpy(buf, seed, len);
        int rounds = 1 + (int)(next_rand() % 6);
        for (int r = 0; r < rounds; r++) mutate(buf, &len, sizeof buf);
        fuzz_score_one((const uint8_t *)buf, len);
    }
    fprintf(stderr, "  %ld mutated inputs + %zu seeds: no crash\n", iterations, n_seeds);
    CHECK(1);
}

int main(void) {
    TEST_RUN(mutated_inputs_never_crash);
    return test_finish();
}
