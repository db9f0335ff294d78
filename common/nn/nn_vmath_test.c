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

static void test_error_bounds(void) {
    fprintf(stderr, "  vectorised: %d\n", nn_vmath_vectorised());
    double e = sweep(nn_vexpf, exp, -87, 88);
    double s = sweep(nn_vsigmoidf, sigmoid_ref, -87, 100);
    double t = sweep(nn_vtanhf, tanh, -12, 12);
    double t2 = sweep(nn_vtanhf, tanh, -1, 1);
    fprintf(stderr, "  max relative error in units of 2^-24: exp %.2f sigmoid %.2f tanh %.2f (%.2f on [-1, 1])\n",
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
static void test_sum_exp(void) {
    nn_rng rng;
    nn_rng_seed(&rng, 3);
    double worst = 0;
    for (int len = 1; len <= 37; len++) {
        float x[40];
        for (int i = 0; i < len; i++) x[i] = (nn_rng_uniformf(&rng) - 0.9f) * 800; /* to −720 */
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
static void test_log_softmax_matches_scalar(void) {
    enum { R = 20, V = 6000 };
    nn_rng rng;
    nn_rng_seed(&rng, 4);
    nn_tensor x = nn_zeros2(NN_CPU, R, V), y = nn_zeros2(NN_CPU, R, V);
    for (size_t i = 0; i < x.size; i++) x.data[i] = nn_rng_normal(&rng) * 4;
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
static void test_gru_cell(void) {
    enum { B = 3, H = 37 };
    nn_rng rng;
    nn_rng_seed(&rng, 5);
    float gi[B * 3 * H + 5], gh[B * 3 * H], hp[B * H], hn[B * H], g[B * 4 * H];
    for (int i = 0; i < B * 3 * H + 5; i++) gi[i] = nn_rng_normal(&rng) * 3;
    for (int i = 0; i < B * 3 * H; i++) gh[i] = nn_rng_normal(&rng) * 3;
    for (int i = 0; i < B * H; i++) hp[i] = nn_rng_uniformf(&rng) * 2 - 1;
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

int main(void) {
    TEST_RUN(test_error_bounds);
    TEST_RUN(test_sum_exp);
    TEST_RUN(test_log_softmax_matches_scalar);
    TEST_RUN(test_gru_cell);
    return test_finish();
}
