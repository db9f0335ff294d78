#include "report/report_curves.h"

#include "base/util.h"
#include "io/jsonl.h"
#include "report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *report_run_colour(size_t i) {
    static const char *const pal[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    return pal[i % (sizeof pal / sizeof *pal)];
}

static report_series *series_get(report_run *r, const char *name) {
    for (size_t i = 0; i < r->n_series; i++)
        if (!strcmp(r->series[i].name, name)) return &r->series[i];
    r->series = wsd_realloc(r->series, (r->n_series + 1) * sizeof *r->series);
    report_series *s = &r->series[r->n_series++];
    memset(s, 0, sizeof *s);
    s->name = wsd_strdup(name);
    return s;
}

static void series_add(report_series *s, double x, double y) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->x = wsd_realloc(s->x, s->cap * sizeof *s->x);
        s->y = wsd_realloc(s->y, s->cap * sizeof *s->y);
    }
    s->x[s->n] = x;
    s->y[s->n++] = y;
}

/* Every number of group obj (e.g. "loss") as a point of series "PREFIX: NAME". */
static void add_group(report_run *r, const cJSON *obj, const char *prefix, double x) {
    const cJSON *e;
    char name[300];
    cJSON_ArrayForEach(e, obj) {
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)) continue;
        snprintf(name, sizeof name, "%s: %.200s", prefix, e->string);
        series_add(series_get(r, name), x, e->valuedouble);
    }
}

int report_run_load(const char *path, const char *label, report_run *out) {
    memset(out, 0, sizeof *out);
    out->label = wsd_strdup(label ? label : report_basename(path));
    wsd_jsonl_reader *rd = wsd_jsonl_open(path);
    if (!rd) {
        report_run_free(out);
        return -1;
    }
    cJSON *j;
    int rc;
    while ((rc = wsd_jsonl_next(rd, &j)) == 1) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
        const cJSON *epoch = cJSON_GetObjectItemCaseSensitive(j, "epoch");
        if (!cJSON_IsString(kind) || !cJSON_IsNumber(epoch)) {
            rc = wsd_fail("%s:%ld: expected a training-log record with \"kind\" and \"epoch\" "
                          "(--log of cg-pretrain, "
                          "wsdec-train)",
                          path, wsd_jsonl_line(rd));
            cJSON_Delete(j);
            break;
        }
        out->n_records++;
        const cJSON *loss = cJSON_GetObjectItemCaseSensitive(j, "loss");
        const cJSON *lr = cJSON_GetObjectItemCaseSensitive(j, "lr");
        double ep = epoch->valuedouble;
        if (!strcmp(kind->valuestring, "batch")) {
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "batch");
            const cJSON *nb = cJSON_GetObjectItemCaseSensitive(j, "batches");
            double x = ep + (cJSON_IsNumber(b) && cJSON_IsNumber(nb) && nb->valuedouble > 0
                                 ? b->valuedouble / nb->valuedouble
                                 : 0);
            add_group(out, loss, "batch loss", x);
        } else if (!strcmp(kind->valuestring, "epoch")) {
            /* an epoch record sits where its last batch ends: epochs completed */
            add_group(out, loss, "epoch loss", ep + 1);
            add_group(out, lr, "lr", ep + 1);
            const cJSON *pl = cJSON_GetObjectItemCaseSensitive(j, "pseudo_labels");
            const cJSON *pa = cJSON_GetObjectItemCaseSensitive(pl, "per_anchor");
            if (cJSON_IsArray(pa)) {
                char line[1024];
                int len = snprintf(line, sizeof line, "epoch %g: pseudo-labels per anchor", ep);
                const cJSON *e;
                cJSON_ArrayForEach(e, pa) if (len < (int)sizeof line - 24) len +=
                    snprintf(line + len, sizeof line - len, " %g", e->valuedouble);
                out->pseudo = wsd_realloc(out->pseudo, (out->n_pseudo + 1) * sizeof *out->pseudo);
                out->pseudo[out->n_pseudo++] = wsd_strdup(line);
            }
        } /* other kinds: future records, ignored */
        cJSON_Delete(j);
    }
    wsd_jsonl_close(rd);
    if (rc < 0) {
        report_run_free(out);
        return -1;
    }
    return 0;
}

void report_run_free(report_run *r) {
    for (size_t i = 0; i < r->n_series; i++) {
        free(r->series[i].name);
        free(r->series[i].x);
        free(r->series[i].y);
    }
    for (size_t i = 0; i < r->n_pseudo; i++) free(r->pseudo[i]);
    free(r->pseudo);
    free(r->series);
    free(r->label);
    memset(r, 0, sizeof *r);
}

static const report_series *find(const report_run *r, const char *name) {
    for (size_t i = 0; i < r->n_series; i++)
        if (!strcmp(r->series[i].name, name) && r->series[i].n) return &r->series[i];
    return NULL;
}

static double nice(double raw) {
    double p = pow(10, floor(log10(raw)));
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void tick_label(FILE *fp, double v) {
    if (v != 0 && (fabs(v) < 0.01 || fabs(v) >= 1e5))
        fprintf(fp, "%.2g", v);
    else
        fprintf(fp, "%.4g", v);
}

int report_chart_svg(FILE *fp, const char *name, const report_run *runs, size_t n_runs) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    size_t present = 0;
    for (size_t r = 0; r < n_runs; r++) {
        const report_series *s = find(&runs[r], name);
        if (!s) continue;
        present++;
        for (size_t i = 0; i < s->n; i++) {
            if (s->x[i] < x0) x0 = s->x[i];
            if (s->x[i] > x1) x1 = s->x[i];
            if (s->y[i] < y0) y0 = s->y[i];
            if (s->y[i] > y1) y1 = s->y[i];
        }
    }
    if (!present) return 0;
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + (y0 != 0 ? fabs(y0) * 0.1 : 1);
    double W = REPORT_PLOT_X + REPORT_PLOT_W + 20, H = REPORT_PLOT_Y + REPORT_PLOT_H + 34;
    fprintf(fp, "<figure class=\"chart\"><svg class=\"chart\" viewBox=\"0 0 %g %g\" data-name=\"",
            W, H);
    report_text(fp, name);
    fprintf(fp,
            "\" data-xmin=\"%.17g\" data-xmax=\"%.17g\" data-ymin=\"%.17g\" data-ymax=\"%.17g\">",
            x0, x1, y0, y1);
    fprintf(fp, "<text class=\"ct\" x=\"%g\" y=\"14\">", REPORT_PLOT_X);
    report_text(fp, name);
    fputs("</text>", fp);
    /* axes and ticks */
    fprintf(
        fp,
        "<g class=\"axis\"><rect class=\"frame\" x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\"/>",
        REPORT_PLOT_X, REPORT_PLOT_Y, REPORT_PLOT_W, REPORT_PLOT_H);
    double ys = nice((y1 - y0) / 5), xs = nice((x1 - x0) / 6);
    for (double v = ceil(y0 / ys) * ys; v <= y1 + ys * 1e-9; v += ys) {
        double py = REPORT_PLOT_Y + REPORT_PLOT_H * (1 - (v - y0) / (y1 - y0));
        fprintf(fp,
                "<line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\"%.2f\"/><text class=\"yt\" x=\"%g\" "
                "y=\"%.2f\">",
                REPORT_PLOT_X - 3, py, REPORT_PLOT_X, py, REPORT_PLOT_X - 5, py + 3);
        tick_label(fp, fabs(v) < ys * 1e-9 ? 0 : v);
        fputs("</text>", fp);
    }
    for (double v = ceil(x0 / xs) * xs; v <= x1 + xs * 1e-9; v += xs) {
        double px = REPORT_PLOT_X + REPORT_PLOT_W * (v - x0) / (x1 - x0);
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%g\" x2=\"%.2f\" y2=\"%g\"/><text x=\"%.2f\" y=\"%g\">",
                px, REPORT_PLOT_Y + REPORT_PLOT_H, px, REPORT_PLOT_Y + REPORT_PLOT_H + 3, px,
                REPORT_PLOT_Y + REPORT_PLOT_H + 14);
        tick_label(fp, fabs(v) < xs * 1e-9 ? 0 : v);
        fputs("</text>", fp);
    }
    fprintf(fp, "<text x=\"%g\" y=\"%g\">epoch</text></g>", REPORT_PLOT_X + REPORT_PLOT_W / 2,
            REPORT_PLOT_Y + REPORT_PLOT_H + 30);
    /* one polyline per run; long series averaged in buckets of consecutive points */
    for (size_t r = 0; r < n_runs; r++) {
        const report_series *s = find(&runs[r], name);
        if (!s) continue;
        size_t per = (s->n + REPORT_CHART_MAX_POINTS - 1) / REPORT_CHART_MAX_POINTS;
        fprintf(fp, "<polyline class=\"run%zu\" stroke=\"%s\" data-run=\"", r,
                report_run_colour(r));
        report_text(fp, runs[r].label);
        fputs("\" points=\"", fp);
        for (size_t i = 0; i < s->n; i += per) {
            double sx = 0, sy = 0;
            size_t m = 0;
            for (size_t k = i; k < i + per && k < s->n; k++, m++) sx += s->x[k], sy += s->y[k];
            double px = REPORT_PLOT_X + REPORT_PLOT_W * (sx / m - x0) / (x1 - x0);
            double py = REPORT_PLOT_Y + REPORT_PLOT_H * (1 - (sy / m - y0) / (y1 - y0));
            fprintf(fp, "%s%.2f,%.2f", i ? " " : "", px, py);
        }
        fputs("\"><title>", fp);
        report_text(fp, runs[r].label);
        fputs("</title></polyline>", fp);
        if (s->n == 1) /* a lone point has no line: mark it */
            fprintf(fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>",
                    REPORT_PLOT_X + REPORT_PLOT_W * (s->x[0] - x0) / (x1 - x0),
                    REPORT_PLOT_Y + REPORT_PLOT_H * (1 - (s->y[0] - y0) / (y1 - y0)),
                    report_run_colour(r));
    }
    fputs("</svg></figure>", fp);
    return 1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void report_curves_html(FILE *fp, const report_run *runs, size_t n_runs) {
    /* the distinct series names, grouped epoch loss < batch loss < lr */
    size_t n = 0;
    const char **names = NULL;
    for (size_t r = 0; r < n_runs; r++)
        for (size_t i = 0; i < runs[r].n_series; i++) {
            size_t k = 0;
            while (k < n && strcmp(names[k], runs[r].series[i].name)) k++;
            if (k < n) continue;
            names = wsd_realloc(names, (n + 1) * sizeof *names);
            names[n++] = runs[r].series[i].name;
        }
    if (n) qsort(names, n, sizeof *names, cmp_str);
    fputs("<div class=\"legend\">", fp);
    for (size_t r = 0; r < n_runs; r++) {
        fprintf(fp, "<span><i style=\"background:%s\"></i>", report_run_colour(r));
        report_text(fp, runs[r].label);
        fprintf(fp, " (%zu records)</span>", runs[r].n_records);
    }
    fputs("</div><div class=\"charts\">", fp);
    static const char *const order[] = {"epoch loss: ", "batch loss: ", "lr: "};
    for (size_t g = 0; g < 3; g++)
        for (size_t k = 0; k < n; k++)
            if (!strncmp(names[k], order[g], strlen(order[g])))
                report_chart_svg(fp, names[k], runs, n_runs);
    fputs("</div>", fp);
    for (size_t r = 0; r < n_runs; r++) {
        if (!runs[r].n_pseudo) continue;
        fputs("<details class=\"pseudo\"><summary>", fp);
        report_text(fp, runs[r].label);
        fputs(": pseudo-labels of the SL epochs</summary><pre>", fp);
        for (size_t i = 0; i < runs[r].n_pseudo; i++) {
            report_text(fp, runs[r].pseudo[i]);
            fputc('\n', fp);
        }
        fputs("</pre></details>", fp);
    }
    free(names);
}
