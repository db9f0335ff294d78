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
 * The caller owns the model struct (its parameters and a dropout RNG) and the
 * wsd_cg_run of each forward's activations (a forward is followed by at most
 * one backward of the same run), the localizer's shape (model_sl.h). Batches
 * come from batch.h (host memory); the model uploads what it needs to its
 * device. */
#ifndef WSD_MODEL_CG_H
#define WSD_MODEL_CG_H

#include <cJSON.h>
#include <stdint.h>

#include "wsd/batch.h"
#include "nn/nn.h"

typedef struct {
    int feat_dim;            /* F, 500 */
    int hidden;              /* H, 512 */
    int embed;               /* E, 512 */
    int vocab;               /* V, the vocabulary size (6000) */
    int layers;              /* 2 */
    float dropout;           /* 0.3, between GRU layers, training only */
    nn_att_kind attention;   /* mean */
    nn_context_kind context; /* clr */
    float softmask_scale;    /* K = 0.1 */
    int max_cap_length;      /* Lmax = 20 */
    int sample_rate;         /* feature sub-sampling the model was trained with (2) */
} wsd_cg_config;

void wsd_cg_config_default(wsd_cg_config *c);
/* {"feat_dim":500,"hidden_dim":512,"embed_dim":512,"vocab_size":6000,"rnn_layer":2,
 *  "rnn_dropout":0.3,"attention_type":"mean","context_type":"clr","softmask_scale":0.1,
 *  "max_cap_length":20,"video_sample_rate":2} */
cJSON *wsd_cg_config_to_json(const wsd_cg_config *c);
/* Reads the keys above (missing ones keep their current value) from `j`, or
 * from j["model_cg"] when present (two-model checkpoints). 0 or -1. */
int wsd_cg_config_from_json(const cJSON *j, wsd_cg_config *c);

typedef struct {
    wsd_cg_config cfg;
    nn_device dev;
    nn_params params;   /* section "model_cg" */
    nn_gru enc, dec;    /* video_encoder.rnn_cell, decoder.rnn_cell */
    nn_linear residual; /* video_encoder.linear (F != H only) */
    int has_residual;
    nn_embedding emb;
    nn_softctx ctx;
    int n_ctx;     /* contexts concatenated into the decoder input (3 for clr) */
    nn_linear out; /* decoder.output_layer */
    /* Training mode turns on dropout, a fresh mask per step from rng (seeded
     * model seed ^ WSD_STREAM_CG_FIRST_DROPOUT; callers re-seed it with
     * wsd_rng_seed). Default: eval. */
    int training;
    wsd_rng rng;
} wsd_cg;

/* Builds with PyTorch-0.3 default initialisation from `seed`. 0 or -1 (cg
 * then holds nothing to free). */
int wsd_cg_init(wsd_cg *cg, const wsd_cg_config *cfg, uint64_t seed, nn_device dev);
void wsd_cg_free(wsd_cg *cg);

/* Activations of one forward (teacher forcing or decoding) and the gradients
 * of its backward; zero-initialise ({0}) and reuse across batches. B videos
 * of T steps and F features, N segments (one per sentence) of L tokens,
 * rows teacher-forced steps (each sentence's up to its last target, in
 * dec_cache's row layout: row off[t] + i is step t of sentence order[i]; at
 * most (L−1)·N; buffers keep their room across batches), E = embed,
 * H = hidden, C = n_ctx·H, V = vocab; d_X is d loss / d X, X's shape. */
typedef struct {
    int B, T, N, L;
    int *gather, *init_idx; /* (N) video and decoder-init step of each segment */
    int *vlen;              /* (B) the videos' lengths T_b */
    int *dlen;              /* (N) decoder steps of each sentence (to its last target) */
    int rows;               /* teacher-forced rows of the last forward */
    int *in_ids, *targets;  /* (rows) input token and target token of each step */
    float *weights;         /* (rows) caption mask of each target */
    nn_tensor video;        /* (B, T, F) */
    nn_tensor valid_b;      /* (B, T) video mask */
    nn_tensor enc_out;      /* (B, T, H) top GRU outputs */
    nn_tensor Y;            /* (B, T, H) encoder outputs with the residual */
    nn_tensor hs;           /* (layers, B, T, H) every encoder hidden state */
    nn_gru_seq_cache enc_cache;
    nn_tensor valid;    /* (N, T) video mask per segment */
    nn_tensor tn2;      /* (N, 2) T_n in both columns */
    nn_tensor seg_feat; /* (N, 2) segments in feature units */
    nn_tensor context;  /* (N, C) soft-masked mean contexts */
    nn_softctx_cache ctx_cache;
    nn_tensor emb_all;          /* (rows, E) word inputs; the context is the constant input */
    nn_tensor h0;               /* (layers, N, H) decoder initial states */
    nn_gru_seq_cache dec_cache; /* the decoder over all steps; its top layer is `tops`, (rows, H) */
    nn_tensor logits;           /* (rows, V), log-probabilities after the forward */
    /* backward: d loss / d the activation of the same name */
    nn_tensor d_logits;   /* (rows, V) */
    nn_tensor d_tops;     /* (rows, H) */
    nn_tensor d_h0;       /* (layers, N, H) */
    nn_tensor d_emb_all;  /* (rows, E) */
    nn_tensor d_context;  /* (N, C) */
    nn_tensor d_Y;        /* (B, T, H) */
    nn_tensor d_hs;       /* (layers, B, T, H) */
    nn_tensor d_seg_feat; /* (N, 2) */
    int have_grad_state;  /* the last forward kept what wsd_cg_backward needs */
} wsd_cg_run;

void wsd_cg_run_free(wsd_cg_run *run);

/* Loading from a checkpoint: wsd_cg_load() in wsd/ckpt.h. */

/* ---- teacher forcing (training, and the weakly supervised cycle) ---- */

/* Runs the model on batch b's videos and captions with the segments `seg`
 * (N, 2) normalised cw on the model's device (one per sentence of b, sentence
 * n belongs to video b->gather[n]). Writes the caption loss
 *   Σ_{n,t} mask·(−logp[n,t,ref]) / N
 * to *loss, and when pred is not NULL the teacher-forced argmax tokens
 * (N × L, host: pred[n·L] = <bos>, pred[n·L+t+1] = argmax logp_{t+1};
 * <eos> past the sentence's last target, where the decoder is not run).
 * Requires caption[:,0] = <bos> and caption[:,L−1] = <eos> (true for batches
 * from batch.h) and L ≥ 2. need_grad = 1 keeps what wsd_cg_backward needs. */
int wsd_cg_forward(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, const nn_tensor *seg,
                   int need_grad, double *loss, int *pred);
/* Back-propagates scale · d loss (scale 1: the loss itself) of the last
 * need_grad forward: parameter gradients accumulate (nn_param_grad), and
 * dseg (N, 2) on the device, when not NULL, += scale · d loss / d seg — the
 * path by which the caption loss trains the localizer (attention.py
 * ContextMaskC/L/R are differentiable in c and w). 0 or -1. */
int wsd_cg_backward(wsd_cg *cg, wsd_cg_run *run, float scale, nn_tensor *dseg);
/* Log-probabilities of the last forward of run as the reference returns
 * them: out (N × L × V, host), position 0 all zeros, and zeros past each
 * sentence's last target (not computed; the reference's values there are
 * masked out of the loss). */
int wsd_cg_logp_to_host(const wsd_cg *cg, const wsd_cg_run *run, float *out);

/* ---- decoding (evaluation mode regardless of the training flag) ---- */

/* Captions n segments of the videos of b: seg (n, 2) normalised cw and
 * gather (n) video index, both host memory (b's captions are ignored).
 * Beam search exactly as the reference (beam.h; beam 3, max_len 20) or
 * greedy (beam <= 1: argmax until <eos> or max_len words).
 * out_ids: n × (max_len + 2) ids starting with <bos>; out_len: ids up to and
 * including the first <eos>. Segments are processed `chunk` at a time
 * (0 = all) to bound memory. 0 or -1. */
int wsd_cg_decode(wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b, const float *seg,
                  const int *gather, int n, int beam, int max_len, int chunk, int *out_ids,
                  int *out_len);

#endif
