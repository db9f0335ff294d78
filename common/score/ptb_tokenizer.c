/* PTBLexer (CoreNLP 3.4.1) rules that matter for ASCII text, ported by hand.
 *
 * JFlex picks, at each position, the rule with the longest match (trailing
 * context included) and breaks ties by rule order; each rule below is a
 * function returning that total length and the length of the token it
 * produces, and lex_line() runs them all in rule order. JFlex %caseless makes
 * literal strings case-insensitive but leaves character classes alone, which
 * is why some abbreviations below are case-sensitive in their first letter
 * ("wash." is split, "Mr." and "mr." are kept). */
#include "score/ptb_tokenizer.h"

#include "base/util.h"

#include <string.h>
#include <stdlib.h>

void ptb_buf_reserve(ptb_buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->data = wsd_realloc(b->data, cap);
    b->cap = cap;
}

void ptb_buf_append(ptb_buf *b, const char *s, size_t n) {
    ptb_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ptb_buf_free(ptb_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int ptb_is_line_break(int c) { return c == '\r' || c == '\v' || c == '\f' || c == '\n'; }

static int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int is_blank(int c) { return c == ' ' || c == '\t'; }
static int is_apos(int c) { return c == '\''; }
static int is_apos_etc(int c) { return c == '\'' || c == '`'; }
static int lower(int c) { return is_upper(c) ? c + 32 : c; }

/* Case-insensitive literal at the start of s (JFlex %caseless strings). */
static size_t lit(const char *s, size_t n, const char *w) {
    size_t i = 0;
    for (; w[i]; i++)
        if (i >= n || lower((unsigned char)s[i]) != lower((unsigned char)w[i])) return 0;
    return i;
}

static size_t run(const char *s, size_t n, int (*pred)(int)) {
    size_t i = 0;
    while (i < n && pred((unsigned char)s[i])) i++;
    return i;
}

/* A rule's verdict: total = match length with trailing context (what JFlex
 * compares), tok = bytes consumed, text = replacement text or NULL for the
 * matched bytes themselves, drop = emits nothing visible. */
typedef struct {
    size_t total, tok;
    const char *text;
    int drop;
    int nbsp;    /* blanks inside the token print as U+00A0 */
    int acronym; /* one-letter acronym with period: context decides */
    int parens;  /* smiley, phone: ( and ) print as -lrb- / -rrb- */
    int amp;     /* THINGA, S&P-500: "&amp;" prints as "&" */
} match;

#define NO_MATCH ((match){0, 0, NULL, 0, 0, 0, 0, 0})
static match tok_of(size_t n) { return (match){n, n, NULL, 0, 0, 0, 0, 0}; }
static match ctx_of(size_t total, size_t n) { return (match){total, n, NULL, 0, 0, 0, 0, 0}; }
static match dropped(size_t n) { return (match){n, n, NULL, 1, 0, 0, 0, 0}; }
static match text_of(size_t n, const char *t) { return (match){n, n, t, 0, 0, 0, 0, 0}; }

/* WORD = LETTER (LETTER|DIGIT)* ([.!?] LETTER (LETTER|DIGIT)*)* */
static size_t word_len(const char *s, size_t n) {
    if (!n || !is_alpha((unsigned char)s[0])) return 0;
    size_t i = 1 + run(s + 1, n - 1, is_alnum);
    while (i + 1 < n && (s[i] == '.' || s[i] == '!' || s[i] == '?') &&
           is_alpha((unsigned char)s[i + 1]))
        i += 2 + run(s + i + 2, n - i - 2, is_alnum);
    return i;
}

/* REDAUX = APOS ([msdMSD] | re | ve | ll) */
static size_t redaux_len(const char *s, size_t n) {
    if (n < 2 || !is_apos((unsigned char)s[0])) return 0;
    if (lit(s + 1, n - 1, "re") || lit(s + 1, n - 1, "ve") || lit(s + 1, n - 1, "ll")) return 3;
    if (strchr("msdMSD", s[1])) return 2;
    return 0;
}

static int letter_after(const char *s, size_t n, size_t i) {
    return i < n && is_alpha((unsigned char)s[i]);
}

static match r_sgml(const char *s, size_t n) {
    if (s[0] != '<') return NO_MATCH;
    size_t i = 1;
    if (i < n && s[i] == '/') i++;
    if (i >= n || !(is_alpha((unsigned char)s[i]) || s[i] == '!' || s[i] == '?')) return NO_MATCH;
    while (i < n && s[i] != '>') i++;
    if (i >= n) return NO_MATCH;
    match m = tok_of(i + 1);
    m.nbsp = 1;
    return m;
}

static match r_entity(const char *s, size_t n) {
    /* text NULL: the entity is its own token (SPPUNC); drop: it lexes as
     * punctuation the filter removes (quotes, dashes) */
    static const struct {
        const char *ent, *text;
        int drop;
    } ents[] = {
        {"&amp;", "&", 0},   {"&lt;", "<", 0},     {"&gt;", ">", 0},     {"&quot;", NULL, 1},
        {"&apos;", NULL, 1}, {"&mdash;", NULL, 1}, {"&ndash;", NULL, 1}, {"&MD;", NULL, 1},
        {"&HT;", NULL, 0},   {"&TL;", NULL, 0},    {"&UR;", NULL, 0},    {"&LR;", NULL, 0},
        {"&QC;", NULL, 0},   {"&QL;", NULL, 0},    {"&QR;", NULL, 0},    {"&odq;", NULL, 0},
        {"&cdq;", NULL, 0},
    };
    if (s[0] != '&') return NO_MATCH;
    size_t nb = lit(s, n, "&nbsp;"); /* a blank to the lexer (caseless literal) */
    if (nb) return dropped(nb);
    for (size_t k = 0; k < sizeof ents / sizeof ents[0]; k++) {
        size_t l = lit(s, n, ents[k].ent);
        if (!l) continue;
        if (ents[k].drop) return dropped(l);
        return ents[k].text ? text_of(l, ents[k].text) : tok_of(l);
    }
    if (n > 3 && s[1] == '#' && is_digit((unsigned char)s[2])) {
        size_t i = 2 + run(s + 2, n - 2, is_digit);
        if (i < n && s[i] == ';') return tok_of(i + 1);
    }
    return NO_MATCH;
}

/* Splits "cannot", "gonna" & co. the way PTB does (can|not, gon|na). */
static match r_assimilation(const char *s, size_t n) {
    static const char *three[] = {"cannot", "'twas", "dunno"};
    static const char *two[] = {"'tis", "gonna", "gotta", "lemme", "gimme", "wanna", "nno"};
    for (size_t k = 0; k < 3; k++) {
        size_t l = lit(s, n, three[k]);
        if (l) return ctx_of(l, l - 3);
    }
    for (size_t k = 0; k < 7; k++) {
        size_t l = lit(s, n, two[k]);
        if (l && !letter_after(s, n, l)) return ctx_of(l + (l < n), l - 2);
    }
    return NO_MATCH;
}

static match r_word_redaux(const char *s, size_t n) {
    size_t w = word_len(s, n);
    size_t r = w ? redaux_len(s + w, n - w) : 0;
    return r ? ctx_of(w + r, w) : NO_MATCH;
}

/* SWORD / n't: a letter run not ending in n, followed by n't. */
static match r_sword_sredaux(const char *s, size_t n) {
    size_t a = run(s, n, is_alpha);
    if (a < 2) return NO_MATCH;
    size_t k = a - 1;
    if (lower((unsigned char)s[k]) != 'n' || lower((unsigned char)s[k - 1]) == 'n') return NO_MATCH;
    if (k + 2 >= n || !is_apos_etc((unsigned char)s[k + 1]) ||
        lower((unsigned char)s[k + 2]) != 't')
        return NO_MATCH;
    return ctx_of(k + 3, k);
}

static match r_word(const char *s, size_t n) {
    size_t w = word_len(s, n);
    return w ? tok_of(w) : NO_MATCH;
}

static match r_apoword(const char *s, size_t n) {
    size_t best = 0, l;
    if (is_apos((unsigned char)s[0]) && n > 1 && s[1] == 'n')
        best = (n > 2 && is_apos((unsigned char)s[2])) ? 3 : 2;
    if (strchr("lLdDjJ", s[0]) && n > 1 && is_apos((unsigned char)s[1]) && best < 2) best = 2;
    static const char *lits[] = {"dunkin'", "somethin'", "ol'",    "'em",   "'till",      "'til",
                                 "'cause",  "cont'd.",   "cont'd", "'twas", "nor'easter", "c'mon",
                                 "e'er",    "s'mores",   "ev'ry",  "li'l",  "nat'l"};
    for (size_t k = 0; k < sizeof lits / sizeof lits[0]; k++)
        if ((l = lit(s, n, lits[k])) > best) best = l;
    if (is_apos((unsigned char)s[0]) && n >= 4 && s[1] >= '2' && s[1] <= '9' && s[2] == '0' &&
        lower((unsigned char)s[3]) == 's' && best < 4)
        best = 4;
    /* [A-HJ-XZn] APOS letter letter+ : O'Neil, D'Angelo */
    if (n >= 4 && ((is_upper((unsigned char)s[0]) && s[0] != 'I' && s[0] != 'Y') || s[0] == 'n') &&
        is_apos_etc((unsigned char)s[1])) {
        size_t a = run(s + 2, n - 2, is_alpha);
        if (a >= 2 && a + 2 > best) best = a + 2;
    }
    /* letters ending in a vowel, APOS, vowel or capital, letters: there'a */
    size_t a = run(s, n, is_alpha);
    if (a >= 2 && strchr("aeiouyAEIOUY", s[a - 1]) && a + 1 < n &&
        is_apos_etc((unsigned char)s[a]) &&
        (strchr("aeiou", s[a + 1]) || is_upper((unsigned char)s[a + 1]))) {
        size_t t = a + 2 + run(s + a + 2, n - a - 2, is_alpha);
        if (t > best) best = t;
    }
    return best ? tok_of(best) : NO_MATCH;
}

static match r_apoword2(const char *s, size_t n) {
    if (n >= 3 && lower((unsigned char)s[0]) == 'y' && is_apos((unsigned char)s[1]) &&
        is_alpha((unsigned char)s[2]))
        return ctx_of(3, 2);
    return NO_MATCH;
}

static int url_char(int c) {
    return !(is_blank(c) || ptb_is_line_break(c) || strchr("\"<>|()", c)) && c;
}
static int url_last_char(int c) { return url_char(c) && !strchr(".!?(){},-", c); }

static match r_fullurl(const char *s, size_t n) {
    size_t p = lit(s, n, "http://");
    if (!p) p = lit(s, n, "https://");
    if (!p) return NO_MATCH;
    size_t e = p + run(s + p, n - p, url_char);
    while (e > p + 1 && !url_last_char((unsigned char)s[e - 1])) e--;
    return e > p + 1 ? tok_of(e) : NO_MATCH;
}

static int www_part_char(int c) { return url_char(c) && !strchr(".!?(){},", c); }
/* [^ \t\n\f\r"`'<>|.!?(){},-_$]: the ",-_" is a range in the lexer source. */
static int dom_part_char(int c) {
    return url_char(c) && !strchr("`'.!?(){}$", c) && !(c >= ',' && c <= '_');
}

static match r_likelyurl(const char *s, size_t n) {
    size_t e = 0;
    if (lit(s, n, "www.")) {
        /* (www\.([^...]+\.)+[a-zA-Z]{2,4}) */
        size_t i = 4, last_ok = 0;
        for (;;) {
            size_t p = run(s + i, n - i, www_part_char);
            if (!p) break;
            /* after at least one dotted part, this one may be the final [a-zA-Z]{2,4} */
            size_t alph = 0;
            while (alph < p && alph < 4 && is_alpha((unsigned char)s[i + alph])) alph++;
            if (alph >= 2 && i > 4) last_ok = i + alph;
            if (i + p < n && s[i + p] == '.')
                i += p + 1;
            else
                break;
        }
        e = last_ok;
    } else {
        size_t i = 0, last_ok = 0;
        for (;;) {
            size_t p = run(s + i, n - i, dom_part_char);
            if (!p || i + p >= n || s[i + p] != '.') break;
            i += p + 1;
            size_t t;
            if ((t = lit(s + i, n - i, "com")) || (t = lit(s + i, n - i, "net")) ||
                (t = lit(s + i, n - i, "org")) || (t = lit(s + i, n - i, "edu")))
                last_ok = i + t;
        }
        e = last_ok;
    }
    if (!e) return NO_MATCH;
    if (e < n && s[e] == '/') {
        size_t f = e + 1 + run(s + e + 1, n - e - 1, url_char);
        while (f > e + 2 && !url_last_char((unsigned char)s[f - 1])) f--;
        if (f > e + 2) e = f;
    }
    return tok_of(e);
}

static int email_char(int c) { return url_char(c); }

static match r_email(const char *s, size_t n) {
    if (!is_alnum((unsigned char)s[0])) return NO_MATCH;
    size_t r = run(s, n, email_char);
    if (!memchr(s, '@', r)) return NO_MATCH;
    for (size_t e = r; e >= 3; e--) {
        if (s[e - 1] == '.') continue;
        for (size_t a = e - 2; a >= 1; a--) {
            if (s[a] == '.' && s[a + 1] == '.') break;
            if (s[a] == '@' && s[a + 1] != '.') return tok_of(e);
        }
    }
    return NO_MATCH;
}

static int twitter_char(int c) { return is_alnum(c) || c == '_'; }

static match r_twitter(const char *s, size_t n) {
    if (s[0] == '@' && n > 1 && (is_alpha((unsigned char)s[1]) || s[1] == '_'))
        return tok_of(1 + run(s + 1, n - 1, twitter_char));
    if (s[0] == '#' && n > 1) { /* 3.4.1: # then letters only ("#x26" is "#x" "26") */
        size_t w = run(s + 1, n - 1, is_alpha);
        if (w) return tok_of(1 + w);
    }
    return NO_MATCH;
}

static match r_redaux(const char *s, size_t n) {
    size_t r = redaux_len(s, n);
    if (!r || letter_after(s, n, r)) return NO_MATCH;
    return ctx_of(r + (r < n), r);
}

static match r_sredaux(const char *s, size_t n) {
    if (n >= 3 && lower((unsigned char)s[0]) == 'n' && is_apos_etc((unsigned char)s[1]) &&
        lower((unsigned char)s[2]) == 't')
        return tok_of(3);
    return NO_MATCH;
}

static size_t digits_between(const char *s, size_t n, size_t lo, size_t hi) {
    size_t d = run(s, n, is_digit);
    if (d < lo) return 0;
    return d > hi ? hi : d;
}

static match r_date(const char *s, size_t n) {
    size_t a = run(s, n, is_digit);
    if (a < 1 || a > 2 || a >= n || (s[a] != '-' && s[a] != '/')) return NO_MATCH;
    size_t i = a + 1, b = run(s + i, n - i, is_digit);
    if (b < 1 || b > 2 || i + b >= n || (s[i + b] != '-' && s[i + b] != '/')) return NO_MATCH;
    i += b + 1;
    size_t c = digits_between(s + i, n - i, 2, 4);
    return c ? tok_of(i + c) : NO_MATCH;
}

/* NUMBER = [-+]? (DIGIT+ | DIGIT* ([.:,] DIGIT+)+) */
static match r_number(const char *s, size_t n) {
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    size_t d = run(s + i, n - i, is_digit), j = i + d;
    int groups = 0;
    while (j + 1 < n && (s[j] == '.' || s[j] == ':' || s[j] == ',') &&
           is_digit((unsigned char)s[j + 1])) {
        j += 1 + run(s + j + 1, n - j - 1, is_digit);
        groups++;
    }
    if (!d && !groups) return NO_MATCH;
    return tok_of(j);
}

/* FRAC = (DIGIT{1,4} [- ])? DIGIT{1,4} \\?/ DIGIT{1,4} */
static size_t frac_core(const char *s, size_t n) {
    size_t a = run(s, n, is_digit);
    if (a < 1 || a > 4) return 0;
    size_t i = a;
    if (i < n && s[i] == '\\') i++;
    if (i >= n || s[i] != '/') return 0;
    i++;
    size_t b = digits_between(s + i, n - i, 1, 4);
    return b ? i + b : 0;
}

static match r_frac(const char *s, size_t n) {
    size_t best = frac_core(s, n);
    size_t a = run(s, n, is_digit);
    if (a >= 1 && a <= 4 && a < n && (s[a] == '-' || s[a] == ' ')) {
        size_t c = frac_core(s + a + 1, n - a - 1);
        if (c && a + 1 + c > best) best = a + 1 + c;
    }
    if (!best) return NO_MATCH;
    match m = tok_of(best);
    m.nbsp = 1;
    return m;
}

static match r_tbspec(const char *s, size_t n) {
    static const char *lits[] = {"-RRB-",       "-LRB-", "-RCB-",   "-LCB-", "-RSB-",
                                 "-LSB-",       "C.D.s", "pro-",    "anti-", "S&P-500",
                                 "S&amp;P-500", "S&Ls",  "S&amp;Ls"};
    size_t best = 0, l;
    if (!strchr("-CcPpAaSs", s[0])) return NO_MATCH;
    for (size_t k = 0; k < sizeof lits / sizeof lits[0]; k++)
        if ((l = lit(s, n, lits[k])) > best) best = l;
    if (!best) return NO_MATCH;
    match m = tok_of(best);
    m.amp = 1;
    return m;
}

/* alnum+ (-alpha+){0,2} */
static size_t thing3_part(const char *s, size_t n) {
    size_t i = run(s, n, is_alnum);
    if (!i) return 0;
    for (int k = 0; k < 2; k++) {
        if (i + 1 < n && s[i] == '-' && is_alpha((unsigned char)s[i + 1]))
            i += 1 + run(s + i + 1, n - i - 1, is_alpha);
        else
            break;
    }
    return i;
}

static match r_thing3(const char *s, size_t n) {
    size_t i = thing3_part(s, n);
    if (!i) return NO_MATCH;
    int parts = 0;
    while (parts < 2) {
        size_t j = i;
        if (j < n && s[j] == '\\') j++;
        if (j >= n || s[j] != '/') break;
        size_t p = thing3_part(s + j + 1, n - j - 1);
        if (!p) break;
        i = j + 1 + p;
        parts++;
    }
    return parts ? tok_of(i) : NO_MATCH;
}

static match r_dolsign(const char *s, size_t n) {
    if (s[0] == '#') return tok_of(1);
    size_t u = run(s, n, is_upper);
    if (u < n && s[u] == '$') return tok_of(u + 1);
    return NO_MATCH;
}

/* Abbreviations whose period stays with the word. A leading '!' marks a
 * first letter that is case-sensitive in the lexer (a character class). */
static const char *const abbrev_words[] = {
    /* ABBREV1 */
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "Mon",
    "Tue",
    "Tues",
    "Wed",
    "Thu",
    "Thurs",
    "Fri",
    "Ala",
    "Ariz",
    "!Az",
    "!Ark",
    "Calif",
    "Colo",
    "Conn",
    "Ct",
    "Dak",
    "!Del",
    "Fla",
    "Ga",
    "!Ill",
    "Ind",
    "Kan",
    "Kans",
    "Ky",
    "!La",
    "!Mass",
    "Md",
    "Mich",
    "Minn",
    "!Miss",
    "Mo",
    "Mont",
    "Neb",
    "Nev",
    "Okla",
    "!Ore",
    "!Pa",
    "Penn",
    "Tenn",
    "!Tex",
    "Va",
    "Vt",
    "!Wash",
    "Wis",
    "Wisc",
    "Wyo",
    "Inc",
    "Co",
    "Cos",
    "Corp",
    "Pty",
    "Ptys",
    "Pte",
    "Ptes",
    "Ppty",
    "Pptys",
    "Ppte",
    "Pptes",
    "Ltd",
    "Plc",
    "Rt",
    "Bancorp",
    "Dept",
    "Bhd",
    "Assn",
    "Univ",
    "Intl",
    "Sys",
    "Ph",
    "tel",
    "est",
    "ext",
    "sq",
    "Jr",
    "Sr",
    "Bros",
    "Ed.D",
    "Ph.D",
    "Blvd",
    "Rd",
    "Esq",
    "etc",
    "al",
    "seq",
    /* ABBREV2: titles and company words */
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Drs",
    "Prof",
    "Profs",
    "Sen",
    "Sens",
    "Rep",
    "Reps",
    "Atty",
    "Attys",
    "Lt",
    "Col",
    "Gen",
    "Messrs",
    "Gov",
    "Govs",
    "Adm",
    "Rev",
    "Maj",
    "Sgt",
    "Cpl",
    "Pvt",
    "Mt",
    "Capt",
    "St",
    "Ste",
    "Ave",
    "Pres",
    "Lieut",
    "Hon",
    "Brig",
    "Cmdr",
    "Comdr",
    "Pfc",
    "Spc",
    "Supt",
    "Supts",
    "Det",
    "Mf",
    "Insp",
    "S",
    "Invt",
    "Elec",
    "Natl",
    "Mfg",
    "Mtg",
    "vs",
    "Ft",
    "Adj",
    "Adv",
    "Asst",
    "Assoc",
    "Ens",
    "Mlle",
    "Mme",
    "Msgr",
    "Sfc",
    "Alex",
    "Wm",
    "Jos",
    "Cie",
    "cf",
    "Treas",
    "Bldg",
};

/* ABBREV3: keeps its period only before a number ("no. 5", "fig.2"); elsewhere
 * the word and the period are two tokens. */
static const char *const abbrev3_words[] = {"No",   "Nos", "Prop", "Ca", "Fig",
                                            "Figs", "Pp",  "Art",  "Op"};

static match r_abbrev3(const char *s, size_t n) {
    size_t a = run(s, n, is_alpha);
    if (a == 0 || a + 1 >= n || s[a] != '.') return NO_MATCH;
    size_t j = a + 1;
    if (s[j] == ' ') j++;
    if (j >= n || !is_digit((unsigned char)s[j])) return NO_MATCH;
    for (size_t k = 0; k < sizeof abbrev3_words / sizeof abbrev3_words[0]; k++)
        if (strlen(abbrev3_words[k]) == a && lit(s, n, abbrev3_words[k]) == a)
            return ctx_of(j + 1, a + 1);
    return NO_MATCH;
}

/* "cap'n" is one token (caseless literal). */
static match r_capn(const char *s, size_t n) {
    size_t l = lit(s, n, "cap'n");
    return l ? tok_of(l) : NO_MATCH;
}

/* ASIANSMILEY: C_C or (C_?C) over C = [-^x=~<>'] ("^_^", "-_-", "(^^)"). */
static int asian_char(int c) { return c && strchr("-^x=~<>'", c) != NULL; }

static match r_asian_smiley(const char *s, size_t n) {
    if (n >= 3 && asian_char((unsigned char)s[0]) && s[1] == '_' && asian_char((unsigned char)s[2]))
        return tok_of(3);
    if (s[0] == '(' && n >= 4 && asian_char((unsigned char)s[1])) {
        size_t i = 2;
        if (s[i] == '_') i++;
        if (i + 1 < n && asian_char((unsigned char)s[i]) && s[i + 1] == ')') {
            match m = tok_of(i + 2);
            m.parens = 1;
            return m;
        }
    }
    return NO_MATCH;
}

static size_t abbrev_match(const char *s, size_t n) {
    size_t best = 0, a = run(s, n, is_alpha);
    if (a == 0 || a >= n || s[a] != '.') return 0; /* every entry is letters then a period */
    for (size_t k = 0; k < sizeof abbrev_words / sizeof abbrev_words[0]; k++) {
        const char *w = abbrev_words[k];
        int strict = w[0] == '!';
        if (strict) w++;
        if (lower((unsigned char)s[0]) != lower((unsigned char)w[0])) continue;
        size_t l = lit(s, n, w);
        if (!l || (strict && s[0] != w[0])) continue;
        if (l < n && s[l] == '.' && l + 1 > best) best = l + 1;
    }
    return best;
}

/* ACRO = [A-Za-z] (\.[A-Za-z])* followed by a period. */
static match r_abbrev(const char *s, size_t n) {
    size_t best = abbrev_match(s, n);
    size_t i = 0;
    if (is_alpha((unsigned char)s[0])) {
        i = 1;
        while (i + 1 < n && s[i] == '.' && is_alpha((unsigned char)s[i + 1])) i += 2;
        if (i < n && s[i] == '.' && i + 1 > best) {
            match m = tok_of(i + 1);
            m.acronym = i == 1;
            return m;
        }
    }
    return best ? tok_of(best) : NO_MATCH;
}

static match r_tbspec2(const char *s, size_t n) {
    if (n >= 3 && is_apos((unsigned char)s[0]) && is_digit((unsigned char)s[1]) &&
        is_digit((unsigned char)s[2]) && (n == 3 || is_blank((unsigned char)s[3])))
        return ctx_of(3 + (n > 3), 3);
    return NO_MATCH;
}

static match r_word_dot_insentp(const char *s, size_t n) {
    size_t w = word_len(s, n);
    if (w && w + 1 < n && s[w] == '.' && strchr(",;:", s[w + 1])) return ctx_of(w + 2, w + 1);
    return NO_MATCH;
}

/* PHONE: (\([0-9]{2,3}\)[ ]? | (\+\+?)?([0-9]{2,4}[- ])?[0-9]{2,4}[- ]) [0-9]{3,4}[- ]?[0-9]{3,5}
 *      | ((\+\+?)?[0-9]{2,4}\.)?[0-9]{2,4}\.[0-9]{3,4}\.[0-9]{3,5} */
static size_t phone_tail(const char *s, size_t n) {
    size_t best = 0, d = run(s, n, is_digit);
    for (size_t a = 3; a <= 4 && a <= d; a++) {
        for (int sep = 0; sep <= 1; sep++) {
            size_t j = a;
            if (sep) {
                if (j >= n || (s[j] != '-' && s[j] != ' ')) continue;
                j++;
            }
            size_t c = digits_between(s + j, n - j, 3, 5);
            if (c && j + c > best) best = j + c;
        }
    }
    return best;
}

static size_t phone_dotted(const char *s, size_t n) {
    size_t best = 0, d = run(s, n, is_digit);
    for (size_t a = 2; a <= 4 && a <= d; a++) {
        if (a >= n || s[a] != '.') continue;
        size_t i = a + 1, e = run(s + i, n - i, is_digit);
        for (size_t b = 3; b <= 4 && b <= e; b++) {
            if (i + b >= n || s[i + b] != '.') continue;
            size_t c = digits_between(s + i + b + 1, n - i - b - 1, 3, 5);
            if (c && i + b + 1 + c > best) best = i + b + 1 + c;
        }
    }
    return best;
}

static match r_phone(const char *s, size_t n) {
    size_t best = 0, t;
    if (!is_digit((unsigned char)s[0]) && s[0] != '(' && s[0] != '+') return NO_MATCH;
    if (s[0] == '(') {
        size_t d = run(s + 1, n - 1, is_digit);
        if (d >= 2 && d <= 3 && 1 + d < n && s[1 + d] == ')') {
            size_t i = 2 + d;
            if ((t = phone_tail(s + i, n - i)) && i + t > best) best = i + t;
            if (i < n && s[i] == ' ' && (t = phone_tail(s + i + 1, n - i - 1)) && i + 1 + t > best)
                best = i + 1 + t;
        }
    }
    size_t plus = 0;
    while (plus < 2 && plus < n && s[plus] == '+') plus++;
    for (size_t p = 0; p <= plus; p++) {
        /* optional group, then mandatory group, then the tail */
        for (int opt = 0; opt <= 1; opt++) {
            size_t starts[8], ns = 0;
            if (opt) {
                size_t d = run(s + p, n - p, is_digit);
                for (size_t a = 2; a <= 4 && a <= d; a++)
                    if (p + a < n && (s[p + a] == '-' || s[p + a] == ' ')) starts[ns++] = p + a + 1;
            } else {
                starts[ns++] = p;
            }
            for (size_t k = 0; k < ns; k++) {
                size_t i = starts[k], d = run(s + i, n - i, is_digit);
                for (size_t a = 2; a <= 4 && a <= d; a++) {
                    if (i + a >= n || (s[i + a] != '-' && s[i + a] != ' ')) continue;
                    size_t j = i + a + 1;
                    if ((t = phone_tail(s + j, n - j)) && j + t > best) best = j + t;
                }
            }
        }
        /* dotted form */
        if ((t = phone_dotted(s + p, n - p)) && p + t > best) best = p + t;
        size_t d = run(s + p, n - p, is_digit);
        for (size_t a = 2; a <= 4 && a <= d; a++) {
            if (p + a >= n || s[p + a] != '.') continue;
            size_t j = p + a + 1;
            if ((t = phone_dotted(s + j, n - j)) && j + t > best) best = j + t;
        }
        if (p == 0 && plus == 0) break;
    }
    if (!best) return NO_MATCH;
    match m = tok_of(best);
    m.nbsp = 1;
    m.parens = 1; /* "(555) 123-4567" -> -lrb-555-rrb-\xa0123-4567 */
    return m;
}

/* Quotes become `` '' ` ' and the filter drops them all. */
static match r_quotes(const char *s, size_t n) {
    if (s[0] == '"') return dropped(1);
    if (s[0] == '\'' || s[0] == '`') return dropped(n > 1 && (s[1] == '\'' || s[1] == '`') ? 2 : 1);
    return NO_MATCH;
}

static match r_duckfeet(const char *s, size_t n) {
    if (n >= 2 && ((s[0] == '<' && s[1] == '<') || (s[0] == '>' && s[1] == '>'))) return tok_of(2);
    return NO_MATCH;
}

static match r_prog_lang(const char *s, size_t n) {
    size_t l;
    if ((l = lit(s, n, "c++")) || (l = lit(s, n, "c#")) || (l = lit(s, n, "f#"))) return tok_of(l);
    return NO_MATCH;
}

static size_t thing_piece(const char *s, size_t n) {
    size_t i = 0;
    if (n >= 3 && strchr("dDoOlL", s[0]) && is_apos_etc((unsigned char)s[1]) &&
        is_alnum((unsigned char)s[2]))
        i = 3;
    size_t a = run(s + i, n - i, is_alnum);
    return a ? i + a : 0;
}

/* THING = piece ([-_] piece)* */
static match r_thing(const char *s, size_t n) {
    size_t i = thing_piece(s, n);
    if (!i) return NO_MATCH;
    while (i + 1 < n && (s[i] == '-' || s[i] == '_')) {
        size_t p = thing_piece(s + i + 1, n - i - 1);
        if (!p) break;
        i += 1 + p;
    }
    return tok_of(i);
}

/* THINGA = [A-Z]+ ([+&] [A-Z]+)+ : AT&T, Q&A */
static match r_thinga(const char *s, size_t n) {
    size_t i = run(s, n, is_upper);
    if (!i) return NO_MATCH;
    int parts = 0;
    for (;;) {
        size_t sep = lit(s + i, n - i, "&amp;") ? 5 : 0;
        if (!sep && i < n && (s[i] == '+' || s[i] == '&')) sep = 1;
        if (!sep) break;
        size_t u = run(s + i + sep, n - i - sep, is_upper);
        if (!u) break;
        i += sep + u;
        parts++;
    }
    if (!parts) return NO_MATCH;
    match m = tok_of(i);
    m.amp = 1;
    return m;
}

static int hthing_char(int c) { return is_alnum(c) || c == '.' || c == ','; }

/* HTHING = alnum [A-Za-z0-9.,]* (-(alnum+ | ACRO2\.))+ */
static match r_hthing(const char *s, size_t n) {
    if (!is_alnum((unsigned char)s[0])) return NO_MATCH;
    size_t i = 1 + run(s + 1, n - 1, hthing_char);
    int parts = 0;
    while (i + 1 < n && s[i] == '-') {
        size_t j = i + 1, a = run(s + j, n - j, is_alnum);
        /* ACRO2 followed by a period: letter (. letter)+ . */
        size_t k = j;
        if (k < n && is_alpha((unsigned char)s[k])) {
            k++;
            int dots = 0;
            while (k + 1 < n && s[k] == '.' && is_alpha((unsigned char)s[k + 1])) k += 2, dots++;
            if (dots && k < n && s[k] == '.')
                k++;
            else
                k = j;
        }
        size_t e = (k - j > a) ? k : j + a;
        if (e == j) break;
        i = e;
        parts++;
    }
    return parts ? tok_of(i) : NO_MATCH;
}

/* SMILEY = [<>]?[:;=][-o*']?[()DPdpO\\{@|\[\]] not followed by a letter */
static match r_smiley(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && (s[i] == '<' || s[i] == '>')) i++;
    if (i >= n || !strchr(":;=", s[i])) return NO_MATCH;
    i++;
    size_t best = 0;
    for (int nose = 0; nose <= 1; nose++) {
        size_t j = i;
        if (nose) {
            if (j >= n || !strchr("-o*'", s[j])) continue;
            j++;
        }
        if (j < n && strchr("()DPdpO\\{@|[]", s[j]) && !letter_after(s, n, j + 1)) {
            if (j + 1 > best) best = j + 1;
        }
    }
    if (!best) return NO_MATCH;
    match m = ctx_of(best + (best < n), best);
    m.parens = 1;
    return m;
}

static match r_punct(const char *s, size_t n) {
    switch (s[0]) {
    case '(': return text_of(1, "-lrb-");
    case ')': return text_of(1, "-rrb-");
    case '[': return text_of(1, "-lsb-");
    case ']': return text_of(1, "-rsb-");
    case '{': return text_of(1, "-lcb-");
    case '}': return text_of(1, "-rcb-");
    case '<':
    case '>':
    case '%':
    case '&':
    case '~':
    case '^':
    case '|':
    case '\\':
    case '+':
    case '=':
    case '/':
    case '$': return tok_of(1);
    case '-': return dropped(1);
    case '.':
    case ',':
    case ';':
    case ':': return dropped(1);
    case '@':
    case '#':
    case '_':
    case '*': {
        size_t i = 1;
        while (i < n && s[i] == s[0]) i++;
        return tok_of(i);
    }
    case '?':
    case '!': {
        size_t i = 1;
        while (i < n && (s[i] == '?' || s[i] == '!')) i++;
        return i == 1 ? dropped(1) : tok_of(i);
    }
    default: return NO_MATCH;
    }
}

static match r_runs(const char *s, size_t n) {
    /* HYPHENS and LDOTS: every run becomes -, --, . or ... : all dropped. */
    if (s[0] == '-' || s[0] == '.') {
        size_t i = 1;
        while (i < n && s[i] == s[0]) i++;
        if (s[0] == '.' && i < 3) return NO_MATCH;
        return dropped(i);
    }
    return NO_MATCH;
}

typedef match (*rule_fn)(const char *, size_t);

/* In PTBLexer's rule order, which decides ties. */
static const rule_fn rules[] = {
    r_sgml,    r_entity,  r_assimilation, r_prog_lang, r_word_redaux, r_sword_sredaux,
    r_word,    r_apoword, r_apoword2,     r_fullurl,   r_likelyurl,   r_email,
    r_twitter, r_redaux,  r_sredaux,      r_date,      r_number,      r_frac,
    r_tbspec,  r_thing3,  r_dolsign,      r_abbrev,    r_tbspec2,     r_word_dot_insentp,
    r_phone,   r_smiley,  r_quotes,       r_duckfeet,  r_thing,       r_thinga,
    r_hthing,  r_runs,    r_punct,        r_abbrev3,   r_capn,        r_asian_smiley,
};

static const char *const dropped_tokens[] = {"''", "'", "``", "`",  ".",   "?", "!",
                                             ",",  ":", "-",  "--", "...", ";"};

static int is_dropped(const char *t, size_t n) {
    for (size_t k = 0; k < sizeof dropped_tokens / sizeof dropped_tokens[0]; k++)
        if (strlen(dropped_tokens[k]) == n && memcmp(dropped_tokens[k], t, n) == 0) return 1;
    return 0;
}

static void emit(ptb_buf *out, const char *t, size_t n, const match *m) {
    if (m->drop || is_dropped(t, n)) return;
    if (out->len) ptb_buf_append(out, " ", 1);
    ptb_buf_reserve(out, 6 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (m->text) {
            out->data[out->len++] = (char)c;
        } else if (m->nbsp && c == ' ') {
            out->data[out->len++] = (char)0xC2;
            out->data[out->len++] = (char)0xA0;
        } else if (m->amp && c == '&' && lit(t + i, n - i, "&amp;")) {
            out->data[out->len++] = '&';
            i += 4;
        } else if (m->parens && (c == '(' || c == ')')) {
            memcpy(out->data + out->len, c == '(' ? "-lrb-" : "-rrb-", 5);
            out->len += 5;
        } else {
            out->data[out->len++] = (char)lower(c);
        }
    }
    out->data[out->len] = '\0';
}

static const char *const trigger_words[] = {
    "About", "According", "Additionally", "After", "An",    "A",       "As",   "At",
    "But",   "Earlier",   "He",           "Her",   "Here",  "However", "If",   "In",
    "It",    "Last",      "Many",         "More",  "Mr.",   "Ms.",     "Now",  "Once",
    "One",   "Other",     "Our",          "She",   "Since", "So",      "Some", "Such",
    "That",  "The",       "Their",        "Then",  "There", "These",   "They", "This",
    "We",    "When",      "While",        "What",  "Yet",   "You",
};

int ptb_follow_splits_acronym(const char *text, size_t len, int at_end) {
    size_t i = 0;
    while (i < len &&
           (is_blank((unsigned char)text[i]) || ptb_is_line_break((unsigned char)text[i])))
        i++;
    if (i == 0 && len) return 0; /* the lexer needs a blank right after the period */
    const char *s = text + i;
    size_t n = len - i;
    if (!n) return 0;
    size_t tag = r_sgml(s, n).total;
    if (tag)
        return tag == n
                   ? !at_end
                   : is_blank((unsigned char)s[tag]) || ptb_is_line_break((unsigned char)s[tag]);
    for (size_t k = 0; k < sizeof trigger_words / sizeof trigger_words[0]; k++) {
        size_t l = strlen(trigger_words[k]);
        if (l > n || memcmp(s, trigger_words[k], l) != 0) continue;
        if (l == n) return !at_end;
        if (is_blank((unsigned char)s[l]) || ptb_is_line_break((unsigned char)s[l])) return 1;
    }
    return 0;
}

int ptb_tokenize_line(const char *line, size_t len, ptb_buf *out) {
    size_t i = 0;
    int pending_acronym = 0;
    if (!out->data) ptb_buf_reserve(out, len + 16);
    while (i < len) {
        unsigned char c = (unsigned char)line[i];
        if (c <= ' ' || c == 127) { /* blanks; other control characters are deleted */
            i++;
            continue;
        }
        const char *s = line + i;
        size_t n = len - i;
        match best = NO_MATCH;
        for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
            match m = rules[k](s, n);
            if (m.total > best.total) best = m;
        }
        if (!best.total) { /* untokenizable: deleted */
            i++;
            continue;
        }
        pending_acronym = 0;
        if (best.acronym) {
            size_t rest = best.tok;
            size_t j = i + rest;
            while (j < len && is_blank((unsigned char)line[j])) j++;
            if (j == len) {
                pending_acronym = 1;
            } else if (ptb_follow_splits_acronym(line + i + rest, len - i - rest, 0)) {
                best.tok = 1;
            }
        }
        if (best.text)
            emit(out, best.text, strlen(best.text), &best);
        else
            emit(out, s, best.tok, &best);
        i += best.tok;
    }
    return pending_acronym;
}

void ptb_ascii_fold(const char *s, size_t len, ptb_buf *out) {
    ptb_buf_reserve(out, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            out->data[out->len++] = c == '\n' ? ' ' : (char)c;
        else if ((c & 0xC0) != 0x80)
            out->data[out->len++] = ' '; /* one space per code point */
    }
    out->data[out->len] = '\0';
}
