/* Frames to C3D features for one video (extract.h). */
#include "video/extract.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "video/c3d_caffe.h"
#include "video/caffe.h"
#include "video/clips.h"

int wsd_extract_run(wsd_extract *x, wsd_frames *f, const char *name, const char *key,
                    wsd_tsr *out) {
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
            if (wsd_clipper_push(c, frame, w, h))
                wsd_clipper_clip(c, x->mean, clips + pending++ * WSD_CLIP_FLOATS);
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
        wsd_fail(
            "%s: %ld frames, fewer than the %d of one C3D clip (C3D v1.0 refuses such a video too)",
            name, n, WSD_CLIP_LEN);
        goto done;
    }
    x->clips += rows;
    int outdim = x->pca ? x->pca->out : dim;
    int64_t shape[2] = {rows, outdim};
    wsd_tsr_init(out, key, WSD_F32, 2, shape);
    double t3 = wsd_now();
    if (x->pca)
        wsd_pca_apply(x->pca, fc7, rows, out->data);
    else
        memcpy(out->data, fc7, sizeof(float) * (size_t)rows * dim);
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

int wsd_extractor_open(wsd_extractor *e, const char *weights, const char *mean, const char *pca,
                       int pca_dims, int batch) {
    memset(e, 0, sizeof *e);
    e->t0 = wsd_now();
    static const int mean_shape[5] = {1, 3, WSD_CLIP_LEN, WSD_FRAME_H, WSD_FRAME_W};
    TRY(wsd_caffe_mean_load(mean, mean_shape, &e->mean));
    if (wsd_c3d_load_caffe(&e->net, weights) != 0) {
        wsd_extractor_close(e);
        return -1;
    }
    if (pca) {
        if (wsd_pca_load(pca, e->net.out[WSD_C3D_LAYERS - 1], pca_dims, &e->pca) != 0) {
            wsd_extractor_close(e);
            return -1;
        }
        e->x.pca = &e->pca;
    }
    e->x.net = &e->net;
    e->x.mean = e->mean;
    e->x.batch = batch > 0 ? batch : e->net.batch;
    return 0;
}

void wsd_extractor_close(wsd_extractor *e) {
    wsd_c3d_free(&e->net);
    free(e->mean);
    wsd_pca_free(&e->pca);
    memset(e, 0, sizeof *e);
}

void wsd_extractor_report(const wsd_extractor *e, const char *prog, FILE *fp) {
    const wsd_extract *x = &e->x;
    double wall = wsd_now() - e->t0;
    if (x->clips <= 0) return;
    fprintf(fp,
            "%s: %ld frames, %ld clips, %.2f clips/s; decode %.0f%%, resize+clips %.0f%%, C3D "
            "%.0f%%, PCA %.0f%% of %.1f s\n",
            prog, x->frames, x->clips, x->clips / (x->t_net > 0 ? x->t_net : 1e-9),
            100 * x->t_decode / wall, 100 * x->t_prep / wall, 100 * x->t_net / wall,
            100 * x->t_pca / wall, wall);
}
