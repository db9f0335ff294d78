#include "score/soda.h"

#include "score/ptb_batch.h"
#include "score/score_eval.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Events of one video in ascending start order; equal starts keep file order
 * (Python's sort is stable). */
static size_t *by_start(const score_video *v) {
    size_t n = v->n_events, *idx = wsd_malloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    for (size_t i = 1; i < n; i++) { /* insertion sort: stable, lists are short */
        size_t k = idx[i], j = i;
        while (j > 0 && v->events[idx[j - 1]].start > v->events[k].start) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = k;
    }
    return idx;
}

static int video_soda(const score_video *pred, const score_video *ref, ptb_cache *cache,
                      soda_sim_fn sim, void *ctx, double *p, double *r, double *f) {
    size_t np = pred->n_events, nr = ref->n_events;
    *p = *r = *f = 0;
    if (!np || !nr) return 0;
    size_t *pi = by_start(pred), *ri = by_start(ref);
    const char **praw = wsd_malloc(np * sizeof *praw), **rraw = wsd_malloc(nr * sizeof *rraw);
    const char **ptok = wsd_malloc(np * sizeof *ptok), **rtok = wsd_malloc(nr * sizeof *rtok);
    for (size_t j = 0; j < np; j++) praw[j] = pred->events[pi[j]].sentence;
    for (size_t i = 0; i < nr; i++) rraw[i] = ref->events[ri[i]].sentence;
    ptb_tokenize_batch(cache, praw, np, ptok);
    ptb_tokenize_batch(cache, rraw, nr, rtok);
    /* dp[i][j]: best score using the first i references and j predictions */
    double *dp = wsd_calloc((nr + 1) * (np + 1), sizeof *dp);
    int rc = 0;
    for (size_t i = 1; i <= nr && rc == 0; i++) {
        const score_event *g = &ref->events[ri[i - 1]];
        for (size_t j = 1; j <= np; j++) {
            const score_event *e = &pred->events[pi[j - 1]];
            double iou = score_tiou(e->start, e->end, g->start, g->end), s = 0;
            if (sim(ctx, rtok[i - 1], ptok[j - 1], &s)) {
                rc = -1;
                break;
            }
            double best = dp[(i - 1) * (np + 1) + j];
            if (dp[i * (np + 1) + j - 1] > best) best = dp[i * (np + 1) + j - 1];
            double diag = dp[(i - 1) * (np + 1) + j - 1] + iou * s;
            if (diag > best) best = diag;
            dp[i * (np + 1) + j] = best;
        }
    }
    if (rc == 0) {
        double best = dp[nr * (np + 1) + np];
        *p = best / (double)np;
        *r = best / (double)nr;
        *f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
    }
    free(dp);
    free(pi);
    free(ri);
    free(praw);
    free(rraw);
    free(ptok);
    free(rtok);
    return rc;
}

int soda_c(const score_set *sub, const score_set *ref, soda_sim_fn sim, void *ctx,
           soda_result *out) {
    memset(out, 0, sizeof *out);
    ptb_cache *cache = ptb_cache_new();
    double sp = 0, sr = 0, sf = 0;
    int rc = 0;
    for (size_t v = 0; v < ref->n_videos && rc == 0; v++) {
        const score_video *pred = score_find(sub, ref->videos[v].id);
        if (!pred) continue;
        double p, r, f;
        rc = video_soda(pred, &ref->videos[v], cache, sim, ctx, &p, &r, &f);
        sp += p, sr += r, sf += f;
        out->n_videos++;
    }
    if (out->n_videos) {
        out->precision = sp / (double)out->n_videos;
        out->recall = sr / (double)out->n_videos;
        out->f = sf / (double)out->n_videos;
    }
    ptb_cache_free(cache);
    return rc;
}
