#include "nn/nn_vmath.h"

#include <math.h>

#include "nn/nn_gemm_small.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86 1
#include <immintrin.h>
#else
#define HAVE_X86 0
#endif

int nn_vmath_vectorised(void) { return nn_gemm_small_isa() >= 2; }

static inline float sigmoid1(float x) { return 1.0f / (1.0f + expf(-x)); }

#if HAVE_X86

#define V512 __attribute__((target("avx512f"))) static inline

/* Cephes expf: x = n ln2 + r, |r| ≤ ln2/2, e^r by a degree-7 polynomial,
 * 2^n applied by vscalefps (handles overflow to inf and underflow to 0). */
V512 __m512 exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(89.0f)), _mm512_set1_ps(-104.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 z = _mm512_mul_ps(r, r);
    __m512 p = _mm512_set1_ps(1.9875691500E-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894E-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459E-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201E-1f));
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
    __m512 p = _mm512_set1_ps(-5.70498872745E-3f);
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954E-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531E-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036E-1f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422E-1f));
    __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
    __mmask16 m = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_GE_OQ);
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
    static const double c[14] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                 1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                                 1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                                 1.0 / 24.0,         1.0 / 6.0,         0.5,
                                 1.0,                1.0};
    __m512d p = _mm512_set1_pd(c[0]);
    for (int i = 1; i < 14; i++) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(c[i]));
    return _mm512_scalef_pd(p, n);
}

typedef __m512 (*f16)(__m512);

__attribute__((target("avx512f"))) static void map16(int which, size_t n, const float *x, float *y) {
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
    return _mm512_reduce_add_pd(acc);
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
            __m512 r = sigmoid16(_mm512_add_ps(_mm512_maskz_loadu_ps(m, xi + j),
                                               _mm512_maskz_loadu_ps(m, hh + j)));
            __m512 z = sigmoid16(_mm512_add_ps(_mm512_maskz_loadu_ps(m, xi + H + j),
                                               _mm512_maskz_loadu_ps(m, hh + H + j)));
            __m512 hnn = _mm512_maskz_loadu_ps(m, hh + 2 * H + j);
            __m512 n = tanh16(_mm512_add_ps(_mm512_maskz_loadu_ps(m, xi + 2 * H + j),
                                            _mm512_mul_ps(r, hnn)));
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

#endif

void nn_vexpf(size_t n, const float *x, float *y) {
#if HAVE_X86
    if (nn_vmath_vectorised()) return map16(0, n, x, y);
#endif
    for (size_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

void nn_vsigmoidf(size_t n, const float *x, float *y) {
#if HAVE_X86
    if (nn_vmath_vectorised()) return map16(1, n, x, y);
#endif
    for (size_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

void nn_vtanhf(size_t n, const float *x, float *y) {
#if HAVE_X86
    if (nn_vmath_vectorised()) return map16(2, n, x, y);
#endif
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

double nn_sum_exp_shift(size_t n, const float *x, double m) {
#if HAVE_X86
    if (nn_vmath_vectorised()) return sum_exp512(n, x, m);
#endif
    double s = 0;
    for (size_t i = 0; i < n; i++) s += exp((double)x[i] - m);
    return s;
}

void nn_vgru_cell_forward(int B, int H, const float *gi, int ldgi, const float *gh,
                          const float *h_prev, float *h_next, float *gates) {
#if HAVE_X86
    if (nn_vmath_vectorised()) return gru512(B, H, gi, ldgi, gh, h_prev, h_next, gates);
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
