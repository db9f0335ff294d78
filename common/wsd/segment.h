/* Temporal segment geometry of WSDEC (WSDEC
 * utils/helper_function.py se2cw/cw2se/compute_iou, global_config.py
 * ANCHOR_LIST, eval_script/evaluate.py eval):
 * format conversions, the model's IoU, the 15 anchors, the decoder's initial
 * index and the test-time filter/merge of localized proposals. */
#ifndef WSD_SEGMENT_H
#define WSD_SEGMENT_H

#define WSD_DELTA       1e-4f
#define WSD_NUM_ANCHORS 15

typedef struct {
    float a, b; /* (c, w) or (s, e) depending on context, normalised unless stated */
} wsd_seg;

wsd_seg wsd_se_to_cw(wsd_seg se);
/* cw -> se with the clamp to [0, 1] (utils/helper_function.py cw2se). */
wsd_seg wsd_cw_to_se_clamped(wsd_seg cw);
/* The localizer's segment resolver: end clamped to 1 - δ instead of 1
 * (model/sentence_localizer.py SentenceLocalizer.segment_resolver).
 * [quirk] two different upper clamps coexist in the reference; both kept. */
wsd_seg wsd_cw_to_se_resolved(wsd_seg cw);
/* IoU used inside the model code: intersection over hull + δ. */
float wsd_model_iou(wsd_seg se1, wsd_seg se2);

/* Anchor k in normalised cw, in the reference's order (global_config.py ANCHOR_LIST). */
wsd_seg wsd_anchor_cw(int k);

/* Decoder initial step: floor(min(c + w/2, 1 - δ) · T_n), no lower clamp
 * (model/caption_generator.py
 * CaptionGenerator.end_index_extractor) except that a negative index would read outside the video,
 * so it is clamped to 0 (the reference never produces one in practice). */
int wsd_decoder_init_index(wsd_seg cw, int true_len);

/* Seconds -> feature step, proportional to the annotated duration
 * (dataset.py ANetData.process_time_step):
 * floor(T·t/duration); an end index is clamped to T-1. */
int wsd_time_to_step(double seconds, double duration, int T, int is_end);

/* Test-time filter and merge for one batch (eval_script/evaluate.py eval,
 * utils/helper_function.py refine_temporal_segment), rows video-major.
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
