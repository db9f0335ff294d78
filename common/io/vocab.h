/* Vocabulary (WSDEC scripts/captioning_preprocess.py
 * build_vocab; dataset.py ANetData.translate/rtranslate) and its JSON file (vocab-build(1)):
 *   {"format": "wsdec-vocab", "version": 1, "min_count": 2, "size": 6000,
 *    "id_to_word": ["<bos>", "<eos>", "a", ..., "<oov>"], "counts": [...]}
 * Ids: <bos>=0, <eos>=1, kept words from 2 sorted by (-count, word bytes),
 * <oov> = n-1. counts[i] = training count of word i; 0 for <bos>/<eos>;
 * for <oov>, the number of training tokens that map to it. */
#ifndef WSD_VOCAB_H
#define WSD_VOCAB_H

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "io/captions.h"
#include "io/idmap.h"

enum { WSD_BOS = 0, WSD_EOS = 1 };

typedef struct {
    int n;        /* entries including <bos>, <eos>, <oov> */
    char **words; /* id -> word */
    int64_t *counts;
    int min_count, size;
    wsd_idmap *index; /* word -> id */
} wsd_vocab;

typedef struct {
    long long tokens, tokens_in_vocab; /* training tokens (no <bos>/<eos>) */
    long long distinct, distinct_kept; /* distinct words; those with count >= min_count */
    long long sentences;
} wsd_vocab_stats;

/* Builds from every sentence of c (min_count 2, size 6000 in the reference:
 * at most size-3 words are kept). stats may be NULL. NULL + wsd_error() on
 * invalid UTF-8 (naming the video and sentence). */
wsd_vocab *wsd_vocab_build(const wsd_captions *c, int min_count, int size, wsd_vocab_stats *stats);
void wsd_vocab_free(wsd_vocab *v);

static inline int wsd_vocab_oov(const wsd_vocab *v) { return v->n - 1; }
/* Id of a token, <oov> when unknown. */
int wsd_vocab_id(const wsd_vocab *v, const char *word);

/* ANetData.translate: <bos> tokens <eos>; *ids is malloc'd, *n its length.
 * -1 + wsd_error() on invalid UTF-8. */
int wsd_vocab_encode(const wsd_vocab *v, const char *sentence, int32_t **ids, size_t *n);
/* ANetData.rtranslate: ids[0] must be <bos>; stops at the first <eos>; words joined
 * by single spaces (so " . ", " , " and "<oov>" appear literally). Returns a
 * malloc'd string, or NULL + wsd_error() when ids[0] is not <bos> or an id is
 * out of range. */
char *wsd_vocab_decode(const wsd_vocab *v, const int32_t *ids, size_t n);

cJSON *wsd_vocab_to_json(const wsd_vocab *v);
/* `name` prefixes messages. */
wsd_vocab *wsd_vocab_from_json(const cJSON *j, const char *name);
int wsd_vocab_save(FILE *fp, const wsd_vocab *v);
wsd_vocab *wsd_vocab_load(const char *path);

#endif
