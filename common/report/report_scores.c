#include "report/report_scores.h"

#include "base/util.h"
#include "io/jsonl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t row_size(const report_scores *s) { return (s->n_tious + 1) * SCORE_N_METRICS; }

int report_scores_from_result(const score_result *r, report_scores *out) {
    memset(out, 0, sizeof *out);
    if (!r->per_video) return wsd_fail("per-video scores were not kept");
    out->n_videos = r->n_videos;
    out->n_tious = r->n_tious;
    out->tious = wsd_malloc((r->n_tious + 1) * sizeof *out->tious);
    memcpy(out->tious, r->tious, r->n_tious * sizeof *out->tious);
    out->ids = wsd_malloc((r->n_videos + 1) * sizeof *out->ids);
    out->values = wsd_calloc((r->n_videos + 1) * row_size(out), sizeof *out->values);
    out->source = wsd_strdup("computed");
    for (int k = 0; k < SCORE_N_METRICS; k++) out->has[k] = k != SCORE_METEOR || r->has_meteor;
    size_t nv = r->n_videos, nt = r->n_tious;
    for (size_t v = 0; v < nv; v++) {
        out->ids[v] = wsd_strdup(r->video_ids[v]);
        double *row = out->values + v * row_size(out);
        for (int k = 0; k < SCORE_N_METRICS; k++) {
            double sum = 0;
            for (size_t t = 0; t < nt; t++)
                sum += row[t * SCORE_N_METRICS + k] =
                    r->per_video[(t * nv + v) * SCORE_N_METRICS + k];
            row[nt * SCORE_N_METRICS + k] = out->has[k] ? (nt ? sum / (double)nt : 0) : NAN;
            if (!out->has[k])
                for (size_t t = 0; t < nt; t++) row[t * SCORE_N_METRICS + k] = NAN;
        }
    }
    return 0;
}

static int cmp_index(const void *a, const void *b, void *ids) {
    char **s = ids;
    return strcmp(s[*(const size_t *)a], s[*(const size_t *)b]);
}

/* One metric object {"per_tiou": {"0.3": x, ...}, "mean": y} into row. */
static int read_metric(const cJSON *m, report_scores *s, double *row, int k, const char *where) {
    if (cJSON_IsNull(m) || !m) {
        for (size_t t = 0; t <= s->n_tious; t++) row[t * SCORE_N_METRICS + k] = NAN;
        return 0;
    }
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(m, "per_tiou");
    const cJSON *mean = cJSON_GetObjectItemCaseSensitive(m, "mean");
    if (!cJSON_IsObject(pt) || !cJSON_IsNumber(mean))
        return wsd_fail("%s: %s: expected {\"per_tiou\": {...}, \"mean\": number}", where,
                        score_metric_names[k]);
    size_t n = (size_t)cJSON_GetArraySize(pt);
    if (s->n_tious == 0 && !s->tious) {
        s->n_tious = n;
        s->tious = wsd_malloc((n + 1) * sizeof *s->tious);
        size_t t = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, pt) s->tious[t++] = strtod(e->string, NULL);
        return 1; /* the row size is known only now: the caller restarts the line */
    }
    if (n != s->n_tious)
        return wsd_fail("%s: %s: %zu thresholds, earlier lines had %zu", where,
                        score_metric_names[k], n, s->n_tious);
    size_t t = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, pt) {
        if (!cJSON_IsNumber(e) || strtod(e->string, NULL) != s->tious[t])
            return wsd_fail(
                "%s: %s: threshold \"%s\" is not a number or differs from earlier lines", where,
                score_metric_names[k], e->string);
        row[t++ * SCORE_N_METRICS + k] = e->valuedouble;
    }
    row[s->n_tious * SCORE_N_METRICS + k] = mean->valuedouble;
    s->has[k] = 1;
    return 0;
}

int report_scores_load(const char *path, report_scores *out) {
    memset(out, 0, sizeof *out);
    out->source = wsd_strdup(path);
    wsd_jsonl_reader *rd = wsd_jsonl_open(path);
    if (!rd) return -1;
    size_t cap = 0;
    cJSON *j = NULL;
    int rc, r2 = 0;
    while ((rc = wsd_jsonl_next(rd, &j)) == 1) {
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", path, wsd_jsonl_line(rd));
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "video_id");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "metrics");
        if (!cJSON_IsString(id) || !cJSON_IsObject(m)) {
            r2 = wsd_fail("%s: expected {\"video_id\": string, \"metrics\": {...}} (densevid-score "
                          "--per-video)",
                          where);
            cJSON_Delete(j);
            break;
        }
        if (out->n_videos == cap) {
            cap = cap ? 2 * cap : 256;
            out->ids = wsd_realloc(out->ids, cap * sizeof *out->ids);
        }
        double *row = NULL;
        for (int k = 0; k < SCORE_N_METRICS && r2 == 0; k++) {
            const cJSON *mk = cJSON_GetObjectItemCaseSensitive(m, score_metric_names[k]);
            if (!row && out->tious) {
                out->values = wsd_realloc(out->values, cap * row_size(out) * sizeof *out->values);
                row = out->values + out->n_videos * row_size(out);
            }
            r2 = read_metric(mk, out, row, k, where);
            if (r2 == 1) r2 = 0, k = -1; /* thresholds learnt: read this line again with a row */
        }
        if (r2 == 0 && !row) r2 = wsd_fail("%s: no metric has per-threshold values", where);
        if (r2 == 0) out->ids[out->n_videos++] = wsd_strdup(id->valuestring);
        cJSON_Delete(j);
        if (r2) break;
    }
    if (rc < 0) r2 = -1;
    wsd_jsonl_close(rd);
    if (r2 == 0 && out->n_videos > 1) {
        /* sort rows by id through an index */
        size_t n = out->n_videos, rs = row_size(out);
        size_t *idx = wsd_malloc(n * sizeof *idx);
        for (size_t i = 0; i < n; i++) idx[i] = i;
        qsort_r(idx, n, sizeof *idx, cmp_index, out->ids);
        char **ids = wsd_malloc(n * sizeof *ids);
        double *vals = wsd_malloc(n * rs * sizeof *vals);
        for (size_t i = 0; i < n; i++) {
            ids[i] = out->ids[idx[i]];
            memcpy(vals + i * rs, out->values + idx[i] * rs, rs * sizeof *vals);
            if (i && !strcmp(ids[i], ids[i - 1]) && r2 == 0)
                r2 = wsd_fail("%s: video %s appears twice", path, ids[i]);
        }
        free(idx);
        free(out->ids);
        free(out->values);
        out->ids = ids;
        out->values = vals;
    }
    if (r2) report_scores_free(out);
    return r2;
}

const double *report_scores_find(const report_scores *s, const char *id) {
    size_t lo = 0, hi = s->n_videos;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->ids[mid], id);
        if (!c) return s->values + mid * row_size(s);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void report_scores_free(report_scores *s) {
    for (size_t v = 0; v < s->n_videos; v++) free(s->ids[v]);
    free(s->ids);
    free(s->values);
    free(s->tious);
    free(s->source);
    memset(s, 0, sizeof *s);
}
