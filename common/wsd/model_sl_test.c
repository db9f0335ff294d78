/* Sentence localizer against the PyTorch goldens of testdata/torch/sl_ref.py
 * (forward paths in eval and train mode, BatchNorm running statistics, every
 * parameter gradient of three losses) and finite differences with dropout. */
#include "wsd/model_sl.h"
#include "wsd/ckpt.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testing/golden.h"
#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

#define TOL 1e-5

/* Max |a − b| over n floats. */
static double maxdiff(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (!(d <= m)) m = d;
    }
    return m;
}

static double worst; /* largest deviation over every compared value */

/* Deviation relative to the tensor's scale when that exceeds 1 (float32
 * sums of O(10) terms carry about 1e-6 relative error). */
static void expect(const char *what, const float *got, const float *want, size_t n) {
    CHECK_MSG(want != NULL, "%s missing", what);
    if (!want) return;
    double scale = 1;
    for (size_t i = 0; i < n; i++)
        if (fabs(want[i]) > scale) scale = fabs(want[i]);
    double d = maxdiff(got, want, n) / scale;
    if (d > worst) worst = d;
    CHECK_MSG(d <= TOL, "%s: max |diff| %.3g (scale %.3g)", what, d, scale);
    if (getenv("SL_TEST_DUMP")) fprintf(stderr, "    %-60s %.3g\n", what, d);
    if (getenv("SL_TEST_DUMP") && getenv("SL_TEST_DUMP")[0] == '2' && d > TOL)
        for (size_t i = 0; i < n; i++) fprintf(stderr, "    [%zu] %.8g %.8g\n", i, got[i], want[i]);
}

typedef struct {
    wsd_batch b;
    int ids[64], len[8], gather[8];
    float video[2 * 7 * 6], vlen[4], vmask[14], smask[40], ts[16];
} fixture;

static void fixture_make(fixture *x, const golden *g) {
    memset(x, 0, sizeof *x);
    const wsd_tsr *video = golden_get(g, "in/video"), *sent = golden_get(g, "in/sent");
    wsd_batch *b = &x->b;
    b->B = (int)video->shape[0], b->T = (int)video->shape[1], b->F = (int)video->shape[2];
    b->N = (int)sent->shape[0], b->L = (int)sent->shape[1];
    memcpy(x->video, video->data, video->nbytes);
    memcpy(x->vlen, golden_f32(g, "in/video_len"), sizeof(float) * 2 * b->B);
    memcpy(x->vmask, golden_f32(g, "in/video_mask"), sizeof(float) * b->B * b->T);
    memcpy(x->smask, golden_f32(g, "in/sent_mask"), sizeof(float) * b->N * b->L);
    memcpy(x->ts, golden_f32(g, "in/ts_seconds"), sizeof(float) * 2 * b->N);
    const int64_t *ids = sent->data, *len = golden_get(g, "in/sent_len")->data,
                  *ga = golden_get(g, "in/gather")->data;
    for (int i = 0; i < b->N * b->L; i++) x->ids[i] = (int)ids[i];
    for (int n = 0; n < b->N; n++) x->len[n] = (int)len[n], x->gather[n] = (int)ga[n];
    b->video = x->video, b->video_len = x->vlen, b->video_mask = x->vmask;
    b->caption = x->ids, b->caption_len = x->len, b->caption_mask = x->smask;
    b->gather = x->gather, b->ts_seconds = x->ts;
}

static void tiny_config(wsd_sl_config *c, int regress_only) {
    wsd_sl_config_default(c);
    c->feat_dim = 6, c->hidden = 8, c->embed = 8, c->vocab = 12;
    c->rnn_dropout = 0, c->fc_dropout = 0;
    c->regress_only = regress_only;
}

static void load_params(wsd_sl *sl, const golden *g) {
    char key[256];
    for (int i = 0; i < sl->params.n; i++) {
        nn_param *p = sl->params.items[i];
        snprintf(key, sizeof key, "param/%s", p->name);
        const wsd_tsr *t = golden_get(g, key);
        CHECK(t && wsd_tsr_numel(t) == p->value.size);
        if (t && wsd_tsr_numel(t) == p->value.size)
            nn_tensor_from_host(&p->value, t->data, p->value.size);
    }
    nn_params_drop_grad(&sl->params);
}

static void expect_grads(wsd_sl *sl, const golden *g, const char *tag) {
    char key[256];
    for (int i = 0; i < sl->params.n; i++) {
        nn_param *p = sl->params.items[i];
        if (p->is_buffer) continue;
        snprintf(key, sizeof key, "grad_%s/%s", tag, p->name);
        float *got = wsd_calloc(p->value.size, sizeof *got);
        if (p->has_grad) nn_tensor_to_host(&p->grad, got, p->value.size);
        expect(key, got, golden_f32(g, key), p->value.size);
        free(got);
    }
}

static void expect_running(wsd_sl *sl, const golden *g) {
    char key[256];
    for (int i = 0; i < sl->params.n; i++) {
        nn_param *p = sl->params.items[i];
        if (!p->is_buffer) continue;
        snprintf(key, sizeof key, "bn_after/%s", p->name);
        float *got = wsd_malloc(sizeof *got * p->value.size);
        nn_tensor_to_host(&p->value, got, p->value.size);
        expect(key, got, golden_f32(g, key), p->value.size);
        free(got);
    }
}

static void paths(wsd_sl *sl, wsd_sl_run *run, const wsd_batch *b, const golden *g,
                  const char *mode) {
    int N = b->N, R = sl->cfg.regress_only ? 2 : 30;
    float sec[16], cw[16], diff[16];
    char key[64];
    if (!sl->cfg.regress_only) {
        snprintf(key, sizeof key, "%s/score", mode);
        expect(key, run->score_h, golden_f32(g, key), (size_t)N * 15);
    }
    snprintf(key, sizeof key, "%s/refining", mode);
    expect(key, run->r_h, golden_f32(g, key), (size_t)N * R);
    wsd_sl_test_seconds(sl, run, b, sec);
    wsd_sl_eval_cw(sl, run, cw);
    wsd_sl_diff(sl, run, diff);
    snprintf(key, sizeof key, "%s/diff", mode);
    expect(key, diff, golden_f32(g, key), (size_t)N * 2);
    if (strcmp(mode, "eval") == 0) {
        expect("eval/seconds", sec, golden_f32(g, "eval/seconds"), (size_t)N * 2);
        expect("eval/eval_cw", cw, golden_f32(g, "eval/eval_cw"), (size_t)N * 2);
    }
}

static void run_golden(const char *file, int regress_only) {
    golden g;
    if (golden_load(&g, file) != 0) {
        CHECK_MSG(0, "%s", wsd_error());
        return;
    }
    fixture x;
    fixture_make(&x, &g);
    wsd_sl_config cfg;
    tiny_config(&cfg, regress_only);
    wsd_sl sl;
    CHECK(wsd_sl_init(&sl, &cfg, 1, NN_CPU) == 0);
    wsd_sl_run run = {0};
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    int N = x.b.N, R = regress_only ? 2 : 30;
    float d_r[96], d_score[64];
    double loss;

    load_params(&sl, &g);
    CHECK(wsd_sl_forward(&sl, &run, &x.b, NULL, 0, &rng) == 0);
    paths(&sl, &run, &x.b, &g, "eval");

    /* diff path: loss = Σ diff_weight ⊙ forward_diff */
    load_params(&sl, &g);
    CHECK(wsd_sl_forward(&sl, &run, &x.b, NULL, 1, &rng) == 0);
    paths(&sl, &run, &x.b, &g, "train");
    expect_running(&sl, &g);
    float diff[16];
    wsd_sl_diff(&sl, &run, diff);
    const float *w = golden_f32(&g, "in/diff_weight");
    double l = 0;
    for (int i = 0; i < 2 * N; i++) l += (double)w[i] * diff[i];
    float lf = (float)l;
    expect("loss/diff", &lf, golden_f32(&g, "loss/diff"), 1);
    wsd_sl_diff_grad(&sl, &run, w, d_r);
    CHECK(wsd_sl_backward(&sl, &run, NULL, d_r) == 0);
    expect_grads(&sl, &g, "diff");
    if (!regress_only) {
        /* the predictor gets no gradient from the diff path: still absent */
        CHECK(!nn_params_find(&sl.params, "predictor.weight")->has_grad);

        load_params(&sl, &g);
        CHECK(wsd_sl_forward(&sl, &run, &x.b, NULL, 1, &rng) == 0);
        CHECK(wsd_sl_sup_loss(&sl, &run, &x.b, 0.1f, &loss, d_score, d_r) == 0);
        lf = (float)loss;
        expect("loss/sup", &lf, golden_f32(&g, "loss/sup"), 1);
        CHECK(wsd_sl_backward(&sl, &run, d_score, d_r) == 0);
        expect_grads(&sl, &g, "sup");

        /* the classification loss alone leaves the refiner's gradient absent */
        load_params(&sl, &g);
        CHECK(wsd_sl_forward(&sl, &run, &x.b, NULL, 1, &rng) == 0);
        const int64_t *lab = golden_get(&g, "in/label")->data;
        int labels[8];
        for (int n = 0; n < N; n++) labels[n] = (int)lab[n];
        CHECK(wsd_sl_ce(&run, labels, &loss, d_score) == 0);
        CHECK(wsd_sl_backward(&sl, &run, d_score, NULL) == 0);
        CHECK(!nn_params_find(&sl.params, "refiner.weight")->has_grad);
        CHECK(nn_params_find(&sl.params, "predictor.weight")->has_grad);
    }
    (void)R;
    fprintf(stderr, "  %s: largest deviation from the PyTorch golden %.3g\n", file, worst);
    wsd_sl_run_free(&run);
    wsd_sl_free(&sl);
    golden_free(&g);
}

static void test_anchor_golden(void) { run_golden("sl_anchor.tsr", 0); }
static void test_regress_golden(void) { run_golden("sl_regress.tsr", 1); }

/* Loss of the finite-difference check: Σ w ⊙ diff + CE(score, labels), with
 * dropout on and the generator re-seeded so every evaluation draws the same
 * masks. */
static double fd_loss(wsd_sl *sl, wsd_sl_run *run, const wsd_batch *b, int backward, int *k) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 99);
    static const float w[6] = {0.7f, -1.3f, 0.4f, 0.9f, -0.6f, 1.1f};
    static const int labels[3] = {2, 9, 14};
    if (wsd_sl_forward(sl, run, b, NULL, 1, &rng) != 0) return NAN;
    float diff[6], d_r[90], d_score[45];
    wsd_sl_diff(sl, run, diff);
    memcpy(k, run->k, sizeof *k * 3);
    double l = 0, ce;
    for (int i = 0; i < 6; i++) l += (double)w[i] * diff[i];
    wsd_sl_ce(run, labels, &ce, d_score);
    if (backward) {
        wsd_sl_diff_grad(sl, run, w, d_r);
        wsd_sl_backward(sl, run, d_score, d_r);
    }
    return l + ce;
}

/* The anchor golden's model and batch, with dropout in the GRUs and the
 * combiner (training-mode tests); -1 (reported) when the golden is missing. */
static int dropout_setup(golden *g, fixture *x, wsd_sl_config *cfg, wsd_sl *sl) {
    if (golden_load(g, "sl_anchor.tsr") != 0) {
        CHECK_MSG(0, "%s", wsd_error());
        return -1;
    }
    fixture_make(x, g);
    tiny_config(cfg, 0);
    cfg->rnn_dropout = 0.3f, cfg->fc_dropout = 0.3f;
    CHECK(wsd_sl_init(sl, cfg, 5, NN_CPU) == 0);
    load_params(sl, g);
    return 0;
}

static void test_finite_differences(void) {
    golden g;
    fixture x;
    wsd_sl_config cfg;
    wsd_sl sl;
    if (dropout_setup(&g, &x, &cfg, &sl)) return;
    wsd_sl_run run = {0};
    /* BN running statistics move on every training forward; they do not
     * affect training-mode outputs, so repeated evaluations stay comparable. */
    int k0[3], kp[3], km[3];
    fd_loss(&sl, &run, &x.b, 1, k0);
    int checked = 0, bad = 0;
    for (int i = 0; i < sl.params.n; i++) {
        nn_param *p = sl.params.items[i];
        if (p->is_buffer || !p->has_grad) continue;
        float *val = wsd_malloc(sizeof *val * p->value.size),
              *grad = wsd_malloc(sizeof *grad * p->value.size);
        nn_tensor_to_host(&p->value, val, p->value.size);
        nn_tensor_to_host(&p->grad, grad, p->value.size);
        for (size_t j = 0; j < p->value.size; j += 1 + p->value.size / 4) {
            /* ReLU kinks and BatchNorm over 3 rows make single step sizes
             * unreliable: a check passes when any of three steps agrees. */
            static const float hs[3] = {1e-3f, 2e-3f, 5e-3f};
            int ok = 0, skip = 0;
            double num = 0;
            float orig = val[j];
            for (int s = 0; s < 3 && !ok && !skip; s++) {
                val[j] = orig + hs[s];
                nn_tensor_from_host(&p->value, val, p->value.size);
                double lp = fd_loss(&sl, &run, &x.b, 0, kp);
                val[j] = orig - hs[s];
                nn_tensor_from_host(&p->value, val, p->value.size);
                double lm = fd_loss(&sl, &run, &x.b, 0, km);
                val[j] = orig;
                nn_tensor_from_host(&p->value, val, p->value.size);
                num = (lp - lm) / (2 * hs[s]);
                /* the anchor argmax is not differentiable: skip a flip */
                if (memcmp(kp, k0, sizeof k0) || memcmp(km, k0, sizeof k0)) skip = 1;
                ok = fabs(num - grad[j]) <= 2e-3 + 5e-2 * fabs(num);
            }
            if (skip) continue;
            checked++;
            if (!ok) {
                bad++;
                fprintf(stderr, "  fd %s[%zu]: analytic %.6g numeric %.6g\n", p->name, j, grad[j],
                        num);
            }
        }
        free(val);
        free(grad);
    }
    CHECK(checked > 50);
    CHECK_MSG(bad == 0, "%d of %d finite-difference checks off", bad, checked);
    wsd_sl_run_free(&run);
    wsd_sl_free(&sl);
    golden_free(&g);
}

/* every gradient of the model on the host (NULL where a parameter has none) */
static float **grads_to_host(const wsd_sl *sl) {
    float **grads = wsd_calloc((size_t)sl->params.n, sizeof *grads);
    for (int i = 0; i < sl->params.n; i++) {
        nn_param *p = sl->params.items[i];
        if (p->is_buffer || !p->has_grad) continue;
        grads[i] = wsd_malloc(sizeof(float) * p->grad.size);
        nn_tensor_to_host(&p->grad, grads[i], p->grad.size);
    }
    return grads;
}
static void free_grads(float **grads, int n) {
    for (int i = 0; i < n; i++) free(grads[i]);
    free(grads);
}

/* The cycle's second pass with the video encoder's first layer reused: the
 * same outputs, random draws and gradients, bit for bit, as a full forward
 * with other sentences; an eval-mode first pass is refused. */
static void test_same_video(void) {
    golden g;
    fixture x;
    wsd_sl_config cfg;
    wsd_sl sl;
    if (dropout_setup(&g, &x, &cfg, &sl)) return;
    int n_ids = x.b.N * x.b.L, ids[64];
    for (int i = 0; i < n_ids; i++)
        ids[i] = (x.b.caption[i] * 7 + 3) % cfg.vocab; /* other sentences */
    wsd_sl_run first = {0}, full = {0}, reuse = {0};
    wsd_rng r0, r1, r2;
    wsd_rng_seed(&r0, 11);
    CHECK(wsd_sl_forward(&sl, &first, &x.b, NULL, 1, &r0) == 0);
    wsd_rng_seed(&r1, 12);
    wsd_rng_seed(&r2, 12);
    CHECK(wsd_sl_forward(&sl, &full, &x.b, ids, 1, &r1) == 0);
    CHECK(wsd_sl_forward_same_video(&sl, &reuse, &x.b, ids, &r2, &first) == 0);
    int N = x.b.N, R = 2 * sl.n_anchors, A = sl.n_anchors;
    CHECK(memcmp(full.r_h, reuse.r_h, sizeof(float) * N * R) == 0);
    CHECK(memcmp(full.score_h, reuse.score_h, sizeof(float) * N * A) == 0);
    CHECK(wsd_rng_uniform(&r1) == wsd_rng_uniform(&r2));
    /* gradients through either */
    float d_r[96] = {0};
    for (int i = 0; i < N * R && i < 96; i++) d_r[i] = (float)((i * 37) % 11 - 5) / 7;
    int n = sl.params.n;
    nn_params_zero_grad(&sl.params);
    CHECK(wsd_sl_backward(&sl, &full, NULL, d_r) == 0);
    float **grads = grads_to_host(&sl);
    nn_params_zero_grad(&sl.params);
    CHECK(wsd_sl_backward(&sl, &reuse, NULL, d_r) == 0);
    int same = 1;
    for (int i = 0; i < n; i++) {
        nn_param *p = sl.params.items[i];
        if (grads[i]) same &= memcmp(grads[i], p->grad.data, sizeof(float) * p->grad.size) == 0;
    }
    free_grads(grads, n);
    CHECK(same);
    /* the paired backward (the shared first layer once): both runs' separate
     * backwards up to rounding */
    float d_r1[96] = {0};
    for (int i = 0; i < N * R && i < 96; i++) d_r1[i] = (float)((i * 13) % 7 - 3) / 5;
    nn_params_zero_grad(&sl.params);
    CHECK(wsd_sl_backward(&sl, &reuse, NULL, d_r) == 0);
    CHECK(wsd_sl_backward(&sl, &first, NULL, d_r1) == 0);
    grads = grads_to_host(&sl);
    nn_params_zero_grad(&sl.params);
    CHECK(wsd_sl_backward_pair(&sl, &first, NULL, d_r1, &reuse, NULL, d_r) == 0);
    for (int i = 0; i < n; i++) {
        nn_param *p = sl.params.items[i];
        if (!grads[i]) continue;
        double scale = 0, d = 0;
        for (size_t k = 0; k < p->grad.size; k++) {
            scale = fmax(scale, fabs(grads[i][k]));
            d = fmax(d, fabs(grads[i][k] - p->grad.data[k]));
        }
        CHECK_MSG(d <= 1e-5 * (scale > 1e-3 ? scale : 1e-3), "paired %s: |diff| %.3g (scale %.3g)",
                  p->name, d, scale);
    }
    free_grads(grads, n);
    CHECK(wsd_sl_backward_pair(&sl, &first, NULL, NULL, &reuse, NULL, d_r) == -1);
    wsd_sl_run evalrun = {0};
    CHECK(wsd_sl_forward(&sl, &evalrun, &x.b, NULL, 0, &r0) == 0);
    CHECK(wsd_sl_forward_same_video(&sl, &reuse, &x.b, ids, &r2, &evalrun) == -1);
    CHECK(wsd_sl_forward_same_video(&sl, &first, &x.b, ids, &r2, &first) == -1);
    wsd_sl_run_free(&evalrun);
    wsd_sl_run_free(&first);
    wsd_sl_run_free(&full);
    wsd_sl_run_free(&reuse);
    wsd_sl_free(&sl);
    golden_free(&g);
}

static void test_anchors_and_target(void) {
    float t[2];
    /* GT [0.1, 0.45]: anchor 0 ([0, 0.5]) has the best IoU */
    CHECK(wsd_sl_sup_target((wsd_seg){0.1f, 0.45f}, t) == 0);
    CHECK_NEAR(t[0], ((0.0 - 0.1) + (0.5 - 0.45)) / 2, 1e-6);
    CHECK_NEAR(t[1], (0.5 - 0.45) - (0.0 - 0.1), 1e-6);
    CHECK(wsd_sl_sup_target((wsd_seg){0.0f, 1.0f}, t) == 14);
    CHECK(wsd_sl_sup_target((wsd_seg){0.9f, 0.99f}, t) == 13);
}

static void test_config_json(void) {
    wsd_sl_config a, b;
    wsd_sl_config_default(&a);
    a.hidden = 16, a.scale = 0.1f, a.regress_only = 1;
    cJSON *o = cJSON_CreateObject();
    wsd_sl_config_to_json(&a, o);
    wsd_sl_config_default(&b);
    CHECK(wsd_sl_config_from_json(o, &b) == 0);
    CHECK(b.hidden == 16 && b.regress_only == 1 && fabsf(b.scale - 0.1f) < 1e-7f);
    cJSON_ReplaceItemInObject(o, "sl_type", cJSON_CreateString("other"));
    CHECK(wsd_sl_config_from_json(o, &b) == -1);
    cJSON_Delete(o);
}

static void test_param_count(void) {
    /* model/sentence_localizer.py SentenceLocalizer at the defaults: 15,982,637 learnable (anchor),
     * 15,916,546 (regression-only) */
    wsd_sl_config c;
    wsd_sl_config_default(&c);
    wsd_sl sl;
    CHECK(wsd_sl_init(&sl, &c, 1, NN_CPU) == 0);
    CHECK(nn_params_count(&sl.params, 0) == 15982637);
    wsd_sl_free(&sl);
    c.regress_only = 1;
    CHECK(wsd_sl_init(&sl, &c, 1, NN_CPU) == 0);
    CHECK(nn_params_count(&sl.params, 0) == 15916546);
    wsd_sl_free(&sl);
}

/* An absurd localizer config is refused before allocating (not an OOM). */
static void test_absurd_config_refused(void) {
    wsd_sl_config c;
    wsd_sl_config_default(&c);
    c.feat_dim = 6, c.hidden = 4, c.embed = 3, c.vocab = 9;
    wsd_sl sl;
    CHECK(wsd_sl_init(&sl, &c, 1, NN_CPU) == 0);
    const nn_params *models[1] = {&sl.params};
    for (int i = 0; i < 2; i++) {
        wsd_sl_config big = c;
        if (i == 0)
            big.hidden = 1000000000;
        else
            big.feat_dim = 300000, big.hidden = 300000;
        cJSON *o = cJSON_CreateObject(), *j = cJSON_CreateObject();
        wsd_sl_config_to_json(&big, o);
        cJSON_AddItemToObject(j, "model_sl", o);
        char *json = cJSON_PrintUnformatted(j);
        char path[] = "/tmp/wsd_sl_ckptXXXXXX";
        close(mkstemp(path));
        nn_ckpt_contents k = {.models = models, .n_models = 1, .config_json = json};
        CHECK(nn_ckpt_save(path, &k) == 0);
        wsd_sl loaded;
        nn_ckpt *ck = nn_ckpt_open(path);
        CHECK_MSG(ck && wsd_sl_load(&loaded, ck, NN_CPU) == -1 &&
                      strstr(wsd_error(), "does not fit"),
                  "%s", wsd_error());
        nn_ckpt_close(ck);
        unlink(path);
        free(json);
        cJSON_Delete(j);
    }
    wsd_sl_free(&sl);
}

int main(void) {
    TEST_RUN(test_absurd_config_refused);
    TEST_RUN(test_anchor_golden);
    TEST_RUN(test_regress_golden);
    TEST_RUN(test_finite_differences);
    TEST_RUN(test_same_video);
    TEST_RUN(test_anchors_and_target);
    TEST_RUN(test_config_json);
    TEST_RUN(test_param_count);
    return test_finish();
}
