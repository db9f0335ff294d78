#include "nn/nn_attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_backend.h"
#include "nn/nn_ops.h"
#include "base/util.h"

int nn_att_kind_parse(const char *name, nn_att_kind *out) {
    static const char *names[] = {"mean", "type0", "type1", "type2"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i])) {
            *out = (nn_att_kind)i;
            return 0;
        }
    return wsd_fail("unknown attention type '%s' (expected mean, type0, type1 or type2)", name);
}

int nn_attention_init(nn_attention *a, nn_params *ps, const char *prefix, const char *pe_prefix,
                      nn_att_kind kind, int feat_dim, int query_dim, int pe_size, wsd_rng *rng,
                      nn_device dev) {
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->feat_dim = feat_dim;
    a->query_dim = query_dim;
    a->pe_size = pe_size;
    if (kind == NN_ATT_MEAN) return 0;
    char name[512];
    int ws[2] = {query_dim, feat_dim};
    float bound = 1.0f / sqrtf((float)feat_dim);
    snprintf(name, sizeof name, "%s.weight", prefix);
    if (!(a->w = nn_params_new(ps, dev, name, 0, 2, ws))) return -1;
    nn_init_uniform(&a->w->value, rng, -bound, bound);
    if (kind == NN_ATT_TYPE2) {
        if (pe_size <= 0 || !pe_prefix) return wsd_fail("type2 attention needs a position table");
        int pe[2] = {pe_size, feat_dim};
        snprintf(name, sizeof name, "%s.weight", pe_prefix);
        if (!(a->pe = nn_params_new(ps, dev, name, 0, 2, pe))) return -1;
        /* identity initialisation (attention.py AttentionType2.__init__: nn.init.eye) */
        float *h = wsd_calloc((size_t)pe_size * feat_dim, sizeof(float));
        for (int i = 0; i < pe_size && i < feat_dim; i++) h[(size_t)i * feat_dim + i] = 1.0f;
        nn_tensor_from_host(&a->pe->value, h, (size_t)pe_size * feat_dim);
        free(h);
    }
    return 0;
}

void nn_attention_cache_free(nn_attention_cache *c) {
    nn_tensor_free(&c->alpha);
    nn_tensor_free(&c->u);
    nn_tensor_free(&c->msum);
    nn_tensor_free(&c->ctx);
    nn_tensor_free(&c->scratch);
}

static float dot_scale(const nn_attention *a) {
    return a->kind == NN_ATT_TYPE1 ? 1.0f : 1.0f / sqrtf((float)a->query_dim);
}

static int check_inputs(const nn_attention *a, const nn_tensor *feats, const int *gather,
                        const nn_tensor *mask, const nn_tensor *query, int *N_out) {
    if (feats->ndim != 3 || feats->shape[2] != a->feat_dim)
        return wsd_fail("attention: features %s, expected (B, T, %d)", nn_tensor_shape_str(feats),
                        a->feat_dim);
    int B = feats->shape[0], T = feats->shape[1];
    if (mask->ndim != 2 || mask->shape[1] != T)
        return wsd_fail("attention: mask %s for %d steps", nn_tensor_shape_str(mask), T);
    int N = mask->shape[0];
    if (!gather && N != B) return wsd_fail("attention: %d mask rows for %d videos", N, B);
    for (int n = 0; gather && n < N; n++)
        if (gather[n] < 0 || gather[n] >= B)
            return wsd_fail("attention: row %d gathers video %d of %d", n, gather[n], B);
    if (a->kind != NN_ATT_MEAN && nn_check_shape(query, "attention query", 2, N, a->query_dim))
        return -1;
    *N_out = N;
    return 0;
}

int nn_attention_forward(const nn_attention *a, const nn_tensor *feats, const int *gather,
                         const nn_tensor *mask, const nn_tensor *query, nn_tensor *ctx,
                         nn_attention_cache *cache) {
    int N;
    TRY(check_inputs(a, feats, gather, mask, query, &N));
    int T = feats->shape[1], D = a->feat_dim;
    TRY(nn_check_shape(ctx, "attention context", 2, N, D));
    nn_device dev = feats->device;
    const nn_backend *be = nn_backend_for(dev);
    nn_attention_cache local;
    memset(&local, 0, sizeof local);
    nn_attention_cache *c = cache ? cache : &local;
    nn_tensor_ensure2(&c->alpha, dev, N, T);
    if (a->kind == NN_ATT_MEAN) {
        int n1[1] = {N};
        nn_tensor_ensure(&c->msum, dev, 1, n1);
        be->att_mean_forward(N, T, D, feats->data, gather, mask->data, c->alpha.data, c->msum.data,
                             ctx->data);
    } else {
        nn_tensor_ensure2(&c->u, dev, N, D);
        be->gemm(0, 0, N, D, a->query_dim, dot_scale(a), query->data, a->query_dim,
                 a->w->value.data, D, 0.0f, c->u.data, D);
        be->att_dot_forward(N, T, D, feats->data, gather, mask->data, c->u.data,
                            a->pe ? a->pe->value.data : NULL, a->pe_size, c->alpha.data, ctx->data);
    }
    if (cache) {
        nn_tensor_ensure2(&c->ctx, dev, N, D);
        be->copy(c->ctx.data, ctx->data, (size_t)N * D);
    } else {
        nn_attention_cache_free(&local);
    }
    return 0;
}

int nn_attention_backward(const nn_attention *a, const nn_attention_cache *cache,
                          const nn_tensor *feats, const int *gather, const nn_tensor *mask,
                          const nn_tensor *query, const nn_tensor *dctx, nn_tensor *dfeats,
                          nn_tensor *dmask, nn_tensor *dquery) {
    int N;
    TRY(check_inputs(a, feats, gather, mask, query, &N));
    int T = feats->shape[1], D = a->feat_dim, Q = a->query_dim;
    if (!cache->ctx.data || cache->ctx.shape[0] != N)
        return wsd_fail("attention backward: cache does not match the inputs");
    TRY(nn_check_shape(dctx, "attention context grad", 2, N, D));
    if (dfeats && !nn_tensor_same_shape(dfeats, feats))
        return wsd_fail("attention backward: feature grad %s", nn_tensor_shape_str(dfeats));
    if (dmask && !nn_tensor_same_shape(dmask, mask))
        return wsd_fail("attention backward: mask grad %s", nn_tensor_shape_str(dmask));
    nn_device dev = feats->device;
    const nn_backend *be = nn_backend_for(dev);
    if (a->kind == NN_ATT_MEAN) {
        be->att_mean_backward(N, T, D, feats->data, gather, mask->data, cache->msum.data,
                              cache->ctx.data, dctx->data, dfeats ? dfeats->data : NULL,
                              dmask ? dmask->data : NULL);
        return 0;
    }
    nn_tensor du = nn_zeros2(dev, N, D);
    be->att_dot_backward(N, T, D, feats->data, gather, mask->data, cache->u.data,
                         a->pe ? a->pe->value.data : NULL, a->pe_size, cache->alpha.data,
                         cache->ctx.data, dctx->data, dfeats ? dfeats->data : NULL, du.data,
                         a->pe ? nn_param_grad(a->pe)->data : NULL);
    float s = dot_scale(a);
    if (dquery) {
        if (nn_check_shape(dquery, "attention query grad", 2, N, Q)) {
            nn_tensor_free(&du);
            return -1;
        }
        be->gemm(0, 1, N, Q, D, s, du.data, D, a->w->value.data, D, 1.0f, dquery->data, Q);
    }
    be->gemm(1, 0, Q, D, N, s, query->data, Q, du.data, D, 1.0f, nn_param_grad(a->w)->data, D);
    nn_tensor_free(&du);
    return 0;
}

/* ---- soft masks ---- */

static int check_mask_inputs(const nn_tensor *seg, const nn_tensor *valid, const nn_tensor *m) {
    if (m->ndim != 2) return wsd_fail("soft mask: expected (N, T), got %s", nn_tensor_shape_str(m));
    TRY(nn_check_shape(seg, "soft mask segments", 2, m->shape[0], 2));
    if (valid && !nn_tensor_same_shape(valid, m))
        return wsd_fail("soft mask: valid mask %s for %s", nn_tensor_shape_str(valid),
                        nn_tensor_shape_str(m));
    return 0;
}

int nn_softmask_forward(nn_softmask_kind kind, float scale, const nn_tensor *seg,
                        const nn_tensor *valid, nn_tensor *mask) {
    TRY(check_mask_inputs(seg, valid, mask));
    nn_backend_for(mask->device)
        ->softmask_forward((int)kind, mask->shape[0], mask->shape[1], scale, seg->data,
                           valid ? valid->data : NULL, mask->data);
    return 0;
}

int nn_softmask_backward(nn_softmask_kind kind, float scale, const nn_tensor *seg,
                         const nn_tensor *valid, const nn_tensor *dmask, nn_tensor *dseg) {
    if (check_mask_inputs(seg, valid, dmask) ||
        nn_check_shape(dseg, "soft mask seg grad", 2, dmask->shape[0], 2))
        return -1;
    nn_backend_for(dmask->device)
        ->softmask_backward((int)kind, dmask->shape[0], dmask->shape[1], scale, seg->data,
                            valid ? valid->data : NULL, dmask->data, dseg->data);
    return 0;
}

/* ---- segment-conditioned contexts ---- */

int nn_context_kind_parse(const char *name, nn_context_kind *out) {
    if (!strcmp(name, "c"))
        *out = NN_CTX_C;
    else if (!strcmp(name, "cl"))
        *out = NN_CTX_CL;
    else if (!strcmp(name, "clr"))
        *out = NN_CTX_CLR;
    else
        return wsd_fail("unknown context type '%s' (expected c, cl or clr)", name);
    return 0;
}

void nn_softctx_cache_free(nn_softctx_cache *c) {
    for (int k = 0; k < 3; k++) {
        nn_tensor_free(&c->mask[k]);
        nn_attention_cache_free(&c->att[k]);
    }
    nn_tensor_free(&c->dmask);
    nn_tensor_free(&c->part);
}

int nn_softctx_init(nn_softctx *s, nn_params *ps, const char *const *att_prefixes,
                    nn_context_kind kind, nn_att_kind att, float scale, int feat_dim, int query_dim,
                    wsd_rng *rng, nn_device dev) {
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->scale = scale;
    switch (kind) {
    case NN_CTX_C:
        s->n_masks = 1;
        s->masks[0] = NN_MASK_C;
        break;
    case NN_CTX_CL:
        s->n_masks = 2;
        s->masks[0] = NN_MASK_L;
        s->masks[1] = NN_MASK_C;
        break;
    case NN_CTX_CLR:
        s->n_masks = 3;
        s->masks[0] = NN_MASK_L;
        s->masks[1] = NN_MASK_C;
        s->masks[2] = NN_MASK_R;
        break;
    }
    if (att == NN_ATT_TYPE2) return wsd_fail("soft-masked contexts do not support type2 attention");
    for (int k = 0; k < s->n_masks; k++)
        if (nn_attention_init(&s->att[k], ps, att_prefixes ? att_prefixes[k] : "att", NULL, att,
                              feat_dim, query_dim, 0, rng, dev))
            return -1;
    return 0;
}

int nn_softctx_forward(const nn_softctx *s, const nn_tensor *feats, const int *gather,
                       const nn_tensor *seg, const nn_tensor *valid, const nn_tensor *query,
                       nn_tensor *ctx, nn_softctx_cache *cache) {
    if (feats->ndim != 3 || seg->ndim != 2) return wsd_fail("soft context: bad input ranks");
    int N = seg->shape[0], T = feats->shape[1], D = feats->shape[2];
    TRY(nn_check_shape(ctx, "soft context", 2, N, s->n_masks * D));
    nn_softctx_cache local;
    memset(&local, 0, sizeof local);
    nn_softctx_cache *c = cache ? cache : &local;
    nn_device dev = feats->device;
    const nn_backend *be = nn_backend_for(dev);
    nn_tensor_ensure2(&c->part, dev, N, D);
    int rc = 0;
    for (int k = 0; k < s->n_masks && !rc; k++) {
        nn_tensor_ensure2(&c->mask[k], dev, N, T);
        rc = nn_softmask_forward(s->masks[k], s->scale, seg, valid, &c->mask[k]) ||
             nn_attention_forward(&s->att[k], feats, gather, &c->mask[k], query, &c->part,
                                  cache ? &c->att[k] : NULL);
        if (!rc) be->copy2d(N, D, c->part.data, D, ctx->data + (size_t)k * D, s->n_masks * D, 0);
    }
    if (!cache) nn_softctx_cache_free(&local);
    return rc ? -1 : 0;
}

int nn_softctx_backward(const nn_softctx *s, nn_softctx_cache *c, const nn_tensor *feats,
                        const int *gather, const nn_tensor *seg, const nn_tensor *valid,
                        const nn_tensor *query, const nn_tensor *dctx, nn_tensor *dfeats,
                        nn_tensor *dseg, nn_tensor *dquery) {
    int N = seg->shape[0], T = feats->shape[1], D = feats->shape[2];
    TRY(nn_check_shape(dctx, "soft context grad", 2, N, s->n_masks * D));
    nn_device dev = feats->device;
    const nn_backend *be = nn_backend_for(dev);
    nn_tensor_ensure2(&c->dmask, dev, N, T);
    for (int k = 0; k < s->n_masks; k++) {
        be->copy2d(N, D, dctx->data + (size_t)k * D, s->n_masks * D, c->part.data, D, 0);
        be->fill(c->dmask.data, (size_t)N * T, 0.0f);
        int diff = dseg && s->att[k].kind == NN_ATT_MEAN;
        if (nn_attention_backward(&s->att[k], &c->att[k], feats, gather, &c->mask[k], query,
                                  &c->part, dfeats, diff ? &c->dmask : NULL, dquery))
            return -1;
        if (diff && nn_softmask_backward(s->masks[k], s->scale, seg, valid, &c->dmask, dseg))
            return -1;
    }
    return 0;
}
