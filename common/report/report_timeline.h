/* One video's timeline as inline SVG: one lane per reference file and one for
 * the predictions, each event a bar from its start to its end, overlapping
 * events of a lane stacked in rows, coloured by the event's best tIoU with
 * the other side (a prediction against every reference event of every file,
 * a reference event against every prediction; tIoU as the scorer computes
 * it), its time span, best tIoU and sentence in the bar's <title> (shown on
 * hover). Geometry (viewBox units, 1000 wide): a bar spans
 *   x = REPORT_TRACK_X + REPORT_TRACK_W * start / duration, width = REPORT_TRACK_W * (end - start)
 * / duration after clipping [start, end] to [0, duration]; each bar carries its unclipped times as
 * data-s / data-e. Events that leave the video (or run backwards) get the class "out", empty
 * sentences the class "empty". */
#ifndef WSD_REPORT_TIMELINE_H
#define WSD_REPORT_TIMELINE_H

#include "score/score_data.h"

#include <stddef.h>
#include <stdio.h>

#define REPORT_SVG_W     1000
#define REPORT_TRACK_X   130.0
#define REPORT_TRACK_W   860.0
#define REPORT_N_COLOURS 11 /* classes c0 (no overlap) .. c10 (tIoU > 0.9) */

typedef struct {
    const char *name;         /* lane label */
    const score_video *video; /* NULL: the file has no events for this video */
    int is_prediction;
} report_lane;

typedef struct {
    size_t outside; /* events outside [0, duration] or reversed */
    size_t empty;   /* events whose sentence is empty or blank */
    size_t bars;
} report_timeline_stats;

/* Colour class of a best tIoU: 0 when there is no overlap, else 1 + tenths (max 10). */
int report_tiou_class(double tiou);
/* The fill colour of class c ("#rrggbb"). */
const char *report_class_colour(int c);
/* The video's time axis: the largest reference/prediction duration, else the
 * latest event end, else 1. */
double report_video_duration(const report_lane *lanes, size_t n_lanes);
/* Writes <svg class="timeline" data-id=ID data-duration=D ...>...</svg>; adds to *st. */
void report_timeline_svg(FILE *fp, const char *id, double duration, const report_lane *lanes,
                         size_t n_lanes, report_timeline_stats *st);

#endif
