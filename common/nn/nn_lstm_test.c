#include "testing/nn_testutil.h"

enum { B = 3, T = 4, IN = 4, H = 5, L = 2 };

typedef struct {
    nn_params ps;
    nn_lstm l;
    nn_tensor xs[T], h[T + 1], c[T + 1], r[T], h0, c0;
    nn_lstm_step_cache caches[T];
    int training;
} lstm_ctx;

/* loss = Σ_t r_t · top output_t */
static double lstm_loss(void *p) {
    lstm_ctx *c = p;
    wsd_rng rng;
    wsd_rng_seed(&rng, 5);
    nn_tensor_copy(&c->h[0], &c->h0);
    nn_tensor_copy(&c->c[0], &c->c0);
    double loss = 0;
    for (int t = 0; t < T; t++) {
        nn_lstm_step_forward(&c->l, &c->xs[t], &c->h[t], &c->c[t], &c->h[t + 1], &c->c[t + 1],
                             c->training, &rng, &c->caches[t]);
        nn_tensor top = nn_tensor_index(&c->h[t + 1], L - 1);
        loss += nn_dot(&top, &c->r[t]);
    }
    return loss;
}

static void setup(lstm_ctx *c, float dropout) {
    memset(c, 0, sizeof *c);
    wsd_rng rng;
    wsd_rng_seed(&rng, 21);
    nn_params_init(&c->ps, "m");
    nn_lstm_init(&c->l, &c->ps, "rnn", IN, H, L, dropout, &rng, NN_CPU);
    c->training = 1;
    for (int t = 0; t <= T; t++) {
        c->h[t] = nn_zeros3(NN_CPU, L, B, H);
        c->c[t] = nn_zeros3(NN_CPU, L, B, H);
    }
    for (int t = 0; t < T; t++) {
        c->xs[t] = nn_zeros2(NN_CPU, B, IN);
        c->r[t] = nn_zeros2(NN_CPU, B, H);
        tu_randomize(&c->xs[t], &rng, 1);
        tu_randomize(&c->r[t], &rng, 1);
    }
    c->h0 = nn_zeros3(NN_CPU, L, B, H);
    c->c0 = nn_zeros3(NN_CPU, L, B, H);
    tu_randomize(&c->h0, &rng, 0.5f);
    tu_randomize(&c->c0, &rng, 0.5f);
}

static void teardown(lstm_ctx *c) {
    for (int t = 0; t <= T; t++) {
        nn_tensor_free(&c->h[t]);
        nn_tensor_free(&c->c[t]);
    }
    for (int t = 0; t < T; t++) {
        nn_tensor_free(&c->xs[t]);
        nn_tensor_free(&c->r[t]);
        nn_lstm_step_cache_free(&c->caches[t]);
    }
    nn_tensor_free(&c->h0);
    nn_tensor_free(&c->c0);
    nn_params_free(&c->ps);
}

/* BPTT through the step caches; dh/dc end as gradients w.r.t. h0/c0. */
static void backward(lstm_ctx *c, nn_tensor *dxs, nn_tensor *dh, nn_tensor *dc) {
    for (int t = T - 1; t >= 0; t--) {
        nn_tensor top = nn_tensor_index(dh, L - 1);
        nn_axpy(1, &c->r[t], &top);
        dxs[t] = nn_zeros2(NN_CPU, B, IN);
        CHECK(nn_lstm_step_backward(&c->l, &c->caches[t], dh, dc, &dxs[t]) == 0);
    }
}

static void check_fd(float dropout) {
    lstm_ctx c;
    setup(&c, dropout);
    lstm_loss(&c);
    nn_tensor dxs[T], dh = nn_zeros3(NN_CPU, L, B, H), dc = nn_zeros3(NN_CPU, L, B, H);
    backward(&c, dxs, &dh, &dc);
    for (int t = 0; t < T; t++) TU_FD("x_t", &c.xs[t], &dxs[t], lstm_loss, &c);
    TU_FD("h0", &c.h0, &dh, lstm_loss, &c);
    TU_FD("c0", &c.c0, &dc, lstm_loss, &c);
    for (int i = 0; i < c.ps.n; i++)
        TU_FD(c.ps.items[i]->name, &c.ps.items[i]->value, &c.ps.items[i]->grad, lstm_loss, &c);
    for (int t = 0; t < T; t++) nn_tensor_free(&dxs[t]);
    nn_tensor_free(&dh);
    nn_tensor_free(&dc);
    teardown(&c);
}

static void test_lstm_gradients(void) { check_fd(0); }
static void test_lstm_gradients_dropout(void) { check_fd(0.3f); }

static void test_lstm_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "lstm.txt")) TEST_SKIP("lstm goldens missing");
    lstm_ctx c;
    setup(&c, 0);
    c.training = 0;
    for (int i = 0; i < c.ps.n; i++) tu_golden_set(&gs, c.ps.items[i]->name, &c.ps.items[i]->value);
    nn_tensor x = tu_golden_tensor(&gs, "x"), dout = tu_golden_tensor(&gs, "dout");
    tu_golden_set(&gs, "h0", &c.h0);
    tu_golden_set(&gs, "c0", &c.c0);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            nn_tensor s = nn_view1(&x, ((size_t)b * T + t) * IN, IN);
            nn_tensor d = nn_view1(&c.xs[t], (size_t)b * IN, IN);
            nn_tensor_copy(&d, &s);
            nn_tensor sr = nn_view1(&dout, ((size_t)b * T + t) * H, H);
            nn_tensor dr = nn_view1(&c.r[t], (size_t)b * H, H);
            nn_tensor_copy(&dr, &sr);
        }
    lstm_loss(&c);
    nn_tensor out = nn_zeros3(NN_CPU, B, T, H), dx = nn_zeros3(NN_CPU, B, T, IN);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            nn_tensor s = nn_view1(&c.h[t + 1], ((size_t)(L - 1) * B + b) * H, H);
            nn_tensor d = nn_view1(&out, ((size_t)b * T + t) * H, H);
            nn_tensor_copy(&d, &s);
        }
    TU_GOLDEN(&gs, "out", &out);
    TU_GOLDEN(&gs, "hn", &c.h[T]);
    TU_GOLDEN(&gs, "cn", &c.c[T]);
    nn_tensor dxs[T], dh = nn_zeros3(NN_CPU, L, B, H), dc = nn_zeros3(NN_CPU, L, B, H);
    backward(&c, dxs, &dh, &dc);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            nn_tensor s = nn_view1(&dxs[t], (size_t)b * IN, IN);
            nn_tensor d = nn_view1(&dx, ((size_t)b * T + t) * IN, IN);
            nn_tensor_copy(&d, &s);
        }
    TU_GOLDEN(&gs, "dx", &dx);
    TU_GOLDEN(&gs, "dh0", &dh);
    TU_GOLDEN(&gs, "dc0", &dc);
    for (int i = 0; i < c.ps.n; i++) {
        char name[300];
        snprintf(name, sizeof name, "grad.%s", c.ps.items[i]->name);
        TU_GOLDEN(&gs, name, &c.ps.items[i]->grad);
    }
    fprintf(stderr, "  lstm golden max error %.3g\n", tu_max_golden_err);
    for (int t = 0; t < T; t++) nn_tensor_free(&dxs[t]);
    nn_tensor *ts[] = {&x, &dout, &out, &dx, &dh, &dc};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    teardown(&c);
    tu_goldens_free(&gs);
}

/* The sequence API gives the step loop's results and gradients. */
static void test_lstm_sequence_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "lstm.txt")) TEST_SKIP("lstm goldens missing");
    wsd_rng rng;
    wsd_rng_seed(&rng, 1);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_lstm l;
    nn_lstm_init(&l, &ps, "rnn", IN, H, L, 0, &rng, NN_CPU);
    for (int i = 0; i < ps.n; i++) tu_golden_set(&gs, ps.items[i]->name, &ps.items[i]->value);
    nn_tensor x = tu_golden_tensor(&gs, "x"), dout = tu_golden_tensor(&gs, "dout");
    nn_tensor h0 = tu_golden_tensor(&gs, "h0"), c0 = tu_golden_tensor(&gs, "c0");
    nn_tensor out = nn_zeros3(NN_CPU, B, T, H), hs = nn_zeros4(NN_CPU, L, B, T, H);
    nn_tensor dx = nn_zeros3(NN_CPU, B, T, IN), dh0 = nn_zeros3(NN_CPU, L, B, H);
    nn_tensor dc0 = nn_zeros3(NN_CPU, L, B, H);
    nn_lstm_seq_cache cache = {0};
    for (int rep = 0; rep < 2; rep++) { /* a reused cache gives the same answer */
        nn_params_zero_grad(&ps);
        nn_tensor_zero(&dx);
        nn_tensor_zero(&dh0);
        nn_tensor_zero(&dc0);
        CHECK(nn_lstm_seq_forward(&l, &x, &h0, &c0, &out, &hs, 1, &rng, &cache) == 0);
        CHECK(nn_lstm_seq_backward(&l, &cache, &dout, NULL, &dx, &dh0, &dc0) == 0);
        TU_GOLDEN(&gs, "out", &out);
        TU_GOLDEN(&gs, "dx", &dx);
        TU_GOLDEN(&gs, "dh0", &dh0);
        TU_GOLDEN(&gs, "dc0", &dc0);
        for (int i = 0; i < ps.n; i++) {
            char name[300];
            snprintf(name, sizeof name, "grad.%s", ps.items[i]->name);
            TU_GOLDEN(&gs, name, &ps.items[i]->grad);
        }
    }
    nn_lstm_seq_cache_free(&cache);
    nn_tensor *ts[] = {&x, &dout, &h0, &c0, &out, &hs, &dx, &dh0, &dc0};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_params_free(&ps);
    tu_goldens_free(&gs);
}

int main(void) {
    TEST_RUN(test_lstm_gradients);
    TEST_RUN(test_lstm_gradients_dropout);
    TEST_RUN(test_lstm_golden);
    TEST_RUN(test_lstm_sequence_golden);
    return test_finish();
}
