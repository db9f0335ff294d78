/* The kernel interface a device implements (engine-internal; layer and model
 * code use nn_ops.h and the layer headers instead).
 *
 * All pointers are device memory of the backend except where marked "host".
 * Matrices are row-major with explicit leading dimensions. nn_cpu_backend is
 * OpenBLAS + plain loops (common/nn_ops_cpu.c); gpu/ provides the CUDA one
 * through nn_cuda_backend() when the build has it. Adding a device means
 * filling this table; nothing above it changes. */
#ifndef WSD_NN_BACKEND_H
#define WSD_NN_BACKEND_H

#include <stddef.h>

typedef enum { NN_ACT_SIGMOID = 0, NN_ACT_TANH = 1, NN_ACT_RELU = 2 } nn_act;

typedef struct nn_backend {
    const char *name;
    /* memory */
    /* n floats, zeroed; NULL with wsd_fail (the reason) when out of memory */
    float *(*alloc)(size_t n);
    void (*release)(float *p);
    void (*fill)(float *p, size_t n, float v);
    void (*copy)(float *dst, const float *src, size_t n); /* device → device */
    void (*upload)(float *dst, const float *host_src, size_t n);
    void (*download)(float *host_dst, const float *src, size_t n);
    void (*sync)(void);
    /* BLAS */
    void (*gemm)(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc);
    /* Optional (NULL: the caller uses gemm): B (k × n) of a product repeated
     * many times (the recurrent steps), packed once. pack_size: floats of the
     * packed copy, 0 when unavailable; trans packs Bᵀ from (n × k, ldb).
     * gemm_packed: c (m × n) = a (m × k) · B + beta·c, then + bias (n
     * floats, NULL: none) on every row. */
    size_t (*pack_size)(int k, int n);
    void (*pack_b)(int k, int n, const float *b, int ldb, int trans, float *packed);
    void (*gemm_packed)(int m, int n, int k, const float *a, int lda, const float *packed,
                        float beta, const float *bias, float *c, int ldc);
    /* element-wise; acc: 1 = add into the output, 0 = overwrite */
    void (*axpy)(size_t n, float alpha, const float *x, float *y);
    void (*scale)(size_t n, float alpha, float *x);
    void (*mul)(size_t n, const float *a, const float *b, float *y, int acc);
    void (*add)(size_t n, const float *a, const float *b, float *y);
    void (*add_row_bias)(int rows, int cols, float *y, const float *bias);
    void (*sum_rows)(int rows, int cols, const float *x, float *out); /* out += Σ rows */
    void (*act)(nn_act f, size_t n, const float *x, float *y);
    void (*act_backward)(nn_act f, size_t n, const float *y, const float *dy, float *dx);
    /* dst[r, 0:cols] (=|+=) src[r, 0:cols] for r < rows */
    void (*copy2d)(int rows, int cols, const float *src, int lds, float *dst, int ldd, int acc);
    /* dst[i] (=) src[idx[i]] or, scatter, src... : rows of `width` floats; idx host */
    void (*gather_rows)(int n, int width, const float *src, const int *idx, float *dst);
    void (*scatter_rows_acc)(int n, int width, const float *src, const int *idx, float *dst);
    /* reductions, results on the host */
    double (*sum)(size_t n, const float *x);
    double (*dot)(size_t n, const float *a, const float *b);
    void (*argmax_rows)(int rows, int cols, const float *x, int *host_out);
    /* Σ_i Σ_j x_i[j]² over k arrays of n_i floats (x, n host arrays of device
     * pointers and sizes): one result, so one synchronisation for a norm */
    double (*sumsq_many)(int k, const float *const *x, const size_t *n);

    /* GRU cell, one layer, B rows. gi = W_ih x + b_ih, gh = W_hh h + b_hh
     * (B, 3H each, ld 3H; gi row stride ldgi). gates (B, 4H): r, z, n, gh_n. */
    void (*gru_cell_forward)(int B, int H, const float *gi, int ldgi, const float *gh,
                             const float *h_prev, float *h_next, float *gates);
    /* dh_next (B, H) → dgi, dgh (B, 3H; dgi row stride lddgi) and dh_prev (B, H)
     * = dh_next ⊙ z (the W_hh part is a GEMM done by the caller). */
    void (*gru_cell_backward)(int B, int H, const float *gates, const float *h_prev,
                              const float *dh_next, float *dgi, int lddgi, float *dgh,
                              float *dh_prev);
    /* LSTM cell: g = W_ih x + b_ih + W_hh h + b_hh (B, 4H) pre-activations
     * (overwritten with activated i, f, g, o); gates (B, 5H) keeps them and
     * tanh(c'). */
    void (*lstm_cell_forward)(int B, int H, const float *pre, const float *c_prev, float *h_next,
                              float *c_next, float *gates);
    /* dh, dc (B, H) of the outputs → dpre (B, 4H), dc_prev (B, H). */
    void (*lstm_cell_backward)(int B, int H, const float *gates, const float *c_prev,
                               const float *dh, const float *dc, float *dpre, float *dc_prev);

    /* rows of x (N, V): y = log_softmax (y may alias x) */
    void (*log_softmax)(int N, int V, const float *x, float *y);
    void (*log_softmax_backward)(int N, int V, const float *y, const float *dy, float *dx);
    /* Beam candidates of the rows of x (N, V) without writing log_softmax:
     * per row r the K best of log_softmax(x)[r, v] + score[r] (score host, N;
     * NULL adds nothing), each value the same float operations as
     * log_softmax's output plus the score, ranked as nn_topk_row ranks them;
     * best, idx: host, N·K. Returns its results to the host (a sync). */
    void (*log_softmax_topk)(int N, int V, const float *x, const float *score, int K, float *best,
                             int *idx);
    /* Σ_n w_n logp[n, t_n] (w, t host; w NULL = 1; rows with w == 0 skipped) */
    double (*nll_sum)(int N, int V, const float *logp, const int *target, const float *w);
    /* dlogp[n, t_n] += coef · w_n */
    void (*nll_backward)(int N, int V, const int *target, const float *w, float coef, float *dlogp);
    /* dlogits += coef · w_n · (exp(logp) − onehot(t_n)) */
    void (*softmax_nll_backward)(int N, int V, const float *logp, const int *target, const float *w,
                                 float coef, float *dlogits);
    /* Σ (a−b)² or Σ|a−b| (l1 = 1); da (may be NULL) += coef · d/da */
    double (*diff_loss)(int l1, size_t n, const float *a, const float *b, float coef, float *da);

    /* BatchNorm over (N, C). training: batch stats, running stats updated;
     * xhat (N, C) and inv_std (C) saved. */
    void (*batchnorm_forward)(int N, int C, const float *x, float *y, const float *gamma,
                              const float *beta, float *run_mean, float *run_var, float momentum,
                              float eps, int training, float *xhat, float *inv_std);
    void (*batchnorm_backward)(int N, int C, const float *xhat, const float *inv_std,
                               const float *gamma, const float *dy, int training, float *dx,
                               float *dgamma, float *dbeta);

    /* Attention over feats (B, T, D) with host row map gather (N; NULL = id).
     * mean: alpha = m/(Σm+δ), ctx = Σ alpha f; msum (N) saved. */
    void (*att_mean_forward)(int N, int T, int D, const float *feats, const int *gather,
                             const float *mask, float *alpha, float *msum, float *ctx);
    /* dfeats, dmask may be NULL */
    void (*att_mean_backward)(int N, int T, int D, const float *feats, const int *gather,
                              const float *mask, const float *msum, const float *ctx,
                              const float *dctx, float *dfeats, float *dmask);
    /* scores a_i = f'_i·u_n over positions with m != 0, alpha = softmax,
     * ctx = Σ alpha f'; f' = f + pe[floor(min(i/(Σm+δ), 1−δ)·P)] when pe (P, D)
     * is given (type2), else f. Rows with no valid position: alpha = ctx = 0. */
    void (*att_dot_forward)(int N, int T, int D, const float *feats, const int *gather,
                            const float *mask, const float *u, const float *pe, int pe_size,
                            float *alpha, float *ctx);
    /* → dfeats (+=, may be NULL), du (N, D, overwritten), dpe (+=, may be NULL) */
    void (*att_dot_backward)(int N, int T, int D, const float *feats, const int *gather,
                             const float *mask, const float *u, const float *pe, int pe_size,
                             const float *alpha, const float *ctx, const float *dctx, float *dfeats,
                             float *du, float *dpe);
    /* masks (N, T); seg (N, 2); valid may be NULL */
    void (*softmask_forward)(int kind, int N, int T, float K, const float *seg, const float *valid,
                             float *mask);
    void (*softmask_backward)(int kind, int N, int T, float K, const float *seg, const float *valid,
                              const float *dmask, float *dseg);
    /* hidden-state gather/scatter, see nn_hidden_gather */
    void (*hidden_gather)(int layers, int B, int T, int H, int n, const int *bidx, const int *tidx,
                          int layout, const float *hs, float *dst, int scatter);

    /* Video volumes (forward only: no backward exists for these two).
     * x (N, C, T, H, W) → y (N, K, T, H, W): 3×3×3 convolution, stride 1, zero
     * padding 1 on every axis; w (K, C, 3, 3, 3) as Caffe and PyTorch store it,
     * b (K); relu = 1 applies max(0, ·) to the output. */
    void (*conv3d_forward)(int N, int C, int T, int H, int W, int K, const float *x, const float *w,
                           const float *b, int relu, float *y);
    /* Max pooling (forward only) of x (N, C, T, H, W) into y (N, C, oT, oH, oW);
     * k, s, p (host, 3 each: t, h, w) are window, stride and padding; the output
     * size comes from nn_pool_out (Caffe's ceil rule). Windows are clipped to the
     * input, so padding never wins. */
    void (*maxpool3d_forward)(int N, int C, int T, int H, int W, const int *k, const int *s,
                              const int *p, int oT, int oH, int oW, const float *x, float *y);

    /* optimisers; first = 1 when the state is new */
    void (*sgd_update)(size_t n, float *p, const float *g, float *buf, int first, float lr,
                       float momentum, float wd);
    void (*adam_update)(size_t n, float *p, const float *g, float *m, float *v, long step, float lr,
                        float b1, float b2, float eps, float wd);
} nn_backend;

extern const nn_backend nn_cpu_backend;
/* The CPU video kernels (common/nn/nn_vol_cpu.c), entries of nn_cpu_backend.
 * nn_cpu_col_floats bounds the im2col / Winograd scratch of one chunk
 * (default 24 Mi floats); tests lower it to cover the frame-chunked paths.
 * The scratch is kept per calling thread between calls and only grows (about
 * 150 MiB for C3D at full width). */
extern size_t nn_cpu_col_floats;
/* 0: pick per layer (Winograd F(4,3) when C >= 16), 1: im2col, 2: Winograd;
 * tests and benchmarks force one. */
extern int nn_cpu_conv3d_algo;
void nn_cpu_conv3d_forward(int N, int C, int T, int H, int W, int K, const float *x, const float *w,
                           const float *b, int relu, float *y);
void nn_cpu_maxpool3d_forward(int N, int C, int T, int H, int W, const int *k, const int *s,
                              const int *p, int oT, int oH, int oW, const float *x, float *y);
/* NULL (with wsd_fail) when the build has no CUDA backend or no GPU answers. */
const nn_backend *nn_cuda_backend(void);
/* The backend of a device; never NULL for NN_CPU. It is the device's table
 * wrapped by nn_backend_counted (common/nn/nn_sync.c), which counts
 * host<->device synchronisations and uploads (nn_device_counters). */
const nn_backend *nn_backend_for(int device);
const nn_backend *nn_backend_counted(int device, const nn_backend *be);

#endif
