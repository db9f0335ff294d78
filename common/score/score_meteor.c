#include "score/score_meteor.h"

#include "base/util.h"

#include <limits.h>
#include <stdlib.h>

int score_meteor_video(void *ctx, const char *const *hyps, const char *const *refs, size_t n_pairs,
                       double *score) {
    if (n_pairs > INT_MAX)
        return wsd_fail("METEOR: too many caption pairs in one video (%zu)", n_pairs);
    const char *const **ref_lists = wsd_malloc((n_pairs ? n_pairs : 1) * sizeof *ref_lists);
    int *nrefs = wsd_malloc((n_pairs ? n_pairs : 1) * sizeof *nrefs);
    for (size_t i = 0; i < n_pairs; i++) {
        ref_lists[i] = &refs[i];
        nrefs[i] = 1;
    }
    int rc = wsd_meteor_corpus(ctx, (int)n_pairs, hyps, ref_lists, nrefs, score);
    free(ref_lists);
    free(nrefs);
    return rc;
}

int score_meteor_sentence(void *ctx, const char *reference_sentence, const char *predicted_sentence,
                          double *score) {
    return wsd_meteor_segment(ctx, reference_sentence, &predicted_sentence, 1, score);
}
