/* Per-video scores for the report: either read from `densevid-score
 * --per-video` output or taken from a score_result computed with
 * keep_per_video. Values are raw (not x100); NAN where a metric is absent
 * (METEOR not computed). */
#ifndef WSD_REPORT_SCORES_H
#define WSD_REPORT_SCORES_H

#include "score/score_eval.h"

#include <stddef.h>

typedef struct {
    size_t n_videos, n_tious;
    double *tious;
    char **ids;     /* sorted by id (byte order) */
    double *values; /* [video][n_tious + 1][SCORE_N_METRICS]; slot n_tious = mean over thresholds */
    int has[SCORE_N_METRICS];
    char *source; /* the file, or "computed" */
} report_scores;

/* Reads densevid-score --per-video JSON Lines. 0, or -1 with wsd_fail naming FILE:LINE. */
int report_scores_load(const char *path, report_scores *out);
/* Copies the per-video values of r (which must have kept them). */
int report_scores_from_result(const score_result *r, report_scores *out);
/* Row of a video ([n_tious + 1][SCORE_N_METRICS]) or NULL. */
const double *report_scores_find(const report_scores *s, const char *id);
void report_scores_free(report_scores *s);

#endif
