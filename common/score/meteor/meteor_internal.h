/* Pieces of the METEOR port shared between its source files (not a public
 * API: use meteor.h). */
#ifndef WSD_METEOR_INTERNAL_H
#define WSD_METEOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "score/meteor/meteor_map.h"
#include "score/meteor/wordnet.h"

/* Nonbreaking-prefix list (resources/nonbreaking/english.prefixes):
 * type 1 = always nonbreaking, 2 = only before a number. */
typedef struct {
    wsd_strmap map;
    unsigned char *type; /* per map id */
} wsd_meteor_nbp;

int wsd_meteor_nbp_load(wsd_meteor_nbp *nbp, const char *path);
/* The same from the list's text (modified in place); nbp zeroed before. */
void wsd_meteor_nbp_parse(wsd_meteor_nbp *nbp, char *text);
void wsd_meteor_nbp_free(wsd_meteor_nbp *nbp);

/* Meteor's `-norm` (Normalizer.normalizeLine, English, punctuation kept)
 * followed by lower-casing. nbp may be empty (no prefixes). Returns a
 * malloc'd UTF-8 string. */
char *wsd_meteor_normalize(const char *line, const wsd_meteor_nbp *nbp);

/* Java String.hashCode() of a UTF-8 string (over its UTF-16 code units):
 * METEOR compares words by these keys, collisions included. */
int32_t wsd_meteor_java_hash(const char *s, size_t len);

/* Paraphrase table (data/paraphrase-en.gz) as a transducer over word ids. */
typedef struct wsd_meteor_para wsd_meteor_para;
wsd_meteor_para *wsd_meteor_para_load(const char *path);
void wsd_meteor_para_free(wsd_meteor_para *p);
/* Vocabulary id of a word, -1 when absent. */
int32_t wsd_meteor_para_word(const wsd_meteor_para *p, const char *w, size_t len);
/* Calls fn(len, phrase, phrase_len, ctx) for each table entry whose source
 * phrase equals words[start .. start+len) (shorter phrases first, then file
 * order). */
void wsd_meteor_para_paths(const wsd_meteor_para *p, const int32_t *words, int n, int start,
                           void (*fn)(int len, const int32_t *phrase, int phrase_len, void *ctx),
                           void *ctx);

/* One candidate match between test words [match_start, +match_len) and
 * reference words [start, +len), found by module `module`. */
typedef struct {
    int start, len, match_start, match_len, module;
} wsd_meteor_match;

/* Sufficient statistics of one pair, as Meteor's MeteorStats (word based). */
typedef struct {
    double test_len, ref_len, test_func, ref_func;
    double test_content[4], ref_content[4], test_function[4], ref_function[4];
    double chunks, test_word_matches, ref_word_matches;
    double test_total, ref_total; /* derived: sums over the stages */
} wsd_meteor_stats;

#endif
