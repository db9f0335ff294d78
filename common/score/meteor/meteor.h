/* METEOR 1.5 as coco-caption runs it (`meteor-1.5.jar - - -stdio -l en -norm`),
 * reimplemented in C. See ../shared/densevid-eval-spec.md section 8.
 *
 * Pipeline per pair: Meteor's `-norm` normaliser on both sides, alignment by
 * the four matchers (exact, Snowball stem, WordNet synonym, paraphrase table)
 * resolved by Meteor's beam search, sufficient statistics, score with the
 * English "rank" parameters (alpha 0.85, beta 0.20, gamma 0.60, delta 0.75;
 * module weights 1.0 0.6 0.8 0.6).
 *
 * Data files. Meteor's jar bundles the function-word list, the nonbreaking
 * prefix list, its WordNet export and (beside it) the paraphrase table; none
 * ships with Debian, so the caller passes their paths. Synonyms otherwise come
 * from Debian's wordnet-base.
 *   function_words_path  Meteor's resources/function/english.words. Required:
 *                        without it every statistic is weighted differently.
 *   synonym_dir          Meteor's resources/synonym (english.synsets,
 *                        english.exceptions). Optional: without it synonyms
 *                        are rebuilt from Debian WordNet 3.0 (wordnet_dir,
 *                        NULL = /usr/share/wordnet, then required), which
 *                        agrees except for rare cross-part-of-speech offset
 *                        coincidences (see wordnet.h); the result is then
 *                        approximate.
 *   nonbreaking_path     Meteor's resources/nonbreaking/english.prefixes.
 *                        Optional; without it the result is approximate.
 *   paraphrase_path      Meteor's data/paraphrase-en.gz. Optional; without it
 *                        the paraphrase module is off and the result is
 *                        approximate ("without paraphrase").
 * wsd_meteor_open() fails (NULL + wsd_fail with the reason) when a required
 * file is missing or unreadable. When an optional one is absent it succeeds,
 * wsd_meteor_official() returns 0 and wsd_meteor_caveat() says why; callers
 * must then not print the number as the official METEOR.
 *
 * Threading: a handle caches per-word matcher keys and scratch buffers as it
 * scores, so use one handle per thread. Loading takes ~50 ms (WordNet) plus
 * ~1 s per million paraphrase entries; scoring ~15 us per caption pair. */
#ifndef WSD_METEOR_H
#define WSD_METEOR_H

typedef struct wsd_meteor wsd_meteor;

typedef struct {
    const char *wordnet_dir;
    const char *paraphrase_path;
    const char *function_words_path;
    const char *nonbreaking_path;
    const char *synonym_dir;
} wsd_meteor_config; /* NULL field = default (wordnet) or absent (others) */

wsd_meteor *wsd_meteor_open(const wsd_meteor_config *cfg);
void wsd_meteor_close(wsd_meteor *m);

/* Opens with the data files found under meteor_dir, an unpacked Meteor 1.5
 * tree (or the directory coco-caption's meteor-1.5.jar sits in, with the jar's
 * resources/ extracted): DIR/resources/function/english.words,
 * DIR/resources/nonbreaking/english.prefixes, DIR/resources/synonym/
 * (english.synsets + english.exceptions), DIR/data/paraphrase-en.gz; each is
 * also looked for directly in DIR and in DIR/function, DIR/nonbreaking,
 * DIR/synonym, DIR/data. Files not found count as absent (see above).
 * wordnet_dir as in the config. */
wsd_meteor *wsd_meteor_open_dir(const char *meteor_dir, const char *wordnet_dir);

/* 1 when every data file and module of the official configuration is in use
 * (function words, prefixes, paraphrase table, WordNet), else 0. Even then
 * the number is a reimplementation: see the differences listed in
 * meteor.c before calling it identical to the Java scorer. */
int wsd_meteor_official(const wsd_meteor *m);
/* "" when official, else a one-line reason ("without paraphrase table ..."). */
const char *wsd_meteor_caveat(const wsd_meteor *m);

/* Corpus score as coco-caption's Meteor.compute_score returns it: one SCORE
 * per pair (each candidate against its nrefs[i] references; the best
 * reference by segment score wins), statistics summed over the pairs (a
 * perfect one-chunk pair contributes no chunk), then the score of the sums.
 * Strings are the PTB-tokenised, lower-cased captions coco passes. n = 0 gives
 * 0. Returns 0, or -1 with wsd_fail (a pair with no reference). */
int wsd_meteor_corpus(wsd_meteor *m, int n, const char *const *candidates,
                      const char *const *const *refs, const int *nrefs, double *score_out);

/* Segment score of one candidate against its references. */
int wsd_meteor_segment(wsd_meteor *m, const char *candidate, const char *const *refs,
                       int nrefs, double *score_out);

#endif
