/* Multi-layer unidirectional GRU with PyTorch's gate equations and layout
 * (WSDEC model/networks/seq_encoder.py, RNNSeqEncoder): weight_ih_l{k} (3H, in_k), weight_hh_l{k}
 * (3H, H), bias_ih_l{k}, bias_hh_l{k} (3H), gate order r, z, n; n = tanh(W_in x + b_in + r ⊙ (W_hn
 * h + b_hn)),  h' = (1−z) ⊙ n + z ⊙ h. Inter-layer dropout p on the output of layer k before it
 * enters layer k+1, training only; hidden states are kept before dropout; none on the top layer.
 *
 * Two ways to run it:
 *  - nn_gru_seq_*: a whole (B, T, in) sequence (the encoders). Input
 *    projections of all steps are one GEMM per layer, then one hidden GEMM per
 *    step; the backward takes gradients w.r.t. the outputs and w.r.t. any of the
 *    per-step hidden states.
 *  - nn_gru_step_*: one step (the decoder, beam search), with an optional cache
 *    per step for back-propagation through time.
 * Hidden states are (layers, B, H), layer 0 first. */
#ifndef WSD_NN_GRU_H
#define WSD_NN_GRU_H

#include "nn/nn_param.h"
#include "nn/nn_rnn.h"

typedef struct {
    int in, hidden, layers;
    float dropout;
    nn_param *w_ih[NN_RNN_MAX_LAYERS], *w_hh[NN_RNN_MAX_LAYERS];
    nn_param *b_ih[NN_RNN_MAX_LAYERS], *b_hh[NN_RNN_MAX_LAYERS];
} nn_gru;

/* Registers "<prefix>.weight_ih_l0" … "<prefix>.bias_hh_l{L-1}" (prefix e.g.
 * "video_encoder.rnn"), all U(−1/√H, 1/√H) (nn_rnn_params_init, G = 3). */
int nn_gru_init(nn_gru *g, nn_params *ps, const char *prefix, int in, int hidden, int layers,
                float dropout, wsd_rng *rng, nn_device dev);

/* ---- one step ---- */

/* Everything the backward of one step needs. Zero-initialise ({0}); the
 * forward (re)allocates as needed, so reuse one cache per time step across
 * batches. */
typedef struct {
    int batch;
    nn_tensor x;        /* (B, in) copy of the step input */
    nn_tensor h_prev;   /* (layers, B, H) */
    nn_tensor gates;    /* (layers, B, 4H): r, z, n, W_hn h + b_hn */
    nn_tensor drop;     /* (layers-1, B, H) dropout masks */
    nn_tensor upper_in; /* (layers-1, B, H) dropped inputs of layers 1.. */
    int dropped;        /* dropout masks were applied */
} nn_gru_step_cache;

void nn_gru_step_cache_free(nn_gru_step_cache *c);

/* x (B, in), h_prev (layers, B, H) → h_next (layers, B, H); the top-layer output
 * is nn_tensor_index(h_next, layers-1). h_next must not alias h_prev. cache may
 * be NULL (inference); rng is used only when training with dropout > 0. */
int nn_gru_step_forward(const nn_gru *g, const nn_tensor *x, const nn_tensor *h_prev,
                        nn_tensor *h_next, int training, wsd_rng *rng, nn_gru_step_cache *cache);
/* dh: in = dL/dh_next (layers, B, H) including the gradient of the top output;
 * out = dL/dh_prev. Accumulates parameter gradients; dx += dL/dx when not NULL. */
int nn_gru_step_backward(const nn_gru *g, const nn_gru_step_cache *cache, nn_tensor *dh,
                         nn_tensor *dx);

/* ---- inference steps with a constant input part (decoding) ----
 * Input [x_t, xc] with xc (B, in − in_var) the same at every step (the
 * caption decoder's segment context): nn_gru_infer_begin projects xc once
 * (B rows) and packs the weights for the per-step products (when the backend
 * can); nn_gru_infer_step then runs one evaluation-mode step on x_t (B, in_var)
 * alone, with no allocation. Same result as nn_gru_step_forward on the
 * concatenated input, up to rounding. */
typedef struct {
    int B, in_var;
    nn_tensor pc;                         /* (B, 3H) xc·W_ih0[:, in_var:]ᵀ + b_ih0 */
    nn_tensor gi, gh;                     /* (B, 3H) scratch */
    nn_tensor pack_ih[NN_RNN_MAX_LAYERS]; /* W_ih (layer 0: its in_var columns)ᵀ packed */
    nn_tensor pack_hh[NN_RNN_MAX_LAYERS]; /* W_hhᵀ packed */
    int packed;                           /* the pack_* tensors are in use */
} nn_gru_infer;

int nn_gru_infer_begin(const nn_gru *g, const nn_tensor *xc, nn_gru_infer *s);
/* x (B, in_var), h_prev (layers, B, H) → h_next (layers, B, H), no aliasing. */
int nn_gru_infer_step(const nn_gru *g, nn_gru_infer *s, const nn_tensor *x, const nn_tensor *h_prev,
                      nn_tensor *h_next);
void nn_gru_infer_free(nn_gru_infer *s);

/* ---- whole sequence ---- */

typedef struct {
    int T, B;
    int in_var;                            /* input columns that change with t */
    nn_tensor x;                           /* (rows, in_var) the input in the row layout */
    nn_tensor xc;                          /* (B, in − in_var) the constant input */
    nn_tensor h[NN_RNN_MAX_LAYERS];        /* (B + rows, H): h_{-1}, then h_t by rows */
    nn_tensor gates[NN_RNN_MAX_LAYERS];    /* (rows, 4H): r, z, n, W_hn h + b_hn */
    nn_tensor drop[NN_RNN_MAX_LAYERS];     /* (rows, H) masks into layer k+1 */
    nn_tensor upper_in[NN_RNN_MAX_LAYERS]; /* (rows, H) dropped input of layer k+1 */
    nn_tensor work, work2, work3;          /* scratch */
    nn_tensor wpack;                       /* W_hh packed for the per-step products */
    nn_tensor dh;                          /* (2, B, H) backward scratch */
    nn_tensor dlow;  /* (rows, H) a paired pass's layer-0 gradient (nn_gru_seq_backward_pair) */
    nn_tensor grads; /* backward scratch: outside gradients in the row layout */
    nn_tensor hprev; /* backward scratch: each row's h_{t-1} */
    int dropped;     /* dropout masks were applied */
    /* The row layout of every per-row buffer above (x, h after its first B
     * rows, gates, drop, upper_in): step t's rows are off[t] … off[t] +
     * count[t] − 1, the count[t] sequences still running at t, longest
     * first (order). Without lengths: the identity, count[t] = B, off[t] =
     * t·B, i.e. (T, B, ·) time-major. */
    int packed;             /* some sequence is shorter than T */
    int rows;               /* Σ_t count[t] */
    int *len, *order, *inv; /* (B): lengths, order, inv[order[i]] = i */
    int *count;             /* (T) */
    int *off;               /* (T + 1) */
    int *src_row, *tb_row;  /* (rows) packed only: its row b·T + t, and t·B + b */
    int *prev_row;          /* (rows) packed only: the row of h holding its h_{t-1} */
} nn_gru_seq_cache;

void nn_gru_seq_cache_free(nn_gru_seq_cache *c);

/* x (B, T, in); h0 (layers, B, H) or NULL for zeros. Outputs (either may be
 * NULL): out (B, T, H) top-layer outputs; hs (layers, B, T, H) every hidden
 * state of every layer. Padding is not skipped (seq_encoder.py RNNSeqEncoder._forward). cache may
 * be NULL (inference). */
int nn_gru_seq_forward(const nn_gru *g, const nn_tensor *x, const nn_tensor *h0, nn_tensor *out,
                       nn_tensor *hs, int training, wsd_rng *rng, nn_gru_seq_cache *cache);
/* nn_gru_seq_forward where sequence b is len[b] steps long (1 …
 * T) and its rows t >= len[b] are padding: they are not computed (the
 * reference computes them and never reads them: every consumer masks them
 * or reads states before len[b]). out and hs hold zeros there, the backward
 * ignores the gradients arriving there and leaves dx there as it is; the
 * rest are the same bits as nn_gru_seq_forward (the same dropout masks
 * too), and the weight gradients the same up to rounding (sums over fewer
 * rows). len NULL: nn_gru_seq_forward. */
int nn_gru_seq_forward_len(const nn_gru *g, const nn_tensor *x, const int *len, const nn_tensor *h0,
                           nn_tensor *out, nn_tensor *hs, int training, wsd_rng *rng,
                           nn_gru_seq_cache *cache);
/* nn_gru_seq_forward from h0 = 0 whose layer 0 is copied from `same`, the
 * cache of a forward of this GRU with the same weights on the same x from
 * h0 = 0 (the caller guarantees it; shapes are checked): no dropout acts
 * inside layer 0, so its states are those bits whatever was drawn, and only
 * the layers above are computed (their dropout drawn from rng as in
 * nn_gru_seq_forward). cache is required and not `same`. The weakly
 * supervised cycle runs the localizer's video encoder twice per batch. */
int nn_gru_seq_forward_same0(const nn_gru *g, const nn_tensor *x, const nn_gru_seq_cache *same,
                             nn_tensor *out, nn_tensor *hs, int training, wsd_rng *rng,
                             nn_gru_seq_cache *cache);
/* dout (B, T, H) and/or dhs (layers, B, T, H) (either NULL). Accumulates
 * parameter gradients; dx (B, T, in) += when not NULL; dh0 (layers, B, H) +=
 * when not NULL. */
int nn_gru_seq_backward(const nn_gru *g, nn_gru_seq_cache *cache, const nn_tensor *dout,
                        const nn_tensor *dhs, nn_tensor *dx, nn_tensor *dh0);
/* The backward of two forwards on the same x whose layer 0 is shared
 * (second made by nn_gru_seq_forward_same0 from first): the layers above 0
 * of each, then layer 0 once with the sum of the gradients both send it,
 * instead of two layer-0 passes (the sum is linear, so the gradients are the
 * same up to rounding). dout/dhs as nn_gru_seq_backward for each; no dx or
 * dh0. */
int nn_gru_seq_backward_pair(const nn_gru *g, nn_gru_seq_cache *first, const nn_tensor *dout1,
                             const nn_tensor *dhs1, nn_gru_seq_cache *second,
                             const nn_tensor *dout2, const nn_tensor *dhs2);

/* ---- whole sequence, time-major (teacher-forced decoders) ----
 * Input [x_t, xc] with x (T, B, in_var) time-major and xc (B, in − in_var)
 * the same at every step (NULL: in_var = in), e.g. the caption generator's
 * word embeddings and segment context: the constant part is projected once
 * (B rows) instead of at every step, and its gradients go through the sum
 * over steps. Same equations, dropout draws and results (up to rounding) as
 * running nn_gru_step_forward T times on the concatenated input for up to 2
 * layers. A cache is required. */
int nn_gru_seq_forward_tm(const nn_gru *g, const nn_tensor *x, const nn_tensor *xc,
                          const nn_tensor *h0, int training, wsd_rng *rng, nn_gru_seq_cache *cache);
/* (T, B, H) view of the top layer's outputs of the last forward in the cache. */
nn_tensor nn_gru_seq_top_tm(const nn_gru *g, const nn_gru_seq_cache *cache);
/* dout (T, B, H) time-major (may be NULL). Accumulates parameter gradients;
 * dx (T, B, in_var), dxc (B, in − in_var), dh0 (layers, B, H) += when not NULL. */
int nn_gru_seq_backward_tm(const nn_gru *g, nn_gru_seq_cache *cache, const nn_tensor *dout,
                           nn_tensor *dx, nn_tensor *dxc, nn_tensor *dh0);

/* ---- whole sequence, by rows (teacher-forced decoders of sentences of
 * their own lengths) ----
 * nn_gru_seq_layout puts in the cache the row layout of T steps of B
 * sequences, sequence b running len[b] (1 … T) of them (len NULL: all T):
 * row c->off[t] + i is step t of sequence c->order[i], for i < c->count[t]
 * (the longest first). The caller puts its per-row inputs in that order;
 * nn_gru_seq_forward_rows is then nn_gru_seq_forward_tm on x (rows,
 * in_var) with the padding left out (xc and h0 in batch order), and
 * nn_gru_seq_backward_rows its backward with dout, dx (rows, ·) in the
 * layout and dxc, dh0 in batch order. Same results as the time-major
 * forward on the running rows, up to rounding in the weight gradients. */
int nn_gru_seq_layout(nn_gru_seq_cache *c, int T, int B, const int *len);
int nn_gru_seq_forward_rows(const nn_gru *g, const nn_tensor *x, const nn_tensor *xc,
                            const nn_tensor *h0, int training, wsd_rng *rng, nn_gru_seq_cache *c);
/* (rows, H) view of the top layer's outputs in the layout */
nn_tensor nn_gru_seq_top_rows(const nn_gru *g, const nn_gru_seq_cache *cache);
int nn_gru_seq_backward_rows(const nn_gru *g, nn_gru_seq_cache *c, const nn_tensor *dout,
                             nn_tensor *dx, nn_tensor *dxc, nn_tensor *dh0);

#endif
