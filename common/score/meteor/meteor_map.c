/* String interning table; see meteor_map.h. FNV-1a hash, linear probing,
 * load factor kept under 1/2. */
#include "score/meteor/meteor_map.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

void wsd_strmap_init(wsd_strmap *m) {
    memset(m, 0, sizeof *m);
    m->nslots = 1024;
    m->slots = wsd_malloc(m->nslots * sizeof *m->slots);
    memset(m->slots, 0xff, m->nslots * sizeof *m->slots);
}

void wsd_strmap_free(wsd_strmap *m) {
    free(m->chars);
    free(m->key_off);
    free(m->key_len);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static size_t probe(const wsd_strmap *m, const char *key, size_t len, uint64_t h) {
    size_t mask = m->nslots - 1, i = (size_t)h & mask;
    for (;;) {
        int32_t id = m->slots[i];
        if (id < 0) return i;
        if (m->key_len[id] == len && memcmp(m->chars + m->key_off[id], key, len) == 0) return i;
        i = (i + 1) & mask;
    }
}

int32_t wsd_strmap_find(const wsd_strmap *m, const char *key, size_t len) {
    if (!m->slots) return -1;
    return m->slots[probe(m, key, len, hash_bytes(key, len))];
}

static void grow(wsd_strmap *m) {
    size_t nslots = m->nslots * 2;
    int32_t *slots = wsd_malloc(nslots * sizeof *slots);
    memset(slots, 0xff, nslots * sizeof *slots);
    for (size_t id = 0; id < m->n; id++) {
        uint64_t h = hash_bytes(m->chars + m->key_off[id], m->key_len[id]);
        size_t i = (size_t)h & (nslots - 1);
        while (slots[i] >= 0) i = (i + 1) & (nslots - 1);
        slots[i] = (int32_t)id;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = nslots;
}

int32_t wsd_strmap_intern(wsd_strmap *m, const char *key, size_t len) {
    size_t slot = probe(m, key, len, hash_bytes(key, len));
    if (m->slots[slot] >= 0) return m->slots[slot];
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->key_off = wsd_realloc(m->key_off, m->cap * sizeof *m->key_off);
        m->key_len = wsd_realloc(m->key_len, m->cap * sizeof *m->key_len);
    }
    if (m->chars_len + len + 1 > m->chars_cap) {
        while (m->chars_len + len + 1 > m->chars_cap)
            m->chars_cap = m->chars_cap ? m->chars_cap * 2 : 65536;
        m->chars = wsd_realloc(m->chars, m->chars_cap);
    }
    memcpy(m->chars + m->chars_len, key, len);
    m->chars[m->chars_len + len] = '\0';
    int32_t id = (int32_t)m->n++;
    m->key_off[id] = m->chars_len;
    m->key_len[id] = (uint32_t)len;
    m->chars_len += len + 1;
    m->slots[slot] = id;
    if (m->n * 2 > m->nslots) grow(m);
    return id;
}

const char *wsd_strmap_key(const wsd_strmap *m, int32_t id) { return m->chars + m->key_off[id]; }
