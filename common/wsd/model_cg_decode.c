/* Caption generator decoding: the reference's beam search (beam.h drives it
 * through the step/reorder callbacks below) and greedy decoding. With mean
 * attention the contexts are per-segment constants (attention.py AttentionMask), computed once
 * per segment and shared by its beams. */
#include <stdlib.h>
#include <string.h>

#include "wsd/beam.h"
#include "wsd/model_cg_internal.h"
#include "base/util.h"

typedef struct {
    wsd_cg *cg;
    int rows;
    nn_tensor ctx_rep; /* (rows, C) */
    nn_tensor h, h2;   /* (layers, rows, H) */
    nn_tensor emb, logits;
    nn_gru_infer gru; /* the context projected once, weights packed */
} dec_state;

static void dec_free(dec_state *s) {
    nn_tensor *ts[] = {&s->ctx_rep, &s->h, &s->h2, &s->emb, &s->logits};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_gru_infer_free(&s->gru);
}

static void swap_hidden(dec_state *s) {
    nn_tensor t = s->h;
    s->h = s->h2;
    s->h2 = t;
}

/* One decoding step of all rows in one product each: embedding, GRU, output
 * layer; then each row's k best next tokens (nn_log_softmax_topk, the
 * log-softmax never written out) come back to the host. */
static int dec_step(void *ctx, const int *tokens, const float *score, int n_rows, int k,
                    float *best, int *idx) {
    dec_state *s = ctx;
    wsd_cg *cg = s->cg;
    if (nn_embedding_forward(&cg->emb, tokens, n_rows, &s->emb) ||
        nn_gru_infer_step(&cg->dec, &s->gru, &s->emb, &s->h, &s->h2))
        return -1;
    swap_hidden(s);
    nn_tensor top = nn_tensor_index(&s->h, cg->cfg.layers - 1);
    TRY(nn_linear_forward(&cg->out, &top, &s->logits));
    return nn_log_softmax_topk(&s->logits, score, k, best, idx);
}

static int dec_reorder(void *ctx, const int *src, int n_rows) {
    dec_state *s = ctx;
    int H = s->cg->cfg.hidden;
    for (int l = 0; l < s->cg->cfg.layers; l++) {
        nn_tensor from = nn_view2(&s->h, (size_t)l * n_rows * H, n_rows, H);
        nn_tensor to = nn_view2(&s->h2, (size_t)l * n_rows * H, n_rows, H);
        TRY(nn_gather_rows(&to, &from, src, n_rows));
    }
    swap_hidden(s);
    return 0;
}

/* Sets up K beams per segment from the contexts and initial states of nc
 * segments. */
static int dec_setup(dec_state *s, wsd_cg *cg, const wsd_cg_run *run, const nn_tensor *h0, int nc,
                     int K) {
    int H = cg->cfg.hidden, E = cg->cfg.embed, V = cg->cfg.vocab, layers = cg->cfg.layers;
    int C = cg->n_ctx * H, rows = nc * K;
    nn_device dev = cg->dev;
    s->cg = cg;
    s->rows = rows;
    nn_tensor_ensure2(&s->ctx_rep, dev, rows, C);
    int sh[3] = {layers, rows, H};
    nn_tensor_ensure(&s->h, dev, 3, sh);
    nn_tensor_ensure(&s->h2, dev, 3, sh);
    nn_tensor_ensure2(&s->emb, dev, rows, E);
    nn_tensor_ensure2(&s->logits, dev, rows, V);
    int *rep = wsd_malloc(sizeof(int) * rows);
    for (int r = 0; r < rows; r++) rep[r] = r / K;
    int rc = nn_gather_rows(&s->ctx_rep, &run->context, rep, rows);
    if (!rc) rc = nn_gru_infer_begin(&cg->dec, &s->ctx_rep, &s->gru);
    for (int l = 0; !rc && l < layers; l++) {
        nn_tensor from = nn_view2(h0, (size_t)l * nc * H, nc, H);
        nn_tensor to = nn_view2(&s->h, (size_t)l * rows * H, rows, H);
        rc = nn_gather_rows(&to, &from, rep, rows);
    }
    free(rep);
    return rc;
}

static int greedy(dec_state *s, int n, int max_len, int *ids, int *len) {
    int W = max_len + 2;
    int *tok = wsd_malloc(sizeof(int) * n), *best = wsd_malloc(sizeof(int) * n);
    float *logp = wsd_malloc(sizeof(float) * n);
    int rc = 0, open = n;
    for (int i = 0; i < n; i++) {
        tok[i] = WSD_BOS;
        ids[(size_t)i * W] = WSD_BOS;
        for (int t = 1; t < W; t++) ids[(size_t)i * W + t] = WSD_EOS;
        len[i] = W; /* no <eos> within max_len: one is appended, as the beam search does */
    }
    for (int t = 1; t <= max_len && open > 0; t++) {
        /* the first most probable token: the top 1 of the log-probabilities */
        if ((rc = dec_step(s, tok, NULL, n, 1, logp, best))) break;
        for (int i = 0; i < n; i++) {
            tok[i] = best[i];
            if (len[i] != W) continue; /* already ended */
            ids[(size_t)i * W + t] = best[i];
            if (best[i] == WSD_EOS) {
                len[i] = t + 1;
                open--;
            }
        }
    }
    free(tok);
    free(best);
    free(logp);
    return rc;
}

int wsd_cg_decode(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, const float *seg,
                  const int *gather, int n, int beam, int max_len, int chunk, int *out_ids,
                  int *out_len) {
    if (n <= 0) return 0;
    if (max_len < 1) return wsd_fail("caption generator: max length must be >= 1");
    if (chunk <= 0 || chunk > n) chunk = n;
    int K = beam < 1 ? 1 : beam, H = cg->cfg.hidden, layers = cg->cfg.layers, W = max_len + 2;
    nn_device dev = cg->dev;
    TRY(cg_encode(cg, run, b, 0, 0));
    run->have_grad_state = 0;
    nn_tensor segt = {0}, h0 = {0};
    dec_state s;
    memset(&s, 0, sizeof s);
    int rc = 0;
    for (int i0 = 0; i0 < n && !rc; i0 += chunk) {
        int nc = n - i0 < chunk ? n - i0 : chunk;
        nn_tensor_ensure2(&segt, dev, nc, 2);
        int sh[3] = {layers, nc, H};
        nn_tensor_ensure(&h0, dev, 3, sh);
        rc = nn_tensor_from_host(&segt, seg + 2 * i0, (size_t)2 * nc);
        if (!rc) rc = cg_segments(cg, run, b, seg + 2 * i0, &segt, gather + i0, nc, &h0, 0);
        if (!rc) rc = dec_setup(&s, cg, run, &h0, nc, K);
        if (rc) break;
        if (beam > 1) {
            wsd_beam_decoder d = {dec_step, dec_reorder, &s, cg->cfg.vocab};
            rc = wsd_beam_search(&d, nc, K, max_len, out_ids + (size_t)i0 * W, out_len + i0);
        } else {
            rc = greedy(&s, nc, max_len, out_ids + (size_t)i0 * W, out_len + i0);
        }
    }
    dec_free(&s);
    nn_tensor_free(&segt);
    nn_tensor_free(&h0);
    return rc;
}
