/* Temporal segment geometry of WSDEC (wsdec-spec.md §0, §1.2, §2.5, §2.8, §4.1):
 * format conversions, the model's IoU, the 15 anchors, the decoder's initial
 * index and the test-time filter/merge of localized proposals. */
#ifndef WSD_SEGMENT_H
#define WSD_SEGMENT_H

#define WSD_DELTA 1e-4f
#define WSD_NUM_ANCHORS 15

typedef struct {
    float a, b; /* (c, w) or (s, e) depending on context, normalised unless stated */
} wsd_seg;

wsd_seg wsd_se_to_cw(wsd_seg se);
/* cw -> se with the clamp to [0, 1] (the "clamped cw2se" of §0). */
wsd_seg wsd_cw_to_se_clamped(wsd_seg cw);
/* The localizer's segment resolver: end clamped to 1 - δ instead of 1 (§0).
 * [quirk] two different upper clamps coexist in the reference; both kept. */
wsd_seg wsd_cw_to_se_resolved(wsd_seg cw);
/* IoU used inside the model code: intersection over hull + δ. */
float wsd_model_iou(wsd_seg se1, wsd_seg se2);

/* Anchor k in normalised cw, in the reference's order (§2.8). */
wsd_seg wsd_anchor_cw(int k);

/* Decoder initial step: floor(min(c + w/2, 1 - δ) · T_n), no lower clamp
 * (§2.5 step 3) except that a negative index would read outside the video, so
 * it is clamped to 0 (the reference never produces one in practice). */
int wsd_decoder_init_index(wsd_seg cw, int true_len);

/* Seconds -> feature step, proportional to the annotated duration (§1.2):
 * floor(T·t/duration); an end index is clamped to T-1. */
int wsd_time_to_step(double seconds, double duration, int T, int is_end);

/* Test-time filter and merge for one batch (§4.1 step 4), rows video-major.
 * rows: n_rows proposals, video[i] gives the video of row i (non-decreasing),
 * seed_cw the initial segment and new_cw the localized one. A row whose new
 * segment overlaps its seed with IoU > drop_iou (0.2) is dropped ([quirk]:
 * only proposals that moved are kept); the rest are merged per video into the
 * hull of a kept segment when their IoU exceeds merge_iou (0.9).
 * Writes kept segments (normalised se) to out_se (capacity n_rows) with their
 * video in out_video, in video order then first-seen order; returns the count. */
int wsd_filter_merge(int n_rows, const int *video, const wsd_seg *seed_cw, const wsd_seg *new_cw,
                     float drop_iou, float merge_iou, wsd_seg *out_se, int *out_video);

#endif
