/* METEOR 1.5 as coco-caption runs it (`meteor-1.5.jar - - -stdio -l en -norm`),
 * reimplemented in C (pycocoevalcap meteor/meteor.py Meteor._stat, _score and
 * compute_score drive the jar).
 *
 * Pipeline per pair: Meteor's `-norm` normaliser on both sides, alignment by
 * the four matchers (exact, Snowball stem, WordNet synonym, paraphrase table)
 * resolved by Meteor's beam search, sufficient statistics, score with the
 * English "rank" parameters (alpha 0.85, beta 0.20, gamma 0.60, delta 0.75;
 * module weights 1.0 0.6 0.8 0.6).
 *
 * Data files (meteor_data.h says where they are looked for). Meteor's
 * meteor-1.5.jar bundles the function-word list, the nonbreaking-prefix list
 * and its WordNet export; the paraphrase table sits beside it as
 * data/paraphrase-en.gz. None ships with Debian.
 *   function words   required: without them every statistic is weighted
 *                    differently, and wsd_meteor_open*() fail.
 *   WordNet export   optional: without it synonyms are rebuilt from Debian
 *                    WordNet 3.0 (wordnet_dir, NULL = /usr/share/wordnet,
 *                    then required), which differs on rare cross-part-of-
 *                    speech offset coincidences (see wordnet.h).
 *   prefixes         optional.
 *   paraphrase table optional; without it the paraphrase module is off.
 * When an optional one is absent opening succeeds, wsd_meteor_official()
 * returns 0 and wsd_meteor_caveat() says why; callers must then not print the
 * number as the official METEOR.
 *
 * Threading: a handle caches per-word matcher keys and scratch buffers as it
 * scores, so use one handle per thread. Loading takes ~50 ms (WordNet) plus
 * ~1 s per million paraphrase entries; scoring ~15 us per caption pair. */
#ifndef WSD_METEOR_H
#define WSD_METEOR_H

#include <stddef.h>

/* The aligner's memory and time grow with the square of a caption's length
 * (every pair of equal words is a candidate match; Java Meteor keeps a copy
 * of both sentences' used-word flags per beam entry the same way). Each side
 * of a pair is cut to its first WSD_METEOR_MAX_WORDS normalised words, which
 * bounds one alignment to about 250 MB; a cut is counted
 * (wsd_meteor_cut_count) for the caller to report. Captions of ActivityNet
 * are 5-60 words; up to this length results equal Java Meteor's. */
#define WSD_METEOR_MAX_WORDS 2048

typedef struct wsd_meteor wsd_meteor;

typedef struct {
    const char *wordnet_dir;
    const char *paraphrase_path;
    const char *function_words_path;
    const char *nonbreaking_path;
    const char *synonym_dir; /* folder with english.synsets + english.exceptions */
    const char *jar_path;    /* meteor-1.5.jar: the files above not given one by one */
} wsd_meteor_config;         /* NULL field = default (wordnet) or absent (others); no search */

wsd_meteor *wsd_meteor_open(const wsd_meteor_config *cfg);

void wsd_meteor_close(wsd_meteor *m);

/* Opens with the data found under meteor_dir (a Meteor 1.5 folder, an
 * unpacked tree, or the folder holding meteor-1.5.jar; meteor_data.h; a path
 * ending in .jar is taken as the jar itself), or,
 * when meteor_dir is NULL, by searching for an install ($WSD_METEOR_DIR,
 * pycocoevalcap, coco-caption). Files not found count as absent (see above).
 * wordnet_dir as in the config. */
wsd_meteor *wsd_meteor_open_dir(const char *meteor_dir, const char *wordnet_dir);

/* 1 when every data file and module of the official configuration is in use
 * (function words, prefixes, paraphrase table, WordNet), else 0. Even then
 * the number is a reimplementation: see the differences listed in
 * meteor.c before calling it identical to the Java scorer. */
int wsd_meteor_official(const wsd_meteor *m);
/* "" when official, else a one-line reason ("without paraphrase table ..."). */
const char *wsd_meteor_caveat(const wsd_meteor *m);
/* How many distinct captions were cut to WSD_METEOR_MAX_WORDS words. */
size_t wsd_meteor_cut_count(const wsd_meteor *m);
/* One line: where the data came from ("Meteor 1.5 data from ..."). */
const char *wsd_meteor_source(const wsd_meteor *m);

/* Corpus score as coco-caption's Meteor.compute_score returns it: one SCORE
 * per pair (each candidate against its nrefs[i] references; the best
 * reference by segment score wins), statistics summed over the pairs (a
 * perfect one-chunk pair contributes no chunk), then the score of the sums.
 * Strings are the PTB-tokenised, lower-cased captions coco passes. n = 0 gives
 * 0. Returns 0, or -1 with wsd_fail (a pair with no reference). */
int wsd_meteor_corpus(wsd_meteor *m, int n, const char *const *candidates,
                      const char *const *const *refs, const int *nrefs, double *score_out);

/* Segment score of one candidate against its references. */
int wsd_meteor_segment(wsd_meteor *m, const char *candidate, const char *const *refs, int nrefs,
                       double *score_out);

#endif
