/* densevid-score --per-video: one JSON Lines record per reference video with
 * every metric per tIoU threshold and averaged over thresholds, the numbers
 * the official table averages (densevid_eval evaluate.py ANETcaptions.evaluate
 * and evaluate_tiou: every
 * table value is the mean over all reference videos of a per-video value;
 * BLEU and METEOR are corpus-level only *within* a video, over its caption
 * pairs). Needs a score_result computed with keep_per_video. */
#ifndef WSD_SCORE_PER_VIDEO_H
#define WSD_SCORE_PER_VIDEO_H

#include "score/score_data.h"
#include "score/score_eval.h"

#include <stdio.h>

/* Writes one line per reference video, in r->video_ids order:
 *   {"video_id": "v_x", "predicted": true, "proposals": 4,
 *    "metrics": {"Bleu_1": {"per_tiou": {"0.3": x, ...}, "mean": y}, ..., "METEOR": null}}
 * "proposals" counts the submission's events for the video (before the
 * --max-proposals cut; 0 when not predicted); METEOR is null when it was not
 * computed. Values are raw (not x100) and read back exactly.
 * Returns 0, or -1 with wsd_fail on a write error or a result without
 * per-video values. */
int score_write_per_video(FILE *fp, const score_result *r, const score_set *submission);

#endif
