#include "wsd/beam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nn/nn_topk.h"

int wsd_beam_search(const wsd_beam_decoder *dec, int n_items, int beam, int max_len, int *out_ids,
                    int *out_len) {
    const int K = beam, rows = n_items * K;
    float *score = wsd_malloc(sizeof(float) * rows);
    int *tok = wsd_malloc(sizeof(int) * rows);
    int *src = wsd_malloc(sizeof(int) * rows);
    float *cand = wsd_malloc(sizeof(float) * (size_t)rows * K); /* each row's K best */
    int *cand_tok = wsd_malloc(sizeof(int) * (size_t)rows * K);
    /* per step t (1..max_len): tokens, parents, finished scores, any-finished flag */
    int *tokens = wsd_malloc(sizeof(int) * (size_t)(max_len + 1) * rows);
    int *parents = wsd_malloc(sizeof(int) * (size_t)(max_len + 1) * rows);
    float *finished = wsd_malloc(sizeof(float) * (size_t)(max_len + 1) * rows);
    unsigned char *has_finished = wsd_calloc((size_t)(max_len + 1) * n_items, 1);
    float *best_fin = wsd_malloc(sizeof(float) * (n_items > 0 ? n_items : 1));
    int last = max_len; /* the last step run */
    float best[64];
    int best_row[64], best_tok[64];
    int rc = 0;
    if (K > 64) {
        rc = wsd_fail("beam size %d exceeds 64", K);
        goto done;
    }
    for (int r = 0; r < rows; r++) {
        score[r] = (r % K == 0) ? 0.0f : -INFINITY;
        tok[r] = WSD_BOS;
    }
    for (int n = 0; n < n_items; n++) best_fin[n] = -INFINITY;
    for (int t = 1; t <= max_len; t++) {
        if (dec->step(dec->ctx, tok, score, rows, K, cand, cand_tok) != 0) {
            rc = -1;
            goto done;
        }
        int *tok_t = tokens + (size_t)t * rows, *par_t = parents + (size_t)t * rows;
        float *fin_t = finished + (size_t)t * rows;
        for (int n = 0; n < n_items; n++) {
            nn_topk_merge(K, cand + (size_t)n * K * K, cand_tok + (size_t)n * K * K, best, best_row,
                          best_tok);
            int any_eos = 0;
            for (int k = 0; k < K; k++) {
                int r = n * K + k;
                score[r] = best[k];
                tok_t[r] = best_tok[k];
                par_t[r] = best_row[k];
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
                    if (fin_t[r] > best_fin[n]) best_fin[n] = fin_t[r];
                }
            }
        }
        /* Every item settled: a finished hypothesis scores at least as much
         * as every open beam. An open beam's score never grows (log p <= 0
         * added), so nothing later can beat it, and a later tie loses to
         * the earlier hypothesis (the selection below): the reference's
         * remaining steps cannot change any answer, and are not run. */
        int settled = 1;
        for (int n = 0; n < n_items && settled; n++) {
            settled = best_fin[n] > -INFINITY;
            for (int k = 0; k < K && settled; k++) settled = score[n * K + k] <= best_fin[n];
        }
        if (settled) {
            last = t;
            break;
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
        for (int t = last + 1; t <= max_len + 1; t++) out[t] = WSD_EOS;
        for (int t = last; t >= 1; t--) {
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
    free(cand);
    free(cand_tok);
    free(tokens);
    free(parents);
    free(finished);
    free(has_finished);
    free(best_fin);
    return rc;
}
