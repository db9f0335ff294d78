#include "nn/nn_gemm_small.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86 1
#include <immintrin.h>
#else
#define HAVE_X86 0
#endif

#define MR 6  /* rows of C in registers */
#define NP 32 /* columns of a packed panel of B */

int nn_gemm_small_isa(void) {
    static int isa = -1;
    if (isa >= 0) return isa;
    int v = 0;
#if HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        v = 2;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        v = 1;
#endif
    const char *cap = getenv("WSD_GEMM_ISA");
    if (cap && *cap >= '0' && *cap <= '2' && *cap - '0' < v) v = *cap - '0';
    isa = v;
    return isa;
}

#if HAVE_X86

/* ---- AVX-512: mr (≤ 6) rows × 32 columns, columns masked at the edge ---- */

#define T512 __attribute__((target("avx512f"), always_inline)) static inline

/* R rows (6 or 1) written out so that the accumulators stay in registers */
#define TILE512(R)                                                                                 \
    T512 void tile512_##R(int K, const float *A, int lda, const float *B, int ldb, float beta,     \
                          float *C, int ldc, __mmask16 m0, __mmask16 m1) {                         \
        __m512 c0[R], c1[R];                                                                       \
        _Pragma("GCC unroll 6") for (int i = 0; i < R; i++) c0[i] = c1[i] = _mm512_setzero_ps();   \
        for (int k = 0; k < K; k++) {                                                              \
            const float *b = B + (size_t)k * ldb;                                                  \
            __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);                          \
            _Pragma("GCC unroll 6") for (int i = 0; i < R; i++) {                                  \
                __m512 a = _mm512_set1_ps(A[(size_t)i * lda + k]);                                 \
                c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);                                             \
                c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);                                             \
            }                                                                                      \
        }                                                                                          \
        _Pragma("GCC unroll 6") for (int i = 0; i < R; i++) {                                      \
            float *c = C + (size_t)i * ldc;                                                        \
            if (beta != 0) {                                                                       \
                __m512 vb = _mm512_set1_ps(beta);                                                  \
                c0[i] = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), c0[i]);                  \
                c1[i] = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), c1[i]);             \
            }                                                                                      \
            _mm512_mask_storeu_ps(c, m0, c0[i]);                                                   \
            _mm512_mask_storeu_ps(c + 16, m1, c1[i]);                                              \
        }                                                                                          \
    }
TILE512(6)
TILE512(1)

__attribute__((target("avx512f"))) static void gemm512(int M, int N, int K, const float *A, int lda,
                                                       const float *P, float beta, float *C,
                                                       int ldc) {
    for (int j = 0; j < N; j += NP) {
        int w = N - j < NP ? N - j : NP;
        __mmask16 m0 = w >= 16 ? 0xFFFF : (__mmask16)((1u << w) - 1);
        __mmask16 m1 = w >= 32 ? 0xFFFF : w > 16 ? (__mmask16)((1u << (w - 16)) - 1) : 0;
        const float *b = P + (size_t)j * K;
        for (int i = 0; i < M; i += MR) {
            const float *a = A + (size_t)i * lda;
            float *c = C + (size_t)i * ldc + j;
            if (M - i >= MR)
                tile512_6(K, a, lda, b, NP, beta, c, ldc, m0, m1);
            else
                for (int r = 0; r < M - i; r++)
                    tile512_1(K, a + (size_t)r * lda, lda, b, NP, beta, c + (size_t)r * ldc, ldc,
                              m0, m1);
        }
    }
}

/* ---- AVX2 + FMA: mr (≤ 6) rows × 16 columns ---- */

#define T256 __attribute__((target("avx2,fma"), always_inline)) static inline

#define TILE256(R)                                                                                 \
    T256 void tile256_##R(int K, const float *A, int lda, const float *B, int ldb, float beta,     \
                          float *C, int ldc, __m256i m0, __m256i m1) {                             \
        __m256 c0[R], c1[R];                                                                       \
        _Pragma("GCC unroll 6") for (int i = 0; i < R; i++) c0[i] = c1[i] = _mm256_setzero_ps();   \
        for (int k = 0; k < K; k++) {                                                              \
            const float *b = B + (size_t)k * ldb;                                                  \
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);                           \
            _Pragma("GCC unroll 6") for (int i = 0; i < R; i++) {                                  \
                __m256 a = _mm256_broadcast_ss(A + (size_t)i * lda + k);                           \
                c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);                                             \
                c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);                                             \
            }                                                                                      \
        }                                                                                          \
        _Pragma("GCC unroll 6") for (int i = 0; i < R; i++) {                                      \
            float *c = C + (size_t)i * ldc;                                                        \
            if (beta != 0) {                                                                       \
                __m256 vb = _mm256_set1_ps(beta);                                                  \
                c0[i] = _mm256_fmadd_ps(vb, _mm256_maskload_ps(c, m0), c0[i]);                     \
                c1[i] = _mm256_fmadd_ps(vb, _mm256_maskload_ps(c + 8, m1), c1[i]);                 \
            }                                                                                      \
            _mm256_maskstore_ps(c, m0, c0[i]);                                                     \
            _mm256_maskstore_ps(c + 8, m1, c1[i]);                                                 \
        }                                                                                          \
    }
TILE256(6)
TILE256(1)

__attribute__((target("avx2,fma"))) static __m256i lanes(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* a 32-column panel as two 16-column halves */
__attribute__((target("avx2,fma"))) static void gemm256(int M, int N, int K, const float *A,
                                                        int lda, const float *P, float beta,
                                                        float *C, int ldc) {
    for (int j = 0; j < N; j += 16) {
        int w = N - j < 16 ? N - j : 16;
        __m256i m0 = lanes(w), m1 = lanes(w - 8);
        const float *b = P + (size_t)(j / NP) * NP * K + j % NP;
        for (int i = 0; i < M; i += MR) {
            const float *a = A + (size_t)i * lda;
            float *c = C + (size_t)i * ldc + j;
            if (M - i >= MR)
                tile256_6(K, a, lda, b, NP, beta, c, ldc, m0, m1);
            else
                for (int r = 0; r < M - i; r++)
                    tile256_1(K, a + (size_t)r * lda, lda, b, NP, beta, c + (size_t)r * ldc, ldc,
                              m0, m1);
        }
    }
}

#endif

size_t nn_gemm_small_packed_size(int K, int N) {
    if (nn_gemm_small_isa() == 0 || K <= 0 || N <= 0) return 0;
    return (size_t)(N + NP - 1) / NP * NP * K;
}

void nn_gemm_small_pack(int K, int N, const float *B, int ldb, int trans, float *P) {
    for (int j0 = 0; j0 < N; j0 += NP) {
        float *p = P + (size_t)j0 * K;
        int w = N - j0 < NP ? N - j0 : NP;
        for (int k = 0; k < K; k++) {
            float *row = p + (size_t)k * NP;
            if (trans)
                for (int jj = 0; jj < w; jj++) row[jj] = B[(size_t)(j0 + jj) * ldb + k];
            else
                memcpy(row, B + (size_t)k * ldb + j0, sizeof(float) * w);
            for (int jj = w; jj < NP; jj++) row[jj] = 0;
        }
    }
}

/* ---- the columns split over threads ----
 * Panels [j0, j1) per thread; every element is computed the same way
 * whatever the split, so the result does not depend on the thread count. */

typedef struct {
    int M, N, K, lda, ldc;
    const float *A, *P;
    float beta, *C;
    /* or, when fn is set, fn(arg, lo, hi) over the thread's range of [0, n) */
    void (*fn)(void *arg, size_t lo, size_t hi);
    void *arg;
} job;

static void run_cols(const job *j, int j0, int j1) {
    if (j1 <= j0) return;
    const float *P = j->P + (size_t)j0 * j->K;
    float *C = j->C + j0;
#if HAVE_X86
    if (nn_gemm_small_isa() == 2)
        gemm512(j->M, j1 - j0, j->K, j->A, j->lda, P, j->beta, C, j->ldc);
    else
        gemm256(j->M, j1 - j0, j->K, j->A, j->lda, P, j->beta, C, j->ldc);
#else
    (void)P, (void)C;
#endif
}

#define MAX_THREADS 8
static int g_threads = 0; /* 0: not set yet (online processors) */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER, busy_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_go = PTHREAD_COND_INITIALIZER, pool_done = PTHREAD_COND_INITIALIZER;
static int pool_started, pool_pending, pool_active; /* active: threads of the current job */
static unsigned pool_gen;
static job pool_job;
static size_t pool_cols[MAX_THREADS + 1];

static void run_part(const job *j, size_t lo, size_t hi) {
    if (j->fn) {
        if (hi > lo) j->fn(j->arg, lo, hi);
    } else {
        run_cols(j, (int)lo, (int)hi);
    }
}

/* arg: the worker's index | the generation it was started in << 8 (it must
 * run that one's job even if it first gets the lock after the broadcast) */
static void *worker(void *arg) {
    int me = (int)((size_t)arg & 0xFF);
    unsigned seen = (unsigned)((size_t)arg >> 8);
    pthread_mutex_lock(&pool_mu);
    for (;;) {
        while (pool_gen == seen) pthread_cond_wait(&pool_go, &pool_mu);
        seen = pool_gen;
        if (me >= pool_active) continue; /* a job for fewer threads than the pool has */
        job j = pool_job;
        size_t j0 = pool_cols[me], j1 = pool_cols[me + 1];
        pthread_mutex_unlock(&pool_mu);
        run_part(&j, j0, j1);
        pthread_mutex_lock(&pool_mu);
        if (--pool_pending == 0) pthread_cond_signal(&pool_done);
    }
    return NULL;
}

void nn_gemm_small_set_threads(int n) {
    if (n <= 0) {
        long p = sysconf(_SC_NPROCESSORS_ONLN);
        n = p > 0 ? (int)p : 1;
    }
    g_threads = n > MAX_THREADS ? MAX_THREADS : n;
}

int nn_pool_threads(void) {
    if (!g_threads) nn_gemm_small_set_threads(0);
    return g_threads;
}

/* Threads for a product: 1 below ~4 MFLOP or with fewer than two panels a thread. */
static int threads_for(int M, int N, int K) {
    if (!g_threads) nn_gemm_small_set_threads(0);
    int t = g_threads, panels = (N + NP - 1) / NP;
    if (t > panels / 2) t = panels / 2;
    if (2.0 * M * N * K < 4e6 || t < 2) return 1;
    return t;
}

/* Splits [0, n) over t threads in multiples of `unit` (the caller takes the
 * first range) and waits for all. */
static void run_split(const job *j, int t, size_t n, size_t unit) {
    /* one caller at a time uses the pool; a concurrent one computes alone */
    if (pthread_mutex_trylock(&busy_mu) != 0) return run_part(j, 0, n);
    pthread_mutex_lock(&pool_mu);
    while (pool_started < t - 1) {
        pthread_t th;
        size_t arg = (size_t)(pool_started + 1) | (size_t)pool_gen << 8;
        if (pthread_create(&th, NULL, worker, (void *)arg) != 0) break;
        pthread_detach(th);
        pool_started++;
    }
    if (t > pool_started + 1) t = pool_started + 1;
    size_t units = (n + unit - 1) / unit;
    for (int i = 0; i <= MAX_THREADS; i++) {
        size_t c = units * (size_t)(i < t ? i : t) / (size_t)t * unit;
        pool_cols[i] = c < n ? c : n;
    }
    pool_job = *j;
    pool_pending = t - 1;
    pool_active = t;
    pool_gen++;
    pthread_cond_broadcast(&pool_go);
    pthread_mutex_unlock(&pool_mu);
    run_part(j, pool_cols[0], pool_cols[1]);
    pthread_mutex_lock(&pool_mu);
    while (pool_pending > 0) pthread_cond_wait(&pool_done, &pool_mu);
    pthread_mutex_unlock(&pool_mu);
    pthread_mutex_unlock(&busy_mu);
}

int nn_sgemm_small_packed(int M, int N, int K, const float *A, int lda, const float *P, float beta,
                          float *C, int ldc) {
    if (M <= 0 || N <= 0) return 0;
#if HAVE_X86
    if (nn_gemm_small_isa() == 0) return -1;
    job j = {M, N, K, lda, ldc, A, P, beta, C, NULL, NULL};
    int t = threads_for(M, N, K);
    if (t > 1)
        run_split(&j, t, (size_t)N, NP);
    else
        run_cols(&j, 0, N);
    return 0;
#else
    (void)A, (void)lda, (void)P, (void)beta, (void)C, (void)ldc, (void)K;
    return -1;
#endif
}

void nn_parallel_ranges(size_t n, size_t grain, void (*fn)(void *arg, size_t lo, size_t hi),
                        void *arg) {
    if (n == 0) return;
    if (!g_threads) nn_gemm_small_set_threads(0);
    if (grain < 1) grain = 1;
    size_t t = n / grain;
    if (t > (size_t)g_threads) t = (size_t)g_threads;
    if (t < 2) return fn(arg, 0, n);
    job j;
    memset(&j, 0, sizeof j);
    j.fn = fn;
    j.arg = arg;
    /* floats: boundaries on 64-byte lines; items (rows, frames, channels): even */
    run_split(&j, (int)t, n, grain >= 16 ? 16 : 1);
}
