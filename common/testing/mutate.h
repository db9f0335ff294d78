/* Deterministic input mutation for the parsers' fuzz tests
 * (common/tsr_fuzz_test.c and common/captions_fuzz_test.c run thousands of mutants in `make test`)
 * and the seed logic shared with the libFuzzer targets in this folder. */
#ifndef WSD_FUZZ_MUTATE_H
#define WSD_FUZZ_MUTATE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t s;
} fuzz_rng;

static inline uint64_t fuzz_next(fuzz_rng *r) {
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static inline size_t fuzz_below(fuzz_rng *r, size_t n) {
    return n ? (size_t)(fuzz_next(r) % n) : 0;
}

/* Tokens that tend to reach new parser states. */
static const char *const fuzz_tokens[] = {
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "\\u00",
    "\\\"",
    "null",
    "true",
    "-1",
    "1e999",
    "0.5",
    "4294967295",
    "\n",
    " ",
    "\xff",
    "\x00",
    "\xc3\xb1",
    "\"key\":",
    "\"shape\":[",
    "\"bytes\":",
    "\"zlib\"",
    "WSDT",
    "\x93NUMPY",
    "'shape': (",
    "'descr': '<f8'",
    "True",
    "\"video_id\":",
    "\"events\":[",
    "\"timestamp\":[",
};

/* Returns a malloc'd mutant of seed (len bytes) in *out_len; exactly sized,
 * so that reading one byte past the end trips AddressSanitizer. */
static inline unsigned char *fuzz_mutate(fuzz_rng *r, const unsigned char *seed, size_t len,
                                         const unsigned char *other, size_t other_len,
                                         size_t *out_len) {
    size_t cap = len + 256, n = len;
    unsigned char *b = malloc(cap);
    memcpy(b, seed, len);
    int rounds = 1 + (int)fuzz_below(r, 4);
    for (int k = 0; k < rounds; k++) {
        size_t at = fuzz_below(r, n + 1);
        switch (fuzz_below(r, 8)) {
        case 0: /* flip a bit */
            if (n) b[fuzz_below(r, n)] ^= (unsigned char)(1u << fuzz_below(r, 8));
            break;
        case 1: /* random byte */
            if (n) b[fuzz_below(r, n)] = (unsigned char)fuzz_next(r);
            break;
        case 2: { /* delete a range */
            size_t k2 = fuzz_below(r, 16) + 1;
            if (at + k2 > n) k2 = n - at;
            memmove(b + at, b + at + k2, n - at - k2);
            n -= k2;
            break;
        }
        case 3: /* truncate */ n = at; break;
        case 4: { /* insert a token */
            const char *t = fuzz_tokens[fuzz_below(r, sizeof fuzz_tokens / sizeof *fuzz_tokens)];
            size_t tl = t[0] ? strlen(t) : 1;
            if (n + tl > cap) break;
            memmove(b + at + tl, b + at, n - at);
            memcpy(b + at, t, tl);
            n += tl;
            break;
        }
        case 5: { /* duplicate a range */
            size_t from = fuzz_below(r, n + 1), k2 = fuzz_below(r, 32);
            if (from + k2 > n) k2 = n - from;
            if (n + k2 > cap) break;
            memmove(b + at + k2, b + at, n - at);
            memmove(b + at, b + (from < at ? from : from + k2), k2);
            n += k2;
            break;
        }
        case 6: /* splice in the tail of another seed */
            if (other_len) {
                size_t from = fuzz_below(r, other_len), k2 = other_len - from;
                if (at + k2 > cap) k2 = cap - at;
                memcpy(b + at, other + from, k2);
                n = at + k2;
            }
            break;
        default: { /* overwrite with an extreme 32-bit little-endian value */
            static const uint32_t vals[] = {0, 1, 0x7fffffff, 0xffffffff, 0x100000, 8, 0x10000};
            uint32_t v = vals[fuzz_below(r, 7)];
            if (n >= 4) memcpy(b + fuzz_below(r, n - 3), &v, 4);
            break;
        }
        }
    }
    unsigned char *out = malloc(n ? n : 1);
    memcpy(out, b, n);
    free(b);
    *out_len = n;
    return out;
}

#endif
