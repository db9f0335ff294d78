/* The caption generator (WSDEC model/caption_generator.py,
 * CaptionGenerator; model/networks/seq_decoder.py, RNNSeqDecoder) on the nn engine.
 *
 * Parameters carry the reference's state-dict keys (model/caption_generator.py):
 *   video_encoder.rnn_cell.{weight,bias}_{ih,hh}_l{0,1}   GRU2, input F
 *   video_encoder.linear.weight                           residual, (H, F), no bias
 *                                                         (absent when F == H: identity)
 *   decoder.rnn_cell.{weight,bias}_{ih,hh}_l{0,1}         GRU2, input E + 3H
 *   decoder.embedding.weight                              (V, E)
 *   decoder.output_layer.{weight,bias}                    (V, H), (V)
 *   decoder.attention_module.attention_{l,c,r}.linear.weight   only for type0/type1
 * in the parameter set's section "model_cg" (checkpoint group /model_cg/).
 *
 * [quirk] the reference sizes the decoder input as H + 3H, silently assuming
 * E == H; we use E + 3H, which is the same whenever E == H (the default).
 *
 * One model object owns its parameters, its caches (so a forward is followed
 * by at most one backward) and a dropout RNG. Batches come from batch.h
 * (host memory); the model uploads what it needs to its device. */
#ifndef WSD_MODEL_CG_H
#define WSD_MODEL_CG_H

#include <cJSON.h>
#include <stdint.h>

#include "wsd/batch.h"
#include "nn/nn.h"

typedef struct {
    int feat_dim;          /* F, 500 */
    int hidden;            /* H, 512 */
    int embed;             /* E, 512 */
    int vocab;             /* V, the vocabulary size (6000) */
    int layers;            /* 2 */
    float dropout;         /* 0.3, between GRU layers, training only */
    nn_att_kind attention; /* mean */
    nn_context_kind context; /* clr */
    float softmask_scale;  /* K = 0.1 */
    int max_cap_length;    /* Lmax = 20 */
    int sample_rate;       /* feature sub-sampling the model was trained with (2) */
} wsd_cg_config;

void wsd_cg_config_default(wsd_cg_config *c);
/* {"feat_dim":500,"hidden_dim":512,"embed_dim":512,"vocab_size":6000,"rnn_layer":2,
 *  "rnn_dropout":0.3,"attention_type":"mean","context_type":"clr","softmask_scale":0.1,
 *  "max_cap_length":20,"video_sample_rate":2} */
cJSON *wsd_cg_config_to_json(const wsd_cg_config *c);
/* Reads the keys above (missing ones keep their current value) from `j`, or
 * from j["model_cg"] when present (two-model checkpoints). 0 or -1. */
int wsd_cg_config_from_json(const cJSON *j, wsd_cg_config *c);

typedef struct wsd_cg wsd_cg;

/* A model with PyTorch-0.3 default initialisation drawn from `seed`. */
wsd_cg *wsd_cg_new(const wsd_cg_config *cfg, uint64_t seed, nn_device dev);
void wsd_cg_free(wsd_cg *cg);
const wsd_cg_config *wsd_cg_cfg(const wsd_cg *cg);
nn_params *wsd_cg_params(wsd_cg *cg);
nn_device wsd_cg_device(const wsd_cg *cg);
/* Training mode turns on dropout (a fresh mask per step from the model's RNG,
 * re-seeded by wsd_cg_seed_dropout). Default: eval. */
void wsd_cg_set_training(wsd_cg *cg, int training);
void wsd_cg_seed_dropout(wsd_cg *cg, uint64_t seed);

/* Loading from a checkpoint: wsd_cg_load() in wsd/ckpt.h. */

/* ---- teacher forcing (training, and the weakly supervised cycle) ---- */

/* Runs the model on batch b's videos and captions with the segments `seg`
 * (N, 2) normalised cw on the model's device (one per sentence of b, sentence
 * n belongs to video b->gather[n]). Writes the caption loss
 *   Σ_{n,t} mask·(−logp[n,t,ref]) / N
 * to *loss, and when pred is not NULL the teacher-forced argmax tokens
 * (N × L, host: pred[n·L] = <bos>, pred[n·L+t+1] = argmax logp_{t+1}).
 * Requires caption[:,0] = <bos> and caption[:,L−1] = <eos> (true for batches
 * from batch.h) and L ≥ 2. need_grad = 1 keeps what wsd_cg_backward needs. */
int wsd_cg_forward(wsd_cg *cg, const wsd_batch *b, const nn_tensor *seg, int need_grad,
                   double *loss, int *pred);
/* Back-propagates scale · d loss (scale 1: the loss itself) of the last
 * need_grad forward: parameter gradients accumulate (nn_param_grad), and
 * dseg (N, 2) on the device, when not NULL, += scale · d loss / d seg — the
 * path by which the caption loss trains the localizer (attention.py
 * ContextMaskC/L/R are differentiable in c and w). 0 or -1. */
int wsd_cg_backward(wsd_cg *cg, float scale, nn_tensor *dseg);
/* Log-probabilities of the last forward as the reference returns them:
 * out (N × L × V, host), position 0 all zeros. */
int wsd_cg_logp_to_host(const wsd_cg *cg, float *out);

/* ---- decoding (evaluation mode regardless of the training flag) ---- */

/* Captions n segments of the videos of b: seg (n, 2) normalised cw and
 * gather (n) video index, both host memory (b's captions are ignored).
 * Beam search exactly as the reference (beam.h; beam 3, max_len 20) or
 * greedy (beam <= 1: argmax until <eos> or max_len words).
 * out_ids: n × (max_len + 2) ids starting with <bos>; out_len: ids up to and
 * including the first <eos>. Segments are processed `chunk` at a time
 * (0 = all) to bound memory. 0 or -1. */
int wsd_cg_decode(wsd_cg *cg, const wsd_batch *b, const float *seg, const int *gather, int n,
                  int beam, int max_len, int chunk, int *out_ids, int *out_len);

#endif
