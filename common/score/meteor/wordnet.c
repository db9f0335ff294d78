/* WordNet tables for METEOR's synonym module; see wordnet.h. */
#include "score/meteor/wordnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/meteor/meteor_map.h"
#include "base/util.h"

struct wsd_wordnet {
    wsd_strmap words;    /* lemmas and exception forms/bases share ids */
    uint32_t *syn_start; /* CSR over word ids: synsets */
    uint32_t *syn;
    uint32_t *base_start; /* CSR over word ids: base forms (exception lists) */
    uint32_t *base;
    unsigned char *present; /* per word id: has a synset entry (Meteor's containsKey) */
    size_t present_cap;
    size_t nknown;
};

static void mark_present(wsd_wordnet *wn, int32_t id) {
    if ((size_t)id >= wn->present_cap) {
        size_t old = wn->present_cap;
        wn->present_cap = wn->present_cap ? wn->present_cap * 2 : 1 << 16;
        while ((size_t)id >= wn->present_cap) wn->present_cap *= 2;
        wn->present = wsd_realloc(wn->present, wn->present_cap);
        memset(wn->present + old, 0, wn->present_cap - old);
    }
    wn->present[id] = 1;
}

static int is_present(const wsd_wordnet *wn, int32_t id) {
    return id >= 0 && (size_t)id < wn->present_cap && wn->present[id];
}

typedef struct {
    uint32_t *a; /* pairs (key, value) */
    size_t n, cap;
} pair_vec;

static void pair_push(pair_vec *v, uint32_t k, uint32_t x) {
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1 << 16;
        v->a = wsd_realloc(v->a, v->cap * 2 * sizeof *v->a);
    }
    v->a[2 * v->n] = k;
    v->a[2 * v->n + 1] = x;
    v->n++;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Builds CSR arrays over nkeys keys; values of one key sorted and unique. */
static void build_csr(const pair_vec *v, size_t nkeys, uint32_t **start_out, uint32_t **vals_out) {
    uint32_t *start = wsd_calloc(nkeys + 1, sizeof *start);
    uint32_t *vals = wsd_malloc((v->n ? v->n : 1) * sizeof *vals);
    for (size_t i = 0; i < v->n; i++) start[v->a[2 * i] + 1]++;
    for (size_t k = 0; k < nkeys; k++) start[k + 1] += start[k];
    uint32_t *fill = wsd_malloc((nkeys + 1) * sizeof *fill);
    memcpy(fill, start, (nkeys + 1) * sizeof *fill);
    for (size_t i = 0; i < v->n; i++) vals[fill[v->a[2 * i]]++] = v->a[2 * i + 1];
    free(fill);
    /* sort + dedupe each row, compacting in place */
    uint32_t w = 0;
    for (size_t k = 0; k < nkeys; k++) {
        uint32_t b = start[k], e = start[k + 1];
        qsort(vals + b, e - b, sizeof *vals, cmp_u32);
        start[k] = w;
        for (uint32_t i = b; i < e; i++)
            if (i == b || vals[i] != vals[i - 1]) vals[w++] = vals[i];
    }
    start[nkeys] = w;
    *start_out = start;
    *vals_out = vals;
}

static char *join_path(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = wsd_malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    return path;
}

static char *open_file_text(const char *dir, const char *name, size_t *len) {
    char *path = join_path(dir, name);
    char *text = wsd_read_file(path, len);
    free(path);
    return text;
}

static int readable(const char *dir, const char *name) {
    char *path = join_path(dir, name);
    FILE *fp = fopen(path, "r");
    free(path);
    if (fp) fclose(fp);
    return fp != NULL;
}

/* index.POS: "lemma pos synset_cnt p_cnt ptr... sense_cnt tagsense_cnt off..." */
static int load_index(wsd_wordnet *wn, pair_vec *syn, const char *text, const char *name) {
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        if (*p != ' ' && eol > p) {
            char line[8192];
            size_t len = (size_t)(eol - p);
            if (len >= sizeof line) return wsd_fail("wordnet: %s: line too long", name);
            memcpy(line, p, len);
            line[len] = '\0';
            char *save = NULL;
            char *lemma = strtok_r(line, " ", &save);
            char *pos = strtok_r(NULL, " ", &save);
            char *cnt = strtok_r(NULL, " ", &save);
            char *pcnt = strtok_r(NULL, " ", &save);
            if (!lemma || !pos || !cnt || !pcnt)
                return wsd_fail("wordnet: %s: malformed line", name);
            long n = strtol(cnt, NULL, 10), np = strtol(pcnt, NULL, 10);
            for (long i = 0; i < np; i++)
                if (!strtok_r(NULL, " ", &save))
                    return wsd_fail("wordnet: %s: malformed line", name);
            if (!strtok_r(NULL, " ", &save) || !strtok_r(NULL, " ", &save))
                return wsd_fail("wordnet: %s: malformed line", name);
            int32_t id = wsd_strmap_intern(&wn->words, lemma, strlen(lemma));
            mark_present(wn, id);
            for (long i = 0; i < n; i++) {
                char *off = strtok_r(NULL, " ", &save);
                if (!off) return wsd_fail("wordnet: %s: malformed line", name);
                /* the bare byte offset, as in Meteor's export: the parts of
                 * speech share one number space */
                pair_push(syn, (uint32_t)id, (uint32_t)strtoul(off, NULL, 10));
            }
        }
        p = *eol ? eol + 1 : eol;
    }
    return 0;
}

/* POS.exc: "form base [base...]" */
static void load_exc(wsd_wordnet *wn, pair_vec *bases, const char *text) {
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        const char *q = p;
        int32_t form = -1;
        while (q < eol) {
            while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
            const char *t = q;
            while (q < eol && *q != ' ' && *q != '\t' && *q != '\r') q++;
            if (q == t) break;
            int32_t id = wsd_strmap_intern(&wn->words, t, (size_t)(q - t));
            if (form < 0)
                form = id;
            else
                pair_push(bases, (uint32_t)form, (uint32_t)id);
        }
        p = *eol ? eol + 1 : eol;
    }
}

wsd_wordnet *wsd_wordnet_open(const char *dir) {
    static const char *const pos_names[] = {"noun", "verb", "adj", "adv"};
    const char *given = dir ? dir : "/usr/share/wordnet";
    char *base_dir = NULL;
    if (readable(given, "index.noun")) {
        base_dir = wsd_strdup(given);
    } else {
        base_dir = join_path(given, "dict");
        if (!readable(base_dir, "index.noun")) {
            free(base_dir);
            wsd_fail("wordnet: no readable index.noun in %s (Debian package wordnet-base)", given);
            return NULL;
        }
    }

    wsd_wordnet *wn = wsd_calloc(1, sizeof *wn);
    wsd_strmap_init(&wn->words);
    pair_vec syn = {0}, bases = {0};
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++) {
        char name[64];
        snprintf(name, sizeof name, "index.%s", pos_names[i]);
        char *text = open_file_text(base_dir, name, NULL);
        if (!text) {
            rc = -1;
            break;
        }
        rc = load_index(wn, &syn, text, name);
        free(text);
        snprintf(name, sizeof name, "%s.exc", pos_names[i]);
        text = open_file_text(base_dir, name, NULL);
        if (!text) {
            rc = -1;
            break;
        }
        load_exc(wn, &bases, text);
        free(text);
    }
    if (rc == 0) {
        build_csr(&syn, wn->words.n, &wn->syn_start, &wn->syn);
        build_csr(&bases, wn->words.n, &wn->base_start, &wn->base);
        for (size_t k = 0; k < wn->words.n; k++) wn->nknown += is_present(wn, (int32_t)k);
    }
    free(syn.a);
    free(bases.a);
    free(base_dir);
    if (rc != 0) {
        wsd_wordnet_close(wn);
        return NULL;
    }
    return wn;
}

/* Next line of text (Java readLine: ends at \n, \r or \r\n); NULL at the end. */
static char *next_line(char **cursor, char *end) {
    char *p = *cursor;
    if (p >= end) return NULL;
    char *q = p;
    while (q < end && *q != '\n' && *q != '\r') q++;
    char *next = q;
    if (q < end) next = (*q == '\r' && q + 1 < end && q[1] == '\n') ? q + 2 : q + 1;
    *q = '\0';
    *cursor = next;
    return p;
}

static int is_delim(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

wsd_wordnet *wsd_wordnet_from_meteor_text(char *synsets, size_t synsets_len,
                                          const char *synsets_name, char *exceptions,
                                          size_t exceptions_len, const char *exceptions_name) {
    wsd_wordnet *wn = wsd_calloc(1, sizeof *wn);
    wsd_strmap_init(&wn->words);
    pair_vec syn = {0}, bases = {0};
    int rc = 0;
    char *end = synsets + synsets_len;
    for (char *cur = synsets, *word; rc == 0 && (word = next_line(&cur, end));) {
        char *ids = next_line(&cur, end);
        if (!ids) {
            rc = wsd_fail("meteor synonyms: %s: word without synset line", synsets_name);
            break;
        }
        int32_t id = wsd_strmap_intern(&wn->words, word, strlen(word));
        mark_present(wn, id);
        for (char *q = ids; *q;) {
            while (*q && is_delim(*q)) q++;
            if (!*q) break;
            char *e = NULL;
            long v = strtol(q, &e, 10);
            if (e == q || (*e && !is_delim(*e))) {
                rc = wsd_fail("meteor synonyms: %s: bad synset number after word '%s'",
                              synsets_name, word);
                break;
            }
            pair_push(&syn, (uint32_t)id, (uint32_t)v);
            q = e;
        }
    }
    end = exceptions + exceptions_len;
    (void)exceptions_name;
    for (char *cur = exceptions, *base; rc == 0 && (base = next_line(&cur, end));) {
        char *forms = next_line(&cur, end);
        if (!forms) break;
        int32_t b = wsd_strmap_intern(&wn->words, base, strlen(base));
        for (char *q = forms; *q;) {
            while (*q && is_delim(*q)) q++;
            if (!*q) break;
            char *t = q;
            while (*q && !is_delim(*q)) q++;
            int32_t f = wsd_strmap_intern(&wn->words, t, (size_t)(q - t));
            pair_push(&bases, (uint32_t)f, (uint32_t)b);
        }
    }
    if (rc == 0) {
        build_csr(&syn, wn->words.n, &wn->syn_start, &wn->syn);
        build_csr(&bases, wn->words.n, &wn->base_start, &wn->base);
        for (size_t k = 0; k < wn->words.n; k++) wn->nknown += is_present(wn, (int32_t)k);
    }
    free(syn.a);
    free(bases.a);
    if (rc != 0) {
        wsd_wordnet_close(wn);
        return NULL;
    }
    return wn;
}

wsd_wordnet *wsd_wordnet_open_meteor(const char *synonym_dir) {
    size_t ls = 0, le = 0;
    char *s = open_file_text(synonym_dir, "english.synsets", &ls);
    if (!s) return NULL;
    char *e = open_file_text(synonym_dir, "english.exceptions", &le);
    if (!e) {
        free(s);
        return NULL;
    }
    char *ns = join_path(synonym_dir, "english.synsets"),
         *ne = join_path(synonym_dir, "english.exceptions");
    wsd_wordnet *wn = wsd_wordnet_from_meteor_text(s, ls, ns, e, le, ne);
    free(ns);
    free(ne);
    free(s);
    free(e);
    return wn;
}

void wsd_wordnet_close(wsd_wordnet *wn) {
    if (!wn) return;
    wsd_strmap_free(&wn->words);
    free(wn->syn_start);
    free(wn->syn);
    free(wn->base_start);
    free(wn->base);
    free(wn->present);
    free(wn);
}

size_t wsd_wordnet_size(const wsd_wordnet *wn) { return wn->nknown; }

static size_t synsets_of_id(const wsd_wordnet *wn, int32_t id, const uint32_t **ids) {
    *ids = NULL;
    if (id < 0) return 0;
    *ids = wn->syn + wn->syn_start[id];
    return wn->syn_start[id + 1] - wn->syn_start[id];
}

size_t wsd_wordnet_synsets(const wsd_wordnet *wn, const char *word, size_t len,
                           const uint32_t **ids) {
    return synsets_of_id(wn, wsd_strmap_find(&wn->words, word, len), ids);
}

/* WordNet's detachment rules (noun, verb, adjective suffixes in this order),
 * as METEOR applies them: the first rule giving a known word wins. */
static int32_t morph(const wsd_wordnet *wn, const char *word, size_t len) {
    static const char *const sufx[] = {"s",   "ses", "xes", "zes", "ches", "shes", "men",
                                       "ies", "s",   "ies", "es",  "es",   "ed",   "ed",
                                       "ing", "ing", "er",  "est", "er",   "est"};
    static const char *const addr[] = {"",  "s", "x", "z", "ch", "sh", "man", "y", "",  "y",
                                       "e", "",  "e", "",  "e",  "",   "",    "",  "e", "e"};
    if (len <= 2 || (len >= 2 && word[len - 2] == 's' && word[len - 1] == 's'))
        return wsd_strmap_find(&wn->words, word, len);
    char buf[256];
    for (int i = 0; i < 20; i++) {
        size_t k = strlen(sufx[i]), a = strlen(addr[i]);
        if (k > len || memcmp(word + len - k, sufx[i], k) != 0) continue;
        if (len - k + a > sizeof buf) continue;
        memcpy(buf, word, len - k);
        memcpy(buf + len - k, addr[i], a);
        int32_t id = wsd_strmap_find(&wn->words, buf, len - k + a);
        if (is_present(wn, id)) return id;
    }
    return -1;
}

static void append(uint32_t **out, size_t *cap, size_t *n, const uint32_t *ids, size_t k) {
    if (*n + k > *cap) {
        while (*n + k > *cap) *cap = *cap ? *cap * 2 : 64;
        *out = wsd_realloc(*out, *cap * sizeof **out);
    }
    if (k) memcpy(*out + *n, ids, k * sizeof *ids);
    *n += k;
}

size_t wsd_wordnet_meteor_set(const wsd_wordnet *wn, const char *word, size_t len, uint32_t **out,
                              size_t *cap) {
    size_t n = 0;
    const uint32_t *ids;
    int32_t id = wsd_strmap_find(&wn->words, word, len);
    size_t k = synsets_of_id(wn, id, &ids);
    append(out, cap, &n, ids, k);
    if (id >= 0 && wn->base_start[id + 1] > wn->base_start[id]) {
        for (uint32_t b = wn->base_start[id]; b < wn->base_start[id + 1]; b++) {
            k = synsets_of_id(wn, (int32_t)wn->base[b], &ids);
            append(out, cap, &n, ids, k);
        }
    } else {
        k = synsets_of_id(wn, morph(wn, word, len), &ids);
        append(out, cap, &n, ids, k);
    }
    if (n > 1) {
        qsort(*out, n, sizeof **out, cmp_u32);
        size_t w = 1;
        for (size_t i = 1; i < n; i++)
            if ((*out)[i] != (*out)[w - 1]) (*out)[w++] = (*out)[i];
        n = w;
    }
    return n;
}
