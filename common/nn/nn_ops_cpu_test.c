/* The CPU backend's large loops run split over the product pool's threads
 * (nn_parallel_ranges): with 1, 2 and 3 threads every op gives the bits of
 * the plain one-pass loop, on sizes above the split threshold with ragged
 * ends. */
#include "nn/nn_backend.h"

#include <cblas.h>
#include "nn/nn_threadpool.h"
#include "testing/nn_testutil.h"

enum { ROWS = 397, COLS = 1001, N = ROWS * COLS }; /* 397,397 elements: split 3 ways */

static float *rnd(wsd_rng *rng, size_t n) {
    float *p = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) p[i] = wsd_rng_normal(rng);
    return p;
}

static int same(const float *a, const float *b, size_t n) {
    return memcmp(a, b, sizeof(float) * n) == 0;
}

static void test_ops_match_one_pass(void) {
    const nn_backend *be = &nn_cpu_backend;
    wsd_rng rng;
    wsd_rng_seed(&rng, 21);
    float *x = rnd(&rng, N), *b = rnd(&rng, N), *y0 = rnd(&rng, N), *bias = rnd(&rng, COLS);
    float *y = malloc(sizeof(float) * N), *ref = malloc(sizeof(float) * N);
    float *buf = malloc(sizeof(float) * N), *bufref = malloc(sizeof(float) * N);
    float out[COLS], outref[COLS];
    for (int t = 1; t <= 3; t++) {
        nn_threadpool_set_threads(t);
        be->fill(y, N, 0.25f);
        for (size_t i = 0; i < N; i++) ref[i] = 0.25f;
        CHECK(same(y, ref, N));
        be->copy(y, x, N);
        CHECK(same(y, x, N));
        memcpy(y, y0, sizeof(float) * N), memcpy(ref, y0, sizeof(float) * N);
        be->axpy(N, -0.7f, x, y);
        for (size_t i = 0; i < N; i++) ref[i] += -0.7f * x[i];
        CHECK(same(y, ref, N));
        be->scale(N, 1.3f, y);
        for (size_t i = 0; i < N; i++) ref[i] *= 1.3f;
        CHECK(same(y, ref, N));
        be->mul(N, x, b, y, 1);
        for (size_t i = 0; i < N; i++) ref[i] += x[i] * b[i];
        CHECK(same(y, ref, N));
        be->mul(N, x, b, y, 0);
        for (size_t i = 0; i < N; i++) ref[i] = x[i] * b[i];
        CHECK(same(y, ref, N));
        be->add(N, x, b, y);
        for (size_t i = 0; i < N; i++) ref[i] = x[i] + b[i];
        CHECK(same(y, ref, N));
        be->add_row_bias(ROWS, COLS, y, bias);
        for (size_t i = 0; i < N; i++) ref[i] += bias[i % COLS];
        CHECK(same(y, ref, N));
        for (int j = 0; j < COLS; j++) out[j] = outref[j] = bias[j];
        be->sum_rows(ROWS, COLS, x, out);
        for (int j = 0; j < COLS; j++) {
            double acc = 0;
            for (int r = 0; r < ROWS; r++) acc += x[(size_t)r * COLS + j];
            outref[j] += (float)acc;
        }
        CHECK(same(out, outref, COLS));
        /* copy2d: rows of 999 from stride 1001 into stride 1000, plain and += */
        memcpy(y, y0, sizeof(float) * N), memcpy(ref, y0, sizeof(float) * N);
        be->copy2d(ROWS - 1, 999, x, COLS, y, 1000, 0);
        for (int r = 0; r < ROWS - 1; r++)
            memcpy(ref + (size_t)r * 1000, x + (size_t)r * COLS, sizeof(float) * 999);
        CHECK(same(y, ref, N));
        be->copy2d(ROWS - 1, 999, b, COLS, y, 1000, 1);
        for (int r = 0; r < ROWS - 1; r++)
            for (int j = 0; j < 999; j++) ref[(size_t)r * 1000 + j] += b[(size_t)r * COLS + j];
        CHECK(same(y, ref, N));
        /* sums of squares of several tensors (clipping), and argmax by rows */
        const float *xs[5] = {x, b, y0, bias, x + 7};
        size_t ns[5] = {N / 2, N, 3, COLS, N - 7};
        double sref = 0;
        for (int i = 0; i < 5; i++) {
            double d = 0;
            for (size_t j = 0; j < ns[i]; j++) d += (double)xs[i][j] * xs[i][j];
            sref += d;
        }
        double ssum = be->sumsq_many(5, xs, ns);
        CHECK(memcmp(&ssum, &sref, sizeof ssum) == 0);
        int am[ROWS];
        be->argmax_rows(ROWS, COLS, x, am);
        for (int r = 0; r < ROWS; r++) {
            int best = 0;
            for (int j = 1; j < COLS; j++)
                if (x[(size_t)r * COLS + j] > x[(size_t)r * COLS + best]) best = j;
            CHECK(am[r] == best);
        }
        /* SGD with momentum: the first step, then one more */
        memcpy(y, y0, sizeof(float) * N), memcpy(ref, y0, sizeof(float) * N);
        for (int first = 1; first >= 0; first--) {
            be->sgd_update(N, y, x, buf, first, 0.01f, 0.8f, 1e-4f);
            for (size_t i = 0; i < N; i++) {
                float d = x[i] + 1e-4f * ref[i];
                bufref[i] = first ? d : 0.8f * bufref[i] + d;
                ref[i] -= 0.01f * bufref[i];
            }
            CHECK(same(y, ref, N) && same(buf, bufref, N));
        }
    }
    nn_threadpool_set_threads(0);
    free(x), free(b), free(y0), free(bias), free(y), free(ref), free(buf), free(bufref);
}

/* Every product runs as OpenBLAS single-threaded row or column slices over
 * the pool (nn_sgemm.h): the bits of one single-threaded OpenBLAS call,
 * whatever the pool's thread count, at the models' shapes (the video encoder's
 * 4320 rows, the decoder's 684, the output layer's 6000 columns), shapes
 * around the slicing thresholds, transposes, alpha, beta. */
static void test_gemm_is_openblas_bits(void) {
    const nn_backend *be = &nn_cpu_backend;
    wsd_rng rng;
    wsd_rng_seed(&rng, 5);
    enum { MAXE = 4320 * 2048 };
    float *a = rnd(&rng, MAXE), *b = rnd(&rng, MAXE);
    float *c0 = rnd(&rng, MAXE), *c = malloc(sizeof(float) * MAXE);
    float *ref = malloc(sizeof(float) * MAXE);
    const int shapes[][3] = {
        {180, 6000, 512},  {2, 2049, 37},     {45, 6000, 512},  {700, 4097, 64}, {4320, 1536, 500},
        {500, 1536, 4320}, {684, 1536, 2048}, {684, 6000, 512}, {36, 1536, 512}, {64, 70, 450},
        {40, 1000, 60},    {33, 2100, 30},    {1536, 512, 684}, {17, 3, 5}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int v = 0; v < 4; v++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ta = v & 1, tb = v >> 1;
            float alpha = v == 1 ? 0.5f : 1.0f, beta = v == 2 ? 1.0f : 0.0f;
            int lda = ta ? m : k, ldb = tb ? k : n;
            openblas_set_num_threads(1);
            memcpy(ref, c0, sizeof(float) * m * n);
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                        tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, ref,
                        n);
            for (int t = 1; t <= 3; t++) {
                openblas_set_num_threads(2); /* a caller raised it: nn_sgemm lowers it again */
                nn_threadpool_set_threads(t);
                memcpy(c, c0, sizeof(float) * m * n);
                be->gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
                CHECK_MSG(same(c, ref, (size_t)m * n), "%d x %d x %d ta %d tb %d, pool threads %d",
                          m, n, k, ta, tb, t);
                CHECK(openblas_get_num_threads() == 1); /* its workers asleep */
            }
        }
    nn_threadpool_set_threads(0);
    free(a), free(b), free(c0), free(c), free(ref);
}

/* Mean attention (the caption generator's soft-masked contexts): rows over
 * the pool in the forward, the features' gradient by columns in the
 * backward; with 1, 2 and 3 threads the bits of the one-pass loops, with
 * several rows on one video (their gradients add in row order) and zeros in
 * the masks. */
static void test_mean_attention_matches_one_pass(void) {
    const nn_backend *be = &nn_cpu_backend;
    enum { NA = 40, B = 7, T = 150, D = 512 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 33);
    float *feats = rnd(&rng, (size_t)B * T * D), *mask = rnd(&rng, (size_t)NA * T);
    float *dctx = rnd(&rng, (size_t)NA * D), *df0 = rnd(&rng, (size_t)B * T * D);
    int gather[NA];
    for (int n = 0; n < NA; n++) gather[n] = (n * 3) % B;
    for (int i = 0; i < NA * T; i++) mask[i] = i % 7 == 0 ? 0.0f : mask[i] * mask[i];
    float alpha_r[NA * T], msum_r[NA], ctx_r[NA * D], dmask_r[NA * T];
    float *df_r = malloc(sizeof(float) * B * T * D);
    memcpy(df_r, df0, sizeof(float) * B * T * D);
    for (int n = 0; n < NA; n++) {
        const float *f = feats + (size_t)gather[n] * T * D, *m = mask + (size_t)n * T;
        double sum = 0, acc[D] = {0};
        for (int t = 0; t < T; t++) sum += m[t];
        float denom = (float)sum + 1e-4f;
        msum_r[n] = (float)sum;
        for (int t = 0; t < T; t++) {
            alpha_r[n * T + t] = m[t] / denom;
            if (m[t] != 0)
                for (int d = 0; d < D; d++) acc[d] += (double)m[t] * f[(size_t)t * D + d];
        }
        for (int d = 0; d < D; d++) ctx_r[n * D + d] = (float)(acc[d] / denom);
    }
    for (int n = 0; n < NA; n++) {
        const float *f = feats + (size_t)gather[n] * T * D, *m = mask + (size_t)n * T;
        const float *dc = dctx + (size_t)n * D;
        float denom = msum_r[n] + 1e-4f;
        double dcc = 0;
        for (int d = 0; d < D; d++) dcc += (double)dc[d] * ctx_r[n * D + d];
        for (int t = 0; t < T; t++) {
            double dot = 0;
            for (int d = 0; d < D; d++) dot += (double)dc[d] * f[(size_t)t * D + d];
            dmask_r[n * T + t] = 0.5f + (float)((dot - dcc) / denom);
            if (m[t] == 0) continue;
            float w = m[t] / denom, *dft = df_r + ((size_t)gather[n] * T + t) * D;
            for (int d = 0; d < D; d++) dft[d] += w * dc[d];
        }
    }
    float alpha[NA * T], msum[NA], ctx[NA * D], dmask[NA * T];
    float *df = malloc(sizeof(float) * B * T * D);
    for (int th = 1; th <= 3; th++) {
        nn_threadpool_set_threads(th);
        be->att_mean_forward(NA, T, D, feats, gather, mask, alpha, msum, ctx);
        CHECK_MSG(same(alpha, alpha_r, NA * T) && same(msum, msum_r, NA) &&
                      same(ctx, ctx_r, NA * D),
                  "forward, %d threads", th);
        for (int i = 0; i < NA * T; i++) dmask[i] = 0.5f;
        memcpy(df, df0, sizeof(float) * B * T * D);
        be->att_mean_backward(NA, T, D, feats, gather, mask, msum, ctx, dctx, df, dmask);
        CHECK_MSG(same(dmask, dmask_r, NA * T) && same(df, df_r, (size_t)B * T * D),
                  "backward, %d threads", th);
    }
    nn_threadpool_set_threads(0);
    free(feats), free(mask), free(dctx), free(df0), free(df_r), free(df);
}

int main(void) {
    TEST_RUN(test_ops_match_one_pass);
    TEST_RUN(test_mean_attention_matches_one_pass);
    TEST_RUN(test_gemm_is_openblas_bits);
    return test_finish();
}
