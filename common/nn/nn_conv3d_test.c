/* 3-d convolution and max pooling (forward only) against PyTorch
 * (testdata/goldens/conv3d.txt from testdata/torch/c3d_ref.py), on every
 * chunking path of the CPU kernel, plus the size rules and errors. */
#include "nn/nn_backend.h"
#include "nn/nn_conv3d.h"
#include "testing/nn_testutil.h"

static tu_goldens gs;

/* |got − want| ≤ 1e-4 · max(1, |want|) everywhere */
static double rel_err(const nn_tensor *t, const tu_golden *g) {
    double worst = 0;
    for (size_t i = 0; i < t->size; i++) {
        double d = fabs((double)t->data[i] - g->data[i]) / fmax(1.0, fabs(g->data[i]));
        if (!(d <= worst)) worst = d;
    }
    return worst;
}

static const float *gdata(const char *fmt, int i, const char *what) {
    char name[64];
    snprintf(name, sizeof name, fmt, i, what);
    const tu_golden *g = tu_golden_get(&gs, name);
    return g ? g->data : NULL;
}

static void test_conv3d_golden(void) {
    const tu_golden *nc = tu_golden_get(&gs, "conv.cases");
    if (!nc) TEST_SKIP("conv3d goldens missing");
    /* default budget (whole clips), then chunks of 1, 2 and 3 frames (plus
     * one frame either side), ragged at the end of a clip */
    size_t budgets[] = {nn_cpu_col_floats, 0, 0, 0};
    for (int c = 0; c < (int)nc->data[0]; c++) {
        const float *d = gdata("conv%d.%s", c, "dims");
        int N = (int)d[0], C = (int)d[1], T = (int)d[2], H = (int)d[3], W = (int)d[4],
            K = (int)d[5];
        size_t rows = (size_t)C * 9, hw = (size_t)H * W;
        for (int k = 1; k < 4; k++) budgets[k] = rows * hw * (size_t)(k + 2);
        nn_vol xs = {N, C, T, H, W};
        nn_tensor x = nn_zeros1(NN_CPU, (int)nn_vol_size(xs)), w = nn_zeros1(NN_CPU, K * C * 27),
                  b = nn_zeros1(NN_CPU, K);
        nn_vol ys = xs;
        ys.c = K;
        nn_tensor y = nn_zeros1(NN_CPU, (int)nn_vol_size(ys));
        char name[64];
        snprintf(name, sizeof name, "conv%d.x", c);
        tu_golden_set(&gs, name, &x);
        snprintf(name, sizeof name, "conv%d.w", c);
        tu_golden_set(&gs, name, &w);
        snprintf(name, sizeof name, "conv%d.b", c);
        tu_golden_set(&gs, name, &b);
        snprintf(name, sizeof name, "conv%d.y", c);
        const tu_golden *gy = tu_golden_get(&gs, name);
        CHECK(gy && gy->size == y.size);
        if (!gy || gy->size != y.size) return;
        /* im2col at every budget, then Winograd F(4,3) at every budget */
        for (int run = 0; run < 8; run++) {
            int k = run % 4;
            nn_cpu_conv3d_algo = 1 + run / 4;
            /* Winograd: 6 (C·9 + K) rows of H·⌈W/4⌉ columns per frame; k frames */
            size_t wino = 6 * (rows + (size_t)K) * H * (size_t)((W + 3) / 4) * (size_t)k;
            nn_cpu_col_floats = run < 4 || k == 0 ? budgets[k] : wino;
            nn_tensor_fill(&y, 12345.0f);
            CHECK(nn_conv3d_forward(&x, xs, &w, &b, 0, &y) == 0);
            double e = rel_err(&y, gy);
            CHECK_MSG(e <= 1e-4, "case %d algo %d budget %zu: relative error %g", c,
                      nn_cpu_conv3d_algo, budgets[k], e);
            /* fused ReLU = max(0, golden) */
            CHECK(nn_conv3d_forward(&x, xs, &w, &b, 1, &y) == 0);
            int ok = 1;
            for (size_t i = 0; i < y.size; i++)
                if (fabs(y.data[i] - fmax(0.0, gy->data[i])) > 1e-4 * fmax(1.0, fabs(gy->data[i])))
                    ok = 0;
            CHECK_MSG(ok, "case %d algo %d budget %zu: relu output differs", c, nn_cpu_conv3d_algo,
                      budgets[k]);
        }
        nn_cpu_col_floats = budgets[0];
        nn_cpu_conv3d_algo = 0;
        nn_tensor_free(&x);
        nn_tensor_free(&w);
        nn_tensor_free(&b);
        nn_tensor_free(&y);
    }
}

static void test_pool_golden(void) {
    const tu_golden *nc = tu_golden_get(&gs, "pool.cases");
    if (!nc) TEST_SKIP("pool goldens missing");
    for (int c = 0; c < (int)nc->data[0]; c++) {
        const float *d = gdata("pool%d.%s", c, "dims"), *o = gdata("pool%d.%s", c, "out");
        nn_vol xs = {(int)d[0], (int)d[1], (int)d[2], (int)d[3], (int)d[4]}, ys;
        int k[3] = {(int)d[5], (int)d[6], (int)d[7]}, s[3] = {(int)d[8], (int)d[9], (int)d[10]},
            p[3] = {(int)d[11], (int)d[12], (int)d[13]};
        CHECK(nn_maxpool3d_shape(xs, k, s, p, &ys) == 0);
        CHECK_MSG(ys.t == (int)o[0] && ys.h == (int)o[1] && ys.w == (int)o[2],
                  "case %d: output (%d, %d, %d), PyTorch (%g, %g, %g)", c, ys.t, ys.h, ys.w, o[0],
                  o[1], o[2]);
        nn_tensor x = nn_zeros1(NN_CPU, (int)nn_vol_size(xs)),
                  y = nn_zeros1(NN_CPU, (int)nn_vol_size(ys));
        char name[64];
        snprintf(name, sizeof name, "pool%d.x", c);
        tu_golden_set(&gs, name, &x);
        nn_vol got;
        CHECK(nn_maxpool3d_forward(&x, xs, k, s, p, &y, &got) == 0);
        snprintf(name, sizeof name, "pool%d.y", c);
        const tu_golden *gy = tu_golden_get(&gs, name);
        CHECK(gy && gy->size == y.size);
        if (gy && gy->size == y.size) CHECK_MSG(rel_err(&y, gy) == 0, "pool case %d differs", c);
        nn_tensor_free(&x);
        nn_tensor_free(&y);
    }
}

/* The CUDA kernels against the same goldens (skipped where no GPU answers). */
static void test_cuda_golden(void) {
    if (!nn_device_available(NN_CUDA)) TEST_SKIP("no CUDA device: %s", wsd_error());
    const tu_golden *nc = tu_golden_get(&gs, "conv.cases"), *np = tu_golden_get(&gs, "pool.cases");
    CHECK(nc && np);
    if (!nc || !np) return;
    char name[64];
    for (int c = 0; c < (int)nc->data[0]; c++) {
        const float *d = gdata("conv%d.%s", c, "dims");
        nn_vol xs = {(int)d[0], (int)d[1], (int)d[2], (int)d[3], (int)d[4]}, ys = xs;
        int K = (int)d[5];
        ys.c = K;
        nn_tensor x = nn_zeros1(NN_CUDA, (int)nn_vol_size(xs)),
                  w = nn_zeros1(NN_CUDA, K * xs.c * 27), b = nn_zeros1(NN_CUDA, K),
                  y = nn_zeros1(NN_CUDA, (int)nn_vol_size(ys));
        snprintf(name, sizeof name, "conv%d.x", c);
        tu_golden_set(&gs, name, &x);
        snprintf(name, sizeof name, "conv%d.w", c);
        tu_golden_set(&gs, name, &w);
        snprintf(name, sizeof name, "conv%d.b", c);
        tu_golden_set(&gs, name, &b);
        CHECK(nn_conv3d_forward(&x, xs, &w, &b, 0, &y) == 0);
        nn_tensor h = nn_tensor_host_copy(&y);
        snprintf(name, sizeof name, "conv%d.y", c);
        const tu_golden *gy = tu_golden_get(&gs, name);
        CHECK(gy && gy->size == h.size);
        if (gy && gy->size == h.size) CHECK_MSG(rel_err(&h, gy) <= 1e-4, "CUDA conv case %d", c);
        nn_tensor_free(&h);
        nn_tensor_free(&x);
        nn_tensor_free(&w);
        nn_tensor_free(&b);
        nn_tensor_free(&y);
    }
    for (int c = 0; c < (int)np->data[0]; c++) {
        const float *d = gdata("pool%d.%s", c, "dims");
        nn_vol xs = {(int)d[0], (int)d[1], (int)d[2], (int)d[3], (int)d[4]}, ys;
        int k[3] = {(int)d[5], (int)d[6], (int)d[7]}, s[3] = {(int)d[8], (int)d[9], (int)d[10]},
            p[3] = {(int)d[11], (int)d[12], (int)d[13]};
        CHECK(nn_maxpool3d_shape(xs, k, s, p, &ys) == 0);
        nn_tensor x = nn_zeros1(NN_CUDA, (int)nn_vol_size(xs)),
                  y = nn_zeros1(NN_CUDA, (int)nn_vol_size(ys));
        snprintf(name, sizeof name, "pool%d.x", c);
        tu_golden_set(&gs, name, &x);
        CHECK(nn_maxpool3d_forward(&x, xs, k, s, p, &y, NULL) == 0);
        nn_tensor h = nn_tensor_host_copy(&y);
        snprintf(name, sizeof name, "pool%d.y", c);
        const tu_golden *gy = tu_golden_get(&gs, name);
        CHECK(gy && gy->size == h.size);
        if (gy && gy->size == h.size) CHECK_MSG(rel_err(&h, gy) == 0, "CUDA pool case %d", c);
        nn_tensor_free(&h);
        nn_tensor_free(&x);
        nn_tensor_free(&y);
    }
}

static void test_pool_out(void) {
    CHECK(nn_pool_out(7, 2, 2, 0) == 4); /* C3D pool5: ceil */
    CHECK(nn_pool_out(2, 2, 2, 0) == 1);
    CHECK(nn_pool_out(16, 1, 1, 0) == 16);
    CHECK(nn_pool_out(112, 2, 2, 0) == 56);
    CHECK(nn_pool_out(7, 2, 3, 1) == 3); /* last window would start in the padding */
    CHECK(nn_pool_out(1, 2, 2, 0) == 0);
}

static void test_errors(void) {
    nn_vol xs = {1, 2, 3, 4, 5};
    nn_tensor x = nn_zeros1(NN_CPU, (int)nn_vol_size(xs)), w = nn_zeros1(NN_CPU, 3 * 2 * 27),
              b = nn_zeros1(NN_CPU, 3), y = nn_zeros1(NN_CPU, 3 * 60), bad = nn_zeros1(NN_CPU, 7);
    CHECK(nn_conv3d_forward(&x, xs, &w, &b, 0, &y) == 0);
    CHECK(nn_conv3d_forward(&bad, xs, &w, &b, 0, &y) == -1);
    CHECK(strstr(wsd_error(), "input has 7 elements") != NULL);
    CHECK(nn_conv3d_forward(&x, xs, &bad, &b, 0, &y) == -1);
    CHECK(strstr(wsd_error(), "weight") != NULL);
    CHECK(nn_conv3d_forward(&x, xs, &w, &b, 0, &bad) == -1);
    CHECK(strstr(wsd_error(), "output") != NULL);
    nn_vol empty = {1, 2, 0, 4, 5};
    CHECK(nn_conv3d_forward(&x, empty, &w, &b, 0, &y) == -1);
    int k[3] = {2, 2, 2}, s[3] = {2, 2, 2}, p[3] = {0, 0, 0}, pbig[3] = {0, 2, 0};
    nn_vol ys;
    CHECK(nn_maxpool3d_shape(xs, k, s, p, &ys) == 0 && ys.t == 2 && ys.h == 2 && ys.w == 3);
    CHECK(nn_maxpool3d_shape(xs, k, s, pbig, &ys) == -1); /* 2p > k */
    int kbig[3] = {4, 2, 2};
    CHECK(nn_maxpool3d_shape(xs, kbig, s, p, &ys) == -1); /* window longer than T */
    CHECK(strstr(wsd_error(), "does not fit") != NULL);
    CHECK(nn_maxpool3d_forward(&x, xs, k, s, p, &bad, &ys) == -1);
    nn_tensor_free(&x);
    nn_tensor_free(&w);
    nn_tensor_free(&b);
    nn_tensor_free(&y);
    nn_tensor_free(&bad);
}

int main(void) {
    int have = tu_goldens_load(&gs, "conv3d.txt") == 0;
    if (have) {
        TEST_RUN(test_conv3d_golden);
        TEST_RUN(test_pool_golden);
        TEST_RUN(test_cuda_golden);
    }
    TEST_RUN(test_pool_out);
    TEST_RUN(test_errors);
    tu_goldens_free(&gs);
    if (!have) test_failed++;
    return test_finish();
}
