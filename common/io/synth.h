/* Synthetic data for the embedded demo and the test bed (feat-synth(1)).
 *
 * Features: every vocabulary word w has a fixed signature s_w in R^D whose
 * entries are N(0,1) draws from a generator seeded by hash(w) and --seed.
 * An event's vector is e = (sum of s_w over its sentence's word tokens, per
 * the base/text.h tokeniser, '.' and ',' excluded) / sqrt(number of such tokens),
 * so every entry has unit variance. Row t of a video of duration d with T rows
 * stands for time tau = (t + 0.5) d / T and is
 *     x_t = background_v + signal * sum_k g_k(tau) e_k + noise * N(0, I)
 * with g_k(tau) = sigmoid((tau - start_k)/edge) * sigmoid((end_k - tau)/edge)
 * (a soft box over the event's span) and background_v = background * N(0, I)
 * drawn once per video. The per-video generator is seeded by hash(video id)
 * and --seed, so a video's features do not depend on the other videos. */
#ifndef WSD_SYNTH_H
#define WSD_SYNTH_H

#include <stdint.h>

#include "base/rng.h"
#include "io/captions.h"
#include "io/tsr.h"

/* The project's generator (base/rng.h) with the synthetic data's normal
 * draws: Box-Muller pairs, the second value kept for the next call. Streams
 * are named: one per word and one per video id (wsd_rng_named). */
typedef struct {
    wsd_rng g;
    double spare; /* second Box-Muller value */
    int has_spare;
} wsd_synth_rng;

void wsd_synth_rng_seed(wsd_synth_rng *r, uint64_t seed);
double wsd_synth_uniform(wsd_synth_rng *r); /* [0, 1) */
double wsd_synth_normal(wsd_synth_rng *r);  /* N(0, 1) */

typedef struct {
    int dim;                                /* 500, as the C3D PCA features */
    double rows_per_second;                 /* 1.0; ActivityNet C3D is 29.97/8 = 3.75 */
    double signal, noise, background, edge; /* 1.0, 0.5, 0.5, 1.0 s */
    uint64_t seed;                          /* 233 */
} wsd_synth_opts;

void wsd_synth_defaults(wsd_synth_opts *o);
/* At most 2^31 feature values (8 GiB) per synthetic video. */
#define WSD_SYNTH_MAX_VALUES 2147483648.0
/* Rows for a video of this duration: max(1, round(duration * rows_per_second)),
 * -1 when more than WSD_SYNTH_MAX_VALUES (or not a number). */
int64_t wsd_synth_rows(const wsd_synth_opts *o, double duration);
/* The unit-variance signature of one word (dim floats). */
void wsd_synth_signature(const char *word, const wsd_synth_opts *o, float *out);
/* Features of one video as a float32 [T, dim] tensor with meta duration,
 * rows_per_second, synthetic_seed. -1 + wsd_error() when the video has no
 * duration, would exceed WSD_SYNTH_MAX_VALUES or a sentence is not valid UTF-8. */
int wsd_synth_video(const wsd_video *v, const wsd_synth_opts *o, wsd_tsr *out);

/* A small caption set from a fixed grammar (subjects, actions, objects,
 * places): n videos with durations uniform in [min_duration, max_duration],
 * 2-4 events each, sentences like "A man is slicing a tomato in a kitchen."
 * Deterministic in seed. */
typedef struct {
    long videos;
    uint64_t seed;
    double min_duration, max_duration; /* 20, 120 */
    const char *id_prefix;             /* "v_", then 11 YouTube-like characters */
} wsd_synth_captions_opts;

void wsd_synth_captions_defaults(wsd_synth_captions_opts *o);
wsd_captions *wsd_synth_captions(const wsd_synth_captions_opts *o);

#endif
