/* The CPU video kernels of the backend table: 3×3×3 convolution as 2-d
 * im2col + three OpenBLAS SGEMMs (one per temporal tap) per chunk of frames,
 * or Winograd F(4, 3) along the width with six SGEMMs (every layer with
 * enough input channels), and 3-d max pooling as plain loops. Forward only (feature extraction
 * never needs gradients). */
#include "nn/nn_backend.h"

#include "nn/nn_sgemm.h"
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nn/nn_threadpool.h"

/* The copies and transforms around the GEMMs run on the product pool
 * (nn_parallel_ranges, nn_set_threads threads), each over a contiguous range
 * [lo, hi); every index is computed the same way in any range. */
static void par_range(int n, void (*fn)(void *, size_t, size_t), void *ctx) {
    if (n > 0) nn_parallel_ranges((size_t)n, 1, fn, ctx);
}

size_t nn_cpu_col_floats = (size_t)24 << 20; /* 96 MiB of column scratch */

/* Scratch that outlives a call: first touching fresh pages costs about as
 * much as the transforms themselves (tens of MiB per layer), so each thread
 * keeps its buffers (weights, columns, products) and only grows them. */
static _Thread_local struct {
    float *p;
    size_t n;
} scratch_slot[3];

static float *scratch(int slot, size_t n) {
    if (scratch_slot[slot].n < n) {
        free(scratch_slot[slot].p);
        scratch_slot[slot].p = wsd_malloc((n ? n : 1) * sizeof(float));
        scratch_slot[slot].n = n;
    }
    return scratch_slot[slot].p;
}

/* 2-d columns of one frame (xf: C planes of H×W at stride T·H·W) into col:
 * row (c, dh, dw) holds the frame of channel c shifted by (dh−1, dw−1). */
static void im2col_frame(int C, size_t plane_stride, int H, int W, const float *xf, float *col,
                         size_t ld) {
    for (int c = 0; c < C; c++) {
        const float *xc = xf + (size_t)c * plane_stride;
        for (int dh = 0; dh < 3; dh++)
            for (int dw = 0; dw < 3; dw++) {
                float *row = col + (size_t)(c * 9 + dh * 3 + dw) * ld;
                for (int h = 0; h < H; h++) {
                    int hs = h + dh - 1;
                    float *dst = row + (size_t)h * W;
                    if (hs < 0 || hs >= H) {
                        memset(dst, 0, (size_t)W * sizeof(float));
                        continue;
                    }
                    const float *src = xc + (size_t)hs * W;
                    if (dw == 1) {
                        memcpy(dst, src, (size_t)W * sizeof(float));
                    } else if (dw == 0) {
                        dst[0] = 0;
                        memcpy(dst + 1, src, (size_t)(W - 1) * sizeof(float));
                    } else {
                        memcpy(dst, src + 1, (size_t)(W - 1) * sizeof(float));
                        dst[W - 1] = 0;
                    }
                }
            }
    }
}

/* c (=|+=) a (K × k) · b (k × n), the columns in blocks (a very wide B runs
 * slower through OpenBLAS than a few narrower ones) */
static void gemm_cols(int K, size_t n, int k, const float *a, const float *b, size_t ldb,
                      float beta, float *c, size_t ldc) {
    const size_t block = 8192;
    for (size_t j = 0; j < n; j += block) {
        size_t nb = n - j < block ? n - j : block;
        nn_sgemm(0, 0, K, (int)nb, k, 1.0f, a, k, b + j, (int)ldb, beta, c + j, (int)ldc);
    }
}

/* rows K of `cols` floats at stride ld: += b[k], then max(0, ·) when relu */
typedef struct {
    size_t cols, ld;
    float *y;
    const float *b;
    int relu;
} bias_ctx;

static void bias_relu_rows(void *vctx, size_t lo_, size_t hi_) {
    int lo = (int)lo_, hi = (int)hi_;
    bias_ctx *a = vctx;
    for (int k = lo; k < hi; k++) {
        float *row = a->y + (size_t)k * a->ld, bk = a->b[k];
        if (a->relu)
            for (size_t i = 0; i < a->cols; i++) {
                float v = row[i] + bk;
                row[i] = v > 0 ? v : 0;
            }
        else
            for (size_t i = 0; i < a->cols; i++) row[i] += bk;
    }
}

static void bias_relu(int K, size_t cols, float *y, size_t ld, const float *b, int relu) {
    bias_ctx a = {cols, ld, y, b, relu};
    par_range(K, bias_relu_rows, &a);
}

typedef struct {
    int C, H, W, lo;
    size_t thw, hw, ld;
    const float *xn;
    float *col;
} im2col_ctx;

static void im2col_frames(void *vctx, size_t f0_, size_t f1_) {
    int f0 = (int)f0_, f1 = (int)f1_;
    im2col_ctx *a = vctx;
    for (int f = f0; f < f1; f++)
        im2col_frame(a->C, a->thw, a->H, a->W, a->xn + (size_t)(a->lo + f) * a->hw,
                     a->col + (size_t)f * a->hw, a->ld);
}

/* The temporal taps are three GEMMs over one set of 2-d columns: output frame
 * t takes tap dt from the columns of frame t+dt−1, a shift by whole frames
 * (columns), so only 9 rows per channel are materialised, not 27. The
 * weights are regrouped per tap: wd[dt] (K, C·9). Frames of one clip are
 * processed in chunks whose columns (plus one frame either side) fit
 * nn_cpu_col_floats. */
static void conv_im2col(int N, int C, int T, int H, int W, int K, const float *x, const float *w,
                        const float *b, int relu, float *y) {
    size_t hw = (size_t)H * W, thw = (size_t)T * hw, rows = (size_t)C * 9;
    float *wd = scratch(0, 3 * (size_t)K * rows);
    for (int dt = 0; dt < 3; dt++)
        for (size_t k = 0; k < (size_t)K; k++)
            for (int c = 0; c < C; c++)
                memcpy(wd + ((size_t)dt * K + k) * rows + (size_t)c * 9,
                       w + (k * C + c) * 27 + dt * 9, 9 * sizeof(float));
    size_t fit = nn_cpu_col_floats / (rows * hw); /* frames whose columns fit */
    int per = fit > 2 ? (int)(fit - 2) : 1;
    if (per > T) per = T;
    int most = per + 2 < T ? per + 2 : T;
    float *col = scratch(1, rows * (size_t)most * hw);
    for (int n = 0; n < N; n++) {
        const float *xn = x + (size_t)n * C * thw;
        float *yn = y + (size_t)n * K * thw;
        for (int t0 = 0; t0 < T; t0 += per) {
            int nt = T - t0 < per ? T - t0 : per;
            int lo = t0 > 0 ? t0 - 1 : 0, hi = t0 + nt + 1 < T ? t0 + nt + 1 : T;
            size_t ld = (size_t)(hi - lo) * hw;
            im2col_ctx ic = {C, H, W, lo, thw, hw, ld, xn, col};
            par_range(hi - lo, im2col_frames, &ic);
            float *yc = yn + (size_t)t0 * hw;
            /* dt = 1: frame t itself, every output frame */
            gemm_cols(K, (size_t)nt * hw, (int)rows, wd + (size_t)K * rows,
                      col + (size_t)(t0 - lo) * hw, ld, 0.0f, yc, thw);
            /* dt = 0: frame t−1, output frames max(t0, 1) … */
            int a0 = t0 > 0 ? t0 : 1;
            if (t0 + nt > a0)
                gemm_cols(K, (size_t)(t0 + nt - a0) * hw, (int)rows, wd,
                          col + (size_t)(a0 - 1 - lo) * hw, ld, 1.0f, yn + (size_t)a0 * hw, thw);
            /* dt = 2: frame t+1, output frames … min(t0 + nt, T − 1) */
            int a1 = t0 + nt < T - 1 ? t0 + nt : T - 1;
            if (a1 > t0)
                gemm_cols(K, (size_t)(a1 - t0) * hw, (int)rows, wd + 2 * (size_t)K * rows,
                          col + (size_t)(t0 + 1 - lo) * hw, ld, 1.0f, yc, thw);
            bias_relu(K, (size_t)nt * hw, yc, thw, b, relu);
        }
    }
}

/* Winograd F(4, 3) along the width (Lavin & Gray 2016): four outputs
 * y[4j … 4j+3] of one row need the inputs d0..d5 = x[4j−1 … 4j+4] of the 9
 * rows (dt, dh) of every channel. With u = Bᵀd and the filter taps g0..g2
 * turned into v = Gg, m_i = Σ v_i·u_i (six GEMMs with C·9 rows, summing over
 * channels and the (dt, dh) taps) and y = Aᵀm: 6 products for 4 outputs
 * instead of 12, half the multiply-adds of im2col. Inputs outside the row are
 * the zero padding; a row whose width is not a multiple of 4 computes a few
 * outputs past its end and drops them. */
#define WINO_M 4
#define WINO_A 6

static inline void wino_bt(const float *d, float *u, size_t comp, size_t at) {
    u[at] = 4 * d[0] - 5 * d[2] + d[4];
    u[at + comp] = -4 * d[1] - 4 * d[2] + d[3] + d[4];
    u[at + 2 * comp] = 4 * d[1] - 4 * d[2] - d[3] + d[4];
    u[at + 3 * comp] = -2 * d[1] - d[2] + 2 * d[3] + d[4];
    u[at + 4 * comp] = 2 * d[1] - d[2] - 2 * d[3] + d[4];
    u[at + 5 * comp] = 4 * d[1] - 5 * d[3] + d[5];
}

/* u (6 components of C·9 rows × ncols): column ((t − t0)·H + h)·tiles + j */
typedef struct {
    int C, T, H, W, t0, nt;
    const float *xn;
    float *u;
    size_t ncols;
} wino_in_ctx;

static void wino_input(void *vctx, size_t c_lo_, size_t c_hi_) {
    int c_lo = (int)c_lo_, c_hi = (int)c_hi_;
    wino_in_ctx *a = vctx;
    int C = a->C, T = a->T, H = a->H, W = a->W, t0 = a->t0, nt = a->nt;
    const float *xn = a->xn;
    float *u = a->u;
    size_t ncols = a->ncols;
    int tiles = (W + WINO_M - 1) / WINO_M;
    size_t hw = (size_t)H * W, rows = (size_t)C * 9, comp = rows * ncols;
    for (int c = c_lo; c < c_hi; c++)
        for (int dt = 0; dt < 3; dt++)
            for (int dh = 0; dh < 3; dh++) {
                size_t r = (size_t)c * 9 + dt * 3 + dh;
                float *ur = u + r * ncols;
                for (int t = t0; t < t0 + nt; t++) {
                    int ts = t + dt - 1;
                    for (int h = 0; h < H; h++) {
                        size_t o = ((size_t)(t - t0) * H + h) * tiles;
                        int hs = h + dh - 1;
                        if (ts < 0 || ts >= T || hs < 0 || hs >= H) {
                            for (int i = 0; i < WINO_A; i++)
                                memset(ur + i * comp + o, 0, tiles * sizeof(float));
                            continue;
                        }
                        const float *src = xn + ((size_t)c * T + ts) * hw + (size_t)hs * W;
                        for (int j = 0; j < tiles; j++) {
                            int w0 = WINO_M * j - 1;
                            if (w0 >= 0 && w0 + WINO_A <= W) {
                                wino_bt(src + w0, ur, comp, o + j);
                            } else {
                                float d[WINO_A];
                                for (int l = 0; l < WINO_A; l++)
                                    d[l] = w0 + l >= 0 && w0 + l < W ? src[w0 + l] : 0;
                                wino_bt(d, ur, comp, o + j);
                            }
                        }
                    }
                }
            }
}

/* y = Aᵀm + b (then ReLU) for output channels [k_lo, k_hi) of nt frames */
typedef struct {
    int H, W, nt, relu;
    size_t ncols, mstride, thw, hw; /* mstride: K·ncols, one component of m */
    const float *m, *b;
    float *y; /* first frame of the chunk, channel 0 */
} wino_out_ctx;

static void wino_output(void *vctx, size_t k_lo_, size_t k_hi_) {
    int k_lo = (int)k_lo_, k_hi = (int)k_hi_;
    wino_out_ctx *a = vctx;
    int H = a->H, W = a->W, tiles = (W + WINO_M - 1) / WINO_M;
    size_t ncols = a->ncols, stride = a->mstride;
    for (int k = k_lo; k < k_hi; k++) {
        float bk = a->b[k];
        for (int f = 0; f < a->nt; f++)
            for (int h = 0; h < H; h++) {
                const float *mk = a->m + (size_t)k * ncols + ((size_t)f * H + h) * tiles;
                float *dst = a->y + (size_t)k * a->thw + (size_t)f * a->hw + (size_t)h * W;
                for (int j = 0; j < tiles; j++) {
                    float m0 = mk[j], m1 = mk[stride + j], m2 = mk[2 * stride + j],
                          m3 = mk[3 * stride + j], m4 = mk[4 * stride + j], m5 = mk[5 * stride + j];
                    float o[WINO_M] = {m0 + m1 + m2 + m3 + m4 + bk, m1 - m2 + 2 * (m3 - m4) + bk,
                                       m1 + m2 + 4 * (m3 + m4) + bk,
                                       m1 - m2 + 8 * (m3 - m4) + m5 + bk};
                    int n_out = W - WINO_M * j < WINO_M ? W - WINO_M * j : WINO_M;
                    for (int i = 0; i < n_out; i++)
                        dst[WINO_M * j + i] = a->relu && o[i] < 0 ? 0 : o[i];
                }
            }
    }
}

static void conv_winograd(int N, int C, int T, int H, int W, int K, const float *x, const float *w,
                          const float *b, int relu, float *y) {
    int tiles = (W + WINO_M - 1) / WINO_M;
    size_t hw = (size_t)H * W, thw = (size_t)T * hw, rows = (size_t)C * 9;
    size_t frame_cols = (size_t)H * tiles;
    /* v[i] (K, C·9): the transformed width taps Gg of w (K, C, 3, 3, 3) */
    size_t vc = (size_t)K * rows;
    float *v = scratch(0, WINO_A * vc);
    for (size_t kr = 0; kr < vc; kr++) {
        const float *g = w + kr * 3;
        v[kr] = g[0] / 4;
        v[vc + kr] = -(g[0] + g[1] + g[2]) / 6;
        v[2 * vc + kr] = -(g[0] - g[1] + g[2]) / 6;
        v[3 * vc + kr] = g[0] / 24 + g[1] / 12 + g[2] / 6;
        v[4 * vc + kr] = g[0] / 24 - g[1] / 12 + g[2] / 6;
        v[5 * vc + kr] = g[2];
    }
    /* per frame: 6 (C·9) input rows and 6 K output rows of H·tiles columns */
    size_t per_frame = WINO_A * (rows + (size_t)K) * frame_cols;
    int per = (int)(nn_cpu_col_floats / per_frame);
    if (per < 1) per = 1;
    if (per > T) per = T;
    size_t maxcols = (size_t)per * frame_cols;
    float *u = scratch(1, WINO_A * rows * maxcols);
    float *m = scratch(2, WINO_A * (size_t)K * maxcols);
    for (int n = 0; n < N; n++) {
        const float *xn = x + (size_t)n * C * thw;
        float *yn = y + (size_t)n * K * thw;
        for (int t0 = 0; t0 < T; t0 += per) {
            int nt = T - t0 < per ? T - t0 : per;
            size_t ncols = (size_t)nt * frame_cols, mc = (size_t)K * ncols;
            wino_in_ctx ic = {C, T, H, W, t0, nt, xn, u, ncols};
            par_range(C, wino_input, &ic);
            for (int i = 0; i < WINO_A; i++)
                gemm_cols(K, ncols, (int)rows, v + i * vc, u + i * rows * ncols, ncols, 0.0f,
                          m + i * mc, ncols);
            wino_out_ctx oc = {H, W, nt, relu, ncols, mc, thw, hw, m, b, yn + (size_t)t0 * hw};
            par_range(K, wino_output, &oc);
        }
    }
}

int nn_cpu_conv3d_algo = 0;

void nn_cpu_conv3d_forward(int N, int C, int T, int H, int W, int K, const float *x, const float *w,
                           const float *b, int relu, float *y) {
    if (N <= 0 || K <= 0 || (size_t)T * H * W == 0) return;
    /* few input channels make Winograd's GEMMs too thin (C3D's conv1a) and
     * short rows waste its tiles (conv5: 7 wide); measured on C3D's layers */
    int wino = nn_cpu_conv3d_algo ? nn_cpu_conv3d_algo == 2 : C >= 16 && W >= 12;
    (wino ? conv_winograd : conv_im2col)(N, C, T, H, W, K, x, w, b, relu, y);
}

void nn_cpu_maxpool3d_forward(int N, int C, int T, int H, int W, const int *k, const int *s,
                              const int *p, int oT, int oH, int oW, const float *x, float *y) {
    size_t hw = (size_t)H * W;
    for (size_t nc = 0; nc < (size_t)N * C; nc++) {
        const float *xv = x + nc * T * hw;
        float *yv = y + nc * oT * oH * oW;
        for (int ot = 0; ot < oT; ot++) {
            int t0 = ot * s[0] - p[0], t1 = t0 + k[0] < T ? t0 + k[0] : T;
            if (t0 < 0) t0 = 0;
            for (int oh = 0; oh < oH; oh++) {
                int h0 = oh * s[1] - p[1], h1 = h0 + k[1] < H ? h0 + k[1] : H;
                if (h0 < 0) h0 = 0;
                for (int ow = 0; ow < oW; ow++) {
                    int w0 = ow * s[2] - p[2], w1 = w0 + k[2] < W ? w0 + k[2] : W;
                    if (w0 < 0) w0 = 0;
                    float m = -FLT_MAX;
                    for (int t = t0; t < t1; t++)
                        for (int h = h0; h < h1; h++) {
                            const float *row = xv + (size_t)t * hw + (size_t)h * W;
                            for (int i = w0; i < w1; i++)
                                if (row[i] > m) m = row[i];
                        }
                    *yv++ = m;
                }
            }
        }
    }
}
