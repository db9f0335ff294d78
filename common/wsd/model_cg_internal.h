/* The caption generator's pieces shared by model_cg.c and model_cg_decode.c. */
#ifndef WSD_MODEL_CG_INTERNAL_H
#define WSD_MODEL_CG_INTERNAL_H

#include "wsd/model_cg.h"

/* Runs the video encoder on b into run->Y and run->hs. */
int cg_encode(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, int training, int keep_cache);
/* For n segments (seg on the device, seg_host its copy; gather: video of each)
 * computes the contexts into run->context and the decoder initial states into
 * h0 (layers, n, H). */
int cg_segments(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, const float *seg_host,
                const nn_tensor *seg, const int *gather, int n, nn_tensor *h0, int keep_cache);

#endif
