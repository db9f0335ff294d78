#include "nn/nn_vmath.h"

#include "testing/nn_testutil.h"

#define UF 5.9604644775390625e-08 /* 2^-24 */
#define UD 1.1102230246251565e-16 /* 2^-53 */

/* The largest relative error of f over a dense sweep of [lo, hi] (plus the
 * float neighbours of a few special points), in units of UF. */
static double sweep(void (*f)(size_t, const float *, float *), double (*ref)(double), double lo,
                    double hi) {
    enum { N = 400000 };
    float *x = malloc(sizeof(float) * (N + 8)), *y = malloc(sizeof(float) * (N + 8));
    for (int i = 0; i < N; i++) x[i] = (float)(lo + (hi - lo) * i / (N - 1));
    const float special[8] = {0.0f, -0.0f, 1e-30f, -1e-30f, 0.625f, -0.625f, 0.62499994f, 1e-5f};
    for (int i = 0; i < 8; i++) x[N + i] = special[i];
    f(N + 8, x, y);
    double worst = 0;
    for (int i = 0; i < N + 8; i++) {
        double e = ref(x[i]);
        double err = e == 0 ? fabs((double)y[i]) : fabs((double)y[i] - e) / fabs(e);
        if (err / UF > worst) worst = err / UF;
    }
    free(x), free(y);
    return worst;
}

static double sigmoid_ref(double x) { return 1 / (1 + exp(-x)); }

static void error_bounds(void) {
    fprintf(stderr, "  path %d (2 AVX-512, 1 AVX2, 0 libm)\n", nn_vmath_vectorised());
    double e = sweep(nn_vexpf, exp, -87, 88);
    double s = sweep(nn_vsigmoidf, sigmoid_ref, -87, 100);
    double t = sweep(nn_vtanhf, tanh, -12, 12);
    double t2 = sweep(nn_vtanhf, tanh, -1, 1);
    fprintf(stderr,
            "  max relative error in units of 2^-24: exp %.2f sigmoid %.2f tanh %.2f (%.2f on [-1, "
            "1])\n",
            e, s, t, t2);
    CHECK(e <= 2);
    CHECK(s <= 4);
    CHECK(t <= 4 && t2 <= 4);
    /* the ends of the range */
    float x[6] = {-200, -104.5f, 89, 200, -INFINITY, INFINITY}, y[6];
    nn_vexpf(6, x, y);
    CHECK(y[0] == 0 && y[1] == 0 && isinf(y[2]) && isinf(y[3]) && y[4] == 0 && isinf(y[5]));
    nn_vsigmoidf(6, x, y);
    CHECK(y[0] == 0 && y[3] == 1 && y[4] == 0 && y[5] == 1);
    nn_vtanhf(6, x, y);
    CHECK(y[0] == -1 && y[3] == 1 && y[4] == -1 && y[5] == 1);
}

/* Every term of the double sum to 2 ulps; the sum against libm's. */
static void sum_exp(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    double worst = 0;
    for (int len = 1; len <= 37; len++) {
        float x[40];
        for (int i = 0; i < len; i++) x[i] = (wsd_rng_uniformf(&rng) - 0.9f) * 800; /* to −720 */
        for (int i = 0; i < len; i++) {
            double got = nn_sum_exp_shift(1, &x[i], 0), e = exp((double)x[i]);
            if (e > 1e-300) worst = fmax(worst, fabs(got - e) / e / UD);
        }
        double m = -INFINITY, ref = 0;
        for (int i = 0; i < len; i++) m = fmax(m, x[i]);
        for (int i = 0; i < len; i++) ref += exp((double)x[i] - m);
        CHECK_NEAR(nn_sum_exp_shift((size_t)len, x, m) / ref, 1, 8 * len * UD);
    }
    fprintf(stderr, "  double exp: max relative error %.2f ulp\n", worst);
    CHECK(worst <= 2);
}

/* log_softmax (which sums with nn_sum_exp_shift) equals the scalar
 * double-exp formula to 1 float ulp on logits of the decoder's scale. */
static void log_softmax_matches_scalar(void) {
    enum { R = 20, V = 6000 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 4);
    nn_tensor x = nn_zeros2(NN_CPU, R, V), y = nn_zeros2(NN_CPU, R, V);
    for (size_t i = 0; i < x.size; i++) x.data[i] = wsd_rng_normal(&rng) * 4;
    CHECK(nn_log_softmax_forward(&x, &y) == 0);
    int differ = 0;
    double worst = 0;
    for (int r = 0; r < R; r++) {
        const float *xr = x.data + (size_t)r * V;
        float mx = -INFINITY;
        for (int j = 0; j < V; j++) mx = fmaxf(mx, xr[j]);
        double s = 0;
        for (int j = 0; j < V; j++) s += exp((double)xr[j] - mx);
        float lse = mx + (float)log(s);
        for (int j = 0; j < V; j++) {
            float e = xr[j] - lse, got = y.data[(size_t)r * V + j];
            differ += got != e;
            worst = fmax(worst, fabs(got - e));
            CHECK(fabs(got - e) <= fabsf(nextafterf(e, 0) - e) + 1e-12);
        }
    }
    fprintf(stderr, "  log_softmax: %d of %d values differ from the scalar formula (max %.3g)\n",
            differ, R * V, worst);
    nn_tensor_free(&x);
    nn_tensor_free(&y);
}

/* The vectorised GRU cell against the scalar formula with libm. */
static void gru_cell(void) {
    enum { B = 3, H = 37 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 5);
    float gi[B * 3 * H + 5], gh[B * 3 * H], hp[B * H], hn[B * H], g[B * 4 * H];
    for (int i = 0; i < B * 3 * H + 5; i++) gi[i] = wsd_rng_normal(&rng) * 3;
    for (int i = 0; i < B * 3 * H; i++) gh[i] = wsd_rng_normal(&rng) * 3;
    for (int i = 0; i < B * H; i++) hp[i] = wsd_rng_uniformf(&rng) * 2 - 1;
    int ld = 3 * H + 1;
    nn_vgru_cell_forward(B, H, gi, ld, gh, hp, hn, g);
    double worst = 0;
    for (int b = 0; b < B; b++)
        for (int j = 0; j < H; j++) {
            const float *xi = gi + b * ld, *hh = gh + b * 3 * H;
            double r = sigmoid_ref(xi[j] + hh[j]), z = sigmoid_ref(xi[H + j] + hh[H + j]);
            double n = tanh(xi[2 * H + j] + r * hh[2 * H + j]);
            double h = (1 - z) * n + z * hp[b * H + j];
            worst = fmax(worst, fabs(hn[b * H + j] - h));
            worst = fmax(worst, fabs(g[b * 4 * H + 2 * H + j] - n));
            CHECK(g[b * 4 * H + 3 * H + j] == hh[2 * H + j]);
        }
    CHECK_NEAR(worst, 0, 1e-6);
}

/* The GRU cell's backward gives the scalar formula's bits on this path
 * (ragged H, a gradient stride wider than 3H). */
static void gru_cell_backward(void) {
    enum { B = 4, H = 37, LD = 3 * H + 2 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 8);
    float g[B * 4 * H], hp[B * H], dh[B * H];
    float di[B * LD], dg[B * 3 * H], dp[B * H], ri[B * LD], rg[B * 3 * H], rp[B * H];
    for (int i = 0; i < B * 4 * H; i++)
        g[i] = i % (4 * H) < 2 * H ? wsd_rng_uniformf(&rng) : wsd_rng_normal(&rng);
    for (int i = 0; i < B * H; i++) hp[i] = wsd_rng_normal(&rng), dh[i] = wsd_rng_normal(&rng);
    memset(di, 0, sizeof di), memset(ri, 0, sizeof ri);
    nn_vgru_cell_backward(B, H, g, hp, dh, di, LD, dg, dp);
    for (int b = 0; b < B; b++)
        for (int j = 0; j < H; j++) {
            const float *gb = g + b * 4 * H;
            float r = gb[j], z = gb[H + j], n = gb[2 * H + j], hn = gb[3 * H + j],
                  d = dh[b * H + j];
            float dn = d * (1 - z) * (1 - n * n), dz = d * (hp[b * H + j] - n) * z * (1 - z);
            float dr = dn * hn * r * (1 - r);
            ri[b * LD + j] = rg[b * 3 * H + j] = dr;
            ri[b * LD + H + j] = rg[b * 3 * H + H + j] = dz;
            ri[b * LD + 2 * H + j] = dn;
            rg[b * 3 * H + 2 * H + j] = dn * r;
            rp[b * H + j] = d * z;
        }
    CHECK(memcmp(di, ri, sizeof di) == 0 && memcmp(dg, rg, sizeof dg) == 0 &&
          memcmp(dp, rp, sizeof dp) == 0);
}

/* Column sums in double: the scalar loop's bits, every width 1-70 (every
 * tail of 32 and 16 columns), rows at a stride wider than the width. */
static void acc_rows(void) {
    enum { R = 7, W = 70, LD = 73 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 9);
    float x[R * LD];
    for (int i = 0; i < R * LD; i++) x[i] = wsd_rng_normal(&rng) * 1e3f;
    for (int n = 1; n <= W; n++) {
        double acc[W], ref[W];
        for (int j = 0; j < n; j++) acc[j] = ref[j] = j * 0.1;
        nn_vacc_rows(R, (size_t)n, x, LD, acc);
        for (int r = 0; r < R; r++)
            for (int j = 0; j < n; j++) ref[j] += x[r * LD + j];
        CHECK_MSG(memcmp(acc, ref, sizeof(double) * n) == 0, "width %d", n);
    }
}

/* The bounds, the double sum, log_softmax and the GRU cell on every path the
 * machine has (AVX-512, AVX2, libm). */
static void test_every_path(void) {
    int top = nn_vmath_vectorised();
    for (int isa = top; isa >= 0; isa--) {
        nn_vmath_force_isa(isa);
        CHECK(nn_vmath_vectorised() == isa);
        error_bounds();
        sum_exp();
        log_softmax_matches_scalar();
        gru_cell();
        gru_cell_backward();
        acc_rows();
    }
    nn_vmath_force_isa(-1);
    CHECK(nn_vmath_vectorised() == top);
}

/* f on path isa */
static void run_on(int isa, void (*f)(size_t, const float *, float *), size_t n, const float *x,
                   float *y) {
    nn_vmath_force_isa(isa);
    f(n, x, y);
    nn_vmath_force_isa(-1);
}

/* AVX2 and AVX-512 give the same bits: the three functions over every float
 * exponent of both signs (overflow, gradual underflow, inf, NaN-free), the
 * double sum over lengths 1-70 (every tail), and the GRU cell with a ragged H. */
static void test_avx2_equals_avx512(void) {
    if (nn_vmath_vectorised() < 2) {
        fprintf(stderr, "  no AVX-512 here: nothing to compare the AVX2 path with\n");
        return;
    }
    enum { N = 1 << 20 };
    float *x = malloc(sizeof(float) * N), *a = malloc(sizeof(float) * N),
          *b = malloc(sizeof(float) * N);
    wsd_rng rng;
    wsd_rng_seed(&rng, 6);
    for (int i = 0; i < N; i++) {
        /* a log-uniform magnitude in [2^-30, 2^8], both signs, and some plain uniform */
        float m =
            ldexpf(1.0f, (int)(wsd_rng_uniformf(&rng) * 38) - 30) * (1 + wsd_rng_uniformf(&rng));
        x[i] = i % 4 == 0 ? (wsd_rng_uniformf(&rng) - 0.5f) * 240 : (i & 1 ? m : -m);
    }
    x[0] = INFINITY, x[1] = -INFINITY, x[2] = 0.0f, x[3] = -0.0f, x[4] = -103.97f, x[5] = 88.72f;
    void (*fs[3])(size_t, const float *, float *) = {nn_vexpf, nn_vsigmoidf, nn_vtanhf};
    const char *names[3] = {"exp", "sigmoid", "tanh"};
    for (int k = 0; k < 3; k++) {
        run_on(2, fs[k], N - 3, x, a); /* N − 3: a tail in both */
        run_on(1, fs[k], N - 3, x, b);
        size_t differ = 0;
        for (int i = 0; i < N - 3; i++) differ += memcmp(&a[i], &b[i], sizeof(float)) != 0;
        fprintf(stderr, "  %s: %zu of %d results differ between AVX-512 and AVX2\n", names[k],
                differ, N - 3);
        CHECK(differ == 0);
    }
    for (int len = 1; len <= 70; len++) {
        float *xs = x + 1000 * len;
        double m = -INFINITY;
        for (int i = 0; i < len; i++)
            xs[i] = (wsd_rng_uniformf(&rng) - 0.8f) * 900, m = fmax(m, xs[i]);
        nn_vmath_force_isa(2);
        double s2 = nn_sum_exp_shift((size_t)len, xs, m);
        nn_vmath_force_isa(1);
        double s1 = nn_sum_exp_shift((size_t)len, xs, m);
        nn_vmath_force_isa(-1);
        CHECK(memcmp(&s1, &s2, sizeof s1) == 0);
    }
    enum { B = 5, H = 53 };
    float gi[B * 3 * H], gh[B * 3 * H], hp[B * H], hn[2][B * H], g[2][B * 4 * H];
    for (int i = 0; i < B * 3 * H; i++)
        gi[i] = wsd_rng_normal(&rng) * 4, gh[i] = wsd_rng_normal(&rng) * 4;
    for (int i = 0; i < B * H; i++) hp[i] = wsd_rng_uniformf(&rng) * 2 - 1;
    for (int k = 0; k < 2; k++) {
        nn_vmath_force_isa(2 - k);
        nn_vgru_cell_forward(B, H, gi, 3 * H, gh, hp, hn[k], g[k]);
    }
    nn_vmath_force_isa(-1);
    CHECK(memcmp(hn[0], hn[1], sizeof hn[0]) == 0 && memcmp(g[0], g[1], sizeof g[0]) == 0);
    free(x), free(a), free(b);
}

int main(void) {
    TEST_RUN(test_every_path);
    TEST_RUN(test_avx2_equals_avx512);
    return test_finish();
}
