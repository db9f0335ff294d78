#include "nn/nn_topk.h"

#include <math.h>

#include "nn/nn_vmath.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86 1
#include <immintrin.h>
#else
#define HAVE_X86 0
#endif

/* The first v in [v, V) with !(x[v] <= xk) (NaN included), or V. */
static int next_above1(const float *x, int v, int V, float xk) {
    while (v < V && x[v] <= xk) v++;
    return v;
}
#if HAVE_X86
__attribute__((target("avx512f"))) static int next_above512(const float *x, int v, int V,
                                                            float xk) {
    __m512 k = _mm512_set1_ps(xk);
    for (; v + 16 <= V; v += 16) {
        __mmask16 m = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + v), k, _CMP_NLE_UQ);
        if (m) return v + __builtin_ctz(m);
    }
    return next_above1(x, v, V, xk);
}
__attribute__((target("avx512f"))) static float max512(int V, const float *x) {
    __m512 m = _mm512_set1_ps(-INFINITY);
    int v = 0;
    /* max_ps(a, b) is a > b ? a : b, the scalar step's rule, lane by lane */
    for (; v + 16 <= V; v += 16) m = _mm512_max_ps(_mm512_loadu_ps(x + v), m);
    float lane[16], mx = -INFINITY;
    _mm512_storeu_ps(lane, m);
    for (int i = 0; i < 16; i++)
        if (lane[i] > mx) mx = lane[i];
    for (; v < V; v++)
        if (x[v] > mx) mx = x[v];
    return mx;
}
#endif

float nn_row_max(int V, const float *x) {
    float mx = -INFINITY;
#if HAVE_X86
    if (nn_vmath_vectorised() == 2) {
        mx = max512(V, x);
        /* the lanes may keep a different zero than the first one met */
        if (mx != 0) return mx;
        mx = -INFINITY;
    }
#endif
    for (int v = 0; v < V; v++)
        if (x[v] > mx) mx = x[v];
    return mx;
}

/* Inserts v (value c) into the held list best[0 … *filled−1] (descending,
 * equal values in arrival order), K at most. */
static void insert(float c, int v, int K, float *best, int *idx, int *filled) {
    int pos = *filled < K ? (*filled)++ : K - 1;
    while (pos > 0 && c > best[pos - 1]) {
        best[pos] = best[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
    }
    best[pos] = c;
    idx[pos] = v;
}

void nn_topk_row(int V, const float *x, float shift, const float *add, int K, float *best,
                 int *idx) {
    int filled = 0, v = 0;
    for (; v < V && filled < K; v++) {
        float c = add ? (x[v] - shift) + *add : x[v] - shift;
        insert(c, v, K, best, idx, &filled);
    }
    if (filled < K) return;
    int vec = 0;
#if HAVE_X86
    vec = nn_vmath_vectorised() == 2;
#endif
    float xk = x[idx[K - 1]]; /* x of the K-th entry */
    for (;; v++) {
        /* an x_v ≤ xk has c_v ≤ best[K−1]: it cannot enter */
#if HAVE_X86
        v = vec ? next_above512(x, v, V, xk) : next_above1(x, v, V, xk);
#else
        v = next_above1(x, v, V, xk);
#endif
        if (v >= V) break;
        float c = add ? (x[v] - shift) + *add : x[v] - shift;
        if (!(c > best[K - 1])) continue; /* a NaN never enters */
        insert(c, v, K, best, idx, &filled);
        xk = x[idx[K - 1]];
    }
    (void)vec;
}

void nn_topk_merge(int K, const float *best, const int *idx, float *out_best, int *out_row,
                   int *out_idx) {
    /* the lists in row order, each in its own order: equal values then arrive
     * by ascending flat index, so the insertion keeps the lower one first */
    int filled = 0, pos_of[64];
    for (int p = 0; p < K * K; p++) {
        float c = best[p];
        if (filled == K && !(c > out_best[K - 1])) continue;
        int pos = filled < K ? filled++ : K - 1;
        while (pos > 0 && c > out_best[pos - 1]) {
            out_best[pos] = out_best[pos - 1];
            pos_of[pos] = pos_of[pos - 1];
            pos--;
        }
        out_best[pos] = c;
        pos_of[pos] = p;
    }
    for (int j = 0; j < K; j++) {
        out_row[j] = pos_of[j] / K;
        out_idx[j] = idx[pos_of[j]];
    }
}
