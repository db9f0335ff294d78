/* Training curves: the --log JSON Lines of cg-pretrain and wsdec-train
 * (io/trainlog.h) read into series, and SVG line charts of several runs
 * overlaid (one colour per run).
 *
 * Series of a run, by name:
 *   "batch loss: NAME"  x = epoch + batch / batches (fractional epochs), y = loss NAME of that
 * batch "epoch loss: NAME"  x = epoch + 1 (epochs completed: where the epoch's batches end), y =
 * its loss NAME "lr: NAME"          x = epoch + 1, y = learning rate NAME (its own chart: lr never
 * shares a loss axis) Pseudo-label statistics of SL epochs are kept as text rows. */
#ifndef WSD_REPORT_CURVES_H
#define WSD_REPORT_CURVES_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    char *name;
    size_t n, cap;
    double *x, *y;
} report_series;

typedef struct {
    char *label;
    report_series *series;
    size_t n_series;
    char **pseudo; /* "epoch 0: per anchor 3 0 1 ..." for SL epochs */
    size_t n_pseudo;
    size_t n_records;
} report_run;

/* Reads one log. label NULL: the file's base name. 0, or -1 with wsd_fail "FILE:LINE: ...". */
int report_run_load(const char *path, const char *label, report_run *out);
void report_run_free(report_run *r);

/* Chart geometry (viewBox units): the plot area spans x in [REPORT_PLOT_X, REPORT_PLOT_X +
 * REPORT_PLOT_W] and y in [REPORT_PLOT_Y, REPORT_PLOT_Y + REPORT_PLOT_H]; a point (x, y) of the
 * data maps linearly from the chart's data range (data-xmin/xmax/ymin/ymax attributes of the
 * <svg>). */
#define REPORT_PLOT_X           60.0
#define REPORT_PLOT_Y           24.0
#define REPORT_PLOT_W           420.0
#define REPORT_PLOT_H           180.0
#define REPORT_CHART_MAX_POINTS 800 /* longer series are averaged in buckets */

/* One <svg class="chart"> for the series called `name` in every run that has it
 * (a polyline per run, class "run<i>" for the i-th run). Returns 0 when no run has it (nothing
 * written). */
int report_chart_svg(FILE *fp, const char *name, const report_run *runs, size_t n_runs);
/* Every chart of the runs: epoch losses, batch losses, learning rates, in name order. */
void report_curves_html(FILE *fp, const report_run *runs, size_t n_runs);
/* The colour of run i. */
const char *report_run_colour(size_t i);

#endif
