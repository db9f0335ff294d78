/* The whole report: one self-contained HTML file (inline CSS and SVG, a
 * little plain JavaScript, nothing fetched), in this order:
 *   1. summary: the score table (every metric per tIoU and averaged, x100,
 *      the mean of the per-video scores, i.e. densevid-score's table), counts,
 *      and what was odd in the input (predictions for videos no reference
 *      file knows, events outside their video, empty sentences);
 *   2. training curves of every --log run (report_curves.h);
 *   3. one <section class="v"> per video with its timeline
 *      (report_timeline.h), sortable by any per-video score and filtered by
 *      a search box on the video id.
 * Videos are the union of the reference files' videos (the predictions'
 * videos when no reference is given). */
#ifndef WSD_REPORT_PAGE_H
#define WSD_REPORT_PAGE_H

#include "report/report_curves.h"
#include "report/report_scores.h"
#include "score/score_data.h"

#include <stdio.h>

typedef struct {
    const char *title;
    const score_set *refs; /* n_refs reference files, one lane each */
    size_t n_refs;
    const score_set *pred; /* NULL: no prediction lane */
    const char *pred_name;
    const report_scores *scores; /* NULL: no score table, no sorting by score */
    const report_run *runs;      /* training logs */
    size_t n_runs;
} report_page;

typedef struct {
    size_t videos, bars, outside, empty, unknown_videos;
} report_page_stats;

/* Writes the page. 0, or -1 with wsd_fail on a write error. st may be NULL. */
int report_write_page(FILE *fp, const report_page *pg, report_page_stats *st);

#endif
