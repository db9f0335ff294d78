/* The caption generator's state, shared by model_cg*.c only. */
#ifndef WSD_MODEL_CG_INTERNAL_H
#define WSD_MODEL_CG_INTERNAL_H

#include "wsd/model_cg.h"

struct wsd_cg {
    wsd_cg_config cfg;
    nn_device dev;
    nn_params ps;
    nn_gru enc, dec;
    nn_linear residual;     /* video_encoder.linear (F != H only) */
    int has_residual;
    nn_embedding emb;
    nn_softctx ctx;
    int n_ctx;              /* contexts concatenated into the decoder input (3 for clr) */
    nn_linear out;
    nn_rng rng;             /* dropout masks */
    int training;

    /* the last forward (teacher forcing or decoding) */
    int B, T, N, L;
    nn_tensor video;        /* (B, T, F) */
    nn_tensor valid_b;      /* (B, T) video mask */
    nn_tensor enc_out;      /* (B, T, H) top GRU outputs */
    nn_tensor Y;            /* (B, T, H) encoder outputs with the residual */
    nn_tensor hs;           /* (layers, B, T, H) every encoder hidden state */
    nn_tensor valid;        /* (N, T) video mask per segment */
    nn_tensor tn2;          /* (N, 2) T_n in both columns */
    nn_tensor seg_feat;     /* (N, 2) segments in feature units */
    nn_tensor context;      /* (N, n_ctx·H) soft-masked mean contexts */
    int *gather, *init_idx; /* (N) video and decoder-init step of each segment */
    nn_gru_seq_cache enc_cache;
    nn_softctx_cache ctx_cache;
    /* teacher forcing, rows time-major (t·N + n) */
    int *in_ids, *targets;
    float *weights;
    nn_tensor emb_all;      /* (rows, E) word inputs; the context is the constant input */
    nn_tensor h0;           /* (layers, N, H) decoder initial states */
    nn_tensor logits;       /* (rows, V), log-probabilities after the forward */
    nn_tensor dlogits;      /* (rows, V) d loss / d logits */
    nn_gru_seq_cache dec_cache; /* the decoder over all steps; its top layer is the (rows, H) output */
    /* backward buffers, kept: d loss / d the activation of the same name */
    nn_tensor d_tops;       /* (rows, H) the decoder's top-layer outputs */
    nn_tensor d_h0;         /* (layers, N, H) */
    nn_tensor d_emb_all;    /* (rows, E) */
    nn_tensor d_context;    /* (N, n_ctx·H) */
    nn_tensor d_Y;          /* (B, T, H) */
    nn_tensor d_hs;         /* (layers, B, T, H) */
    nn_tensor d_seg_feat;   /* (N, 2) */
    int have_grad_state;
};

/* Runs the video encoder on b into Y and hs. */
int cg_encode(wsd_cg *cg, const wsd_batch *b, int training, int keep_cache);
/* For n segments (seg on the device, seg_host its copy; gather: video of each)
 * computes the contexts into cg->context and the decoder initial states into
 * h0 (layers, n, H). */
int cg_segments(wsd_cg *cg, const wsd_batch *b, const float *seg_host, const nn_tensor *seg,
                const int *gather, int n, nn_tensor *h0, int keep_cache);

#endif
