/* METEOR 1.5 scorer: data loading, coco-caption's SCORE/EVAL protocol, and
 * the score from sufficient statistics (MeteorScorer.computeMetrics and
 * MeteorStats.addStats). See meteor.h.
 *
 * Where this port can differ from the Java scorer (none checked against the
 * jar, which is not available here):
 *  - Without synonym_dir, synonyms come from Debian's WordNet 3.0 files:
 *    same synsets as Meteor's export, but some verb/adjective byte offsets
 *    differ, so the rare noun-vs-verb/adjective offset coincidences that make
 *    unrelated words "synonyms" in Meteor fall elsewhere (see wordnet.h).
 *  - The EVAL aggregate (statistics summed, then scored) follows our reading
 *    of coco-caption's modified jar (meteor/meteor.py Meteor.compute_score
 *    sends one EVAL line; unverified there).
 *  - Lower-casing covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 *    (Java lower-cases all of Unicode); the stemmer works on bytes (Java on
 *    UTF-16 units). Both agree on ASCII, which is what coco passes after its
 *    non-ASCII filter.
 *  - pow() is glibc's (correctly rounded); Java's Math.pow may differ in the
 *    last bit.
 *  - The paraphrase matcher is written from Meteor's behaviour but could not
 *    be run against the real paraphrase-en.gz. */
#include "score/meteor/meteor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/meteor/meteor_align.h"
#include "score/meteor/meteor_data.h"
#include "score/meteor/meteor_internal.h"
#include "score/meteor/stem.h"
#include "base/util.h"

/* English, task "rank" (Meteor 1.5 Constants): alpha beta gamma delta, and
 * the scoring weights of exact, stem, synonym, paraphrase. */
static const double P_ALPHA = 0.85, P_BETA = 0.20, P_GAMMA = 0.60, P_DELTA = 0.75;
static const double MODULE_WEIGHT[4] = {1.0, 0.6, 0.8, 0.6};
enum { BEAM = 40 };
#define PAIR_CACHE_BYTES ((size_t)256 << 20)

struct wsd_meteor {
    wsd_wordnet *wn;
    wsd_meteor_para *para;
    wsd_strmap func;
    wsd_meteor_nbp nbp;
    int official;
    char caveat[512];
    char source[1024];
    size_t n_cut; /* distinct captions cut to WSD_METEOR_MAX_WORDS */
    /* per distinct word: matcher keys, cached across calls */
    wsd_strmap cache;
    wsd_meteor_winfo *info;
    size_t info_cap;
    uint32_t *syn_pool;
    size_t syn_n, syn_cap;
    uint32_t *set_tmp;
    size_t set_cap;
    wsd_meteor_aligner *al;
    /* per distinct SCORE line: its statistics and score (the line fixes the
     * result); emptied when it outgrows PAIR_CACHE_BYTES */
    wsd_strmap pairs;
    /* per distinct side text (trimmed): its normalised words' cache ids */
    wsd_strmap sides;
    uint32_t *side_off, *side_len;
    int32_t *side_pool;
    size_t side_cap, side_pool_n, side_pool_cap;
    wsd_meteor_stats *pair_stats;
    double *pair_score;
    size_t pair_cap;
    /* scratch */
    const wsd_meteor_winfo **t, **r;
    int t_cap, r_cap;
    int32_t *ids;
    int ids_cap;
};

/* Java readLine() splitting: lines end at \n, \r or \r\n. */
static int load_function_words(wsd_strmap *set, const char *text, size_t len, const char *name) {
    size_t b = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n' || text[i] == '\r') {
            if (i > b || (i < len)) wsd_strmap_intern(set, text + b, i - b);
            if (i < len && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') i++;
            b = i + 1;
        }
    }
    if (set->n == 0) return wsd_fail("meteor: function-word list %s is empty", name);
    return 0;
}

static wsd_meteor *open_failed(wsd_meteor *m) {
    char why[600];
    snprintf(why, sizeof why, "%s", wsd_error());
    wsd_meteor_close(m);
    wsd_fail("%s", why);
    return NULL;
}

wsd_meteor *wsd_meteor_open_data(wsd_meteor_data *d, const char *wordnet_dir) {
    if (!d->text[WSD_METEOR_WORDS]) {
        wsd_fail("no Meteor function-word list (function/english.words inside meteor-1.5.jar)%s%s",
                 d->missing && *d->missing ? "; missing: " : "", d->missing ? d->missing : "");
        return NULL;
    }
    wsd_meteor *m = wsd_calloc(1, sizeof *m);
    wsd_strmap_init(&m->func);
    wsd_strmap_init(&m->cache);
    wsd_strmap_init(&m->pairs);
    wsd_strmap_init(&m->sides);
    memset(&m->nbp, 0, sizeof m->nbp);
    if (load_function_words(&m->func, d->text[WSD_METEOR_WORDS], d->len[WSD_METEOR_WORDS],
                            d->origin[WSD_METEOR_WORDS]) != 0)
        return open_failed(m);
    int meteor_syn = d->text[WSD_METEOR_SYNSETS] && d->text[WSD_METEOR_EXCEPTIONS];
    m->wn = meteor_syn ? wsd_wordnet_from_meteor_text(
                             d->text[WSD_METEOR_SYNSETS], d->len[WSD_METEOR_SYNSETS],
                             d->origin[WSD_METEOR_SYNSETS], d->text[WSD_METEOR_EXCEPTIONS],
                             d->len[WSD_METEOR_EXCEPTIONS], d->origin[WSD_METEOR_EXCEPTIONS])
                       : wsd_wordnet_open(wordnet_dir);
    if (!m->wn) return open_failed(m);
    if (d->text[WSD_METEOR_PREFIXES]) wsd_meteor_nbp_parse(&m->nbp, d->text[WSD_METEOR_PREFIXES]);
    if (d->paraphrase) {
        m->para = wsd_meteor_para_load(d->paraphrase);
        if (!m->para) return open_failed(m);
    }
    const char *parts[3] = {NULL, NULL, NULL};
    if (!d->paraphrase)
        parts[0] = "without paraphrase table (paraphrase-en.gz), paraphrase module off";
    if (!d->text[WSD_METEOR_PREFIXES])
        parts[1] = "without Meteor's nonbreaking-prefix list (english.prefixes)";
    if (!meteor_syn)
        parts[2] = "synonyms from Debian WordNet 3.0, not Meteor's export (english.synsets)";
    m->official = !parts[0] && !parts[1] && !parts[2];
    if (!m->official) {
        size_t k = (size_t)snprintf(m->caveat, sizeof m->caveat, "approximate METEOR:");
        const char *sep = " ";
        for (int i = 0; i < 3; i++) {
            if (!parts[i] || k >= sizeof m->caveat) continue;
            k += (size_t)snprintf(m->caveat + k, sizeof m->caveat - k, "%s%s", sep, parts[i]);
            sep = "; ";
        }
    }
    snprintf(m->source, sizeof m->source, "%s", d->source ? d->source : "");
    m->al = wsd_meteor_aligner_new();
    return m;
}

wsd_meteor *wsd_meteor_open(const wsd_meteor_config *cfg) {
    wsd_meteor_config none = {0};
    if (!cfg) cfg = &none;
    wsd_meteor_where w = {0};
    w.jar = cfg->jar_path;
    w.function_words = cfg->function_words_path;
    w.prefixes = cfg->nonbreaking_path;
    w.synonym_dir = cfg->synonym_dir;
    w.paraphrase = cfg->paraphrase_path;
    wsd_meteor_data d;
    if (wsd_meteor_data_find(&w, &d) != 0) return NULL;
    wsd_meteor *m = wsd_meteor_open_data(&d, cfg->wordnet_dir);
    wsd_meteor_data_free(&d);
    return m;
}

wsd_meteor *wsd_meteor_open_dir(const char *meteor_dir, const char *wordnet_dir) {
    wsd_meteor_where w = {0};
    size_t n = meteor_dir ? strlen(meteor_dir) : 0;
    if (n > 4 && strcmp(meteor_dir + n - 4, ".jar") == 0)
        w.jar = meteor_dir;
    else
        w.dir = meteor_dir;
    w.search = meteor_dir == NULL;
    wsd_meteor_data d;
    if (wsd_meteor_data_find(&w, &d) != 0) return NULL;
    wsd_meteor *m = wsd_meteor_open_data(&d, wordnet_dir);
    wsd_meteor_data_free(&d);
    return m;
}

void wsd_meteor_close(wsd_meteor *m) {
    if (!m) return;
    wsd_wordnet_close(m->wn);
    wsd_meteor_para_free(m->para);
    wsd_strmap_free(&m->func);
    wsd_meteor_nbp_free(&m->nbp);
    wsd_strmap_free(&m->cache);
    wsd_strmap_free(&m->pairs);
    wsd_strmap_free(&m->sides);
    free(m->side_off);
    free(m->side_len);
    free(m->side_pool);
    free(m->pair_stats);
    free(m->pair_score);
    free(m->info);
    free(m->syn_pool);
    free(m->set_tmp);
    wsd_meteor_aligner_free(m->al);
    free(m->t);
    free(m->r);
    free(m->ids);
    free(m);
}

int wsd_meteor_official(const wsd_meteor *m) { return m->official; }
const char *wsd_meteor_caveat(const wsd_meteor *m) { return m->caveat; }
const char *wsd_meteor_source(const wsd_meteor *m) { return m->source; }
size_t wsd_meteor_cut_count(const wsd_meteor *m) { return m->n_cut; }

/* Cache id of a word, computing its matcher keys the first time. */
static int32_t word_info(wsd_meteor *m, const char *w, size_t len) {
    int32_t id = wsd_strmap_find(&m->cache, w, len);
    if (id >= 0) return id;
    id = wsd_strmap_intern(&m->cache, w, len);
    if ((size_t)id >= m->info_cap) {
        m->info_cap = m->info_cap ? m->info_cap * 2 : 1024;
        m->info = wsd_realloc(m->info, m->info_cap * sizeof *m->info);
    }
    wsd_meteor_winfo *wi = &m->info[id];
    wi->key = wsd_meteor_java_hash(w, len);
    char *stem = wsd_malloc(len + 1);
    size_t sl = wsd_stem_english(w, len, stem);
    wi->stem_key = wsd_meteor_java_hash(stem, sl);
    free(stem);
    wi->func = wsd_strmap_find(&m->func, w, len) >= 0;
    wi->para = m->para ? wsd_meteor_para_word(m->para, w, len) : -1;
    size_t k = wsd_wordnet_meteor_set(m->wn, w, len, &m->set_tmp, &m->set_cap);
    if (m->syn_n + k > m->syn_cap) {
        while (m->syn_n + k > m->syn_cap) m->syn_cap = m->syn_cap ? m->syn_cap * 2 : 4096;
        m->syn_pool = wsd_realloc(m->syn_pool, m->syn_cap * sizeof *m->syn_pool);
    }
    if (k) memcpy(m->syn_pool + m->syn_n, m->set_tmp, k * sizeof *m->set_tmp);
    wi->syn_off = (uint32_t)m->syn_n;
    wi->syn_len = (uint32_t)k;
    m->syn_n += k;
    return id;
}

static int is_tok_delim(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Splits a normalised line into words and returns their cache ids in m->ids. */
static int words_of(wsd_meteor *m, const char *line) {
    int n = 0;
    for (const char *q = line; *q;) {
        while (*q && is_tok_delim(*q)) q++;
        if (!*q) break;
        const char *b = q;
        while (*q && !is_tok_delim(*q)) q++;
        if (n == m->ids_cap) {
            m->ids_cap = m->ids_cap ? m->ids_cap * 2 : 64;
            m->ids = wsd_realloc(m->ids, (size_t)m->ids_cap * sizeof *m->ids);
        }
        m->ids[n++] = word_info(m, b, (size_t)(q - b));
    }
    return n;
}

static const wsd_meteor_winfo **info_ptrs(wsd_meteor *m, const int32_t *ids, int n,
                                          const wsd_meteor_winfo ***buf, int *cap) {
    if (n + 1 > *cap) {
        *cap = n + 1;
        *buf = wsd_realloc((void *)*buf, (size_t)*cap * sizeof **buf);
    }
    for (int i = 0; i < n; i++) (*buf)[i] = &m->info[ids[i]];
    return *buf;
}

/* MeteorScorer.computeMetrics: the score of (possibly summed) statistics. */
static double score_of(const wsd_meteor *m, const wsd_meteor_stats *s) {
    int nmod = m->para ? 4 : 3;
    double tw_len = (P_DELTA * (s->test_len - s->test_func)) + ((1.0 - P_DELTA) * s->test_func);
    double rw_len = (P_DELTA * (s->ref_len - s->ref_func)) + ((1.0 - P_DELTA) * s->ref_func);
    double tw = 0, rw = 0;
    for (int i = 0; i < nmod; i++) tw += s->test_content[i] * MODULE_WEIGHT[i] * P_DELTA;
    for (int i = 0; i < nmod; i++) rw += s->ref_content[i] * MODULE_WEIGHT[i] * P_DELTA;
    for (int i = 0; i < nmod; i++) tw += s->test_function[i] * MODULE_WEIGHT[i] * (1.0 - P_DELTA);
    for (int i = 0; i < nmod; i++) rw += s->ref_function[i] * MODULE_WEIGHT[i] * (1.0 - P_DELTA);
    double precision = tw / tw_len, recall = rw / rw_len;
    double fmean = 1.0 / (((1.0 - P_ALPHA) / precision) + (P_ALPHA / recall));
    double frag;
    if (s->test_total == s->test_len && s->ref_total == s->ref_len && s->chunks == 1)
        frag = 0;
    else
        frag = s->chunks / ((s->test_word_matches + s->ref_word_matches) / 2);
    double penalty = P_GAMMA * pow(frag, P_BETA);
    double score = fmean * (1.0 - penalty);
    if (isnan(score)) return 0;
    return score > 0.0 ? score : 0.0;
}

/* MeteorStats.addStats: a perfect one-chunk pair adds no chunk. */
static void add_stats(wsd_meteor_stats *agg, const wsd_meteor_stats *s) {
    agg->test_len += s->test_len;
    agg->ref_len += s->ref_len;
    agg->test_func += s->test_func;
    agg->ref_func += s->ref_func;
    agg->test_total += s->test_total;
    agg->ref_total += s->ref_total;
    for (int i = 0; i < 4; i++) {
        agg->test_content[i] += s->test_content[i];
        agg->ref_content[i] += s->ref_content[i];
        agg->test_function[i] += s->test_function[i];
        agg->ref_function[i] += s->ref_function[i];
    }
    if (!(s->test_total == s->test_len && s->ref_total == s->ref_len && s->chunks == 1))
        agg->chunks += s->chunks;
    agg->test_word_matches += s->test_word_matches;
    agg->ref_word_matches += s->ref_word_matches;
}

typedef struct {
    char *a;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t k) {
    if (b->n + k + 1 > b->cap) {
        while (b->n + k + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 256;
        b->a = wsd_realloc(b->a, b->cap);
    }
    memcpy(b->a + b->n, s, k);
    b->n += k;
    b->a[b->n] = '\0';
}

/* Python str.replace(old, new): left to right, non-overlapping. */
static void py_replace(sbuf *out, const char *s, const char *old, const char *rep) {
    size_t k = strlen(old), rk = strlen(rep);
    out->n = 0;
    sb_put(out, "", 0);
    for (const char *p = s; *p;) {
        if (strncmp(p, old, k) == 0) {
            sb_put(out, rep, rk);
            p += k;
        } else {
            sb_put(out, p, 1);
            p++;
        }
    }
}

/* Java String.trim() copy of s[b..e). */
static char *java_trim(const char *s, size_t b, size_t e) {
    while (b < e && (unsigned char)s[b] <= ' ') b++;
    while (e > b && (unsigned char)s[e - 1] <= ' ') e--;
    char *r = wsd_malloc(e - b + 1);
    memcpy(r, s + b, e - b);
    r[e - b] = '\0';
    return r;
}

/* The normalised words of one side (trimmed text), as cache ids in m->ids;
 * returns their number. Cached per distinct text. */
static int side_words(wsd_meteor *m, const char *text) {
    size_t len = strlen(text);
    int32_t id = wsd_strmap_find(&m->sides, text, len);
    if (id < 0) {
        char *norm = wsd_meteor_normalize(text, &m->nbp);
        int n = words_of(m, norm);
        free(norm);
        if (n > WSD_METEOR_MAX_WORDS) {
            n = WSD_METEOR_MAX_WORDS;
            m->n_cut++;
        }
        if (m->sides.chars_len + len > PAIR_CACHE_BYTES / 4 ||
            m->side_pool_n + (size_t)n > (PAIR_CACHE_BYTES / 16)) {
            wsd_strmap_free(&m->sides);
            wsd_strmap_init(&m->sides);
            m->side_pool_n = 0;
        }
        id = wsd_strmap_intern(&m->sides, text, len);
        if ((size_t)id >= m->side_cap) {
            m->side_cap = m->side_cap ? m->side_cap * 2 : 4096;
            m->side_off = wsd_realloc(m->side_off, m->side_cap * sizeof *m->side_off);
            m->side_len = wsd_realloc(m->side_len, m->side_cap * sizeof *m->side_len);
        }
        if (m->side_pool_n + (size_t)n > m->side_pool_cap) {
            while (m->side_pool_n + (size_t)n > m->side_pool_cap)
                m->side_pool_cap = m->side_pool_cap ? m->side_pool_cap * 2 : 65536;
            m->side_pool = wsd_realloc(m->side_pool, m->side_pool_cap * sizeof *m->side_pool);
        }
        memcpy(m->side_pool + m->side_pool_n, m->ids, (size_t)n * sizeof *m->ids);
        m->side_off[id] = (uint32_t)m->side_pool_n;
        m->side_len[id] = (uint32_t)n;
        m->side_pool_n += (size_t)n;
        return n;
    }
    int n = (int)m->side_len[id];
    if (n > m->ids_cap) {
        m->ids_cap = n;
        m->ids = wsd_realloc(m->ids, (size_t)m->ids_cap * sizeof *m->ids);
    }
    memcpy(m->ids, m->side_pool + m->side_off[id], (size_t)n * sizeof *m->ids);
    return n;
}

/* One coco "SCORE ||| ref ||| ... ||| hyp" exchange: the wrapper's clean-up
 * of the hypothesis, Meteor's split on "|||" (trailing empty parts dropped,
 * parts trimmed), then the best reference by segment score. */
static int score_pair(wsd_meteor *m, const char *cand, const char *const *refs, int nrefs,
                      wsd_meteor_stats *best_out, double *best_score) {
    if (nrefs < 1) return wsd_fail("meteor: a candidate has no reference");
    sbuf h1 = {0}, h2 = {0}, line = {0};
    py_replace(&h1, cand ? cand : "", "|||", "");
    py_replace(&h2, h1.a, "  ", " ");
    sb_put(&line, "SCORE ||| ", 10);
    for (int i = 0; i < nrefs; i++) {
        if (i) sb_put(&line, " ||| ", 5);
        const char *r = refs[i] ? refs[i] : "";
        sb_put(&line, r, strlen(r));
    }
    sb_put(&line, " ||| ", 5);
    sb_put(&line, h2.a, h2.n);
    free(h1.a);
    free(h2.a);

    int32_t hit = wsd_strmap_find(&m->pairs, line.a, line.n);
    if (hit >= 0) {
        *best_out = m->pair_stats[hit];
        *best_score = m->pair_score[hit];
        free(line.a);
        return 0;
    }
    size_t nparts = 0, pcap = 0;
    size_t *pb = NULL, *pe = NULL;
    size_t b = 0;
    for (size_t i = 0;; i++) {
        int end = i >= line.n;
        if (end || strncmp(line.a + i, "|||", 3) == 0) {
            if (nparts == pcap) {
                pcap = pcap ? pcap * 2 : 8;
                pb = wsd_realloc(pb, pcap * sizeof *pb);
                pe = wsd_realloc(pe, pcap * sizeof *pe);
            }
            pb[nparts] = b;
            pe[nparts++] = end ? line.n : i;
            if (end) break;
            b = i + 3;
            i += 2;
        }
    }
    while (nparts > 0 && pe[nparts - 1] == pb[nparts - 1]) nparts--;
    if (nparts < 3) {
        free(pb);
        free(pe);
        free(line.a);
        return wsd_fail("meteor: malformed SCORE line (Meteor answers with an error)");
    }

    char *test = java_trim(line.a, pb[nparts - 1], pe[nparts - 1]);
    int n1 = side_words(m, test);
    free(test);
    int32_t *tids = wsd_malloc((size_t)(n1 + 1) * sizeof *tids);
    memcpy(tids, m->ids, (size_t)n1 * sizeof *tids);

    double best = -1;
    for (size_t k = 1; k + 1 < nparts; k++) {
        char *ref = java_trim(line.a, pb[k], pe[k]);
        int n2 = side_words(m, ref);
        free(ref);
        /* the info array may have moved: build pointers only now */
        const wsd_meteor_winfo **tp = info_ptrs(m, tids, n1, &m->t, &m->t_cap);
        const wsd_meteor_winfo **rp = info_ptrs(m, m->ids, n2, &m->r, &m->r_cap);
        wsd_meteor_align_cfg cfg = {1, 1, m->para, m->syn_pool, BEAM};
        wsd_meteor_stats st;
        wsd_meteor_align(m->al, &cfg, tp, n1, rp, n2, &st);
        double sc = score_of(m, &st);
        if (sc > best) {
            best = sc;
            *best_out = st;
        }
    }
    free(tids);
    free(pb);
    free(pe);
    if (m->pairs.chars_len + line.n > PAIR_CACHE_BYTES) {
        wsd_strmap_free(&m->pairs);
        wsd_strmap_init(&m->pairs);
    }
    int32_t id = wsd_strmap_intern(&m->pairs, line.a, line.n);
    if ((size_t)id >= m->pair_cap) {
        m->pair_cap = m->pair_cap ? m->pair_cap * 2 : 4096;
        m->pair_stats = wsd_realloc(m->pair_stats, m->pair_cap * sizeof *m->pair_stats);
        m->pair_score = wsd_realloc(m->pair_score, m->pair_cap * sizeof *m->pair_score);
    }
    m->pair_stats[id] = *best_out;
    m->pair_score[id] = best;
    free(line.a);
    *best_score = best;
    return 0;
}

int wsd_meteor_segment(wsd_meteor *m, const char *candidate, const char *const *refs, int nrefs,
                       double *score_out) {
    wsd_meteor_stats st;
    return score_pair(m, candidate, refs, nrefs, &st, score_out);
}

int wsd_meteor_corpus(wsd_meteor *m, int n, const char *const *candidates,
                      const char *const *const *refs, const int *nrefs, double *score_out) {
    wsd_meteor_stats agg;
    memset(&agg, 0, sizeof agg);
    for (int i = 0; i < n; i++) {
        wsd_meteor_stats st;
        double sc;
        if (score_pair(m, candidates[i], refs[i], nrefs[i], &st, &sc) != 0) return -1;
        add_stats(&agg, &st);
    }
    *score_out = score_of(m, &agg);
    return 0;
}
