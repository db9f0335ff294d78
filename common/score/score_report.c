#include "score/score_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void score_format_float(double x, char *buf, size_t size) {
    if (isnan(x)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, x > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    if (!strpbrk(buf, ".e")) strncat(buf, ".0", size - strlen(buf) - 1);
}

static void dashes(FILE *fp) {
    for (int i = 0; i < 80; i++) fputc('-', fp);
    fputc('\n', fp);
}

static void metric_lines(FILE *fp, const double *v, const score_result *r,
                         const score_report_options *o) {
    for (int k = 0; k < SCORE_N_METRICS; k++) {
        if (k == SCORE_METEOR) {
            if (!o->show_meteor) continue;
            if (!r->has_meteor) {
                fprintf(fp, "| METEOR: unavailable (%s)\n",
                        o->meteor_note && *o->meteor_note ? o->meteor_note : "not computed");
                continue;
            }
            if (o->meteor_note && *o->meteor_note) {
                fprintf(fp, "| METEOR: %2.4f (%s)\n", 100 * v[k], o->meteor_note);
                continue;
            }
        }
        fprintf(fp, "| %s: %2.4f\n", score_metric_names[k], 100 * v[k]);
    }
}

/* The localization script's extra line, after the metrics of block ti
 * (ti == n_tious: the average block). */
static void loc_line(FILE *fp, const score_report_options *o, size_t ti) {
    if (o->loc) score_loc_print_r1(fp, o->loc, ti);
}

void score_print_table(FILE *fp, const score_result *r, const score_report_options *o) {
    char t[64];
    for (size_t i = 0; i < r->n_tious; i++) {
        dashes(fp);
        score_format_float(r->tious[i], t, sizeof t);
        fprintf(fp, "tIoU:  %s\n", t);
        dashes(fp);
        metric_lines(fp, r->per_tiou[i], r, o);
        loc_line(fp, o, i);
    }
    dashes(fp);
    fprintf(fp, "Average across all tIoUs\n");
    dashes(fp);
    metric_lines(fp, r->mean, r, o);
    loc_line(fp, o, r->n_tious);
    if (o->loc) score_loc_print_table(fp, o->loc);
    if (!o->want_soda) return;
    dashes(fp);
    fprintf(fp, "SODA_c (F, per reference file, then their mean as PDVC reports it)\n");
    dashes(fp);
    if (!o->soda) {
        fprintf(fp, "| SODA_c: unavailable (%s)\n",
                o->soda_note && *o->soda_note ? o->soda_note : "not computed");
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < o->n_soda; i++) {
        fprintf(fp, "| SODA_c %s: %2.4f (precision %2.4f, recall %2.4f, %zu videos)\n",
                o->soda_files[i], 100 * o->soda[i].f, 100 * o->soda[i].precision,
                100 * o->soda[i].recall, o->soda[i].n_videos);
        sum += o->soda[i].f;
    }
    fprintf(fp, "| SODA_c: %2.4f%s%s%s\n", o->n_soda ? 100 * sum / (double)o->n_soda : 0.0,
            o->meteor_note && *o->meteor_note ? " (" : "", o->meteor_note ? o->meteor_note : "",
            o->meteor_note && *o->meteor_note ? ")" : "");
}

static void json_string(FILE *fp, const char *s) {
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", c);
        else if (c < 0x20)
            fprintf(fp, "\\u%04x", c);
        else
            fputc(c, fp);
    }
    fputc('"', fp);
}

static void json_number(FILE *fp, double x) {
    if (!isfinite(x))
        fputs("null", fp);
    else
        fprintf(fp, "%.17g", x);
}

void score_print_json(FILE *fp, const score_result *r, const score_report_options *o) {
    char t[64];
    int meteor_ok = r->has_meteor && !(o->meteor_note && *o->meteor_note);
    fprintf(fp, "{\"evaluator\": \"densevid_eval\", \"semantics\": \"%d\", \"tious\": [",
            o->semantics);
    for (size_t i = 0; i < r->n_tious; i++) {
        score_format_float(r->tious[i], t, sizeof t);
        fprintf(fp, "%s%s", i ? ", " : "", t);
    }
    fprintf(fp, "], \"videos\": %zu, \"videos_with_predictions\": %zu, \"ignored_videos\": %zu,\n",
            r->n_videos, r->n_predicted, r->n_ignored);
    fputs(" \"metrics\": {", fp);
    for (int k = 0; k < SCORE_N_METRICS; k++) {
        fprintf(fp, "%s\n  \"%s\": ", k ? "," : "", score_metric_names[k]);
        if (k == SCORE_METEOR && !r->has_meteor) {
            fputs("null", fp);
            continue;
        }
        fputs("{\"per_tiou\": {", fp);
        for (size_t i = 0; i < r->n_tious; i++) {
            score_format_float(r->tious[i], t, sizeof t);
            fprintf(fp, "%s\"%s\": ", i ? ", " : "", t);
            json_number(fp, r->per_tiou[i][k]);
        }
        fputs("}, \"mean\": ", fp);
        json_number(fp, r->mean[k]);
        fputc('}', fp);
    }
    fputs("\n },\n \"meteor\": {\"available\": ", fp);
    fputs(r->has_meteor ? "true" : "false", fp);
    fprintf(fp, ", \"official\": %s, \"note\": ", meteor_ok ? "true" : "false");
    json_string(fp, o->meteor_note ? o->meteor_note : "");
    fputs(", \"source\": ", fp);
    json_string(fp, o->meteor_source ? o->meteor_source : "");
    fputc('}', fp);
    if (o->loc) {
        fputs(",\n \"localization\": ", fp);
        score_loc_print_json(fp, o->loc);
    }
    if (o->want_soda) {
        fputs(",\n \"soda_c\": ", fp);
        if (!o->soda) {
            fputs("{\"available\": false, \"note\": ", fp);
            json_string(fp, o->soda_note ? o->soda_note : "");
            fputc('}', fp);
        } else {
            double sum = 0;
            fputs("{\"available\": true, \"per_reference\": [", fp);
            for (size_t i = 0; i < o->n_soda; i++) {
                fprintf(fp, "%s{\"file\": ", i ? ", " : "");
                json_string(fp, o->soda_files[i]);
                fputs(", \"precision\": ", fp);
                json_number(fp, o->soda[i].precision);
                fputs(", \"recall\": ", fp);
                json_number(fp, o->soda[i].recall);
                fputs(", \"f\": ", fp);
                json_number(fp, o->soda[i].f);
                fprintf(fp, ", \"videos\": %zu}", o->soda[i].n_videos);
                sum += o->soda[i].f;
            }
            fputs("], \"mean_f\": ", fp);
            json_number(fp, o->n_soda ? sum / (double)o->n_soda : 0.0);
            fputc('}', fp);
        }
    }
    fputs("}\n", fp);
}
