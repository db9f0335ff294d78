#include "report/report_timeline.h"

#include "base/util.h"
#include "report/report_html.h"
#include "score/score_eval.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_H = 10, ROW_GAP = 2, LANE_PAD = 4, AXIS_H = 16, MAX_ROWS = 12, MAX_TICKS = 10 };

int report_tiou_class(double t) {
    if (!(t > 0)) return 0;
    int c = 1 + (int)(t * 10);
    return c > 10 ? 10 : c;
}

const char *report_class_colour(int c) {
    static const char *const ramp[REPORT_N_COLOURS] = {"#b8b8b8", "#a50026", "#d73027", "#f46d43",
                                                       "#fdae61", "#fee08b", "#d9ef8b", "#a6d96a",
                                                       "#66bd63", "#1a9850", "#006837"};
    return ramp[c < 0 ? 0 : c >= REPORT_N_COLOURS ? REPORT_N_COLOURS - 1 : c];
}

double report_video_duration(const report_lane *lanes, size_t n) {
    double d = 0, last = 0;
    for (size_t l = 0; l < n; l++) {
        if (!lanes[l].video) continue;
        if (lanes[l].video->duration > d) d = lanes[l].video->duration;
        for (size_t i = 0; i < lanes[l].video->n_events; i++) {
            const score_event *e = &lanes[l].video->events[i];
            if (isfinite(e->end) && e->end > last) last = e->end;
            if (isfinite(e->start) && e->start > last) last = e->start;
        }
    }
    return d > 0 ? d : last > 0 ? last : 1;
}

static int blank(const char *s) {
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

/* Best tIoU of event e (of lane l) against the other side. */
static double best_tiou(const report_lane *lanes, size_t n, size_t l, const score_event *e) {
    double best = 0;
    for (size_t o = 0; o < n; o++) {
        if (o == l || !lanes[o].video || lanes[o].is_prediction == lanes[l].is_prediction) continue;
        for (size_t j = 0; j < lanes[o].video->n_events; j++) {
            const score_event *f = &lanes[o].video->events[j];
            /* the prediction goes first, as in the scorer */
            double t = lanes[l].is_prediction ? score_tiou(e->start, e->end, f->start, f->end)
                                              : score_tiou(f->start, f->end, e->start, e->end);
            if (t > best) best = t;
        }
    }
    return best;
}

typedef struct {
    double s, e; /* clipped */
    size_t i;
} span;

static int by_start(const void *a, const void *b) {
    const span *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

static double clip(double x, double d) { return !(x > 0) ? 0 : x > d ? d : x; }

/* Rows for a lane's events: greedy, by start; row[i] for event i; returns the row count. */
static int pack(const score_video *v, double d, int *row) {
    size_t n = v->n_events;
    span *sp = wsd_malloc((n ? n : 1) * sizeof *sp);
    for (size_t i = 0; i < n; i++) {
        double a = clip(v->events[i].start, d), b = clip(v->events[i].end, d);
        sp[i] = (span){a < b ? a : b, a < b ? b : a, i};
    }
    qsort(sp, n, sizeof *sp, by_start);
    double end[MAX_ROWS];
    int rows = 0;
    for (size_t k = 0; k < n; k++) {
        int r = 0;
        while (r < rows && end[r] > sp[k].s) r++;
        if (r == MAX_ROWS) r = MAX_ROWS - 1; /* crowded lane: the last row takes the rest */
        if (r == rows)
            end[rows++] = sp[k].e;
        else if (sp[k].e > end[r])
            end[r] = sp[k].e;
        row[sp[k].i] = r;
    }
    free(sp);
    return rows ? rows : 1;
}

static double tick_step(double d) {
    double raw = d / MAX_TICKS, p = pow(10, floor(log10(raw)));
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

void report_timeline_svg(FILE *fp, const char *id, double d, const report_lane *lanes, size_t n,
                         report_timeline_stats *st) {
    int **rows = wsd_calloc(n ? n : 1, sizeof *rows);
    int *nrows = wsd_calloc(n ? n : 1, sizeof *nrows);
    int height = AXIS_H;
    for (size_t l = 0; l < n; l++) {
        const score_video *v = lanes[l].video;
        rows[l] = wsd_calloc(v && v->n_events ? v->n_events : 1, sizeof **rows);
        nrows[l] = v ? pack(v, d, rows[l]) : 1;
        height += 2 * LANE_PAD + nrows[l] * (ROW_H + ROW_GAP);
    }
    fprintf(fp, "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" data-id=\"", REPORT_SVG_W, height);
    report_text(fp, id);
    fputs("\" data-duration=\"", fp);
    report_exact(fp, d);
    fprintf(fp, "\" data-x0=\"%g\" data-w=\"%g\">", REPORT_TRACK_X, REPORT_TRACK_W);
    int y = 0;
    for (size_t l = 0; l < n; l++) {
        int lane_h = 2 * LANE_PAD + nrows[l] * (ROW_H + ROW_GAP);
        fprintf(
            fp,
            "<g class=\"lane%s\"><rect class=\"bg\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
            lanes[l].is_prediction ? " pred" : "", y, REPORT_SVG_W, lane_h);
        fprintf(fp, "<text x=\"4\" y=\"%d\">", y + LANE_PAD + ROW_H);
        report_text(fp, lanes[l].name);
        fputs("</text>", fp);
        const score_video *v = lanes[l].video;
        for (size_t i = 0; v && i < v->n_events; i++) {
            const score_event *e = &v->events[i];
            double a = clip(e->start, d), b = clip(e->end, d);
            if (a > b) {
                double t = a;
                a = b, b = t;
            }
            int out = !(e->start >= 0 && e->end <= d && e->start <= e->end);
            int empty = blank(e->sentence);
            double best = best_tiou(lanes, n, l, e);
            st->outside += out;
            st->empty += empty;
            st->bars++;
            fprintf(fp,
                    "<rect class=\"b c%d%s%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
                    "data-s=\"",
                    report_tiou_class(best), out ? " out" : "", empty ? " empty" : "",
                    REPORT_TRACK_X + REPORT_TRACK_W * a / d,
                    y + LANE_PAD + rows[l][i] * (ROW_H + ROW_GAP), REPORT_TRACK_W * (b - a) / d,
                    ROW_H);
            report_exact(fp, e->start);
            fputs("\" data-e=\"", fp);
            report_exact(fp, e->end);
            fputs("\"><title>", fp);
            report_num(fp, e->start);
            fputs("\xe2\x80\x93", fp);
            report_num(fp, e->end);
            fprintf(fp, " s, best tIoU %.2f%s: ", best, out ? ", outside the video" : "");
            if (empty)
                fputs("(empty sentence)", fp);
            else
                report_text(fp, e->sentence);
            fputs("</title></rect>", fp);
        }
        fputs("</g>", fp);
        y += lane_h;
    }
    /* time axis */
    fprintf(fp, "<g class=\"axis\"><line x1=\"%g\" y1=\"%d\" x2=\"%g\" y2=\"%d\"/>", REPORT_TRACK_X,
            y, REPORT_TRACK_X + REPORT_TRACK_W, y);
    double step = tick_step(d);
    for (int k = 0; k * step <= d * (1 + 1e-9) && k <= 2 * MAX_TICKS; k++) {
        double x = REPORT_TRACK_X + REPORT_TRACK_W * (k * step) / d;
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/><text x=\"%.2f\" y=\"%d\">",
                x, y, x, y + 3, x, y + 13);
        report_num(fp, k * step);
        fputs("</text>", fp);
    }
    fputs("</g></svg>", fp);
    for (size_t l = 0; l < n; l++) free(rows[l]);
    free(rows);
    free(nrows);
}
