/* The WSDEC models on CUDA against the CPU: the caption generator and the
 * localizer forward and backward, and one whole cycle training step
 * (wsd_cycle_grad, clipping, SGD), same seed and inputs on both devices
 * (initial values and dropout masks are drawn on the host, so they agree).
 * Losses, outputs, every parameter gradient and every updated parameter must
 * agree to 1e-4 relative to the tensor's largest magnitude (floor 1e-3, so
 * tensors that are ~0 are held to 1e-7 absolute), the teacher-forced argmax
 * tokens exactly, and both devices must synchronise the same number of times.
 * The CUDA case is skipped where no GPU answers (pipelines/gpu-check.sh runs
 * it on a device); the same comparisons run CPU against CPU everywhere. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/random_batch.h"
#include "testing/test.h"
#include "wsd/train_wsd.h"
#include "base/util.h"

#define TOL 1e-4

static double worst;

static void cmp_host(const char *what, const float *gpu, const float *cpu, size_t n) {
    double scale = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabs(cpu[i]) > scale) scale = fabs(cpu[i]);
        double e = fabs((double)gpu[i] - cpu[i]);
        if (!(e <= d)) d = e; /* NaN fails */
    }
    double rel = d / (scale > 1e-3 ? scale : 1e-3);
    if (rel > worst) worst = rel;
    CHECK_MSG(rel <= TOL, "%s: CUDA and CPU differ by %.3g (scale %.3g, relative %.3g)", what, d,
              scale, rel);
}

static void cmp_tensor(const char *what, const nn_tensor *gpu, const nn_tensor *cpu) {
    CHECK_MSG(gpu->size == cpu->size, "%s: sizes %zu and %zu", what, gpu->size, cpu->size);
    if (gpu->size != cpu->size || !cpu->size) return;
    nn_tensor g = nn_tensor_host_copy(gpu), c = nn_tensor_host_copy(cpu);
    cmp_host(what, g.data, c.data, c.size);
    nn_tensor_free(&g), nn_tensor_free(&c);
}

static void cmp_scalar(const char *what, double gpu, double cpu) {
    double rel = fabs(gpu - cpu) / (fabs(cpu) > 1e-3 ? fabs(cpu) : 1e-3);
    if (rel > worst) worst = rel;
    CHECK_MSG(rel <= TOL, "%s: CUDA %.9g, CPU %.9g", what, gpu, cpu);
}

/* grads = 1: every gradient, else every value */
static void cmp_params(const char *what, const nn_params *g, const nn_params *c, int grads) {
    CHECK(g->n == c->n);
    char name[256];
    for (int i = 0; i < g->n && i < c->n; i++) {
        const nn_param *pg = g->items[i], *pc = c->items[i];
        if (grads && (pc->is_buffer || !pc->has_grad)) {
            CHECK_MSG(pg->has_grad == pc->has_grad, "%s %s: has_grad differs", what, pc->name);
            continue;
        }
        snprintf(name, sizeof name, "%s %s%s", what, pc->name, grads ? " (gradient)" : "");
        cmp_tensor(name, grads ? &pg->grad : &pg->value, grads ? &pc->grad : &pc->value);
    }
}

enum { B = 4, T = 23, F = 40, L = 9, V = 57, HID = 32 };

static void configs(wsd_cg_config *cc, wsd_sl_config *sc) {
    wsd_cg_config_default(cc);
    cc->feat_dim = F, cc->hidden = HID, cc->embed = HID, cc->vocab = V, cc->max_cap_length = L;
    wsd_sl_config_default(sc);
    sc->feat_dim = F, sc->hidden = HID, sc->embed = HID, sc->vocab = V;
}

static void run_caption_generator(nn_device other) {
    wsd_rng r;
    wsd_rng_seed(&r, 11);
    wsd_batch b;
    tu_random_batch(&b, B, T, F, L, V, &r);
    wsd_cg_config cc;
    wsd_sl_config sc;
    configs(&cc, &sc);
    int N = b.N;
    float *seg = wsd_malloc(sizeof(float) * 2 * N);
    for (int i = 0; i < N; i++)
        seg[2 * i] = 0.2f + 0.6f * wsd_rng_uniformf(&r),
                seg[2 * i + 1] = 0.2f + 0.5f * wsd_rng_uniformf(&r);
    wsd_cg cg[2];
    wsd_cg_run run[2] = {{0}, {0}};
    nn_tensor s[2], ds[2];
    double loss[2];
    int *pred[2];
    float *logp[2];
    for (int d = 0; d < 2; d++) {
        nn_device dev = d ? other : NN_CPU;
        CHECK(wsd_cg_init(&cg[d], &cc, 5, dev) == 0);
        cg[d].training = 1; /* dropout on: the masks come from the same host RNG */
        s[d] = nn_zeros2(dev, N, 2);
        ds[d] = nn_zeros2(dev, N, 2);
        CHECK(nn_tensor_from_host(&s[d], seg, (size_t)2 * N) == 0);
        pred[d] = wsd_malloc(sizeof(int) * N * L);
        logp[d] = wsd_malloc(sizeof(float) * (size_t)N * L * V);
        CHECK(wsd_cg_forward(&cg[d], &run[d], &b, &s[d], 1, &loss[d], pred[d]) == 0);
        CHECK(wsd_cg_logp_to_host(&cg[d], &run[d], logp[d]) == 0);
        CHECK(wsd_cg_backward(&cg[d], &run[d], 1.0f, &ds[d]) == 0);
    }
    cmp_params("cg initial", &cg[1].params, &cg[0].params, 0);
    cmp_scalar("cg loss", loss[1], loss[0]);
    cmp_host("cg log-probabilities", logp[1], logp[0], (size_t)N * L * V);
    CHECK_MSG(!memcmp(pred[0], pred[1], sizeof(int) * N * L),
              "cg teacher-forced argmax tokens differ");
    cmp_tensor("cg d loss/d seg", &ds[1], &ds[0]);
    cmp_params("cg", &cg[1].params, &cg[0].params, 1);
    /* decoding: beam 3 and greedy give the same captions */
    int W = L + 2, *ids[2], *len[2];
    for (int beam = 1; beam <= 3; beam += 2) {
        for (int d = 0; d < 2; d++) {
            ids[d] = wsd_malloc(sizeof(int) * N * W), len[d] = wsd_malloc(sizeof(int) * N);
            CHECK(wsd_cg_decode(&cg[d], &run[d], &b, seg, b.gather, N, beam, L, 0, ids[d],
                                len[d]) == 0);
        }
        CHECK_MSG(!memcmp(ids[0], ids[1], sizeof(int) * N * W) &&
                      !memcmp(len[0], len[1], sizeof(int) * N),
                  "beam %d: CUDA and CPU decode different captions", beam);
        for (int d = 0; d < 2; d++) free(ids[d]), free(len[d]);
    }
    for (int d = 0; d < 2; d++) {
        free(pred[d]), free(logp[d]);
        nn_tensor_free(&s[d]), nn_tensor_free(&ds[d]);
        wsd_cg_run_free(&run[d]);
        wsd_cg_free(&cg[d]);
    }
    free(seg);
    wsd_batch_free(&b);
}

static void run_localizer(nn_device other) {
    wsd_rng r;
    wsd_rng_seed(&r, 12);
    wsd_batch b;
    tu_random_batch(&b, B, T, F, L, V, &r);
    wsd_cg_config cc;
    wsd_sl_config sc;
    configs(&cc, &sc);
    wsd_sl sl[2];
    wsd_sl_run run[2];
    memset(run, 0, sizeof run);
    int N = b.N, A = 0, R = 0;
    float *d_score = NULL, *d_r = NULL;
    for (int d = 0; d < 2; d++) {
        CHECK(wsd_sl_init(&sl[d], &sc, 6, d ? other : NN_CPU) == 0);
        A = sl[d].n_anchors, R = A ? 2 * A : 2;
        wsd_rng dr;
        wsd_rng_seed(&dr, 99); /* the same dropout masks on both */
        CHECK(wsd_sl_forward(&sl[d], &run[d], &b, NULL, 1, &dr) == 0);
    }
    cmp_host("sl anchor scores", run[1].score_h, run[0].score_h, (size_t)N * A);
    cmp_host("sl refiner", run[1].r_h, run[0].r_h, (size_t)N * R);
    float cw[2][64];
    for (int d = 0; d < 2; d++) wsd_sl_diff(&sl[d], &run[d], cw[d]);
    cmp_host("sl diff cw", cw[1], cw[0], (size_t)2 * N);
    d_score = wsd_malloc(sizeof(float) * N * (A ? A : 1));
    d_r = wsd_malloc(sizeof(float) * N * R);
    for (int i = 0; i < N * A; i++) d_score[i] = wsd_rng_uniformf(&r) - 0.5f;
    for (int i = 0; i < N * R; i++) d_r[i] = wsd_rng_uniformf(&r) - 0.5f;
    for (int d = 0; d < 2; d++)
        CHECK(wsd_sl_backward(&sl[d], &run[d], A ? d_score : NULL, d_r) == 0);
    cmp_params("sl", &sl[1].params, &sl[0].params, 1);
    /* eval path: BatchNorm running statistics, no dropout */
    float se[2][64];
    for (int d = 0; d < 2; d++) {
        CHECK(wsd_sl_forward(&sl[d], &run[d], &b, NULL, 0, NULL) == 0);
        wsd_sl_test_seconds(&sl[d], &run[d], &b, se[d]);
    }
    cmp_host("sl test seconds", se[1], se[0], (size_t)2 * N);
    free(d_score), free(d_r);
    for (int d = 0; d < 2; d++) wsd_sl_run_free(&run[d]), wsd_sl_free(&sl[d]);
    wsd_batch_free(&b);
}

static void run_cycle_step(nn_device other) {
    wsd_rng r;
    wsd_rng_seed(&r, 13);
    wsd_batch b;
    tu_random_batch(&b, B, T, F, L, V, &r);
    wsd_cg_config cc;
    wsd_sl_config sc;
    configs(&cc, &sc);
    int N = b.N;
    float *noise = wsd_malloc(sizeof(float) * 2 * N);
    for (int i = 0; i < 2 * N; i++) noise[i] = (wsd_rng_uniformf(&r) - 0.5f) / 50.0f;
    wsd_cg cg[2];
    wsd_sl sl[2];
    wsd_train_ws ws[2];
    memset(ws, 0, sizeof ws);
    nn_optim opt[2];
    double lc[2], lr[2];
    unsigned long syncs[2];
    for (int d = 0; d < 2; d++) {
        nn_device dev = d ? other : NN_CPU;
        CHECK(wsd_cg_init(&cg[d], &cc, 7, dev) == 0 && wsd_sl_init(&sl[d], &sc, 8, dev) == 0);
        cg[d].training = 1;
        nn_sgd_init(&opt[d], 0.9, 1e-4);
        nn_optim_add_group(&opt[d], &sl[d].refiner_group, 1e-2);
        nn_optim_add_group(&opt[d], &sl[d].other_group, 1e-3);
        nn_optim_add_group(&opt[d], &cg[d].params, 1e-2);
        wsd_rng dr;
        wsd_rng_seed(&dr, 123);
        unsigned long s0 = nn_device_counters().syncs;
        nn_params_zero_grad(&sl[d].params);
        nn_params_zero_grad(&cg[d].params);
        CHECK(wsd_cycle_grad(&sl[d], &cg[d], &ws[d], &b, noise, &dr, &lc[d], &lr[d]) == 0);
        nn_clip_grad_norm(&sl[d].params, 0.01); /* small: the clipping path is taken */
        CHECK(nn_optim_step(&opt[d]) == 0);
        syncs[d] = nn_device_counters().syncs - s0;
    }
    cmp_scalar("cycle caption loss", lc[1], lc[0]);
    cmp_scalar("cycle reconstruction loss", lr[1], lr[0]);
    CHECK_MSG(!memcmp(ws[0].pred, ws[1].pred, sizeof(int) * N * L), "cycle argmax tokens differ");
    cmp_params("cycle sl", &sl[1].params, &sl[0].params, 1);
    cmp_params("cycle cg", &cg[1].params, &cg[0].params, 1);
    cmp_params("cycle sl updated", &sl[1].params, &sl[0].params, 0);
    cmp_params("cycle cg updated", &cg[1].params, &cg[0].params, 0);
    CHECK_MSG(syncs[0] == syncs[1], "cycle step: %lu syncs on the CPU, %lu on CUDA", syncs[0],
              syncs[1]);
    fprintf(stderr, "  cycle step: %lu host<->device synchronisations\n", syncs[1]);
    for (int d = 0; d < 2; d++) {
        wsd_train_ws_free(&ws[d]);
        nn_optim_free(&opt[d]);
        wsd_sl_free(&sl[d]);
        wsd_cg_free(&cg[d]);
    }
    free(noise);
    wsd_batch_free(&b);
}

static void all(nn_device other) {
    run_caption_generator(other);
    run_localizer(other);
    run_cycle_step(other);
}

/* The harness itself, CPU against CPU (must agree exactly): runs everywhere,
 * so the comparisons are exercised before a device session ever runs them. */
static void test_harness_cpu_against_cpu(void) {
    worst = 0;
    all(NN_CPU);
    CHECK_MSG(worst == 0, "CPU against CPU differs (%g): the harness is not deterministic", worst);
}

static void test_cuda_against_cpu(void) {
    if (!nn_device_available(NN_CUDA)) TEST_SKIP("no CUDA device: %s", wsd_error());
    worst = 0;
    all(NN_CUDA);
    fprintf(stderr, "  worst CUDA/CPU relative difference %.3g\n", worst);
}

int main(void) {
    TEST_RUN(test_harness_cpu_against_cpu);
    TEST_RUN(test_cuda_against_cpu);
    return test_finish();
}
