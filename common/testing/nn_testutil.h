/* Helpers shared by the nn_*_test.c unit tests: random tensors, projections
 * that turn any output into a scalar loss, central finite differences, and a
 * reader for the text PyTorch goldens in testdata/goldens/ (path rule and the
 * .tsr goldens: testing/golden.h). */
#ifndef WSD_NN_TESTUTIL_H
#define WSD_NN_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "testing/golden.h"
#include "testing/test.h"
#include "base/util.h"

static inline void tu_randomize(nn_tensor *t, wsd_rng *rng, float scale) {
    nn_init_uniform(t, rng, -scale, scale);
}

/* Σ r ⊙ y in double: a loss whose gradient w.r.t. y is r. */
static inline double tu_project(const nn_tensor *y, const nn_tensor *r) { return nn_dot(y, r); }

typedef double (*tu_loss_fn)(void *ctx);

/* Compares grad (analytic) with central differences of f w.r.t. up to
 * `samples` entries of t (spread over the tensor). Tolerance: |a−n| ≤ atol +
 * rtol·max(|a|,|n|). Returns the worst violation ratio (≤1 passes). */
static inline double tu_fd_check(const char *what, nn_tensor *t, const nn_tensor *grad,
                                 tu_loss_fn f, void *ctx, int samples, double eps, double atol,
                                 double rtol) {
    double worst = 0;
    size_t n = t->size;
    size_t step = n > (size_t)samples ? n / (size_t)samples : 1;
    float *g = malloc(grad->size * sizeof(float));
    nn_tensor_to_host(grad, g, grad->size);
    for (size_t i = (step > 1 ? step / 2 : 0); i < n; i += step) {
        float v;
        nn_tensor e = nn_view1(t, i, 1);
        nn_tensor_to_host(&e, &v, 1);
        float vp = (float)(v + eps), vm = (float)(v - eps);
        nn_tensor_from_host(&e, &vp, 1);
        double fp = f(ctx);
        nn_tensor_from_host(&e, &vm, 1);
        double fm = f(ctx);
        nn_tensor_from_host(&e, &v, 1);
        double num = (fp - fm) / ((double)vp - (double)vm), ana = g[i];
        double lim = atol + rtol * fmax(fabs(num), fabs(ana));
        double ratio = fabs(num - ana) / lim;
        if (ratio > worst) worst = ratio;
        if (ratio > 1)
            fprintf(stderr, "  %s[%zu]: analytic %.7g, numeric %.7g\n", what, i, ana, num);
    }
    free(g);
    return worst;
}

#define TU_FD(what, t, grad, f, ctx)                                                               \
    CHECK_MSG(tu_fd_check(what, t, grad, f, ctx, 40, 1e-2, 1e-3, 1e-2) <= 1.0, "%s", what)

/* ---- golden files ----
 * Text: lines "name ndim d0 d1 … v0 v1 …" (values as %.9g). */
typedef struct {
    char *name;
    int ndim, shape[4];
    size_t size;
    float *data;
} tu_golden;

typedef struct {
    tu_golden *items;
    int n;
} tu_goldens;

static inline int tu_goldens_load(tu_goldens *gs, const char *file) {
    char path[4096];
    tu_golden_path(path, sizeof path, file);
    FILE *fp = fopen(path, "r");
    memset(gs, 0, sizeof *gs);
    if (!fp) {
        fprintf(stderr, "  cannot open %s\n", path);
        return -1;
    }
    char name[256];
    int ndim;
    while (fscanf(fp, "%255s %d", name, &ndim) == 2) {
        tu_golden g;
        memset(&g, 0, sizeof g);
        g.name = wsd_strdup(name);
        g.ndim = ndim;
        g.size = 1;
        for (int i = 0; i < ndim; i++) {
            if (fscanf(fp, "%d", &g.shape[i]) != 1) break;
            g.size *= (size_t)g.shape[i];
        }
        g.data = wsd_malloc((g.size ? g.size : 1) * sizeof(float));
        for (size_t i = 0; i < g.size; i++)
            if (fscanf(fp, "%f", &g.data[i]) != 1) g.data[i] = NAN;
        gs->items = wsd_realloc(gs->items, (size_t)(gs->n + 1) * sizeof *gs->items);
        gs->items[gs->n++] = g;
    }
    fclose(fp);
    return 0;
}

static inline void tu_goldens_free(tu_goldens *gs) {
    for (int i = 0; i < gs->n; i++) {
        free(gs->items[i].name);
        free(gs->items[i].data);
    }
    free(gs->items);
    memset(gs, 0, sizeof *gs);
}

static inline const tu_golden *tu_golden_get(const tu_goldens *gs, const char *name) {
    for (int i = 0; i < gs->n; i++)
        if (!strcmp(gs->items[i].name, name)) return &gs->items[i];
    fprintf(stderr, "  golden '%s' missing\n", name);
    return NULL;
}

/* A CPU tensor with the golden's shape and values (zeros when missing). */
static inline nn_tensor tu_golden_tensor(const tu_goldens *gs, const char *name) {
    const tu_golden *g = tu_golden_get(gs, name);
    if (!g) return nn_zeros1(NN_CPU, 1);
    nn_tensor t = nn_tensor_zeros(NN_CPU, g->ndim, g->shape);
    memcpy(t.data, g->data, g->size * sizeof(float));
    return t;
}

static inline void tu_golden_set(const tu_goldens *gs, const char *name, nn_tensor *t) {
    const tu_golden *g = tu_golden_get(gs, name);
    if (g && g->size == t->size)
        nn_tensor_from_host(t, g->data, g->size);
    else
        fprintf(stderr, "  golden '%s' does not fit %s\n", name, nn_tensor_shape_str(t));
}

/* Largest |t − golden|; tracks the overall maximum in tu_max_golden_err. */
static double tu_max_golden_err;
static inline double tu_golden_diff(const tu_goldens *gs, const char *name, const nn_tensor *t) {
    const tu_golden *g = tu_golden_get(gs, name);
    if (!g || g->size != t->size) {
        fprintf(stderr, "  golden '%s' size mismatch with %s\n", name, nn_tensor_shape_str(t));
        return INFINITY;
    }
    float *h = malloc((t->size ? t->size : 1) * sizeof(float));
    nn_tensor_to_host(t, h, t->size);
    double worst = 0;
    for (size_t i = 0; i < t->size; i++) {
        double d = fabs((double)h[i] - g->data[i]);
        if (!(d <= worst)) worst = d;
    }
    free(h);
    if (worst > tu_max_golden_err || worst != worst) tu_max_golden_err = worst;
    return worst;
}

#define TU_GOLDEN(gs, name, t)                                                                     \
    do {                                                                                           \
        double tu_e_ = tu_golden_diff(gs, name, t);                                                \
        CHECK_MSG(tu_e_ <= 1e-5, "%s differs from PyTorch by %g", name, tu_e_);                    \
    } while (0)

#endif
