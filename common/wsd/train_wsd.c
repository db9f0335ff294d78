/* Per-batch gradients of the weakly supervised and supervised SL trainers. */
#include "wsd/train_wsd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void wsd_train_ws_free(wsd_train_ws *ws) {
    wsd_sl_run_free(&ws->run1);
    wsd_sl_run_free(&ws->run2);
    wsd_cg_run_free(&ws->cg_run);
    nn_tensor_free(&ws->seg);
    nn_tensor_free(&ws->d_seg);
    free(ws->pred);
    free(ws->h);
    free(ws->ids);
    free(ws->len);
    memset(ws, 0, sizeof *ws);
}

/* Host scratch of at least n floats. */
static float *scratch(wsd_train_ws *ws, size_t n) {
    if (ws->h_cap < n) {
        ws->h = wsd_realloc(ws->h, sizeof *ws->h * n);
        ws->h_cap = n;
    }
    return ws->h;
}

static int r_width(const wsd_sl *sl) { return sl->cfg.regress_only ? 2 : 2 * sl->n_anchors; }

int wsd_cycle_grad(wsd_sl *sl, wsd_cg *cg, wsd_train_ws *ws, const wsd_batch *b, const float *noise,
                   wsd_rng *rng, double *loss_cap, double *loss_rec) {
    int N = b->N, L = b->L, R = r_width(sl);
    float *seg = scratch(ws, (size_t)N * (6 + 2 * R));
    float *seg2 = seg + 2 * N, *dseg = seg2 + 2 * N, *d_r = dseg + 2 * N,
          *d_r2 = d_r + (size_t)N * R;
    ws->pred = wsd_realloc(ws->pred, sizeof *ws->pred * (size_t)N * L);

    /* 1-2: seg = SL.diff(S) + noise (the noise is a constant for the gradient) */
    TRY(wsd_sl_forward(sl, &ws->run1, b, NULL, 1, rng));
    wsd_sl_diff(sl, &ws->run1, seg);
    if (noise)
        for (int i = 0; i < 2 * N; i++) seg[i] += noise[i];
    /* 3: teacher-forced caption loss given seg */
    nn_device dev = cg->dev;
    nn_tensor_ensure2(&ws->seg, dev, N, 2);
    TRY(nn_tensor_from_host(&ws->seg, seg, (size_t)2 * N));
    TRY(wsd_cg_forward(cg, &ws->cg_run, b, &ws->seg, 1, loss_cap, ws->pred));
    /* 4: seg' from the argmax tokens with the GT lengths and mask (same video,
     * same weights: the video encoder's first layer is run1's) */
    TRY(wsd_sl_forward_same_video(sl, &ws->run2, b, ws->pred, rng, &ws->run1));
    wsd_sl_diff(sl, &ws->run2, seg2);
    /* 5: reconstruction loss, MSE over N×2 divided by 100 */
    double rec = 0;
    for (int i = 0; i < 2 * N; i++) {
        double d = (double)seg2[i] - seg[i];
        rec += d * d;
    }
    *loss_rec = rec / (2.0 * N) / 100.0;
    /* 6: back-propagate; the caption loss reaches the SL through d loss/d seg */
    nn_tensor_ensure2(&ws->d_seg, dev, N, 2);
    nn_tensor_zero(&ws->d_seg);
    TRY(wsd_cg_backward(cg, &ws->cg_run, 1.0f, &ws->d_seg));
    TRY(nn_tensor_to_host(&ws->d_seg, dseg, (size_t)2 * N));
    wsd_sl_diff_grad(sl, &ws->run1, dseg, d_r);
    for (int i = 0; i < 2 * N; i++)
        dseg[i] = (float)(2.0 * ((double)seg2[i] - seg[i]) / (2.0 * N) / 100.0);
    wsd_sl_diff_grad(sl, &ws->run2, dseg, d_r2);
    /* both localizer passes; the shared first layer of the video encoder once */
    return wsd_sl_backward_pair(sl, &ws->run1, NULL, d_r, &ws->run2, NULL, d_r2);
}

double wsd_sl_batch_miou(const wsd_sl *sl, const wsd_sl_run *run, const wsd_batch *b) {
    float *sec = wsd_malloc(sizeof *sec * 2 * (size_t)b->N);
    wsd_sl_test_seconds(sl, run, b, sec);
    double sum = 0;
    for (int n = 0; n < b->N; n++) {
        wsd_seg p = {sec[2 * n], sec[2 * n + 1]},
                g = {b->ts_seconds[2 * n], b->ts_seconds[2 * n + 1]};
        sum += wsd_model_iou(p, g);
    }
    free(sec);
    return sum / b->N;
}

int wsd_pseudo_grad(wsd_sl *sl, wsd_cg *cg, wsd_train_ws *ws, wsd_pseudo_labeler *pl,
                    const wsd_vocab *vocab, const wsd_batch *b, int beam, int max_len, wsd_rng *rng,
                    double *loss, int *labels, double *miou) {
    int A = WSD_NUM_ANCHORS, B = b->B, N = b->N, W = max_len + 2;
    if (sl->cfg.regress_only) return wsd_fail("pseudo-labels need the anchor localizer");
    /* The reference runs the SL first, then the 15 anchor captions per video. */
    TRY(wsd_sl_forward(sl, &ws->run1, b, NULL, 1, rng));
    if (miou) *miou = wsd_sl_batch_miou(sl, &ws->run1, b);
    size_t rows = (size_t)B * A;
    if (ws->ids_cap < rows) {
        ws->ids = wsd_realloc(ws->ids, sizeof *ws->ids * rows * (size_t)W);
        ws->len = wsd_realloc(ws->len, sizeof *ws->len * rows);
        ws->ids_cap = rows;
    }
    float *seg = scratch(ws, rows * 2 + (size_t)N * A);
    int *gather = wsd_malloc(sizeof *gather * rows);
    for (int v = 0; v < B; v++)
        for (int k = 0; k < A; k++) {
            wsd_seg a = wsd_anchor_cw(k);
            seg[2 * (v * A + k)] = a.a;
            seg[2 * (v * A + k) + 1] = a.b;
            gather[v * A + k] = v;
        }
    int rc = wsd_cg_decode(cg, &ws->cg_run, b, seg, gather, (int)rows, beam, max_len, 0, ws->ids,
                           ws->len);
    free(gather);
    TRY(rc);
    int *lab = wsd_malloc(sizeof *lab * (size_t)N);
    char *cand[WSD_NUM_ANCHORS] = {0};
    int32_t *buf = wsd_malloc(sizeof *buf * (size_t)(W > b->L ? W : b->L));
    rc = 0;
    for (int n = 0; n < N && rc == 0; n++) {
        int v = b->gather[n];
        for (int i = 0; i < b->caption_len[n]; i++) buf[i] = b->caption[(size_t)n * b->L + i];
        char *ref = wsd_vocab_decode(vocab, buf, (size_t)b->caption_len[n]);
        for (int k = 0; k < A && ref; k++) {
            const int *row = ws->ids + (size_t)(v * A + k) * W;
            for (int i = 0; i < W; i++) buf[i] = row[i];
            cand[k] = wsd_vocab_decode(vocab, buf, (size_t)W);
            if (!cand[k]) rc = -1;
        }
        if (!ref) rc = -1;
        if (rc == 0) {
            lab[n] = wsd_pl_best(pl, ref, (const char *const *)cand, A, NULL);
            if (lab[n] < 0) rc = -1;
        }
        free(ref);
        for (int k = 0; k < A; k++) free(cand[k]), cand[k] = NULL;
    }
    free(buf);
    float *d_score = seg + rows * 2;
    if (rc == 0) rc = wsd_sl_ce(&ws->run1, lab, loss, d_score);
    if (rc == 0) rc = wsd_sl_backward(sl, &ws->run1, d_score, NULL);
    if (rc == 0 && labels) memcpy(labels, lab, sizeof *lab * (size_t)N);
    free(lab);
    return rc;
}

int wsd_supervised_grad(wsd_sl *sl, wsd_train_ws *ws, const wsd_batch *b, wsd_rng *rng,
                        double *loss, double *miou) {
    int N = b->N, A = sl->n_anchors;
    TRY(wsd_sl_forward(sl, &ws->run1, b, NULL, 1, rng));
    if (miou) *miou = wsd_sl_batch_miou(sl, &ws->run1, b);
    float *d_score = scratch(ws, (size_t)N * 3 * A), *d_r = d_score + (size_t)N * A;
    TRY(wsd_sl_sup_loss(sl, &ws->run1, b, 0.1f, loss, d_score, d_r));
    return wsd_sl_backward(sl, &ws->run1, d_score, d_r);
}
