#include "wsd/pseudo_label.h"

#include <stdlib.h>
#include <string.h>

#include "score/ptb_batch.h"
#include "base/util.h"

struct wsd_pseudo_labeler {
    wsd_pl_metric metric;
    wsd_meteor *meteor;
};

int wsd_pl_metric_parse(const char *name, wsd_pl_metric *out) {
    if (strcmp(name, "meteor") == 0)
        *out = WSD_PL_METEOR;
    else if (strcmp(name, "unigram-f") == 0)
        *out = WSD_PL_UNIGRAM_F;
    else
        return wsd_fail("unknown pseudo-label metric '%s' (expected meteor or unigram-f)", name);
    return 0;
}

const char *wsd_pl_metric_name(wsd_pl_metric m) {
    return m == WSD_PL_METEOR ? "meteor" : "unigram-f";
}

wsd_pseudo_labeler *wsd_pl_open(wsd_pl_metric metric, const char *meteor_dir) {
    wsd_meteor *m = NULL;
    if (metric == WSD_PL_METEOR) {
        m = wsd_meteor_open_dir(meteor_dir, NULL); /* NULL: an install found by itself */
        if (!m) {
            /* wsd_fail formats into the buffer wsd_error() returns: copy first */
            char *why = wsd_strdup(wsd_error());
            wsd_fail("METEOR pseudo-labels unavailable: %s", why);
            free(why);
            return NULL;
        }
    }
    wsd_pseudo_labeler *pl = wsd_calloc(1, sizeof *pl);
    pl->metric = metric;
    pl->meteor = m;
    return pl;
}

void wsd_pl_close(wsd_pseudo_labeler *pl) {
    if (!pl) return;
    if (pl->meteor) wsd_meteor_close(pl->meteor);
    free(pl);
}

const char *wsd_pl_caveat(const wsd_pseudo_labeler *pl) {
    return pl->meteor ? wsd_meteor_caveat(pl->meteor) : "";
}

/* Splits a space-separated token string in place. */
static int split(char *s, char **tok, int cap) {
    int n = 0;
    for (char *p = strtok(s, " "); p && n < cap; p = strtok(NULL, " ")) tok[n++] = p;
    return n;
}

double wsd_unigram_f(const char *candidate, const char *reference) {
    size_t lc = strlen(candidate), lr = strlen(reference);
    char *c = wsd_strdup(candidate), *r = wsd_strdup(reference);
    int cap_c = (int)lc / 2 + 2, cap_r = (int)lr / 2 + 2;
    char **tc = wsd_malloc(sizeof *tc * (size_t)cap_c),
         **tr = wsd_malloc(sizeof *tr * (size_t)cap_r);
    int nc = split(c, tc, cap_c), nr = split(r, tr, cap_r);
    int *used = wsd_calloc((size_t)nr + 1, sizeof *used);
    /* Greedy exact alignment, each candidate token to the first free equal
     * reference token; a chunk is a run mapped to consecutive positions. */
    int matches = 0, chunks = 0, prev = -2;
    for (int i = 0; i < nc; i++) {
        int j = 0;
        while (j < nr && (used[j] || strcmp(tc[i], tr[j]) != 0)) j++;
        if (j == nr) {
            prev = -2;
            continue;
        }
        used[j] = 1;
        matches++;
        if (j != prev + 1) chunks++;
        prev = j;
    }
    double score = 0;
    if (matches > 0) {
        double p = (double)matches / nc, rc = (double)matches / nr;
        double fmean = 10 * p * rc / (rc + 9 * p);
        double frag = (double)chunks / matches;
        score = fmean * (1 - 0.5 * frag * frag * frag);
    }
    free(used);
    free(tc);
    free(tr);
    free(c);
    free(r);
    return score;
}

int wsd_pl_best(wsd_pseudo_labeler *pl, const char *reference, const char *const *candidates, int n,
                double *scores) {
    if (n <= 0) return wsd_fail("pseudo-label: no candidates");
    /* coco's wrapper tokenises the candidates as one batch and the reference
     * on its own; a fresh cache per call keeps memory flat over an epoch. */
    ptb_cache *cache = ptb_cache_new();
    const char **tok = wsd_malloc(sizeof *tok * (size_t)n);
    ptb_tokenize_batch(cache, candidates, (size_t)n, tok);
    const char *ref = ptb_tokenize_one(cache, reference);
    int best = -1;
    double best_score = 0;
    for (int j = 0; j < n; j++) {
        double s;
        if (pl->metric == WSD_PL_METEOR) {
            if (wsd_meteor_segment(pl->meteor, tok[j], &ref, 1, &s) != 0) {
                best = -1;
                break;
            }
        } else {
            s = wsd_unigram_f(tok[j], ref);
        }
        if (scores) scores[j] = s;
        if (best < 0 || s > best_score) {
            best = j;
            best_score = s;
        }
    }
    free(tok);
    ptb_cache_free(cache);
    return best;
}
