/* Host<->device traffic counters: every backend is reached through
 * nn_backend_for(), which hands out a copy of the device's table whose entries
 * at the points where the CUDA backend makes the host wait for the device (or
 * copies host data to it) count before calling the real kernel. The CPU
 * backend goes through the same wrapper, so a test on the CPU counts exactly
 * the synchronisations a GPU run of the same code would make.
 *
 *   syncs:   the host waits for the device: download, sync, and the
 *            reductions whose result comes back to the host (sum, dot,
 *            sumsq_many, argmax_rows, log_softmax_topk, nll_sum, diff_loss).
 *   uploads: host arrays copied to the device: upload, and every host index
 *            or weight array a kernel takes (gathers, targets, loss weights,
 *            attention row maps). The CUDA backend copies them with
 *            cudaMemcpyAsync, which stages pageable memory and returns
 *            without waiting for the device, so they are not syncs. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "nn/nn_backend.h"
#include "nn/nn_device.h"

static atomic_ulong n_syncs, n_uploads;

nn_device_counts nn_device_counters(void) {
    nn_device_counts c = {atomic_load(&n_syncs), atomic_load(&n_uploads)};
    return c;
}

/* WSD_SYNC_TRACE=1 prints every synchronisation point (entry, device) on stderr */
static int trace = -1;
static void traced(const char *what, int d) {
    if (trace < 0) trace = getenv("WSD_SYNC_TRACE") != NULL;
    if (trace) fprintf(stderr, "sync: %s (%s)\n", what, d ? "cuda" : "cpu");
}
#define SYNC(d) (atomic_fetch_add(&n_syncs, 1), traced(__func__, d))
#define UP(p)   ((p) ? (void)atomic_fetch_add(&n_uploads, 1) : (void)0)

/* One set of wrappers per device (D = 0 CPU, 1 CUDA), calling base[D]. */
static const nn_backend *base[2];
static nn_backend wrapped[2];

#define WRAPPERS(D)                                                                                \
    static void download_##D(float *h, const float *s, size_t n) {                                 \
        SYNC(D);                                                                                   \
        base[D]->download(h, s, n);                                                                \
    }                                                                                              \
    static void sync_##D(void) {                                                                   \
        SYNC(D);                                                                                   \
        base[D]->sync();                                                                           \
    }                                                                                              \
    static void upload_##D(float *d, const float *h, size_t n) {                                   \
        UP(h);                                                                                     \
        base[D]->upload(d, h, n);                                                                  \
    }                                                                                              \
    static double sum_##D(size_t n, const float *x) {                                              \
        SYNC(D);                                                                                   \
        return base[D]->sum(n, x);                                                                 \
    }                                                                                              \
    static double dot_##D(size_t n, const float *a, const float *b) {                              \
        SYNC(D);                                                                                   \
        return base[D]->dot(n, a, b);                                                              \
    }                                                                                              \
    static double sumsq_many_##D(int k, const float *const *x, const size_t *n) {                  \
        SYNC(D);                                                                                   \
        return base[D]->sumsq_many(k, x, n);                                                       \
    }                                                                                              \
    static void argmax_rows_##D(int r, int c, const float *x, int *out) {                          \
        SYNC(D);                                                                                   \
        base[D]->argmax_rows(r, c, x, out);                                                        \
    }                                                                                              \
    static void log_softmax_topk_##D(int N, int V, const float *x, const float *s, int K,          \
                                     float *best, int *idx) {                                      \
        SYNC(D);                                                                                   \
        base[D]->log_softmax_topk(N, V, x, s, K, best, idx);                                       \
    }                                                                                              \
    static double nll_sum_##D(int N, int V, const float *lp, const int *t, const float *w) {       \
        UP(t);                                                                                     \
        UP(w);                                                                                     \
        SYNC(D);                                                                                   \
        return base[D]->nll_sum(N, V, lp, t, w);                                                   \
    }                                                                                              \
    static double diff_loss_##D(int l1, size_t n, const float *a, const float *b, float coef,      \
                                float *da) {                                                       \
        SYNC(D);                                                                                   \
        return base[D]->diff_loss(l1, n, a, b, coef, da);                                          \
    }                                                                                              \
    static void gather_rows_##D(int n, int w, const float *s, const int *idx, float *d) {          \
        UP(idx);                                                                                   \
        base[D]->gather_rows(n, w, s, idx, d);                                                     \
    }                                                                                              \
    static void scatter_rows_acc_##D(int n, int w, const float *s, const int *idx, float *d) {     \
        UP(idx);                                                                                   \
        base[D]->scatter_rows_acc(n, w, s, idx, d);                                                \
    }                                                                                              \
    static void nll_backward_##D(int N, int V, const int *t, const float *w, float c, float *d) {  \
        UP(t);                                                                                     \
        UP(w);                                                                                     \
        base[D]->nll_backward(N, V, t, w, c, d);                                                   \
    }                                                                                              \
    static void softmax_nll_backward_##D(int N, int V, const float *lp, const int *t,              \
                                         const float *w, float c, float *d) {                      \
        UP(t);                                                                                     \
        UP(w);                                                                                     \
        base[D]->softmax_nll_backward(N, V, lp, t, w, c, d);                                       \
    }                                                                                              \
    static void att_mean_forward_##D(int N, int T, int Dm, const float *f, const int *g,           \
                                     const float *m, float *al, float *ms, float *ctx) {           \
        UP(g);                                                                                     \
        base[D]->att_mean_forward(N, T, Dm, f, g, m, al, ms, ctx);                                 \
    }                                                                                              \
    static void att_mean_backward_##D(int N, int T, int Dm, const float *f, const int *g,          \
                                      const float *m, const float *ms, const float *ctx,           \
                                      const float *dctx, float *df, float *dm) {                   \
        UP(g);                                                                                     \
        base[D]->att_mean_backward(N, T, Dm, f, g, m, ms, ctx, dctx, df, dm);                      \
    }                                                                                              \
    static void att_dot_forward_##D(int N, int T, int Dm, const float *f, const int *g,            \
                                    const float *m, const float *u, const float *pe, int P,        \
                                    float *al, float *ctx) {                                       \
        UP(g);                                                                                     \
        base[D]->att_dot_forward(N, T, Dm, f, g, m, u, pe, P, al, ctx);                            \
    }                                                                                              \
    static void att_dot_backward_##D(int N, int T, int Dm, const float *f, const int *g,           \
                                     const float *m, const float *u, const float *pe, int P,       \
                                     const float *al, const float *ctx, const float *dctx,         \
                                     float *df, float *du, float *dpe) {                           \
        UP(g);                                                                                     \
        base[D]->att_dot_backward(N, T, Dm, f, g, m, u, pe, P, al, ctx, dctx, df, du, dpe);        \
    }                                                                                              \
    static void hidden_gather_##D(int l, int B, int T, int H, int n, const int *bi, const int *ti, \
                                  int layout, const float *hs, float *dst, int scatter) {          \
        UP(bi);                                                                                    \
        UP(ti);                                                                                    \
        base[D]->hidden_gather(l, B, T, H, n, bi, ti, layout, hs, dst, scatter);                   \
    }                                                                                              \
    static void wrap_##D(void) {                                                                   \
        nn_backend *w = &wrapped[D];                                                               \
        *w = *base[D];                                                                             \
        w->download = download_##D;                                                                \
        w->sync = sync_##D;                                                                        \
        w->upload = upload_##D;                                                                    \
        w->sum = sum_##D;                                                                          \
        w->dot = dot_##D;                                                                          \
        w->sumsq_many = sumsq_many_##D;                                                            \
        w->argmax_rows = argmax_rows_##D;                                                          \
        w->log_softmax_topk = log_softmax_topk_##D;                                                \
        w->nll_sum = nll_sum_##D;                                                                  \
        w->diff_loss = diff_loss_##D;                                                              \
        w->gather_rows = gather_rows_##D;                                                          \
        w->scatter_rows_acc = scatter_rows_acc_##D;                                                \
        w->nll_backward = nll_backward_##D;                                                        \
        w->softmax_nll_backward = softmax_nll_backward_##D;                                        \
        w->att_mean_forward = att_mean_forward_##D;                                                \
        w->att_mean_backward = att_mean_backward_##D;                                              \
        w->att_dot_forward = att_dot_forward_##D;                                                  \
        w->att_dot_backward = att_dot_backward_##D;                                                \
        w->hidden_gather = hidden_gather_##D;                                                      \
    }

WRAPPERS(0)
WRAPPERS(1)

static atomic_int ready[2];
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

const nn_backend *nn_backend_counted(int device, const nn_backend *be) {
    int d = device == NN_CUDA;
    if (!atomic_load_explicit(&ready[d], memory_order_acquire)) {
        /* once: tables never change after the backend is first reached */
        pthread_mutex_lock(&init_lock);
        if (!atomic_load_explicit(&ready[d], memory_order_relaxed)) {
            base[d] = be;
            if (d)
                wrap_1();
            else
                wrap_0();
            atomic_store_explicit(&ready[d], 1, memory_order_release);
        }
        pthread_mutex_unlock(&init_lock);
    }
    return &wrapped[d];
}
