/* Frames to C3D features for one video (extract.h). */
#include "video/extract.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "video/clips.h"

int wsd_extract_run(wsd_extract *x, wsd_frames *f, const char *name, const char *key, wsd_tsr *out) {
    int w = wsd_frames_width(f), h = wsd_frames_height(f), batch = x->batch > 0 ? x->batch : 1;
    int dim = x->net->out[WSD_C3D_LAYERS - 1];
    uint8_t *frame = wsd_malloc((size_t)w * h * 3);
    wsd_clipper *c = wsd_malloc(sizeof *c);
    float *clips = wsd_malloc(sizeof(float) * (size_t)batch * WSD_CLIP_FLOATS);
    float *fc7 = NULL;
    long rows = 0, cap = 0, pending = 0;
    int rc = -1, got;
    wsd_clipper_reset(c);
    for (;;) {
        double t0 = wsd_now();
        got = wsd_frames_next(f, frame);
        double t1 = wsd_now();
        x->t_decode += t1 - t0;
        if (got < 0) goto done;
        if (got == 1) {
            if (wsd_clipper_push(c, frame, w, h)) wsd_clipper_clip(c, x->mean, clips + pending++ * WSD_CLIP_FLOATS);
            x->t_prep += wsd_now() - t1;
        }
        if (pending == batch || (got == 0 && pending > 0)) {
            if (rows + pending > cap) {
                cap = (rows + pending) * 2;
                fc7 = wsd_realloc(fc7, sizeof(float) * (size_t)cap * dim);
            }
            double t2 = wsd_now();
            if (wsd_c3d_forward(x->net, clips, (int)pending, fc7 + rows * dim) != 0) {
                wsd_fail("%s: %s", name, wsd_error());
                goto done;
            }
            x->t_net += wsd_now() - t2;
            rows += pending;
            pending = 0;
        }
        if (got == 0) break;
    }
    long n = wsd_frames_count(f);
    x->frames += n;
    if (n == 0) {
        wsd_fail("%s: no frames (empty or not a video)", name);
        goto done;
    }
    if (n < WSD_CLIP_LEN) {
        wsd_fail("%s: %ld frames, fewer than the %d of one C3D clip (C3D v1.0 refuses such a video too)", name, n,
                 WSD_CLIP_LEN);
        goto done;
    }
    x->clips += rows;
    int outdim = x->pca ? x->pca->out : dim;
    int64_t shape[2] = {rows, outdim};
    wsd_tsr_init(out, key, WSD_F32, 2, shape);
    double t3 = wsd_now();
    if (x->pca) wsd_pca_apply(x->pca, fc7, rows, out->data);
    else memcpy(out->data, fc7, sizeof(float) * (size_t)rows * dim);
    x->t_pca += wsd_now() - t3;
    cJSON_AddNumberToObject(out->meta, "frames", (double)n);
    double fps = wsd_frames_fps(f);
    if (fps > 0) {
        cJSON_AddNumberToObject(out->meta, "fps", fps);
        cJSON_AddNumberToObject(out->meta, "rows_per_second", fps / WSD_CLIP_STRIDE);
    }
    cJSON_AddNumberToObject(out->meta, "clip_length", WSD_CLIP_LEN);
    cJSON_AddNumberToObject(out->meta, "clip_stride", WSD_CLIP_STRIDE);
    rc = 0;
done:
    free(frame), free(c), free(clips), free(fc7);
    return rc;
}
