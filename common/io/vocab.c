#include "io/vocab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

void wsd_vocab_free(wsd_vocab *v) {
    if (!v) return;
    for (int i = 0; i < v->n; i++) free(v->words[i]);
    free(v->words);
    free(v->counts);
    wsd_idmap_free(v->index);
    free(v);
}

typedef struct {
    const char *word;
    int64_t count;
} word_count;

/* (-count, word) with byte order, which for UTF-8 is code point order as in
 * the reference's Python sort. */
static int by_count_then_word(const void *a, const void *b) {
    const word_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

static wsd_vocab *new_vocab(int n, int min_count, int size) {
    wsd_vocab *v = wsd_calloc(1, sizeof *v);
    v->n = n;
    v->words = wsd_calloc((size_t)n, sizeof *v->words);
    v->counts = wsd_calloc((size_t)n, sizeof *v->counts);
    v->min_count = min_count;
    v->size = size;
    v->index = wsd_idmap_new();
    return v;
}

wsd_vocab *wsd_vocab_build(const wsd_captions *c, int min_count, int size, wsd_vocab_stats *stats) {
    wsd_vocab_stats st = {0};
    wsd_idmap *seen = wsd_idmap_new();
    size_t n_words = 0, cap = 0;
    word_count *wc = NULL;
    if (size < 3) {
        wsd_fail("vocabulary size %d leaves no room for <bos>, <eos> and <oov>", size);
        goto fail;
    }
    for (size_t i = 0; i < c->n; i++) {
        const wsd_video *vid = &c->videos[i];
        for (size_t k = 0; k < vid->n_events; k++) {
            if (!vid->events[k].sentence) continue;
            wsd_tokens t;
            if (wsd_tokenize(vid->events[k].sentence, &t) != 0) {
                wsd_fail("%s: video '%s': sentence %zu: invalid UTF-8", c->path, vid->id, k);
                goto fail;
            }
            st.sentences++;
            for (size_t j = 0; j < t.n; j++) {
                long at = wsd_idmap_get(seen, t.tok[j]);
                if (at < 0) {
                    if (n_words == cap)
                        wc = wsd_realloc(wc, (cap = cap ? cap * 2 : 1024) * sizeof *wc);
                    wsd_idmap_put(seen, t.tok[j], (long)n_words);
                    wc[n_words].word = wsd_strdup(t.tok[j]);
                    wc[n_words++].count = 0;
                    at = (long)n_words - 1;
                }
                wc[at].count++;
                st.tokens++;
            }
            wsd_tokens_free(&t);
        }
    }
    st.distinct = (long long)n_words;
    size_t kept = 0;
    for (size_t i = 0; i < n_words; i++) {
        if (wc[i].count >= min_count)
            wc[kept++] = wc[i];
        else
            free((char *)wc[i].word);
    }
    n_words = kept;
    st.distinct_kept = (long long)kept;
    if (kept) qsort(wc, kept, sizeof *wc, by_count_then_word);
    if (kept > (size_t)size - 3) {
        for (size_t i = (size_t)size - 3; i < kept; i++) free((char *)wc[i].word);
        kept = (size_t)size - 3;
    }
    wsd_vocab *v = new_vocab((int)kept + 3, min_count, size);
    v->words[WSD_BOS] = wsd_strdup("<bos>");
    v->words[WSD_EOS] = wsd_strdup("<eos>");
    int64_t in_vocab = 0;
    for (size_t i = 0; i < kept; i++) {
        v->words[i + 2] = (char *)wc[i].word;
        v->counts[i + 2] = wc[i].count;
        in_vocab += wc[i].count;
    }
    v->words[v->n - 1] = wsd_strdup("<oov>");
    v->counts[v->n - 1] = st.tokens - in_vocab;
    for (int i = 0; i < v->n; i++) wsd_idmap_put(v->index, v->words[i], i);
    st.tokens_in_vocab = in_vocab;
    free(wc);
    wsd_idmap_free(seen);
    if (stats) *stats = st;
    return v;
fail:
    for (size_t i = 0; i < n_words; i++) free((char *)wc[i].word);
    free(wc);
    wsd_idmap_free(seen);
    return NULL;
}

int wsd_vocab_id(const wsd_vocab *v, const char *word) {
    long id = wsd_idmap_get(v->index, word);
    /* the specials are not words a sentence can produce... except literally;
     * the reference maps "<bos>" typed in a caption to id 0, and so do we */
    return id < 0 ? wsd_vocab_oov(v) : (int)id;
}

int wsd_vocab_encode(const wsd_vocab *v, const char *sentence, int32_t **ids, size_t *n) {
    wsd_tokens t;
    if (wsd_tokenize(sentence, &t) != 0) return -1;
    *n = t.n + 2;
    *ids = wsd_malloc(*n * sizeof **ids);
    (*ids)[0] = WSD_BOS;
    for (size_t i = 0; i < t.n; i++) (*ids)[i + 1] = wsd_vocab_id(v, t.tok[i]);
    (*ids)[t.n + 1] = WSD_EOS;
    wsd_tokens_free(&t);
    return 0;
}

char *wsd_vocab_decode(const wsd_vocab *v, const int32_t *ids, size_t n) {
    if (n == 0 || ids[0] != WSD_BOS) {
        wsd_fail("decode: the id sequence must start with <bos> (0)");
        return NULL;
    }
    size_t len = 0, end = 1;
    for (; end < n && ids[end] != WSD_EOS; end++) {
        if (ids[end] < 0 || ids[end] >= v->n) {
            wsd_fail("decode: id %d out of range (vocabulary has %d entries)", (int)ids[end], v->n);
            return NULL;
        }
        len += strlen(v->words[ids[end]]) + 1;
    }
    char *s = wsd_malloc(len + 1), *p = s;
    for (size_t i = 1; i < end; i++) {
        if (i > 1) *p++ = ' ';
        size_t k = strlen(v->words[ids[i]]);
        memcpy(p, v->words[ids[i]], k);
        p += k;
    }
    *p = '\0';
    return s;
}

cJSON *wsd_vocab_to_json(const wsd_vocab *v) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "format", "wsdec-vocab");
    cJSON_AddNumberToObject(j, "version", 1);
    cJSON_AddNumberToObject(j, "min_count", v->min_count);
    cJSON_AddNumberToObject(j, "size", v->size);
    cJSON_AddItemToObject(j, "id_to_word",
                          cJSON_CreateStringArray((const char *const *)v->words, v->n));
    cJSON *counts = cJSON_AddArrayToObject(j, "counts");
    for (int i = 0; i < v->n; i++)
        cJSON_AddItemToArray(counts, cJSON_CreateNumber((double)v->counts[i]));
    return j;
}

wsd_vocab *wsd_vocab_from_json(const cJSON *j, const char *name) {
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "version");
    const cJSON *words = cJSON_GetObjectItemCaseSensitive(j, "id_to_word");
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(j, "counts");
    const cJSON *minc = cJSON_GetObjectItemCaseSensitive(j, "min_count");
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(j, "size");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "wsdec-vocab") != 0 ||
        !cJSON_IsNumber(ver) || ver->valueint != 1) {
        wsd_fail(
            "%s: not a wsdec vocabulary (expected \"format\": \"wsdec-vocab\", \"version\": 1)",
            name);
        return NULL;
    }
    int n = cJSON_IsArray(words) ? cJSON_GetArraySize(words) : 0;
    if (n < 3) {
        wsd_fail("%s: \"id_to_word\" must list at least <bos>, <eos> and <oov>", name);
        return NULL;
    }
    if (counts && (!cJSON_IsArray(counts) || cJSON_GetArraySize(counts) != n)) {
        wsd_fail("%s: \"counts\" must be an array as long as \"id_to_word\"", name);
        return NULL;
    }
    wsd_vocab *v = new_vocab(n, cJSON_IsNumber(minc) ? minc->valueint : 2,
                             cJSON_IsNumber(size) ? size->valueint : n);
    const cJSON *w = words->child, *c = counts ? counts->child : NULL;
    for (int i = 0; i < n; i++, w = w->next, c = c ? c->next : NULL) {
        if (!cJSON_IsString(w)) {
            wsd_fail("%s: id_to_word[%d] is not a string", name, i);
            goto bad;
        }
        v->words[i] = wsd_strdup(w->valuestring);
        v->counts[i] = cJSON_IsNumber(c) ? (int64_t)c->valuedouble : 0;
        if (wsd_idmap_put(v->index, w->valuestring, i) != 0) {
            wsd_fail("%s: word '%s' appears twice (id %d)", name, w->valuestring, i);
            goto bad;
        }
    }
    if (strcmp(v->words[WSD_BOS], "<bos>") || strcmp(v->words[WSD_EOS], "<eos>") ||
        strcmp(v->words[n - 1], "<oov>")) {
        wsd_fail("%s: ids 0, 1 and the last must be <bos>, <eos> and <oov>", name);
        goto bad;
    }
    return v;
bad:
    wsd_vocab_free(v);
    return NULL;
}

int wsd_vocab_save(FILE *fp, const wsd_vocab *v) {
    cJSON *j = wsd_vocab_to_json(v);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text) return wsd_fail("cannot format vocabulary");
    int bad = fputs(text, fp) < 0 || putc('\n', fp) == EOF;
    free(text);
    return bad ? wsd_fail("write error: %s", strerror(errno)) : 0;
}

wsd_vocab *wsd_vocab_load(const char *path) {
    size_t len;
    char *text = wsd_read_file(path, &len);
    if (!text) return NULL;
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!j) {
        wsd_fail("%s: not valid JSON (expected a wsdec vocabulary)", path);
        return NULL;
    }
    wsd_vocab *v = wsd_vocab_from_json(j, path);
    cJSON_Delete(j);
    return v;
}
