#include "testing/nn_testutil.h"

static void test_loss_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "loss.txt")) TEST_SKIP("loss goldens missing");
    nn_tensor logits = tu_golden_tensor(&gs, "logits");
    int N = logits.shape[0], V = logits.shape[1];
    const tu_golden *tg = tu_golden_get(&gs, "target"), *wg = tu_golden_get(&gs, "weight");
    int target[16];
    float weight[16];
    for (int i = 0; i < N; i++) {
        target[i] = (int)tg->data[i];
        weight[i] = wg->data[i];
    }
    nn_tensor logp = nn_zeros2(NN_CPU, N, V), d = nn_zeros2(NN_CPU, N, V);
    double loss;
    CHECK(nn_softmax_nll(&logits, target, weight, 1.0 / 3, &logp, &loss, &d) == 0);
    TU_GOLDEN(&gs, "logp", &logp);
    nn_tensor lt = nn_zeros1(NN_CPU, 1);
    lt.data[0] = (float)loss;
    TU_GOLDEN(&gs, "nll", &lt);
    TU_GOLDEN(&gs, "nll.dlogits", &d);
    /* the unfused path gives the same gradient */
    nn_tensor dlogp = nn_zeros2(NN_CPU, N, V), d2 = nn_zeros2(NN_CPU, N, V);
    double loss2;
    CHECK(nn_log_softmax_forward(&logits, &logp) == 0);
    CHECK(nn_nll_forward(&logp, target, weight, 1.0 / 3, &loss2) == 0);
    CHECK(nn_nll_backward(&logp, target, weight, 1.0 / 3, &dlogp) == 0);
    CHECK(nn_log_softmax_backward(&logp, &dlogp, &d2) == 0);
    CHECK_NEAR(loss2, loss, 1e-9);
    TU_GOLDEN(&gs, "nll.dlogits", &d2);
    nn_tensor_zero(&d);
    CHECK(nn_cross_entropy(&logits, target, &loss, &d) == 0);
    lt.data[0] = (float)loss;
    TU_GOLDEN(&gs, "ce", &lt);
    TU_GOLDEN(&gs, "ce.dlogits", &d);
    nn_tensor a = tu_golden_tensor(&gs, "a"), b = tu_golden_tensor(&gs, "b");
    nn_tensor da = nn_zeros2(NN_CPU, a.shape[0], a.shape[1]);
    CHECK(nn_mse(&a, &b, 0.01, &loss, &da) == 0);
    lt.data[0] = (float)loss;
    TU_GOLDEN(&gs, "mse", &lt);
    TU_GOLDEN(&gs, "mse.da", &da);
    nn_tensor_zero(&da);
    CHECK(nn_l1(&a, &b, 0.1, &loss, &da) == 0);
    lt.data[0] = (float)loss;
    TU_GOLDEN(&gs, "l1", &lt);
    TU_GOLDEN(&gs, "l1.da", &da);
    target[0] = V;
    CHECK(nn_cross_entropy(&logits, target, &loss, NULL) == -1);
    weight[0] = 0; /* masked rows may carry any target */
    CHECK(nn_nll_forward(&logp, target, weight, 1, &loss) == 0);
    fprintf(stderr, "  loss golden max error %.3g\n", tu_max_golden_err);
    nn_tensor *ts[] = {&logits, &logp, &d, &lt, &dlogp, &d2, &a, &b, &da};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    tu_goldens_free(&gs);
}

typedef struct {
    nn_tensor x, y, tmp;
    int *target;
    float *weight;
    int kind;
} loss_ctx;

static double loss_fn(void *p) {
    loss_ctx *c = p;
    double l = 0;
    if (c->kind == 0)
        nn_softmax_nll(&c->x, c->target, c->weight, 0.5, &c->tmp, &l, NULL);
    else if (c->kind == 1)
        nn_cross_entropy(&c->x, c->target, &l, NULL);
    else if (c->kind == 2)
        nn_mse(&c->x, &c->y, 0.01, &l, NULL);
    else
        nn_l1(&c->x, &c->y, 0.1, &l, NULL);
    return l;
}

static void test_losses_fd(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 8);
    int target[4] = {2, 0, 4, 1};
    float weight[4] = {1, 0, 1, 0.5f};
    for (int kind = 0; kind < 4; kind++) {
        loss_ctx c = {nn_zeros2(NN_CPU, 4, 5),
                      nn_zeros2(NN_CPU, 4, 5),
                      nn_zeros2(NN_CPU, 4, 5),
                      target,
                      weight,
                      kind};
        tu_randomize(&c.x, &rng, 2);
        tu_randomize(&c.y, &rng, 2);
        nn_tensor dx = nn_zeros2(NN_CPU, 4, 5);
        double l;
        if (kind == 0)
            nn_softmax_nll(&c.x, target, weight, 0.5, &c.tmp, &l, &dx);
        else if (kind == 1)
            nn_cross_entropy(&c.x, target, &l, &dx);
        else if (kind == 2)
            nn_mse(&c.x, &c.y, 0.01, &l, &dx);
        else
            nn_l1(&c.x, &c.y, 0.1, &l, &dx);
        CHECK(tu_fd_check("loss input", &c.x, &dx, loss_fn, &c, 40, 1e-3, 1e-4, 1e-2) <= 1);
        nn_tensor_free(&dx);
        nn_tensor_free(&c.x);
        nn_tensor_free(&c.y);
        nn_tensor_free(&c.tmp);
    }
}

int main(void) {
    TEST_RUN(test_loss_golden);
    TEST_RUN(test_losses_fd);
    return test_finish();
}
