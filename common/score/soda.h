/* SODA_c (Fujita et al., ECCV 2020; fujiso/SODA), the story-oriented dense
 * captioning score PDVC reports (fujiso/SODA soda.py, PDVC eval_soda.py): per video, the
 * best order-preserving matching of predictions (sorted by start) to
 * references (sorted by start) maximising sum(tIoU x METEOR), then
 * precision = best / #predictions, recall = best / #references, F = 2PR/(P+R),
 * averaged over the videos present in both the references and the
 * predictions. No proposal truncation. */
#ifndef WSD_SODA_H
#define WSD_SODA_H

#include "score/score_data.h"

#include <stddef.h>

/* Sentence similarity of two tokenised captions, as SODA calls METEOR: the
 * reference sentence is the candidate, the prediction the reference. */
typedef int (*soda_sim_fn)(void *ctx, const char *reference_sentence,
                           const char *predicted_sentence, double *score);

typedef struct {
    double precision, recall, f; /* means over the videos */
    size_t n_videos;
} soda_result;

/* SODA_c of a submission against one reference file. Returns 0, or -1 when
 * the similarity fails (wsd_fail). */
int soda_c(const score_set *sub, const score_set *ref, soda_sim_fn sim, void *ctx,
           soda_result *out);

#endif
