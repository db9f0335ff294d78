/* Sentence localization as WSDEC reports it (WSDEC
 * eval_script/evaluate_localization.py eval, scored by
 * scripts/densevid_eval_localization.py ANETcaptions.evaluate_new_detection): every
 * ground-truth sentence localized on its own, the submission carrying each
 * sentence's predicted "timestamp" and its own reference "gt_timestamp".
 *
 * R@1 is scripts/densevid_eval_localization.py's "R@1 score": at threshold t
 * a sentence is a hit when tIoU(timestamp, gt_timestamp) > t (the evaluator's
 * tIoU, score_tiou: 1e-8 in the denominator, strict >); R@1 = all hits / all
 * kept sentences of the reference videos present in the submission.
 * [quirk] evaluate_new_detection returns (hits / sentences, mean over all
 * reference videos of per-video hits / sentences) and the caller keeps the
 * FIRST value, so R@1 is per sentence and videos without predictions are not
 * in its denominator (not the per-video mean, which the script computes
 * and discards). The mean over thresholds is the
 * script's "Average" line.
 *
 * mIoU is eval_script/evaluate_localization.py's: the model's IoU
 * inter / (hull + 1e-4) [quirk: hull, not union, and 1e-4], averaged over the
 * sentences. [quirk, not reproducible] the script averages per-batch means over
 * shuffled batches of 8 videos (dropping the last partial batch); from a
 * submission only the mean over all sentences can be formed.
 *
 * Sentences per video are the first max_proposals of the list (-ppv, as the
 * script truncates); videos in no reference file are ignored. */
#ifndef WSD_SCORE_LOCALIZATION_H
#define WSD_SCORE_LOCALIZATION_H

#include "score/score_data.h"

#include <stddef.h>
#include <stdio.h>

typedef struct {
    size_t n_tious;
    double *tious;
    double *r1;         /* [threshold] the script's "R@1 score": hits / sentences */
    double miou;        /* evaluate_localization.py's mIoU over the same sentences */
    size_t n_videos;    /* videos of the reference file */
    size_t n_predicted; /* of them, present in the submission */
    size_t n_empty;     /* of those, with an empty list (see below) */
    size_t n_sentences; /* sentences scored (after truncation): the denominator */
    size_t n_ignored;   /* submission videos not in the reference file */
} score_loc_result;

/* The model's IoU of evaluate_localization.py (compute_mean_iou):
 * max(min(e) - max(s), 0) / (max(e) - min(s) + 1e-4). */
double score_loc_iou(double pred_start, double pred_end, double gt_start, double gt_end);

/* Scores a submission against one reference file (the script asserts there is
 * exactly one). Every kept sentence must carry a "gt_timestamp" [start, end],
 * and there must be at least one (the script divides by zero otherwise).
 * [quirk] for a video whose list is empty the script's loop variable leaks:
 * it adds the previous video's sentence count (Python set order) to the
 * denominator, or raises and prints no R@1 at all when no video came before;
 * here such a video adds nothing and is counted in n_empty. Returns 0, or -1
 * with wsd_fail naming the file, video and sentence. */
int score_localization(const score_set *submission, const score_set *refs, size_t n_refs,
                       const double *tious, size_t n_tious, size_t max_proposals,
                       score_loc_result *out);
void score_loc_result_free(score_loc_result *r);

/* The table's lines: "| R@1 score: %2.4f" of threshold ti, or of the average
 * when ti == n_tious (computed as the script does: 100 * sum / n). */
void score_loc_print_r1(FILE *fp, const score_loc_result *r, size_t ti);
/* The block after the table: mIoU and the counts. */
void score_loc_print_table(FILE *fp, const score_loc_result *r);
/* The value of the JSON key "localization" (raw values, not x100). */
void score_loc_print_json(FILE *fp, const score_loc_result *r);

#endif
