#include "nn/nn_gemm_small.h"
#include "nn/nn_threadpool.h"

#include <pthread.h>

#include "testing/nn_testutil.h"

/* |C − exact| ≤ K·u·Σ_k |a_ik b_kj| (+ the beta term), u = 2⁻²⁴, against a
 * double product; shapes cover every row remainder (1..6) and column tails. */
static void check_shape(int isa_cap, int M, int N, int K, float beta, wsd_rng *rng) {
    int lda = K + 3, ldb = N + 5, ldc = N + 2;
    float *A = malloc(sizeof(float) * (size_t)M * lda),
          *B = malloc(sizeof(float) * (size_t)K * ldb);
    float *C = malloc(sizeof(float) * (size_t)M * ldc),
          *C0 = malloc(sizeof(float) * (size_t)M * ldc);
    for (int i = 0; i < M * lda; i++) A[i] = wsd_rng_uniformf(rng) * 2 - 1;
    for (int i = 0; i < K * ldb; i++) B[i] = wsd_rng_uniformf(rng) * 2 - 1;
    for (int i = 0; i < M * ldc; i++) C[i] = C0[i] = wsd_rng_uniformf(rng) * 2 - 1;
    if (beta == 0)
        for (int i = 0; i < M; i++) C[(size_t)i * ldc] = NAN; /* beta 0 must not read C */
    size_t psz = nn_gemm_small_packed_size(K, N);
    CHECK((psz == 0) == (isa_cap == 0));
    float *P = NULL;
    int rc = -1;
    if (psz) {
        P = malloc(sizeof(float) * psz);
        /* half the shapes packed from the transpose, as the GRU forward does */
        if ((M + N) % 2) {
            float *Bt = malloc(sizeof(float) * (size_t)N * (K + 1));
            for (int k = 0; k < K; k++)
                for (int j = 0; j < N; j++) Bt[(size_t)j * (K + 1) + k] = B[(size_t)k * ldb + j];
            nn_gemm_small_pack(K, N, Bt, K + 1, 1, P);
            free(Bt);
        } else {
            nn_gemm_small_pack(K, N, B, ldb, 0, P);
        }
    }
    rc = nn_sgemm_small_packed(M, N, K, A, lda, P ? P : B, beta, C, ldc);
    free(P);
    if (isa_cap == 0) {
        CHECK(rc == -1);
        CHECK(beta != 0 || isnan(C[0])); /* untouched */
    } else {
        CHECK(rc == 0);
        double worst = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < ldc; j++) {
                double got = C[(size_t)i * ldc + j];
                if (j >= N) { /* padding between rows is never written */
                    CHECK(got == C0[(size_t)i * ldc + j]);
                    continue;
                }
                double ex = beta * (double)C0[(size_t)i * ldc + j], mag = fabs(ex);
                for (int k = 0; k < K; k++) {
                    double p = (double)A[(size_t)i * lda + k] * B[(size_t)k * ldb + j];
                    ex += p;
                    mag += fabs(p);
                }
                double bound = (K + 1) * ldexp(1.0, -24) * mag + 1e-30,
                       err = fabs(got - ex) / bound;
                if (err > worst) worst = err;
            }
        CHECK_MSG(worst <= 1.0, "isa %d M %d N %d K %d beta %g: error %.3g of the bound", isa_cap,
                  M, N, K, beta, worst);
    }
    free(A), free(B), free(C), free(C0);
}

static void test_products_within_the_bound(void) {
    static const int shapes[][3] = {{1, 1, 1},   {6, 32, 7}, {7, 33, 64},   {5, 17, 3},
                                    {9, 40, 21}, {2, 15, 9}, {13, 47, 100}, {36, 96, 512},
                                    {4, 9, 31},  {16, 20, 8}};
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    int isa = nn_gemm_small_isa();
    fprintf(stderr, "  kernel level %d (2 AVX-512, 1 AVX2, 0 none)\n", isa);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int bt = 0; bt < 2; bt++)
            check_shape(isa, shapes[s][0], shapes[s][1], shapes[s][2], bt ? 1.0f : 0.0f, &rng);
}

/* Same inputs, same bits, whatever the blocking: a row computed alone equals
 * the same row computed among others, in a full tile of 6 or in a remainder
 * of 1 … 5. */
static void test_rows_do_not_depend_on_the_batch(void) {
    if (nn_gemm_small_isa() == 0) TEST_SKIP("no vector kernel on this machine");
    wsd_rng rng;
    wsd_rng_seed(&rng, 8);
    enum { MMAX = 12, N = 70, K = 200 };
    float *A = malloc(sizeof(float) * MMAX * K), *B = malloc(sizeof(float) * K * N);
    float *C = malloc(sizeof(float) * MMAX * N), *r = malloc(sizeof(float) * N);
    for (int i = 0; i < MMAX * K; i++) A[i] = wsd_rng_normal(&rng);
    for (int i = 0; i < K * N; i++) B[i] = wsd_rng_normal(&rng);
    float *P = malloc(sizeof(float) * nn_gemm_small_packed_size(K, N));
    nn_gemm_small_pack(K, N, B, N, 0, P);
    for (int M = 7; M <= MMAX; M++) {
        CHECK(nn_sgemm_small_packed(M, N, K, A, K, P, 0, C, N) == 0);
        for (int i = 0; i < M; i++) {
            CHECK(nn_sgemm_small_packed(1, N, K, A + (size_t)i * K, K, P, 0, r, N) == 0);
            CHECK_MSG(memcmp(r, C + (size_t)i * N, sizeof(float) * N) == 0, "M %d row %d", M, i);
        }
    }
    free(A), free(B), free(C), free(r), free(P);
}

/* The same bits with 1, 2 and 3 threads (columns split differently). */
static void test_threads_do_not_change_the_result(void) {
    if (nn_gemm_small_isa() == 0) TEST_SKIP("no vector kernel on this machine");
    wsd_rng rng;
    wsd_rng_seed(&rng, 9);
    int M = 36, N = 1536 + 40, K = 300;
    float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
    float *C[3];
    for (int i = 0; i < M * K; i++) A[i] = wsd_rng_normal(&rng);
    for (int i = 0; i < K * N; i++) B[i] = wsd_rng_normal(&rng);
    float *P = malloc(sizeof(float) * nn_gemm_small_packed_size(K, N));
    nn_gemm_small_pack(K, N, B, N, 0, P);
    for (int t = 0; t < 3; t++) {
        C[t] = malloc(sizeof(float) * M * N);
        nn_threadpool_set_threads(t + 1);
        CHECK(nn_sgemm_small_packed(M, N, K, A, K, P, 0, C[t], N) == 0);
    }
    CHECK(memcmp(C[0], C[1], sizeof(float) * M * N) == 0);
    CHECK(memcmp(C[0], C[2], sizeof(float) * M * N) == 0);
    /* with the bias in the product's threads: the product, then the bias */
    float *bias = malloc(sizeof(float) * N), *Cb = malloc(sizeof(float) * M * N);
    for (int j = 0; j < N; j++) bias[j] = wsd_rng_normal(&rng);
    for (int i = 0; i < M * N; i++) C[1][i] = C[0][i] + bias[i % N];
    for (int t = 1; t <= 3; t++) {
        nn_threadpool_set_threads(t);
        CHECK(nn_sgemm_small_packed_bias(M, N, K, A, K, P, 0, bias, Cb, N) == 0);
        CHECK(memcmp(Cb, C[1], sizeof(float) * M * N) == 0);
    }
    nn_threadpool_set_threads(0);
    free(bias), free(Cb);
    free(A), free(B), free(P), free(C[0]), free(C[1]), free(C[2]);
}

/* nn_parallel_ranges covers [0, n) once, in contiguous ranges on 16-element
 * boundaries, with at most n / grain calls; one call below two grains. */
typedef struct {
    int calls;
    size_t lo[16], hi[16];
    pthread_mutex_t mu;
} ranges_seen;

static void note_range(void *p, size_t lo, size_t hi) {
    ranges_seen *r = p;
    pthread_mutex_lock(&r->mu);
    if (r->calls < 16) r->lo[r->calls] = lo, r->hi[r->calls] = hi;
    r->calls++;
    pthread_mutex_unlock(&r->mu);
}

static void test_parallel_ranges(void) {
    static const size_t ns[] = {1, 31, 1000, 100003, 1 << 20};
    for (int t = 1; t <= 3; t++) {
        nn_threadpool_set_threads(t);
        for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
            size_t n = ns[k], grain = 1000;
            ranges_seen r = {.mu = PTHREAD_MUTEX_INITIALIZER};
            nn_parallel_ranges(n, grain, note_range, &r);
            size_t want = n / grain < (size_t)t ? n / grain : (size_t)t;
            CHECK(r.calls == (int)(want < 2 ? 1 : want));
            /* sorted, they tile [0, n) */
            for (int i = 0; i < r.calls; i++)
                for (int j = i + 1; j < r.calls; j++)
                    if (r.lo[j] < r.lo[i]) {
                        size_t a = r.lo[i], b = r.hi[i];
                        r.lo[i] = r.lo[j], r.hi[i] = r.hi[j], r.lo[j] = a, r.hi[j] = b;
                    }
            size_t at = 0;
            for (int i = 0; i < r.calls; i++) {
                CHECK(r.lo[i] == at && r.hi[i] > r.lo[i]);
                CHECK(r.hi[i] == n || r.hi[i] % 16 == 0);
                at = r.hi[i];
            }
            CHECK(at == n);
        }
        /* a few items (frames, channels) at grain 1 are shared out evenly */
        ranges_seen r = {.mu = PTHREAD_MUTEX_INITIALIZER};
        nn_parallel_ranges(18, 1, note_range, &r);
        CHECK(r.calls == t);
        for (int i = 0; i < r.calls; i++) CHECK(r.hi[i] - r.lo[i] >= 18 / (size_t)t);
    }
    nn_threadpool_set_threads(0);
}

/* The lower levels this machine also runs (AVX2 on an AVX-512 machine, and
 * none), each in a child process: the level is read once per process. */
static const char *self;
static void test_lower_levels(void) {
    int isa = nn_gemm_small_isa();
    for (int cap = isa - 1; cap >= 0; cap--) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "WSD_GEMM_ISA=%d '%s' child", cap, self);
        CHECK_MSG(system(cmd) == 0, "level %d", cap);
    }
}

int main(int argc, char **argv) {
    self = argv[0];
    TEST_RUN(test_products_within_the_bound);
    TEST_RUN(test_rows_do_not_depend_on_the_batch);
    TEST_RUN(test_threads_do_not_change_the_result);
    TEST_RUN(test_parallel_ranges);
    if (argc < 2) TEST_RUN(test_lower_levels);
    return test_finish();
}
