/* The CPU video kernels of the backend table: 3×3×3 convolution as vol2col +
 * one OpenBLAS SGEMM per chunk of frames, and 3-d max pooling as plain loops.
 * Forward only (feature extraction never needs gradients).
 *
 * vol2col: for output frame t of one clip the column matrix has C·27 rows,
 * row (c, dt, dh, dw) = the input frame t+dt−1 of channel c shifted by
 * (dh−1, dw−1), zeros outside; its H·W columns are the output positions. The
 * rows follow the weight layout (K, C, 3, 3, 3), so W·col is the output frame.
 * Frames are batched into one GEMM while the columns fit nn_cpu_col_floats: whole
 * clips at once for the small late layers, a few frames of one clip (written
 * straight into y) for the large early ones. */
#include "nn/nn_backend.h"

#include <cblas.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

size_t nn_cpu_col_floats = (size_t)8 << 20; /* 32 MiB of column scratch */

/* Columns of frame t of one clip (x: C, T, H, W) into col (C·27 rows, row stride ld). */
static void vol2col_frame(int C, int T, int H, int W, const float *x, int t, float *col,
                          size_t ld) {
    size_t hw = (size_t)H * W;
    for (int c = 0; c < C; c++)
        for (int dt = 0; dt < 3; dt++) {
            int ts = t + dt - 1;
            float *rows = col + (size_t)(c * 27 + dt * 9) * ld;
            if (ts < 0 || ts >= T) {
                for (int r = 0; r < 9; r++) memset(rows + r * ld, 0, hw * sizeof(float));
                continue;
            }
            const float *xf = x + ((size_t)c * T + ts) * hw;
            for (int dh = 0; dh < 3; dh++)
                for (int dw = 0; dw < 3; dw++) {
                    float *row = rows + (size_t)(dh * 3 + dw) * ld;
                    for (int h = 0; h < H; h++) {
                        int hs = h + dh - 1;
                        float *dst = row + (size_t)h * W;
                        if (hs < 0 || hs >= H) {
                            memset(dst, 0, (size_t)W * sizeof(float));
                            continue;
                        }
                        const float *src = xf + (size_t)hs * W;
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

/* rows K of `cols` floats at stride ld: += b[k], then max(0, ·) when relu */
static void bias_relu(int K, size_t cols, float *y, size_t ld, const float *b, int relu) {
    for (int k = 0; k < K; k++) {
        float *row = y + (size_t)k * ld, bk = b[k];
        if (relu)
            for (size_t i = 0; i < cols; i++) {
                float v = row[i] + bk;
                row[i] = v > 0 ? v : 0;
            }
        else
            for (size_t i = 0; i < cols; i++) row[i] += bk;
    }
}

void nn_cpu_conv3d_forward(int N, int C, int T, int H, int W, int K, const float *x,
                           const float *w, const float *b, int relu, float *y) {
    size_t hw = (size_t)H * W, thw = (size_t)T * hw, rows = (size_t)C * 27;
    if (N <= 0 || K <= 0 || thw == 0) return;
    size_t fit = nn_cpu_col_floats / (rows * hw); /* frames whose columns fit */
    if (fit < 1) fit = 1;
    if (fit >= (size_t)T) {
        /* whole clips per GEMM into tmp (K, clips·T·H·W), then rows to y */
        int per = (int)(fit / (size_t)T);
        if (per > N) per = N;
        size_t ncol = (size_t)per * thw;
        float *col = wsd_malloc(rows * ncol * sizeof(float));
        float *tmp = wsd_malloc((size_t)K * ncol * sizeof(float));
        for (int n0 = 0; n0 < N; n0 += per) {
            int nc = N - n0 < per ? N - n0 : per;
            size_t cols = (size_t)nc * thw;
            for (int i = 0; i < nc; i++)
                for (int t = 0; t < T; t++)
                    vol2col_frame(C, T, H, W, x + (size_t)(n0 + i) * C * thw, t,
                                  col + (size_t)i * thw + (size_t)t * hw, cols);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, K, (int)cols, (int)rows, 1.0f,
                        w, (int)rows, col, (int)cols, 0.0f, tmp, (int)cols);
            bias_relu(K, cols, tmp, cols, b, relu);
            for (int i = 0; i < nc; i++)
                for (int k = 0; k < K; k++)
                    memcpy(y + ((size_t)(n0 + i) * K + k) * thw, tmp + (size_t)k * cols + i * thw,
                           thw * sizeof(float));
        }
        free(col);
        free(tmp);
        return;
    }
    /* a few frames of one clip per GEMM, written in place (row stride T·H·W) */
    int per = (int)fit;
    float *col = wsd_malloc(rows * (size_t)per * hw * sizeof(float));
    for (int n = 0; n < N; n++) {
        const float *xn = x + (size_t)n * C * thw;
        float *yn = y + (size_t)n * K * thw;
        for (int t0 = 0; t0 < T; t0 += per) {
            int nt = T - t0 < per ? T - t0 : per;
            size_t cols = (size_t)nt * hw;
            for (int i = 0; i < nt; i++)
                vol2col_frame(C, T, H, W, xn, t0 + i, col + (size_t)i * hw, cols);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, K, (int)cols, (int)rows, 1.0f,
                        w, (int)rows, col, (int)cols, 0.0f, yn + (size_t)t0 * hw, (int)thw);
            bias_relu(K, cols, yn + (size_t)t0 * hw, thw, b, relu);
        }
    }
    free(col);
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
