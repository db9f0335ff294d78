#include "score/score_metrics.h"

#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ORDERS 4

void score_bleu(const score_caption *const *hyp, const score_caption *const *ref, size_t n_pairs,
                double bleu[4]) {
    double guess[ORDERS] = {0}, correct[ORDERS] = {0}, testlen = 0, reflen = 0;
    for (size_t p = 0; p < n_pairs; p++) {
        const score_caption *h = hyp[p], *r = ref[p];
        testlen += (double)h->n_ws;
        reflen += (double)r->n_ws;
        for (int k = 0; k < ORDERS; k++)
            guess[k] += h->n_ws >= (size_t)k + 1 ? (double)(h->n_ws - k) : 0.0;
        /* clipped matches: merge the two ascending n-gram lists */
        size_t i = 0, j = 0;
        while (i < h->n_gram && j < r->n_gram) {
            if (h->gram[i] < r->gram[j])
                i++;
            else if (h->gram[i] > r->gram[j])
                j++;
            else {
                uint32_t c = h->count[i] < r->count[j] ? h->count[i] : r->count[j];
                correct[SCORE_NGRAM_ORDER(h->gram[i]) - 1] += c;
                i++, j++;
            }
        }
    }
    const double tiny = 1e-15, small = 1e-9;
    double prod = 1.0;
    for (int k = 0; k < ORDERS; k++) {
        prod *= (correct[k] + tiny) / (guess[k] + small);
        bleu[k] = pow(prod, 1.0 / (k + 1));
    }
    double ratio = (testlen + tiny) / (reflen + small);
    if (ratio < 1)
        for (int k = 0; k < ORDERS; k++) bleu[k] *= exp(1 - 1 / ratio);
}

static size_t lcs(const score_caption *a, const score_caption *b, size_t *row) {
    /* row[j] = LCS of a[0..i) and b[0..j), rolled over i */
    memset(row, 0, (b->n_sp + 1) * sizeof *row);
    for (size_t i = 1; i <= a->n_sp; i++) {
        size_t diag = 0;
        for (size_t j = 1; j <= b->n_sp; j++) {
            size_t up = row[j];
            if (a->sp[i - 1] == b->sp[j - 1])
                row[j] = diag + 1;
            else if (row[j - 1] > row[j])
                row[j] = row[j - 1];
            diag = up;
        }
    }
    return row[b->n_sp];
}

double score_rouge_l(const score_caption *const *hyp, const score_caption *const *ref,
                     size_t n_pairs) {
    const double beta = 1.2;
    double sum = 0;
    size_t cap = 0, *row = NULL;
    for (size_t p = 0; p < n_pairs; p++) {
        if (ref[p]->n_sp + 1 > cap) {
            cap = ref[p]->n_sp + 1;
            row = wsd_realloc(row, cap * sizeof *row);
        }
        double l = (double)lcs(hyp[p], ref[p], row);
        double prec = l / (double)hyp[p]->n_sp, rec = l / (double)ref[p]->n_sp;
        if (prec != 0 && rec != 0)
            sum += ((1 + beta * beta) * prec * rec) / (rec + beta * beta * prec);
    }
    free(row);
    return n_pairs ? sum / (double)n_pairs : 0.0;
}

void score_cider_state_free(score_cider_state *st) {
    free(st->stamp);
    free(st->df);
    free(st->weights);
    memset(st, 0, sizeof *st);
}

static void ensure_index(score_cider_state *st, size_t index) {
    if (index < st->cap) return;
    size_t cap = st->cap ? st->cap : 4096;
    while (cap <= index) cap *= 2;
    st->stamp = wsd_realloc(st->stamp, cap * sizeof *st->stamp);
    st->df = wsd_realloc(st->df, cap * sizeof *st->df);
    memset(st->stamp + st->cap, 0, (cap - st->cap) * sizeof *st->stamp);
    st->cap = cap;
}

static double df_of(const score_cider_state *st, uint32_t gram) {
    size_t k = SCORE_NGRAM_INDEX(gram);
    return k < st->cap && st->stamp[k] == st->now ? st->df[k] : 0.0;
}

/* TF-IDF weights of one caption into w[], and the per-order norms. */
static void weigh(const score_caption *c, const score_cider_state *st, double log_m, double *w,
                  double norm[ORDERS]) {
    for (int k = 0; k < ORDERS; k++) norm[k] = 0;
    for (size_t i = 0; i < c->n_gram; i++) {
        double d = df_of(st, c->gram[i]);
        w[i] = (double)c->count[i] * (log_m - log(d > 1.0 ? d : 1.0));
        norm[SCORE_NGRAM_ORDER(c->gram[i]) - 1] += w[i] * w[i];
    }
    for (int k = 0; k < ORDERS; k++) norm[k] = sqrt(norm[k]);
}

double score_cider_d(const score_caption *const *hyp, const score_caption *const *ref,
                     size_t n_pairs, score_cider_state *st) {
    if (!n_pairs) return 0.0;
    const double sigma = 6.0;
    /* document frequency: each pair's reference counts each distinct n-gram once */
    if (++st->now == 0) { /* stamps wrapped: forget them all */
        memset(st->stamp, 0, st->cap * sizeof *st->stamp);
        st->now = 1;
    }
    size_t most = 0;
    for (size_t p = 0; p < n_pairs; p++) {
        const score_caption *r = ref[p];
        if (r->n_gram > most) most = r->n_gram;
        if (hyp[p]->n_gram > most) most = hyp[p]->n_gram;
        for (size_t i = 0; i < r->n_gram; i++) {
            size_t k = SCORE_NGRAM_INDEX(r->gram[i]);
            ensure_index(st, k);
            if (st->stamp[k] != st->now) {
                st->stamp[k] = st->now;
                st->df[k] = 0;
            }
            st->df[k] += 1;
        }
    }
    if (2 * most + 2 > st->weights_cap) {
        st->weights_cap = 2 * most + 2;
        st->weights = wsd_realloc(st->weights, st->weights_cap * sizeof *st->weights);
    }
    double *wh = st->weights, *wr = st->weights + most;
    double log_m = log((double)n_pairs), sum = 0;
    for (size_t p = 0; p < n_pairs; p++) {
        const score_caption *h = hyp[p], *r = ref[p];
        double norm_h[ORDERS], norm_r[ORDERS], val[ORDERS] = {0};
        weigh(h, st, log_m, wh, norm_h);
        weigh(r, st, log_m, wr, norm_r);
        /* the library's "length" is the number of bigram occurrences */
        double len_h = h->n_ws > 1 ? (double)(h->n_ws - 1) : 0,
               len_r = r->n_ws > 1 ? (double)(r->n_ws - 1) : 0;
        double delta = len_h - len_r;
        size_t i = 0, j = 0;
        while (i < h->n_gram && j < r->n_gram) {
            if (h->gram[i] < r->gram[j])
                i++;
            else if (h->gram[i] > r->gram[j])
                j++;
            else {
                val[SCORE_NGRAM_ORDER(h->gram[i]) - 1] += (wh[i] < wr[j] ? wh[i] : wr[j]) * wr[j];
                i++, j++;
            }
        }
        double mean = 0;
        for (int k = 0; k < ORDERS; k++) {
            if (norm_h[k] != 0 && norm_r[k] != 0) val[k] /= norm_h[k] * norm_r[k];
            val[k] *= exp(-(delta * delta) / (2 * sigma * sigma));
            mean += val[k];
        }
        sum += mean / ORDERS * 10.0;
    }
    return sum / (double)n_pairs;
}
