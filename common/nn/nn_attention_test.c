#include "testing/nn_testutil.h"

static int gather_idx[3];

/* ---- goldens: mean, type0, type1, type2 over a gathered batch ---- */

static void load_ids(const tu_goldens *gs) {
    const tu_golden *g = tu_golden_get(gs, "gather");
    for (int i = 0; i < 3; i++) gather_idx[i] = g ? (int)g->data[i] : 0;
}

static void test_attention_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "attention.txt")) TEST_SKIP("attention goldens missing");
    load_ids(&gs);
    const tu_golden *dims = tu_golden_get(&gs, "dims");
    int D = (int)dims->data[2], Q = (int)dims->data[3], P = (int)dims->data[5];
    nn_tensor feats = tu_golden_tensor(&gs, "feats"), mask = tu_golden_tensor(&gs, "mask");
    nn_tensor valid = tu_golden_tensor(&gs, "valid"), dctx = tu_golden_tensor(&gs, "dctx");
    nn_tensor query = tu_golden_tensor(&gs, "query");
    int N = mask.shape[0];
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    static const char *kinds[] = {"mean", "type0", "type1", "type2"};
    for (int k = 0; k < 4; k++) {
        nn_params ps;
        nn_params_init(&ps, "m");
        nn_attention a;
        CHECK(nn_attention_init(&a, &ps, "att", "pe", (nn_att_kind)k, D, Q, P, &rng, NN_CPU) == 0);
        if (a.w) tu_golden_set(&gs, "att.weight", &a.w->value);
        if (a.pe) tu_golden_set(&gs, "pe.weight", &a.pe->value);
        nn_tensor ctx = nn_zeros2(NN_CPU, N, D), dfeats = nn_zeros3(NN_CPU, 2, feats.shape[1], D);
        nn_tensor dmask = nn_zeros2(NN_CPU, N, mask.shape[1]), dq = nn_zeros2(NN_CPU, N, Q);
        nn_attention_cache cache = {0};
        const nn_tensor *m = k == 0 ? &mask : &valid;
        CHECK(nn_attention_forward(&a, &feats, gather_idx, m, &query, &ctx, &cache) == 0);
        CHECK(nn_attention_backward(&a, &cache, &feats, gather_idx, m, &query, &dctx, &dfeats,
                                    k == 0 ? &dmask : NULL, &dq) == 0);
        char name[64];
        snprintf(name, sizeof name, "%s.ctx", kinds[k]);
        TU_GOLDEN(&gs, name, &ctx);
        snprintf(name, sizeof name, "%s.dfeats", kinds[k]);
        TU_GOLDEN(&gs, name, &dfeats);
        if (k == 0) {
            TU_GOLDEN(&gs, "mean.dmask", &dmask);
        } else {
            snprintf(name, sizeof name, "%s.dquery", kinds[k]);
            TU_GOLDEN(&gs, name, &dq);
            snprintf(name, sizeof name, "%s.dweight", kinds[k]);
            TU_GOLDEN(&gs, name, &a.w->grad);
        }
        if (k == 3) TU_GOLDEN(&gs, "type2.dpe", &a.pe->grad);
        nn_attention_cache_free(&cache);
        nn_tensor_free(&ctx);
        nn_tensor_free(&dfeats);
        nn_tensor_free(&dmask);
        nn_tensor_free(&dq);
        nn_params_free(&ps);
    }
    fprintf(stderr, "  attention golden max error %.3g\n", tu_max_golden_err);
    nn_tensor_free(&feats);
    nn_tensor_free(&mask);
    nn_tensor_free(&valid);
    nn_tensor_free(&dctx);
    nn_tensor_free(&query);
    tu_goldens_free(&gs);
}

static void test_softmask_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "attention.txt")) TEST_SKIP("attention goldens missing");
    load_ids(&gs);
    nn_tensor seg = tu_golden_tensor(&gs, "sm.seg"), valid = tu_golden_tensor(&gs, "sm.valid");
    nn_tensor dm = tu_golden_tensor(&gs, "sm.dmask"), feats = tu_golden_tensor(&gs, "sm.feats");
    int N = valid.shape[0], T = valid.shape[1], D = feats.shape[2];
    nn_tensor mask = nn_zeros2(NN_CPU, N, T), dseg = nn_zeros2(NN_CPU, N, 2);
    static const nn_softmask_kind kinds[3] = {NN_MASK_L, NN_MASK_C, NN_MASK_R};
    static const char *names[3] = {"sm.mask_l", "sm.mask_c", "sm.mask_r"};
    for (int k = 0; k < 3; k++) {
        nn_tensor dmk = nn_tensor_index(&dm, k);
        CHECK(nn_softmask_forward(kinds[k], 0.1f, &seg, &valid, &mask) == 0);
        TU_GOLDEN(&gs, names[k], &mask);
        CHECK(nn_softmask_backward(kinds[k], 0.1f, &seg, &valid, &dmk, &dseg) == 0);
    }
    TU_GOLDEN(&gs, "sm.dseg", &dseg);
    /* the clr mean context of the caption generator */
    nn_params ps;
    nn_params_init(&ps, "m");
    wsd_rng rng;
    wsd_rng_seed(&rng, 1);
    nn_softctx sc;
    CHECK(nn_softctx_init(&sc, &ps, NULL, NN_CTX_CLR, NN_ATT_MEAN, 0.1f, D, 8, &rng, NN_CPU) == 0);
    nn_tensor ctx = nn_zeros2(NN_CPU, N, 3 * D), dctx = tu_golden_tensor(&gs, "clr.dctx");
    nn_tensor dfeats = nn_zeros3(NN_CPU, feats.shape[0], T, D);
    nn_softctx_cache cache = {0};
    nn_tensor_zero(&dseg);
    CHECK(nn_softctx_forward(&sc, &feats, gather_idx, &seg, &valid, NULL, &ctx, &cache) == 0);
    CHECK(nn_softctx_backward(&sc, &cache, &feats, gather_idx, &seg, &valid, NULL, &dctx, &dfeats,
                              &dseg, NULL) == 0);
    TU_GOLDEN(&gs, "clr.ctx", &ctx);
    TU_GOLDEN(&gs, "clr.dseg", &dseg);
    TU_GOLDEN(&gs, "clr.dfeats", &dfeats);
    fprintf(stderr, "  soft mask golden max error %.3g\n", tu_max_golden_err);
    nn_softctx_cache_free(&cache);
    nn_params_free(&ps);
    nn_tensor *ts[] = {&seg, &valid, &dm, &feats, &mask, &dseg, &ctx, &dctx, &dfeats};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    tu_goldens_free(&gs);
}

/* ---- finite differences ---- */

enum { B = 2, T = 9, D = 5, Q = 4, N = 3, P = 4 };

typedef struct {
    nn_params ps;
    nn_attention a;
    nn_softctx sc;
    int use_ctx;
    nn_tensor feats, mask, query, seg, valid, ctx, r;
    nn_attention_cache cache;
    nn_softctx_cache scache;
} att_ctx;

static double att_loss(void *p) {
    att_ctx *c = p;
    if (c->use_ctx)
        nn_softctx_forward(&c->sc, &c->feats, gather_idx, &c->seg, &c->valid, &c->query, &c->ctx,
                           &c->scache);
    else
        nn_attention_forward(&c->a, &c->feats, gather_idx, &c->mask, &c->query, &c->ctx, &c->cache);
    return tu_project(&c->ctx, &c->r);
}

static void att_setup(att_ctx *c, int kind, int use_ctx, nn_context_kind ck) {
    memset(c, 0, sizeof *c);
    gather_idx[0] = 1;
    gather_idx[1] = 0;
    gather_idx[2] = 1;
    wsd_rng rng;
    wsd_rng_seed(&rng, 11);
    nn_params_init(&c->ps, "m");
    c->use_ctx = use_ctx;
    int width = D;
    if (use_ctx) {
        CHECK(nn_softctx_init(&c->sc, &c->ps, (const char *const[]){"l", "c", "r"}, ck,
                              (nn_att_kind)kind, 0.1f, D, Q, &rng, NN_CPU) == 0);
        width = c->sc.n_masks * D;
    } else {
        CHECK(nn_attention_init(&c->a, &c->ps, "att", "pe", (nn_att_kind)kind, D, Q, P, &rng,
                                NN_CPU) == 0);
        if (c->a.pe) tu_randomize(&c->a.pe->value, &rng, 0.5f);
    }
    c->feats = nn_zeros3(NN_CPU, B, T, D);
    c->mask = nn_zeros2(NN_CPU, N, T);
    c->valid = nn_zeros2(NN_CPU, N, T);
    c->query = nn_zeros2(NN_CPU, N, Q);
    c->seg = nn_zeros2(NN_CPU, N, 2);
    c->ctx = nn_zeros2(NN_CPU, N, width);
    c->r = nn_zeros2(NN_CPU, N, width);
    tu_randomize(&c->feats, &rng, 1);
    tu_randomize(&c->query, &rng, 1);
    tu_randomize(&c->r, &rng, 1);
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++) {
            int ok = !(n == 0 && t >= 6);
            c->valid.data[n * T + t] = (float)ok;
            c->mask.data[n * T + t] =
                ok ? (kind == 0 ? 0.2f + wsd_rng_uniformf(&rng) : 1.0f) : 0.0f;
        }
    float segs[N][2] = {{3.2f, 4.1f}, {1.5f, 9.0f}, {7.3f, 2.2f}};
    memcpy(c->seg.data, segs, sizeof segs);
}

static void att_free(att_ctx *c) {
    nn_params_free(&c->ps);
    nn_tensor *ts[] = {&c->feats, &c->mask, &c->query, &c->seg, &c->valid, &c->ctx, &c->r};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_attention_cache_free(&c->cache);
    nn_softctx_cache_free(&c->scache);
}

static void check_attention_fd(int kind) {
    att_ctx c;
    att_setup(&c, kind, 0, NN_CTX_C);
    att_loss(&c);
    nn_tensor df = nn_zeros3(NN_CPU, B, T, D), dm = nn_zeros2(NN_CPU, N, T),
              dq = nn_zeros2(NN_CPU, N, Q);
    CHECK(nn_attention_backward(&c.a, &c.cache, &c.feats, gather_idx, &c.mask, &c.query, &c.r, &df,
                                kind == 0 ? &dm : NULL, &dq) == 0);
    TU_FD("feats", &c.feats, &df, att_loss, &c);
    if (kind == 0)
        TU_FD("mask", &c.mask, &dm, att_loss, &c);
    else
        TU_FD("query", &c.query, &dq, att_loss, &c);
    for (int i = 0; i < c.ps.n; i++)
        TU_FD(c.ps.items[i]->name, &c.ps.items[i]->value, &c.ps.items[i]->grad, att_loss, &c);
    nn_tensor_free(&df);
    nn_tensor_free(&dm);
    nn_tensor_free(&dq);
    att_free(&c);
}

static void test_attention_mean_fd(void) { check_attention_fd(0); }
static void test_attention_type0_fd(void) { check_attention_fd(1); }
static void test_attention_type1_fd(void) { check_attention_fd(2); }
static void test_attention_type2_fd(void) { check_attention_fd(3); }

static void check_softctx_fd(int kind, nn_context_kind ck) {
    att_ctx c;
    att_setup(&c, kind, 1, ck);
    att_loss(&c);
    nn_tensor df = nn_zeros3(NN_CPU, B, T, D), ds = nn_zeros2(NN_CPU, N, 2),
              dq = nn_zeros2(NN_CPU, N, Q);
    CHECK(nn_softctx_backward(&c.sc, &c.scache, &c.feats, gather_idx, &c.seg, &c.valid, &c.query,
                              &c.r, &df, &ds, &dq) == 0);
    TU_FD("feats", &c.feats, &df, att_loss, &c);
    if (kind == 0)
        TU_FD("seg", &c.seg, &ds, att_loss, &c);
    else
        TU_FD("query", &c.query, &dq, att_loss, &c);
    for (int i = 0; i < c.ps.n; i++)
        TU_FD(c.ps.items[i]->name, &c.ps.items[i]->value, &c.ps.items[i]->grad, att_loss, &c);
    nn_tensor_free(&df);
    nn_tensor_free(&ds);
    nn_tensor_free(&dq);
    att_free(&c);
}

static void test_softctx_clr_mean_fd(void) { check_softctx_fd(0, NN_CTX_CLR); }
static void test_softctx_c_mean_fd(void) { check_softctx_fd(0, NN_CTX_C); }
static void test_softctx_cl_type0_fd(void) { check_softctx_fd(1, NN_CTX_CL); }

static void test_attention_rejects_bad_shapes(void) {
    att_ctx c;
    att_setup(&c, 1, 0, NN_CTX_C);
    nn_tensor wrong = nn_zeros2(NN_CPU, N, Q + 1);
    CHECK(nn_attention_forward(&c.a, &c.feats, gather_idx, &c.mask, &wrong, &c.ctx, NULL) == -1);
    CHECK(strstr(wsd_error(), "query") != NULL);
    gather_idx[0] = 5;
    CHECK(nn_attention_forward(&c.a, &c.feats, gather_idx, &c.mask, &c.query, &c.ctx, NULL) == -1);
    nn_tensor_free(&wrong);
    att_free(&c);
}

int main(void) {
    TEST_RUN(test_attention_golden);
    TEST_RUN(test_softmask_golden);
    TEST_RUN(test_attention_mean_fd);
    TEST_RUN(test_attention_type0_fd);
    TEST_RUN(test_attention_type1_fd);
    TEST_RUN(test_attention_type2_fd);
    TEST_RUN(test_softctx_clr_mean_fd);
    TEST_RUN(test_softctx_c_mean_fd);
    TEST_RUN(test_softctx_cl_type0_fd);
    TEST_RUN(test_attention_rejects_bad_shapes);
    return test_finish();
}
