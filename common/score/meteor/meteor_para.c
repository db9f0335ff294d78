/* METEOR's paraphrase table: a gzip text file of line triples (probability,
 * source phrase, paraphrase), loaded into a transducer keyed by source
 * phrases. As in Meteor, the probabilities are ignored and each source phrase
 * may emit several paraphrases, in file order. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "score/meteor/meteor_internal.h"
#include "base/util.h"

struct wsd_meteor_para {
    wsd_strmap vocab;
    /* transitions (state, word) -> state, open addressing */
    uint64_t *tkey; /* (state << 32 | word) + 1; 0 = empty */
    uint32_t *tval;
    size_t tslots, tcount;
    uint32_t nstates;
    /* emissions: per state a list of entry indices, in file order */
    int64_t *emit_head, *emit_tail; /* per state, -1 when none */
    size_t states_cap;
    int64_t *emit_next; /* per entry */
    /* paraphrase phrases */
    int32_t *words;
    size_t nwords, words_cap;
    size_t *phrase_off; /* per entry, nentries + 1 */
    size_t nentries, entries_cap;
};

static uint64_t mix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static int64_t trans_find(const wsd_meteor_para *p, uint32_t state, int32_t word) {
    if (word < 0) return -1;
    uint64_t key = (((uint64_t)state << 32) | (uint32_t)word) + 1;
    size_t mask = p->tslots - 1, i = (size_t)mix(key) & mask;
    while (p->tkey[i]) {
        if (p->tkey[i] == key) return p->tval[i];
        i = (i + 1) & mask;
    }
    return -1;
}

static void trans_insert_raw(uint64_t *tkey, uint32_t *tval, size_t slots, uint64_t key,
                             uint32_t val) {
    size_t mask = slots - 1, i = (size_t)mix(key) & mask;
    while (tkey[i]) i = (i + 1) & mask;
    tkey[i] = key;
    tval[i] = val;
}

static uint32_t new_state(wsd_meteor_para *p) {
    if (p->nstates == p->states_cap) {
        p->states_cap = p->states_cap ? p->states_cap * 2 : 1024;
        p->emit_head = wsd_realloc(p->emit_head, p->states_cap * sizeof *p->emit_head);
        p->emit_tail = wsd_realloc(p->emit_tail, p->states_cap * sizeof *p->emit_tail);
    }
    p->emit_head[p->nstates] = p->emit_tail[p->nstates] = -1;
    return p->nstates++;
}

static uint32_t trans_get_or_add(wsd_meteor_para *p, uint32_t state, int32_t word) {
    int64_t t = trans_find(p, state, word);
    if (t >= 0) return (uint32_t)t;
    if ((p->tcount + 1) * 2 > p->tslots) {
        size_t slots = p->tslots * 2;
        uint64_t *k = wsd_calloc(slots, sizeof *k);
        uint32_t *v = wsd_malloc(slots * sizeof *v);
        for (size_t i = 0; i < p->tslots; i++)
            if (p->tkey[i]) trans_insert_raw(k, v, slots, p->tkey[i], p->tval[i]);
        free(p->tkey);
        free(p->tval);
        p->tkey = k;
        p->tval = v;
        p->tslots = slots;
    }
    uint32_t s = new_state(p);
    trans_insert_raw(p->tkey, p->tval, p->tslots, (((uint64_t)state << 32) | (uint32_t)word) + 1,
                     s);
    p->tcount++;
    return s;
}

/* Reads one line (Java readLine: ends at \n, \r or \r\n). 0 at end of file. */
static int read_line(gzFile gz, char **buf, size_t *cap, size_t *len) {
    *len = 0;
    int c, any = 0;
    while ((c = gzgetc(gz)) >= 0) {
        any = 1;
        if (c == '\n') break;
        if (c == '\r') {
            int d = gzgetc(gz);
            if (d >= 0 && d != '\n') gzungetc(d, gz);
            break;
        }
        if (*len + 1 >= *cap) {
            *cap = *cap ? *cap * 2 : 256;
            *buf = wsd_realloc(*buf, *cap);
        }
        (*buf)[(*len)++] = (char)c;
    }
    if (!any) return 0;
    if (!*buf) {
        *cap = 16;
        *buf = wsd_malloc(*cap);
    }
    (*buf)[*len] = '\0';
    return 1;
}

static int is_delim(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Interns the tokens of a line into ids; returns the count. */
static size_t tokens(wsd_meteor_para *p, const char *line, int32_t **ids, size_t *cap) {
    size_t n = 0;
    for (const char *q = line; *q;) {
        while (*q && is_delim(*q)) q++;
        if (!*q) break;
        const char *t = q;
        while (*q && !is_delim(*q)) q++;
        if (n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *ids = wsd_realloc(*ids, *cap * sizeof **ids);
        }
        (*ids)[n++] = wsd_strmap_intern(&p->vocab, t, (size_t)(q - t));
    }
    return n;
}

wsd_meteor_para *wsd_meteor_para_load(const char *path) {
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        wsd_fail("meteor: cannot open paraphrase table %s", path);
        return NULL;
    }
    gzbuffer(gz, 1 << 17);
    wsd_meteor_para *p = wsd_calloc(1, sizeof *p);
    wsd_strmap_init(&p->vocab);
    p->tslots = 1 << 16;
    p->tkey = wsd_calloc(p->tslots, sizeof *p->tkey);
    p->tval = wsd_malloc(p->tslots * sizeof *p->tval);
    new_state(p); /* root */
    char *line = NULL;
    size_t cap = 0, len = 0, idcap = 0;
    int32_t *ids = NULL;
    int ok = 1;
    while (read_line(gz, &line, &cap, &len)) {
        if (!read_line(gz, &line, &cap, &len)) break; /* source phrase */
        size_t n = tokens(p, line, &ids, &idcap);
        uint32_t s = 0;
        for (size_t i = 0; i < n; i++) s = trans_get_or_add(p, s, ids[i]);
        if (!read_line(gz, &line, &cap, &len)) {
            ok = 0; /* Java would throw on the missing third line */
            break;
        }
        if (p->nentries + 1 >= p->entries_cap) {
            p->entries_cap = p->entries_cap ? p->entries_cap * 2 : 1024;
            p->phrase_off =
                wsd_realloc(p->phrase_off, (p->entries_cap + 1) * sizeof *p->phrase_off);
            p->emit_next = wsd_realloc(p->emit_next, p->entries_cap * sizeof *p->emit_next);
        }
        size_t e = p->nentries++;
        p->phrase_off[e] = p->nwords;
        size_t m = tokens(p, line, &ids, &idcap);
        if (p->nwords + m > p->words_cap) {
            while (p->nwords + m > p->words_cap)
                p->words_cap = p->words_cap ? p->words_cap * 2 : 4096;
            p->words = wsd_realloc(p->words, p->words_cap * sizeof *p->words);
        }
        memcpy(p->words + p->nwords, ids, m * sizeof *ids);
        p->nwords += m;
        p->phrase_off[e + 1] = p->nwords;
        p->emit_next[e] = -1;
        if (p->emit_tail[s] < 0)
            p->emit_head[s] = (int64_t)e;
        else
            p->emit_next[p->emit_tail[s]] = (int64_t)e;
        p->emit_tail[s] = (int64_t)e;
    }
    int zerr = 0;
    const char *msg = gzerror(gz, &zerr);
    gzclose(gz);
    free(line);
    free(ids);
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
        wsd_fail("meteor: paraphrase table %s: %s", path, msg ? msg : "read error");
        wsd_meteor_para_free(p);
        return NULL;
    }
    if (!ok) {
        wsd_fail("meteor: paraphrase table %s: truncated entry", path);
        wsd_meteor_para_free(p);
        return NULL;
    }
    if (p->nentries == 0) {
        wsd_fail("meteor: paraphrase table %s has no entries", path);
        wsd_meteor_para_free(p);
        return NULL;
    }
    return p;
}

void wsd_meteor_para_free(wsd_meteor_para *p) {
    if (!p) return;
    wsd_strmap_free(&p->vocab);
    free(p->tkey);
    free(p->tval);
    free(p->emit_head);
    free(p->emit_tail);
    free(p->emit_next);
    free(p->words);
    free(p->phrase_off);
    free(p);
}

int32_t wsd_meteor_para_word(const wsd_meteor_para *p, const char *w, size_t len) {
    return wsd_strmap_find(&p->vocab, w, len);
}

void wsd_meteor_para_paths(const wsd_meteor_para *p, const int32_t *words, int n, int start,
                           void (*fn)(int len, const int32_t *phrase, int phrase_len, void *ctx),
                           void *ctx) {
    uint32_t s = 0;
    for (int i = 0; start + i < n; i++) {
        int64_t t = trans_find(p, s, words[start + i]);
        if (t < 0) break;
        s = (uint32_t)t;
        for (int64_t e = p->emit_head[s]; e >= 0; e = p->emit_next[e])
            fn(i + 1, p->words + p->phrase_off[e], (int)(p->phrase_off[e + 1] - p->phrase_off[e]),
               ctx);
    }
}
