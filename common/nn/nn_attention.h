/* Attention over a feature sequence (WSDEC
 * model/networks/attention.py: AttentionMean, AttentionType0/1/2) and the soft-masked,
 * segment-conditioned contexts of the caption generator (attention.py AttentionMask,
 * ContextMaskC/L/R).
 *
 * Features are (B, T, D) per video; the N attention rows may each pick a video
 * through `gather` (row n attends over feats[gather[n]]; NULL = identity,
 * N = B), so segments never copy their video's features. mask (N, T), query
 * (N, Q), context (N, D). Backward functions take the same inputs as the
 * forward (unchanged) plus the cache, and ADD into dfeats / dmask / dquery
 * (each may be NULL). */
#ifndef WSD_NN_ATTENTION_H
#define WSD_NN_ATTENTION_H

#include "nn/nn_param.h"

#define NN_DELTA 1e-4f

typedef enum {
    NN_ATT_MEAN = 0,  /* Σ m f / (Σ m + δ); ignores the query; differentiable in m */
    NN_ATT_TYPE0 = 1, /* softmax((W f)·q / √Q) over m != 0; W: Linear D→Q, no bias */
    NN_ATT_TYPE1 = 2, /* as type0 without the 1/√Q */
    NN_ATT_TYPE2 = 3  /* type0 over f + PE[pos], PE (pe_size, D) initialised to identity */
} nn_att_kind;

/* "mean", "type0", "type1", "type2" → kind; -1 otherwise. */
int nn_att_kind_parse(const char *name, nn_att_kind *out);

typedef struct {
    nn_att_kind kind;
    int feat_dim, query_dim, pe_size;
    nn_param *w;  /* (Q, D) "<prefix>.weight" for type0/1/2 */
    nn_param *pe; /* (pe_size, D) "<prefix_pe>.weight" for type2 */
} nn_attention;

/* prefix names W's Linear (e.g. "video_attention.linear"), pe_prefix the
 * position embedding (type2 only; may be NULL otherwise). Linear W init
 * U(−1/√D, 1/√D). */
int nn_attention_init(nn_attention *a, nn_params *ps, const char *prefix, const char *pe_prefix,
                      nn_att_kind kind, int feat_dim, int query_dim, int pe_size, wsd_rng *rng,
                      nn_device dev);

typedef struct {
    nn_tensor alpha; /* (N, T) attention weights (mean: m / (Σm+δ)) */
    nn_tensor u;     /* (N, D) Wᵀq·scale (type0/1/2) */
    nn_tensor msum;  /* (N) Σ m (mean, type2) */
    nn_tensor ctx;   /* (N, D) copy of the output */
    nn_tensor scratch;
} nn_attention_cache;

void nn_attention_cache_free(nn_attention_cache *c);

/* Rows whose mask is entirely zero get a zero context with type0/1/2 (PyTorch
 * would produce NaN there). */
int nn_attention_forward(const nn_attention *a, const nn_tensor *feats, const int *gather,
                         const nn_tensor *mask, const nn_tensor *query, nn_tensor *ctx,
                         nn_attention_cache *cache);
int nn_attention_backward(const nn_attention *a, const nn_attention_cache *cache,
                          const nn_tensor *feats, const int *gather, const nn_tensor *mask,
                          const nn_tensor *query, const nn_tensor *dctx, nn_tensor *dfeats,
                          nn_tensor *dmask, nn_tensor *dquery);

/* ---- soft masks (attention.py ContextMaskC/L/R) ---- */

typedef enum { NN_MASK_C = 0, NN_MASK_L = 1, NN_MASK_R = 2 } nn_softmask_kind;

/* seg (N, 2) = (c, w) in feature units; for i = 0…T−1:
 *   C: σ(K(i−c+w/2)) − σ(K(i−c−w/2)); L: σ(−K(i−c+w/2)); R: σ(K(i−c−w/2));
 * times valid (N, T) (the video mask; NULL = all ones). mask (N, T). */
int nn_softmask_forward(nn_softmask_kind kind, float scale, const nn_tensor *seg,
                        const nn_tensor *valid, nn_tensor *mask);
/* dseg (N, 2) += dL/d(c, w). */
int nn_softmask_backward(nn_softmask_kind kind, float scale, const nn_tensor *seg,
                         const nn_tensor *valid, const nn_tensor *dmask, nn_tensor *dseg);

/* The caption generator's AttentionMask: one attention module per mask of the
 * context type, contexts concatenated in the reference's order
 * ([l, c, r] for clr, [l, c] for cl, [c] for c) → (N, k·D). */
typedef enum { NN_CTX_C = 0, NN_CTX_CL = 1, NN_CTX_CLR = 2 } nn_context_kind;
int nn_context_kind_parse(const char *name, nn_context_kind *out);

typedef struct {
    nn_context_kind kind;
    int n_masks;               /* 1, 2 or 3 */
    nn_softmask_kind masks[3]; /* in output order */
    nn_attention att[3];
    float scale; /* K, softmask_scale (0.1) */
} nn_softctx;

typedef struct {
    nn_tensor mask[3]; /* (N, T) */
    nn_tensor dmask;   /* scratch */
    nn_tensor part;    /* scratch (N, D) */
    nn_attention_cache att[3];
} nn_softctx_cache;

void nn_softctx_cache_free(nn_softctx_cache *c);

/* att_prefixes[k] names the attention module of the k-th mask in output order
 * (ignored for mean, which has no parameters). */
int nn_softctx_init(nn_softctx *s, nn_params *ps, const char *const *att_prefixes,
                    nn_context_kind kind, nn_att_kind att, float scale, int feat_dim, int query_dim,
                    wsd_rng *rng, nn_device dev);
/* seg (N, 2) in feature units, valid (N, T) video mask, query (N, Q) (NULL for
 * mean) → ctx (N, n_masks·D). */
int nn_softctx_forward(const nn_softctx *s, const nn_tensor *feats, const int *gather,
                       const nn_tensor *seg, const nn_tensor *valid, const nn_tensor *query,
                       nn_tensor *ctx, nn_softctx_cache *cache);
/* dfeats (B, T, D) +=, dseg (N, 2) +=, dquery +=; each may be NULL. */
int nn_softctx_backward(const nn_softctx *s, nn_softctx_cache *cache, const nn_tensor *feats,
                        const int *gather, const nn_tensor *seg, const nn_tensor *valid,
                        const nn_tensor *query, const nn_tensor *dctx, nn_tensor *dfeats,
                        nn_tensor *dseg, nn_tensor *dquery);

#endif
