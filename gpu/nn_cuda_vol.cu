// CUDA video kernels, forward only: 3×3×3 convolution as a vol2col kernel +
// one cuBLAS SGEMM (through the backend table) per chunk of frames, and 3-d
// max pooling with one thread per output. Same column layout as the CPU
// backend (common/nn/nn_vol_cpu.c): rows (c, dt, dh, dw) match the weight
// layout (K, C, 3, 3, 3); columns are (frame, h, w) of a run of frames.
#include <cuda_runtime.h>
#include <float.h>

extern "C" {
#include "nn/nn_backend.h"
#include "base/util.h"
}
#include "nn_cuda_vol.h"

#define THREADS    256
#define COL_FLOATS ((size_t)64 << 20) // 256 MiB of columns per GEMM

static int grid_for(size_t n) {
    size_t b = (n + THREADS - 1) / THREADS;
    return (int)(b < 1 ? 1 : b > 65535 ? 65535 : b);
}

#define GRID_STRIDE(i, n)                                                                          \
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n);                        \
         i += (size_t)blockDim.x * gridDim.x)

// col (C·27, ncols): column j is position j % hw of global frame g0 + j / hw,
// where global frame g = clip·T + t.
__global__ void k_vol2col(int C, int T, int H, int W, const float *x, long g0, size_t ncols,
                          float *col) {
    size_t hw = (size_t)H * W;
    GRID_STRIDE(i, (size_t)C * 27 * ncols) {
        size_t row = i / ncols, j = i % ncols;
        long g = g0 + (long)(j / hw);
        int pos = (int)(j % hw), h = pos / W, w = pos % W;
        int clip = (int)(g / T), t = (int)(g % T);
        int c = (int)(row / 27), r = (int)(row % 27);
        int ts = t + r / 9 - 1, hs = h + (r / 3) % 3 - 1, ws = w + r % 3 - 1;
        float v = 0;
        if (ts >= 0 && ts < T && hs >= 0 && hs < H && ws >= 0 && ws < W)
            v = x[(((size_t)clip * C + c) * T + ts) * hw + (size_t)hs * W + ws];
        col[i] = v;
    }
}

// y[clip, k, t, pos] = act(tmp[k, j] + b[k]) for the columns j of the chunk
__global__ void k_scatter_bias(int K, int T, size_t hw, long g0, size_t ncols, const float *tmp,
                               const float *b, int relu, float *y) {
    GRID_STRIDE(i, (size_t)K * ncols) {
        size_t k = i / ncols, j = i % ncols;
        long g = g0 + (long)(j / hw);
        size_t clip = (size_t)(g / T), t = (size_t)(g % T);
        float v = tmp[i] + b[k];
        if (relu && v < 0) v = 0;
        y[((clip * K + k) * T + t) * hw + j % hw] = v;
    }
}

extern "C" void nn_cuda_conv3d_forward(int N, int C, int T, int H, int W, int K, const float *x,
                                       const float *w, const float *b, int relu, float *y) {
    const nn_backend *be = nn_cuda_backend();
    size_t hw = (size_t)H * W, rows = (size_t)C * 27, frames = (size_t)N * T;
    if (!be || frames == 0 || hw == 0 || K <= 0) return;
    size_t per = COL_FLOATS / (rows * hw); // frames per GEMM
    if (per < 1) per = 1;
    if (per > frames) per = frames;
    float *col = be->alloc(rows * per * hw), *tmp = col ? be->alloc((size_t)K * per * hw) : NULL;
    if (!tmp) // an OOM with its size, never a crash (exit 1 like nn_tensor_zeros)
        wsd_die("out of cuda memory allocating the conv3d scratch (%zu + %zu floats): %s",
                rows * per * hw, (size_t)K * per * hw, wsd_error());
    for (size_t g0 = 0; g0 < frames; g0 += per) {
        size_t nf = frames - g0 < per ? frames - g0 : per, ncols = nf * hw;
        k_vol2col<<<grid_for(rows * ncols), THREADS>>>(C, T, H, W, x, (long)g0, ncols, col);
        be->gemm(0, 0, K, (int)ncols, (int)rows, 1.0f, w, (int)rows, col, (int)ncols, 0.0f, tmp,
                 (int)ncols);
        k_scatter_bias<<<grid_for((size_t)K * ncols), THREADS>>>(K, T, hw, (long)g0, ncols, tmp, b,
                                                                 relu, y);
    }
    be->release(col);
    be->release(tmp);
}

__global__ void k_maxpool3d(size_t total, int T, int H, int W, int kt, int kh, int kw, int st,
                            int sh, int sw, int pt, int ph, int pw, int oT, int oH, int oW,
                            const float *x, float *y) {
    GRID_STRIDE(i, total) {
        int ow = (int)(i % oW), oh = (int)(i / oW % oH), ot = (int)(i / ((size_t)oW * oH) % oT);
        size_t nc = i / ((size_t)oW * oH * oT);
        const float *xv = x + nc * T * H * W;
        int t0 = ot * st - pt, t1 = min(t0 + kt, T), h0 = oh * sh - ph, h1 = min(h0 + kh, H),
            w0 = ow * sw - pw, w1 = min(w0 + kw, W);
        t0 = max(t0, 0);
        h0 = max(h0, 0);
        w0 = max(w0, 0);
        float m = -FLT_MAX;
        for (int t = t0; t < t1; t++)
            for (int h = h0; h < h1; h++)
                for (int q = w0; q < w1; q++) m = fmaxf(m, xv[((size_t)t * H + h) * W + q]);
        y[i] = m;
    }
}

extern "C" void nn_cuda_maxpool3d_forward(int N, int C, int T, int H, int W, const int *k,
                                          const int *s, const int *p, int oT, int oH, int oW,
                                          const float *x, float *y) {
    size_t total = (size_t)N * C * oT * oH * oW;
    if (!total) return;
    k_maxpool3d<<<grid_for(total), THREADS>>>(total, T, H, W, k[0], k[1], k[2], s[0], s[1], s[2],
                                              p[0], p[1], p[2], oT, oH, oW, x, y);
}
