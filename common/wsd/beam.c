#include "wsd/beam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Top-k of one item's K×V candidate scores, descending; ties go to the lower
 * flat index. k is tiny (3) so a linear insertion is fastest. */
static void top_k(const float *cand, int n, int k, float *best, int *best_idx) {
    for (int j = 0; j < k; j++) {
        best[j] = -INFINITY;
        best_idx[j] = j;
    }
    int filled = 0;
    for (int i = 0; i < n; i++) {
        float v = cand[i];
        if (filled == k && !(v > best[k - 1])) continue;
        int pos = filled < k ? filled++ : k - 1;
        while (pos > 0 && v > best[pos - 1]) {
            best[pos] = best[pos - 1];
            best_idx[pos] = best_idx[pos - 1];
            pos--;
        }
        best[pos] = v;
        best_idx[pos] = i;
    }
}

int wsd_beam_search(const wsd_beam_decoder *dec, int n_items, int beam, int max_len, int *out_ids,
                    int *out_len) {
    const int K = beam, V = dec->vocab, rows = n_items * K;
    float *score = wsd_malloc(sizeof(float) * rows);
    int *tok = wsd_malloc(sizeof(int) * rows);
    int *src = wsd_malloc(sizeof(int) * rows);
    float *logp = wsd_malloc(sizeof(float) * (size_t)rows * V);
    float *cand = wsd_malloc(sizeof(float) * (size_t)K * V);
    /* per step t (1..max_len): tokens, parents, finished scores, any-finished flag */
    int *tokens = wsd_malloc(sizeof(int) * (size_t)(max_len + 1) * rows);
    int *parents = wsd_malloc(sizeof(int) * (size_t)(max_len + 1) * rows);
    float *finished = wsd_malloc(sizeof(float) * (size_t)(max_len + 1) * rows);
    unsigned char *has_finished = wsd_calloc((size_t)(max_len + 1) * n_items, 1);
    float best[64];
    int best_idx[64];
    int rc = 0;
    if (K > 64) {
        rc = wsd_fail("beam size %d exceeds 64", K);
        goto done;
    }
    for (int r = 0; r < rows; r++) {
        score[r] = (r % K == 0) ? 0.0f : -INFINITY;
        tok[r] = WSD_BOS;
    }
    for (int t = 1; t <= max_len; t++) {
        if (dec->step(dec->ctx, tok, rows, logp) != 0) {
            rc = -1;
            goto done;
        }
        int *tok_t = tokens + (size_t)t * rows, *par_t = parents + (size_t)t * rows;
        float *fin_t = finished + (size_t)t * rows;
        for (int n = 0; n < n_items; n++) {
            for (int k = 0; k < K; k++) {
                const float *lp = logp + (size_t)(n * K + k) * V;
                float s = score[n * K + k];
                float *c = cand + (size_t)k * V;
                for (int v = 0; v < V; v++) c[v] = lp[v] + s;
            }
            top_k(cand, K * V, K, best, best_idx);
            int any_eos = 0;
            for (int k = 0; k < K; k++) {
                int r = n * K + k;
                score[r] = best[k];
                tok_t[r] = best_idx[k] % V;
                par_t[r] = best_idx[k] / V;
                src[r] = n * K + par_t[r];
                tok[r] = tok_t[r];
                any_eos |= tok_t[r] == WSD_EOS;
            }
            if (any_eos) {
                has_finished[(size_t)t * n_items + n] = 1;
                for (int k = 0; k < K; k++) {
                    int r = n * K + k;
                    fin_t[r] = tok_t[r] == WSD_EOS ? score[r] : -INFINITY;
                    if (tok_t[r] == WSD_EOS) score[r] = -INFINITY;
                }
            }
        }
        if (dec->reorder(dec->ctx, src, rows) != 0) {
            rc = -1;
            goto done;
        }
    }
    for (int n = 0; n < n_items; n++) {
        int *out = out_ids + (size_t)n * (max_len + 2);
        int k = 0;
        float top = score[n * K];
        for (int j = 1; j < K; j++)
            if (score[n * K + j] > top) {
                top = score[n * K + j];
                k = j;
            }
        int length = 1;
        out[max_len + 1] = WSD_EOS;
        for (int t = max_len; t >= 1; t--) {
            if (has_finished[(size_t)t * n_items + n]) {
                const float *fin_t = finished + (size_t)t * rows + n * K;
                /* max over [finished[t], best]: first maximum wins, so an
                 * ended hypothesis that ties the current best is taken. */
                int j_best = K;
                float m = top;
                for (int j = K - 1; j >= 0; j--)
                    if (fin_t[j] >= m) {
                        m = fin_t[j];
                        j_best = j;
                    }
                if (j_best < K) {
                    top = m;
                    k = j_best;
                    length = 0;
                }
            }
            out[t] = tokens[(size_t)t * rows + n * K + k];
            k = parents[(size_t)t * rows + n * K + k];
            length++;
        }
        out[0] = WSD_BOS;
        out_len[n] = length + 1;
    }
done:
    free(score);
    free(tok);
    free(src);
    free(logp);
    free(cand);
    free(tokens);
    free(parents);
    free(finished);
    free(has_finished);
    return rc;
}
