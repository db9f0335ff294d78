#include "score/score_localization.h"

#include "score/score_eval.h"
#include "score/score_report.h"
#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double score_loc_iou(double ps, double pe, double gs, double ge) {
    double min_end = pe < ge ? pe : ge, max_end = pe > ge ? pe : ge;
    double min_beg = ps < gs ? ps : gs, max_beg = ps > gs ? ps : gs;
    double inter = min_end - max_beg;
    if (!(inter > 0)) inter = 0;
    return inter / ((max_end - min_beg) + 1e-4);
}

void score_loc_result_free(score_loc_result *r) {
    free(r->tious);
    free(r->r1);
    memset(r, 0, sizeof *r);
}

/* Every kept sentence has a usable gt_timestamp, or the error names it as the
 * parser names records: by line in JSON Lines, by results key otherwise. */
static int check_gt(const score_set *sub, const score_video *v, size_t n_kept) {
    for (size_t i = 0; i < n_kept; i++) {
        const score_event *e = &v->events[i];
        if (e->has_gt == 1) continue;
        char where[320];
        if (v->line)
            snprintf(where, sizeof where, "line %zu, video %.256s", v->line, v->id);
        else
            snprintf(where, sizeof where, "results[\"%.256s\"]", v->id);
        if (e->has_gt < 0)
            return wsd_fail("%s: %s, event %zu: \"gt_timestamp\": expected an array of two numbers "
                            "[start, end]",
                            sub->path, where, i);
        return wsd_fail("%s: %s, event %zu: no \"gt_timestamp\" (--localization scores each "
                        "sentence against its "
                        "own reference segment, as localize --videos writes it)",
                        sub->path, where, i);
    }
    return 0;
}

int score_localization(const score_set *sub, const score_set *refs, size_t n_refs,
                       const double *tious, size_t n_tious, size_t max_proposals,
                       score_loc_result *out) {
    memset(out, 0, sizeof *out);
    if (n_refs != 1)
        return wsd_fail(
            "sentence localization takes exactly one reference file, got %zu (the reference script "
            "asserts one; score val_1 and val_2 in separate runs)",
            n_refs);
    if (n_tious == 0) return wsd_fail("sentence localization: no tIoU thresholds");
    const score_set *ref = &refs[0];
    for (size_t i = 0; i < sub->n_videos; i++) {
        const score_video *v = &sub->videos[i];
        if (!score_find(ref, v->id)) {
            out->n_ignored++;
            continue;
        }
        size_t n_kept = v->n_events < max_proposals ? v->n_events : max_proposals;
        TRY(check_gt(sub, v, n_kept));
    }
    out->n_tious = n_tious;
    out->tious = wsd_malloc(n_tious * sizeof *out->tious);
    memcpy(out->tious, tious, n_tious * sizeof *tious);
    out->r1 = wsd_calloc(n_tious, sizeof *out->r1);
    size_t *hits = wsd_calloc(n_tious, sizeof *hits);
    double iou_sum = 0;
    out->n_videos = ref->n_videos;
    /* reference videos in ascending id order [the script's order is Python set
     * order; only the last bit of the mIoU sum can depend on it] */
    for (size_t r = 0; r < ref->n_videos; r++) {
        const score_video *v = score_find(sub, ref->videos[r].id);
        if (!v) continue;
        out->n_predicted++;
        size_t n_kept = v->n_events < max_proposals ? v->n_events : max_proposals;
        if (n_kept == 0) out->n_empty++;
        for (size_t i = 0; i < n_kept; i++) {
            const score_event *e = &v->events[i];
            iou_sum += score_loc_iou(e->start, e->end, e->gt_start, e->gt_end);
            for (size_t ti = 0; ti < n_tious; ti++)
                hits[ti] += score_tiou(e->start, e->end, e->gt_start, e->gt_end) > tious[ti];
        }
        out->n_sentences += n_kept;
    }
    int rc = 0;
    if (out->n_sentences == 0) {
        rc = wsd_fail(
            "%s: no sentence of a video of %s to score (the reference script divides by zero)",
            sub->path, ref->path);
        score_loc_result_free(out);
    } else {
        for (size_t ti = 0; ti < n_tious; ti++)
            out->r1[ti] = (double)hits[ti] / (double)out->n_sentences;
        out->miou = iou_sum / (double)out->n_sentences;
    }
    free(hits);
    return rc;
}

void score_loc_print_r1(FILE *fp, const score_loc_result *r, size_t ti) {
    if (ti < r->n_tious) {
        fprintf(fp, "| R@1 score: %2.4f\n", 100 * r->r1[ti]);
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < r->n_tious; i++) sum += r->r1[i];
    fprintf(fp, "| R@1 score: %2.4f\n", 100 * sum / (double)r->n_tious);
}

static void dashes(FILE *fp) {
    for (int i = 0; i < 80; i++) fputc('-', fp);
    fputc('\n', fp);
}

void score_loc_print_table(FILE *fp, const score_loc_result *r) {
    dashes(fp);
    fprintf(fp, "Sentence localization (each sentence against its own gt_timestamp)\n");
    dashes(fp);
    fprintf(fp, "| mIoU: %2.4f\n", 100 * r->miou);
    fprintf(fp, "| sentences: %zu, of %zu of the %zu reference videos\n", r->n_sentences,
            r->n_predicted - r->n_empty, r->n_videos);
}

static void json_number(FILE *fp, double x) {
    if (!isfinite(x))
        fputs("null", fp);
    else
        fprintf(fp, "%.17g", x);
}

static void json_per_tiou(FILE *fp, const score_loc_result *r, const double *v) {
    char t[64];
    fputs("{\"per_tiou\": {", fp);
    double sum = 0;
    for (size_t i = 0; i < r->n_tious; i++) {
        score_format_float(r->tious[i], t, sizeof t);
        fprintf(fp, "%s\"%s\": ", i ? ", " : "", t);
        json_number(fp, v[i]);
        sum += v[i];
    }
    fputs("}, \"mean\": ", fp);
    json_number(fp, r->n_tious ? sum / (double)r->n_tious : 0);
    fputc('}', fp);
}

void score_loc_print_json(FILE *fp, const score_loc_result *r) {
    fputs("{\"R@1 score\": ", fp);
    json_per_tiou(fp, r, r->r1);
    fputs(",\n  \"mIoU\": ", fp);
    json_number(fp, r->miou);
    fprintf(fp,
            ", \"sentences\": %zu, \"videos\": %zu, \"videos_with_predictions\": %zu, "
            "\"empty_videos\": %zu, "
            "\"ignored_videos\": %zu}",
            r->n_sentences, r->n_videos, r->n_predicted, r->n_empty, r->n_ignored);
}
