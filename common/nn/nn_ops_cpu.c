/* The CPU backend: matrix products through OpenBLAS, everything else as plain
 * loops over contiguous float32 with double accumulation for long sums. */
#include "nn/nn_backend.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nn/nn_gemm_small.h"
#include "nn/nn_threadpool.h"
#include "nn/nn_sgemm.h"
#include "nn/nn_topk.h"
#include "nn/nn_vmath.h"

#define DELTA 1e-4f

static float *cpu_alloc(size_t n) {
    float *p = calloc(n ? n : 1, sizeof(float));
    if (!p) wsd_fail("calloc: %s", strerror(errno));
    return p;
}
static void cpu_release(float *p) { free(p); }

/* ---- the large loops over the threads of the product pool
 * (nn_parallel_ranges): each range runs the plain loop on its indices, every
 * element computed as in one pass, so results do not depend on the thread
 * count. Below 2·GRAIN elements one thread does it all: waking the other costs
 * more than it saves. ---- */
#define GRAIN ((size_t)1 << 17)

typedef struct {
    float *y;
    const float *x, *b;
    float s, t, u;
    int acc, first, cols, ldx, ldy, rows;
    float *buf;
    int *ibuf;
} span;

/* the grain in rows of `cols` elements */
static size_t row_grain(int cols) { return GRAIN / (size_t)(cols > 0 ? cols : 1) + 1; }

static void fill_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    for (size_t i = lo; i < hi; i++) a->y[i] = a->s;
}
static void cpu_fill(float *p, size_t n, float v) {
    span a = {.y = p, .s = v};
    nn_parallel_ranges(n, GRAIN, fill_r, &a);
}
static void copy_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    memcpy(a->y + lo, a->x + lo, (hi - lo) * sizeof(float));
}
static void cpu_copy(float *dst, const float *src, size_t n) {
    if (dst == src || !n) return;
    if (dst + n <= src || src + n <= dst) {
        span a = {.y = dst, .x = src};
        nn_parallel_ranges(n, GRAIN, copy_r, &a);
    } else {
        memmove(dst, src, n * sizeof(float));
    }
}
static void cpu_sync(void) {}

/* products: OpenBLAS single-threaded, large ones split over the pool */
static void cpu_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                     const float *b, int ldb, float beta, float *c, int ldc) {
    nn_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static void cpu_gemm_packed(int m, int n, int k, const float *a, int lda, const float *packed,
                            float beta, const float *bias, float *c, int ldc) {
    nn_sgemm_small_packed_bias(m, n, k, a, lda, packed, beta, bias, c, ldc);
}

static void axpy_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    for (size_t i = lo; i < hi; i++) a->y[i] += a->s * a->x[i];
}
static void cpu_axpy(size_t n, float alpha, const float *x, float *y) {
    span a = {.y = y, .x = x, .s = alpha};
    nn_parallel_ranges(n, GRAIN, axpy_r, &a);
}
static void scale_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    for (size_t i = lo; i < hi; i++) a->y[i] *= a->s;
}
static void cpu_scale(size_t n, float alpha, float *x) {
    span a = {.y = x, .s = alpha};
    nn_parallel_ranges(n, GRAIN, scale_r, &a);
}
static void mul_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    if (a->acc)
        for (size_t i = lo; i < hi; i++) a->y[i] += a->x[i] * a->b[i];
    else
        for (size_t i = lo; i < hi; i++) a->y[i] = a->x[i] * a->b[i];
}
static void cpu_mul(size_t n, const float *a, const float *b, float *y, int acc) {
    span s = {.y = y, .x = a, .b = b, .acc = acc};
    nn_parallel_ranges(n, GRAIN, mul_r, &s);
}
static void add_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    for (size_t i = lo; i < hi; i++) a->y[i] = a->x[i] + a->b[i];
}
static void cpu_add(size_t n, const float *a, const float *b, float *y) {
    span s = {.y = y, .x = a, .b = b};
    nn_parallel_ranges(n, GRAIN, add_r, &s);
}
static void row_bias_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    for (size_t r = lo; r < hi; r++) {
        float *row = a->y + r * (size_t)a->cols;
        for (int j = 0; j < a->cols; j++) row[j] += a->b[j];
    }
}
static void cpu_add_row_bias(int rows, int cols, float *y, const float *bias) {
    span a = {.y = y, .b = bias, .cols = cols};
    nn_parallel_ranges((size_t)rows, row_grain(cols), row_bias_r, &a);
}
/* columns [lo, hi): each column summed over the rows in order, in double */
static void sum_rows_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    double *acc = wsd_calloc(hi - lo, sizeof(double));
    nn_vacc_rows(a->rows, hi - lo, a->x + lo, (size_t)a->cols, acc);
    for (size_t j = lo; j < hi; j++) a->y[j] += (float)acc[j - lo];
    free(acc);
}
static void cpu_sum_rows(int rows, int cols, const float *x, float *out) {
    span a = {.y = out, .x = x, .rows = rows, .cols = cols};
    nn_parallel_ranges((size_t)cols, GRAIN / (size_t)(rows > 0 ? rows : 1) + 1, sum_rows_r, &a);
}

static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

static void cpu_act(nn_act f, size_t n, const float *x, float *y) {
    switch (f) {
    case NN_ACT_SIGMOID: nn_vsigmoidf(n, x, y); break;
    case NN_ACT_TANH: nn_vtanhf(n, x, y); break;
    case NN_ACT_RELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
        break;
    }
}
static void cpu_act_backward(nn_act f, size_t n, const float *y, const float *dy, float *dx) {
    switch (f) {
    case NN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
        break;
    case NN_ACT_TANH:
        for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
        break;
    case NN_ACT_RELU:
        for (size_t i = 0; i < n; i++) dx[i] += y[i] > 0 ? dy[i] : 0;
        break;
    }
}

static void copy2d_r(void *p, size_t lo, size_t hi) {
    span *a = p;
    for (size_t r = lo; r < hi; r++) {
        const float *s = a->x + r * (size_t)a->ldx;
        float *d = a->y + r * (size_t)a->ldy;
        if (a->acc)
            for (int j = 0; j < a->cols; j++) d[j] += s[j];
        else
            memmove(d, s, (size_t)a->cols * sizeof(float));
    }
}
static void cpu_copy2d(int rows, int cols, const float *src, int lds, float *dst, int ldd,
                       int acc) {
    span a = {.y = dst, .x = src, .cols = cols, .ldx = lds, .ldy = ldd, .acc = acc};
    /* rows may overlap only in place-style moves within a row: in order then */
    const float *s_end = src + (size_t)(rows - 1) * lds + cols,
                *d_end = dst + (size_t)(rows - 1) * ldd + cols;
    if (rows > 0 && (d_end <= src || s_end <= dst))
        nn_parallel_ranges((size_t)rows, row_grain(cols), copy2d_r, &a);
    else
        copy2d_r(&a, 0, rows > 0 ? (size_t)rows : 0);
}
static void cpu_gather_rows(int n, int width, const float *src, const int *idx, float *dst) {
    for (int i = 0; i < n; i++)
        memcpy(dst + (size_t)i * width, src + (size_t)idx[i] * width,
               (size_t)width * sizeof(float));
}
static void cpu_scatter_rows_acc(int n, int width, const float *src, const int *idx, float *dst) {
    for (int i = 0; i < n; i++) {
        const float *s = src + (size_t)i * width;
        float *d = dst + (size_t)idx[i] * width;
        for (int j = 0; j < width; j++) d[j] += s[j];
    }
}

static double cpu_sum(size_t n, const float *x) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s;
}
static double cpu_dot(size_t n, const float *a, const float *b) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}
/* Σ over the tensors of each one's sum of squares: each tensor's sum on one
 * thread in its order, the tensors shared out in contiguous parts of about
 * equal size, the k sums added in order: the bits of one pass. */
#define SUMSQ_PARTS 8
typedef struct {
    const float *const *x;
    const size_t *n;
    double *dots;
    int first[SUMSQ_PARTS + 1];
} sumsq_job;
static void sumsq_r(void *p, size_t lo, size_t hi) {
    const sumsq_job *a = p;
    for (int i = a->first[lo]; i < a->first[hi]; i++)
        a->dots[i] = cpu_dot(a->n[i], a->x[i], a->x[i]);
}
static double cpu_sumsq_many(int k, const float *const *x, const size_t *n) {
    sumsq_job a = {x, n, wsd_calloc((size_t)(k > 0 ? k : 1), sizeof(double)), {0}};
    int parts = nn_threadpool_threads();
    if (parts > SUMSQ_PARTS) parts = SUMSQ_PARTS;
    if (parts < 1) parts = 1;
    size_t total = 0, acc = 0;
    for (int i = 0; i < k; i++) total += n[i];
    for (int p = 1, i = 0; p < parts; p++) {
        while (i < k && acc * (size_t)parts < total * (size_t)p) acc += n[i++];
        a.first[p] = i;
    }
    a.first[parts] = k;
    if (total < 2 * GRAIN || parts < 2)
        sumsq_r(&a, 0, (size_t)parts);
    else
        nn_threadpool_run(parts, (size_t)parts, 1, sumsq_r, &a);
    double s = 0;
    for (int i = 0; i < k; i++) s += a.dots[i];
    free(a.dots);
    return s;
}
static void argmax_r(void *p, size_t lo, size_t hi) {
    const span *a = p;
    for (size_t r = lo; r < hi; r++) {
        const float *row = a->x + r * (size_t)a->cols;
        int best = 0;
        for (int j = 1; j < a->cols; j++)
            if (row[j] > row[best]) best = j;
        a->ibuf[r] = best;
    }
}
static void cpu_argmax_rows(int rows, int cols, const float *x, int *out) {
    span a = {.x = x, .cols = cols, .ibuf = out};
    nn_parallel_ranges((size_t)rows, row_grain(cols), argmax_r, &a);
}

/* ---- recurrent cells ---- */

/* vectorised exp/tanh/sigmoid (nn_vmath.h states their error bounds) */
/* The GRU cell, its rows split over the pool (a time step of a batch: 36 rows
 * of 512 units, tens of microseconds between two products) */
typedef struct {
    int H, ld;
    const float *gi, *gh, *hp, *gates, *dh;
    float *hn, *gates_out, *dgi, *dgh, *dhp;
} gru_rows;
#define GRU_GRAIN_UNITS 4096 /* units of a range */
static size_t gru_grain(int H) { return (size_t)(GRU_GRAIN_UNITS / (H > 0 ? H : 1) + 1); }

static void gru_fwd_r(void *p, size_t lo, size_t hi) {
    const gru_rows *a = p;
    int H = a->H;
    nn_vgru_cell_forward((int)(hi - lo), H, a->gi + lo * a->ld, a->ld, a->gh + lo * 3 * H,
                         a->hp + lo * H, a->hn + lo * H,
                         a->gates_out ? a->gates_out + lo * 4 * H : NULL);
}
static void cpu_gru_cell_forward(int B, int H, const float *gi, int ldgi, const float *gh,
                                 const float *h_prev, float *h_next, float *gates) {
    gru_rows a = {
        .H = H, .ld = ldgi, .gi = gi, .gh = gh, .hp = h_prev, .hn = h_next, .gates_out = gates};
    nn_parallel_ranges((size_t)B, gru_grain(H), gru_fwd_r, &a);
}

static void gru_bwd_r(void *p, size_t lo, size_t hi) {
    const gru_rows *a = p;
    int H = a->H;
    nn_vgru_cell_backward((int)(hi - lo), H, a->gates + lo * 4 * H, a->hp + lo * H, a->dh + lo * H,
                          a->dgi + lo * a->ld, a->ld, a->dgh + lo * 3 * H, a->dhp + lo * H);
}
static void cpu_gru_cell_backward(int B, int H, const float *gates, const float *h_prev,
                                  const float *dh_next, float *dgi, int lddgi, float *dgh,
                                  float *dh_prev) {
    gru_rows a = {.H = H,
                  .ld = lddgi,
                  .gates = gates,
                  .hp = h_prev,
                  .dh = dh_next,
                  .dgi = dgi,
                  .dgh = dgh,
                  .dhp = dh_prev};
    nn_parallel_ranges((size_t)B, gru_grain(H), gru_bwd_r, &a);
}

/* The gate non-linearities through nn_vmath (vectorised, the bounds of
 * nn_vmath.h), a row at a time: i and f (contiguous), g, o, then tanh(c). */
static void cpu_lstm_cell_forward(int B, int H, const float *pre, const float *c_prev,
                                  float *h_next, float *c_next, float *gates) {
    float *tmp = gates ? NULL : wsd_malloc(sizeof(float) * 5 * (size_t)(H > 0 ? H : 1));
    for (int b = 0; b < B; b++) {
        const float *p = pre + (size_t)b * 4 * H, *cp = c_prev + (size_t)b * H;
        float *hn = h_next + (size_t)b * H, *cn = c_next + (size_t)b * H;
        float *g = gates ? gates + (size_t)b * 5 * H : tmp;
        nn_vsigmoidf(2 * (size_t)H, p, g);             /* i, f */
        nn_vtanhf((size_t)H, p + 2 * H, g + 2 * H);    /* g */
        nn_vsigmoidf((size_t)H, p + 3 * H, g + 3 * H); /* o */
        for (int j = 0; j < H; j++) {
            float c = g[H + j] * cp[j] + g[j] * g[2 * H + j];
            cn[j] = c;
            g[4 * H + j] = c;
        }
        nn_vtanhf((size_t)H, g + 4 * H, g + 4 * H); /* tanh(c) */
        for (int j = 0; j < H; j++) hn[j] = g[3 * H + j] * g[4 * H + j];
    }
    free(tmp);
}

static void cpu_lstm_cell_backward(int B, int H, const float *gates, const float *c_prev,
                                   const float *dh, const float *dc, float *dpre, float *dc_prev) {
    for (int b = 0; b < B; b++) {
        const float *g = gates + (size_t)b * 5 * H, *cp = c_prev + (size_t)b * H;
        const float *dhb = dh + (size_t)b * H, *dcb = dc + (size_t)b * H;
        float *dp = dpre + (size_t)b * 4 * H, *dcp = dc_prev + (size_t)b * H;
        for (int j = 0; j < H; j++) {
            float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j], tc = g[4 * H + j];
            float dct = dcb[j] + dhb[j] * o * (1 - tc * tc);
            dp[j] = dct * gg * i * (1 - i);
            dp[H + j] = dct * cp[j] * f * (1 - f);
            dp[2 * H + j] = dct * i * (1 - gg * gg);
            dp[3 * H + j] = dhb[j] * tc * o * (1 - o);
            dcp[j] = dct * f;
        }
    }
}

/* ---- softmax and losses ---- */

/* log Σ_j exp x_j of a row: the normaliser log_softmax subtracts */
static float row_lse(int V, const float *xr) {
    float mx = nn_row_max(V, xr);
    double s = nn_sum_exp_shift((size_t)V, xr, mx); /* Σ exp in double */
    return mx + (float)log(s);
}
/* rows over the pool (each row alone, whatever the split) */
typedef struct {
    int V;
    const float *x, *w;
    const int *target;
    float coef, *y;
} rows_job;
static void log_softmax_r(void *p, size_t lo, size_t hi) {
    const rows_job *a = p;
    for (size_t n = lo; n < hi; n++) {
        const float *xr = a->x + n * a->V;
        float *yr = a->y + n * a->V;
        float lse = row_lse(a->V, xr);
        for (int j = 0; j < a->V; j++) yr[j] = xr[j] - lse;
    }
}
static void cpu_log_softmax(int N, int V, const float *x, float *y) {
    rows_job a = {.V = V, .x = x, .y = y};
    nn_parallel_ranges((size_t)N, row_grain(V), log_softmax_r, &a);
}
/* rows split over the pool: each row is computed alone, whatever the split */
typedef struct {
    int V, K;
    const float *x, *score;
    float *best;
    int *idx;
} topk_job;
static void log_softmax_topk_r(void *p, size_t lo, size_t hi) {
    const topk_job *a = p;
    for (size_t n = lo; n < hi; n++) {
        const float *xr = a->x + n * a->V;
        nn_topk_row(a->V, xr, row_lse(a->V, xr), a->score ? a->score + n : NULL, a->K,
                    a->best + n * a->K, a->idx + n * a->K);
    }
}
static void cpu_log_softmax_topk(int N, int V, const float *x, const float *score, int K,
                                 float *best, int *idx) {
    topk_job a = {V, K, x, score, best, idx};
    /* a row costs ~V double exps: a few rows are worth the second thread */
    nn_parallel_ranges((size_t)N, (size_t)(1 << 15) / (size_t)(V > 0 ? V : 1) + 1,
                       log_softmax_topk_r, &a);
}
static void cpu_log_softmax_backward(int N, int V, const float *y, const float *dy, float *dx) {
    for (int n = 0; n < N; n++) {
        const float *yr = y + (size_t)n * V, *dyr = dy + (size_t)n * V;
        float *dxr = dx + (size_t)n * V;
        double s = 0;
        for (int j = 0; j < V; j++) s += dyr[j];
        for (int j = 0; j < V; j++) dxr[j] += dyr[j] - expf(yr[j]) * (float)s;
    }
}
static double cpu_nll_sum(int N, int V, const float *logp, const int *target, const float *w) {
    double s = 0;
    for (int n = 0; n < N; n++) {
        float wn = w ? w[n] : 1.0f;
        if (wn == 0) continue;
        s += (double)wn * logp[(size_t)n * V + target[n]];
    }
    return s;
}
static void cpu_nll_backward(int N, int V, const int *target, const float *w, float coef,
                             float *dlogp) {
    for (int n = 0; n < N; n++) {
        float wn = w ? w[n] : 1.0f;
        if (wn == 0) continue;
        dlogp[(size_t)n * V + target[n]] += coef * wn;
    }
}
static void softmax_nll_backward_r(void *arg, size_t lo, size_t hi) {
    const rows_job *a = arg;
    int V = a->V;
    float *p = wsd_malloc(sizeof(float) * (V ? V : 1));
    for (size_t n = lo; n < hi; n++) {
        float wn = a->w ? a->w[n] : 1.0f;
        if (wn == 0) continue;
        float *dr = a->y + n * V;
        float c = a->coef * wn;
        nn_vexpf((size_t)V, a->x + n * V, p);
        for (int j = 0; j < V; j++) dr[j] += c * p[j];
        dr[a->target[n]] -= c;
    }
    free(p);
}
static void cpu_softmax_nll_backward(int N, int V, const float *logp, const int *target,
                                     const float *w, float coef, float *dlogits) {
    rows_job a = {.V = V, .x = logp, .w = w, .target = target, .coef = coef, .y = dlogits};
    nn_parallel_ranges((size_t)N, row_grain(V), softmax_nll_backward_r, &a);
}
static double cpu_diff_loss(int l1, size_t n, const float *a, const float *b, float coef,
                            float *da) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        float d = a[i] - b[i];
        if (l1) {
            s += fabsf(d);
            if (da) da[i] += coef * (float)((d > 0) - (d < 0));
        } else {
            s += (double)d * d;
            if (da) da[i] += coef * 2 * d;
        }
    }
    return s;
}

/* ---- BatchNorm ---- */

static void cpu_batchnorm_forward(int N, int C, const float *x, float *y, const float *gamma,
                                  const float *beta, float *run_mean, float *run_var,
                                  float momentum, float eps, int training, float *xhat,
                                  float *inv_std) {
    for (int c = 0; c < C; c++) {
        float mean, istd;
        if (training) {
            double s = 0, ss = 0;
            for (int n = 0; n < N; n++) s += x[(size_t)n * C + c];
            double m = s / N;
            for (int n = 0; n < N; n++) {
                double d = x[(size_t)n * C + c] - m;
                ss += d * d;
            }
            double var = ss / N;
            mean = (float)m;
            istd = (float)(1.0 / sqrt(var + eps));
            run_mean[c] = (1 - momentum) * run_mean[c] + momentum * (float)m;
            run_var[c] =
                (1 - momentum) * run_var[c] + momentum * (float)(N > 1 ? ss / (N - 1) : var);
        } else {
            mean = run_mean[c];
            istd = 1.0f / sqrtf(run_var[c] + eps);
        }
        if (inv_std) inv_std[c] = istd;
        for (int n = 0; n < N; n++) {
            size_t k = (size_t)n * C + c;
            float xh = (x[k] - mean) * istd;
            if (xhat) xhat[k] = xh;
            y[k] = gamma[c] * xh + beta[c];
        }
    }
}

static void cpu_batchnorm_backward(int N, int C, const float *xhat, const float *inv_std,
                                   const float *gamma, const float *dy, int training, float *dx,
                                   float *dgamma, float *dbeta) {
    for (int c = 0; c < C; c++) {
        double sdy = 0, sdyx = 0;
        for (int n = 0; n < N; n++) {
            size_t k = (size_t)n * C + c;
            sdy += dy[k];
            sdyx += (double)dy[k] * xhat[k];
        }
        if (dgamma) dgamma[c] += (float)sdyx;
        if (dbeta) dbeta[c] += (float)sdy;
        if (!dx) continue;
        float g = gamma[c] * inv_std[c];
        if (training) {
            float mdy = (float)(sdy / N), mdyx = (float)(sdyx / N);
            for (int n = 0; n < N; n++) {
                size_t k = (size_t)n * C + c;
                dx[k] += g * (dy[k] - mdy - xhat[k] * mdyx);
            }
        } else {
            for (int n = 0; n < N; n++) {
                size_t k = (size_t)n * C + c;
                dx[k] += g * dy[k];
            }
        }
    }
}

/* ---- attention ---- */

static const float *feat_row(const float *feats, const int *gather, int n, int T, int D) {
    return feats + (size_t)(gather ? gather[n] : n) * T * D;
}
static float *dfeat_row(float *dfeats, const int *gather, int n, int T, int D) {
    return dfeats + (size_t)(gather ? gather[n] : n) * T * D;
}

typedef struct {
    int T, D;
    const float *feats, *mask;
    const int *gather;
    float *alpha, *msum, *ctx;
} att_mean_fwd_job;
/* rows lo … hi−1 (each row its own) */
static void att_mean_forward_r(void *p, size_t lo, size_t hi) {
    const att_mean_fwd_job *a = p;
    int T = a->T, D = a->D;
    double *acc = wsd_calloc(D ? D : 1, sizeof(double));
    for (int n = (int)lo; n < (int)hi; n++) {
        const float *f = feat_row(a->feats, a->gather, n, T, D), *m = a->mask + (size_t)n * T;
        double s = 0;
        for (int t = 0; t < T; t++) s += m[t];
        float denom = (float)s + DELTA;
        if (a->msum) a->msum[n] = (float)s;
        memset(acc, 0, (size_t)D * sizeof(double));
        for (int t = 0; t < T; t++) {
            float w = m[t] / denom;
            if (a->alpha) a->alpha[(size_t)n * T + t] = w;
            if (m[t] == 0) continue;
            const float *ft = f + (size_t)t * D;
            for (int d = 0; d < D; d++) acc[d] += (double)m[t] * ft[d];
        }
        for (int d = 0; d < D; d++) a->ctx[(size_t)n * D + d] = (float)(acc[d] / denom);
    }
    free(acc);
}
static void cpu_att_mean_forward(int N, int T, int D, const float *feats, const int *gather,
                                 const float *mask, float *alpha, float *msum, float *ctx) {
    att_mean_fwd_job a = {T, D, feats, mask, gather, alpha, msum, ctx};
    nn_parallel_ranges((size_t)N, row_grain(T * D), att_mean_forward_r, &a);
}

typedef struct {
    int T, D;
    const float *feats, *ctx, *dctx, *msum;
    const int *gather;
    float *dmask;
} att_mean_job;
/* the mask's gradient of rows lo … hi−1 (each row its own) */
static void att_mean_dmask_r(void *p, size_t lo, size_t hi) {
    const att_mean_job *a = p;
    int T = a->T, D = a->D;
    for (int n = (int)lo; n < (int)hi; n++) {
        const float *f = feat_row(a->feats, a->gather, n, T, D);
        const float *dc = a->dctx + (size_t)n * D, *c = a->ctx + (size_t)n * D;
        float denom = a->msum[n] + DELTA;
        double dcc = 0;
        for (int d = 0; d < D; d++) dcc += (double)dc[d] * c[d];
        for (int t = 0; t < T; t++) {
            const float *ft = f + (size_t)t * D;
            double dot = 0;
            for (int d = 0; d < D; d++) dot += (double)dc[d] * ft[d];
            a->dmask[(size_t)n * T + t] += (float)((dot - dcc) / denom);
        }
    }
}
typedef struct {
    int N, T, D;
    const int *gather;
    const float *mask, *msum, *dctx;
    float *dfeats;
} att_mean_dfeat_job;
/* the features' gradient, columns lo … hi−1: rows of one video share targets,
 * so every column adds its rows in row order whatever the split */
static void att_mean_dfeats_r(void *p, size_t lo, size_t hi) {
    const att_mean_dfeat_job *a = p;
    int T = a->T, D = a->D;
    for (int n = 0; n < a->N; n++) {
        const float *m = a->mask + (size_t)n * T, *dc = a->dctx + (size_t)n * D;
        float denom = a->msum[n] + DELTA;
        for (int t = 0; t < T; t++) {
            if (m[t] == 0) continue;
            float *dft = dfeat_row(a->dfeats, a->gather, n, T, D) + (size_t)t * D;
            float w = m[t] / denom;
            for (size_t d = lo; d < hi; d++) dft[d] += w * dc[d];
        }
    }
}
static void cpu_att_mean_backward(int N, int T, int D, const float *feats, const int *gather,
                                  const float *mask, const float *msum, const float *ctx,
                                  const float *dctx, float *dfeats, float *dmask) {
    if (dmask) {
        att_mean_job a = {T, D, feats, ctx, dctx, msum, gather, dmask};
        nn_parallel_ranges((size_t)N, row_grain(T * D), att_mean_dmask_r, &a);
    }
    if (dfeats) {
        att_mean_dfeat_job a = {N, T, D, gather, mask, msum, dctx, dfeats};
        nn_parallel_ranges((size_t)D, GRAIN / ((size_t)N * T + 1) + 1, att_mean_dfeats_r, &a);
    }
}

/* Index of the type2 position embedding of step t of a row with mask sum s. */
static int pe_index(int t, double s, int pe_size) {
    double r = t / (s + DELTA);
    if (r > 1 - DELTA) r = 1 - DELTA;
    int k = (int)floor(r * pe_size);
    return k < 0 ? 0 : k >= pe_size ? pe_size - 1 : k;
}

static double mask_sum(const float *m, int T) {
    double s = 0;
    for (int t = 0; t < T; t++) s += m[t];
    return s;
}

static void cpu_att_dot_forward(int N, int T, int D, const float *feats, const int *gather,
                                const float *mask, const float *u, const float *pe, int pe_size,
                                float *alpha, float *ctx) {
    float *fp = pe ? wsd_malloc((size_t)D * sizeof(float)) : NULL;
    for (int n = 0; n < N; n++) {
        const float *f = feat_row(feats, gather, n, T, D), *m = mask + (size_t)n * T;
        const float *un = u + (size_t)n * D;
        float *al = alpha + (size_t)n * T, *c = ctx + (size_t)n * D;
        double ms = pe ? mask_sum(m, T) : 0;
        float mx = -INFINITY;
        for (int t = 0; t < T; t++) {
            if (m[t] == 0) {
                al[t] = -INFINITY;
                continue;
            }
            const float *ft = f + (size_t)t * D;
            double a = 0;
            if (pe) {
                const float *p = pe + (size_t)pe_index(t, ms, pe_size) * D;
                for (int d = 0; d < D; d++) a += (double)(ft[d] + p[d]) * un[d];
            } else {
                for (int d = 0; d < D; d++) a += (double)ft[d] * un[d];
            }
            al[t] = (float)a;
            if (al[t] > mx) mx = al[t];
        }
        memset(c, 0, (size_t)D * sizeof(float));
        if (mx == -INFINITY) {
            for (int t = 0; t < T; t++) al[t] = 0;
            continue;
        }
        double s = 0;
        for (int t = 0; t < T; t++) {
            al[t] = m[t] == 0 ? 0 : expf(al[t] - mx);
            s += al[t];
        }
        for (int t = 0; t < T; t++) {
            al[t] = (float)(al[t] / s);
            if (al[t] == 0) continue;
            const float *ft = f + (size_t)t * D;
            if (pe) {
                const float *p = pe + (size_t)pe_index(t, ms, pe_size) * D;
                for (int d = 0; d < D; d++) c[d] += al[t] * (ft[d] + p[d]);
            } else {
                for (int d = 0; d < D; d++) c[d] += al[t] * ft[d];
            }
        }
    }
    free(fp);
}

static void cpu_att_dot_backward(int N, int T, int D, const float *feats, const int *gather,
                                 const float *mask, const float *u, const float *pe, int pe_size,
                                 const float *alpha, const float *ctx, const float *dctx,
                                 float *dfeats, float *du, float *dpe) {
    (void)ctx;
    float *da = wsd_malloc((size_t)(T ? T : 1) * sizeof(float));
    for (int n = 0; n < N; n++) {
        const float *f = feat_row(feats, gather, n, T, D), *m = mask + (size_t)n * T;
        const float *un = u + (size_t)n * D, *al = alpha + (size_t)n * T;
        const float *dc = dctx + (size_t)n * D;
        float *dun = du + (size_t)n * D;
        double ms = pe ? mask_sum(m, T) : 0;
        double s = 0;
        for (int t = 0; t < T; t++) {
            da[t] = 0;
            if (al[t] == 0) continue;
            const float *ft = f + (size_t)t * D;
            const float *p = pe ? pe + (size_t)pe_index(t, ms, pe_size) * D : NULL;
            double dot = 0;
            for (int d = 0; d < D; d++) dot += (double)dc[d] * (ft[d] + (p ? p[d] : 0));
            da[t] = (float)dot;
            s += al[t] * dot;
        }
        memset(dun, 0, (size_t)D * sizeof(float));
        for (int t = 0; t < T; t++) {
            if (al[t] == 0) continue;
            float g = al[t] * (da[t] - (float)s);
            const float *ft = f + (size_t)t * D;
            const float *p = pe ? pe + (size_t)pe_index(t, ms, pe_size) * D : NULL;
            for (int d = 0; d < D; d++) dun[d] += g * (ft[d] + (p ? p[d] : 0));
            float *dft = dfeats ? dfeat_row(dfeats, gather, n, T, D) + (size_t)t * D : NULL;
            float *dp = dpe ? dpe + (size_t)pe_index(t, ms, pe_size) * D : NULL;
            for (int d = 0; d < D; d++) {
                float v = al[t] * dc[d] + g * un[d];
                if (dft) dft[d] += v;
                if (dp) dp[d] += v;
            }
        }
    }
    free(da);
}

/* ---- soft masks ---- */

static void cpu_softmask_forward(int kind, int N, int T, float K, const float *seg,
                                 const float *valid, float *mask) {
    for (int n = 0; n < N; n++) {
        float c = seg[2 * n], w = seg[2 * n + 1];
        for (int t = 0; t < T; t++) {
            float a = sigmoidf(K * (t - c + w / 2)), b = sigmoidf(K * (t - c - w / 2));
            float v = kind == 0 ? a - b : kind == 1 ? sigmoidf(-K * (t - c + w / 2)) : b;
            mask[(size_t)n * T + t] = valid ? v * valid[(size_t)n * T + t] : v;
        }
    }
}

static void cpu_softmask_backward(int kind, int N, int T, float K, const float *seg,
                                  const float *valid, const float *dmask, float *dseg) {
    for (int n = 0; n < N; n++) {
        float c = seg[2 * n], w = seg[2 * n + 1];
        double dc = 0, dw = 0;
        for (int t = 0; t < T; t++) {
            float g = dmask[(size_t)n * T + t] * (valid ? valid[(size_t)n * T + t] : 1.0f);
            if (g == 0) continue;
            float a = sigmoidf(K * (t - c + w / 2)), b = sigmoidf(K * (t - c - w / 2));
            float da = K * a * (1 - a), db = K * b * (1 - b); /* d/d(argument/K·K) */
            if (kind == 0) {                                  /* a − b */
                dc += g * (-da + db);
                dw += g * (da + db) / 2;
            } else if (kind == 1) { /* 1 − a */
                dc += g * da;
                dw += g * -da / 2;
            } else { /* b */
                dc += g * -db;
                dw += g * -db / 2;
            }
        }
        dseg[2 * n] += (float)dc;
        dseg[2 * n + 1] += (float)dw;
    }
}

static void cpu_hidden_gather(int layers, int B, int T, int H, int n, const int *bidx,
                              const int *tidx, int layout, const float *hs, float *dst,
                              int scatter) {
    for (int l = 0; l < layers; l++)
        for (int i = 0; i < n; i++) {
            float *s = (float *)hs + (((size_t)l * B + bidx[i]) * T + tidx[i]) * H;
            float *d = dst + (layout == 0 ? ((size_t)l * n + i) * H : ((size_t)i * layers + l) * H);
            if (scatter)
                for (int k = 0; k < H; k++) s[k] += d[k];
            else
                memcpy(d, s, (size_t)H * sizeof(float));
        }
}

static void sgd_r(void *v, size_t lo, size_t hi) {
    span *a = v;
    float *p = a->y, *buf = a->buf, lr = a->s, momentum = a->t, wd = a->u;
    const float *g = a->x;
    for (size_t i = lo; i < hi; i++) {
        float d = g[i] + wd * p[i];
        if (momentum != 0) {
            buf[i] = a->first ? d : momentum * buf[i] + d;
            d = buf[i];
        }
        p[i] -= lr * d;
    }
}
static void cpu_sgd_update(size_t n, float *p, const float *g, float *buf, int first, float lr,
                           float momentum, float wd) {
    span a = {.y = p, .x = g, .buf = buf, .first = first, .s = lr, .t = momentum, .u = wd};
    nn_parallel_ranges(n, GRAIN, sgd_r, &a);
}

static void cpu_adam_update(size_t n, float *p, const float *g, float *m, float *v, long step,
                            float lr, float b1, float b2, float eps, float wd) {
    double bc1 = 1 - pow(b1, (double)step), bc2 = 1 - pow(b2, (double)step);
    float step_size = (float)(lr / bc1), sq2 = (float)sqrt(bc2);
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / sq2 + eps);
    }
}

static void cpu_upload(float *dst, const float *src, size_t n) { cpu_copy(dst, src, n); }
static void cpu_download(float *dst, const float *src, size_t n) { cpu_copy(dst, src, n); }

const nn_backend nn_cpu_backend = {
    .name = "cpu",
    .alloc = cpu_alloc,
    .release = cpu_release,
    .fill = cpu_fill,
    .copy = cpu_copy,
    .upload = cpu_upload,
    .download = cpu_download,
    .sync = cpu_sync,
    .gemm = cpu_gemm,
    .pack_size = nn_gemm_small_packed_size,
    .pack_b = nn_gemm_small_pack,
    .gemm_packed = cpu_gemm_packed,
    .axpy = cpu_axpy,
    .scale = cpu_scale,
    .mul = cpu_mul,
    .add = cpu_add,
    .add_row_bias = cpu_add_row_bias,
    .sum_rows = cpu_sum_rows,
    .act = cpu_act,
    .act_backward = cpu_act_backward,
    .copy2d = cpu_copy2d,
    .gather_rows = cpu_gather_rows,
    .scatter_rows_acc = cpu_scatter_rows_acc,
    .sum = cpu_sum,
    .dot = cpu_dot,
    .argmax_rows = cpu_argmax_rows,
    .sumsq_many = cpu_sumsq_many,
    .gru_cell_forward = cpu_gru_cell_forward,
    .gru_cell_backward = cpu_gru_cell_backward,
    .lstm_cell_forward = cpu_lstm_cell_forward,
    .lstm_cell_backward = cpu_lstm_cell_backward,
    .log_softmax = cpu_log_softmax,
    .log_softmax_backward = cpu_log_softmax_backward,
    .log_softmax_topk = cpu_log_softmax_topk,
    .nll_sum = cpu_nll_sum,
    .nll_backward = cpu_nll_backward,
    .softmax_nll_backward = cpu_softmax_nll_backward,
    .diff_loss = cpu_diff_loss,
    .batchnorm_forward = cpu_batchnorm_forward,
    .batchnorm_backward = cpu_batchnorm_backward,
    .att_mean_forward = cpu_att_mean_forward,
    .att_mean_backward = cpu_att_mean_backward,
    .att_dot_forward = cpu_att_dot_forward,
    .att_dot_backward = cpu_att_dot_backward,
    .softmask_forward = cpu_softmask_forward,
    .softmask_backward = cpu_softmask_backward,
    .hidden_gather = cpu_hidden_gather,
    .conv3d_forward = nn_cpu_conv3d_forward,
    .maxpool3d_forward = nn_cpu_maxpool3d_forward,
    .sgd_update = cpu_sgd_update,
    .adam_update = cpu_adam_update,
};
