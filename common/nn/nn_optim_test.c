#include "testing/nn_testutil.h"

/* Three parameters in two groups (lr 0.01 and 0.001); p2's gradient is absent
 * for two steps and p1's is present but zero at step 1 (PyTorch 0.3's zero_grad keeps it present).
 */
static void run_optimiser(int adam, const tu_goldens *gs) {
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_param *p[3];
    p[0] = nn_params_new(&ps, NN_CPU, "p0", 0, 2, (int[]){3, 2});
    p[1] = nn_params_new(&ps, NN_CPU, "p1", 0, 1, (int[]){4});
    p[2] = nn_params_new(&ps, NN_CPU, "p2", 0, 1, (int[]){2});
    for (int k = 0; k < 3; k++) {
        char name[64];
        snprintf(name, sizeof name, "p%d", k);
        tu_golden_set(gs, name, &p[k]->value);
    }
    nn_params g0, g1;
    nn_params_init_view(&g0);
    nn_params_init_view(&g1);
    nn_params_append(&g0, p[0]);
    nn_params_append(&g1, p[1]);
    nn_params_append(&g1, p[2]);
    nn_optim o;
    if (adam)
        nn_adam_init(&o, 0.9, 0.999, 1e-8, 1e-4);
    else
        nn_sgd_init(&o, 0.8, 1e-4);
    CHECK(nn_optim_add_group(&o, &g0, 0.01) == 0);
    CHECK(nn_optim_add_group(&o, &g1, 0.001) == 1);
    for (int s = 0; s < 3; s++) {
        nn_params_zero_grad(&ps);
        for (int k = 0; k < 3; k++) {
            char name[64];
            snprintf(name, sizeof name, "g%d.%d", s, k);
            int present = 0;
            for (int i = 0; i < gs->n; i++) present |= !strcmp(gs->items[i].name, name);
            if (present)
                tu_golden_set(gs, name, nn_param_grad(p[k]));
            else if (k == 1)
                nn_param_grad(p[k]); /* present but zero */
        }
        CHECK(nn_optim_step(&o) == 0);
        for (int k = 0; k < 3; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s.step%d.p%d", adam ? "adam" : "sgd", s, k);
            TU_GOLDEN(gs, name, &p[k]->value);
        }
    }
    CHECK(o.groups[1].steps[0] == 3 && o.groups[1].steps[1] == 1);
    nn_optim_free(&o);
    nn_params_free(&g0);
    nn_params_free(&g1);
    nn_params_free(&ps);
}

static void test_sgd_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "optim.txt")) TEST_SKIP("optimiser goldens missing");
    run_optimiser(0, &gs);
    tu_goldens_free(&gs);
}

static void test_adam_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "optim.txt")) TEST_SKIP("optimiser goldens missing");
    run_optimiser(1, &gs);
    tu_goldens_free(&gs);
}

static void test_clip_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "optim.txt")) TEST_SKIP("optimiser goldens missing");
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_param *p[3];
    p[0] = nn_params_new(&ps, NN_CPU, "p0", 0, 2, (int[]){3, 2});
    p[1] = nn_params_new(&ps, NN_CPU, "p1", 0, 1, (int[]){4});
    p[2] = nn_params_new(&ps, NN_CPU, "p2", 0, 1, (int[]){2});
    tu_golden_set(&gs, "g2.0", nn_param_grad(p[0]));
    tu_golden_set(&gs, "g2.1", nn_param_grad(p[1]));
    tu_golden_set(&gs, "g2.2", nn_param_grad(p[2]));
    nn_param *absent = nn_params_new(&ps, NN_CPU, "absent", 0, 1, (int[]){2});
    nn_tensor_fill(&absent->grad, 100); /* stale values of an absent gradient are ignored */
    double norm = nn_clip_grad_norm(&ps, 0.5);
    nn_tensor t = nn_zeros1(NN_CPU, 1);
    t.data[0] = (float)norm;
    TU_GOLDEN(&gs, "clip.norm", &t);
    TU_GOLDEN(&gs, "clip.g0", &p[0]->grad);
    TU_GOLDEN(&gs, "clip.g1", &p[1]->grad);
    TU_GOLDEN(&gs, "clip.g2", &p[2]->grad);
    /* below the limit nothing changes */
    double n2 = nn_clip_grad_norm(&ps, 10);
    CHECK_NEAR(n2, 0.5, 1e-5);
    TU_GOLDEN(&gs, "clip.g0", &p[0]->grad);
    fprintf(stderr, "  optimiser golden max error %.3g\n", tu_max_golden_err);
    nn_tensor_free(&t);
    nn_params_free(&ps);
    tu_goldens_free(&gs);
}

static void test_lr_schedules(void) {
    int final[3] = {1, 2, 20}, pre[3] = {20, 50, 70};
    CHECK_NEAR(nn_lr_multistep(0, final, 3, 0.1), 1, 0);
    CHECK_NEAR(nn_lr_multistep(1, final, 3, 0.1), 0.1, 1e-15);
    CHECK_NEAR(nn_lr_multistep(2, final, 3, 0.1), 0.01, 1e-15);
    CHECK_NEAR(nn_lr_multistep(19, final, 3, 0.1), 0.01, 1e-15);
    CHECK_NEAR(nn_lr_multistep(20, final, 3, 0.1), 0.001, 1e-15);
    CHECK_NEAR(1e-2 * nn_lr_multistep(49, pre, 3, 0.1), 1e-3, 1e-15);
    CHECK_NEAR(1e-2 * nn_lr_multistep(70, pre, 3, 0.1), 1e-5, 1e-15);
    CHECK_NEAR(nn_lr_step(25, 10, 0.5), 0.25, 0);
    /* groups keep their own base lr (train_final.py main: refiner 1e-2, other SL 1e-3, CG 1e-2) */
    nn_params a, b;
    nn_params_init_view(&a);
    nn_params_init_view(&b);
    nn_optim o;
    nn_sgd_init(&o, 0.8, 1e-4);
    nn_optim_add_group(&o, &a, 1e-2);
    nn_optim_add_group(&o, &b, 1e-3);
    nn_optim_set_lr_scale(&o, nn_lr_multistep(1, final, 3, 0.1));
    CHECK_NEAR(o.groups[0].lr, 1e-3, 1e-15);
    CHECK_NEAR(o.groups[1].lr, 1e-4, 1e-15);
    nn_optim_free(&o);
}

int main(void) {
    TEST_RUN(test_sgd_golden);
    TEST_RUN(test_adam_golden);
    TEST_RUN(test_clip_golden);
    TEST_RUN(test_lr_schedules);
    return test_finish();
}
