#include "io/idmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

typedef struct {
    char *key;
    long value;
} slot;

struct wsd_idmap {
    slot *slots;
    size_t cap, n; /* cap is a power of two, kept at most half full */
};

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

wsd_idmap *wsd_idmap_new(void) {
    wsd_idmap *m = wsd_calloc(1, sizeof *m);
    m->cap = 16;
    m->slots = wsd_calloc(m->cap, sizeof *m->slots);
    return m;
}

void wsd_idmap_free(wsd_idmap *m) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static slot *find(const wsd_idmap *m, const char *key) {
    size_t mask = m->cap - 1, i = fnv1a(key) & mask;
    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0) i = (i + 1) & mask;
    return &m->slots[i];
}

static void grow(wsd_idmap *m) {
    slot *old = m->slots;
    size_t old_cap = m->cap;
    m->cap *= 2;
    m->slots = wsd_calloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key) *find(m, old[i].key) = old[i];
    free(old);
}

int wsd_idmap_put(wsd_idmap *m, const char *key, long value) {
    if (2 * (m->n + 1) > m->cap) grow(m);
    slot *s = find(m, key);
    if (s->key) return 1;
    s->key = wsd_strdup(key);
    s->value = value;
    m->n++;
    return 0;
}

long wsd_idmap_get(const wsd_idmap *m, const char *key) {
    slot *s = find(m, key);
    return s->key ? s->value : -1;
}

size_t wsd_idmap_size(const wsd_idmap *m) { return m->n; }
