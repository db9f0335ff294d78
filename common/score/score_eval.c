#include "score/score_eval.h"

#include "score/ptb_batch.h"
#include "score/score_metrics.h"
#include "score/score_words.h"
#include "base/util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const score_metric_names[SCORE_N_METRICS] = {
    "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr", "Recall", "Precision"};

static const char garbage_2018[] = "abc123!@#";

double score_tiou(double ps, double pe, double gs, double ge) {
    double lo = gs > ps ? gs : ps, hi = ge < pe ? ge : pe;
    double inter = hi - lo > 0 ? hi - lo : 0;
    double hull = (ge > pe ? ge : pe) - (gs < ps ? gs : ps);
    double sum = ((ge - gs) + pe) - ps; /* this association, as in the evaluator */
    double uni = hull < sum ? hull : sum;
    return inter / (uni + 1e-8);
}

/* The reference video set: union of the files' ids, ascending byte order
 * (the oracle's order; it matters through the tokenizer's look-ahead). */
static char **union_ids(const score_set *refs, size_t n_refs, size_t *n_out) {
    size_t total = 0;
    for (size_t f = 0; f < n_refs; f++) total += refs[f].n_videos;
    char **ids = wsd_malloc((total ? total : 1) * sizeof *ids);
    size_t *at = wsd_calloc(n_refs ? n_refs : 1, sizeof *at), n = 0;
    for (;;) {
        const char *min = NULL;
        for (size_t f = 0; f < n_refs; f++)
            if (at[f] < refs[f].n_videos && (!min || strcmp(refs[f].videos[at[f]].id, min) < 0))
                min = refs[f].videos[at[f]].id;
        if (!min) break;
        ids[n++] = (char *)min;
        for (size_t f = 0; f < n_refs; f++)
            if (at[f] < refs[f].n_videos && strcmp(refs[f].videos[at[f]].id, min) == 0) at[f]++;
    }
    free(at);
    *n_out = n;
    return ids;
}

typedef struct {
    const char **hyp, **ref;
    size_t n, cap;
} pairs;

/* Tokenised captions are cache-owned and never move, so their digests can be
 * found by address: a map from pointer to digest in front of the lexicon. */
typedef struct {
    const char **key;
    const score_caption **val;
    size_t cap, count;
} digest_map;

static const score_caption *digest_of(digest_map *m, score_lexicon *lx, const char *tok) {
    if (2 * (m->count + 1) > m->cap) {
        digest_map old = *m;
        m->cap = old.cap ? 2 * old.cap : 1 << 15;
        m->key = wsd_calloc(m->cap, sizeof *m->key);
        m->val = wsd_calloc(m->cap, sizeof *m->val);
        for (size_t i = 0; i < old.cap; i++) {
            if (!old.key[i]) continue;
            size_t j = (((uintptr_t)old.key[i] >> 3) * 0x9E3779B97F4A7C15ULL >> 20) & (m->cap - 1);
            while (m->key[j]) j = (j + 1) & (m->cap - 1);
            m->key[j] = old.key[i];
            m->val[j] = old.val[i];
        }
        free(old.key);
        free(old.val);
    }
    size_t j = (((uintptr_t)tok >> 3) * 0x9E3779B97F4A7C15ULL >> 20) & (m->cap - 1);
    while (m->key[j]) {
        if (m->key[j] == tok) return m->val[j];
        j = (j + 1) & (m->cap - 1);
    }
    m->key[j] = tok;
    m->count++;
    return m->val[j] = score_lexicon_caption(lx, tok);
}

static void add_pair(pairs *p, const char *hyp, const char *ref) {
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 1024;
        p->hyp = wsd_realloc(p->hyp, p->cap * sizeof *p->hyp);
        p->ref = wsd_realloc(p->ref, p->cap * sizeof *p->ref);
    }
    p->hyp[p->n] = hyp;
    p->ref[p->n] = ref;
    p->n++;
}

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* 2019: a fresh word of 10-20 random lowercase letters. */
static char *random_garbage(uint64_t *state) {
    size_t len = 10 + (size_t)(splitmix64(state) % 11);
    char *s = wsd_malloc(len + 1);
    for (size_t i = 0; i < len; i++) s[i] = (char)('a' + splitmix64(state) % 26);
    s[len] = '\0';
    return s;
}

typedef struct {
    const score_video *pred; /* NULL: not in the submission */
    size_t n_kept;           /* proposals after truncation */
    const score_video **ref; /* [n_refs], NULL where the file lacks the video */
} video_view;

/* Pairs of one threshold in evaluator order (spec 4.2). */
static void build_pairs(const video_view *vv, size_t n_videos, size_t n_refs, double t,
                        const score_options *opt, uint64_t *rng, pairs *p, size_t *start,
                        char ***pool, size_t *n_pool) {
    p->n = 0;
    for (size_t v = 0; v < n_videos; v++) {
        start[v] = p->n;
        const score_video *pred = vv[v].pred;
        if (!pred) continue;
        for (size_t i = 0; i < vv[v].n_kept; i++) {
            const score_event *e = &pred->events[i];
            int matched = 0;
            for (size_t f = 0; f < n_refs; f++) {
                const score_video *r = vv[v].ref[f];
                if (!r) continue;
                for (size_t j = 0; j < r->n_events; j++)
                    if (score_tiou(e->start, e->end, r->events[j].start, r->events[j].end) >= t) {
                        add_pair(p, e->sentence, r->events[j].sentence);
                        matched = 1;
                    }
            }
            if (matched) continue;
            if (opt->semantics == SCORE_SEMANTICS_2019) {
                *pool = wsd_realloc(*pool, (*n_pool + 1) * sizeof **pool);
                (*pool)[*n_pool] = random_garbage(rng);
                add_pair(p, e->sentence, (*pool)[(*n_pool)++]);
            } else {
                add_pair(p, e->sentence, garbage_2018);
            }
        }
    }
    start[n_videos] = p->n;
}

/* Detection recall and precision of one video (spec 7; strict >). */
static void detection(const video_view *vv, size_t n_refs, double t, double *recall,
                      double *precision) {
    *recall = *precision = 0;
    const score_video *pred = vv->pred;
    if (!pred) return;
    size_t np = vv->n_kept;
    unsigned char *hit = wsd_calloc(np ? np : 1, 1);
    for (size_t f = 0; f < n_refs; f++) {
        const score_video *r = vv->ref[f];
        if (!r) continue;
        size_t covered_refs = 0, covered_preds = 0;
        memset(hit, 0, np ? np : 1);
        for (size_t j = 0; j < r->n_events; j++) {
            int any = 0;
            for (size_t i = 0; i < np; i++)
                if (score_tiou(pred->events[i].start, pred->events[i].end, r->events[j].start,
                               r->events[j].end) > t) {
                    any = 1;
                    hit[i] = 1;
                }
            covered_refs += any;
        }
        for (size_t i = 0; i < np; i++) covered_preds += hit[i];
        double rec = r->n_events ? (double)covered_refs / (double)r->n_events : 0;
        double prec = np ? (double)covered_preds / (double)np : 0;
        if (rec > *recall) *recall = rec;
        if (prec > *precision) *precision = prec;
    }
    free(hit);
}

/* METEOR of every video of one threshold, on its own thread while the caller
 * computes the other metrics (the METEOR handle is used by this thread only). */
typedef struct {
    const score_options *opt;
    const char **hyp_tok, **ref_tok;
    const size_t *start;
    size_t nv;
    double *out;
    int rc;
    char err[512];
} meteor_job;

static void *meteor_worker(void *arg) {
    meteor_job *j = arg;
    for (size_t v = 0; v < j->nv && j->rc == 0; v++) {
        size_t a = j->start[v], n = j->start[v + 1] - j->start[v];
        j->out[v] = 0;
        if (n &&
            j->opt->meteor(j->opt->meteor_ctx, j->hyp_tok + a, j->ref_tok + a, n, &j->out[v])) {
            j->rc = -1;
            snprintf(j->err, sizeof j->err, "%s", wsd_error());
        }
    }
    return NULL;
}

int score_evaluate(const score_set *sub, const score_set *refs, size_t n_refs,
                   const score_options *opt, score_result *out) {
    memset(out, 0, sizeof *out);
    size_t nv = 0, nt = opt->n_tious;
    char **ids = union_ids(refs, n_refs, &nv);
    out->n_tious = nt;
    out->tious = wsd_malloc((nt ? nt : 1) * sizeof *out->tious);
    memcpy(out->tious, opt->tious, nt * sizeof *out->tious);
    out->per_tiou = wsd_calloc(nt ? nt : 1, sizeof *out->per_tiou);
    out->n_videos = nv;
    out->has_meteor = opt->meteor != NULL;
    if (opt->keep_per_video) {
        out->video_ids = wsd_malloc((nv ? nv : 1) * sizeof *out->video_ids);
        for (size_t v = 0; v < nv; v++) out->video_ids[v] = wsd_strdup(ids[v]);
        out->per_video =
            wsd_calloc((nt ? nt : 1) * (nv ? nv : 1) * SCORE_N_METRICS, sizeof *out->per_video);
    }

    video_view *vv = wsd_calloc(nv ? nv : 1, sizeof *vv);
    const score_video **ref_ptrs =
        wsd_calloc((nv ? nv : 1) * (n_refs ? n_refs : 1), sizeof *ref_ptrs);
    for (size_t v = 0; v < nv; v++) {
        vv[v].pred = score_find(sub, ids[v]);
        vv[v].ref = ref_ptrs + v * n_refs;
        for (size_t f = 0; f < n_refs; f++) vv[v].ref[f] = score_find(&refs[f], ids[v]);
        if (vv[v].pred) {
            out->n_predicted++;
            vv[v].n_kept = vv[v].pred->n_events < opt->max_proposals ? vv[v].pred->n_events
                                                                     : opt->max_proposals;
        }
    }
    out->n_ignored = sub->n_videos - out->n_predicted;

    ptb_cache *cache = ptb_cache_new();
    score_lexicon *lx = score_lexicon_new();
    pairs p = {0};
    size_t *start = wsd_malloc((nv + 1) * sizeof *start);
    uint64_t rng = opt->seed;
    int rc = 0;
    const char **hyp_tok = NULL, **ref_tok = NULL;
    const score_caption **hc = NULL, **rc_ = NULL;
    size_t tok_cap = 0;
    score_cider_state cider = {0};
    digest_map digests = {0};
    double *meteor_v = wsd_calloc(nv ? nv : 1, sizeof *meteor_v);
    double *other = wsd_calloc((nv ? nv : 1) * SCORE_N_METRICS, sizeof *other);

    for (size_t ti = 0; ti < nt && rc == 0; ti++) {
        double t = opt->tious[ti];
        char **pool = NULL;
        size_t n_pool = 0;
        build_pairs(vv, nv, n_refs, t, opt, &rng, &p, start, &pool, &n_pool);
        if (p.n > tok_cap) {
            tok_cap = p.n;
            hyp_tok = wsd_realloc(hyp_tok, tok_cap * sizeof *hyp_tok);
            ref_tok = wsd_realloc(ref_tok, tok_cap * sizeof *ref_tok);
            hc = wsd_realloc(hc, tok_cap * sizeof *hc);
            rc_ = wsd_realloc(rc_, tok_cap * sizeof *rc_);
        }
        /* two batches, hypotheses and references, each in pair order */
        size_t shifted = ptb_tokenize_batch(cache, p.hyp, p.n, hyp_tok);
        shifted += ptb_tokenize_batch(cache, p.ref, p.n, ref_tok);
        if (shifted > out->line_shift_captions) out->line_shift_captions = shifted;
        for (size_t i = 0; i < p.n; i++) {
            hc[i] = digest_of(&digests, lx, hyp_tok[i]);
            rc_[i] = digest_of(&digests, lx, ref_tok[i]);
        }
        double sum[SCORE_N_METRICS] = {0};
        meteor_job job = {opt, hyp_tok, ref_tok, start, nv, meteor_v, 0, ""};
        pthread_t th;
        int threaded = 0;
        if (opt->meteor) {
            threaded = pthread_create(&th, NULL, meteor_worker, &job) == 0;
            if (!threaded) meteor_worker(&job);
        }
        for (size_t v = 0; v < nv && rc == 0; v++) {
            double m[SCORE_N_METRICS] = {0};
            size_t a = start[v], n = start[v + 1] - start[v];
            if (n) {
                double bleu[4];
                score_bleu(hc + a, rc_ + a, n, bleu);
                for (int k = 0; k < 4; k++) m[SCORE_BLEU1 + k] = bleu[k];
                m[SCORE_ROUGE_L] = score_rouge_l(hc + a, rc_ + a, n);
                m[SCORE_CIDER] = score_cider_d(hc + a, rc_ + a, n, &cider);
            }
            detection(&vv[v], n_refs, t, &m[SCORE_RECALL], &m[SCORE_PRECISION]);
            memcpy(other + v * SCORE_N_METRICS, m, sizeof m);
        }
        if (threaded) pthread_join(th, NULL);
        if (job.rc) rc = wsd_fail("%s", job.err);
        /* sums in video order, as before the thread */
        for (size_t v = 0; v < nv && rc == 0; v++) {
            double *m = other + v * SCORE_N_METRICS;
            if (opt->meteor) m[SCORE_METEOR] = meteor_v[v];
            for (int k = 0; k < SCORE_N_METRICS; k++) sum[k] += m[k];
            if (out->per_video)
                memcpy(out->per_video + (ti * nv + v) * SCORE_N_METRICS, m,
                       SCORE_N_METRICS * sizeof *m);
        }
        for (int k = 0; k < SCORE_N_METRICS; k++)
            out->per_tiou[ti][k] = nv ? sum[k] / (double)nv : 0;
        for (size_t i = 0; i < n_pool; i++) free(pool[i]);
        free(pool);
    }
    for (int k = 0; k < SCORE_N_METRICS && nt; k++) {
        double s = 0;
        for (size_t ti = 0; ti < nt; ti++) s += out->per_tiou[ti][k];
        out->mean[k] = s / (double)nt;
    }
    free(meteor_v);
    free(other);
    free(hyp_tok);
    free(ref_tok);
    free(hc);
    free(rc_);
    score_cider_state_free(&cider);
    free(digests.key);
    free(digests.val);
    free(p.hyp);
    free(p.ref);
    free(start);
    free(vv);
    free(ref_ptrs);
    free(ids);
    ptb_cache_free(cache);
    score_lexicon_free(lx);
    if (rc) score_result_free(out);
    return rc;
}

void score_result_free(score_result *r) {
    free(r->tious);
    free(r->per_tiou);
    if (r->video_ids)
        for (size_t v = 0; v < r->n_videos; v++) free(r->video_ids[v]);
    free(r->video_ids);
    free(r->per_video);
    memset(r, 0, sizeof *r);
}
