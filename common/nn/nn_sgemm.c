#include "nn/nn_sgemm.h"

#include <cblas.h>
#include <stddef.h>

#include "nn/nn_threadpool.h"

/* OpenBLAS's small-matrix path takes m·n·k ≤ 10⁶ (it rounds differently: no
 * slice may fall into it); a thread is woken for ≥ 4 MFLOP of work */
#define SMALL_PATH_MNK 1.0e6
#define WORK_MNK       2.0e6
#define UNIT           16
#define ROWS_ENOUGH    512 /* split by rows from this many up */

typedef struct {
    int ta, tb, m, n, k, lda, ldb, ldc, by_rows, step;
    float alpha, beta;
    const float *a, *b;
    float *c;
} product;

static void one_call(const product *p, int i0, int m, int j0, int n) {
    const float *a = p->a + (p->ta ? (size_t)i0 : (size_t)i0 * p->lda);
    const float *b = p->b + (p->tb ? (size_t)j0 * p->ldb : (size_t)j0);
    cblas_sgemm(CblasRowMajor, p->ta ? CblasTrans : CblasNoTrans, p->tb ? CblasTrans : CblasNoTrans,
                m, n, p->k, p->alpha, a, p->lda, b, p->ldb, p->beta,
                p->c + (size_t)i0 * p->ldc + j0, p->ldc);
}

/* slices lo … hi−1, each `step` rows or columns (the last one the rest) */
static void slices_r(void *arg, size_t lo, size_t hi) {
    const product *p = arg;
    int len = p->by_rows ? p->m : p->n;
    int s0 = (int)lo * p->step, s1 = (int)hi * p->step;
    if (s1 > len) s1 = len;
    if (p->by_rows)
        one_call(p, s0, s1 - s0, 0, p->n);
    else
        one_call(p, 0, p->m, s0, s1 - s0);
}

/* OpenBLAS at one thread: its own workers then sleep (checked on every call:
 * a caller of OpenBLAS may have raised it) */
static void blas_single_thread(void) {
    if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

void nn_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] *= beta;
        return;
    }
    blas_single_thread();
    /* rows, as OpenBLAS splits; columns when rows are few (each thread packs all
     * of B: with 45 rows and 6000 columns the packing would cost as much as
     * the product) */
    int by_rows = m >= n || m >= ROWS_ENOUGH;
    product p = {ta, tb, m, n, k, lda, ldb, ldc, by_rows, 0, alpha, beta, a, b, c};
    int len = p.by_rows ? m : n, t = nn_threadpool_threads(), units = (len + UNIT - 1) / UNIT;
    double mnk = (double)m * n * k, per_unit = mnk / len; /* m·n·k of one row or column */
    if (t > mnk / WORK_MNK) t = (int)(mnk / WORK_MNK);
    for (; t >= 2; t--) {
        p.step = (units + t - 1) / t * UNIT;
        int slices = (len + p.step - 1) / p.step, last = len - (slices - 1) * p.step;
        if (slices >= 2 && last * per_unit > SMALL_PATH_MNK) break;
    }
    if (t < 2) return one_call(&p, 0, m, 0, n);
    nn_parallel_ranges((size_t)((len + p.step - 1) / p.step), 1, slices_r, &p);
}
