/* Connects the METEOR 1.5 port (meteor.h) to the scorer's per-video hook. */
#ifndef WSD_SCORE_METEOR_H
#define WSD_SCORE_METEOR_H

#include "score/meteor/meteor.h"

#include <stddef.h>

/* A score_meteor_fn; ctx is a wsd_meteor *. Each pair has one reference. */
int score_meteor_video(void *ctx, const char *const *hyps, const char *const *refs, size_t n_pairs,
                       double *score);

/* A soda_sim_fn: segment METEOR of the reference sentence (as candidate)
 * against the predicted one, the way SODA calls it. ctx is a wsd_meteor *. */
int score_meteor_sentence(void *ctx, const char *reference_sentence, const char *predicted_sentence,
                          double *score);

#endif
