#include "testing/nn_testutil.h"

static void test_batchnorm_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "batchnorm.txt")) TEST_SKIP("batchnorm goldens missing");
    wsd_rng rng;
    wsd_rng_seed(&rng, 1);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_tensor x = tu_golden_tensor(&gs, "x"), dy = tu_golden_tensor(&gs, "dy");
    int N = x.shape[0], C = x.shape[1];
    nn_batchnorm bn;
    CHECK(nn_batchnorm_init(&bn, &ps, "bn", C, &rng, NN_CPU) == 0);
    CHECK(ps.n == 4 && nn_params_count(&ps, 0) == (size_t)2 * C);
    for (int i = 0; i < ps.n; i++) tu_golden_set(&gs, ps.items[i]->name, &ps.items[i]->value);
    nn_tensor y = nn_zeros2(NN_CPU, N, C), dx = nn_zeros2(NN_CPU, N, C);
    nn_batchnorm_cache cache = {0};
    CHECK(nn_batchnorm_forward(&bn, &x, &y, 1, &cache) == 0);
    CHECK(nn_batchnorm_backward(&bn, &cache, &dy, &dx) == 0);
    TU_GOLDEN(&gs, "train.y", &y);
    TU_GOLDEN(&gs, "train.dx", &dx);
    TU_GOLDEN(&gs, "train.dweight", &bn.weight->grad);
    TU_GOLDEN(&gs, "train.dbias", &bn.bias->grad);
    TU_GOLDEN(&gs, "train.running_mean", &bn.running_mean->value);
    TU_GOLDEN(&gs, "train.running_var", &bn.running_var->value);
    nn_tensor_zero(&dx);
    nn_params_zero_grad(&ps);
    CHECK(nn_batchnorm_forward(&bn, &x, &y, 0, &cache) == 0);
    CHECK(nn_batchnorm_backward(&bn, &cache, &dy, &dx) == 0);
    TU_GOLDEN(&gs, "eval.y", &y);
    TU_GOLDEN(&gs, "eval.dx", &dx);
    TU_GOLDEN(&gs, "eval.dweight", &bn.weight->grad);
    nn_tensor one = nn_zeros2(NN_CPU, 1, C);
    CHECK(nn_batchnorm_forward(&bn, &one, &one, 1, NULL) == -1);
    fprintf(stderr, "  batchnorm golden max error %.3g\n", tu_max_golden_err);
    nn_tensor *ts[] = {&x, &dy, &y, &dx, &one};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_batchnorm_cache_free(&cache);
    nn_params_free(&ps);
    tu_goldens_free(&gs);
}

typedef struct {
    nn_params ps;
    nn_batchnorm bn;
    nn_tensor x, y, r;
    int training;
    nn_batchnorm_cache cache;
} bn_ctx;

static double bn_loss(void *p) {
    bn_ctx *c = p;
    /* keep running stats fixed across evaluations */
    nn_tensor rm = nn_tensor_host_copy(&c->bn.running_mean->value);
    nn_tensor rv = nn_tensor_host_copy(&c->bn.running_var->value);
    nn_batchnorm_forward(&c->bn, &c->x, &c->y, c->training, &c->cache);
    nn_tensor_copy(&c->bn.running_mean->value, &rm);
    nn_tensor_copy(&c->bn.running_var->value, &rv);
    nn_tensor_free(&rm);
    nn_tensor_free(&rv);
    return tu_project(&c->y, &c->r);
}

static void check_bn_fd(int training) {
    bn_ctx c;
    memset(&c, 0, sizeof c);
    wsd_rng rng;
    wsd_rng_seed(&rng, 4);
    nn_params_init(&c.ps, "m");
    nn_batchnorm_init(&c.bn, &c.ps, "bn", 4, &rng, NN_CPU);
    tu_randomize(&c.bn.bias->value, &rng, 1);
    tu_randomize(&c.bn.running_mean->value, &rng, 1);
    c.training = training;
    c.x = nn_zeros2(NN_CPU, 6, 4);
    c.y = nn_zeros2(NN_CPU, 6, 4);
    c.r = nn_zeros2(NN_CPU, 6, 4);
    tu_randomize(&c.x, &rng, 2);
    tu_randomize(&c.r, &rng, 1);
    bn_loss(&c);
    nn_tensor dx = nn_zeros2(NN_CPU, 6, 4);
    CHECK(nn_batchnorm_backward(&c.bn, &c.cache, &c.r, &dx) == 0);
    TU_FD("x", &c.x, &dx, bn_loss, &c);
    TU_FD("weight", &c.bn.weight->value, &c.bn.weight->grad, bn_loss, &c);
    TU_FD("bias", &c.bn.bias->value, &c.bn.bias->grad, bn_loss, &c);
    nn_tensor_free(&dx);
    nn_tensor_free(&c.x);
    nn_tensor_free(&c.y);
    nn_tensor_free(&c.r);
    nn_batchnorm_cache_free(&c.cache);
    nn_params_free(&c.ps);
}

static void test_batchnorm_train_fd(void) { check_bn_fd(1); }
static void test_batchnorm_eval_fd(void) { check_bn_fd(0); }

static void test_batchnorm_init_is_pytorch03(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 2);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_batchnorm bn;
    nn_batchnorm_init(&bn, &ps, "bn", 1536, &rng, NN_CPU);
    float mn = 1, mx = 0;
    for (int i = 0; i < 1536; i++) {
        mn = fminf(mn, bn.weight->value.data[i]);
        mx = fmaxf(mx, bn.weight->value.data[i]);
    }
    CHECK(mn >= 0 && mn < 0.01 && mx < 1 && mx > 0.99);
    CHECK(nn_sum(&bn.bias->value) == 0 && nn_sum(&bn.running_mean->value) == 0);
    CHECK(nn_sum(&bn.running_var->value) == 1536);
    CHECK(bn.running_var->is_buffer && !bn.weight->is_buffer);
    CHECK(bn.momentum == 0.1f && bn.eps == 1e-5f);
    nn_params_free(&ps);
}

int main(void) {
    TEST_RUN(test_batchnorm_golden);
    TEST_RUN(test_batchnorm_train_fd);
    TEST_RUN(test_batchnorm_eval_fd);
    TEST_RUN(test_batchnorm_init_is_pytorch03);
    return test_finish();
}
