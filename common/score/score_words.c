#include "score/score_words.h"

#include "base/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *text;
    uint64_t hash;
    uint32_t id;        /* words: the word's id */
    score_caption *cap; /* captions: the digest */
} slot;

typedef struct {
    slot *s;
    size_t cap, count;
} table;

/* n-gram table: key = order and up to four word ids */
typedef struct {
    uint32_t w[4];
    uint32_t id; /* 0 = empty slot; else the n-gram id + 1 */
} gram_slot;

struct score_lexicon {
    table words, captions;
    gram_slot *grams;
    size_t grams_cap, n_grams;
};

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void table_init(table *t) {
    t->cap = 4096;
    t->s = wsd_calloc(t->cap, sizeof *t->s);
}

static void table_grow(table *t) {
    slot *old = t->s;
    size_t old_cap = t->cap;
    t->cap *= 2;
    t->s = wsd_calloc(t->cap, sizeof *t->s);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].text) continue;
        size_t j = old[i].hash & (t->cap - 1);
        while (t->s[j].text) j = (j + 1) & (t->cap - 1);
        t->s[j] = old[i];
    }
    free(old);
}

/* Finds or inserts; *fresh tells which. Valid until the next insertion. */
static slot *table_get(table *t, const char *s, size_t n, int *fresh) {
    if (2 * (t->count + 1) > t->cap) table_grow(t);
    uint64_t h = hash_bytes(s, n);
    size_t j = h & (t->cap - 1);
    while (t->s[j].text) {
        if (t->s[j].hash == h && strncmp(t->s[j].text, s, n) == 0 && t->s[j].text[n] == '\0') {
            *fresh = 0;
            return &t->s[j];
        }
        j = (j + 1) & (t->cap - 1);
    }
    slot *e = &t->s[j];
    e->text = wsd_malloc(n + 1);
    memcpy(e->text, s, n);
    e->text[n] = '\0';
    e->hash = h;
    t->count++;
    *fresh = 1;
    return e;
}

score_lexicon *score_lexicon_new(void) {
    score_lexicon *lx = wsd_calloc(1, sizeof *lx);
    table_init(&lx->words);
    table_init(&lx->captions);
    lx->grams_cap = 1 << 16;
    lx->grams = wsd_calloc(lx->grams_cap, sizeof *lx->grams);
    return lx;
}

static void caption_free(score_caption *c) {
    if (!c) return;
    free((void *)c->ws);
    free((void *)c->sp);
    free((void *)c->gram);
    free((void *)c->count);
    free(c);
}

void score_lexicon_free(score_lexicon *lx) {
    if (!lx) return;
    for (size_t i = 0; i < lx->words.cap; i++) free(lx->words.s[i].text);
    for (size_t i = 0; i < lx->captions.cap; i++) {
        free(lx->captions.s[i].text);
        caption_free(lx->captions.s[i].cap);
    }
    free(lx->words.s);
    free(lx->captions.s);
    free(lx->grams);
    free(lx);
}

static uint32_t word_id(score_lexicon *lx, const char *s, size_t n) {
    int fresh;
    slot *e = table_get(&lx->words, s, n, &fresh);
    if (fresh) e->id = (uint32_t)(lx->words.count - 1);
    return e->id;
}

static uint64_t hash_gram(const uint32_t w[4]) {
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 4; i++) h = (h ^ w[i]) * 0xBF58476D1CE4E5B9ULL, h ^= h >> 29;
    return h;
}

static void grams_grow(score_lexicon *lx) {
    gram_slot *old = lx->grams;
    size_t old_cap = lx->grams_cap;
    lx->grams_cap *= 2;
    lx->grams = wsd_calloc(lx->grams_cap, sizeof *lx->grams);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].id) continue;
        size_t j = hash_gram(old[i].w) & (lx->grams_cap - 1);
        while (lx->grams[j].id) j = (j + 1) & (lx->grams_cap - 1);
        lx->grams[j] = old[i];
    }
    free(old);
}

/* Id of the n-gram w[0..n), order in the low two bits. Unused words are
 * UINT32_MAX so that n-grams of different orders never collide. */
static uint32_t gram_id(score_lexicon *lx, const uint32_t *w, int n) {
    if (2 * (lx->n_grams + 1) > lx->grams_cap) grams_grow(lx);
    uint32_t key[4];
    for (int i = 0; i < 4; i++) key[i] = i < n ? w[i] : UINT32_MAX;
    size_t j = hash_gram(key) & (lx->grams_cap - 1);
    while (lx->grams[j].id) {
        if (memcmp(lx->grams[j].w, key, sizeof key) == 0) return lx->grams[j].id - 1;
        j = (j + 1) & (lx->grams_cap - 1);
    }
    memcpy(lx->grams[j].w, key, sizeof key);
    uint32_t id = (uint32_t)(lx->n_grams++ << 2) | (uint32_t)(n - 1);
    lx->grams[j].id = id + 1;
    return id;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Python's str.isspace() for what a tokenised caption can hold: the byte
 * length of the space character at s, or 0. */
static size_t space_at(const char *s) {
    unsigned char c = (unsigned char)s[0];
    if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)) return 1;
    if (c == 0xC2 && ((unsigned char)s[1] == 0xA0 || (unsigned char)s[1] == 0x85)) return 2;
    return 0;
}

static score_caption *digest(score_lexicon *lx, const char *caption, size_t len) {
    score_caption *c = wsd_calloc(1, sizeof *c);
    uint32_t *ws = wsd_malloc((len + 1) * sizeof *ws), *sp = wsd_malloc((len + 1) * sizeof *sp);
    size_t n_ws = 0, n_sp = 0;
    for (size_t i = 0; i < len;) {
        size_t k = space_at(caption + i);
        if (k) {
            i += k;
            continue;
        }
        size_t j = i;
        while (j < len && !space_at(caption + j)) j++;
        ws[n_ws++] = word_id(lx, caption + i, j - i);
        i = j;
    }
    for (size_t i = 0;;) {
        const char *at = memchr(caption + i, ' ', len - i);
        size_t j = at ? (size_t)(at - caption) : len;
        sp[n_sp++] = word_id(lx, caption + i, j - i);
        if (!at) break;
        i = j + 1;
    }
    size_t total = 0;
    for (int n = 1; n <= 4; n++) total += n_ws >= (size_t)n ? n_ws - n + 1 : 0;
    uint32_t *all = wsd_malloc((total + 1) * sizeof *all);
    size_t m = 0;
    for (int n = 1; n <= 4; n++)
        for (size_t i = 0; i + n <= n_ws; i++) all[m++] = gram_id(lx, ws + i, n);
    qsort(all, m, sizeof *all, cmp_u32);
    uint32_t *gram = wsd_malloc((m + 1) * sizeof *gram),
             *count = wsd_malloc((m + 1) * sizeof *count);
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (u && gram[u - 1] == all[i])
            count[u - 1]++;
        else
            gram[u] = all[i], count[u++] = 1;
    }
    free(all);
    c->ws = ws;
    c->n_ws = n_ws;
    c->sp = sp;
    c->n_sp = n_sp;
    c->gram = gram;
    c->count = count;
    c->n_gram = u;
    return c;
}

const score_caption *score_lexicon_caption(score_lexicon *lx, const char *caption) {
    int fresh;
    size_t len = strlen(caption);
    slot *e = table_get(&lx->captions, caption, len, &fresh);
    /* digest() touches only the word and n-gram tables, so e stays valid */
    if (fresh) e->cap = digest(lx, caption, len);
    return e->cap;
}
