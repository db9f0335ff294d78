/* The sentence localizers (WSDEC model/sentence_localizer.py anchor based,
 * model/sentence_localizer_regressor.py regression-only): sentence + video → segment.
 *
 * Parameters carry the reference's state-dict keys (video_encoder.rnn_cell.*,
 * video_encoder.linear.weight, sent_embedding.weight, text_encoder.rnn_cell.*,
 * feature_mixer.{video,text}_attention.linear.weight,
 * feature_mixer.{text,video}_batch_norm.*, feature_mixer.fc.*,
 * feature_mixer.combiner.{0,1,4,5}.*, predictor.*, refiner.*) in the
 * checkpoint section "model_sl".
 *
 * One forward computes the anchor logits `score` (N, A) and the offsets
 * r = σ(refiner(z))·scale (N, A, 2) (regression-only: r = σ(refiner(z)),
 * (N, 2), no score). The three output paths (SentenceLocalizer.forward, forward_eval,
 * forward_diff) are read from it:
 *   test   anchor[k] + (r_c − scale/2, r_w), resolved to [0, 1−δ] × duration
 *   eval   the test path as normalised cw
 *   diff   anchor[k] + (r_c, r_w), unclamped ([quirk] no −scale/2 shift); the
 *          training path, differentiable in r but not in score
 * with k = argmax score (first maximum).
 *
 * Activations live in a wsd_sl_run so several forwards (the cycle runs the
 * localizer twice per batch) can be back-propagated together. */
#ifndef WSD_MODEL_SL_H
#define WSD_MODEL_SL_H

#include <cJSON.h>

#include "wsd/batch.h"
#include "nn/nn.h"
#include "wsd/segment.h"

typedef struct {
    int feat_dim, hidden, embed, vocab; /* 500, 512, 512, 6000 */
    int layers;                         /* 2 */
    float rnn_dropout, fc_dropout;      /* 0.3, 0.3 */
    float scale;                        /* regressor_scale: 0.3 final, 0.1 supervised */
    int regress_only;                   /* 1: sentence_localizer_regressor.py */
    int sample_rate;                    /* video_sample_rate, for the programs */
} wsd_sl_config;

void wsd_sl_config_default(wsd_sl_config *c);
/* Adds the fields to a JSON object (reference parameter names:
 * hidden_dim, sent_embedding_dim, video_feature_dim, vocab_size, rnn_layer,
 * rnn_dropout, fc_dropout, regressor_scale, video_sample_rate,
 * attention_type_sl, sl_type "anchor"/"regressor"). */
void wsd_sl_config_to_json(const wsd_sl_config *c, cJSON *obj);
/* Reads them back (missing fields keep their value); -1 + wsd_fail when a
 * present field has the wrong type or an impossible value. */
int wsd_sl_config_from_json(const cJSON *obj, wsd_sl_config *c);

typedef struct {
    wsd_sl_config cfg;
    nn_device dev;
    int n_anchors;    /* 15, or 0 for the regression-only localizer */
    nn_params params; /* section "model_sl" */
    nn_gru venc, tenc;
    nn_linear vres; /* residual F→H; absent (in = 0) when F == H */
    nn_embedding emb;
    nn_attention vatt, tatt;
    nn_batchnorm bn_t, bn_v, bn1, bn5;
    nn_linear fc, comb0, comb4, predictor, refiner;
    nn_params refiner_group; /* views: get_parameter_group(_c) */
    nn_params other_group;   /* everything but the refiner */
} wsd_sl;

/* Builds with PyTorch-0.3 default initialisation from `seed`. */
int wsd_sl_init(wsd_sl *sl, const wsd_sl_config *cfg, uint64_t seed, nn_device dev);
void wsd_sl_free(wsd_sl *sl);

/* Activations of one forward and the gradients of its backward; zero-initialise
 * ({0}) and reuse across batches. B videos of T steps and F features, N
 * sentences of L tokens, D = embed, H = hidden, Q = layers·H, A anchors, R =
 * 2A (2 with regress_only); d_X is d loss / d X, X's shape. */
typedef struct {
    int B, T, N, L, training;
    int *ids, *len, *vlen_m1, *gather, *iota; /* host copies, (N·L) and (N) */
    int *vlen;                                /* (B) the videos' lengths T_b */
    nn_tensor video;                          /* (B, T, F) */
    nn_tensor vmask;                          /* (N, T) video mask of each sentence's video */
    nn_tensor smask;                          /* (N, L) sentence mask */
    nn_tensor vres_out; /* (B·T, H) residual projection of the video (F != H) */
    nn_tensor Y;        /* (B, T, H) video encoder outputs with the residual */
    nn_tensor Hv;       /* (layers, B, T, H) every video encoder hidden state */
    nn_tensor E;        /* (N, L, D) word embeddings */
    nn_tensor S;        /* (N, L, H) text encoder outputs */
    nn_tensor Hs;       /* (layers, N, L, H) every text encoder hidden state */
    nn_gru_seq_cache vcache, tcache;
    nn_tensor hv, hs; /* (N, Q) last valid hidden states, video and text */
    nn_attention_cache vatt_c, tatt_c;
    nn_tensor tctx; /* (N, H) attention of hv over S */
    nn_tensor vctx; /* (N, H) attention of hs over Y */
    nn_tensor t, v; /* (N, H) BatchNorm of tctx, vctx */
    nn_batchnorm_cache bn_t_c, bn_v_c, bn1_c, bn5_c;
    nn_tensor tv_cat;                 /* (N, 2H) [t, v] */
    nn_tensor f, tv, tpv;             /* (N, H) fc([t, v]), t ⊙ v, t + v */
    nn_tensor mix;                    /* (N, 3H) [f, tv, tpv] */
    nn_tensor h0, h1, h2, h3, h4, h5; /* (N, 3H) combiner: linear, BN, ReLU, dropout, linear, BN */
    nn_tensor z;                      /* (N, 3H) ReLU(h5), input of both heads */
    nn_tensor drop_mask;              /* (N, 3H) */
    nn_tensor score;                  /* (N, A) anchor scores */
    nn_tensor rpre;                   /* (N, R) refiner before the sigmoid */
    nn_tensor rsig;                   /* (N, R) σ(rpre) */
    float *score_h, *r_h;             /* host (N, A) score, (N, R) r = σ·scale */
    int *k;                           /* (N) argmax anchor */
    /* backward: d loss / d of the activation of the same name */
    nn_tensor d_score;                  /* (N, A) */
    nn_tensor d_rsig, d_rpre;           /* (N, R) */
    nn_tensor d_z, d_h5, d_h4, d_h3;    /* (N, 3H) */
    nn_tensor d_h2, d_h1, d_h0, d_mix;  /* (N, 3H) */
    nn_tensor d_f, d_tv, d_tpv;         /* (N, H) */
    nn_tensor d_tv_cat;                 /* (N, 2H) */
    nn_tensor d_t, d_v, d_tctx, d_vctx; /* (N, H) */
    nn_tensor d_hv, d_hs;               /* (N, Q) */
    nn_tensor d_Y;                      /* (B, T, H) */
    nn_tensor d_Hv;                     /* (layers, B, T, H) */
    nn_tensor d_S;                      /* (N, L, H) */
    nn_tensor d_Hs;                     /* (layers, N, L, H) */
    nn_tensor d_E;                      /* (N, L, D) */
} wsd_sl_run;

void wsd_sl_run_free(wsd_sl_run *run);

/* Forward over batch b. `ids` (N×L, host) replaces b->caption when not NULL
 * (the cycle's teacher-forced argmax tokens, read with the GT lengths and
 * mask: train_final.py train_cg). Training mode uses dropout (rng) and BatchNorm batch
 * statistics (updating the running ones) and keeps what backward needs. */
int wsd_sl_forward(wsd_sl *sl, wsd_sl_run *run, const wsd_batch *b, const int *ids, int training,
                   wsd_rng *rng);
/* wsd_sl_forward in training mode whose video encoder's first GRU layer and
 * residual projection are copied from `first`, a training forward of the same
 * model on the same batch b with the same weights (the cycle's second pass
 * over the video: only the sentence differs, and no dropout acts before the
 * second layer, so the copied values are the ones it would compute): the
 * same bits and the same random draws as wsd_sl_forward, without a third of
 * the video encoder's work. */
int wsd_sl_forward_same_video(wsd_sl *sl, wsd_sl_run *run, const wsd_batch *b, const int *ids,
                              wsd_rng *rng, const wsd_sl_run *first);

/* Output paths (host, N rows), from the last forward of `run`. */
void wsd_sl_test_seconds(const wsd_sl *sl, const wsd_sl_run *run, const wsd_batch *b,
                         float *se_seconds);
void wsd_sl_eval_cw(const wsd_sl *sl, const wsd_sl_run *run, float *cw);
void wsd_sl_diff(const wsd_sl *sl, const wsd_sl_run *run, float *cw);

/* Backward of a training forward. d_score (N×A, host) reaches the predictor
 * and everything upstream; d_r (N×2A or N×2 for regression-only, host) the
 * refiner and everything upstream. Either may be NULL, in which case that
 * head is left untouched ([quirk] its gradient stays absent or zero, as
 * PyTorch's). Parameter gradients accumulate. */
int wsd_sl_backward(wsd_sl *sl, wsd_sl_run *run, const float *d_score, const float *d_r);
/* The backwards of r1 and r2, a run of wsd_sl_forward_same_video on r1's
 * video: as wsd_sl_backward on each, but the video encoder's shared first
 * layer and the residual projection run once on the sum of both runs'
 * gradients (the same gradients up to rounding, one pass fewer). Both runs
 * need a gradient. */
int wsd_sl_backward_pair(wsd_sl *sl, wsd_sl_run *r1, const float *d_score1, const float *d_r1,
                         wsd_sl_run *r2, const float *d_score2, const float *d_r2);
/* d_r of the diff path: d_r[n, k_n, :] = d_cw[n, :] (rest 0). d_r is N×2A
 * (N×2 regression-only). */
void wsd_sl_diff_grad(const wsd_sl *sl, const wsd_sl_run *run, const float *d_cw, float *d_r);

/* Mean cross-entropy of score against labels (N); d_score (host, may be
 * NULL) receives its gradient. */
int wsd_sl_ce(const wsd_sl_run *run, const int *labels, double *loss, float *d_score);

/* SentenceLocalizer._construct_label: supervised target of a GT segment (normalised se): the anchor
 * of highest model IoU (first on ties) and the regression target anchor − GT in cw ([quirk] the
 * sign the reference uses). */
int wsd_sl_sup_target(wsd_seg gt_se, float *target_cw);
/* Supervised loss CE(score, k*) + lambda·mean|r[k*] − target| over the
 * batch's GT timestamps; gradients (host, may be NULL) for wsd_sl_backward. */
int wsd_sl_sup_loss(const wsd_sl *sl, const wsd_sl_run *run, const wsd_batch *b, float lambda,
                    double *loss, float *d_score, float *d_r);

/* Loading from a checkpoint: wsd_sl_load() in wsd/ckpt.h. */

#endif
