/* CUDA backend parity: every layer runs the same seeded workload on the CPU and
 * on the GPU and the results must agree. Skipped where the build has no CUDA
 * backend or no GPU answers. */
#include "testing/nn_testutil.h"

typedef struct {
    char name[64];
    float *data;
    size_t n;
} result;

typedef struct {
    result items[256];
    int n;
} results;

static void keep(results *r, const char *name, const nn_tensor *t) {
    result *x = &r->items[r->n++];
    snprintf(x->name, sizeof x->name, "%s", name);
    x->n = t->size;
    x->data = malloc((t->size ? t->size : 1) * sizeof(float));
    nn_tensor_to_host(t, x->data, t->size);
}

static void keep_scalar(results *r, const char *name, double v) {
    nn_tensor t = nn_zeros1(NN_CPU, 1);
    t.data[0] = (float)v;
    keep(r, name, &t);
    nn_tensor_free(&t);
}

static void keep_grads(results *r, const nn_params *ps) {
    for (int i = 0; i < ps->n; i++) {
        keep(r, ps->items[i]->name, &ps->items[i]->value);
        if (!ps->items[i]->is_buffer) {
            char n[64];
            snprintf(n, sizeof n, "d.%.58s", ps->items[i]->name);
            keep(r, n, &ps->items[i]->grad);
        }
    }
}

static nn_tensor rnd(nn_device dev, wsd_rng *rng, int ndim, const int *shape) {
    nn_tensor t = nn_tensor_zeros(dev, ndim, shape);
    nn_init_uniform(&t, rng, -1, 1);
    return t;
}

static void workload(nn_device dev, results *r) {
    enum { B = 3, T = 7, IN = 5, H = 6, N = 4, D = 6, Q = 12, V = 9 };
    wsd_rng rng;
    wsd_rng_seed(&rng, 77);
    nn_params ps;
    nn_params_init(&ps, "m");
    nn_gru g;
    nn_lstm lstm;
    nn_linear lin;
    nn_embedding emb;
    nn_batchnorm bn;
    nn_attention a0, a2, am;
    nn_softctx sc;
    nn_gru_init(&g, &ps, "gru", IN, H, 2, 0.3f, &rng, dev);
    nn_lstm_init(&lstm, &ps, "lstm", IN, H, 2, 0.3f, &rng, dev);
    nn_linear_init(&lin, &ps, "fc", H, V, 1, &rng, dev);
    nn_embedding_init(&emb, &ps, "emb", V, IN, &rng, dev);
    nn_batchnorm_init(&bn, &ps, "bn", D, &rng, dev);
    nn_attention_init(&a0, &ps, "att0", NULL, NN_ATT_TYPE0, D, Q, 0, &rng, dev);
    nn_attention_init(&a2, &ps, "att2", "pe", NN_ATT_TYPE2, D, Q, 4, &rng, dev);
    nn_attention_init(&am, &ps, "attm", NULL, NN_ATT_MEAN, D, Q, 0, &rng, dev);
    nn_softctx_init(&sc, &ps, NULL, NN_CTX_CLR, NN_ATT_MEAN, 0.1f, D, Q, &rng, dev);

    /* GRU sequence, training with dropout */
    nn_tensor x = rnd(dev, &rng, 3, (int[]){B, T, IN}), h0 = rnd(dev, &rng, 3, (int[]){2, B, H});
    nn_tensor out = nn_zeros3(dev, B, T, H), hs = nn_zeros4(dev, 2, B, T, H);
    nn_tensor dout = rnd(dev, &rng, 3, (int[]){B, T, H}),
              dhs = rnd(dev, &rng, 4, (int[]){2, B, T, H});
    nn_tensor dx = nn_zeros3(dev, B, T, IN), dh0 = nn_zeros3(dev, 2, B, H);
    nn_gru_seq_cache gc = {0};
    CHECK(nn_gru_seq_forward(&g, &x, &h0, &out, &hs, 1, &rng, &gc) == 0);
    CHECK(nn_gru_seq_backward(&g, &gc, &dout, &dhs, &dx, &dh0) == 0);
    keep(r, "gru.out", &out);
    keep(r, "gru.hs", &hs);
    keep(r, "gru.dx", &dx);
    keep(r, "gru.dh0", &dh0);
    /* GRU and LSTM steps */
    nn_tensor xs = nn_view2(&x, 0, B, IN), hn = nn_zeros3(dev, 2, B, H),
              cn = nn_zeros3(dev, 2, B, H);
    nn_tensor dxs = nn_zeros2(dev, B, IN), dh = rnd(dev, &rng, 3, (int[]){2, B, H});
    nn_tensor dc = rnd(dev, &rng, 3, (int[]){2, B, H});
    nn_gru_step_cache sc1 = {0};
    nn_lstm_step_cache lc = {0};
    CHECK(nn_gru_step_forward(&g, &xs, &h0, &hn, 1, &rng, &sc1) == 0);
    keep(r, "gru_step.h", &hn);
    CHECK(nn_gru_step_backward(&g, &sc1, &dh, &dxs) == 0);
    keep(r, "gru_step.dh", &dh);
    CHECK(nn_lstm_step_forward(&lstm, &xs, &h0, &h0, &hn, &cn, 1, &rng, &lc) == 0);
    keep(r, "lstm.h", &hn);
    keep(r, "lstm.c", &cn);
    CHECK(nn_lstm_step_backward(&lstm, &lc, &dh, &dc, &dxs) == 0);
    keep(r, "lstm.dh", &dh);
    keep(r, "lstm.dc", &dc);
    keep(r, "steps.dx", &dxs);
    /* Linear + log-softmax NLL + embedding + gathers */
    nn_tensor o2 = nn_view2(&out, 0, B * T, H), logits = nn_zeros2(dev, B * T, V);
    nn_tensor logp = nn_zeros2(dev, B * T, V), dlogits = nn_zeros2(dev, B * T, V);
    nn_tensor do2 = nn_zeros2(dev, B * T, H);
    int target[B * T];
    float weight[B * T];
    for (int i = 0; i < B * T; i++) {
        target[i] = (i * 5) % V;
        weight[i] = (float)(i % 4 != 0);
    }
    double loss;
    CHECK(nn_linear_forward(&lin, &o2, &logits) == 0);
    CHECK(nn_softmax_nll(&logits, target, weight, 1.0 / B, &logp, &loss, &dlogits) == 0);
    CHECK(nn_linear_backward(&lin, &o2, &dlogits, &do2) == 0);
    keep(r, "logp", &logp);
    keep_scalar(r, "nll", loss);
    keep(r, "dout2", &do2);
    CHECK(nn_cross_entropy(&logits, target, &loss, NULL) == 0);
    keep_scalar(r, "ce", loss);
    int am_idx[B * T];
    CHECK(nn_argmax_rows(&logits, am_idx) == 0);
    nn_tensor amt = nn_zeros1(NN_CPU, B * T);
    for (int i = 0; i < B * T; i++) amt.data[i] = (float)am_idx[i];
    keep(r, "argmax", &amt);
    nn_tensor_free(&amt);
    /* the beam search's fused log-softmax top-K (values and tokens) */
    float tk_score[B * T], tk_best[B * T * 2];
    int tk_idx[B * T * 2];
    for (int i = 0; i < B * T; i++) tk_score[i] = -0.5f * (float)(i % 3);
    CHECK(nn_log_softmax_topk(&logits, tk_score, 2, tk_best, tk_idx) == 0);
    nn_tensor tkv = nn_zeros1(NN_CPU, B * T * 2), tki = nn_zeros1(NN_CPU, B * T * 2);
    for (int i = 0; i < B * T * 2; i++) tkv.data[i] = tk_best[i], tki.data[i] = (float)tk_idx[i];
    keep(r, "topk.value", &tkv);
    keep(r, "topk.index", &tki);
    nn_tensor_free(&tkv);
    nn_tensor_free(&tki);
    int ids[N] = {1, 8, 1, 3};
    nn_tensor e = nn_zeros2(dev, N, IN), de = rnd(dev, &rng, 2, (int[]){N, IN});
    CHECK(nn_embedding_forward(&emb, ids, N, &e) == 0);
    CHECK(nn_embedding_backward(&emb, ids, N, &de) == 0);
    keep(r, "emb", &e);
    int bidx[N] = {2, 0, 2, 1}, tidx[N] = {6, 0, 3, 5};
    nn_tensor q = nn_zeros2(dev, N, 2 * H), dq = nn_zeros2(dev, N, Q);
    CHECK(nn_hidden_gather(&q, &hs, bidx, tidx, N, NN_HID_NLH) == 0);
    keep(r, "hidden_gather", &q);
    nn_tensor dhs2 = nn_zeros4(dev, 2, B, T, H);
    CHECK(nn_hidden_scatter_acc(&dhs2, &q, bidx, tidx, N, NN_HID_NLH) == 0);
    keep(r, "hidden_scatter", &dhs2);
    /* attention over the GRU outputs (D = H) */
    nn_tensor mask = nn_zeros2(NN_CPU, N, T), seg = nn_zeros2(NN_CPU, N, 2);
    for (int n = 0; n < N; n++)
        for (int t = 0; t < T; t++) mask.data[n * T + t] = (float)(t < T - n);
    float segs[N * 2] = {2.5f, 3.f, 4.f, 6.f, 1.f, 2.f, 5.5f, 9.f};
    memcpy(seg.data, segs, sizeof segs);
    nn_tensor maskd = nn_zeros2(dev, N, T), segd = nn_zeros2(dev, N, 2);
    nn_tensor_copy(&maskd, &mask);
    nn_tensor_copy(&segd, &seg);
    nn_tensor ctx = nn_zeros2(dev, N, D), dctx = rnd(dev, &rng, 2, (int[]){N, D});
    nn_tensor dfeats = nn_zeros3(dev, B, T, D), dmask = nn_zeros2(dev, N, T);
    nn_tensor qq = rnd(dev, &rng, 2, (int[]){N, Q});
    nn_attention *atts[3] = {&a0, &a2, &am};
    for (int k = 0; k < 3; k++) {
        nn_attention_cache ac = {0};
        char name[32];
        CHECK(nn_attention_forward(atts[k], &out, bidx, &maskd, &qq, &ctx, &ac) == 0);
        CHECK(nn_attention_backward(atts[k], &ac, &out, bidx, &maskd, &qq, &dctx, &dfeats,
                                    k == 2 ? &dmask : NULL, &dq) == 0);
        snprintf(name, sizeof name, "att%d.ctx", k);
        keep(r, name, &ctx);
        nn_attention_cache_free(&ac);
    }
    keep(r, "att.dfeats", &dfeats);
    keep(r, "att.dmask", &dmask);
    keep(r, "att.dquery", &dq);
    nn_tensor ctx3 = nn_zeros2(dev, N, 3 * D), dctx3 = rnd(dev, &rng, 2, (int[]){N, 3 * D});
    nn_tensor dseg = nn_zeros2(dev, N, 2);
    nn_softctx_cache scc = {0};
    CHECK(nn_softctx_forward(&sc, &out, bidx, &segd, &maskd, NULL, &ctx3, &scc) == 0);
    CHECK(nn_softctx_backward(&sc, &scc, &out, bidx, &segd, &maskd, NULL, &dctx3, &dfeats, &dseg,
                              NULL) == 0);
    keep(r, "clr.ctx", &ctx3);
    keep(r, "clr.dseg", &dseg);
    keep(r, "clr.dfeats", &dfeats);
    /* BatchNorm (train), MSE, L1 */
    nn_tensor y = nn_zeros2(dev, N, D), dy = nn_zeros2(dev, N, D);
    nn_batchnorm_cache bc = {0};
    CHECK(nn_batchnorm_forward(&bn, &ctx, &y, 1, &bc) == 0);
    CHECK(nn_mse(&y, &dctx, 0.5, &loss, &dy) == 0);
    keep_scalar(r, "mse", loss);
    CHECK(nn_l1(&y, &dctx, 0.5, &loss, &dy) == 0);
    keep_scalar(r, "l1", loss);
    nn_tensor dbn = nn_zeros2(dev, N, D);
    CHECK(nn_batchnorm_backward(&bn, &bc, &dy, &dbn) == 0);
    keep(r, "bn.y", &y);
    keep(r, "bn.dx", &dbn);
    keep_scalar(r, "sum", nn_sum(&hs));
    /* optimisers and clipping over everything */
    keep_grads(r, &ps);
    keep_scalar(r, "clip", nn_clip_grad_norm(&ps, 1.0));
    nn_optim sgd, adam;
    nn_params half1, half2;
    nn_params_init_view(&half1);
    nn_params_init_view(&half2);
    nn_params_select(&half1, &ps, "gru");
    nn_params_select(&half2, &ps, "lstm");
    nn_sgd_init(&sgd, 0.8, 1e-4);
    nn_optim_add_group(&sgd, &half1, 0.1);
    nn_adam_init(&adam, 0.9, 0.999, 1e-8, 1e-4);
    nn_optim_add_group(&adam, &half2, 0.01);
    for (int s = 0; s < 2; s++) {
        nn_optim_step(&sgd);
        nn_optim_step(&adam);
    }
    keep_grads(r, &ps);

    nn_optim_free(&sgd);
    nn_optim_free(&adam);
    nn_params_free(&half1);
    nn_params_free(&half2);
    nn_gru_seq_cache_free(&gc);
    nn_gru_step_cache_free(&sc1);
    nn_lstm_step_cache_free(&lc);
    nn_softctx_cache_free(&scc);
    nn_batchnorm_cache_free(&bc);
    nn_tensor *ts[] = {&x,   &h0,   &out,   &hs,     &dout,  &dhs,     &dx,  &dh0,  &hn,     &cn,
                       &dxs, &dh,   &dc,    &logits, &logp,  &dlogits, &do2, &e,    &de,     &q,
                       &dq,  &dhs2, &mask,  &seg,    &maskd, &segd,    &ctx, &dctx, &dfeats, &dmask,
                       &qq,  &ctx3, &dctx3, &dseg,   &y,     &dy,      &dbn};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_params_free(&ps);
}

static void test_cuda_matches_cpu(void) {
    if (!nn_device_available(NN_CUDA)) TEST_SKIP("no CUDA device: %s", wsd_error());
    static results cpu, gpu;
    workload(NN_CPU, &cpu);
    workload(NN_CUDA, &gpu);
    CHECK(cpu.n == gpu.n);
    double worst = 0;
    for (int i = 0; i < cpu.n && i < gpu.n; i++) {
        CHECK(cpu.items[i].n == gpu.items[i].n);
        double w = 0;
        for (size_t k = 0; k < cpu.items[i].n; k++) {
            double a = cpu.items[i].data[k], b = gpu.items[i].data[k];
            double e = fabs(a - b) / (1e-3 + fabs(a));
            if (!(e <= w)) w = e;
        }
        CHECK_MSG(w <= 1e-3, "%s: CPU and CUDA differ (relative %g)", cpu.items[i].name, w);
        if (w > worst) worst = w;
        free(cpu.items[i].data);
        free(gpu.items[i].data);
    }
    fprintf(stderr, "  %d CPU/CUDA comparisons, worst relative difference %.3g\n", cpu.n, worst);
}

int main(void) {
    TEST_RUN(test_cuda_matches_cpu);
    return test_finish();
}
