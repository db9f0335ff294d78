/* Caption generator against the PyTorch goldens of testdata/torch/cg_ref.py
 * (teacher-forced log-probs, argmax, loss, every parameter gradient,
 * d loss/d seg, beam search, greedy decoding) and finite differences of
 * d loss/d seg and of parameters with dropout on. */
#include "wsd/model_cg.h"
#include "wsd/ckpt.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testing/nn_testutil.h"
#include "testing/golden.h"
#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

#define TOL 1e-5

static double worst;

static void expect(const char *what, const float *got, const float *want, size_t n) {
    CHECK_MSG(want != NULL, "%s missing", what);
    if (!want) return;
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (!(d <= m)) m = d;
    }
    if (m > worst) worst = m;
    CHECK_MSG(m <= TOL, "%s: max |diff| %.3g", what, m);
}

/* The golden's batch: B=2 videos (T=7, F=6), N=3 sentences (L=5). */
static void golden_batch(const golden *g, wsd_batch *b) {
    const wsd_tsr *video = golden_get(g, "in/video"), *cap = golden_get(g, "in/caption");
    int B = (int)video->shape[0], T = (int)video->shape[1], F = (int)video->shape[2];
    int N = (int)cap->shape[0], L = (int)cap->shape[1];
    wsd_batch_init(b);
    b->B = B, b->T = T, b->F = F, b->N = N, b->L = L;
    b->video = wsd_malloc(sizeof(float) * B * T * F);
    memcpy(b->video, video->data, sizeof(float) * B * T * F);
    b->video_len = wsd_malloc(sizeof(float) * 2 * B);
    memcpy(b->video_len, golden_f32(g, "in/video_len"), sizeof(float) * 2 * B);
    b->video_mask = wsd_malloc(sizeof(float) * B * T);
    memcpy(b->video_mask, golden_f32(g, "in/video_mask"), sizeof(float) * B * T);
    b->caption = wsd_malloc(sizeof(int) * N * L);
    b->caption_mask = wsd_malloc(sizeof(float) * N * L);
    b->caption_len = wsd_calloc(N, sizeof(int));
    const int64_t *c = cap->data;
    const float *cm = golden_f32(g, "in/caption_mask");
    for (int i = 0; i < N * L; i++) {
        b->caption[i] = (int)c[i];
        b->caption_mask[i] = cm[i];
        b->caption_len[i / L] += cm[i] > 0;
    }
    b->gather = wsd_malloc(sizeof(int) * N);
    const int64_t *ga = golden_i64(g, "in/gather");
    for (int n = 0; n < N; n++) b->gather[n] = (int)ga[n];
}

static void golden_model(wsd_cg *cg, const golden *g, float dropout) {
    wsd_cg_config cfg;
    wsd_cg_config_default(&cfg);
    cfg.feat_dim = 6, cfg.hidden = 8, cfg.embed = 8, cfg.vocab = 12, cfg.dropout = dropout;
    CHECK(wsd_cg_init(cg, &cfg, 1, NN_CPU) == 0);
    nn_params *ps = &cg->params;
    int found = 0;
    for (int i = 0; i < g->n; i++) {
        if (strncmp(g->t[i].key, "param/", 6)) continue;
        nn_param *p = nn_params_find(ps, g->t[i].key + 6);
        CHECK_MSG(p != NULL, "model lacks %s", g->t[i].key + 6);
        if (!p) continue;
        CHECK_MSG(p->value.size == wsd_tsr_numel(&g->t[i]), "%s size", g->t[i].key);
        nn_tensor_from_host(&p->value, g->t[i].data, p->value.size);
        found++;
    }
    CHECK_MSG(found == ps->n, "golden has %d parameters, model %d", found, ps->n);
}

/* cg_ref.tsr, its batch and its model (no dropout); -1 without the golden. */
static int golden_open(golden *g, wsd_batch *b, wsd_cg *cg) {
    if (golden_load(g, "cg_ref.tsr")) return -1;
    golden_batch(g, b);
    golden_model(cg, g, 0.0f);
    return 0;
}

static void teacher_forcing_matches_pytorch(void) {
    golden g;
    wsd_batch b;
    wsd_cg cg;
    wsd_cg_run run = {0};
    if (golden_open(&g, &b, &cg)) TEST_SKIP("no golden cg_ref.tsr");
    cg.training = 1;
    int N = b.N, L = b.L, V = 12;
    nn_tensor seg = nn_zeros2(NN_CPU, N, 2), dseg = nn_zeros2(NN_CPU, N, 2);
    nn_tensor_from_host(&seg, golden_f32(&g, "in/seg"), (size_t)2 * N);
    double loss = 0;
    int pred[15];
    CHECK(wsd_cg_forward(&cg, &run, &b, &seg, 1, &loss, pred) == 0);
    float want_loss = golden_f32(&g, "out/loss")[0], got_loss = (float)loss;
    expect("loss", &got_loss, &want_loss, 1);
    /* the positions up to each sentence's end; past it the decoder is not
     * run (zeros, <eos>) where the reference computes values it masks out */
    float *logp = wsd_malloc(sizeof(float) * N * L * V);
    CHECK(wsd_cg_logp_to_host(&cg, &run, logp) == 0);
    const float *wl = golden_f32(&g, "out/logp");
    const int64_t *wp = golden_i64(&g, "out/pred");
    int padded = 0;
    for (int n = 0; n < N; n++)
        for (int t = 0; t < L; t++) {
            size_t i = (size_t)n * L + t;
            if (t >= b.caption_len[n]) {
                padded++;
                CHECK(pred[i] == WSD_EOS && logp[i * V] == 0);
                continue;
            }
            expect("logp", logp + i * V, wl + i * V, (size_t)V);
            CHECK_MSG(pred[i] == wp[i], "pred[%zu] %d vs %d", i, pred[i], (int)wp[i]);
        }
    CHECK_MSG(padded > 0, "the golden's sentences should have padding");
    CHECK(wsd_cg_backward(&cg, &run, 1.0f, &dseg) == 0);
    expect("dseg", dseg.data, golden_f32(&g, "out/dseg"), (size_t)2 * N);
    nn_params *ps = &cg.params;
    for (int i = 0; i < ps->n; i++) {
        char key[256];
        snprintf(key, sizeof key, "grad/%s", ps->items[i]->name);
        CHECK_MSG(ps->items[i]->has_grad, "%s has no gradient", ps->items[i]->name);
        expect(key, ps->items[i]->grad.data, golden_f32(&g, key), ps->items[i]->grad.size);
    }
    fprintf(stderr, "  teacher forcing: max |diff| vs PyTorch %.3g\n", worst);
    free(logp);
    nn_tensor_free(&seg);
    nn_tensor_free(&dseg);
    wsd_cg_run_free(&run);
    wsd_cg_free(&cg);
    wsd_batch_free(&b);
    golden_free(&g);
}

static void decoding_matches_pytorch(void) {
    golden g;
    wsd_batch b;
    wsd_cg cg;
    wsd_cg_run run = {0};
    if (golden_open(&g, &b, &cg)) TEST_SKIP("no golden cg_ref.tsr");
    const wsd_tsr *bs = golden_get(&g, "in/beam_seg");
    int M = (int)bs->shape[0], max_len = 6, W = max_len + 2;
    int gather[8], ids[64], len[8];
    const int64_t *bg = golden_i64(&g, "in/beam_gather");
    for (int i = 0; i < M; i++) gather[i] = (int)bg[i];
    const char *kinds[2] = {"beam", "greedy"};
    for (int k = 0; k < 2; k++) {
        /* chunk 3 splits the 4 segments, exercising the chunked path */
        CHECK(wsd_cg_decode(&cg, &run, &b, bs->data, gather, M, k == 0 ? 3 : 1, max_len, 3, ids,
                            len) == 0);
        char key[64];
        snprintf(key, sizeof key, "%s/ids", kinds[k]);
        const int64_t *wi = golden_i64(&g, key);
        snprintf(key, sizeof key, "%s/len", kinds[k]);
        const int64_t *wl = golden_i64(&g, key);
        for (int i = 0; i < M; i++) {
            CHECK_MSG(len[i] == wl[i], "%s len[%d] %d vs %d", kinds[k], i, len[i], (int)wl[i]);
            for (int t = 0; t < W; t++)
                CHECK_MSG(ids[i * W + t] == wi[i * W + t], "%s ids[%d][%d] %d vs %d", kinds[k], i,
                          t, ids[i * W + t], (int)wi[i * W + t]);
        }
    }
    wsd_cg_run_free(&run);
    wsd_cg_free(&cg);
    wsd_batch_free(&b);
    golden_free(&g);
}

/* ---- finite differences ---- */

typedef struct {
    wsd_cg *cg;
    wsd_cg_run *run;
    wsd_batch *b;
    nn_tensor *seg;
} fd_ctx;

static double fd_loss(void *p) {
    fd_ctx *c = p;
    double loss = 0;
    wsd_rng_seed(&c->cg->rng, 99); /* the same dropout masks at every evaluation */
    if (wsd_cg_forward(c->cg, c->run, c->b, c->seg, 0, &loss, NULL)) return NAN;
    return loss;
}

static void random_batch(wsd_batch *b, int F, int V, wsd_rng *rng) {
    int B = 2, T = 9, N = 3, L = 6;
    wsd_batch_init(b);
    b->B = B, b->T = T, b->F = F, b->N = N, b->L = L;
    b->video = wsd_calloc((size_t)B * T * F, sizeof(float));
    b->video_mask = wsd_calloc((size_t)B * T, sizeof(float));
    b->video_len = wsd_malloc(sizeof(float) * 2 * B);
    int tl[2] = {9, 6};
    for (int v = 0; v < B; v++) {
        b->video_len[2 * v] = (float)tl[v];
        b->video_len[2 * v + 1] = 20.0f;
        for (int t = 0; t < tl[v]; t++) {
            b->video_mask[v * T + t] = 1;
            for (int f = 0; f < F; f++)
                b->video[((size_t)v * T + t) * F + f] = wsd_rng_range(rng, -1, 1);
        }
    }
    b->caption = wsd_malloc(sizeof(int) * N * L);
    b->caption_mask = wsd_malloc(sizeof(float) * N * L);
    b->caption_len = wsd_malloc(sizeof(int) * N);
    b->gather = wsd_malloc(sizeof(int) * N);
    int cl[3] = {6, 4, 5}, ga[3] = {0, 1, 1};
    for (int n = 0; n < N; n++) {
        b->caption_len[n] = cl[n];
        b->gather[n] = ga[n];
        for (int t = 0; t < L; t++) {
            int id = t == 0           ? WSD_BOS
                     : t >= cl[n] - 1 ? WSD_EOS
                                      : 2 + (int)wsd_rng_below(rng, V - 2);
            b->caption[n * L + t] = id;
            b->caption_mask[n * L + t] = t < cl[n];
        }
    }
}

/* d loss/d seg and parameter gradients by central differences, with dropout
 * on, for both the residual Linear (F != H) and the identity (F == H). */
static void gradients_match_finite_differences(void) {
    for (int identity = 0; identity < 2; identity++) {
        wsd_cg_config cfg;
        wsd_cg_config_default(&cfg);
        cfg.feat_dim = identity ? 8 : 5, cfg.hidden = 8, cfg.embed = 6, cfg.vocab = 10;
        wsd_cg cg;
        wsd_cg_run run = {0};
        CHECK(wsd_cg_init(&cg, &cfg, 7 + identity, NN_CPU) == 0);
        wsd_rng rng;
        wsd_rng_seed(&rng, 3);
        wsd_batch b;
        random_batch(&b, cfg.feat_dim, cfg.vocab, &rng);
        nn_tensor seg = nn_zeros2(NN_CPU, 3, 2), dseg = nn_zeros2(NN_CPU, 3, 2);
        float s[6] = {0.35f, 0.3f, 0.55f, 0.5f, 0.3f, 0.25f};
        nn_tensor_from_host(&seg, s, 6);
        cg.training = 1;
        wsd_rng_seed(&cg.rng, 99);
        double loss;
        CHECK(wsd_cg_forward(&cg, &run, &b, &seg, 1, &loss, NULL) == 0);
        CHECK(wsd_cg_backward(&cg, &run, 1.0f, &dseg) == 0);
        fd_ctx c = {&cg, &run, &b, &seg};
        CHECK_MSG(tu_fd_check("dseg", &seg, &dseg, fd_loss, &c, 6, 1e-2, 1e-4, 2e-2) <= 1.0,
                  "d loss/d seg (identity %d)", identity);
        nn_params *ps = &cg.params;
        for (int i = 0; i < ps->n; i++) {
            nn_param *p = ps->items[i];
            CHECK_MSG(tu_fd_check(p->name, &p->value, &p->grad, fd_loss, &c, 6, 1e-2, 1e-3, 2e-2) <=
                          1.0,
                      "%s (identity %d)", p->name, identity);
        }
        nn_tensor_free(&seg);
        nn_tensor_free(&dseg);
        wsd_batch_free(&b);
        wsd_cg_run_free(&run);
        wsd_cg_free(&cg);
    }
}

static void names_equal_reference_state_dict(void) {
    wsd_cg_config cfg;
    wsd_cg_config_default(&cfg);
    cfg.feat_dim = 6, cfg.hidden = 4, cfg.embed = 4, cfg.vocab = 5;
    wsd_cg cg;
    CHECK(wsd_cg_init(&cg, &cfg, 1, NN_CPU) == 0);
    const char *want[] = {
        "video_encoder.rnn_cell.weight_ih_l0", "video_encoder.rnn_cell.weight_hh_l0",
        "video_encoder.rnn_cell.bias_ih_l0",   "video_encoder.rnn_cell.bias_hh_l0",
        "video_encoder.rnn_cell.weight_ih_l1", "video_encoder.rnn_cell.weight_hh_l1",
        "video_encoder.rnn_cell.bias_ih_l1",   "video_encoder.rnn_cell.bias_hh_l1",
        "video_encoder.linear.weight",         "decoder.rnn_cell.weight_ih_l0",
        "decoder.rnn_cell.weight_hh_l0",       "decoder.rnn_cell.bias_ih_l0",
        "decoder.rnn_cell.bias_hh_l0",         "decoder.rnn_cell.weight_ih_l1",
        "decoder.rnn_cell.weight_hh_l1",       "decoder.rnn_cell.bias_ih_l1",
        "decoder.rnn_cell.bias_hh_l1",         "decoder.embedding.weight",
        "decoder.output_layer.weight",         "decoder.output_layer.bias"};
    nn_params *ps = &cg.params;
    CHECK(ps->n == 20);
    for (int i = 0; i < 20 && i < ps->n; i++)
        CHECK_MSG(!strcmp(ps->items[i]->name, want[i]), "%s vs %s", ps->items[i]->name, want[i]);
    nn_param *p = nn_params_find(ps, "decoder.rnn_cell.weight_ih_l0");
    CHECK(p && p->value.shape[0] == 12 && p->value.shape[1] == 4 + 12);
    wsd_cg_free(&cg);
}

static void config_json_roundtrip(void) {
    wsd_cg_config a, b;
    wsd_cg_config_default(&a);
    a.hidden = 64, a.vocab = 77, a.max_cap_length = 9;
    cJSON *j = wsd_cg_config_to_json(&a);
    cJSON *wrap = cJSON_CreateObject();
    cJSON_AddItemToObject(wrap, "model_cg", j);
    wsd_cg_config_default(&b);
    CHECK(wsd_cg_config_from_json(wrap, &b) == 0);
    CHECK(b.hidden == 64 && b.vocab == 77 && b.max_cap_length == 9 && b.context == NN_CTX_CLR);
    cJSON_Delete(wrap);
}

static void checkpoint_roundtrip(void) {
    wsd_cg_config cfg;
    wsd_cg_config_default(&cfg);
    cfg.feat_dim = 5, cfg.hidden = 4, cfg.embed = 3, cfg.vocab = 7;
    wsd_cg a, b;
    CHECK(wsd_cg_init(&a, &cfg, 11, NN_CPU) == 0);
    char path[] = "/tmp/wsd_cg_ckptXXXXXX";
    int fd = mkstemp(path);
    close(fd);
    cJSON *j = wsd_cg_config_to_json(&cfg);
    char *json = cJSON_PrintUnformatted(j);
    const nn_params *models[1] = {&a.params};
    nn_ckpt_contents c = {.models = models, .n_models = 1, .config_json = json};
    CHECK(nn_ckpt_save(path, &c) == 0);
    nn_ckpt *ck = nn_ckpt_open(path);
    int loaded = ck && wsd_cg_load(&b, ck, NN_CPU) == 0;
    CHECK_MSG(loaded, "%s", wsd_error());
    nn_ckpt_close(ck);
    if (loaded) {
        nn_params *pa = &a.params, *pb = &b.params;
        CHECK(pa->n == pb->n);
        for (int i = 0; i < pa->n && i < pb->n; i++)
            expect(pa->items[i]->name, pb->items[i]->value.data, pa->items[i]->value.data,
                   pa->items[i]->value.size);
        CHECK(b.cfg.embed == 3);
        wsd_cg_free(&b);
    }
    unlink(path);
    free(json);
    cJSON_Delete(j);
    wsd_cg_free(&a);
}

/* A checkpoint whose config asks for absurd sizes is refused before any
 * allocation (it used to end in an out-of-memory exit 2). */
static void absurd_config_is_refused_before_allocating(void) {
    wsd_cg_config cfg;
    wsd_cg_config_default(&cfg);
    cfg.feat_dim = 5, cfg.hidden = 4, cfg.embed = 3, cfg.vocab = 7;
    wsd_cg a, b;
    CHECK(wsd_cg_init(&a, &cfg, 11, NN_CPU) == 0);
    const nn_params *models[1] = {&a.params};
    const char *bad[] = {
        "{\"hidden_dim\": 1000000000}", "{\"vocab_size\": 100000000, \"embed_dim\": 100000}",
        "{\"feat_dim\": 2000000000}", "{\"max_cap_length\": 100000000}", "{\"rnn_layer\": 0}"};
    for (int i = 0; i < 5; i++) {
        char path[] = "/tmp/wsd_cg_ckptXXXXXX";
        close(mkstemp(path));
        cJSON *j = wsd_cg_config_to_json(&cfg), *patch = cJSON_Parse(bad[i]);
        for (cJSON *m = patch->child; m; m = m->next)
            cJSON_ReplaceItemInObject(j, m->string, cJSON_CreateNumber(m->valuedouble));
        char *json = cJSON_PrintUnformatted(j);
        nn_ckpt_contents c = {.models = models, .n_models = 1, .config_json = json};
        CHECK(nn_ckpt_save(path, &c) == 0);
        nn_ckpt *ck = nn_ckpt_open(path);
        int loaded = ck && wsd_cg_load(&b, ck, NN_CPU) == 0;
        nn_ckpt_close(ck);
        CHECK_MSG(!loaded && strstr(wsd_error(), path) &&
                      (strstr(wsd_error(), "does not fit") || strstr(wsd_error(), "out of range")),
                  "%s: %s", bad[i], wsd_error());
        if (loaded) wsd_cg_free(&b);
        unlink(path);
        free(json);
        cJSON_Delete(j);
        cJSON_Delete(patch);
    }
    wsd_cg_free(&a);
}

int main(void) {
    TEST_RUN(absurd_config_is_refused_before_allocating);
    TEST_RUN(names_equal_reference_state_dict);
    TEST_RUN(config_json_roundtrip);
    TEST_RUN(teacher_forcing_matches_pytorch);
    TEST_RUN(decoding_matches_pytorch);
    TEST_RUN(gradients_match_finite_differences);
    TEST_RUN(checkpoint_roundtrip);
    fprintf(stderr, "  max |diff| vs PyTorch over all compared values: %.3g\n", worst);
    return test_finish();
}
