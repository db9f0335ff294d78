#include "testing/nn_testutil.h"

enum { B = 3, T = 4, IN = 5, H = 6, L = 2 };

typedef struct {
    nn_params ps;
    nn_gru g;
    nn_tensor x, h0, out, hs, r_out, r_hs;
    float dropout;
    const int *len; /* NULL: every sequence T steps */
    nn_gru_seq_cache cache;
} seq_ctx;

/* lengths for the padding tests: an order (2, 0, 1) that is not its own
 * inverse, and a sequence of one step */
static const int seq_len[B] = {3, 1, 4};

static double seq_loss(void *p) {
    seq_ctx *c = p;
    wsd_rng rng;
    wsd_rng_seed(&rng, 99); /* same dropout masks at every evaluation */
    nn_gru_seq_forward_len(&c->g, &c->x, c->len, &c->h0, &c->out, &c->hs, 1, &rng, &c->cache);
    return tu_project(&c->out, &c->r_out) + tu_project(&c->hs, &c->r_hs);
}

static void seq_setup(seq_ctx *c, float dropout) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 1);
    memset(c, 0, sizeof *c);
    nn_params_init(&c->ps, "m");
    nn_gru_init(&c->g, &c->ps, "rnn", IN, H, L, dropout, &rng, NN_CPU);
    c->x = nn_zeros3(NN_CPU, B, T, IN);
    c->h0 = nn_zeros3(NN_CPU, L, B, H);
    c->out = nn_zeros3(NN_CPU, B, T, H);
    c->hs = nn_zeros4(NN_CPU, L, B, T, H);
    c->r_out = nn_zeros3(NN_CPU, B, T, H);
    c->r_hs = nn_zeros4(NN_CPU, L, B, T, H);
    tu_randomize(&c->x, &rng, 1);
    tu_randomize(&c->h0, &rng, 0.5f);
    tu_randomize(&c->r_out, &rng, 1);
    tu_randomize(&c->r_hs, &rng, 1);
}

static void seq_free(seq_ctx *c) {
    nn_params_free(&c->ps);
    nn_tensor_free(&c->x);
    nn_tensor_free(&c->h0);
    nn_tensor_free(&c->out);
    nn_tensor_free(&c->hs);
    nn_tensor_free(&c->r_out);
    nn_tensor_free(&c->r_hs);
    nn_gru_seq_cache_free(&c->cache);
}

static void check_seq_grads(float dropout, const int *len) {
    seq_ctx c;
    seq_setup(&c, dropout);
    c.len = len;
    seq_loss(&c);
    nn_tensor dx = nn_zeros3(NN_CPU, B, T, IN), dh0 = nn_zeros3(NN_CPU, L, B, H);
    CHECK(nn_gru_seq_backward(&c.g, &c.cache, &c.r_out, &c.r_hs, &dx, &dh0) == 0);
    TU_FD("x", &c.x, &dx, seq_loss, &c);
    TU_FD("h0", &c.h0, &dh0, seq_loss, &c);
    for (int i = 0; i < c.ps.n; i++)
        TU_FD(c.ps.items[i]->name, &c.ps.items[i]->value, &c.ps.items[i]->grad, seq_loss, &c);
    nn_tensor_free(&dx);
    nn_tensor_free(&dh0);
    seq_free(&c);
}

static void test_gru_seq_gradients(void) { check_seq_grads(0, NULL); }
static void test_gru_seq_gradients_dropout(void) { check_seq_grads(0.3f, NULL); }
/* padding skipped: the gradients of what is computed (the padding's outputs
 * are zeros that no parameter reaches) */
static void test_gru_seq_gradients_len(void) { check_seq_grads(0, seq_len); }
static void test_gru_seq_gradients_len_dropout(void) { check_seq_grads(0.3f, seq_len); }

/* host copies of the parameter gradients (at most 16), to compare backwards */
static int grads_snapshot(const nn_params *ps, nn_tensor out[16]) {
    int n = ps->n < 16 ? ps->n : 16;
    for (int i = 0; i < n; i++) out[i] = nn_tensor_host_copy(&ps->items[i]->grad);
    return n;
}
static void grads_free(nn_tensor *g, int n) {
    for (int i = 0; i < n; i++) nn_tensor_free(&g[i]);
}

/* largest |a − b| relative to max(1, max |a|) */
static double rel_diff(const nn_tensor *a, const nn_tensor *b) {
    double scale = 1, d = 0;
    for (size_t k = 0; k < a->size; k++) {
        scale = fmax(scale, fabs(a->data[k]));
        d = fmax(d, fabs(a->data[k] - b->data[k]));
    }
    return d / scale;
}

/* Skipping the padding against computing it (the reference): the same bits
 * before each sequence's end (dropout masks included), zeros after it; the
 * backward with the padding's gradients zeroed gives the same gradients up
 * to rounding; bad lengths refused. */
static void test_gru_seq_len_matches_full(void) {
    seq_ctx c;
    seq_setup(&c, 0.3f);
    nn_gru_seq_cache full = {0};
    nn_tensor out = nn_zeros3(NN_CPU, B, T, H), hs = nn_zeros4(NN_CPU, L, B, T, H);
    wsd_rng r1, r2;
    wsd_rng_seed(&r1, 5);
    wsd_rng_seed(&r2, 5);
    CHECK(nn_gru_seq_forward(&c.g, &c.x, &c.h0, &out, &hs, 1, &r1, &full) == 0);
    CHECK(nn_gru_seq_forward_len(&c.g, &c.x, seq_len, &c.h0, &c.out, &c.hs, 1, &r2, &c.cache) == 0);
    CHECK(c.cache.packed && c.cache.rows == 3 + 1 + 4);
    CHECK(wsd_rng_uniform(&r1) == wsd_rng_uniform(&r2)); /* as many draws */
    int bad = 0;
    for (int l = 0; l < L; l++)
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                for (int j = 0; j < H; j++) {
                    size_t k = (((size_t)l * B + b) * T + t) * H + j;
                    int pad = t >= seq_len[b];
                    bad += pad ? c.hs.data[k] != 0 : c.hs.data[k] != hs.data[k];
                    if (l == L - 1) {
                        size_t o = ((size_t)b * T + t) * H + j;
                        bad += pad ? c.out.data[o] != 0 : c.out.data[o] != out.data[o];
                        /* the reference's padding gets no gradient either */
                        if (pad) c.r_out.data[o] = 0;
                    }
                    if (pad) c.r_hs.data[k] = 0;
                }
    CHECK_MSG(bad == 0, "%d values differ from the full forward", bad);
    nn_tensor dx1 = nn_zeros3(NN_CPU, B, T, IN), dx2 = nn_zeros3(NN_CPU, B, T, IN);
    nn_tensor dh1 = nn_zeros3(NN_CPU, L, B, H), dh2 = nn_zeros3(NN_CPU, L, B, H);
    nn_tensor ref[16];
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_backward(&c.g, &full, &c.r_out, &c.r_hs, &dx1, &dh1) == 0);
    int n = grads_snapshot(&c.ps, ref);
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_backward(&c.g, &c.cache, &c.r_out, &c.r_hs, &dx2, &dh2) == 0);
    double worst = fmax(rel_diff(&dx1, &dx2), rel_diff(&dh1, &dh2));
    for (int i = 0; i < n; i++) {
        double d = rel_diff(&ref[i], &c.ps.items[i]->grad);
        CHECK_MSG(d <= 1e-6, "%s: relative deviation %.3g", c.ps.items[i]->name, d);
        worst = fmax(worst, d);
    }
    grads_free(ref, n);
    CHECK_MSG(worst <= 1e-6, "gradients deviate by %.3g", worst);
    fprintf(stderr, "  padding skipped vs computed: gradients' largest relative deviation %.3g\n",
            worst);
    int zero[B] = {2, 0, 1}, over[B] = {2, T + 1, 1};
    CHECK(nn_gru_seq_forward_len(&c.g, &c.x, zero, NULL, NULL, NULL, 0, &r1, NULL) == -1);
    CHECK(nn_gru_seq_forward_len(&c.g, &c.x, over, NULL, NULL, NULL, 0, &r1, NULL) == -1);
    nn_tensor_free(&out);
    nn_tensor_free(&hs);
    nn_tensor_free(&dx1);
    nn_tensor_free(&dx2);
    nn_tensor_free(&dh1);
    nn_tensor_free(&dh2);
    nn_gru_seq_cache_free(&full);
    seq_free(&c);
}

/* The step API unrolled over T steps: same outputs as the sequence API
 * without dropout, and BPTT gradients that match finite differences. */
typedef struct {
    seq_ctx s;
    nn_gru_step_cache caches[T];
    nn_tensor hstate[T + 1];
    nn_tensor xs[T];
} step_ctx;

static double step_loss(void *p) {
    step_ctx *c = p;
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    double loss = 0;
    nn_tensor_copy(&c->hstate[0], &c->s.h0);
    for (int t = 0; t < T; t++) {
        nn_gru_step_forward(&c->s.g, &c->xs[t], &c->hstate[t], &c->hstate[t + 1], 1, &rng,
                            &c->caches[t]);
        /* loss uses r_hs at step t for every layer */
        for (int l = 0; l < L; l++)
            for (int b = 0; b < B; b++) {
                nn_tensor h = nn_view1(&c->hstate[t + 1], ((size_t)l * B + b) * H, H);
                nn_tensor r = nn_view1(&c->s.r_hs, (((size_t)l * B + b) * T + t) * H, H);
                loss += nn_dot(&h, &r);
            }
    }
    return loss;
}

static void step_setup(step_ctx *c, float dropout) {
    memset(c, 0, sizeof *c);
    seq_setup(&c->s, dropout);
    for (int t = 0; t <= T; t++) c->hstate[t] = nn_zeros3(NN_CPU, L, B, H);
    for (int t = 0; t < T; t++) {
        c->xs[t] = nn_zeros2(NN_CPU, B, IN);
        for (int b = 0; b < B; b++) {
            nn_tensor src = nn_view1(&c->s.x, ((size_t)b * T + t) * IN, IN);
            nn_tensor dst = nn_view1(&c->xs[t], (size_t)b * IN, IN);
            nn_tensor_copy(&dst, &src);
        }
    }
}

static void step_free(step_ctx *c) {
    for (int t = 0; t <= T; t++) nn_tensor_free(&c->hstate[t]);
    for (int t = 0; t < T; t++) {
        nn_tensor_free(&c->xs[t]);
        nn_gru_step_cache_free(&c->caches[t]);
    }
    seq_free(&c->s);
}

static void test_gru_step_matches_sequence(void) {
    step_ctx c;
    step_setup(&c, 0);
    step_loss(&c);
    seq_loss(&c.s);
    double worst = 0;
    for (int t = 0; t < T; t++)
        for (int l = 0; l < L; l++)
            for (int b = 0; b < B; b++)
                for (int k = 0; k < H; k++) {
                    float a = c.hstate[t + 1].data[((size_t)l * B + b) * H + k];
                    float e = c.s.hs.data[(((size_t)l * B + b) * T + t) * H + k];
                    worst = fmax(worst, fabs(a - e));
                }
    CHECK_NEAR(worst, 0, 1e-6);
    step_free(&c);
}

static void check_step_grads(float dropout) {
    step_ctx c;
    step_setup(&c, dropout);
    step_loss(&c);
    nn_tensor dh = nn_zeros3(NN_CPU, L, B, H);
    nn_tensor dxs[T];
    for (int t = T - 1; t >= 0; t--) {
        for (int l = 0; l < L; l++)
            for (int b = 0; b < B; b++) {
                nn_tensor d = nn_view1(&dh, ((size_t)l * B + b) * H, H);
                nn_tensor r = nn_view1(&c.s.r_hs, (((size_t)l * B + b) * T + t) * H, H);
                nn_axpy(1, &r, &d);
            }
        dxs[t] = nn_zeros2(NN_CPU, B, IN);
        CHECK(nn_gru_step_backward(&c.s.g, &c.caches[t], &dh, &dxs[t]) == 0);
    }
    for (int t = 0; t < T; t++) TU_FD("x_t", &c.xs[t], &dxs[t], step_loss, &c);
    TU_FD("h0", &c.s.h0, &dh, step_loss, &c);
    for (int i = 0; i < c.s.ps.n; i++)
        TU_FD(c.s.ps.items[i]->name, &c.s.ps.items[i]->value, &c.s.ps.items[i]->grad, step_loss,
              &c);
    for (int t = 0; t < T; t++) nn_tensor_free(&dxs[t]);
    nn_tensor_free(&dh);
    step_free(&c);
}

static void test_gru_step_gradients(void) { check_step_grads(0); }
static void test_gru_step_gradients_dropout(void) { check_step_grads(0.3f); }

/* The time-major sequence with a constant input part (the caption decoder's
 * context) against T steps on the concatenated input: same outputs, same
 * dropout masks, same gradients (parameters, varying input, constant input as
 * the sum over steps, h0), up to rounding. */
static void check_time_major(float dropout) {
    enum { VAR = 2, C = IN - VAR };
    step_ctx c;
    step_setup(&c, dropout);
    nn_tensor xc = nn_zeros2(NN_CPU, B, C), xtm = nn_zeros3(NN_CPU, T, B, VAR);
    nn_tensor r = nn_zeros3(NN_CPU, T, B, H); /* d loss / d top output */
    for (int b = 0; b < B; b++)
        for (int k = 0; k < C; k++) xc.data[b * C + k] = c.xs[0].data[b * IN + VAR + k];
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < C; k++) c.xs[t].data[b * IN + VAR + k] = xc.data[b * C + k];
            for (int j = 0; j < VAR; j++)
                xtm.data[(t * B + b) * VAR + j] = c.xs[t].data[b * IN + j];
            for (int k = 0; k < H; k++)
                r.data[(t * B + b) * H + k] =
                    c.s.r_hs.data[(((size_t)(L - 1) * B + b) * T + t) * H + k];
        }
    /* steps */
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    nn_params_zero_grad(&c.s.ps);
    nn_tensor_copy(&c.hstate[0], &c.s.h0);
    for (int t = 0; t < T; t++)
        CHECK(nn_gru_step_forward(&c.s.g, &c.xs[t], &c.hstate[t], &c.hstate[t + 1], 1, &rng,
                                  &c.caches[t]) == 0);
    nn_tensor dh = nn_zeros3(NN_CPU, L, B, H), dxs[T];
    for (int t = T - 1; t >= 0; t--) {
        nn_tensor top = nn_view2(&dh, (size_t)(L - 1) * B * H, B, H);
        nn_tensor rt = nn_view2(&r, (size_t)t * B * H, B, H);
        nn_axpy(1, &rt, &top);
        dxs[t] = nn_zeros2(NN_CPU, B, IN);
        CHECK(nn_gru_step_backward(&c.s.g, &c.caches[t], &dh, &dxs[t]) == 0);
    }
    nn_tensor grads[16];
    for (int i = 0; i < c.s.ps.n; i++) grads[i] = nn_tensor_host_copy(&c.s.ps.items[i]->grad);
    /* time-major */
    wsd_rng_seed(&rng, 7);
    nn_params_zero_grad(&c.s.ps);
    nn_gru_seq_cache cache = {0};
    nn_tensor dx = nn_zeros3(NN_CPU, T, B, VAR), dxc = nn_zeros2(NN_CPU, B, C);
    nn_tensor dh0 = nn_zeros3(NN_CPU, L, B, H);
    CHECK(nn_gru_seq_forward_tm(&c.s.g, &xtm, &xc, &c.s.h0, 1, &rng, &cache) == 0);
    nn_tensor top = nn_gru_seq_top_tm(&c.s.g, &cache);
    double worst = 0;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            for (int k = 0; k < H; k++)
                worst = fmax(worst, fabs(top.data[(t * B + b) * H + k] -
                                         c.hstate[t + 1].data[((size_t)(L - 1) * B + b) * H + k]));
    CHECK_NEAR(worst, 0, 1e-6);
    CHECK(nn_gru_seq_backward_tm(&c.s.g, &cache, &r, &dx, &dxc, &dh0) == 0);
    worst = 0;
    for (int i = 0; i < c.s.ps.n; i++)
        for (size_t j = 0; j < grads[i].size; j++)
            worst = fmax(worst, fabs(grads[i].data[j] - c.s.ps.items[i]->grad.data[j]));
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            for (int j = 0; j < VAR; j++)
                worst = fmax(worst, fabs(dx.data[(t * B + b) * VAR + j] - dxs[t].data[b * IN + j]));
    for (int b = 0; b < B; b++)
        for (int k = 0; k < C; k++) {
            double s = 0;
            for (int t = 0; t < T; t++) s += dxs[t].data[b * IN + VAR + k];
            worst = fmax(worst, fabs(dxc.data[b * C + k] - s));
        }
    for (size_t j = 0; j < dh0.size; j++) worst = fmax(worst, fabs(dh0.data[j] - dh.data[j]));
    CHECK_NEAR(worst, 0, 1e-5);
    /* a time-major cache is not a batch-major one */
    CHECK(nn_gru_seq_backward(&c.s.g, &cache, NULL, NULL, NULL, NULL) == -1);
    for (int i = 0; i < c.s.ps.n; i++) nn_tensor_free(&grads[i]);
    for (int t = 0; t < T; t++) nn_tensor_free(&dxs[t]);
    nn_tensor *fr[] = {&xc, &xtm, &r, &dh, &dx, &dxc, &dh0};
    for (size_t i = 0; i < sizeof fr / sizeof *fr; i++) nn_tensor_free(fr[i]);
    nn_gru_seq_cache_free(&cache);
    step_free(&c);
}

static void test_gru_time_major_constant_input(void) { check_time_major(0); }
static void test_gru_time_major_constant_input_dropout(void) { check_time_major(0.3f); }

/* By rows (a decoder over sentences of their own lengths): the forward on
 * the running rows of the layout against the time-major forward of all
 * steps, the same bits there; the backward against the time-major one with
 * the padding's gradient zeroed, up to rounding; and finite differences. */
typedef struct {
    nn_gru *g;
    nn_tensor *x, *xc, *h0, *r;
    nn_gru_seq_cache *cache;
} rows_ctx;

static double rows_loss(void *p) {
    rows_ctx *c = p;
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    nn_gru_seq_forward_rows(c->g, c->x, c->xc, c->h0, 1, &rng, c->cache);
    nn_tensor top = nn_gru_seq_top_rows(c->g, c->cache);
    return nn_dot(&top, c->r);
}

static void check_rows(float dropout) {
    enum { VAR = 2, C = IN - VAR };
    seq_ctx c;
    seq_setup(&c, dropout);
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    nn_tensor xc = nn_zeros2(NN_CPU, B, C), xtm = nn_zeros3(NN_CPU, T, B, VAR);
    nn_tensor r = nn_zeros3(NN_CPU, T, B, H);
    tu_randomize(&xc, &rng, 1);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            for (int j = 0; j < VAR; j++)
                xtm.data[(t * B + b) * VAR + j] = c.x.data[((size_t)b * T + t) * IN + j];
            for (int k = 0; k < H; k++) /* the padding's gradient is zero */
                r.data[(t * B + b) * H + k] =
                    t < seq_len[b] ? c.r_out.data[((size_t)b * T + t) * H + k] : 0;
        }
    /* time-major, all steps */
    nn_gru_seq_cache full = {0}, rc = {0};
    nn_tensor dx = nn_zeros3(NN_CPU, T, B, VAR), dxc = nn_zeros2(NN_CPU, B, C);
    nn_tensor dh0 = nn_zeros3(NN_CPU, L, B, H);
    wsd_rng_seed(&rng, 7);
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_forward_tm(&c.g, &xtm, &xc, &c.h0, 1, &rng, &full) == 0);
    CHECK(nn_gru_seq_backward_tm(&c.g, &full, &r, &dx, &dxc, &dh0) == 0);
    nn_tensor grads[16];
    int n = grads_snapshot(&c.ps, grads);
    /* by rows */
    CHECK(nn_gru_seq_layout(&rc, T, B, seq_len) == 0);
    int R = rc.rows;
    CHECK(R == 3 + 1 + 4 && rc.order[0] == 2 && rc.order[1] == 0);
    nn_tensor xr = nn_zeros2(NN_CPU, R, VAR), rr = nn_zeros2(NN_CPU, R, H);
    nn_tensor dxr = nn_zeros2(NN_CPU, R, VAR), dxcr = nn_zeros2(NN_CPU, B, C);
    nn_tensor dh0r = nn_zeros3(NN_CPU, L, B, H);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < rc.count[t]; i++) {
            int row = rc.off[t] + i, b = rc.order[i];
            memcpy(xr.data + row * VAR, xtm.data + (t * B + b) * VAR, sizeof(float) * VAR);
            memcpy(rr.data + row * H, r.data + (t * B + b) * H, sizeof(float) * H);
        }
    nn_params_zero_grad(&c.ps);
    rows_ctx rx = {&c.g, &xr, &xc, &c.h0, &rr, &rc};
    rows_loss(&rx);
    nn_tensor top = nn_gru_seq_top_rows(&c.g, &rc), topf = nn_gru_seq_top_tm(&c.g, &full);
    int bad = 0;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < rc.count[t]; i++)
            bad += memcmp(top.data + (size_t)(rc.off[t] + i) * H,
                          topf.data + (size_t)(t * B + rc.order[i]) * H, sizeof(float) * H) != 0;
    CHECK_MSG(bad == 0, "%d rows differ from the time-major forward", bad);
    CHECK(nn_gru_seq_backward_rows(&c.g, &rc, &rr, &dxr, &dxcr, &dh0r) == 0);
    double worst = fmax(rel_diff(&dxc, &dxcr), rel_diff(&dh0, &dh0r));
    for (int i = 0; i < n; i++) worst = fmax(worst, rel_diff(&grads[i], &c.ps.items[i]->grad));
    for (int t = 0; t < T; t++)
        for (int i = 0; i < rc.count[t]; i++)
            for (int j = 0; j < VAR; j++)
                worst = fmax(worst, fabs(dxr.data[(rc.off[t] + i) * VAR + j] -
                                         dx.data[(t * B + rc.order[i]) * VAR + j]));
    CHECK_MSG(worst <= 1e-6, "gradients deviate by %.3g", worst);
    TU_FD("x rows", &xr, &dxr, rows_loss, &rx);
    TU_FD("xc", &xc, &dxcr, rows_loss, &rx);
    TU_FD("h0", &c.h0, &dh0r, rows_loss, &rx);
    for (int i = 0; i < c.ps.n; i++)
        TU_FD(c.ps.items[i]->name, &c.ps.items[i]->value, &c.ps.items[i]->grad, rows_loss, &rx);
    /* inputs not in the layout refused */
    CHECK(nn_gru_seq_forward_rows(&c.g, &xtm, &xc, &c.h0, 1, &rng, &rc) == -1);
    CHECK(nn_gru_seq_backward_tm(&c.g, &rc, &r, NULL, NULL, NULL) == -1);
    grads_free(grads, n);
    nn_tensor *fr[] = {&xc, &xtm, &r, &dx, &dxc, &dh0, &xr, &rr, &dxr, &dxcr, &dh0r};
    for (size_t i = 0; i < sizeof fr / sizeof *fr; i++) nn_tensor_free(fr[i]);
    nn_gru_seq_cache_free(&full);
    nn_gru_seq_cache_free(&rc);
    seq_free(&c);
}

static void test_gru_rows(void) { check_rows(0); }
static void test_gru_rows_dropout(void) { check_rows(0.3f); }

/* Evaluation steps with the constant part projected once (decoding) against
 * nn_gru_step_forward on the concatenated input. */
static void test_gru_infer_constant_input(void) {
    enum { VAR = 2, C = IN - VAR };
    step_ctx c;
    step_setup(&c, 0.3f); /* dropout is off in evaluation */
    nn_tensor xc = nn_zeros2(NN_CPU, B, C), xv = nn_zeros2(NN_CPU, B, VAR);
    nn_tensor h[2] = {nn_zeros3(NN_CPU, L, B, H), nn_zeros3(NN_CPU, L, B, H)};
    for (int b = 0; b < B; b++)
        for (int k = 0; k < C; k++) xc.data[b * C + k] = c.xs[0].data[b * IN + VAR + k];
    nn_gru_infer inf = {0};
    CHECK(nn_gru_infer_begin(&c.s.g, &xc, &inf) == 0);
    nn_tensor_copy(&c.hstate[0], &c.s.h0);
    nn_tensor_copy(&h[0], &c.s.h0);
    double worst = 0;
    for (int t = 0; t < T; t++) {
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < C; k++) c.xs[t].data[b * IN + VAR + k] = xc.data[b * C + k];
            for (int j = 0; j < VAR; j++) xv.data[b * VAR + j] = c.xs[t].data[b * IN + j];
        }
        CHECK(nn_gru_step_forward(&c.s.g, &c.xs[t], &c.hstate[t], &c.hstate[t + 1], 0, NULL,
                                  NULL) == 0);
        CHECK(nn_gru_infer_step(&c.s.g, &inf, &xv, &h[t % 2], &h[(t + 1) % 2]) == 0);
        for (size_t j = 0; j < h[0].size; j++)
            worst = fmax(worst, fabs(h[(t + 1) % 2].data[j] - c.hstate[t + 1].data[j]));
    }
    CHECK_NEAR(worst, 0, 1e-6);
    CHECK(nn_gru_infer_step(&c.s.g, &inf, &c.xs[0], &h[0], &h[1]) == -1); /* full-width input */
    nn_gru_infer_free(&inf);
    nn_tensor_free(&xc), nn_tensor_free(&xv), nn_tensor_free(&h[0]), nn_tensor_free(&h[1]);
    step_free(&c);
}

static void test_gru_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "gru.txt")) TEST_SKIP("testdata/goldens/gru.txt missing");
    const tu_golden *shape = tu_golden_get(&gs, "dims");
    if (!shape) {
        tu_goldens_free(&gs);
        return;
    }
    int b = (int)shape->data[0], t = (int)shape->data[1], in = (int)shape->data[2];
    int h = (int)shape->data[3], l = (int)shape->data[4];
    wsd_rng rng;
    wsd_rng_seed(&rng, 0);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_gru g;
    nn_gru_init(&g, &ps, "rnn", in, h, l, 0, &rng, NN_CPU);
    for (int i = 0; i < ps.n; i++) tu_golden_set(&gs, ps.items[i]->name, &ps.items[i]->value);
    nn_tensor x = tu_golden_tensor(&gs, "x"), h0 = tu_golden_tensor(&gs, "h0");
    nn_tensor out = nn_zeros3(NN_CPU, b, t, h), hs = nn_zeros4(NN_CPU, l, b, t, h);
    nn_tensor dout = tu_golden_tensor(&gs, "dout");
    nn_tensor dx = nn_zeros3(NN_CPU, b, t, in), dh0 = nn_zeros3(NN_CPU, l, b, h);
    nn_gru_seq_cache cache = {0};
    CHECK(nn_gru_seq_forward(&g, &x, &h0, &out, &hs, 1, &rng, &cache) == 0);
    CHECK(nn_gru_seq_backward(&g, &cache, &dout, NULL, &dx, &dh0) == 0);
    TU_GOLDEN(&gs, "out", &out);
    nn_tensor hn = nn_zeros3(NN_CPU, l, b, h);
    for (int k = 0; k < l; k++)
        for (int j = 0; j < b; j++) {
            nn_tensor s = nn_view1(&hs, (((size_t)k * b + j) * t + t - 1) * h, h);
            nn_tensor d = nn_view1(&hn, ((size_t)k * b + j) * h, h);
            nn_tensor_copy(&d, &s);
        }
    TU_GOLDEN(&gs, "hn", &hn);
    TU_GOLDEN(&gs, "dx", &dx);
    TU_GOLDEN(&gs, "dh0", &dh0);
    for (int i = 0; i < ps.n; i++) {
        char name[300];
        snprintf(name, sizeof name, "grad.%s", ps.items[i]->name);
        TU_GOLDEN(&gs, name, &ps.items[i]->grad);
    }
    fprintf(stderr, "  gru golden max error %.3g\n", tu_max_golden_err);
    nn_tensor_free(&x);
    nn_tensor_free(&h0);
    nn_tensor_free(&out);
    nn_tensor_free(&hs);
    nn_tensor_free(&hn);
    nn_tensor_free(&dout);
    nn_tensor_free(&dx);
    nn_tensor_free(&dh0);
    nn_gru_seq_cache_free(&cache);
    nn_params_free(&ps);
    tu_goldens_free(&gs);
}

static int same_bits(const nn_tensor *a, const nn_tensor *b) {
    return a->size == b->size && memcmp(a->data, b->data, sizeof(float) * a->size) == 0;
}

/* Layer 0 copied from an identical forward: outputs, states, the dropout
 * drawn for layer 1, the backward's gradients all the same bits as a full
 * forward with the same rng; wrong reuses refused. */
static void check_same0(const int *len) {
    seq_ctx c;
    seq_setup(&c, 0.3f);
    nn_gru_seq_cache first = {0}, again = {0};
    nn_tensor out2 = nn_zeros3(NN_CPU, B, T, H), hs2 = nn_zeros4(NN_CPU, L, B, T, H);
    wsd_rng r1, r2;
    wsd_rng_seed(&r1, 7);
    CHECK(nn_gru_seq_forward_len(&c.g, &c.x, len, NULL, NULL, NULL, 1, &r1, &first) == 0);
    wsd_rng_seed(&r1, 8);
    wsd_rng_seed(&r2, 8);
    CHECK(nn_gru_seq_forward_len(&c.g, &c.x, len, NULL, &c.out, &c.hs, 1, &r1, &c.cache) == 0);
    CHECK(nn_gru_seq_forward_same0(&c.g, &c.x, &first, &out2, &hs2, 1, &r2, &again) == 0);
    CHECK(same_bits(&c.out, &out2) && same_bits(&c.hs, &hs2));
    CHECK(wsd_rng_uniform(&r1) == wsd_rng_uniform(&r2)); /* as many draws */
    for (int l = 0; l < L; l++) CHECK(same_bits(&c.cache.gates[l], &again.gates[l]));
    /* the backward through either cache: the same gradients */
    nn_tensor g1[16], dx1 = nn_zeros3(NN_CPU, B, T, IN), dx2 = nn_zeros3(NN_CPU, B, T, IN);
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_backward(&c.g, &c.cache, &c.r_out, &c.r_hs, &dx1, NULL) == 0);
    int n = grads_snapshot(&c.ps, g1);
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_backward(&c.g, &again, &c.r_out, &c.r_hs, &dx2, NULL) == 0);
    CHECK(same_bits(&dx1, &dx2));
    for (int i = 0; i < n; i++) CHECK(same_bits(&g1[i], &c.ps.items[i]->grad));
    grads_free(g1, n);
    /* a cache of another shape, no cache, or the source itself: refused */
    nn_tensor x2 = nn_zeros3(NN_CPU, B, T + 1, IN);
    CHECK(nn_gru_seq_forward_same0(&c.g, &x2, &first, NULL, NULL, 1, &r2, &again) == -1);
    CHECK(nn_gru_seq_forward_same0(&c.g, &c.x, &first, NULL, NULL, 1, &r2, NULL) == -1);
    CHECK(nn_gru_seq_forward_same0(&c.g, &c.x, &first, NULL, NULL, 1, &r2, &first) == -1);
    nn_tensor_free(&x2);
    nn_tensor_free(&dx1);
    nn_tensor_free(&dx2);
    nn_tensor_free(&out2);
    nn_tensor_free(&hs2);
    nn_gru_seq_cache_free(&first);
    nn_gru_seq_cache_free(&again);
    seq_free(&c);
}
static void test_gru_seq_same0(void) { check_same0(NULL); }
static void test_gru_seq_same0_len(void) { check_same0(seq_len); }

/* The paired backward (layer 0 once, on the sum of both passes' gradients)
 * gives the parameter gradients of two separate backwards, up to rounding,
 * with layer-1 dropout drawn differently in the two passes; misuse refused. */
static void check_backward_pair(const int *len) {
    seq_ctx c;
    seq_setup(&c, 0.3f);
    nn_gru_seq_cache first = {0}, second = {0};
    nn_tensor r2 = nn_zeros3(NN_CPU, B, T, H), rh2 = nn_zeros4(NN_CPU, L, B, T, H);
    wsd_rng rng;
    wsd_rng_seed(&rng, 12);
    tu_randomize(&r2, &rng, 1);
    tu_randomize(&rh2, &rng, 1);
    CHECK(nn_gru_seq_forward_len(&c.g, &c.x, len, NULL, NULL, NULL, 1, &rng, &first) == 0);
    CHECK(nn_gru_seq_forward_same0(&c.g, &c.x, &first, NULL, NULL, 1, &rng, &second) == 0);
    nn_tensor sep[16];
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_backward(&c.g, &second, &r2, &rh2, NULL, NULL) == 0);
    CHECK(nn_gru_seq_backward(&c.g, &first, &c.r_out, &c.r_hs, NULL, NULL) == 0);
    int n = grads_snapshot(&c.ps, sep);
    nn_params_zero_grad(&c.ps);
    CHECK(nn_gru_seq_backward_pair(&c.g, &first, &c.r_out, &c.r_hs, &second, &r2, &rh2) == 0);
    double worst = 0;
    for (int i = 0; i < n; i++) {
        /* |diff| <= 1e-5 · max(1, the gradient's scale) */
        double d = rel_diff(&sep[i], &c.ps.items[i]->grad);
        worst = fmax(worst, d);
        CHECK_MSG(d <= 1e-5, "%s: relative |diff| %.3g", c.ps.items[i]->name, d);
    }
    grads_free(sep, n);
    fprintf(stderr, "  paired backward vs two backwards: largest relative deviation %.3g\n", worst);
    CHECK(nn_gru_seq_backward_pair(&c.g, &first, &c.r_out, NULL, &first, &r2, NULL) == -1);
    nn_tensor_free(&r2);
    nn_tensor_free(&rh2);
    nn_gru_seq_cache_free(&first);
    nn_gru_seq_cache_free(&second);
    seq_free(&c);
}
static void test_gru_seq_backward_pair(void) { check_backward_pair(NULL); }
static void test_gru_seq_backward_pair_len(void) { check_backward_pair(seq_len); }

int main(void) {
    TEST_RUN(test_gru_seq_same0);
    TEST_RUN(test_gru_seq_backward_pair);
    TEST_RUN(test_gru_seq_same0_len);
    TEST_RUN(test_gru_seq_backward_pair_len);
    TEST_RUN(test_gru_seq_len_matches_full);
    TEST_RUN(test_gru_seq_gradients_len);
    TEST_RUN(test_gru_seq_gradients_len_dropout);
    TEST_RUN(test_gru_seq_gradients);
    TEST_RUN(test_gru_seq_gradients_dropout);
    TEST_RUN(test_gru_step_matches_sequence);
    TEST_RUN(test_gru_step_gradients);
    TEST_RUN(test_gru_step_gradients_dropout);
    TEST_RUN(test_gru_time_major_constant_input);
    TEST_RUN(test_gru_time_major_constant_input_dropout);
    TEST_RUN(test_gru_rows);
    TEST_RUN(test_gru_rows_dropout);
    TEST_RUN(test_gru_infer_constant_input);
    TEST_RUN(test_gru_golden);
    return test_finish();
}
