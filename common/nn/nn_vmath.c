#include "nn/nn_vmath.h"

#include <math.h>
#include <string.h>

#include "nn/nn_gemm_small.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86 1
#include <immintrin.h>
#else
#define HAVE_X86 0
#endif

/* -1: the machine's (nn_gemm_small_isa); else forced by nn_vmath_force_isa */
static int forced_isa = -1;

static int vm_isa(void) {
    int isa = nn_gemm_small_isa();
    return forced_isa >= 0 && forced_isa < isa ? forced_isa : isa;
}

void nn_vmath_force_isa(int isa) { forced_isa = isa; }

int nn_vmath_vectorised(void) { return vm_isa(); }

static inline float sigmoid1(float x) { return 1.0f / (1.0f + expf(-x)); }

#if HAVE_X86

/* Cephes expf, shared by every vector width so that all paths give the same
 * bits: x clamped to [EXP_LO, EXP_HI], x = n ln2 + r with ln2 split in two
 * (EXP_LN2_HI + EXP_LN2_LO), e^r = 1 + r + r^2 P(r) with P of degree 5. */
#define EXP_HI     89.0f
#define EXP_LO     -104.0f
#define EXP_LOG2E  1.44269504088896341f
#define EXP_LN2_HI 0.693359375f
#define EXP_LN2_LO -2.12194440e-4f
static const float exp_poly[6] = {1.9875691500E-4f, 1.3981999507E-3f, 8.3334519073E-3f,
                                  4.1665795894E-2f, 1.6666665459E-1f, 5.0000001201E-1f};
/* Cephes tanhf: |x| < TANH_SMALL: x + x z P(z), z = x^2, P of degree 4; else
 * 1 - 2 / (e^{2|x|} + 1) with the sign of x. */
#define TANH_SMALL 0.625f
static const float tanh_poly[5] = {-5.70498872745E-3f, 2.06390887954E-2f, -5.37397155531E-2f,
                                   1.33314422036E-1f, -3.33332819422E-1f};

#define V512 __attribute__((target("avx512f"))) static inline

/* Cephes expf: x = n ln2 + r, |r| ≤ ln2/2, e^r by a degree-7 polynomial,
 * 2^n applied by vscalefps (handles overflow to inf and underflow to 0). */
V512 __m512 exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(EXP_HI)), _mm512_set1_ps(EXP_LO));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(EXP_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(EXP_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(EXP_LN2_LO), r);
    __m512 z = _mm512_mul_ps(r, r);
    __m512 p = _mm512_set1_ps(exp_poly[0]);
    for (int k = 1; k < 6; k++) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(exp_poly[k]));
    p = _mm512_fmadd_ps(p, z, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

V512 __m512 sigmoid16(__m512 x) {
    __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

/* Cephes tanhf */
V512 __m512 tanh16(__m512 x) {
    __m512 ax = _mm512_abs_ps(x), one = _mm512_set1_ps(1.0f);
    __m512 e = exp16(_mm512_add_ps(ax, ax));
    __m512 big = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
    big = _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(big),
        _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))));
    __m512 z = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(tanh_poly[0]);
    for (int k = 1; k < 5; k++) p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(tanh_poly[k]));
    __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
    __mmask16 m = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(TANH_SMALL), _CMP_GE_OQ);
    return _mm512_mask_blend_ps(m, small, big);
}

/* e^d for d ≤ 0 in double: x = n ln2 + r, Taylor to degree 13 (truncation
 * < 5e-18 relative on |r| ≤ ln2/2), 2^n by vscalefpd. */
V512 __m512d exp8d(__m512d d) {
    d = _mm512_max_pd(d, _mm512_set1_pd(-746.0));
    __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(d, _mm512_set1_pd(1.4426950408889634074)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(6.93147180369123816490e-01), d);
    r = _mm512_fnmadd_pd(n, _mm512_set1_pd(1.90821492927058770002e-10), r);
    static const double c[14] = {1.0 / 6227020800.0,
                                 1.0 / 479001600.0,
                                 1.0 / 39916800.0,
                                 1.0 / 3628800.0,
                                 1.0 / 362880.0,
                                 1.0 / 40320.0,
                                 1.0 / 5040.0,
                                 1.0 / 720.0,
                                 1.0 / 120.0,
                                 1.0 / 24.0,
                                 1.0 / 6.0,
                                 0.5,
                                 1.0,
                                 1.0};
    __m512d p = _mm512_set1_pd(c[0]);
    for (int i = 1; i < 14; i++) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(c[i]));
    return _mm512_scalef_pd(p, n);
}

typedef __m512 (*f16)(__m512);

__attribute__((target("avx512f"))) static void map16(int which, size_t n, const float *x,
                                                     float *y) {
    for (size_t i = 0; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        v = which == 0 ? exp16(v) : which == 1 ? sigmoid16(v) : tanh16(v);
        _mm512_mask_storeu_ps(y + i, m, v);
    }
}

__attribute__((target("avx512f"))) static double sum_exp512(size_t n, const float *x, double m) {
    __m512d acc = _mm512_setzero_pd(), vm = _mm512_set1_pd(m);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        acc = _mm512_add_pd(acc, exp8d(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + i)), vm)));
    if (i < n) {
        float tail[8];
        for (int k = 0; k < 8; k++) tail[k] = i + k < n ? x[i + k] : -INFINITY;
        acc = _mm512_add_pd(acc, exp8d(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(tail)), vm)));
    }
    /* (lanes 4-7 + lanes 0-3), then (2, 3) + (0, 1), then 1 + 0: the AVX2 path's order */
    __m256d h = _mm256_add_pd(_mm512_extractf64x4_pd(acc, 1), _mm512_extractf64x4_pd(acc, 0));
    __m128d q = _mm_add_pd(_mm256_extractf128_pd(h, 1), _mm256_castpd256_pd128(h));
    return _mm_cvtsd_f64(_mm_add_sd(_mm_unpackhi_pd(q, q), q));
}

__attribute__((target("avx512f"))) static void gru512(int B, int H, const float *gi, int ldgi,
                                                      const float *gh, const float *h_prev,
                                                      float *h_next, float *gates) {
    __m512 one = _mm512_set1_ps(1.0f);
    for (int b = 0; b < B; b++) {
        const float *xi = gi + (size_t)b * ldgi, *hh = gh + (size_t)b * 3 * H;
        const float *hp = h_prev + (size_t)b * H;
        float *hn = h_next + (size_t)b * H;
        float *g = gates ? gates + (size_t)b * 4 * H : NULL;
        for (int j = 0; j < H; j += 16) {
            __mmask16 m = H - j >= 16 ? 0xFFFF : (__mmask16)((1u << (H - j)) - 1);
            __m512 r = sigmoid16(
                _mm512_add_ps(_mm512_maskz_loadu_ps(m, xi + j), _mm512_maskz_loadu_ps(m, hh + j)));
            __m512 z = sigmoid16(_mm512_add_ps(_mm512_maskz_loadu_ps(m, xi + H + j),
                                               _mm512_maskz_loadu_ps(m, hh + H + j)));
            __m512 hnn = _mm512_maskz_loadu_ps(m, hh + 2 * H + j);
            __m512 n = tanh16(
                _mm512_add_ps(_mm512_maskz_loadu_ps(m, xi + 2 * H + j), _mm512_mul_ps(r, hnn)));
            __m512 out = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(one, z), n),
                                       _mm512_mul_ps(z, _mm512_maskz_loadu_ps(m, hp + j)));
            _mm512_mask_storeu_ps(hn + j, m, out);
            if (g) {
                _mm512_mask_storeu_ps(g + j, m, r);
                _mm512_mask_storeu_ps(g + H + j, m, z);
                _mm512_mask_storeu_ps(g + 2 * H + j, m, n);
                _mm512_mask_storeu_ps(g + 3 * H + j, m, hnn);
            }
        }
    }
}

/* ---- AVX2 + FMA: the same operations in 8 lanes (4 for double), so every
 * result is bit for bit the AVX-512 path's. vscalefps's p·2ⁿ is two exact
 * power-of-two factors 2^⌊n/2⌋ and 2^(n−⌊n/2⌋), both normal over the clamped
 * range (n ∈ [−150, 128] for float, [−1076, 0] for double): the first product
 * is exact (p ∈ [0.7, 1.42]), the second rounds once, as vscalef does,
 * overflow to inf and gradual underflow included. */

#define V256 __attribute__((target("avx2,fma"))) static inline

V256 __m256 pow2f(__m256i n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

V256 __m256 scalef8(__m256 p, __m256 n) {
    __m256i ni = _mm256_cvtps_epi32(n), n1 = _mm256_srai_epi32(ni, 1);
    return _mm256_mul_ps(_mm256_mul_ps(p, pow2f(n1)), pow2f(_mm256_sub_epi32(ni, n1)));
}

V256 __m256 exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(EXP_HI)), _mm256_set1_ps(EXP_LO));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(EXP_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(EXP_LN2_LO), r);
    __m256 z = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(exp_poly[0]);
    for (int k = 1; k < 6; k++) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(exp_poly[k]));
    p = _mm256_fmadd_ps(p, z, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    return scalef8(p, n);
}

V256 __m256 sigmoid8(__m256 x) {
    __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

V256 __m256 tanh8(__m256 x) {
    __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    __m256 ax = _mm256_andnot_ps(sign, x);
    __m256 e = exp8(_mm256_add_ps(ax, ax));
    __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
    big = _mm256_or_ps(big, _mm256_and_ps(x, sign));
    __m256 z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(tanh_poly[0]);
    for (int k = 1; k < 5; k++) p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(tanh_poly[k]));
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    return _mm256_blendv_ps(small, big, _mm256_cmp_ps(ax, _mm256_set1_ps(TANH_SMALL), _CMP_GE_OQ));
}

V256 __m256d pow2d(__m128i n) {
    __m256i e = _mm256_add_epi64(_mm256_cvtepi32_epi64(n), _mm256_set1_epi64x(1023));
    return _mm256_castsi256_pd(_mm256_slli_epi64(e, 52));
}

V256 __m256d exp4d(__m256d d) {
    d = _mm256_max_pd(d, _mm256_set1_pd(-746.0));
    __m256d n = _mm256_round_pd(_mm256_mul_pd(d, _mm256_set1_pd(1.4426950408889634074)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), d);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);
    static const double c[14] = {1.0 / 6227020800.0,
                                 1.0 / 479001600.0,
                                 1.0 / 39916800.0,
                                 1.0 / 3628800.0,
                                 1.0 / 362880.0,
                                 1.0 / 40320.0,
                                 1.0 / 5040.0,
                                 1.0 / 720.0,
                                 1.0 / 120.0,
                                 1.0 / 24.0,
                                 1.0 / 6.0,
                                 0.5,
                                 1.0,
                                 1.0};
    __m256d p = _mm256_set1_pd(c[0]);
    for (int i = 1; i < 14; i++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[i]));
    __m128i ni = _mm256_cvtpd_epi32(n), n1 = _mm_srai_epi32(ni, 1);
    return _mm256_mul_pd(_mm256_mul_pd(p, pow2d(n1)), pow2d(_mm_sub_epi32(ni, n1)));
}

/* lanes [0, k) of 8 set */
V256 __m256i lanes8(size_t k) {
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(k < 8 ? k : 8)), idx);
}

__attribute__((target("avx2,fma"))) static void map8(int which, size_t n, const float *x,
                                                     float *y) {
    for (size_t i = 0; i < n; i += 8) {
        __m256i m = lanes8(n - i);
        __m256 v = _mm256_maskload_ps(x + i, m);
        v = which == 0 ? exp8(v) : which == 1 ? sigmoid8(v) : tanh8(v);
        _mm256_maskstore_ps(y + i, m, v);
    }
}

/* the AVX-512 sum's 8 lanes as two accumulators: lo = lanes 0-3, hi = 4-7 */
__attribute__((target("avx2,fma"))) static double sum_exp256(size_t n, const float *x, double m) {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd(), vm = _mm256_set1_pd(m);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        lo = _mm256_add_pd(lo, exp4d(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + i)), vm)));
        hi = _mm256_add_pd(hi, exp4d(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)), vm)));
    }
    if (i < n) {
        float tail[8];
        for (int k = 0; k < 8; k++) tail[k] = i + k < n ? x[i + k] : -INFINITY;
        lo = _mm256_add_pd(lo, exp4d(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(tail)), vm)));
        hi = _mm256_add_pd(hi, exp4d(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(tail + 4)), vm)));
    }
    __m256d h = _mm256_add_pd(hi, lo);
    __m128d q = _mm_add_pd(_mm256_extractf128_pd(h, 1), _mm256_castpd256_pd128(h));
    return _mm_cvtsd_f64(_mm_add_sd(_mm_unpackhi_pd(q, q), q));
}

__attribute__((target("avx2,fma"))) static void gru256(int B, int H, const float *gi, int ldgi,
                                                       const float *gh, const float *h_prev,
                                                       float *h_next, float *gates) {
    __m256 one = _mm256_set1_ps(1.0f);
    for (int b = 0; b < B; b++) {
        const float *xi = gi + (size_t)b * ldgi, *hh = gh + (size_t)b * 3 * H;
        const float *hp = h_prev + (size_t)b * H;
        float *hn = h_next + (size_t)b * H;
        float *g = gates ? gates + (size_t)b * 4 * H : NULL;
        for (int j = 0; j < H; j += 8) {
            __m256i m = lanes8((size_t)(H - j));
            __m256 r = sigmoid8(
                _mm256_add_ps(_mm256_maskload_ps(xi + j, m), _mm256_maskload_ps(hh + j, m)));
            __m256 z = sigmoid8(_mm256_add_ps(_mm256_maskload_ps(xi + H + j, m),
                                              _mm256_maskload_ps(hh + H + j, m)));
            __m256 hnn = _mm256_maskload_ps(hh + 2 * H + j, m);
            __m256 n =
                tanh8(_mm256_add_ps(_mm256_maskload_ps(xi + 2 * H + j, m), _mm256_mul_ps(r, hnn)));
            __m256 out = _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(one, z), n),
                                       _mm256_mul_ps(z, _mm256_maskload_ps(hp + j, m)));
            _mm256_maskstore_ps(hn + j, m, out);
            if (g) {
                _mm256_maskstore_ps(g + j, m, r);
                _mm256_maskstore_ps(g + H + j, m, z);
                _mm256_maskstore_ps(g + 2 * H + j, m, n);
                _mm256_maskstore_ps(g + 3 * H + j, m, hnn);
            }
        }
    }
}

#endif

void nn_vexpf(size_t n, const float *x, float *y) {
#if HAVE_X86
    if (vm_isa() == 2) return map16(0, n, x, y);
    if (vm_isa() == 1) return map8(0, n, x, y);
#endif
    for (size_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

void nn_vsigmoidf(size_t n, const float *x, float *y) {
#if HAVE_X86
    if (vm_isa() == 2) return map16(1, n, x, y);
    if (vm_isa() == 1) return map8(1, n, x, y);
#endif
    for (size_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

void nn_vtanhf(size_t n, const float *x, float *y) {
#if HAVE_X86
    if (vm_isa() == 2) return map16(2, n, x, y);
    if (vm_isa() == 1) return map8(2, n, x, y);
#endif
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

double nn_sum_exp_shift(size_t n, const float *x, double m) {
#if HAVE_X86
    if (vm_isa() == 2) return sum_exp512(n, x, m);
    if (vm_isa() == 1) return sum_exp256(n, x, m);
#endif
    double s = 0;
    for (size_t i = 0; i < n; i++) s += exp((double)x[i] - m);
    return s;
}

void nn_vgru_cell_forward(int B, int H, const float *gi, int ldgi, const float *gh,
                          const float *h_prev, float *h_next, float *gates) {
#if HAVE_X86
    if (vm_isa() == 2) return gru512(B, H, gi, ldgi, gh, h_prev, h_next, gates);
    if (vm_isa() == 1) return gru256(B, H, gi, ldgi, gh, h_prev, h_next, gates);
#endif
    for (int b = 0; b < B; b++) {
        const float *xi = gi + (size_t)b * ldgi, *hh = gh + (size_t)b * 3 * H;
        const float *hp = h_prev + (size_t)b * H;
        float *hn = h_next + (size_t)b * H;
        float *g = gates ? gates + (size_t)b * 4 * H : NULL;
        for (int j = 0; j < H; j++) {
            float r = sigmoid1(xi[j] + hh[j]);
            float z = sigmoid1(xi[H + j] + hh[H + j]);
            float n = tanhf(xi[2 * H + j] + r * hh[2 * H + j]);
            hn[j] = (1 - z) * n + z * hp[j];
            if (g) {
                g[j] = r;
                g[H + j] = z;
                g[2 * H + j] = n;
                g[3 * H + j] = hh[2 * H + j];
            }
        }
    }
}

/* ---- element-wise loops without transcendental functions: one body per
 * loop, compiled for AVX-512, for AVX2 and plainly, in W lanes of GCC vector
 * types. The lanes perform the scalar code's operations in its order (no
 * fused multiply-add: ISO C mode leaves contraction off), and the tail runs
 * the same expression on scalars, so every path gives the same bits. ---- */

#define VLOAD(v, p)  memcpy(&(v), (p), sizeof(v))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(v))

/* the GRU cell's backward for one unit, on scalars or lanes */
#define GRU_BWD_MATH(r, z, n, hn, d, h, dr, dz, dn)                                                \
    dn = d * (1 - z) * (1 - n * n);                                                                \
    dz = d * (h - n) * z * (1 - z);                                                                \
    dr = dn * hn * r * (1 - r)

#define DEF_GRU_BWD(NAME, ATTR, W)                                                                 \
    ATTR static void NAME(int B, int H, const float *gates, const float *h_prev,                   \
                          const float *dh_next, float *dgi, int lddgi, float *dgh,                 \
                          float *dh_prev) {                                                        \
        typedef float vf __attribute__((vector_size(4 * (W))));                                    \
        for (int b = 0; b < B; b++) {                                                              \
            const float *g = gates + (size_t)b * 4 * H, *hp = h_prev + (size_t)b * H;              \
            const float *dh = dh_next + (size_t)b * H;                                             \
            float *di = dgi + (size_t)b * lddgi, *dhh = dgh + (size_t)b * 3 * H;                   \
            float *dp = dh_prev + (size_t)b * H;                                                   \
            int j = 0;                                                                             \
            for (; j + (W) <= H; j += (W)) {                                                       \
                vf r, z, n, hn, d, h, dr, dz, dn, t;                                               \
                VLOAD(r, g + j), VLOAD(z, g + H + j), VLOAD(n, g + 2 * H + j);                     \
                VLOAD(hn, g + 3 * H + j), VLOAD(d, dh + j), VLOAD(h, hp + j);                      \
                GRU_BWD_MATH(r, z, n, hn, d, h, dr, dz, dn);                                       \
                VSTORE(di + j, dr), VSTORE(di + H + j, dz), VSTORE(di + 2 * H + j, dn);            \
                VSTORE(dhh + j, dr), VSTORE(dhh + H + j, dz);                                      \
                t = dn * r, VSTORE(dhh + 2 * H + j, t);                                            \
                t = d * z, VSTORE(dp + j, t);                                                      \
            }                                                                                      \
            for (; j < H; j++) {                                                                   \
                float r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j], d = dh[j];      \
                float dr, dz, dn;                                                                  \
                GRU_BWD_MATH(r, z, n, hn, d, hp[j], dr, dz, dn);                                   \
                di[j] = dhh[j] = dr;                                                               \
                di[H + j] = dhh[H + j] = dz;                                                       \
                di[2 * H + j] = dn;                                                                \
                dhh[2 * H + j] = dn * r;                                                           \
                dp[j] = d * z;                                                                     \
            }                                                                                      \
        }                                                                                          \
    }

/* acc[j] += Σ_r x[r·ld + j], each column in double over the rows in order:
 * 4·W columns at a time in registers; CVT(p) loads W floats as doubles (the
 * instruction set's own conversion: GCC splits a generic one in halves) */
#define DEF_ACC_ROWS(NAME, ATTR, W, CVT)                                                           \
    ATTR static void NAME(int rows, size_t n, const float *x, size_t ld, double *acc) {            \
        typedef double vd __attribute__((vector_size(8 * (W))));                                   \
        size_t j = 0;                                                                              \
        for (; j + 4 * (W) <= n; j += 4 * (W)) {                                                   \
            vd a0, a1, a2, a3;                                                                     \
            VLOAD(a0, acc + j), VLOAD(a1, acc + j + (W));                                          \
            VLOAD(a2, acc + j + 2 * (W)), VLOAD(a3, acc + j + 3 * (W));                            \
            for (int r = 0; r < rows; r++) {                                                       \
                const float *p = x + (size_t)r * ld + j;                                           \
                a0 += (vd)CVT(p), a1 += (vd)CVT(p + (W));                                          \
                a2 += (vd)CVT(p + 2 * (W)), a3 += (vd)CVT(p + 3 * (W));                            \
            }                                                                                      \
            VSTORE(acc + j, a0), VSTORE(acc + j + (W), a1);                                        \
            VSTORE(acc + j + 2 * (W), a2), VSTORE(acc + j + 3 * (W), a3);                          \
        }                                                                                          \
        for (int r = 0; r < rows; r++)                                                             \
            for (size_t k = j; k < n; k++) acc[k] += x[(size_t)r * ld + k];                        \
    }

#if HAVE_X86
DEF_GRU_BWD(gru_bwd512, __attribute__((target("avx512f"))), 16)
DEF_GRU_BWD(gru_bwd256, __attribute__((target("avx2,fma"))), 8)
#define CVT512(p) _mm512_cvtps_pd(_mm256_loadu_ps(p))
#define CVT256(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
DEF_ACC_ROWS(acc_rows512, __attribute__((target("avx512f"))), 8, CVT512)
DEF_ACC_ROWS(acc_rows256, __attribute__((target("avx2,fma"))), 4, CVT256)
#endif
DEF_GRU_BWD(gru_bwd1, , 1)
#define CVT1(p) ((vd){(double)*(p)})
DEF_ACC_ROWS(acc_rows1, , 1, CVT1)

void nn_vgru_cell_backward(int B, int H, const float *gates, const float *h_prev,
                           const float *dh_next, float *dgi, int lddgi, float *dgh,
                           float *dh_prev) {
#if HAVE_X86
    if (vm_isa() == 2) return gru_bwd512(B, H, gates, h_prev, dh_next, dgi, lddgi, dgh, dh_prev);
    if (vm_isa() == 1) return gru_bwd256(B, H, gates, h_prev, dh_next, dgi, lddgi, dgh, dh_prev);
#endif
    gru_bwd1(B, H, gates, h_prev, dh_next, dgi, lddgi, dgh, dh_prev);
}

void nn_vacc_rows(int rows, size_t n, const float *x, size_t ld, double *acc) {
#if HAVE_X86
    if (vm_isa() == 2) return acc_rows512(rows, n, x, ld, acc);
    if (vm_isa() == 1) return acc_rows256(rows, n, x, ld, acc);
#endif
    acc_rows1(rows, n, x, ld, acc);
}
