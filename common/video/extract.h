/* One video's C3D features: frames -> 16-frame clips every 8 frames
 * (video/clips.h) -> C3D fc7 (post-ReLU) -> optional PCA (video/pca.h), as a
 * float32 tensor [T, D] keyed by the video id, T = floor((N - 16) / 8) + 1
 * for N frames. meta: frames, fps and rows_per_second = fps / 8 when the
 * frame rate is known, clip_length 16, clip_stride 8. */
#ifndef WSD_VIDEO_EXTRACT_H
#define WSD_VIDEO_EXTRACT_H

#include <stdio.h>

#include "io/tsr.h"
#include "video/c3d.h"
#include "video/frames.h"
#include "video/pca.h"

typedef struct {
    wsd_c3d *net;
    const float *mean;  /* 3x16x128x171 */
    const wsd_pca *pca; /* NULL: raw fc7 */
    int batch;          /* clips per forward pass (>= 1) */
    /* totals over every video, for progress lines and `make bench` */
    double t_decode, t_prep, t_net, t_pca;
    long frames, clips;
} wsd_extract;

/* Reads f to its end. -1 + wsd_error() naming the video: no frames, fewer
 * than 16, a decoding error. */
int wsd_extract_run(wsd_extract *x, wsd_frames *f, const char *name, const char *key, wsd_tsr *out);

/* The recipe's files loaded: the C3D Caffe model, its mean clip
 * (.binaryproto) and, when pca is not NULL, the PCA (pca_dims components);
 * x is ready for wsd_extract_run with `batch` clips per pass (0: the
 * network's). t0: when it was opened, for the summary line. */
typedef struct {
    wsd_c3d net;
    float *mean;
    wsd_pca pca;
    wsd_extract x;
    double t0;
} wsd_extractor;

/* -1 + wsd_fail naming the file that failed; e then holds nothing to close. */
int wsd_extractor_open(wsd_extractor *e, const char *weights, const char *mean, const char *pca,
                       int pca_dims, int batch);
void wsd_extractor_close(wsd_extractor *e);
/* The summary of everything e extracted: frames, clips, clips/s and where the
 * time went, one line after `prog: `; nothing when no clip was run. */
void wsd_extractor_report(const wsd_extractor *e, const char *prog, FILE *fp);

#endif
