#include "testing/nn_testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nn/nn_param.h"

/* The out-of-memory test asks calloc for 2^60 bytes on purpose: under
 * AddressSanitizer that must return NULL as in the C library, not abort. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static void test_rng_is_reproducible_and_uniform(void) {
    wsd_rng a, b;
    wsd_rng_seed(&a, 233);
    wsd_rng_seed(&b, 233);
    for (int i = 0; i < 100; i++) CHECK(wsd_rng_u64(&a) == wsd_rng_u64(&b));
    double s = 0, s2 = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
        float u = wsd_rng_uniformf(&b);
        CHECK(u >= 0 && u < 1);
        float z = wsd_rng_normal(&b);
        s += z;
        s2 += (double)z * z;
    }
    CHECK_NEAR(s / n, 0, 0.05);
    CHECK_NEAR(s2 / n, 1, 0.05);
    for (int i = 0; i < 1000; i++) CHECK(wsd_rng_below(&b, 7) < 7);
}

static void test_tensor_views_and_copies(void) {
    nn_tensor t = nn_zeros3(NN_CPU, 2, 3, 4);
    CHECK(t.size == 24);
    for (int i = 0; i < 24; i++) t.data[i] = (float)i;
    nn_tensor row = nn_tensor_index(&t, 1);
    CHECK(row.ndim == 2 && row.shape[0] == 3 && row.data[0] == 12);
    nn_tensor h = nn_tensor_host_copy(&t);
    CHECK(h.data != t.data && h.data[23] == 23);
    int s[2] = {6, 4};
    CHECK(nn_tensor_reshape(&h, 2, s) == 0);
    int bad[2] = {5, 4};
    CHECK(nn_tensor_reshape(&h, 2, bad) == -1);
    CHECK(nn_check_shape(&t, "t", 3, 2, 3, 5) == -1);
    CHECK(strstr(wsd_error(), "(2, 3, 5)") != NULL);
    float *before = h.data;
    nn_tensor_ensure2(&h, NN_CPU, 4, 6);
    CHECK(h.data == before && h.data[5] == 0); /* same size: memory kept, zeroed */
    nn_tensor_free(&h);
    nn_tensor_free(&row); /* a view: only resets */
    nn_tensor_free(&t);
    nn_device d;
    CHECK(nn_device_parse("cpu", &d) == 0 && d == NN_CPU);
    CHECK(nn_device_parse("auto", &d) == 0);
    /* auto says why it chose the CPU, and only then */
    CHECK((d == NN_CPU) == (nn_device_fallback_reason() != NULL));
    CHECK(d == NN_CUDA || strstr(nn_device_fallback_reason(), "CUDA") != NULL);
    CHECK(nn_device_parse("cpu", &d) == 0 && nn_device_fallback_reason() == NULL);
    CHECK(nn_device_parse("tpu", &d) == -1);
#ifndef WSD_HAVE_CUDA
    CHECK(nn_device_parse("cuda", &d) == -1);
    CHECK(strstr(wsd_error(), "no CUDA backend") != NULL);
#endif
}

static void test_ops_gemm_concat_gather(void) {
    nn_tensor a = nn_zeros2(NN_CPU, 2, 3), b = nn_zeros2(NN_CPU, 4, 3), c = nn_zeros2(NN_CPU, 2, 4);
    for (int i = 0; i < 6; i++) a.data[i] = (float)(i + 1);
    for (int i = 0; i < 12; i++) b.data[i] = (float)(i % 5) - 2;
    CHECK(nn_gemm(0, 1, 1.0f, &a, &b, 0.0f, &c) == 0);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            double e = 0;
            for (int k = 0; k < 3; k++) e += a.data[i * 3 + k] * b.data[j * 3 + k];
            CHECK_NEAR(c.data[i * 4 + j], e, 1e-6);
        }
    CHECK(nn_gemm(0, 0, 1.0f, &a, &b, 0.0f, &c) == -1);
    nn_tensor cat = nn_zeros2(NN_CPU, 2, 7);
    const nn_tensor *parts[2] = {&a, &c};
    CHECK(nn_concat_cols(&cat, parts, 2) == 0);
    CHECK(cat.data[7 + 2] == a.data[5] && cat.data[7 + 3] == c.data[4]);
    nn_tensor da = nn_zeros2(NN_CPU, 2, 3), dc = nn_zeros2(NN_CPU, 2, 4);
    nn_tensor *dparts[2] = {&da, &dc};
    CHECK(nn_split_cols_acc(&cat, dparts, 2) == 0);
    CHECK(da.data[5] == a.data[5] && dc.data[7] == c.data[7]);
    int idx[3] = {1, 0, 1};
    nn_tensor g = nn_zeros2(NN_CPU, 3, 3);
    CHECK(nn_gather_rows(&g, &a, idx, 3) == 0);
    CHECK(g.data[0] == 4 && g.data[3] == 1 && g.data[8] == 6);
    nn_tensor_zero(&da);
    CHECK(nn_scatter_rows_acc(&da, &g, idx, 3) == 0);
    CHECK(da.data[3] == 8 && da.data[0] == 1);
    idx[0] = 2;
    CHECK(nn_gather_rows(&g, &a, idx, 3) == -1);
    int am[2];
    CHECK(nn_argmax_rows(&c, am) == 0);
    CHECK_NEAR(nn_sum(&a), 21, 0);
    CHECK_NEAR(nn_sumsq(&a), 91, 0);
    /* hidden_transpose: (layers, B, T, H) → (n, layers·H) and (layers, n, H) */
    nn_tensor hs = nn_zeros4(NN_CPU, 2, 2, 3, 2);
    for (size_t i = 0; i < hs.size; i++) hs.data[i] = (float)i;
    int bi[2] = {1, 0}, ti[2] = {2, 0};
    nn_tensor q = nn_zeros2(NN_CPU, 2, 4), h0 = nn_zeros3(NN_CPU, 2, 2, 2);
    CHECK(nn_hidden_gather(&q, &hs, bi, ti, 2, NN_HID_NLH) == 0);
    CHECK(q.data[0] == 10 && q.data[2] == 22 && q.data[4] == 0 && q.data[6] == 12);
    CHECK(nn_hidden_gather(&h0, &hs, bi, ti, 2, NN_HID_LNH) == 0);
    CHECK(h0.data[0] == 10 && h0.data[2] == 0 && h0.data[4] == 22);
    nn_tensor dhs = nn_zeros4(NN_CPU, 2, 2, 3, 2);
    CHECK(nn_hidden_scatter_acc(&dhs, &q, bi, ti, 2, NN_HID_NLH) == 0);
    CHECK(dhs.data[10] == 10 && dhs.data[22] == 22);
    nn_tensor *ts[] = {&a, &b, &c, &cat, &da, &dc, &g, &hs, &q, &h0, &dhs};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
}

static void test_activations_fd(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 5);
    nn_tensor x = nn_zeros1(NN_CPU, 50), y = nn_zeros1(NN_CPU, 50), dy = nn_zeros1(NN_CPU, 50);
    nn_tensor dx = nn_zeros1(NN_CPU, 50);
    tu_randomize(&x, &rng, 3);
    tu_randomize(&dy, &rng, 1);
    for (int f = 0; f < 3; f++) {
        int (*fw)(const nn_tensor *, nn_tensor *) = f == 0   ? nn_sigmoid
                                                    : f == 1 ? nn_tanh
                                                             : nn_relu;
        int (*bw)(const nn_tensor *, const nn_tensor *, nn_tensor *) = f == 0 ? nn_sigmoid_backward
                                                                       : f == 1 ? nn_tanh_backward
                                                                                : nn_relu_backward;
        fw(&x, &y);
        nn_tensor_zero(&dx);
        bw(&y, &dy, &dx);
        for (int i = 0; i < 50; i++) {
            double xi = x.data[i], e = 1e-3;
            double fp = f == 0 ? 1 / (1 + exp(-(xi + e))) : f == 1 ? tanh(xi + e) : fmax(xi + e, 0);
            double fm = f == 0 ? 1 / (1 + exp(-(xi - e))) : f == 1 ? tanh(xi - e) : fmax(xi - e, 0);
            CHECK_NEAR(dx.data[i], dy.data[i] * (fp - fm) / (2 * e), 1e-3);
        }
    }
    nn_tensor_free(&x);
    nn_tensor_free(&y);
    nn_tensor_free(&dy);
    nn_tensor_free(&dx);
}

/* ---- Linear & Embedding ---- */

typedef struct {
    nn_params ps;
    nn_linear l;
    nn_tensor x, y, r;
} lin_ctx;

static double lin_loss(void *p) {
    lin_ctx *c = p;
    nn_linear_forward(&c->l, &c->x, &c->y);
    return tu_project(&c->y, &c->r);
}

static void test_linear_fd(void) {
    for (int bias = 0; bias < 2; bias++) {
        lin_ctx c;
        wsd_rng rng;
        wsd_rng_seed(&rng, 2);
        nn_params_init(&c.ps, "m");
        CHECK(nn_linear_init(&c.l, &c.ps, "fc", 5, 3, bias, &rng, NN_CPU) == 0);
        CHECK(c.ps.n == 1 + bias);
        c.x = nn_zeros3(NN_CPU, 2, 2, 5);
        c.y = nn_zeros3(NN_CPU, 2, 2, 3);
        c.r = nn_zeros3(NN_CPU, 2, 2, 3);
        tu_randomize(&c.x, &rng, 1);
        tu_randomize(&c.r, &rng, 1);
        lin_loss(&c);
        nn_tensor dx = nn_zeros3(NN_CPU, 2, 2, 5);
        CHECK(nn_linear_backward(&c.l, &c.x, &c.r, &dx) == 0);
        TU_FD("x", &c.x, &dx, lin_loss, &c);
        for (int i = 0; i < c.ps.n; i++)
            TU_FD(c.ps.items[i]->name, &c.ps.items[i]->value, &c.ps.items[i]->grad, lin_loss, &c);
        nn_tensor_free(&dx);
        nn_tensor_free(&c.x);
        nn_tensor_free(&c.y);
        nn_tensor_free(&c.r);
        nn_params_free(&c.ps);
    }
}

/* The per-sequence linear against the plain one on zero-padded sequences:
 * the same bits on each sequence's rows, zeros on the padding; the
 * gradients of the plain backward with the padding's gradient zeroed (up to
 * rounding: sums over fewer rows); bad lengths refused. */
static void test_linear_seq(void) {
    enum { SB = 3, ST = 4, IN = 5, OUT = 3 };
    const int len[SB] = {2, 4, 1};
    nn_params ps;
    nn_linear l;
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    nn_params_init(&ps, "m");
    CHECK(nn_linear_init(&l, &ps, "fc", IN, OUT, 0, &rng, NN_CPU) == 0);
    nn_tensor x = nn_zeros2(NN_CPU, SB * ST, IN), dy = nn_zeros2(NN_CPU, SB * ST, OUT);
    nn_tensor y1 = nn_zeros2(NN_CPU, SB * ST, OUT), y2 = nn_zeros2(NN_CPU, SB * ST, OUT);
    nn_tensor dx1 = nn_zeros2(NN_CPU, SB * ST, IN), dx2 = nn_zeros2(NN_CPU, SB * ST, IN);
    tu_randomize(&x, &rng, 1);
    tu_randomize(&dy, &rng, 1);
    tu_randomize(&y2, &rng, 1); /* stale values the padding must not keep */
    for (int b = 0; b < SB; b++)
        for (int t = len[b]; t < ST; t++) {
            memset(x.data + (size_t)(b * ST + t) * IN, 0, sizeof(float) * IN);
            memset(dy.data + (size_t)(b * ST + t) * OUT, 0, sizeof(float) * OUT);
        }
    CHECK(nn_linear_forward(&l, &x, &y1) == 0);
    CHECK(nn_linear_forward_seq(&l, &x, SB, ST, len, &y2) == 0);
    CHECK(memcmp(y1.data, y2.data, sizeof(float) * y1.size) == 0);
    nn_tensor g1 = nn_zeros2(NN_CPU, OUT, IN);
    CHECK(nn_linear_backward(&l, &x, &dy, &dx1) == 0);
    nn_tensor_copy(&g1, &l.weight->grad);
    nn_params_zero_grad(&ps);
    CHECK(nn_linear_backward_seq(&l, &x, &dy, SB, ST, len, &dx2) == 0);
    CHECK(memcmp(dx1.data, dx2.data, sizeof(float) * dx1.size) == 0);
    for (size_t i = 0; i < g1.size; i++)
        CHECK_MSG(fabsf(g1.data[i] - l.weight->grad.data[i]) <= 1e-6f, "dW[%zu] %g vs %g", i,
                  g1.data[i], l.weight->grad.data[i]);
    const int bad[SB] = {2, 0, 1}, over[SB] = {2, ST + 1, 1};
    CHECK(nn_linear_forward_seq(&l, &x, SB, ST, bad, &y2) == -1);
    CHECK(nn_linear_backward_seq(&l, &x, &dy, SB, ST, over, NULL) == -1);
    CHECK(nn_linear_forward_seq(&l, &x, SB, ST + 1, len, &y2) == -1); /* rows ≠ B·T */
    nn_tensor *ts[] = {&x, &dy, &y1, &y2, &dx1, &dx2, &g1};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_params_free(&ps);
}

static void test_linear_embedding_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "linear.txt")) TEST_SKIP("linear goldens missing");
    wsd_rng rng;
    wsd_rng_seed(&rng, 1);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_linear l;
    nn_embedding e;
    CHECK(nn_linear_init(&l, &ps, "fc", 5, 3, 1, &rng, NN_CPU) == 0);
    CHECK(nn_embedding_init(&e, &ps, "emb", 7, 3, &rng, NN_CPU) == 0);
    tu_golden_set(&gs, "fc.weight", &l.weight->value);
    tu_golden_set(&gs, "fc.bias", &l.bias->value);
    tu_golden_set(&gs, "emb.weight", &e.weight->value);
    nn_tensor x = tu_golden_tensor(&gs, "x"), dy = tu_golden_tensor(&gs, "dy");
    nn_tensor y = nn_zeros2(NN_CPU, x.shape[0], 3), dx = nn_zeros2(NN_CPU, x.shape[0], 5);
    CHECK(nn_linear_forward(&l, &x, &y) == 0);
    CHECK(nn_linear_backward(&l, &x, &dy, &dx) == 0);
    TU_GOLDEN(&gs, "y", &y);
    TU_GOLDEN(&gs, "dx", &dx);
    TU_GOLDEN(&gs, "grad.fc.weight", &l.weight->grad);
    TU_GOLDEN(&gs, "grad.fc.bias", &l.bias->grad);
    const tu_golden *ids_g = tu_golden_get(&gs, "ids");
    int ids[5];
    for (int i = 0; i < 5; i++) ids[i] = (int)ids_g->data[i];
    nn_tensor ey = nn_zeros2(NN_CPU, 5, 3), edy = tu_golden_tensor(&gs, "emb.dy");
    CHECK(nn_embedding_forward(&e, ids, 5, &ey) == 0);
    CHECK(nn_embedding_backward(&e, ids, 5, &edy) == 0);
    TU_GOLDEN(&gs, "emb.y", &ey);
    TU_GOLDEN(&gs, "grad.emb.weight", &e.weight->grad);
    ids[2] = 7;
    CHECK(nn_embedding_forward(&e, ids, 5, &ey) == -1);
    fprintf(stderr, "  linear/embedding golden max error %.3g\n", tu_max_golden_err);
    nn_tensor *ts[] = {&x, &dy, &y, &dx, &ey, &edy};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_params_free(&ps);
    tu_goldens_free(&gs);
}

typedef struct {
    nn_embedding e;
    int ids[5];
    nn_tensor y, r;
} emb_ctx;

static double emb_loss(void *p) {
    emb_ctx *c = p;
    nn_embedding_forward(&c->e, c->ids, 5, &c->y);
    return tu_project(&c->y, &c->r);
}

static void test_embedding_fd(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 12);
    nn_params ps;
    nn_params_init(&ps, "m");
    emb_ctx c = {.ids = {3, 1, 3, 0, 5}};
    nn_embedding_init(&c.e, &ps, "emb", 6, 4, &rng, NN_CPU);
    c.y = nn_zeros2(NN_CPU, 5, 4);
    c.r = nn_zeros2(NN_CPU, 5, 4);
    tu_randomize(&c.r, &rng, 1);
    emb_loss(&c);
    CHECK(nn_embedding_backward(&c.e, c.ids, 5, &c.r) == 0);
    TU_FD("emb.weight", &c.e.weight->value, &c.e.weight->grad, emb_loss, &c);
    CHECK(c.e.weight->grad.data[2 * 4] == 0); /* row 2 unused: zero but present */
    nn_tensor_free(&c.y);
    nn_tensor_free(&c.r);
    nn_params_free(&ps);
}

static void test_init_distributions(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 233);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_linear l;
    nn_embedding e;
    nn_linear_init(&l, &ps, "fc", 400, 100, 1, &rng, NN_CPU);
    nn_embedding_init(&e, &ps, "emb", 100, 100, &rng, NN_CPU);
    float bound = 1 / sqrtf(400);
    double mx = 0;
    for (size_t i = 0; i < l.weight->value.size; i++) mx = fmax(mx, fabs(l.weight->value.data[i]));
    CHECK(mx <= bound && mx > 0.95 * bound);
    double s2 = nn_sumsq(&e.weight->value) / e.weight->value.size;
    CHECK_NEAR(s2, 1, 0.05);
    CHECK(nn_params_count(&ps, 0) == 400 * 100 + 100 + 100 * 100);
    CHECK(nn_params_new(&ps, NN_CPU, "fc.weight", 0, 1, (int[]){3}) == NULL);
    nn_params sel;
    nn_params_init_view(&sel);
    CHECK(nn_params_select(&sel, &ps, "fc.") == 2);
    nn_params_free(&sel);
    nn_params_free(&ps);
}

static void test_dropout(void) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 9);
    nn_tensor x = nn_zeros1(NN_CPU, 10000), y = nn_zeros1(NN_CPU, 10000), mask = {0};
    nn_tensor_fill(&x, 1.0f);
    CHECK(nn_dropout_forward(0.3f, 1, &rng, &x, &y, &mask) == 0);
    int zeros = 0;
    for (size_t i = 0; i < y.size; i++) {
        if (y.data[i] == 0)
            zeros++;
        else
            CHECK_NEAR(y.data[i], 1 / 0.7, 1e-6);
    }
    CHECK(zeros > 2700 && zeros < 3300);
    nn_tensor dx = nn_zeros1(NN_CPU, 10000);
    CHECK(nn_dropout_backward(&mask, &x, &dx) == 0);
    CHECK(memcmp(dx.data, y.data, y.size * sizeof(float)) == 0);
    /* same seed, same mask */
    wsd_rng r2;
    wsd_rng_seed(&r2, 9);
    nn_tensor y2 = nn_zeros1(NN_CPU, 10000), m2 = {0};
    nn_dropout_forward(0.3f, 1, &r2, &x, &y2, &m2);
    CHECK(memcmp(y2.data, y.data, y.size * sizeof(float)) == 0);
    CHECK(nn_dropout_forward(0.3f, 0, &rng, &x, &y, &mask) == 0);
    CHECK(nn_sum(&y) == 10000);
    nn_tensor *ts[] = {&x, &y, &mask, &dx, &y2, &m2};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
}

/* A host tensor that cannot be allocated: an error naming what was being
 * allocated, its shape and its size in bytes; nn_tensor_zeros exits 1 with it
 * (never a crash), as the CUDA allocator's failures do (gpu-check provokes
 * those with WSD_CUDA_MEM_LIMIT). */
static void test_out_of_memory_names_the_tensor(void) {
    int huge[2] = {1 << 30, 1 << 28}; /* 2^58 floats = 2^60 bytes */
    nn_tensor t;
    CHECK(nn_tensor_try_zeros(&t, NN_CPU, 2, huge) == -1);
    CHECK(t.data == NULL && t.size == 0);
    CHECK(strstr(wsd_error(), "out of cpu memory allocating a tensor (1073741824, 268435456): "
                              "1152921504606846976 bytes") != NULL);
    const char *old = nn_alloc_label("parameter 'x.w'");
    CHECK(nn_tensor_try_zeros(&t, NN_CPU, 2, huge) == -1);
    CHECK(strstr(wsd_error(), "allocating the parameter 'x.w' tensor (1073741824, 268435456)") !=
          NULL);
    nn_alloc_label(old);
    CHECK(nn_tensor_try_zeros(&t, NN_CPU, 2, (int[]){2, 3}) == 0 && t.size == 6);
    nn_tensor_free(&t);
    /* the exiting forms, in a child: a parameter's name, exit status 1 */
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 2);
        close(pfd[0]);
        wsd_set_progname("oomtest");
        nn_params ps;
        nn_params_init(&ps, "test");
        nn_params_new(&ps, NN_CPU, "cg.big", 0, 2, huge);
        _exit(0); /* not reached */
    }
    close(pfd[1]);
    char msg[512] = {0};
    size_t got = 0;
    ssize_t r;
    while (got < sizeof msg - 1 && (r = read(pfd[0], msg + got, sizeof msg - 1 - got)) > 0)
        got += (size_t)r;
    close(pfd[0]);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    CHECK(strstr(msg, "oomtest: out of cpu memory allocating the parameter 'cg.big' tensor "
                      "(1073741824, 268435456): 1152921504606846976 bytes") != NULL);
    if (!strstr(msg, "parameter 'cg.big'")) fprintf(stderr, "child said: %s\n", msg);
}

int main(void) {
    TEST_RUN(test_rng_is_reproducible_and_uniform);
    TEST_RUN(test_tensor_views_and_copies);
    TEST_RUN(test_ops_gemm_concat_gather);
    TEST_RUN(test_activations_fd);
    TEST_RUN(test_linear_fd);
    TEST_RUN(test_linear_seq);
    TEST_RUN(test_linear_embedding_golden);
    TEST_RUN(test_embedding_fd);
    TEST_RUN(test_init_distributions);
    TEST_RUN(test_dropout);
    TEST_RUN(test_out_of_memory_names_the_tensor);
    return test_finish();
}
