/* Sentence localizer forward/backward (WSDEC model/sentence_localizer.py,
 * sentence_localizer_regressor.py: SentenceLocalizer.forward). */
#include "wsd/model_sl.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "io/jsonl.h"

void wsd_sl_config_default(wsd_sl_config *c) {
    /* the reference's defaults (the arguments of train_script/train_final.py) */
    *c = (wsd_sl_config){.feat_dim = 500,
                         .hidden = 512,
                         .embed = 512,
                         .vocab = 6000,
                         .layers = 2,
                         .rnn_dropout = 0.3f,
                         .fc_dropout = 0.3f,
                         .scale = 0.3f,
                         .sample_rate = 2};
}

void wsd_sl_config_to_json(const wsd_sl_config *c, cJSON *o) {
    cJSON_AddNumberToObject(o, "hidden_dim", c->hidden);
    cJSON_AddNumberToObject(o, "sent_embedding_dim", c->embed);
    cJSON_AddNumberToObject(o, "video_feature_dim", c->feat_dim);
    cJSON_AddNumberToObject(o, "vocab_size", c->vocab);
    cJSON_AddNumberToObject(o, "rnn_layer", c->layers);
    cJSON_AddNumberToObject(o, "rnn_dropout", c->rnn_dropout);
    cJSON_AddNumberToObject(o, "fc_dropout", c->fc_dropout);
    cJSON_AddNumberToObject(o, "regressor_scale", c->scale);
    cJSON_AddNumberToObject(o, "video_sample_rate", c->sample_rate);
    cJSON_AddStringToObject(o, "attention_type_sl", "type0");
    cJSON_AddStringToObject(o, "sl_type", c->regress_only ? "regressor" : "anchor");
}

int wsd_sl_config_from_json(const cJSON *o, wsd_sl_config *c) {
    TRY(wsd_json_int(o, "hidden_dim", 1, WSD_CONFIG_MAX, &c->hidden));
    TRY(wsd_json_int(o, "sent_embedding_dim", 1, WSD_CONFIG_MAX, &c->embed));
    TRY(wsd_json_int(o, "video_feature_dim", 1, WSD_CONFIG_MAX, &c->feat_dim));
    TRY(wsd_json_int(o, "vocab_size", 4, WSD_CONFIG_MAX, &c->vocab));
    TRY(wsd_json_int(o, "rnn_layer", 1, WSD_CONFIG_MAX, &c->layers));
    TRY(wsd_json_int(o, "video_sample_rate", 1, WSD_CONFIG_MAX, &c->sample_rate));
    TRY(wsd_json_float(o, "rnn_dropout", 0, 0.99f, &c->rnn_dropout));
    TRY(wsd_json_float(o, "fc_dropout", 0, 0.99f, &c->fc_dropout));
    TRY(wsd_json_float(o, "regressor_scale", 0, 10, &c->scale));
    if (c->layers > NN_RNN_MAX_LAYERS) return wsd_fail("config: rnn_layer > %d", NN_RNN_MAX_LAYERS);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "sl_type");
    if (t) {
        if (cJSON_IsString(t) && strcmp(t->valuestring, "anchor") == 0)
            c->regress_only = 0;
        else if (cJSON_IsString(t) && strcmp(t->valuestring, "regressor") == 0)
            c->regress_only = 1;
        else
            return wsd_fail("config: \"sl_type\" must be \"anchor\" or \"regressor\"");
    }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "attention_type_sl");
    if (a && !(cJSON_IsString(a) && strcmp(a->valuestring, "type0") == 0))
        return wsd_fail("config: only attention_type_sl \"type0\" is supported");
    return 0;
}

int wsd_sl_init(wsd_sl *sl, const wsd_sl_config *cfg, uint64_t seed, nn_device dev) {
    memset(sl, 0, sizeof *sl);
    sl->cfg = *cfg;
    sl->dev = dev;
    sl->n_anchors = cfg->regress_only ? 0 : WSD_NUM_ANCHORS;
    int F = cfg->feat_dim, H = cfg->hidden, E = cfg->embed, Q = H * cfg->layers, H3 = 3 * H;
    wsd_rng rng;
    wsd_rng_seed(&rng, seed);
    nn_params *ps = &sl->params;
    nn_params_init(ps, "model_sl");
    /* Registration order = the reference's state-dict order. */
    TRY(nn_gru_init(&sl->venc, ps, "video_encoder.rnn_cell", F, H, cfg->layers, cfg->rnn_dropout,
                    &rng, dev));
    if (F != H) TRY(nn_linear_init(&sl->vres, ps, "video_encoder.linear", F, H, 0, &rng, dev));
    TRY(nn_embedding_init(&sl->emb, ps, "sent_embedding", cfg->vocab, E, &rng, dev));
    TRY(nn_gru_init(&sl->tenc, ps, "text_encoder.rnn_cell", E, H, cfg->layers, cfg->rnn_dropout,
                    &rng, dev));
    TRY(nn_attention_init(&sl->vatt, ps, "feature_mixer.video_attention.linear", NULL, NN_ATT_TYPE0,
                          H, Q, 0, &rng, dev));
    TRY(nn_attention_init(&sl->tatt, ps, "feature_mixer.text_attention.linear", NULL, NN_ATT_TYPE0,
                          H, Q, 0, &rng, dev));
    TRY(nn_batchnorm_init(&sl->bn_t, ps, "feature_mixer.text_batch_norm", H, &rng, dev));
    TRY(nn_batchnorm_init(&sl->bn_v, ps, "feature_mixer.video_batch_norm", H, &rng, dev));
    TRY(nn_linear_init(&sl->fc, ps, "feature_mixer.fc", 2 * H, H, 1, &rng, dev));
    TRY(nn_linear_init(&sl->comb0, ps, "feature_mixer.combiner.0", H3, H3, 0, &rng, dev));
    TRY(nn_batchnorm_init(&sl->bn1, ps, "feature_mixer.combiner.1", H3, &rng, dev));
    TRY(nn_linear_init(&sl->comb4, ps, "feature_mixer.combiner.4", H3, H3, 0, &rng, dev));
    TRY(nn_batchnorm_init(&sl->bn5, ps, "feature_mixer.combiner.5", H3, &rng, dev));
    if (!cfg->regress_only)
        TRY(nn_linear_init(&sl->predictor, ps, "predictor", H3, sl->n_anchors, 1, &rng, dev));
    TRY(nn_linear_init(&sl->refiner, ps, "refiner", H3, cfg->regress_only ? 2 : 2 * sl->n_anchors,
                       1, &rng, dev));
    nn_params_init_view(&sl->refiner_group);
    nn_params_init_view(&sl->other_group);
    nn_params_select(&sl->refiner_group, ps, "refiner.");
    for (int i = 0; i < ps->n; i++)
        if (!ps->items[i]->is_buffer && strncmp(ps->items[i]->name, "refiner.", 8) != 0)
            nn_params_append(&sl->other_group, ps->items[i]);
    return 0;
}

void wsd_sl_free(wsd_sl *sl) {
    nn_params_free(&sl->refiner_group);
    nn_params_free(&sl->other_group);
    nn_params_free(&sl->params);
    memset(sl, 0, sizeof *sl);
}

static void ens(nn_tensor *t, nn_device dev, int ndim, ...) {
    int shape[NN_MAX_DIM];
    va_list ap;
    va_start(ap, ndim);
    for (int i = 0; i < ndim; i++) shape[i] = va_arg(ap, int);
    va_end(ap);
    nn_tensor_ensure(t, dev, ndim, shape);
}

/* A zeroed gradient buffer shaped like x. */
static nn_tensor *zlike(nn_tensor *g, const nn_tensor *x) {
    nn_tensor_ensure(g, x->device, x->ndim, x->shape);
    nn_tensor_zero(g);
    return g;
}

void wsd_sl_run_free(wsd_sl_run *r) {
    free(r->ids);
    free(r->len);
    free(r->vlen_m1);
    free(r->vlen);
    free(r->gather);
    free(r->iota);
    free(r->score_h);
    free(r->r_h);
    free(r->k);
    nn_tensor *ts[] = {&r->video,  &r->vmask,    &r->smask,  &r->vres_out,  &r->Y,     &r->Hv,
                       &r->S,      &r->Hs,       &r->E,      &r->hv,        &r->hs,    &r->tctx,
                       &r->vctx,   &r->t,        &r->v,      &r->tv_cat,    &r->f,     &r->tv,
                       &r->tpv,    &r->mix,      &r->h0,     &r->h1,        &r->h2,    &r->h3,
                       &r->h4,     &r->h5,       &r->z,      &r->drop_mask, &r->score, &r->rpre,
                       &r->rsig,   &r->d_h0,     &r->d_h1,   &r->d_h2,      &r->d_h3,  &r->d_h4,
                       &r->d_h5,   &r->d_tv_cat, &r->d_mix,  &r->d_f,       &r->d_tv,  &r->d_tpv,
                       &r->d_t,    &r->d_v,      &r->d_tctx, &r->d_vctx,    &r->d_hv,  &r->d_hs,
                       &r->d_Y,    &r->d_S,      &r->d_Hv,   &r->d_Hs,      &r->d_E,   &r->d_z,
                       &r->d_rsig, &r->d_rpre,   &r->d_score};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_gru_seq_cache_free(&r->vcache);
    nn_gru_seq_cache_free(&r->tcache);
    nn_attention_cache_free(&r->vatt_c);
    nn_attention_cache_free(&r->tatt_c);
    nn_batchnorm_cache_free(&r->bn_t_c);
    nn_batchnorm_cache_free(&r->bn_v_c);
    nn_batchnorm_cache_free(&r->bn1_c);
    nn_batchnorm_cache_free(&r->bn5_c);
    memset(r, 0, sizeof *r);
}

/* Host-side index arrays sized for this batch. */
static void stage_host(wsd_sl_run *r, const wsd_batch *b, const int *ids) {
    int N = b->N, L = b->L;
    r->ids = wsd_realloc(r->ids, sizeof *r->ids * (size_t)(N * L > 0 ? N * L : 1));
    r->len = wsd_realloc(r->len, sizeof *r->len * (size_t)N);
    r->vlen_m1 = wsd_realloc(r->vlen_m1, sizeof *r->vlen_m1 * (size_t)N);
    r->vlen = wsd_realloc(r->vlen, sizeof *r->vlen * (size_t)(b->B > 0 ? b->B : 1));
    r->gather = wsd_realloc(r->gather, sizeof *r->gather * (size_t)N);
    r->iota = wsd_realloc(r->iota, sizeof *r->iota * (size_t)N);
    r->k = wsd_realloc(r->k, sizeof *r->k * (size_t)N);
    memcpy(r->ids, ids ? ids : b->caption, sizeof *r->ids * (size_t)(N * L));
    for (int n = 0; n < N; n++) {
        r->len[n] = b->caption_len[n] - 1; /* index of the last real token */
        r->gather[n] = b->gather[n];
        r->vlen_m1[n] = (int)b->video_len[2 * b->gather[n]] - 1;
        r->iota[n] = n;
    }
    /* the encoders leave out the padding past each video's and sentence's
     * end: the attention masks and the last-state indices read only before
     * it */
    for (int v = 0; v < b->B; v++) r->vlen[v] = (int)b->video_len[2 * v];
}

static int sl_forward(wsd_sl *sl, wsd_sl_run *r, const wsd_batch *b, const int *ids, int training,
                      wsd_rng *rng, const wsd_sl_run *first) {
    const wsd_sl_config *c = &sl->cfg;
    nn_device dev = sl->dev;
    int B = b->B, T = b->T, N = b->N, L = b->L, F = c->feat_dim, H = c->hidden;
    int Q = H * c->layers, H3 = 3 * H, R = c->regress_only ? 2 : 2 * sl->n_anchors;
    int A = sl->n_anchors;
    if (b->F != F)
        return wsd_fail("localizer: features have %d dims, the model expects %d", b->F, F);
    if (N < 1 || L < 1) return wsd_fail("localizer: a batch without sentences");
    for (int n = 0; n < N; n++)
        if (b->caption_len[n] < 1) return wsd_fail("localizer: sentence %d is empty", n);
    for (size_t i = 0; i < (size_t)N * L; i++)
        if ((ids ? ids : b->caption)[i] < 0 || (ids ? ids : b->caption)[i] >= c->vocab)
            return wsd_fail("localizer: token id %d outside the vocabulary (%d)",
                            (ids ? ids : b->caption)[i], c->vocab);
    r->B = B, r->T = T, r->N = N, r->L = L, r->training = training;
    stage_host(r, b, ids);

    /* inputs and masks */
    ens(&r->video, dev, 3, B, T, F);
    TRY(nn_tensor_from_host(&r->video, b->video, (size_t)B * T * F));
    float *vm = wsd_malloc(sizeof *vm * (size_t)N * T);
    for (int n = 0; n < N; n++)
        memcpy(vm + (size_t)n * T, b->video_mask + (size_t)r->gather[n] * T,
               sizeof *vm * (size_t)T);
    ens(&r->vmask, dev, 2, N, T);
    int rc = nn_tensor_from_host(&r->vmask, vm, (size_t)N * T);
    free(vm);
    TRY(rc);
    ens(&r->smask, dev, 2, N, L);
    TRY(nn_tensor_from_host(&r->smask, b->caption_mask, (size_t)N * L));

    /* video encoder with the residual projection (WSDEC
     * model/networks/seq_encoder.py, RNNSeqEncoder._forward_residual) */
    ens(&r->Y, dev, 3, B, T, H);
    ens(&r->Hv, dev, 4, c->layers, B, T, H);
    if (first)
        TRY(nn_gru_seq_forward_same0(&sl->venc, &r->video, &first->vcache, &r->Y, &r->Hv, training,
                                     rng, &r->vcache));
    else
        TRY(nn_gru_seq_forward_len(&sl->venc, &r->video, r->vlen, NULL, &r->Y, &r->Hv, training,
                                   rng, training ? &r->vcache : NULL));
    if (F != H) {
        nn_tensor x2 = nn_view2(&r->video, 0, B * T, F);
        ens(&r->vres_out, dev, 2, B * T, H);
        if (first)
            TRY(nn_tensor_copy(&r->vres_out, &first->vres_out));
        else
            TRY(nn_linear_forward_seq(&sl->vres, &x2, B, T, r->vlen, &r->vres_out));
        TRY(nn_axpy(1.0f, &r->vres_out, &r->Y));
    } else {
        TRY(nn_axpy(1.0f, &r->video, &r->Y));
    }

    /* text encoder (no residual) */
    ens(&r->E, dev, 3, N, L, c->embed);
    nn_tensor e2 = nn_view2(&r->E, 0, N * L, c->embed);
    TRY(nn_embedding_forward(&sl->emb, r->ids, N * L, &e2));
    ens(&r->S, dev, 3, N, L, H);
    ens(&r->Hs, dev, 4, c->layers, N, L, H);
    TRY(nn_gru_seq_forward_len(&sl->tenc, &r->E, b->caption_len, NULL, &r->S, &r->Hs, training, rng,
                               training ? &r->tcache : NULL));

    /* cross-modal queries: the last valid states of both layers */
    ens(&r->hv, dev, 2, N, Q);
    ens(&r->hs, dev, 2, N, Q);
    TRY(nn_hidden_gather(&r->hv, &r->Hv, r->gather, r->vlen_m1, N, NN_HID_NLH));
    TRY(nn_hidden_gather(&r->hs, &r->Hs, r->iota, r->len, N, NN_HID_NLH));
    ens(&r->tctx, dev, 2, N, H);
    ens(&r->vctx, dev, 2, N, H);
    TRY(nn_attention_forward(&sl->tatt, &r->S, NULL, &r->smask, &r->hv, &r->tctx, &r->tatt_c));
    TRY(nn_attention_forward(&sl->vatt, &r->Y, r->gather, &r->vmask, &r->hs, &r->vctx, &r->vatt_c));

    /* feature mixer */
    ens(&r->t, dev, 2, N, H);
    ens(&r->v, dev, 2, N, H);
    TRY(nn_batchnorm_forward(&sl->bn_t, &r->tctx, &r->t, training, &r->bn_t_c));
    TRY(nn_batchnorm_forward(&sl->bn_v, &r->vctx, &r->v, training, &r->bn_v_c));
    ens(&r->tv_cat, dev, 2, N, 2 * H);
    const nn_tensor *tv2[2] = {&r->t, &r->v};
    TRY(nn_concat_cols(&r->tv_cat, tv2, 2));
    ens(&r->f, dev, 2, N, H);
    ens(&r->tv, dev, 2, N, H);
    ens(&r->tpv, dev, 2, N, H);
    TRY(nn_linear_forward(&sl->fc, &r->tv_cat, &r->f));
    TRY(nn_mul(&r->t, &r->v, &r->tv));
    TRY(nn_add(&r->t, &r->v, &r->tpv));
    ens(&r->mix, dev, 2, N, H3);
    const nn_tensor *m3[3] = {&r->f, &r->tv, &r->tpv};
    TRY(nn_concat_cols(&r->mix, m3, 3));
    nn_tensor *hs6[] = {&r->h0, &r->h1, &r->h2, &r->h3, &r->h4, &r->h5, &r->z};
    for (int i = 0; i < 7; i++) ens(hs6[i], dev, 2, N, H3);
    TRY(nn_linear_forward(&sl->comb0, &r->mix, &r->h0));
    TRY(nn_batchnorm_forward(&sl->bn1, &r->h0, &r->h1, training, &r->bn1_c));
    TRY(nn_relu(&r->h1, &r->h2));
    TRY(nn_dropout_forward(c->fc_dropout, training, rng, &r->h2, &r->h3, &r->drop_mask));
    TRY(nn_linear_forward(&sl->comb4, &r->h3, &r->h4));
    TRY(nn_batchnorm_forward(&sl->bn5, &r->h4, &r->h5, training, &r->bn5_c));
    TRY(nn_relu(&r->h5, &r->z));

    /* heads */
    ens(&r->rpre, dev, 2, N, R);
    ens(&r->rsig, dev, 2, N, R);
    TRY(nn_linear_forward(&sl->refiner, &r->z, &r->rpre));
    TRY(nn_sigmoid(&r->rpre, &r->rsig));
    r->r_h = wsd_realloc(r->r_h, sizeof *r->r_h * (size_t)N * R);
    TRY(nn_tensor_to_host(&r->rsig, r->r_h, (size_t)N * R));
    if (!c->regress_only) {
        for (size_t i = 0; i < (size_t)N * R; i++) r->r_h[i] *= c->scale;
        ens(&r->score, dev, 2, N, A);
        TRY(nn_linear_forward(&sl->predictor, &r->z, &r->score));
        r->score_h = wsd_realloc(r->score_h, sizeof *r->score_h * (size_t)N * A);
        TRY(nn_tensor_to_host(&r->score, r->score_h, (size_t)N * A));
        for (int n = 0; n < N; n++) {
            const float *s = r->score_h + (size_t)n * A;
            int k = 0;
            for (int j = 1; j < A; j++)
                if (s[j] > s[k]) k = j;
            r->k[n] = k;
        }
    } else {
        for (int n = 0; n < N; n++) r->k[n] = 0;
    }
    return 0;
}

int wsd_sl_forward(wsd_sl *sl, wsd_sl_run *r, const wsd_batch *b, const int *ids, int training,
                   wsd_rng *rng) {
    return sl_forward(sl, r, b, ids, training, rng, NULL);
}

int wsd_sl_forward_same_video(wsd_sl *sl, wsd_sl_run *r, const wsd_batch *b, const int *ids,
                              wsd_rng *rng, const wsd_sl_run *first) {
    if (!first->training || first->B != b->B || first->T != b->T || first == r)
        return wsd_fail(
            "localizer: the video encoder to reuse is not a training forward on this batch");
    return sl_forward(sl, r, b, ids, 1, rng, first);
}

/* Centre and width of row n on the test path (before the resolver). */
static void test_cw(const wsd_sl *sl, const wsd_sl_run *r, int n, float *c, float *w) {
    if (sl->cfg.regress_only) {
        *c = r->r_h[2 * n];
        *w = r->r_h[2 * n + 1];
        return;
    }
    int k = r->k[n];
    wsd_seg a = wsd_anchor_cw(k);
    const float *rk = r->r_h + (size_t)n * 2 * sl->n_anchors + 2 * k;
    *c = a.a + (rk[0] - sl->cfg.scale / 2);
    *w = a.b + rk[1];
}

void wsd_sl_test_seconds(const wsd_sl *sl, const wsd_sl_run *r, const wsd_batch *b, float *out) {
    for (int n = 0; n < r->N; n++) {
        float c, w;
        test_cw(sl, r, n, &c, &w);
        wsd_seg se = wsd_cw_to_se_resolved((wsd_seg){c, w});
        float dur = b->video_len[2 * r->gather[n] + 1];
        out[2 * n] = se.a * dur;
        out[2 * n + 1] = se.b * dur;
    }
}

void wsd_sl_eval_cw(const wsd_sl *sl, const wsd_sl_run *r, float *cw) {
    /* The reference divides the seconds back by the duration; the product
     * and quotient round-trip exactly enough in float32 that we skip them. */
    for (int n = 0; n < r->N; n++) {
        float c, w;
        test_cw(sl, r, n, &c, &w);
        wsd_seg se = wsd_cw_to_se_resolved((wsd_seg){c, w});
        wsd_seg o = wsd_se_to_cw(se);
        cw[2 * n] = o.a;
        cw[2 * n + 1] = o.b;
    }
}

void wsd_sl_diff(const wsd_sl *sl, const wsd_sl_run *r, float *cw) {
    for (int n = 0; n < r->N; n++) {
        if (sl->cfg.regress_only) {
            cw[2 * n] = r->r_h[2 * n];
            cw[2 * n + 1] = r->r_h[2 * n + 1];
            continue;
        }
        int k = r->k[n];
        wsd_seg a = wsd_anchor_cw(k);
        const float *rk = r->r_h + (size_t)n * 2 * sl->n_anchors + 2 * k;
        cw[2 * n] = a.a + rk[0]; /* [quirk] no −scale/2 here, no clamp */
        cw[2 * n + 1] = a.b + rk[1];
    }
}

void wsd_sl_diff_grad(const wsd_sl *sl, const wsd_sl_run *r, const float *d_cw, float *d_r) {
    int R = sl->cfg.regress_only ? 2 : 2 * sl->n_anchors;
    memset(d_r, 0, sizeof *d_r * (size_t)r->N * R);
    for (int n = 0; n < r->N; n++) {
        int off = n * R + (sl->cfg.regress_only ? 0 : 2 * r->k[n]);
        d_r[off] = d_cw[2 * n];
        d_r[off + 1] = d_cw[2 * n + 1];
    }
}

/* Everything above the encoders: d_Y, d_Hv, d_S, d_Hs of the run. */
static int backward_head(wsd_sl *sl, wsd_sl_run *r, const float *d_score, const float *d_r) {
    const wsd_sl_config *c = &sl->cfg;
    int N = r->N, R = c->regress_only ? 2 : 2 * sl->n_anchors;
    if (!r->training) return wsd_fail("localizer: backward needs a training-mode forward");
    if (d_score && c->regress_only)
        return wsd_fail("localizer: the regression-only model has no score");
    nn_tensor *gz = zlike(&r->d_z, &r->z);
    if (d_score) {
        ens(&r->d_score, sl->dev, 2, N, sl->n_anchors);
        TRY(nn_tensor_from_host(&r->d_score, d_score, (size_t)N * sl->n_anchors));
        TRY(nn_linear_backward(&sl->predictor, &r->z, &r->d_score, gz));
    }
    if (d_r) {
        ens(&r->d_rsig, sl->dev, 2, N, R);
        TRY(nn_tensor_from_host(&r->d_rsig, d_r, (size_t)N * R));
        if (!c->regress_only) TRY(nn_scale(&r->d_rsig, c->scale));
        nn_tensor *grp = zlike(&r->d_rpre, &r->rpre);
        TRY(nn_sigmoid_backward(&r->rsig, &r->d_rsig, grp));
        TRY(nn_linear_backward(&sl->refiner, &r->z, grp, gz));
    }
    /* combiner, last stage first */
    TRY(nn_relu_backward(&r->z, gz, zlike(&r->d_h5, &r->h5)));
    TRY(nn_batchnorm_backward(&sl->bn5, &r->bn5_c, &r->d_h5, zlike(&r->d_h4, &r->h4)));
    TRY(nn_linear_backward(&sl->comb4, &r->h3, &r->d_h4, zlike(&r->d_h3, &r->h3)));
    TRY(nn_dropout_backward(&r->drop_mask, &r->d_h3, zlike(&r->d_h2, &r->h2)));
    TRY(nn_relu_backward(&r->h2, &r->d_h2, zlike(&r->d_h1, &r->h1)));
    TRY(nn_batchnorm_backward(&sl->bn1, &r->bn1_c, &r->d_h1, zlike(&r->d_h0, &r->h0)));
    TRY(nn_linear_backward(&sl->comb0, &r->mix, &r->d_h0, zlike(&r->d_mix, &r->mix)));
    nn_tensor *parts[3] = {zlike(&r->d_f, &r->f), zlike(&r->d_tv, &r->tv),
                           zlike(&r->d_tpv, &r->tpv)};
    TRY(nn_split_cols_acc(&r->d_mix, parts, 3));
    /* t⊙v and t+v */
    nn_tensor *gt = zlike(&r->d_t, &r->t), *gv = zlike(&r->d_v, &r->v);
    TRY(nn_axpy(1.0f, &r->d_tpv, gt));
    TRY(nn_axpy(1.0f, &r->d_tpv, gv));
    TRY(nn_mul_acc(&r->d_tv, &r->v, gt));
    TRY(nn_mul_acc(&r->d_tv, &r->t, gv));
    TRY(nn_linear_backward(&sl->fc, &r->tv_cat, &r->d_f, zlike(&r->d_tv_cat, &r->tv_cat)));
    nn_tensor *tvp[2] = {gt, gv};
    TRY(nn_split_cols_acc(&r->d_tv_cat, tvp, 2));
    TRY(nn_batchnorm_backward(&sl->bn_t, &r->bn_t_c, gt, zlike(&r->d_tctx, &r->tctx)));
    TRY(nn_batchnorm_backward(&sl->bn_v, &r->bn_v_c, gv, zlike(&r->d_vctx, &r->vctx)));
    /* attentions: the masks are binary here, no gradient through them */
    TRY(nn_attention_backward(&sl->tatt, &r->tatt_c, &r->S, NULL, &r->smask, &r->hv, &r->d_tctx,
                              zlike(&r->d_S, &r->S), NULL, zlike(&r->d_hv, &r->hv)));
    TRY(nn_attention_backward(&sl->vatt, &r->vatt_c, &r->Y, r->gather, &r->vmask, &r->hs,
                              &r->d_vctx, zlike(&r->d_Y, &r->Y), NULL, zlike(&r->d_hs, &r->hs)));
    TRY(nn_hidden_scatter_acc(zlike(&r->d_Hv, &r->Hv), &r->d_hv, r->gather, r->vlen_m1, N,
                              NN_HID_NLH));
    return nn_hidden_scatter_acc(zlike(&r->d_Hs, &r->Hs), &r->d_hs, r->iota, r->len, N, NN_HID_NLH);
}

/* the video's residual projection: dW += xᵀ d_Y over the videos' own rows */
static int backward_residual(wsd_sl *sl, wsd_sl_run *r, const nn_tensor *d_Y) {
    int B = r->B, T = r->T, F = sl->cfg.feat_dim, H = sl->cfg.hidden;
    if (F == H) return 0;
    nn_tensor x2 = nn_view2(&r->video, 0, B * T, F), dy2 = nn_view2(d_Y, 0, B * T, H);
    return nn_linear_backward_seq(&sl->vres, &x2, &dy2, B, T, r->vlen, NULL);
}

static int backward_text(wsd_sl *sl, wsd_sl_run *r) {
    int N = r->N, L = r->L;
    TRY(nn_gru_seq_backward(&sl->tenc, &r->tcache, &r->d_S, &r->d_Hs, zlike(&r->d_E, &r->E), NULL));
    nn_tensor ge2 = nn_view2(&r->d_E, 0, N * L, sl->cfg.embed);
    return nn_embedding_backward(&sl->emb, r->ids, N * L, &ge2);
}

int wsd_sl_backward(wsd_sl *sl, wsd_sl_run *r, const float *d_score, const float *d_r) {
    if (!d_score && !d_r) return 0;
    TRY(backward_head(sl, r, d_score, d_r));
    TRY(backward_residual(sl, r, &r->d_Y));
    TRY(nn_gru_seq_backward(&sl->venc, &r->vcache, &r->d_Y, &r->d_Hv, NULL, NULL));
    return backward_text(sl, r);
}

int wsd_sl_backward_pair(wsd_sl *sl, wsd_sl_run *r1, const float *d_score1, const float *d_r1,
                         wsd_sl_run *r2, const float *d_score2, const float *d_r2) {
    if ((!d_score1 && !d_r1) || (!d_score2 && !d_r2))
        return wsd_fail("localizer: a paired backward needs a gradient for both runs");
    if (r1->B != r2->B || r1->T != r2->T || r1->video.data == NULL || r2->video.data == NULL)
        return wsd_fail("localizer: a paired backward needs two runs on the same video");
    TRY(backward_head(sl, r2, d_score2, d_r2));
    TRY(backward_head(sl, r1, d_score1, d_r1));
    TRY(nn_gru_seq_backward_pair(&sl->venc, &r1->vcache, &r1->d_Y, &r1->d_Hv, &r2->vcache, &r2->d_Y,
                                 &r2->d_Hv));
    /* one residual backward for both: the same x */
    TRY(nn_axpy(1.0f, &r1->d_Y, &r2->d_Y));
    TRY(backward_residual(sl, r1, &r2->d_Y));
    TRY(backward_text(sl, r2));
    return backward_text(sl, r1);
}

int wsd_sl_ce(const wsd_sl_run *r, const int *labels, double *loss, float *d_score) {
    if (!r->score_h) return wsd_fail("localizer: cross-entropy needs the anchor model");
    int N = r->N, A = r->score.shape[1]; /* the model's anchor count: score is (N, A) */
    double total = 0;
    for (int n = 0; n < N; n++) {
        const float *s = r->score_h + (size_t)n * A;
        if (labels[n] < 0 || labels[n] >= A)
            return wsd_fail("localizer: label %d out of range", labels[n]);
        double mx = s[0], z = 0;
        for (int j = 1; j < A; j++) mx = s[j] > mx ? s[j] : mx;
        for (int j = 0; j < A; j++) z += exp(s[j] - mx);
        total += mx + log(z) - s[labels[n]];
        if (d_score)
            for (int j = 0; j < A; j++)
                d_score[n * A + j] = (float)((exp(s[j] - mx) / z - (j == labels[n])) / N);
    }
    *loss = total / N;
    return 0;
}

int wsd_sl_sup_target(wsd_seg g, float *target) {
    int best = 0;
    float best_iou = -1;
    for (int k = 0; k < WSD_NUM_ANCHORS; k++) {
        wsd_seg a = wsd_anchor_cw(k);
        wsd_seg ase = {a.a - a.b / 2, a.a + a.b / 2};
        float iou = wsd_model_iou(g, ase);
        if (iou > best_iou) {
            best_iou = iou;
            best = k;
        }
    }
    wsd_seg a = wsd_anchor_cw(best);
    float ds = (a.a - a.b / 2) - g.a, de = (a.a + a.b / 2) - g.b;
    target[0] = (ds + de) / 2; /* [quirk] anchor − GT, compared with offsets in (0, scale) */
    target[1] = de - ds;
    return best;
}

int wsd_sl_sup_loss(const wsd_sl *sl, const wsd_sl_run *r, const wsd_batch *b, float lambda,
                    double *loss, float *d_score, float *d_r) {
    int N = r->N, A = sl->n_anchors, R = 2 * A;
    if (sl->cfg.regress_only) return wsd_fail("localizer: the supervised loss needs anchors");
    int *label = wsd_malloc(sizeof *label * (size_t)N);
    float *target = wsd_malloc(sizeof *target * (size_t)N * 2);
    for (int n = 0; n < N; n++) {
        float dur = b->video_len[2 * b->gather[n] + 1];
        wsd_seg g = {b->ts_seconds[2 * n] / dur, b->ts_seconds[2 * n + 1] / dur};
        label[n] = wsd_sl_sup_target(g, target + 2 * n);
    }
    double ce;
    int rc = wsd_sl_ce(r, label, &ce, d_score);
    double l1 = 0;
    if (d_r) memset(d_r, 0, sizeof *d_r * (size_t)N * R);
    for (int n = 0; n < N && rc == 0; n++)
        for (int i = 0; i < 2; i++) {
            float diff = r->r_h[(size_t)n * R + 2 * label[n] + i] - target[2 * n + i];
            l1 += fabs(diff);
            if (d_r)
                d_r[(size_t)n * R + 2 * label[n] + i] =
                    lambda * (float)((diff > 0) - (diff < 0)) / (float)(2 * N);
        }
    *loss = ce + lambda * l1 / (2.0 * N);
    free(label);
    free(target);
    return rc;
}
