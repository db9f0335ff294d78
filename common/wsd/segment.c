#include "wsd/segment.h"

#include <math.h>

static float maxf(float a, float b) { return a > b ? a : b; }
static float minf(float a, float b) { return a < b ? a : b; }

wsd_seg wsd_se_to_cw(wsd_seg se) {
    wsd_seg cw = {(se.a + se.b) / 2.0f, se.b - se.a};
    return cw;
}

wsd_seg wsd_cw_to_se_clamped(wsd_seg cw) {
    wsd_seg se = {maxf(cw.a - cw.b / 2.0f, 0.0f), minf(cw.a + cw.b / 2.0f, 1.0f)};
    return se;
}

wsd_seg wsd_cw_to_se_resolved(wsd_seg cw) {
    wsd_seg se = {maxf(cw.a - cw.b / 2.0f, 0.0f), minf(cw.a + cw.b / 2.0f, 1.0f - WSD_DELTA)};
    return se;
}

float wsd_model_iou(wsd_seg x, wsd_seg y) {
    float inter = maxf(0.0f, minf(x.b, y.b) - maxf(x.a, y.a));
    float hull = maxf(x.b, y.b) - minf(x.a, y.a);
    return inter / (hull + WSD_DELTA);
}

wsd_seg wsd_anchor_cw(int k) {
    wsd_seg cw = {0.5f, 1.0f};
    if (k < 3) {
        cw.a = (k + 1) / 4.0f;
        cw.b = 0.5f;
    } else if (k < 6) {
        cw.a = (2 * (k - 3) + 1) / 6.0f;
        cw.b = 1.0f / 3.0f;
    } else if (k < 14) {
        cw.a = (2 * (k - 6) + 1) / 16.0f;
        cw.b = 1.0f / 8.0f;
    }
    return cw;
}

int wsd_decoder_init_index(wsd_seg cw, int true_len) {
    float end = minf(cw.a + cw.b / 2.0f, 1.0f - WSD_DELTA);
    int j = (int)(end * (float)true_len); /* truncation toward zero, as int() */
    if (j < 0) j = 0;
    if (j > true_len - 1) j = true_len - 1;
    return j;
}

int wsd_time_to_step(double seconds, double duration, int T, int is_end) {
    int idx = (int)((double)T * seconds / duration);
    if (is_end && idx > T - 1) idx = T - 1;
    return idx;
}

int wsd_filter_merge(int n_rows, const int *video, const wsd_seg *seed_cw, const wsd_seg *new_cw,
                     float drop_iou, float merge_iou, wsd_seg *out_se, int *out_video) {
    int n_out = 0, first_of_video = 0;
    for (int m = 0; m < n_rows; m++) {
        wsd_seg old_se = wsd_cw_to_se_clamped(seed_cw[m]);
        wsd_seg new_se = wsd_cw_to_se_clamped(new_cw[m]);
        if (m == 0 || video[m] != video[m - 1]) first_of_video = n_out;
        if (wsd_model_iou(new_se, old_se) > drop_iou) continue;
        int best = -1;
        float best_iou = -1.0f;
        for (int j = first_of_video; j < n_out; j++) {
            float iou = wsd_model_iou(out_se[j], new_se);
            if (iou > best_iou) { /* strict: first maximum wins, as argmax */
                best_iou = iou;
                best = j;
            }
        }
        if (best >= 0 && best_iou > merge_iou) {
            out_se[best].a = minf(out_se[best].a, new_se.a);
            out_se[best].b = maxf(out_se[best].b, new_se.b);
        } else {
            out_se[n_out] = new_se;
            out_video[n_out] = video[m];
            n_out++;
        }
    }
    return n_out;
}
