/* Snowball English (Porter2) stemmer; see stem.h. Written from the published
 * algorithm: each step looks for the longest suffix of its list and, when the
 * region or context test of that suffix fails, does nothing (a shorter suffix
 * is not tried). R1 and R2 are fixed once, before the steps run. */
#include "score/meteor/stem.h"

#include <string.h>

typedef struct {
    char *w;
    size_t n;
    size_t p1, p2;
} stem_word;

static int is_vowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int ends_with(const stem_word *s, const char *suf) {
    size_t k = strlen(suf);
    return k <= s->n && memcmp(s->w + s->n - k, suf, k) == 0;
}

/* Index of the longest entry of list (NULL-terminated) that ends the word, or -1. */
static int longest_suffix(const stem_word *s, const char *const *list) {
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; list[i]; i++) {
        size_t k = strlen(list[i]);
        if (k > best_len && ends_with(s, list[i])) {
            best = i;
            best_len = k;
        }
    }
    return best;
}

static void replace_suffix(stem_word *s, size_t suffix_len, const char *with) {
    size_t k = strlen(with);
    s->n -= suffix_len;
    memcpy(s->w + s->n, with, k);
    s->n += k;
}

/* Short syllable ending at position k: non-vowel + vowel + non-vowel other
 * than w, x, Y; or, at the very start, vowel + non-vowel. */
static int short_syllable_at(const stem_word *s, size_t k) {
    const char *w = s->w;
    if (k >= 3 && !is_vowel(w[k - 1]) && w[k - 1] != 'w' && w[k - 1] != 'x' && w[k - 1] != 'Y' &&
        is_vowel(w[k - 2]) && !is_vowel(w[k - 3]))
        return 1;
    return k == 2 && !is_vowel(w[1]) && is_vowel(w[0]);
}

static int has_vowel(const char *w, size_t end) {
    for (size_t i = 0; i < end; i++)
        if (is_vowel(w[i])) return 1;
    return 0;
}

/* Whole-word exceptions checked before anything else; 1 when handled. */
static int exception1(stem_word *s) {
    static const char *const from[] = {
        "skis",   "skies", "dying", "lying", "tying", "idly",   "gently", "ugly",  "early", "only",
        "singly", "sky",   "news",  "howe",  "atlas", "cosmos", "bias",   "andes", NULL};
    static const char *const to[] = {"ski",   "sky",  "die",   "lie",    "tie",   "idl",
                                     "gentl", "ugli", "earli", "onli",   "singl", "sky",
                                     "news",  "howe", "atlas", "cosmos", "bias",  "andes"};
    for (int i = 0; from[i]; i++) {
        if (strlen(from[i]) == s->n && memcmp(s->w, from[i], s->n) == 0) {
            s->n = strlen(to[i]);
            memcpy(s->w, to[i], s->n);
            return 1;
        }
    }
    return 0;
}

static int exception2(const stem_word *s) {
    static const char *const list[] = {"inning",  "outing", "canning", "herring", "earring",
                                       "proceed", "exceed", "succeed", NULL};
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == s->n && memcmp(s->w, list[i], s->n) == 0) return 1;
    return 0;
}

static void prelude(stem_word *s) {
    if (s->n > 0 && s->w[0] == '\'') {
        memmove(s->w, s->w + 1, s->n - 1);
        s->n--;
    }
    if (s->n > 0 && s->w[0] == 'y') s->w[0] = 'Y';
    for (size_t i = 1; i < s->n; i++)
        if (s->w[i] == 'y' && is_vowel(s->w[i - 1])) s->w[i] = 'Y';
}

/* Position after the first non-vowel that follows a vowel, from `from`. */
static size_t region_start(const stem_word *s, size_t from) {
    size_t i = from;
    while (i < s->n && !is_vowel(s->w[i])) i++;
    while (i < s->n && is_vowel(s->w[i])) i++;
    return i < s->n ? i + 1 : s->n;
}

static void mark_regions(stem_word *s) {
    static const char *const prefixes[] = {"gener", "commun", "arsen", NULL};
    s->p1 = (size_t)-1;
    for (int i = 0; prefixes[i]; i++) {
        size_t k = strlen(prefixes[i]);
        if (s->n >= k && memcmp(s->w, prefixes[i], k) == 0) s->p1 = k;
    }
    if (s->p1 == (size_t)-1) s->p1 = region_start(s, 0);
    s->p2 = region_start(s, s->p1);
}

static void step0_1a(stem_word *s) {
    static const char *const apos[] = {"'", "'s", "'s'", NULL};
    int a = longest_suffix(s, apos);
    if (a >= 0) s->n -= strlen(apos[a]);

    static const char *const list[] = {"sses", "ied", "ies", "s", "us", "ss", NULL};
    int i = longest_suffix(s, list);
    if (i == 0) {
        replace_suffix(s, 4, "ss");
    } else if (i == 1 || i == 2) {
        replace_suffix(s, 3, s->n - 3 >= 2 ? "i" : "ie");
    } else if (i == 3) {
        /* a vowel somewhere before the letter that precedes the s */
        if (s->n >= 2 && has_vowel(s->w, s->n - 2)) s->n--;
    }
}

static void step1b(stem_word *s) {
    static const char *const list[] = {"eed", "eedly", "ed", "edly", "ing", "ingly", NULL};
    int i = longest_suffix(s, list);
    if (i < 0) return;
    size_t k = strlen(list[i]);
    size_t start = s->n - k;
    if (i <= 1) {
        if (start >= s->p1) replace_suffix(s, k, "ee");
        return;
    }
    if (!has_vowel(s->w, start)) return;
    s->n = start;
    if (ends_with(s, "at") || ends_with(s, "bl") || ends_with(s, "iz")) {
        s->w[s->n++] = 'e';
    } else if (s->n >= 2 && s->w[s->n - 1] == s->w[s->n - 2] &&
               strchr("bdfgmnprt", s->w[s->n - 1]) && s->w[s->n - 1] != '\0') {
        s->n--;
    } else if (s->n == s->p1 && short_syllable_at(s, s->n)) {
        s->w[s->n++] = 'e';
    }
}

static void step1c(stem_word *s) {
    if (s->n >= 3 && (s->w[s->n - 1] == 'y' || s->w[s->n - 1] == 'Y') && !is_vowel(s->w[s->n - 2]))
        s->w[s->n - 1] = 'i';
}

static void step2(stem_word *s) {
    static const char *const from[] = {
        "tional", "enci",  "anci",  "abli",  "entli",   "izer",  "ization", "ational", "ation",
        "ator",   "alism", "aliti", "alli",  "fulness", "ousli", "ousness", "iveness", "iviti",
        "biliti", "bli",   "ogi",   "fulli", "lessli",  "li",    NULL};
    static const char *const to[] = {"tion", "ence", "ance", "able", "ent", "ize", "ize",  "ate",
                                     "ate",  "ate",  "al",   "al",   "al",  "ful", "ous",  "ous",
                                     "ive",  "ive",  "ble",  "ble",  "og",  "ful", "less", ""};
    int i = longest_suffix(s, from);
    if (i < 0) return;
    size_t k = strlen(from[i]);
    size_t start = s->n - k;
    if (start < s->p1) return;
    if (strcmp(from[i], "ogi") == 0 && !(start > 0 && s->w[start - 1] == 'l')) return;
    if (strcmp(from[i], "li") == 0 &&
        !(start > 0 && s->w[start - 1] != '\0' && strchr("cdeghkmnrt", s->w[start - 1])))
        return;
    replace_suffix(s, k, to[i]);
}

static void step3(stem_word *s) {
    static const char *const from[] = {"tional", "ational", "alize", "icate", "iciti",
                                       "ical",   "ful",     "ness",  "ative", NULL};
    static const char *const to[] = {"tion", "ate", "al", "ic", "ic", "ic", "", "", ""};
    int i = longest_suffix(s, from);
    if (i < 0) return;
    size_t k = strlen(from[i]);
    size_t start = s->n - k;
    if (start < s->p1) return;
    if (strcmp(from[i], "ative") == 0 && start < s->p2) return;
    replace_suffix(s, k, to[i]);
}

static void step4(stem_word *s) {
    static const char *const list[] = {"al",  "ance",  "ence", "er",  "ic",  "able", "ible",
                                       "ant", "ement", "ment", "ent", "ism", "ate",  "iti",
                                       "ous", "ive",   "ize",  "ion", NULL};
    int i = longest_suffix(s, list);
    if (i < 0) return;
    size_t k = strlen(list[i]);
    size_t start = s->n - k;
    if (start < s->p2) return;
    if (strcmp(list[i], "ion") == 0 &&
        !(start > 0 && (s->w[start - 1] == 's' || s->w[start - 1] == 't')))
        return;
    s->n = start;
}

static void step5(stem_word *s) {
    if (s->n == 0) return;
    size_t start = s->n - 1;
    if (s->w[start] == 'e') {
        if (start >= s->p2 || (start >= s->p1 && !short_syllable_at(s, start))) s->n = start;
    } else if (s->w[start] == 'l') {
        if (start >= s->p2 && start > 0 && s->w[start - 1] == 'l') s->n = start;
    }
}

size_t wsd_stem_english(const char *word, size_t len, char *out) {
    stem_word s = {out, len, 0, 0};
    memmove(out, word, len);
    if (!exception1(&s) && s.n >= 3) {
        prelude(&s);
        mark_regions(&s);
        step0_1a(&s);
        if (!exception2(&s)) {
            step1b(&s);
            step1c(&s);
            step2(&s);
            step3(&s);
            step4(&s);
            step5(&s);
        }
        for (size_t i = 0; i < s.n; i++)
            if (s.w[i] == 'Y') s.w[i] = 'y';
    }
    out[s.n] = '\0';
    return s.n;
}
