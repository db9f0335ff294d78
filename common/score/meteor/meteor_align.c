/* METEOR 1.5 alignment (Aligner.align / resolve), restated.
 *
 * Matches are gathered per reference position in module order: exact (equal
 * Java hash keys), stem (equal stem keys, different words), synonym
 * (intersecting WordNet key sets, different words), paraphrase (table
 * phrases, both directions). A reference position holding exactly one match
 * whose words no other match touches is fixed up front. The beam search then
 * walks reference positions left to right, keeping the best `beam` partial
 * alignments after a stable sort on: more weighted matched words, fewer
 * chunks, smaller total position distance. Kept as in the Java code:
 *  - the weighted counters are ints updated as (int)(count + len * weight),
 *    with alignment weights 1.0 (exact) and 0.5 (others), so a one-word
 *    non-exact match adds nothing to the ranking;
 *  - when a match extends a path, the distance is added to the parent path,
 *    which later children and the "skip" continuation inherit;
 *  - a path whose next position is covered by a fixed match it did not reach
 *    through that match is dropped. */
#include "score/meteor/meteor_align.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

typedef struct path {
    struct path *next_free;
    int pushed; /* already queued for the next step */
    int match_count, m1, m2, all1, all2, chunks, distance, idx, last_end;
    int32_t *matches; /* per reference position: match index or -1 */
    unsigned char *used1, *used2;
} path;

struct wsd_meteor_aligner {
    /* candidate matches, grouped per reference position */
    wsd_meteor_match *m;
    int nm, mcap;
    int *first, *count; /* per reference position, into order[] */
    int *order;
    int *cov1, *cov2;
    int cap1, cap2;
    /* path pool */
    path *free_list;
    path **blocks;
    int nblocks, blocks_cap;
    int pn1, pn2; /* sizes the pooled paths were made for */
    path **cur, **next, **tmp;
    int cur_cap, next_cap, tmp_cap;
    int ncur, nnext;
};

wsd_meteor_aligner *wsd_meteor_aligner_new(void) {
    return wsd_calloc(1, sizeof(wsd_meteor_aligner));
}

static void pool_clear(wsd_meteor_aligner *a) {
    for (int i = 0; i < a->nblocks; i++) free(a->blocks[i]);
    a->nblocks = 0;
    a->free_list = NULL;
}

void wsd_meteor_aligner_free(wsd_meteor_aligner *a) {
    if (!a) return;
    pool_clear(a);
    free(a->blocks);
    free(a->m);
    free(a->first);
    free(a->count);
    free(a->order);
    free(a->cov1);
    free(a->cov2);
    free(a->cur);
    free(a->next);
    free(a->tmp);
    free(a);
}

static path *path_alloc(wsd_meteor_aligner *a) {
    path *p = a->free_list;
    if (p) {
        a->free_list = p->next_free;
        return p;
    }
    size_t n1 = (size_t)a->pn1, n2 = (size_t)a->pn2;
    size_t sz = sizeof(path) + n2 * sizeof(int32_t) + n1 + n2 + 8;
    p = wsd_malloc(sz);
    p->matches = (int32_t *)(p + 1);
    p->used1 = (unsigned char *)(p->matches + n2);
    p->used2 = p->used1 + n1;
    if (a->nblocks == a->blocks_cap) {
        a->blocks_cap = a->blocks_cap ? a->blocks_cap * 2 : 64;
        a->blocks = wsd_realloc(a->blocks, (size_t)a->blocks_cap * sizeof *a->blocks);
    }
    a->blocks[a->nblocks++] = p;
    return p;
}

static void path_release(wsd_meteor_aligner *a, path *p) {
    p->next_free = a->free_list;
    a->free_list = p;
}

static path *path_copy(wsd_meteor_aligner *a, const path *src, int n1, int n2) {
    path *p = path_alloc(a);
    int32_t *mm = p->matches;
    unsigned char *u1 = p->used1, *u2 = p->used2;
    *p = *src;
    p->matches = mm;
    p->used1 = u1;
    p->used2 = u2;
    memcpy(p->matches, src->matches, (size_t)n2 * sizeof *p->matches);
    memcpy(p->used1, src->used1, (size_t)n1);
    memcpy(p->used2, src->used2, (size_t)n2);
    return p;
}

static void add_match(wsd_meteor_aligner *a, int start, int len, int mstart, int mlen, int module) {
    if (a->nm == a->mcap) {
        a->mcap = a->mcap ? a->mcap * 2 : 64;
        a->m = wsd_realloc(a->m, (size_t)a->mcap * sizeof *a->m);
    }
    a->m[a->nm++] = (wsd_meteor_match){start, len, mstart, mlen, module};
    for (int k = 0; k < mlen; k++) a->cov1[mstart + k]++;
    for (int k = 0; k < len; k++) a->cov2[start + k]++;
}

static int sets_intersect(const uint32_t *x, uint32_t nx, const uint32_t *y, uint32_t ny) {
    uint32_t i = 0, j = 0;
    while (i < nx && j < ny) {
        if (x[i] == y[j]) return 1;
        if (x[i] < y[j])
            i++;
        else
            j++;
    }
    return 0;
}

typedef struct {
    wsd_meteor_aligner *a;
    const int32_t *other;
    int n_other, pos, module, forward; /* forward: phrase found in the reference */
} para_ctx;

/* A table entry whose source phrase starts at ctx->pos on one side: look for
 * its paraphrase anywhere on the other side. */
static void para_hit(int len, const int32_t *phrase, int plen, void *vctx) {
    para_ctx *c = vctx;
    for (int i = 0; i < c->n_other; i++) {
        int ok = 1;
        for (int k = 0; k < plen; k++)
            if (i + k == c->n_other || c->other[i + k] != phrase[k]) {
                ok = 0;
                break;
            }
        if (!ok) continue;
        if (c->forward)
            add_match(c->a, c->pos, len, i, plen, c->module);
        else
            add_match(c->a, i, plen, c->pos, len, c->module);
    }
}

static int cmp_paths(const path *x, const path *y) {
    int diff = (y->m1 + y->m2) - (x->m1 + x->m2);
    if (diff > 0) return 1;
    if (diff < 0) return -1;
    if (x->chunks != y->chunks) return x->chunks - y->chunks;
    return x->distance - y->distance;
}

/* Stable merge sort (Java's Collections.sort is stable). */
static void sort_paths(path **v, path **tmp, int n) {
    if (n < 2) return;
    if (n <= 8) {
        for (int i = 1; i < n; i++) {
            path *x = v[i];
            int j = i;
            while (j > 0 && cmp_paths(v[j - 1], x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    int h = n / 2;
    sort_paths(v, tmp, h);
    sort_paths(v + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp_paths(v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, (size_t)n * sizeof *v);
}

static void push_next(wsd_meteor_aligner *a, path *p) {
    if (a->nnext == a->next_cap) {
        a->next_cap = a->next_cap ? a->next_cap * 2 : 256;
        a->next = wsd_realloc(a->next, (size_t)a->next_cap * sizeof *a->next);
    }
    p->pushed = 1;
    a->next[a->nnext++] = p;
}

static const double align_weight[4] = {1.0, 0.5, 0.5, 0.5};

static void count_match(path *p, const wsd_meteor_match *m) {
    double w = align_weight[m->module];
    p->match_count++;
    p->m1 = (int)(p->m1 + m->match_len * w);
    p->m2 = (int)(p->m2 + m->len * w);
    p->all1 += m->match_len;
    p->all2 += m->len;
    if (p->last_end != -1 && m->match_start != p->last_end) p->chunks++;
    p->idx = m->start + m->len;
    p->last_end = m->match_start + m->match_len;
}

static path *resolve(wsd_meteor_aligner *a, path *start, int n1, int n2, int beam) {
    a->nnext = 0;
    push_next(a, start);
    for (int current = 0; current <= n2; current++) {
        /* advance: next becomes cur */
        path **sw = a->cur;
        int swcap = a->cur_cap;
        a->cur = a->next;
        a->cur_cap = a->next_cap;
        a->ncur = a->nnext;
        a->next = sw;
        a->next_cap = swcap;
        a->nnext = 0;
        if (a->tmp_cap < a->ncur) {
            a->tmp_cap = a->ncur * 2;
            a->tmp = wsd_realloc(a->tmp, (size_t)a->tmp_cap * sizeof *a->tmp);
        }
        sort_paths(a->cur, a->tmp, a->ncur);
        for (int k = 0; k < a->ncur; k++) a->cur[k]->pushed = 0;
        int keep = a->ncur < beam ? a->ncur : beam;
        for (int rank = 0; rank < keep; rank++) {
            path *p = a->cur[rank];
            if (current == n2) {
                if (p->last_end != -1) p->chunks++;
                push_next(a, p);
                continue;
            }
            if (p->used2[current]) {
                if (current < p->idx) {
                    push_next(a, p);
                } else if (p->idx < n2 && p->matches[p->idx] >= 0) {
                    const wsd_meteor_match *m = &a->m[p->matches[p->idx]];
                    count_match(p, m);
                    p->distance += abs(m->start - m->match_start);
                    push_next(a, p);
                }
                continue;
            }
            for (int q = 0; q < a->count[current]; q++) {
                int mi = a->order[a->first[current] + q];
                const wsd_meteor_match *m = &a->m[mi];
                int used = 0;
                for (int k = 0; k < m->len && !used; k++) used = p->used2[m->start + k];
                for (int k = 0; k < m->match_len && !used; k++) used = p->used1[m->match_start + k];
                if (used) continue;
                path *np = path_copy(a, p, n1, n2);
                for (int k = 0; k < m->len; k++) np->used2[m->start + k] = 1;
                for (int k = 0; k < m->match_len; k++) np->used1[m->match_start + k] = 1;
                np->matches[current] = mi;
                count_match(np, m);
                p->distance += abs(m->start - m->match_start);
                push_next(a, np);
            }
            if (p->last_end != -1) {
                p->chunks++;
                p->last_end = -1;
            }
            p->idx++;
            push_next(a, p);
        }
        /* Meteor warns and carries the best path on when nothing survived */
        if (a->nnext == 0) push_next(a, a->cur[0]);
        for (int k = 0; k < a->ncur; k++)
            if (!a->cur[k]->pushed) path_release(a, a->cur[k]);
    }
    if (a->tmp_cap < a->nnext) {
        a->tmp_cap = a->nnext * 2;
        a->tmp = wsd_realloc(a->tmp, (size_t)a->tmp_cap * sizeof *a->tmp);
    }
    sort_paths(a->next, a->tmp, a->nnext);
    return a->next[0];
}

static void ensure_sizes(wsd_meteor_aligner *a, int n1, int n2) {
    if (n1 > a->pn1 || n2 > a->pn2) {
        pool_clear(a);
        a->pn1 = n1 > a->pn1 ? n1 : a->pn1;
        a->pn2 = n2 > a->pn2 ? n2 : a->pn2;
    }
    if (n1 + 1 > a->cap1) {
        a->cap1 = n1 + 1;
        a->cov1 = wsd_realloc(a->cov1, (size_t)a->cap1 * sizeof *a->cov1);
    }
    if (n2 + 1 > a->cap2) {
        a->cap2 = n2 + 1;
        a->cov2 = wsd_realloc(a->cov2, (size_t)a->cap2 * sizeof *a->cov2);
        a->first = wsd_realloc(a->first, (size_t)a->cap2 * sizeof *a->first);
        a->count = wsd_realloc(a->count, (size_t)a->cap2 * sizeof *a->count);
    }
    memset(a->cov1, 0, (size_t)(n1 + 1) * sizeof *a->cov1);
    memset(a->cov2, 0, (size_t)(n2 + 1) * sizeof *a->cov2);
    a->nm = 0;
}

void wsd_meteor_align(wsd_meteor_aligner *a, const wsd_meteor_align_cfg *cfg,
                      const wsd_meteor_winfo *const *t, int n1, const wsd_meteor_winfo *const *r,
                      int n2, wsd_meteor_stats *st) {
    if (n1 < 0) n1 = 0;
    if (n2 < 0) n2 = 0;
    ensure_sizes(a, n1, n2);

    int identical = n1 == n2;
    for (int i = 0; identical && i < n1; i++) identical = t[i]->key == r[i]->key;

    int module = 0;
    for (int j = 0; j < n2; j++)
        for (int i = 0; i < n1; i++)
            if (t[i]->key == r[j]->key) add_match(a, j, 1, i, 1, module);
    if (!identical && cfg->use_stem) {
        module++;
        for (int j = 0; j < n2; j++)
            for (int i = 0; i < n1; i++)
                if (t[i]->stem_key == r[j]->stem_key && t[i]->key != r[j]->key)
                    add_match(a, j, 1, i, 1, module);
    }
    if (!identical && cfg->use_syn) {
        module++;
        for (int j = 0; j < n2; j++)
            for (int i = 0; i < n1; i++)
                if (t[i]->key != r[j]->key &&
                    sets_intersect(cfg->syn_pool + t[i]->syn_off, t[i]->syn_len,
                                   cfg->syn_pool + r[j]->syn_off, r[j]->syn_len))
                    add_match(a, j, 1, i, 1, module);
    }
    if (!identical && cfg->para) {
        module++;
        int32_t *l1 = wsd_malloc((size_t)(n1 + 1) * sizeof *l1);
        int32_t *l2 = wsd_malloc((size_t)(n2 + 1) * sizeof *l2);
        for (int i = 0; i < n1; i++) l1[i] = t[i]->para;
        for (int j = 0; j < n2; j++) l2[j] = r[j]->para;
        para_ctx c = {a, l1, n1, 0, module, 1};
        for (int j = 0; j < n2; j++) {
            c.pos = j;
            wsd_meteor_para_paths(cfg->para, l2, n2, j, para_hit, &c);
        }
        c.other = l2;
        c.n_other = n2;
        c.forward = 0;
        for (int i = 0; i < n1; i++) {
            c.pos = i;
            wsd_meteor_para_paths(cfg->para, l1, n1, i, para_hit, &c);
        }
        free(l1);
        free(l2);
    }

    /* group matches per reference position, keeping discovery order */
    memset(a->count, 0, (size_t)(n2 + 1) * sizeof *a->count);
    for (int k = 0; k < a->nm; k++) a->count[a->m[k].start]++;
    int acc = 0;
    for (int j = 0; j < n2; j++) {
        a->first[j] = acc;
        acc += a->count[j];
    }
    a->order = wsd_realloc(a->order, (size_t)(a->nm + 1) * sizeof *a->order);
    {
        int *fill = wsd_calloc((size_t)n2 + 1, sizeof *fill);
        for (int k = 0; k < a->nm; k++) {
            int j = a->m[k].start;
            a->order[a->first[j] + fill[j]++] = k;
        }
        free(fill);
    }

    path *start = path_alloc(a);
    start->pushed = start->match_count = start->m1 = start->m2 = 0;
    start->all1 = start->all2 = start->chunks = start->distance = start->idx = 0;
    start->last_end = -1;
    for (int j = 0; j < n2; j++) start->matches[j] = -1;
    memset(start->used1, 0, (size_t)a->pn1);
    memset(start->used2, 0, (size_t)a->pn2);
    for (int j = 0; j < n2; j++) {
        if (a->count[j] != 1) continue;
        int mi = a->order[a->first[j]];
        const wsd_meteor_match *m = &a->m[mi];
        int overlap = 0;
        for (int k = 0; k < m->len; k++)
            if (a->cov2[j + k] != 1) overlap = 1;
        for (int k = 0; k < m->match_len; k++)
            if (a->cov1[m->match_start + k] != 1) overlap = 1;
        if (overlap) continue;
        start->matches[j] = mi;
        for (int k = 0; k < m->len; k++) start->used2[j + k] = 1;
        for (int k = 0; k < m->match_len; k++) start->used1[m->match_start + k] = 1;
    }

    path *best = resolve(a, start, n1, n2, cfg->beam);

    memset(st, 0, sizeof *st);
    st->test_len = n1;
    st->ref_len = n2;
    for (int i = 0; i < n1; i++) st->test_func += t[i]->func;
    for (int j = 0; j < n2; j++) st->ref_func += r[j]->func;
    /* stage totals, then matches and chunks over the chosen alignment */
    int chunks = 0, last_end = -1;
    for (int j = 0; j < n2;) {
        int mi = best->matches[j];
        if (mi < 0) {
            if (last_end != -1) {
                chunks++;
                last_end = -1;
            }
            j++;
            continue;
        }
        const wsd_meteor_match *m = &a->m[mi];
        for (int k = 0; k < m->match_len; k++) {
            if (t[m->match_start + k]->func)
                st->test_function[m->module] += 1;
            else
                st->test_content[m->module] += 1;
        }
        for (int k = 0; k < m->len; k++) {
            if (r[m->start + k]->func)
                st->ref_function[m->module] += 1;
            else
                st->ref_content[m->module] += 1;
        }
        if (last_end != -1 && m->match_start != last_end) chunks++;
        j = m->start + m->len;
        last_end = m->match_start + m->match_len;
    }
    if (last_end != -1) chunks++;
    st->chunks = chunks;
    for (int k = 0; k < 4; k++) {
        st->test_total += st->test_content[k] + st->test_function[k];
        st->ref_total += st->ref_content[k] + st->ref_function[k];
    }
    st->test_word_matches = st->test_total;
    st->ref_word_matches = st->ref_total;

    /* every path goes back to the pool */
    for (int k = 0; k < a->nnext; k++) path_release(a, a->next[k]);
    a->nnext = 0;
}
