/* The caption generator (WSDEC model/caption_generator.py,
 * CaptionGenerator.forward): model construction, the
 * teacher-forced forward and its backward (parameters and segments). Decoding
 * lives in model_cg_decode.c, configuration and checkpoints in
 * model_cg_config.c. */
#include "wsd/model_cg_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wsd/segment.h"
#include "base/util.h"

static const char *const ATT_PREFIXES[3] = {
    "decoder.attention_module.attention_l",
    "decoder.attention_module.attention_c",
    "decoder.attention_module.attention_r",
};

wsd_cg *wsd_cg_new(const wsd_cg_config *cfg, uint64_t seed, nn_device dev) {
    if (cfg->feat_dim <= 0 || cfg->hidden <= 0 || cfg->embed <= 0 || cfg->vocab <= 2 ||
        cfg->layers <= 0 || cfg->layers > NN_RNN_MAX_LAYERS) {
        wsd_fail("caption generator: bad dimensions (F %d, H %d, E %d, V %d, layers %d)",
                 cfg->feat_dim, cfg->hidden, cfg->embed, cfg->vocab, cfg->layers);
        return NULL;
    }
    if (cfg->attention != NN_ATT_MEAN) {
        /* type0/1 would need the context recomputed from the decoder state at
         * every step; the reference's CG always uses mean (the attention_type
         * default of train_script/train_final.py). */
        wsd_fail("caption generator: only 'mean' attention is supported");
        return NULL;
    }
    wsd_cg *cg = wsd_calloc(1, sizeof *cg);
    cg->cfg = *cfg;
    cg->dev = dev;
    nn_params_init(&cg->ps, "model_cg");
    nn_rng rng;
    nn_rng_seed(&rng, seed);
    int F = cfg->feat_dim, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    int rc = nn_gru_init(&cg->enc, &cg->ps, "video_encoder.rnn_cell", F, H, cfg->layers,
                         cfg->dropout, &rng, dev);
    cg->has_residual = F != H; /* F == H: the reference's Identity, no parameter */
    if (!rc && cg->has_residual)
        rc = nn_linear_init(&cg->residual, &cg->ps, "video_encoder.linear", F, H, 0, &rng, dev);
    cg->n_ctx = cfg->context == NN_CTX_CLR ? 3 : cfg->context == NN_CTX_CL ? 2 : 1;
    if (!rc)
        rc = nn_gru_init(&cg->dec, &cg->ps, "decoder.rnn_cell", E + cg->n_ctx * H, H, cfg->layers,
                         cfg->dropout, &rng, dev);
    if (!rc) rc = nn_embedding_init(&cg->emb, &cg->ps, "decoder.embedding", V, E, &rng, dev);
    if (!rc)
        rc = nn_softctx_init(&cg->ctx, &cg->ps, ATT_PREFIXES, cfg->context, cfg->attention,
                             cfg->softmask_scale, H, cfg->layers * H, &rng, dev);
    if (!rc) rc = nn_linear_init(&cg->out, &cg->ps, "decoder.output_layer", H, V, 1, &rng, dev);
    if (rc) {
        wsd_cg_free(cg);
        return NULL;
    }
    nn_rng_seed(&cg->rng, seed ^ WSD_STREAM_CG_FIRST_DROPOUT);
    return cg;
}

static void free_forward_state(wsd_cg *cg) {
    nn_tensor *ts[] = {&cg->video, &cg->valid_b, &cg->valid, &cg->tn2, &cg->seg_feat, &cg->Y,
                       &cg->hs, &cg->enc_out, &cg->context, &cg->emb_all, &cg->h0,
                       &cg->logits, &cg->dlogits, &cg->d_tops, &cg->d_h0, &cg->d_emb_all,
                       &cg->d_context, &cg->d_Y, &cg->d_hs, &cg->d_seg_feat};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_gru_seq_cache_free(&cg->enc_cache);
    nn_gru_seq_cache_free(&cg->dec_cache);
    nn_softctx_cache_free(&cg->ctx_cache);
    free(cg->gather);
    free(cg->init_idx);
    free(cg->in_ids);
    free(cg->targets);
    free(cg->weights);
    cg->gather = cg->init_idx = cg->in_ids = cg->targets = NULL;
    cg->weights = NULL;
}

void wsd_cg_free(wsd_cg *cg) {
    if (!cg) return;
    free_forward_state(cg);
    nn_params_free(&cg->ps);
    free(cg);
}

const wsd_cg_config *wsd_cg_cfg(const wsd_cg *cg) { return &cg->cfg; }
nn_params *wsd_cg_params(wsd_cg *cg) { return &cg->ps; }
nn_device wsd_cg_device(const wsd_cg *cg) { return cg->dev; }
void wsd_cg_set_training(wsd_cg *cg, int training) { cg->training = training; }
void wsd_cg_seed_dropout(wsd_cg *cg, uint64_t seed) { nn_rng_seed(&cg->rng, seed); }

/* ---- shared pieces (also used by decoding) ---- */

int cg_encode(wsd_cg *cg, const wsd_batch *b, int training, int keep_cache) {
    int B = b->B, T = b->T, F = cg->cfg.feat_dim, H = cg->cfg.hidden;
    if (b->F != F)
        return wsd_fail("caption generator: features have %d dims, the model expects %d", b->F, F);
    nn_device dev = cg->dev;
    int s3[3] = {B, T, F}, so[3] = {B, T, H}, sh[4] = {cg->cfg.layers, B, T, H};
    nn_tensor_ensure(&cg->video, dev, 3, s3);
    nn_tensor_ensure2(&cg->valid_b, dev, B, T);
    nn_tensor_ensure(&cg->enc_out, dev, 3, so);
    nn_tensor_ensure(&cg->Y, dev, 3, so);
    nn_tensor_ensure(&cg->hs, dev, 4, sh);
    if (nn_tensor_from_host(&cg->video, b->video, (size_t)B * T * F) ||
        nn_tensor_from_host(&cg->valid_b, b->video_mask, (size_t)B * T))
        return -1;
    if (nn_gru_seq_forward(&cg->enc, &cg->video, NULL, &cg->enc_out, &cg->hs, training, &cg->rng,
                           keep_cache ? &cg->enc_cache : NULL))
        return -1;
    /* residual (seq_encoder.py RNNSeqEncoder._forward_residual): Y = o + R x (identity when F == H) */
    nn_tensor x2 = nn_view2(&cg->video, 0, B * T, F), y2 = nn_view2(&cg->Y, 0, B * T, H);
    if (cg->has_residual) {
        if (nn_linear_forward(&cg->residual, &x2, &y2)) return -1;
    } else if (nn_tensor_copy(&y2, &x2)) {
        return -1;
    }
    return nn_axpy(1.0f, &cg->enc_out, &cg->Y);
}

int cg_segments(wsd_cg *cg, const wsd_batch *b, const float *seg_host, const nn_tensor *seg,
                const int *gather, int n, nn_tensor *h0, int keep_cache) {
    nn_device dev = cg->dev;
    int T = b->T, H = cg->cfg.hidden;
    float *tn = wsd_malloc(sizeof(float) * 2 * (n ? n : 1));
    cg->init_idx = wsd_realloc(cg->init_idx, sizeof(int) * (n ? n : 1));
    cg->gather = wsd_realloc(cg->gather, sizeof(int) * (n ? n : 1));
    int rc = 0;
    for (int i = 0; i < n; i++) {
        int v = gather[i];
        if (v < 0 || v >= b->B) {
            rc = wsd_fail("caption generator: segment %d belongs to video %d of %d", i, v, b->B);
            break;
        }
        int Tn = (int)b->video_len[2 * v];
        wsd_seg cw = {seg_host[2 * i], seg_host[2 * i + 1]};
        cg->init_idx[i] = wsd_decoder_init_index(cw, Tn);
        if (cg->init_idx[i] > Tn - 1) cg->init_idx[i] = Tn - 1; /* only for c+w/2 ≥ 1 with tiny T */
        cg->gather[i] = v;
        tn[2 * i] = tn[2 * i + 1] = (float)Tn;
    }
    if (!rc) {
        nn_tensor_ensure2(&cg->tn2, dev, n, 2);
        nn_tensor_ensure2(&cg->seg_feat, dev, n, 2);
        nn_tensor_ensure2(&cg->valid, dev, n, T);
        nn_tensor_ensure2(&cg->context, dev, n, cg->n_ctx * H);
        rc = nn_tensor_from_host(&cg->tn2, tn, (size_t)2 * n);
    }
    free(tn);
    if (rc) return -1;
    /* the masks consume the segment in feature units: (c, w) · T_n (AttentionMask.forward) */
    if (nn_mul(seg, &cg->tn2, &cg->seg_feat) ||
        nn_gather_rows(&cg->valid, &cg->valid_b, cg->gather, n) ||
        nn_softctx_forward(&cg->ctx, &cg->Y, cg->gather, &cg->seg_feat, &cg->valid, NULL,
                           &cg->context, keep_cache ? &cg->ctx_cache : NULL) ||
        nn_hidden_gather(h0, &cg->hs, cg->gather, cg->init_idx, n, NN_HID_LNH))
        return -1;
    (void)H;
    return 0;
}

/* ---- teacher forcing ---- */

int wsd_cg_forward(wsd_cg *cg, const wsd_batch *b, const nn_tensor *seg, int need_grad,
                   double *loss, int *pred) {
    int N = b->N, L = b->L, H = cg->cfg.hidden, E = cg->cfg.embed, V = cg->cfg.vocab;
    int layers = cg->cfg.layers;
    nn_device dev = cg->dev;
    cg->have_grad_state = 0;
    if (N <= 0 || L < 2) return wsd_fail("caption generator: need sentences of >= 2 tokens");
    if (nn_check_shape(seg, "caption generator segments", 2, N, 2)) return -1;
    for (int n = 0; n < N; n++) {
        if (b->caption[(size_t)n * L] != WSD_BOS || b->caption[(size_t)n * L + L - 1] != WSD_EOS)
            return wsd_fail("caption generator: sentence %d must start with <bos> and end "
                            "with <eos>", n);
        for (int t = 0; t < L; t++)
            if (b->caption[(size_t)n * L + t] < 0 || b->caption[(size_t)n * L + t] >= V)
                return wsd_fail("caption generator: token id %d outside the vocabulary (%d)",
                                b->caption[(size_t)n * L + t], V);
    }
    cg->N = N;
    cg->L = L;
    cg->B = b->B;
    cg->T = b->T;
    if (cg_encode(cg, b, cg->training, need_grad)) return -1;
    float *seg_host = wsd_malloc(sizeof(float) * 2 * N);
    int rc = nn_tensor_to_host(seg, seg_host, (size_t)2 * N);
    int sh[3] = {layers, N, H};
    nn_tensor_ensure(&cg->h0, dev, 3, sh);
    if (!rc) rc = cg_segments(cg, b, seg_host, seg, b->gather, N, &cg->h0, need_grad);
    free(seg_host);
    if (rc) return -1;

    /* inputs and targets, time-major: row t·N + n */
    int steps = L - 1, rows = steps * N;
    cg->in_ids = wsd_realloc(cg->in_ids, sizeof(int) * rows);
    cg->targets = wsd_realloc(cg->targets, sizeof(int) * rows);
    cg->weights = wsd_realloc(cg->weights, sizeof(float) * rows);
    for (int t = 0; t < steps; t++)
        for (int n = 0; n < N; n++) {
            cg->in_ids[t * N + n] = b->caption[(size_t)n * L + t];
            cg->targets[t * N + n] = b->caption[(size_t)n * L + t + 1];
            cg->weights[t * N + n] = b->caption_mask[(size_t)n * L + t + 1];
        }
    nn_tensor_ensure2(&cg->emb_all, dev, rows, E);
    nn_tensor_ensure2(&cg->logits, dev, rows, V);
    if (nn_embedding_forward(&cg->emb, cg->in_ids, rows, &cg->emb_all)) return -1;
    /* the decoder over all steps at once: input [embedding_t, context], the
     * context projected once per segment (nn_gru_seq_forward_tm) */
    nn_tensor x = nn_view3(&cg->emb_all, 0, steps, N, E);
    if (nn_gru_seq_forward_tm(&cg->dec, &x, &cg->context, &cg->h0, cg->training, &cg->rng,
                              &cg->dec_cache))
        return -1;
    nn_tensor tops = nn_view2(&cg->dec_cache.h[layers - 1], (size_t)N * H, rows, H);
    if (nn_linear_forward(&cg->out, &tops, &cg->logits)) return -1;
    if (need_grad) {
        nn_tensor_ensure2(&cg->dlogits, dev, rows, V);
        nn_tensor_zero(&cg->dlogits);
    }
    double l = 0;
    if (nn_softmax_nll(&cg->logits, cg->targets, cg->weights, 1.0 / N, &cg->logits, &l,
                       need_grad ? &cg->dlogits : NULL))
        return -1;
    if (loss) *loss = l;
    if (pred) {
        int *am = wsd_malloc(sizeof(int) * rows);
        if (nn_argmax_rows(&cg->logits, am)) {
            free(am);
            return -1;
        }
        for (int n = 0; n < N; n++) {
            pred[(size_t)n * L] = WSD_BOS;
            for (int t = 0; t < steps; t++) pred[(size_t)n * L + t + 1] = am[t * N + n];
        }
        free(am);
    }
    cg->have_grad_state = need_grad;
    return 0;
}

int wsd_cg_logp_to_host(const wsd_cg *cg, float *out) {
    int N = cg->N, L = cg->L, V = cg->cfg.vocab;
    if (!cg->logits.data || N == 0) return wsd_fail("caption generator: no forward to read");
    float *lp = wsd_malloc(sizeof(float) * (size_t)(L - 1) * N * V);
    if (nn_tensor_to_host(&cg->logits, lp, (size_t)(L - 1) * N * V)) {
        free(lp);
        return -1;
    }
    for (int n = 0; n < N; n++) {
        memset(out + (size_t)n * L * V, 0, sizeof(float) * V);
        for (int t = 0; t < L - 1; t++)
            memcpy(out + ((size_t)n * L + t + 1) * V, lp + ((size_t)t * N + n) * V,
                   sizeof(float) * V);
    }
    free(lp);
    return 0;
}

int wsd_cg_backward(wsd_cg *cg, float scale, nn_tensor *dseg) {
    if (!cg->have_grad_state)
        return wsd_fail("caption generator: backward without a need_grad forward");
    cg->have_grad_state = 0;
    int N = cg->N, L = cg->L, B = cg->B, T = cg->T;
    int H = cg->cfg.hidden, E = cg->cfg.embed, F = cg->cfg.feat_dim, layers = cg->cfg.layers;
    int C = cg->n_ctx * H, steps = L - 1, rows = steps * N;
    nn_device dev = cg->dev;
    if (dseg && nn_check_shape(dseg, "caption generator dseg", 2, N, 2)) return -1;
    int rc = -1;
    /* gradient buffers kept across batches (nn_tensor_ensure zeroes them):
     * no fresh pages to fault in every step */
    int s_dh[3] = {layers, N, H}, s_dY[3] = {B, T, H}, s_dhs[4] = {layers, B, T, H};
    nn_tensor_ensure2(&cg->d_tops, dev, rows, H);
    nn_tensor_ensure(&cg->d_h0, dev, 3, s_dh);
    nn_tensor_ensure2(&cg->d_emb_all, dev, rows, E);
    nn_tensor_ensure2(&cg->d_context, dev, N, C);
    nn_tensor_ensure(&cg->d_Y, dev, 3, s_dY);
    nn_tensor_ensure(&cg->d_hs, dev, 4, s_dhs);
    nn_tensor_ensure2(&cg->d_seg_feat, dev, N, 2);
    nn_tensor dtops = cg->d_tops, dh = cg->d_h0, demb = cg->d_emb_all, dctx = cg->d_context;
    nn_tensor dY = cg->d_Y, dhs = cg->d_hs, dsegf = cg->d_seg_feat;
    nn_tensor tops = nn_view2(&cg->dec_cache.h[layers - 1], (size_t)N * H, rows, H);
    nn_tensor dout = nn_view3(&dtops, 0, steps, N, H), dx = nn_view3(&demb, 0, steps, N, E);
    if (scale != 1.0f && nn_scale(&cg->dlogits, scale)) goto done;
    if (nn_linear_backward(&cg->out, &tops, &cg->dlogits, &dtops)) goto done;
    /* the context's gradient is the sum over steps (inside the GRU) */
    if (nn_gru_seq_backward_tm(&cg->dec, &cg->dec_cache, &dout, &dx, &dctx, &dh) ||
        nn_embedding_backward(&cg->emb, cg->in_ids, rows, &demb))
        goto done;
    if (nn_hidden_scatter_acc(&dhs, &dh, cg->gather, cg->init_idx, N, NN_HID_LNH) ||
        nn_softctx_backward(&cg->ctx, &cg->ctx_cache, &cg->Y, cg->gather, &cg->seg_feat,
                            &cg->valid, NULL, &dctx, &dY, &dsegf, NULL))
        goto done;
    if (dseg && nn_mul_acc(&dsegf, &cg->tn2, dseg)) goto done;
    if (cg->has_residual) {
        nn_tensor x2 = nn_view2(&cg->video, 0, B * T, F), dy2 = nn_view2(&dY, 0, B * T, H);
        if (nn_linear_backward(&cg->residual, &x2, &dy2, NULL)) goto done;
    }
    if (nn_gru_seq_backward(&cg->enc, &cg->enc_cache, &dY, &dhs, NULL, NULL)) goto done;
    rc = 0;
done:
    return rc;
}
