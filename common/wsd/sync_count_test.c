/* Host<->device synchronisations per training step and per decoded batch,
 * counted on the CPU at the points where the CUDA backend waits for the
 * device (nn_device_counters, common/nn/nn_sync.c): the caption generator's
 * step (forward, backward, Adam), the cycle step (wsd_cycle_grad, clipping,
 * SGD) and greedy and beam decoding. A training step must cost a small
 * constant that does not grow with the video's time steps or the caption's
 * length; decoding may sync once per decoded step (gpu/README says why).
 * `sync_count_test -v` prints the table the gpu/README figures come from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/random_batch.h"
#include "testing/test.h"
#include "wsd/train_wsd.h"
#include "base/util.h"

static int verbose;

typedef struct {
    unsigned long cg_step, cycle_step, greedy, beam, up_cg, up_cycle;
    int sl_params; /* with a gradient: what clipping synchronised on before sumsq_many */
} counts;

static unsigned long syncs(void) { return nn_device_counters().syncs; }
static unsigned long uploads(void) { return nn_device_counters().uploads; }

static void measure(int T, int L, counts *c) {
    const int B = 3, F = 12, V = 23;
    wsd_rng r;
    wsd_rng_seed(&r, 7);
    wsd_batch b;
    tu_random_batch(&b, B, T, F, L, V, &r);
    wsd_cg_config cc;
    wsd_cg_config_default(&cc);
    cc.feat_dim = F, cc.hidden = 8, cc.embed = 8, cc.vocab = V, cc.max_cap_length = 6;
    wsd_cg cgm, *cg = &cgm;
    wsd_cg_run run = {0};
    CHECK(wsd_cg_init(cg, &cc, 1, NN_CPU) == 0);
    wsd_sl_config sc;
    wsd_sl_config_default(&sc);
    sc.feat_dim = F, sc.hidden = 8, sc.embed = 8, sc.vocab = V;
    wsd_sl sl;
    CHECK(wsd_sl_init(&sl, &sc, 2, NN_CPU) == 0);
    nn_optim adam, sgd;
    nn_adam_init(&adam, 0.9, 0.999, 1e-8, 0);
    nn_optim_add_group(&adam, &cg->params, 1e-3);
    nn_sgd_init(&sgd, 0.9, 0);
    nn_optim_add_group(&sgd, &sl.params, 1e-3);
    nn_optim_add_group(&sgd, &cg->params, 1e-3);

    /* caption generator step, as cg-pretrain's batch_loss */
    nn_tensor seg = nn_zeros2(NN_CPU, b.N, 2);
    float *sh = wsd_malloc(sizeof(float) * 2 * b.N);
    for (int n = 0; n < b.N; n++) sh[2 * n] = 0.5f, sh[2 * n + 1] = 1.0f;
    double loss = 0;
    cg->training = 1;
    for (int rep = 0; rep < 2; rep++) { /* the second step: caches and optimiser state exist */
        unsigned long s0 = syncs(), u0 = uploads();
        CHECK(nn_tensor_from_host(&seg, sh, (size_t)2 * b.N) == 0);
        nn_params_zero_grad(&cg->params);
        CHECK(wsd_cg_forward(cg, &run, &b, &seg, 1, &loss, NULL) == 0);
        CHECK(wsd_cg_backward(cg, &run, 1.0f, NULL) == 0);
        CHECK(nn_optim_step(&adam) == 0);
        c->cg_step = syncs() - s0;
        c->up_cg = uploads() - u0;
    }
    /* cycle step, as wsdec-train's cycle_batch */
    wsd_train_ws ws;
    memset(&ws, 0, sizeof ws);
    double lc = 0, lr = 0;
    float *noise = wsd_calloc((size_t)2 * b.N, sizeof(float));
    for (int rep = 0; rep < 2; rep++) {
        unsigned long s0 = syncs(), u0 = uploads();
        nn_params_zero_grad(&sl.params);
        nn_params_zero_grad(&cg->params);
        CHECK(wsd_cycle_grad(&sl, cg, &ws, &b, noise, &r, &lc, &lr) == 0);
        nn_clip_grad_norm(&sl.params, 1.0);
        CHECK(nn_optim_step(&sgd) == 0);
        c->cycle_step = syncs() - s0;
        c->up_cycle = uploads() - u0;
    }
    c->sl_params = 0;
    for (int i = 0; i < sl.params.n; i++)
        c->sl_params += sl.params.items[i]->has_grad && !sl.params.items[i]->is_buffer;
    /* decoding all 2B segments of the batch, greedy and beam 3 */
    int n = b.N, ML = cc.max_cap_length;
    int *ids = wsd_malloc(sizeof(int) * (size_t)n * (ML + 2)),
        *len = wsd_malloc(sizeof(int) * (size_t)n);
    unsigned long s0 = syncs();
    CHECK(wsd_cg_decode(cg, &run, &b, sh, b.gather, n, 1, ML, 0, ids, len) == 0);
    c->greedy = syncs() - s0;
    s0 = syncs();
    CHECK(wsd_cg_decode(cg, &run, &b, sh, b.gather, n, 3, ML, 0, ids, len) == 0);
    c->beam = syncs() - s0;
    free(ids), free(len), free(noise), free(sh);
    wsd_train_ws_free(&ws);
    nn_tensor_free(&seg);
    nn_optim_free(&adam), nn_optim_free(&sgd);
    wsd_sl_free(&sl);
    wsd_cg_run_free(&run);
    wsd_cg_free(cg);
    wsd_batch_free(&b);
}

/* Budgets per step (the counts of the current code; a change that adds a
 * per-time-step or per-parameter synchronisation breaks them). */
#define CG_STEP_SYNCS    2 /* seg to the host, the loss */
#define CYCLE_STEP_SYNCS 9 /* see gpu/README */

static void test_training_steps_sync_a_constant(void) {
    counts a, b2, c2;
    measure(5, 4, &a);
    measure(17, 4, &b2);
    measure(5, 7, &c2);
    if (verbose) {
        printf("syncs per step: cg %lu, cycle %lu; per decoded batch (6 segments, max_len 6): "
               "greedy %lu, beam 3 %lu\n",
               a.cg_step, a.cycle_step, a.greedy, a.beam);
        printf("uploads per step (async): cg %lu / %lu / %lu, cycle %lu / %lu / %lu "
               "(T,L = 5,4 / 17,4 / 5,7)\n",
               a.up_cg, b2.up_cg, c2.up_cg, a.up_cycle, b2.up_cycle, c2.up_cycle);
        printf("before (blocking uploads, clipping per parameter): cg %lu / %lu / %lu, "
               "cycle %lu / %lu / %lu\n",
               a.cg_step + a.up_cg, b2.cg_step + b2.up_cg, c2.cg_step + c2.up_cg,
               a.cycle_step + a.up_cycle + a.sl_params - 1,
               b2.cycle_step + b2.up_cycle + b2.sl_params - 1,
               c2.cycle_step + c2.up_cycle + c2.sl_params - 1);
    }
    CHECK_MSG(a.cg_step == b2.cg_step && a.cg_step == c2.cg_step,
              "cg step syncs depend on T or L: %lu %lu %lu", a.cg_step, b2.cg_step, c2.cg_step);
    CHECK_MSG(a.cycle_step == b2.cycle_step && a.cycle_step == c2.cycle_step,
              "cycle step syncs depend on T or L: %lu %lu %lu", a.cycle_step, b2.cycle_step,
              c2.cycle_step);
    CHECK_MSG(a.cg_step <= CG_STEP_SYNCS, "cg step: %lu syncs, budget %d", a.cg_step,
              CG_STEP_SYNCS);
    CHECK_MSG(a.cycle_step <= CYCLE_STEP_SYNCS, "cycle step: %lu syncs, budget %d", a.cycle_step,
              CYCLE_STEP_SYNCS);
    /* decoding: at most one per decoded step (+ a constant), independent of T */
    CHECK_MSG(a.greedy == b2.greedy && a.beam == b2.beam, "decode syncs depend on T");
    CHECK_MSG(a.greedy <= 6 + 2, "greedy: %lu syncs for 6 steps", a.greedy);
    CHECK_MSG(a.beam <= 6 + 2, "beam: %lu syncs for 6 steps", a.beam);
}

int main(int argc, char **argv) {
    verbose = argc > 1 && !strcmp(argv[1], "-v");
    TEST_RUN(test_training_steps_sync_a_constant);
    return test_finish();
}
