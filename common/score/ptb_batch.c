#include "score/ptb_batch.h"

#include "score/ptb_tokenizer.h"
#include "base/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key; /* the raw caption */
    uint64_t hash;
    char *tokens;             /* its tokens when nothing triggers a split after it */
    char *split;              /* acronym_end only: the same without the final period */
    unsigned blank : 1;       /* tokenizer sees only blanks: skipped by look-ahead */
    unsigned acronym_end : 1; /* ends in "X." whose period depends on what follows */
    unsigned has_break : 1;   /* contains CR/VT/FF: the batch's lines shift */
    unsigned trig_more : 1;   /* as following text, splits a pending acronym (more text after it) */
    unsigned trig_end : 1;    /* ... when it is the last caption of the batch */
} entry;

struct ptb_cache {
    entry **slots; /* open addressing; entries stay put when the table grows */
    size_t cap, count;
    char **owned; /* outputs of shifted batches */
    size_t n_owned, cap_owned;
    ptb_buf fold, toks;
};

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

ptb_cache *ptb_cache_new(void) {
    ptb_cache *c = wsd_calloc(1, sizeof *c);
    c->cap = 1024;
    c->slots = wsd_calloc(c->cap, sizeof *c->slots);
    return c;
}

void ptb_cache_free(ptb_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->cap; i++) {
        entry *e = c->slots[i];
        if (!e) continue;
        free(e->key);
        free(e->tokens);
        free(e->split);
        free(e);
    }
    for (size_t i = 0; i < c->n_owned; i++) free(c->owned[i]);
    free(c->owned);
    free(c->slots);
    ptb_buf_free(&c->fold);
    ptb_buf_free(&c->toks);
    free(c);
}

static void grow(ptb_cache *c) {
    entry **old = c->slots;
    size_t old_cap = c->cap;
    c->cap *= 2;
    c->slots = wsd_calloc(c->cap, sizeof *c->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i]) continue;
        size_t j = old[i]->hash & (c->cap - 1);
        while (c->slots[j]) j = (j + 1) & (c->cap - 1);
        c->slots[j] = old[i];
    }
    free(old);
}

static int is_blank_text(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] > ' ' && s[i] != 127) return 0;
    return 1;
}

static void fill(ptb_cache *c, entry *e) {
    c->fold.len = 0;
    ptb_buf_append(&c->fold, "\n", 1); /* as the next caption, its text follows a line break */
    ptb_ascii_fold(e->key, strlen(e->key), &c->fold);
    const char *f = c->fold.data + 1;
    size_t n = c->fold.len - 1;
    for (size_t i = 0; i < n; i++)
        if (ptb_is_line_break((unsigned char)f[i])) e->has_break = 1;
    e->blank = is_blank_text(f, n);
    e->trig_more = ptb_follow_splits_acronym(c->fold.data, c->fold.len, 0);
    e->trig_end = ptb_follow_splits_acronym(c->fold.data, c->fold.len, 1);
    c->toks.len = 0;
    ptb_buf_append(&c->toks, "", 0);
    e->acronym_end = ptb_tokenize_line(f, n, &c->toks) == 1;
    e->tokens = wsd_strdup(c->toks.data);
    if (e->acronym_end) {
        e->split = wsd_strdup(e->tokens);
        size_t l = strlen(e->split);
        if (l && e->split[l - 1] == '.') e->split[l - 1] = '\0';
    }
}

static entry *lookup(ptb_cache *c, const char *caption) {
    uint64_t h = hash_str(caption);
    size_t j = h & (c->cap - 1);
    while (c->slots[j]) {
        if (c->slots[j]->hash == h && strcmp(c->slots[j]->key, caption) == 0) return c->slots[j];
        j = (j + 1) & (c->cap - 1);
    }
    if (2 * (c->count + 1) > c->cap) {
        grow(c);
        return lookup(c, caption);
    }
    entry *e = c->slots[j] = wsd_calloc(1, sizeof *e);
    e->key = wsd_strdup(caption);
    e->hash = h;
    c->count++;
    fill(c, e);
    return e;
}

static const char *own(ptb_cache *c, char *s) {
    if (c->n_owned == c->cap_owned) {
        c->cap_owned = c->cap_owned ? 2 * c->cap_owned : 16;
        c->owned = wsd_realloc(c->owned, c->cap_owned * sizeof *c->owned);
    }
    c->owned[c->n_owned++] = s;
    return s;
}

/* The rare batch with CR/VT/FF inside a caption: tokenise the physical lines
 * the Java process would see and hand line i to caption i. */
static void tokenize_shifted(ptb_cache *c, const char *const *captions, size_t n,
                             const char **out) {
    ptb_buf all = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) ptb_buf_append(&all, "\n", 1);
        ptb_ascii_fold(captions[i], strlen(captions[i]), &all);
    }
    if (!all.data) ptb_buf_append(&all, "", 0);
    size_t line = 0, start = 0;
    for (size_t pos = 0; pos <= all.len && line < n; pos++) {
        if (pos < all.len && !ptb_is_line_break((unsigned char)all.data[pos])) continue;
        ptb_buf t = {0};
        ptb_buf_append(&t, "", 0);
        int pending = ptb_tokenize_line(all.data + start, pos - start, &t);
        if (pending && pos < all.len) {
            size_t rest = all.len - pos;
            if (ptb_follow_splits_acronym(all.data + pos, rest, 1) && t.len &&
                t.data[t.len - 1] == '.')
                t.data[--t.len] = '\0';
        }
        out[line++] = own(c, t.data);
        start = pos + 1;
    }
    while (line < n) out[line++] = "";
    ptb_buf_free(&all);
}

size_t ptb_tokenize_batch(ptb_cache *c, const char *const *captions, size_t n, const char **out) {
    entry **es = wsd_malloc((n ? n : 1) * sizeof *es);
    size_t breaks = 0;
    for (size_t i = 0; i < n; i++) {
        es[i] = lookup(c, captions[i]);
        breaks += es[i]->has_break;
    }
    if (breaks) {
        free(es);
        tokenize_shifted(c, captions, n, out);
        return breaks;
    }
    /* Walk backwards remembering the next non-blank caption, for look-ahead. */
    const entry *next = NULL;
    size_t next_index = n;
    for (size_t i = n; i-- > 0;) {
        entry *e = es[i];
        out[i] = e->tokens;
        if (e->acronym_end && next) {
            int last = next_index == n - 1;
            if (last ? next->trig_end : next->trig_more) out[i] = e->split;
        }
        if (!e->blank) {
            next = e;
            next_index = i;
        }
    }
    free(es);
    return 0;
}

const char *ptb_tokenize_one(ptb_cache *c, const char *caption) {
    const char *out;
    ptb_tokenize_batch(c, &caption, 1, &out);
    return out;
}
