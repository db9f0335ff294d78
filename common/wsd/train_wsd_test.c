/* One step of the weakly supervised cycle (WSDEC train_final.py train_cg: both models'
 * forwards, cap + rec loss, every gradient, SL-only clipping, the three SGD
 * groups) against testdata/goldens/sl_cycle.tsr (testdata/torch/sl_ref.py),
 * and the pseudo-label stand-in. */
#include "wsd/train_wsd.h"

#include <stdlib.h>
#include <string.h>

#include "testing/golden.h"
#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

static double worst_abs, worst_rel;

/* Absolute deviation against max(1, scale), and relative to the tensor's
 * own scale (the SL's cycle gradients are ~1e-4, so both are reported). */
static void expect(const char *what, const float *got, const float *want, size_t n) {
    CHECK_MSG(want != NULL, "%s missing", what);
    if (!want) return;
    double scale = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabs(want[i]) > scale) scale = fabs(want[i]);
        double e = fabs((double)got[i] - want[i]);
        if (!(e <= d)) d = e;
    }
    /* a gradient BatchNorm makes exactly zero (a bias before it) is ~1e-20: floor */
    double abs_dev = d / (scale > 1 ? scale : 1), rel = d / (scale > 1e-7 ? scale : 1e-7);
    if (abs_dev > worst_abs) worst_abs = abs_dev;
    if (rel > worst_rel) worst_rel = rel;
    CHECK_MSG(abs_dev <= 1e-5 && rel <= 1e-3, "%s: max |diff| %.3g (scale %.3g)", what, d, scale);
}

static void load_into(nn_params *ps, const golden *g, const char *prefix) {
    char key[256];
    for (int i = 0; i < ps->n; i++) {
        nn_param *p = ps->items[i];
        snprintf(key, sizeof key, "%s/%s", prefix, p->name);
        const wsd_tsr *t = golden_get(g, key);
        CHECK(t && wsd_tsr_numel(t) == p->value.size);
        if (t && wsd_tsr_numel(t) == p->value.size)
            nn_tensor_from_host(&p->value, t->data, p->value.size);
    }
    nn_params_drop_grad(ps);
}

static void expect_grads(nn_params *ps, const golden *g, const char *prefix) {
    char key[256];
    for (int i = 0; i < ps->n; i++) {
        nn_param *p = ps->items[i];
        if (p->is_buffer) continue;
        snprintf(key, sizeof key, "%s/%s", prefix, p->name);
        float *got = wsd_calloc(p->value.size, sizeof *got);
        if (p->has_grad) nn_tensor_to_host(&p->grad, got, p->value.size);
        expect(key, got, golden_f32(g, key), p->value.size);
        free(got);
    }
}

/* The golden's token ids, lengths and video of each sentence, as ints. */
typedef struct {
    int ids[64], len[8], gather[8];
} golden_batch_ids;

/* The golden's batch (in/…), pointing into g and ib. */
static void golden_batch(const golden *g, wsd_batch *b, golden_batch_ids *ib) {
    const wsd_tsr *video = golden_get(g, "in/video"), *sent = golden_get(g, "in/sent");
    memset(b, 0, sizeof *b);
    b->B = (int)video->shape[0], b->T = (int)video->shape[1], b->F = (int)video->shape[2];
    b->N = (int)sent->shape[0], b->L = (int)sent->shape[1];
    const int64_t *si = sent->data, *sl = golden_get(g, "in/sent_len")->data;
    const int64_t *ga = golden_get(g, "in/gather")->data;
    for (int i = 0; i < b->N * b->L; i++) ib->ids[i] = (int)si[i];
    for (int n = 0; n < b->N; n++) ib->len[n] = (int)sl[n], ib->gather[n] = (int)ga[n];
    b->video = (float *)video->data;
    b->video_len = (float *)golden_f32(g, "in/video_len");
    b->video_mask = (float *)golden_f32(g, "in/video_mask");
    b->caption = ib->ids, b->caption_len = ib->len;
    b->caption_mask = (float *)golden_f32(g, "in/sent_mask");
    b->gather = ib->gather, b->ts_seconds = (float *)golden_f32(g, "in/ts_seconds");
}

/* sl_cycle.tsr and its batch; -1 (a failed check) when it cannot be read. */
static int golden_open(golden *g, wsd_batch *b, golden_batch_ids *ib) {
    if (golden_load(g, "sl_cycle.tsr") != 0) {
        CHECK_MSG(0, "%s", wsd_error());
        return -1;
    }
    golden_batch(g, b, ib);
    return 0;
}

static void test_cycle_step(void) {
    golden g;
    wsd_batch b;
    golden_batch_ids ib;
    if (golden_open(&g, &b, &ib)) return;
    int N = b.N, L = b.L;

    /* the models */
    wsd_sl_config sc;
    wsd_sl_config_default(&sc);
    sc.feat_dim = 6, sc.hidden = 8, sc.embed = 8, sc.vocab = 12, sc.rnn_dropout = 0,
    sc.fc_dropout = 0;
    wsd_sl sl;
    CHECK(wsd_sl_init(&sl, &sc, 1, NN_CPU) == 0);
    load_into(&sl.params, &g, "sl");
    wsd_cg_config cc;
    wsd_cg_config_default(&cc);
    cc.feat_dim = 6, cc.hidden = 8, cc.embed = 8, cc.vocab = 12, cc.dropout = 0;
    wsd_cg cg;
    CHECK(wsd_cg_init(&cg, &cc, 1, NN_CPU) == 0);
    load_into(&cg.params, &g, "cg");
    cg.training = 1;

    /* steps 1-6 */
    wsd_train_ws ws = {0};
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    double cap, rec;
    CHECK(wsd_cycle_grad(&sl, &cg, &ws, &b, golden_f32(&g, "in/noise"), &rng, &cap, &rec) == 0);
    float lc = (float)cap, lr = (float)rec;
    expect("loss/cap", &lc, golden_f32(&g, "loss/cap"), 1);
    CHECK_NEAR(rec, golden_f32(&g, "loss/rec")[0],
               1e-6 * fabs(golden_f32(&g, "loss/rec")[0]) + 1e-9);
    (void)lr;
    const int64_t *pred = golden_get(&g, "out/pred")->data;
    int same = 1; /* up to each sentence's end: the decoder does not run past it */
    for (int i = 0; i < N * L; i++)
        same &= i % L >= b.caption_len[i / L] || ws.pred[i] == (int)pred[i];
    CHECK_MSG(same, "teacher-forced argmax tokens differ from the golden");
    float seg[16], seg2[16];
    wsd_sl_diff(&sl, &ws.run1, seg);
    for (int i = 0; i < 2 * N; i++) seg[i] += golden_f32(&g, "in/noise")[i];
    wsd_sl_diff(&sl, &ws.run2, seg2);
    expect("out/seg", seg, golden_f32(&g, "out/seg"), (size_t)2 * N);
    expect("out/seg2", seg2, golden_f32(&g, "out/seg2"), (size_t)2 * N);
    expect_grads(&sl.params, &g, "grad_sl");
    expect_grads(&cg.params, &g, "grad_cg");
    /* the classifier gets nothing from the cycle: its gradient stays absent */
    CHECK(!nn_params_find(&sl.params, "predictor.weight")->has_grad);

    /* step 7: clip the SL only; step 8: the three SGD groups */
    double norm = nn_clip_grad_norm(&sl.params, golden_f32(&g, "clip/max_norm")[0]);
    CHECK_NEAR(norm, golden_f32(&g, "clip/norm")[0], 1e-4 * golden_f32(&g, "clip/norm")[0]);
    nn_optim opt;
    nn_sgd_init(&opt, 0.8, 1e-4);
    nn_optim_add_group(&opt, &sl.refiner_group, 1e-2);
    nn_optim_add_group(&opt, &sl.other_group, 1e-3);
    nn_optim_add_group(&opt, &cg.params, 1e-2);
    CHECK(nn_optim_step(&opt) == 0);
    static const char *after[][2] = {{"sl", "refiner.weight"},
                                     {"sl", "feature_mixer.fc.weight"},
                                     {"sl", "predictor.bias"},
                                     {"sl", "video_encoder.rnn_cell.weight_hh_l1"},
                                     {"cg", "decoder.output_layer.bias"}};
    for (size_t i = 0; i < sizeof after / sizeof *after; i++) {
        nn_params *ps = after[i][0][0] == 's' ? &sl.params : &cg.params;
        nn_param *p = nn_params_find(ps, after[i][1]);
        char key[256];
        snprintf(key, sizeof key, "after/%s/%s", after[i][0], after[i][1]);
        float *got = wsd_malloc(sizeof *got * p->value.size);
        nn_tensor_to_host(&p->value, got, p->value.size);
        expect(key, got, golden_f32(&g, key), p->value.size);
        free(got);
    }
    fprintf(stderr,
            "  cycle step vs PyTorch: largest deviation %.3g absolute, %.3g relative to each "
            "tensor's scale\n",
            worst_abs, worst_rel);
    nn_optim_free(&opt);
    wsd_train_ws_free(&ws);
    wsd_cg_free(&cg);
    wsd_sl_free(&sl);
    golden_free(&g);
}

/* Host copy of a parameter. */
static float *host(nn_param *p) {
    float *h = wsd_malloc(sizeof *h * p->value.size);
    nn_tensor_to_host(&p->value, h, p->value.size);
    return h;
}

/* [quirk] of PyTorch 0.3's zero_grad in train_final.py: a gradient that was zeroed still gets
 * weight decay and momentum, an absent one is skipped. SL epoch first: the refiner has no gradient
 * and opt_sl leaves it alone; the next cycle step leaves the predictor's gradient present but zero,
 * so the cycle optimiser decays it; the next SL step decays the (now zeroed) refiner. */
static void test_zero_vs_absent(void) {
    golden g;
    wsd_batch b;
    golden_batch_ids ib;
    if (golden_open(&g, &b, &ib)) return;
    wsd_sl_config sc;
    wsd_sl_config_default(&sc);
    sc.feat_dim = 6, sc.hidden = 8, sc.embed = 8, sc.vocab = 12;
    wsd_sl sl;
    CHECK(wsd_sl_init(&sl, &sc, 1, NN_CPU) == 0);
    load_into(&sl.params, &g, "sl");
    wsd_cg_config cc;
    wsd_cg_config_default(&cc);
    cc.feat_dim = 6, cc.hidden = 8, cc.embed = 8, cc.vocab = 12, cc.max_cap_length = 6;
    wsd_cg cg;
    CHECK(wsd_cg_init(&cg, &cc, 1, NN_CPU) == 0);
    load_into(&cg.params, &g, "cg");
    cJSON *vj = cJSON_Parse(
        "{\"format\":\"wsdec-vocab\",\"version\":1,\"id_to_word\":[\"<bos>\",\"<eos>\","
        "\"a\",\"man\",\"is\",\"running\",\"dog\",\"the\",\"ball\",\".\",\"kicks\",\"<oov>\"]}");
    wsd_vocab *vocab = wsd_vocab_from_json(vj, "test");
    cJSON_Delete(vj);
    wsd_pseudo_labeler *pl = wsd_pl_open(WSD_PL_UNIGRAM_F, NULL);
    /* large lr and weight decay so that one step's decay is visible in float32 */
    nn_optim opt_sl, opt_cycle;
    nn_sgd_init(&opt_sl, 0.8, 0.1);
    nn_optim_add_group(&opt_sl, &sl.params, 1.0);
    nn_sgd_init(&opt_cycle, 0.8, 0.1);
    nn_optim_add_group(&opt_cycle, &sl.refiner_group, 1.0);
    nn_optim_add_group(&opt_cycle, &sl.other_group, 1.0);
    nn_optim_add_group(&opt_cycle, &cg.params, 1.0);
    nn_param *ref = nn_params_find(&sl.params, "refiner.bias"),
             *pred = nn_params_find(&sl.params, "predictor.bias");
    wsd_train_ws ws = {0};
    wsd_rng rng;
    wsd_rng_seed(&rng, 3);
    double loss, miou;
    int labels[8];

    /* SL epoch step: the refiner's gradient is absent, SGD skips it */
    float *r0 = host(ref);
    nn_params_zero_grad(&sl.params);
    CHECK(wsd_pseudo_grad(&sl, &cg, &ws, pl, vocab, &b, 3, 6, &rng, &loss, labels, &miou) == 0);
    CHECK(isfinite(loss) && loss > 0);
    for (int n = 0; n < b.N; n++) CHECK(labels[n] >= 0 && labels[n] < 15);
    CHECK(!ref->has_grad && pred->has_grad);
    CHECK(nn_optim_step(&opt_sl) == 0);
    float *r1 = host(ref);
    CHECK(memcmp(r0, r1, sizeof *r0 * ref->value.size) == 0);

    /* cycle step: the predictor's gradient is present but zero: decayed only */
    float *p0 = host(pred);
    nn_params_zero_grad(&sl.params);
    nn_params_zero_grad(&cg.params);
    double cap, rec;
    cg.training = 1;
    CHECK(wsd_cycle_grad(&sl, &cg, &ws, &b, NULL, &rng, &cap, &rec) == 0);
    CHECK(pred->has_grad && nn_sumsq(&pred->grad) == 0);
    CHECK(nn_optim_step(&opt_cycle) == 0);
    float *p1 = host(pred);
    for (size_t i = 0; i < pred->value.size; i++) CHECK_NEAR(p1[i], p0[i] * (1 - 0.1), 1e-6);

    /* next SL epoch step: the refiner's gradient is now present and zero:
     * opt_sl decays it (its own momentum buffer starts here) */
    nn_params_zero_grad(&sl.params);
    float *r2 = host(ref);
    CHECK(wsd_pseudo_grad(&sl, &cg, &ws, pl, vocab, &b, 3, 6, &rng, &loss, NULL, NULL) == 0);
    CHECK(ref->has_grad && nn_sumsq(&ref->grad) == 0);
    CHECK(nn_optim_step(&opt_sl) == 0);
    float *r3 = host(ref);
    for (size_t i = 0; i < ref->value.size; i++) CHECK_NEAR(r3[i], r2[i] * (1 - 0.1), 1e-6);

    free(r0), free(r1), free(r2), free(r3), free(p0), free(p1);
    nn_optim_free(&opt_sl);
    nn_optim_free(&opt_cycle);
    wsd_pl_close(pl);
    wsd_vocab_free(vocab);
    wsd_train_ws_free(&ws);
    wsd_cg_free(&cg);
    wsd_sl_free(&sl);
    golden_free(&g);
}

static void test_unigram_f(void) {
    CHECK_NEAR(wsd_unigram_f("a man is running", "a man is running"), 1 - 0.5 / 64, 1e-12);
    CHECK(wsd_unigram_f("a dog", "a man is running") < wsd_unigram_f("a man", "a man is running"));
    CHECK(wsd_unigram_f("xyz", "a man") == 0);
    CHECK(wsd_unigram_f("", "a man") == 0);
    wsd_pseudo_labeler *pl = wsd_pl_open(WSD_PL_UNIGRAM_F, NULL);
    const char *cands[3] = {"a dog is barking .", "A man is running.", "a man"};
    double s[3];
    CHECK(wsd_pl_best(pl, "A man is running fast.", cands, 3, s) == 1);
    /* ties go to the lowest index, as the reference's argmax */
    const char *same[2] = {"a man", "a man"};
    CHECK(wsd_pl_best(pl, "a man", same, 2, NULL) == 0);
    wsd_pl_close(pl);
    wsd_pl_metric m;
    CHECK(wsd_pl_metric_parse("meteor", &m) == 0 && m == WSD_PL_METEOR);
    CHECK(wsd_pl_metric_parse("bleu", &m) == -1);
}

int main(void) {
    TEST_RUN(test_cycle_step);
    TEST_RUN(test_zero_vs_absent);
    TEST_RUN(test_unigram_f);
    return test_finish();
}
