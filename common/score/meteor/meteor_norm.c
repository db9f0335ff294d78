/* METEOR's `-norm` normaliser (English, punctuation kept) and lower-casing,
 * written from Meteor 1.5's Normalizer behaviour: a fixed sequence of
 * regular-expression rewrites of the line padded with one blank each side,
 * then a per-word pass that decides which final periods to split off. Each
 * rewrite below reproduces Java's replaceAll: matches are found left to right
 * and never overlap, so "a-b-c" only loses its first hyphen. The work is done
 * on code points so the letter classes cover Latin-1 and Cyrillic as the
 * original's do. */
#include <stdlib.h>
#include <string.h>

#include "score/meteor/meteor_internal.h"
#include "base/util.h"

typedef struct {
    uint32_t *a;
    size_t n, cap;
} cps;

static void cps_push(cps *s, uint32_t c) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->a = wsd_realloc(s->a, s->cap * sizeof *s->a);
    }
    s->a[s->n++] = c;
}

static void cps_push_ascii(cps *s, const char *t) {
    while (*t) cps_push(s, (unsigned char)*t++);
}

/* Decodes UTF-8; an invalid byte becomes U+FFFD, as Java's decoder does. */
static void decode_utf8(const char *str, cps *out) {
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        uint32_t c = *s;
        int extra = c < 0x80             ? 0
                    : (c & 0xE0) == 0xC0 ? 1
                    : (c & 0xF0) == 0xE0 ? 2
                    : (c & 0xF8) == 0xF0 ? 3
                                         : -1;
        if (extra < 0) {
            cps_push(out, 0xFFFD);
            s++;
            continue;
        }
        if (extra > 0) c &= 0x3F >> extra;
        int ok = 1;
        for (int i = 1; i <= extra; i++) {
            if ((s[i] & 0xC0) != 0x80) {
                ok = 0;
                break;
            }
            c = (c << 6) | (s[i] & 0x3F);
        }
        if (!ok) {
            cps_push(out, 0xFFFD);
            s++;
            continue;
        }
        cps_push(out, c);
        s += extra + 1;
    }
}

static char *encode_utf8(const uint32_t *a, size_t n) {
    char *out = wsd_malloc(n * 4 + 1), *p = out;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = a[i];
        if (c < 0x80) {
            *p++ = (char)c;
        } else if (c < 0x800) {
            *p++ = (char)(0xC0 | (c >> 6));
            *p++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *p++ = (char)(0xE0 | (c >> 12));
            *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        } else {
            *p++ = (char)(0xF0 | (c >> 18));
            *p++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *p = '\0';
    return out;
}

/* Meteor's "alpha" class: ASCII letters, Western European and Cyrillic ranges. */
static int is_alpha(uint32_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0x160 || c == 0x17D ||
           c == 0x161 || c == 0x17E || c == 0x178 || (c >= 0xC0 && c <= 0xD6) ||
           (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x17E) || (c >= 0x400 && c <= 0x4FF) ||
           (c >= 0x500 && c <= 0x527) || (c >= 0xA640 && c <= 0xA66E) ||
           (c >= 0xA67E && c <= 0xA697) || (c >= 0x1D00 && c <= 0x1D7F);
}
static int is_digit(uint32_t c) { return c >= '0' && c <= '9'; } /* Java \p{Digit} */
static int is_alnum(uint32_t c) { return is_digit(c) || is_alpha(c); }
static int is_jspace(uint32_t c) { /* Java \s */
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
}
static int is_tok_delim(uint32_t c) { /* StringTokenizer's default delimiters */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
static int is_zs(uint32_t c) { /* the Unicode space separators Meteor collapses */
    return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

static int match_at(const cps *s, size_t i, const char *lit) {
    for (size_t k = 0; lit[k]; k++)
        if (i + k >= s->n || s->a[i + k] != (unsigned char)lit[k]) return 0;
    return 1;
}

static int contains(const cps *s, const char *lit) {
    for (size_t i = 0; i < s->n; i++)
        if (match_at(s, i, lit)) return 1;
    return 0;
}

/* String.replace(lit, rep): literal, left to right, non-overlapping. */
static void replace_lit(cps *s, const char *lit, const char *rep) {
    cps out = {0};
    size_t k = strlen(lit);
    for (size_t i = 0; i < s->n;) {
        if (match_at(s, i, lit)) {
            cps_push_ascii(&out, rep);
            i += k;
        } else {
            cps_push(&out, s->a[i++]);
        }
    }
    free(s->a);
    *s = out;
}

typedef int (*cls_fn)(uint32_t);

/* replaceAll of "(A)x(B)" (three code points) by "$1" + mid + "$2". */
static void replace3(cps *s, cls_fn a, uint32_t x, cls_fn b, const char *mid) {
    cps out = {0};
    for (size_t i = 0; i < s->n;) {
        if (i + 2 < s->n && a(s->a[i]) && s->a[i + 1] == x && b(s->a[i + 2])) {
            cps_push(&out, s->a[i]);
            cps_push_ascii(&out, mid);
            cps_push(&out, s->a[i + 2]);
            i += 3;
        } else {
            cps_push(&out, s->a[i++]);
        }
    }
    free(s->a);
    *s = out;
}

static int not_digit(uint32_t c) { return !is_digit(c); }
static int not_alpha(uint32_t c) { return !is_alpha(c); }
static int not_alpha_digit(uint32_t c) { return !is_alpha(c) && !is_digit(c); }
static int alnum_or_dot(uint32_t c) { return is_alnum(c) || c == '.'; }
static int is_s(uint32_t c) { return c == 's'; }

static uint32_t lower(uint32_t c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 0x20;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) || (c >= 0x460 && c <= 0x481) ||
         (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x527)) &&
        !(c & 1))
        return c + 1;
    if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) || (c >= 0x4C1 && c <= 0x4CE)) &&
        (c & 1))
        return c + 1;
    if (c == 0x178) return 0xFF;
    return c;
}

/* Java length of a word in UTF-16 code units. */
static size_t utf16_len(const uint32_t *a, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += a[i] >= 0x10000 ? 2 : 1;
    return k;
}

static int nbp_type(const wsd_meteor_nbp *nbp, const uint32_t *a, size_t n) {
    if (!nbp || !nbp->type) return 0;
    char *key = encode_utf8(a, n);
    int32_t id = wsd_strmap_find(&nbp->map, key, strlen(key));
    free(key);
    return id < 0 ? 0 : nbp->type[id];
}

/* The per-word pass: a final period stays attached to acronyms (losing all
 * their dots), listed prefixes and words followed by a lower-case word. */
static void break_dots(cps *s, const wsd_meteor_nbp *nbp) {
    size_t nw = 0, capw = 0;
    size_t *ws = NULL, *we = NULL;
    for (size_t i = 0; i < s->n;) {
        while (i < s->n && is_tok_delim(s->a[i])) i++;
        if (i >= s->n) break;
        size_t b = i;
        while (i < s->n && !is_tok_delim(s->a[i])) i++;
        if (nw == capw) {
            capw = capw ? capw * 2 : 32;
            ws = wsd_realloc(ws, capw * sizeof *ws);
            we = wsd_realloc(we, capw * sizeof *we);
        }
        ws[nw] = b;
        we[nw++] = i;
    }
    cps out = {0};
    for (size_t w = 0; w < nw; w++) {
        const uint32_t *a = s->a + ws[w];
        size_t n = we[w] - ws[w];
        int next_lower = w + 1 < nw && s->a[ws[w + 1]] >= 'a' && s->a[ws[w + 1]] <= 'z';
        int next_digit = w + 1 < nw && is_digit(s->a[ws[w + 1]]);
        if (utf16_len(a, n) > 1 && a[n - 1] == '.') {
            size_t pn = n - 1;
            int pre_dot = 0, pre_alpha = 0;
            for (size_t k = 0; k < pn; k++) {
                if (a[k] == '.') pre_dot = 1;
                if (is_alpha(a[k])) pre_alpha = 1;
            }
            int type = nbp_type(nbp, a, pn);
            if (pre_dot && pre_alpha) {
                for (size_t k = 0; k < n; k++)
                    if (a[k] != '.') cps_push(&out, a[k]);
            } else if (type == 1 || next_lower || (type == 2 && next_digit)) {
                for (size_t k = 0; k < n; k++) cps_push(&out, a[k]);
            } else {
                for (size_t k = 0; k < pn; k++) cps_push(&out, a[k]);
                cps_push_ascii(&out, " .");
            }
        } else {
            for (size_t k = 0; k < n; k++) cps_push(&out, a[k]);
        }
        cps_push(&out, ' ');
    }
    free(ws);
    free(we);
    free(s->a);
    *s = out;
}

char *wsd_meteor_normalize(const char *line, const wsd_meteor_nbp *nbp) {
    cps in = {0}, s = {0};
    decode_utf8(line, &in);

    /* blank-padded line; other symbols get blanks around them */
    cps_push(&s, ' ');
    for (size_t i = 0; i < in.n; i++) {
        uint32_t c = in.a[i];
        int keep = is_alnum(c) || is_jspace(c) || c == '.' || c == '\'' || c == '`' || c == ',' ||
                   c == '-' || c == 0x2018 || c == 0x2019;
        if (!keep) cps_push(&s, ' ');
        cps_push(&s, c);
        if (!keep) cps_push(&s, ' ');
    }
    cps_push(&s, ' ');
    free(in.a);

    /* protect runs of dots: ".." -> " DOTMULTI." and so on */
    {
        cps out = {0};
        for (size_t i = 0; i < s.n;) {
            if (s.a[i] == '.' && i + 1 < s.n && s.a[i + 1] == '.') {
                cps_push_ascii(&out, " DOTMULTI");
                i++;
                while (i < s.n && s.a[i] == '.') cps_push(&out, s.a[i++]);
            } else {
                cps_push(&out, s.a[i++]);
            }
        }
        free(s.a);
        s = out;
    }
    while (contains(&s, "DOTMULTI.")) {
        cps out = {0};
        for (size_t i = 0; i < s.n;) {
            if (match_at(&s, i, "DOTMULTI.") && i + 9 < s.n && s.a[i + 9] != '.') {
                cps_push_ascii(&out, "DOTDOTMULTI ");
                cps_push(&out, s.a[i + 9]);
                i += 10;
            } else {
                cps_push(&out, s.a[i++]);
            }
        }
        free(s.a);
        s = out;
        replace_lit(&s, "DOTMULTI.", "DOTDOTMULTI");
    }

    /* commas, except between digits */
    replace3(&s, not_digit, ',', not_digit, " , ");
    replace3(&s, is_digit, ',', not_digit, " , ");
    replace3(&s, not_digit, ',', is_digit, " , ");

    /* quotes: ` and curly single quotes -> ', '' and curly doubles -> " */
    for (size_t i = 0; i < s.n; i++)
        if (s.a[i] == '`' || s.a[i] == 0x2018 || s.a[i] == 0x2019) s.a[i] = '\'';
    {
        cps out = {0};
        for (size_t i = 0; i < s.n;) {
            if (s.a[i] == 0x201C || s.a[i] == 0x201D) {
                cps_push_ascii(&out, " \" ");
                i++;
            } else if (s.a[i] == '\'' && i + 1 < s.n && s.a[i + 1] == '\'') {
                cps_push_ascii(&out, " \" ");
                i += 2;
            } else {
                cps_push(&out, s.a[i++]);
            }
        }
        free(s.a);
        s = out;
    }

    /* dashes: en dash and "--" -> "-", then drop a hyphen inside a word */
    for (size_t i = 0; i < s.n; i++)
        if (s.a[i] == 0x2013) s.a[i] = '-';
    replace_lit(&s, "--", "-");
    replace3(&s, alnum_or_dot, '-', is_alnum, " ");

    /* English apostrophes: split before them (n't -> n 't, 's -> ' s) */
    replace3(&s, not_alpha, '\'', not_alpha, " ' ");
    replace3(&s, not_alpha_digit, '\'', is_alpha, " ' ");
    replace3(&s, is_alpha, '\'', not_alpha, " ' ");
    replace3(&s, is_alpha, '\'', is_alpha, " '");
    replace3(&s, is_digit, '\'', is_s, " '");

    break_dots(&s, nbp);

    while (contains(&s, "DOTDOTMULTI")) replace_lit(&s, "DOTDOTMULTI", "DOTMULTI.");
    replace_lit(&s, "DOTMULTI", ".");

    /* collapse space separators, trim, lower-case */
    cps out = {0};
    for (size_t i = 0; i < s.n;) {
        if (is_zs(s.a[i])) {
            cps_push(&out, ' ');
            while (i < s.n && is_zs(s.a[i])) i++;
        } else {
            cps_push(&out, lower(s.a[i++]));
        }
    }
    free(s.a);
    size_t b = 0, e = out.n;
    while (b < e && out.a[b] <= ' ') b++;
    while (e > b && out.a[e - 1] <= ' ') e--;
    char *res = encode_utf8(out.a + b, e - b);
    free(out.a);
    return res;
}

int wsd_meteor_nbp_load(wsd_meteor_nbp *nbp, const char *path) {
    memset(nbp, 0, sizeof *nbp);
    wsd_strmap_init(&nbp->map);
    char *text = wsd_read_file(path, NULL);
    if (!text) return -1;
    wsd_meteor_nbp_free(nbp);
    wsd_meteor_nbp_parse(nbp, text);
    free(text);
    return 0;
}

void wsd_meteor_nbp_parse(wsd_meteor_nbp *nbp, char *text) {
    memset(nbp, 0, sizeof *nbp);
    wsd_strmap_init(&nbp->map);
    size_t cap = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tsave = NULL;
        char *pre = strtok_r(line, " \t\r\f", &tsave);
        if (!pre || pre[0] == '#') continue;
        char *second = strtok_r(NULL, " \t\r\f", &tsave);
        int type = second && strcmp(second, "#NUMERIC_ONLY#") == 0 ? 2 : 1;
        int32_t id = wsd_strmap_intern(&nbp->map, pre, strlen(pre));
        if ((size_t)id >= cap) {
            size_t old = cap;
            cap = cap ? cap * 2 : 256;
            while ((size_t)id >= cap) cap *= 2;
            nbp->type = wsd_realloc(nbp->type, cap);
            memset(nbp->type + old, 0, cap - old);
        }
        nbp->type[id] = (unsigned char)type;
    }
    if (!nbp->type) nbp->type = wsd_calloc(1, 1);
}

void wsd_meteor_nbp_free(wsd_meteor_nbp *nbp) {
    wsd_strmap_free(&nbp->map);
    free(nbp->type);
    nbp->type = NULL;
}

int32_t wsd_meteor_java_hash(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    uint32_t h = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c = s[i];
        int extra = c < 0x80             ? 0
                    : (c & 0xE0) == 0xC0 ? 1
                    : (c & 0xF0) == 0xE0 ? 2
                    : (c & 0xF8) == 0xF0 ? 3
                                         : -1;
        if (extra < 0 || i + (size_t)extra >= len) {
            c = 0xFFFD;
            i++;
        } else {
            if (extra > 0) c &= 0x3F >> extra;
            for (int k = 1; k <= extra; k++) c = (c << 6) | (s[i + k] & 0x3F);
            i += (size_t)extra + 1;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            h = h * 31u + (0xD800 + (c >> 10));
            h = h * 31u + (0xDC00 + (c & 0x3FF));
        } else {
            h = h * 31u + c;
        }
    }
    return (int32_t)h;
}
