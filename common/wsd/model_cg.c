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

int wsd_cg_init(wsd_cg *cg, const wsd_cg_config *cfg, uint64_t seed, nn_device dev) {
    memset(cg, 0, sizeof *cg);
    if (cfg->feat_dim <= 0 || cfg->hidden <= 0 || cfg->embed <= 0 || cfg->vocab <= 2 ||
        cfg->layers <= 0 || cfg->layers > NN_RNN_MAX_LAYERS)
        return wsd_fail("caption generator: bad dimensions (F %d, H %d, E %d, V %d, layers %d)",
                        cfg->feat_dim, cfg->hidden, cfg->embed, cfg->vocab, cfg->layers);
    if (cfg->attention != NN_ATT_MEAN) {
        /* type0/1 would need the context recomputed from the decoder state at
         * every step; the reference's CG always uses mean (the attention_type
         * default of train_script/train_final.py). */
        return wsd_fail("caption generator: only 'mean' attention is supported");
    }
    cg->cfg = *cfg;
    cg->dev = dev;
    nn_params_init(&cg->params, "model_cg");
    wsd_rng rng;
    wsd_rng_seed(&rng, seed);
    int F = cfg->feat_dim, H = cfg->hidden, E = cfg->embed, V = cfg->vocab;
    int rc = nn_gru_init(&cg->enc, &cg->params, "video_encoder.rnn_cell", F, H, cfg->layers,
                         cfg->dropout, &rng, dev);
    cg->has_residual = F != H; /* F == H: the reference's Identity, no parameter */
    if (!rc && cg->has_residual)
        rc = nn_linear_init(&cg->residual, &cg->params, "video_encoder.linear", F, H, 0, &rng, dev);
    cg->n_ctx = cfg->context == NN_CTX_CLR ? 3 : cfg->context == NN_CTX_CL ? 2 : 1;
    if (!rc)
        rc = nn_gru_init(&cg->dec, &cg->params, "decoder.rnn_cell", E + cg->n_ctx * H, H,
                         cfg->layers, cfg->dropout, &rng, dev);
    if (!rc) rc = nn_embedding_init(&cg->emb, &cg->params, "decoder.embedding", V, E, &rng, dev);
    if (!rc)
        rc = nn_softctx_init(&cg->ctx, &cg->params, ATT_PREFIXES, cfg->context, cfg->attention,
                             cfg->softmask_scale, H, cfg->layers * H, &rng, dev);
    if (!rc) rc = nn_linear_init(&cg->out, &cg->params, "decoder.output_layer", H, V, 1, &rng, dev);
    if (rc) {
        wsd_cg_free(cg);
        return -1;
    }
    wsd_rng_seed(&cg->rng, seed ^ WSD_STREAM_CG_FIRST_DROPOUT);
    return 0;
}

void wsd_cg_run_free(wsd_cg_run *run) {
    nn_tensor *ts[] = {&run->video,     &run->valid_b, &run->valid, &run->tn2,
                       &run->seg_feat,  &run->Y,       &run->hs,    &run->enc_out,
                       &run->context,   &run->emb_all, &run->h0,    &run->logits,
                       &run->d_logits,  &run->d_tops,  &run->d_h0,  &run->d_emb_all,
                       &run->d_context, &run->d_Y,     &run->d_hs,  &run->d_seg_feat};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) nn_tensor_free(ts[i]);
    nn_gru_seq_cache_free(&run->enc_cache);
    nn_gru_seq_cache_free(&run->dec_cache);
    nn_softctx_cache_free(&run->ctx_cache);
    free(run->gather);
    free(run->init_idx);
    free(run->vlen);
    free(run->dlen);
    free(run->in_ids);
    free(run->targets);
    free(run->weights);
    memset(run, 0, sizeof *run);
}

void wsd_cg_free(wsd_cg *cg) {
    nn_params_free(&cg->params);
    memset(cg, 0, sizeof *cg);
}

/* ---- shared pieces (also used by decoding) ---- */

int cg_encode(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, int training, int keep_cache) {
    int B = b->B, T = b->T, F = cg->cfg.feat_dim, H = cg->cfg.hidden;
    if (b->F != F)
        return wsd_fail("caption generator: features have %d dims, the model expects %d", b->F, F);
    nn_device dev = cg->dev;
    int s3[3] = {B, T, F}, so[3] = {B, T, H}, sh[4] = {cg->cfg.layers, B, T, H};
    /* each overwritten whole below */
    nn_tensor_reserve(&run->video, dev, 3, s3);
    nn_tensor_ensure2(&run->valid_b, dev, B, T);
    nn_tensor_reserve(&run->enc_out, dev, 3, so);
    nn_tensor_reserve(&run->Y, dev, 3, so);
    nn_tensor_reserve(&run->hs, dev, 4, sh);
    if (nn_tensor_from_host(&run->video, b->video, (size_t)B * T * F) ||
        nn_tensor_from_host(&run->valid_b, b->video_mask, (size_t)B * T))
        return -1;
    /* the padding past each video's end is left out: the context masks and
     * the initial-state index read only steps < T_b */
    run->vlen = wsd_realloc(run->vlen, sizeof(int) * (size_t)(B > 0 ? B : 1));
    for (int v = 0; v < B; v++) run->vlen[v] = (int)b->video_len[2 * v];
    if (nn_gru_seq_forward_len(&cg->enc, &run->video, run->vlen, NULL, &run->enc_out, &run->hs,
                               training, &cg->rng, keep_cache ? &run->enc_cache : NULL))
        return -1;
    /* residual (seq_encoder.py RNNSeqEncoder._forward_residual): Y = o + R x (identity when F == H)
     */
    nn_tensor x2 = nn_view2(&run->video, 0, B * T, F), y2 = nn_view2(&run->Y, 0, B * T, H);
    if (cg->has_residual) {
        TRY(nn_linear_forward_seq(&cg->residual, &x2, B, T, run->vlen, &y2));
    } else if (nn_tensor_copy(&y2, &x2)) {
        return -1;
    }
    return nn_axpy(1.0f, &run->enc_out, &run->Y);
}

int cg_segments(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, const float *seg_host,
                const nn_tensor *seg, const int *gather, int n, nn_tensor *h0, int keep_cache) {
    nn_device dev = cg->dev;
    int T = b->T, H = cg->cfg.hidden;
    float *tn = wsd_malloc(sizeof(float) * 2 * (n ? n : 1));
    run->init_idx = wsd_realloc(run->init_idx, sizeof(int) * (n ? n : 1));
    run->gather = wsd_realloc(run->gather, sizeof(int) * (n ? n : 1));
    int rc = 0;
    for (int i = 0; i < n; i++) {
        int v = gather[i];
        if (v < 0 || v >= b->B) {
            rc = wsd_fail("caption generator: segment %d belongs to video %d of %d", i, v, b->B);
            break;
        }
        int Tn = (int)b->video_len[2 * v];
        wsd_seg cw = {seg_host[2 * i], seg_host[2 * i + 1]};
        run->init_idx[i] = wsd_decoder_init_index(cw, Tn);
        if (run->init_idx[i] > Tn - 1)
            run->init_idx[i] = Tn - 1; /* only for c+w/2 ≥ 1 with tiny T */
        run->gather[i] = v;
        tn[2 * i] = tn[2 * i + 1] = (float)Tn;
    }
    if (!rc) {
        nn_tensor_ensure2(&run->tn2, dev, n, 2);
        nn_tensor_ensure2(&run->seg_feat, dev, n, 2);
        nn_tensor_ensure2(&run->valid, dev, n, T);
        nn_tensor_ensure2(&run->context, dev, n, cg->n_ctx * H);
        rc = nn_tensor_from_host(&run->tn2, tn, (size_t)2 * n);
    }
    free(tn);
    if (rc) return -1;
    /* the masks consume the segment in feature units: (c, w) · T_n (AttentionMask.forward) */
    if (nn_mul(seg, &run->tn2, &run->seg_feat) ||
        nn_gather_rows(&run->valid, &run->valid_b, run->gather, n) ||
        nn_softctx_forward(&cg->ctx, &run->Y, run->gather, &run->seg_feat, &run->valid, NULL,
                           &run->context, keep_cache ? &run->ctx_cache : NULL) ||
        nn_hidden_gather(h0, &run->hs, run->gather, run->init_idx, n, NN_HID_LNH))
        return -1;
    (void)H;
    return 0;
}

/* ---- teacher forcing ---- */

int wsd_cg_forward(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, const nn_tensor *seg,
                   int need_grad, double *loss, int *pred) {
    int N = b->N, L = b->L, H = cg->cfg.hidden, E = cg->cfg.embed, V = cg->cfg.vocab;
    int layers = cg->cfg.layers;
    nn_device dev = cg->dev;
    run->have_grad_state = 0;
    if (N <= 0 || L < 2) return wsd_fail("caption generator: need sentences of >= 2 tokens");
    TRY(nn_check_shape(seg, "caption generator segments", 2, N, 2));
    for (int n = 0; n < N; n++) {
        if (b->caption[(size_t)n * L] != WSD_BOS || b->caption[(size_t)n * L + L - 1] != WSD_EOS)
            return wsd_fail("caption generator: sentence %d must start with <bos> and end "
                            "with <eos>",
                            n);
        for (int t = 0; t < L; t++)
            if (b->caption[(size_t)n * L + t] < 0 || b->caption[(size_t)n * L + t] >= V)
                return wsd_fail("caption generator: token id %d outside the vocabulary (%d)",
                                b->caption[(size_t)n * L + t], V);
    }
    run->N = N;
    run->L = L;
    run->B = b->B;
    run->T = b->T;
    TRY(cg_encode(cg, run, b, cg->training, need_grad));
    float *seg_host = wsd_malloc(sizeof(float) * 2 * N);
    int rc = nn_tensor_to_host(seg, seg_host, (size_t)2 * N);
    int sh[3] = {layers, N, H};
    nn_tensor_ensure(&run->h0, dev, 3, sh);
    if (!rc) rc = cg_segments(cg, run, b, seg_host, seg, b->gather, N, &run->h0, need_grad);
    free(seg_host);
    if (rc) return -1;

    /* The decoder runs each sentence up to its last target and leaves out
     * the padding after it (the reference computes it and masks it out of
     * the loss): sentences longest first, row off[t] + i is step t of
     * sentence order[i] (nn_gru_seq_layout). */
    int steps = L - 1;
    run->dlen = wsd_realloc(run->dlen, sizeof(int) * (size_t)N);
    for (int n = 0; n < N; n++) {
        run->dlen[n] = 1;
        for (int t = 0; t < steps; t++)
            if (b->caption_mask[(size_t)n * L + t + 1] != 0) run->dlen[n] = t + 1;
    }
    nn_gru_seq_cache *dc = &run->dec_cache;
    TRY(nn_gru_seq_layout(dc, steps, N, run->dlen));
    int rows = dc->rows;
    run->rows = rows;
    run->in_ids = wsd_realloc(run->in_ids, sizeof(int) * rows);
    run->targets = wsd_realloc(run->targets, sizeof(int) * rows);
    run->weights = wsd_realloc(run->weights, sizeof(float) * rows);
    for (int t = 0; t < steps; t++)
        for (int i = 0; i < dc->count[t]; i++) {
            int r = dc->off[t] + i, n = dc->order[i];
            run->in_ids[r] = b->caption[(size_t)n * L + t];
            run->targets[r] = b->caption[(size_t)n * L + t + 1];
            run->weights[r] = b->caption_mask[(size_t)n * L + t + 1];
        }
    /* both overwritten whole */
    nn_tensor emb = nn_tensor_room2(&run->emb_all, dev, rows, E);
    nn_tensor logits = nn_tensor_room2(&run->logits, dev, rows, V);
    TRY(nn_embedding_forward(&cg->emb, run->in_ids, rows, &emb));
    /* the decoder over all steps at once: input [embedding_t, context], the
     * context projected once per segment */
    if (nn_gru_seq_forward_rows(&cg->dec, &emb, &run->context, &run->h0, cg->training, &cg->rng,
                                dc))
        return -1;
    nn_tensor tops = nn_gru_seq_top_rows(&cg->dec, dc);
    TRY(nn_linear_forward(&cg->out, &tops, &logits));
    nn_tensor dlogits = {0};
    if (need_grad) {
        dlogits = nn_tensor_room2(&run->d_logits, dev, rows, V);
        nn_tensor_zero(&dlogits);
    }
    double l = 0;
    if (nn_softmax_nll(&logits, run->targets, run->weights, 1.0 / N, &logits, &l,
                       need_grad ? &dlogits : NULL))
        return -1;
    if (loss) *loss = l;
    if (pred) {
        int *am = wsd_malloc(sizeof(int) * rows);
        if (nn_argmax_rows(&logits, am)) {
            free(am);
            return -1;
        }
        for (int n = 0; n < N; n++) {
            pred[(size_t)n * L] = WSD_BOS;
            for (int t = 0; t < steps; t++) pred[(size_t)n * L + t + 1] = WSD_EOS;
        }
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < dc->count[t]; i++)
                pred[(size_t)dc->order[i] * L + t + 1] = am[dc->off[t] + i];
        free(am);
    }
    run->have_grad_state = need_grad;
    return 0;
}

int wsd_cg_logp_to_host(const wsd_cg *cg, const wsd_cg_run *run, float *out) {
    int N = run->N, L = run->L, V = cg->cfg.vocab, rows = run->rows;
    const nn_gru_seq_cache *dc = &run->dec_cache;
    if (!run->logits.data || N == 0) return wsd_fail("caption generator: no forward to read");
    float *lp = wsd_malloc(sizeof(float) * (size_t)rows * V);
    if (nn_tensor_to_host(&run->logits, lp, (size_t)rows * V)) {
        free(lp);
        return -1;
    }
    memset(out, 0, sizeof(float) * (size_t)N * L * V);
    for (int t = 0; t < L - 1; t++)
        for (int i = 0; i < dc->count[t]; i++)
            memcpy(out + ((size_t)dc->order[i] * L + t + 1) * V, lp + (size_t)(dc->off[t] + i) * V,
                   sizeof(float) * V);
    free(lp);
    return 0;
}

int wsd_cg_backward(wsd_cg *cg, wsd_cg_run *run, float scale, nn_tensor *dseg) {
    if (!run->have_grad_state)
        return wsd_fail("caption generator: backward without a need_grad forward");
    run->have_grad_state = 0;
    int N = run->N, B = run->B, T = run->T;
    int H = cg->cfg.hidden, E = cg->cfg.embed, F = cg->cfg.feat_dim, layers = cg->cfg.layers;
    int C = cg->n_ctx * H, rows = run->rows;
    nn_device dev = cg->dev;
    if (dseg) TRY(nn_check_shape(dseg, "caption generator dseg", 2, N, 2));
    /* gradient buffers kept across batches (nn_tensor_ensure zeroes them):
     * no fresh pages to fault in every step */
    int s_dh[3] = {layers, N, H}, s_dY[3] = {B, T, H}, s_dhs[4] = {layers, B, T, H};
    nn_tensor dtops = nn_tensor_room2(&run->d_tops, dev, rows, H);
    nn_tensor demb = nn_tensor_room2(&run->d_emb_all, dev, rows, E);
    nn_tensor_zero(&dtops);
    nn_tensor_zero(&demb);
    nn_tensor_ensure(&run->d_h0, dev, 3, s_dh);
    nn_tensor_ensure2(&run->d_context, dev, N, C);
    nn_tensor_ensure(&run->d_Y, dev, 3, s_dY);
    nn_tensor_ensure(&run->d_hs, dev, 4, s_dhs);
    nn_tensor_ensure2(&run->d_seg_feat, dev, N, 2);
    nn_tensor dh = run->d_h0, dctx = run->d_context;
    nn_tensor dY = run->d_Y, dhs = run->d_hs, dsegf = run->d_seg_feat;
    nn_tensor tops = nn_gru_seq_top_rows(&cg->dec, &run->dec_cache);
    nn_tensor dlogits = nn_view2(&run->d_logits, 0, rows, cg->cfg.vocab);
    if (scale != 1.0f) TRY(nn_scale(&dlogits, scale));
    TRY(nn_linear_backward(&cg->out, &tops, &dlogits, &dtops));
    /* the context's gradient is the sum over steps (inside the GRU) */
    TRY(nn_gru_seq_backward_rows(&cg->dec, &run->dec_cache, &dtops, &demb, &dctx, &dh));
    TRY(nn_embedding_backward(&cg->emb, run->in_ids, rows, &demb));
    TRY(nn_hidden_scatter_acc(&dhs, &dh, run->gather, run->init_idx, N, NN_HID_LNH));
    TRY(nn_softctx_backward(&cg->ctx, &run->ctx_cache, &run->Y, run->gather, &run->seg_feat,
                            &run->valid, NULL, &dctx, &dY, &dsegf, NULL));
    if (dseg) TRY(nn_mul_acc(&dsegf, &run->tn2, dseg));
    if (cg->has_residual) {
        nn_tensor x2 = nn_view2(&run->video, 0, B * T, F), dy2 = nn_view2(&dY, 0, B * T, H);
        TRY(nn_linear_backward_seq(&cg->residual, &x2, &dy2, B, T, run->vlen, NULL));
    }
    TRY(nn_gru_seq_backward(&cg->enc, &run->enc_cache, &dY, &dhs, NULL, NULL));
    return 0;
}
