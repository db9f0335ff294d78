#include "nn/nn_gemm_small.h"

#include <stdlib.h>
#include <string.h>

#include "nn/nn_threadpool.h"

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

/* the tile of `rows` (1 … 6) rows of an instruction set's family */
#define TILE_ROWS(FAMILY, rows, ...)                                                               \
    switch (rows) {                                                                                \
    case 6: FAMILY##_6(__VA_ARGS__); break;                                                        \
    case 5: FAMILY##_5(__VA_ARGS__); break;                                                        \
    case 4: FAMILY##_4(__VA_ARGS__); break;                                                        \
    case 3: FAMILY##_3(__VA_ARGS__); break;                                                        \
    case 2: FAMILY##_2(__VA_ARGS__); break;                                                        \
    default: FAMILY##_1(__VA_ARGS__); break;                                                       \
    }

/* ---- AVX-512: mr (≤ 6) rows × 32 columns, columns masked at the edge ---- */

#define T512 __attribute__((target("avx512f"), always_inline)) static inline

/* R rows (1 … 6) written out so that the accumulators stay in registers: a
 * remainder of 2-5 rows gets its own tile (row by row it would load B once
 * per row) */
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
TILE512(5)
TILE512(4)
TILE512(3)
TILE512(2)
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
            TILE_ROWS(tile512, M - i < MR ? M - i : MR, K, a, lda, b, NP, beta, c, ldc, m0, m1);
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
TILE256(5)
TILE256(4)
TILE256(3)
TILE256(2)
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
            TILE_ROWS(tile256, M - i < MR ? M - i : MR, K, a, lda, b, NP, beta, c, ldc, m0, m1);
        }
    }
}

#endif

size_t nn_gemm_small_packed_size(int K, int N) {
    if (nn_gemm_small_isa() == 0 || K <= 0 || N <= 0) return 0;
    return (size_t)(N + NP - 1) / NP * NP * K;
}

typedef struct {
    int K, N, ldb, trans;
    const float *B;
    float *P;
} pack_job;

/* panels lo … hi−1 */
static void pack_r(void *arg, size_t lo, size_t hi) {
    const pack_job *a = arg;
    int K = a->K, N = a->N, ldb = a->ldb, trans = a->trans;
    const float *B = a->B;
    for (int j0 = (int)lo * NP; j0 < N && j0 < (int)hi * NP; j0 += NP) {
        float *p = a->P + (size_t)j0 * K;
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

void nn_gemm_small_pack(int K, int N, const float *B, int ldb, int trans, float *P) {
    pack_job a = {K, N, ldb, trans, B, P};
    /* panels over the pool: a weight of 1536 × 512 is repacked every batch */
    nn_parallel_ranges((size_t)(N + NP - 1) / NP, 8, pack_r, &a);
}

/* ---- the columns split over threads ----
 * Panels [j0, j1) per thread; every element is computed the same way
 * whatever the split, so the result does not depend on the thread count. */

typedef struct {
    int M, N, K, lda, ldc;
    const float *A, *P, *bias;
    float beta, *C;
} job;

static void run_cols(void *arg, size_t lo, size_t hi) {
    const job *j = arg;
    int j0 = (int)lo, j1 = (int)hi;
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
    /* the bias after the product, as a separate row-bias pass would add it */
    if (j->bias)
        for (int i = 0; i < j->M; i++) {
            float *c = C + (size_t)i * j->ldc;
            for (int jj = 0; jj < j1 - j0; jj++) c[jj] += j->bias[j0 + jj];
        }
}

/* Threads for a product: 1 below ~4 MFLOP or with fewer than two panels a thread. */
static int threads_for(int M, int N, int K) {
    int t = nn_threadpool_threads(), panels = (N + NP - 1) / NP;
    if (t > panels / 2) t = panels / 2;
    if (2.0 * M * N * K < 4e6 || t < 2) return 1;
    return t;
}

int nn_sgemm_small_packed(int M, int N, int K, const float *A, int lda, const float *P, float beta,
                          float *C, int ldc) {
    return nn_sgemm_small_packed_bias(M, N, K, A, lda, P, beta, NULL, C, ldc);
}

int nn_sgemm_small_packed_bias(int M, int N, int K, const float *A, int lda, const float *P,
                               float beta, const float *bias, float *C, int ldc) {
    if (M <= 0 || N <= 0) return 0;
#if HAVE_X86
    if (nn_gemm_small_isa() == 0) return -1;
    job j = {M, N, K, lda, ldc, A, P, bias, beta, C};
    nn_threadpool_run(threads_for(M, N, K), (size_t)N, NP, run_cols, &j);
    return 0;
#else
    (void)A, (void)lda, (void)P, (void)beta, (void)bias, (void)C, (void)ldc, (void)K;
    return -1;
#endif
}
