/* Random-access feature sets for trainers: a whole tensor stream or an
 * official C3D HDF5 file (one group per video id holding c3d_features
 * [T,500]) loaded into memory and indexed by video id. Rows are sub-sampled
 * as WSDEC dataset.py ANetData.__init__ does: every sample_rate-th row starting at row 0, so
 * T = ceil(T_raw / sample_rate). Features are float32 in memory whatever the
 * stored dtype (float32/float64). */
#ifndef WSD_FEATSET_H
#define WSD_FEATSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id;
    int64_t rows;     /* after sub-sampling */
    int64_t rows_raw; /* as stored */
    int dim;
    const float *x;  /* rows x dim, row-major */
    double duration; /* from the stream's meta; NAN when unknown (HDF5) */
} wsd_feat;

typedef struct wsd_featset wsd_featset;

/* Loads path (format detected from its first bytes). When ids is not NULL,
 * only those n_ids videos are kept (the others are skipped without
 * conversion) and a missing one is an error. NULL + wsd_error() on failure,
 * including a value that is not finite (the message names video, row, column). */
wsd_featset *wsd_featset_load(const char *path, int sample_rate, const char *const *ids,
                              size_t n_ids);
/* The video with this id, or NULL with wsd_error()
 * "FILE: unknown video id 'v_x' (N videos)". */
const wsd_feat *wsd_featset_get(const wsd_featset *fs, const char *id);
size_t wsd_featset_size(const wsd_featset *fs);
const wsd_feat *wsd_featset_at(const wsd_featset *fs, size_t i);
int wsd_featset_dim(const wsd_featset *fs); /* 0 when empty */
const char *wsd_featset_path(const wsd_featset *fs);
void wsd_featset_free(wsd_featset *fs);

#endif
