/* nn_topk_row, nn_topk_merge, nn_row_max and the backend's fused
 * nn_log_softmax_topk against the plain way: the full log_softmax written
 * out, the score added to every entry, a linear insertion top-K over all of
 * it. Results must be the same bits, on random and tie-heavy rows, with the
 * vectorised filter and without, and for every thread count. */
#include "nn/nn_topk.h"

#include "nn/nn.h"
#include "nn/nn_threadpool.h"
#include "nn/nn_vmath.h"
#include "testing/nn_testutil.h"

/* The reference: top-K of c[0 … n−1], descending, ties to the lower index
 * (the beam search's former top_k). */
static void ref_topk(const float *c, int n, int K, float *best, int *idx) {
    int filled = 0;
    for (int i = 0; i < n; i++) {
        float v = c[i];
        if (filled == K && !(v > best[K - 1])) continue;
        int pos = filled < K ? filled++ : K - 1;
        while (pos > 0 && v > best[pos - 1]) {
            best[pos] = best[pos - 1];
            idx[pos] = idx[pos - 1];
            pos--;
        }
        best[pos] = v;
        idx[pos] = i;
    }
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* kind 0: uniform; 1: few distinct values (exact ties); 2: values a few ulps
 * apart around 1 that the shift of 1e4 merges (ties of c between different
 * x); 3: kind 1 with −inf and NaN entries */
static void fill(float *x, int V, int kind, wsd_rng *rng) {
    for (int v = 0; v < V; v++) {
        float u = wsd_rng_uniformf(rng);
        switch (kind) {
        case 0: x[v] = 20 * u - 10; break;
        case 1: x[v] = (float)(int)(4 * u); break;
        case 2: x[v] = 1.0f + (float)(int)(8 * u) * 0x1p-23f; break;
        default: x[v] = u < 0.05f ? -INFINITY : u < 0.06f ? NAN : (float)(int)(4 * u);
        }
    }
}

static void row_matches_reference(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    const int Vs[] = {1, 3, 17, 100, 6000};
    float x[6000], c[6000], rb[8], nb[8];
    int ri[8], ni[8];
    for (int isa = 0; isa < 2; isa++) {
        nn_vmath_force_isa(isa ? -1 : 0);
        for (int kind = 0; kind < 4; kind++)
            for (size_t vi = 0; vi < sizeof Vs / sizeof *Vs; vi++)
                for (int K = 1; K <= 5 && K <= Vs[vi]; K++)
                    for (int rep = 0; rep < 6; rep++) {
                        int V = Vs[vi];
                        fill(x, V, kind, &rng);
                        float shift = kind == 2 ? 1e4f : (float)(rep - 2) * 1.37f;
                        float add = rep % 3 == 0 ? -INFINITY : (float)rep * -0.71f;
                        const float *ap = rep % 3 == 1 ? NULL : &add;
                        for (int v = 0; v < V; v++) c[v] = ap ? (x[v] - shift) + add : x[v] - shift;
                        ref_topk(c, V, K, rb, ri);
                        nn_topk_row(V, x, shift, ap, K, nb, ni);
                        int ok = 1;
                        for (int j = 0; j < K; j++) ok &= same_bits(rb[j], nb[j]) && ri[j] == ni[j];
                        CHECK_MSG(ok, "isa %d kind %d V %d K %d rep %d", isa, kind, V, K, rep);
                    }
    }
    nn_vmath_force_isa(-1);
}

static void merge_matches_flat_topk(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 11);
    enum { V = 50 };
    float x[8 * V], c[8 * V], lists[64], rb[8], mb[8];
    int li[64], ri[8], mr[8], mi[8];
    for (int kind = 0; kind < 3; kind++)
        for (int K = 1; K <= 8; K++)
            for (int rep = 0; rep < 20; rep++) {
                fill(x, K * V, kind, &rng);
                float score[8];
                for (int k = 0; k < K; k++)
                    score[k] = rep % 4 == 0 && k > 0 ? -INFINITY
                                                     : (float)(int)(3 * wsd_rng_uniformf(&rng));
                for (int k = 0; k < K; k++) {
                    for (int v = 0; v < V; v++) c[k * V + v] = (x[k * V + v] - 0.5f) + score[k];
                    nn_topk_row(V, x + k * V, 0.5f, score + k, K, lists + k * K, li + k * K);
                }
                ref_topk(c, K * V, K, rb, ri);
                nn_topk_merge(K, lists, li, mb, mr, mi);
                int ok = 1;
                for (int j = 0; j < K; j++)
                    ok &= same_bits(rb[j], mb[j]) && ri[j] == mr[j] * V + mi[j];
                CHECK_MSG(ok, "kind %d K %d rep %d", kind, K, rep);
            }
}

static void row_max_is_the_scalar_one(void) {
    float x[40];
    for (int isa = 0; isa < 2; isa++) {
        nn_vmath_force_isa(isa ? -1 : 0);
        for (int i = 0; i < 40; i++) x[i] = -(float)i;
        x[5] = -0.0f;
        x[0] = NAN;
        float m = nn_row_max(40, x); /* the first zero met is −0 */
        CHECK(m == 0 && signbit(m));
        x[33] = 0.0f;
        x[5] = -1.0f;
        m = nn_row_max(40, x);
        CHECK(m == 0 && !signbit(m));
        x[37] = 3.5f;
        CHECK(nn_row_max(40, x) == 3.5f);
        CHECK(nn_row_max(1, x) == -INFINITY); /* NaN alone */
        for (int i = 0; i < 40; i++) x[i] = -INFINITY;
        CHECK(nn_row_max(40, x) == -INFINITY);
    }
    nn_vmath_force_isa(-1);
}

/* The backend entry against log_softmax + score + top-K, any thread count. */
static void fused_matches_full_log_softmax(void) {
    enum { N = 70, V = 6000, K = 3 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    nn_tensor x = {0}, lp = {0};
    nn_tensor_ensure2(&x, NN_CPU, N, V);
    nn_tensor_ensure2(&lp, NN_CPU, N, V);
    float *h = malloc(sizeof(float) * N * V), *c = malloc(sizeof(float) * V), score[N];
    for (int kind = 0; kind < 3; kind++) {
        for (int n = 0; n < N; n++) {
            fill(h + (size_t)n * V, V, kind, &rng);
            score[n] = n % 3 ? -INFINITY : -(float)n * 0.25f;
        }
        CHECK(nn_tensor_from_host(&x, h, (size_t)N * V) == 0);
        CHECK(nn_log_softmax_forward(&x, &lp) == 0);
        float rb[N * K], nb[N * K];
        int ri[N * K], ni[N * K];
        for (int n = 0; n < N; n++) {
            const float *l = lp.data + (size_t)n * V;
            for (int v = 0; v < V; v++) c[v] = l[v] + score[n];
            ref_topk(c, V, K, rb + n * K, ri + n * K);
        }
        for (int threads = 1; threads <= 3; threads++) {
            nn_threadpool_set_threads(threads);
            for (int with_score = 0; with_score < 2; with_score++) {
                CHECK(nn_log_softmax_topk(&x, with_score ? score : NULL, K, nb, ni) == 0);
                int ok = 1;
                for (int n = 0; n < N; n++) {
                    float g[K];
                    int gi[K];
                    const float *l = lp.data + (size_t)n * V;
                    if (!with_score) ref_topk(l, V, K, g, gi);
                    for (int j = 0; j < K; j++)
                        ok &= with_score ? same_bits(rb[n * K + j], nb[n * K + j]) &&
                                               ri[n * K + j] == ni[n * K + j]
                                         : same_bits(g[j], nb[n * K + j]) && gi[j] == ni[n * K + j];
                }
                CHECK_MSG(ok, "kind %d threads %d score %d", kind, threads, with_score);
            }
        }
        /* the logits are left as they were */
        CHECK(memcmp(x.data, h, sizeof(float) * N * V) == 0);
    }
    nn_threadpool_set_threads(0);
    float b;
    int i;
    CHECK(nn_log_softmax_topk(&x, NULL, V + 1, &b, &i) == -1);
    CHECK(nn_log_softmax_topk(&x, NULL, 0, &b, &i) == -1);
    free(h), free(c);
    nn_tensor_free(&x), nn_tensor_free(&lp);
}

int main(void) {
    TEST_RUN(row_matches_reference);
    TEST_RUN(merge_matches_flat_topk);
    TEST_RUN(row_max_is_the_scalar_one);
    TEST_RUN(fused_matches_full_log_softmax);
    return test_finish();
}
