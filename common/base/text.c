#include "base/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Decodes one UTF-8 sequence at s (len bytes left); returns its length and
 * the code point, or 0 when invalid (overlong, surrogate, > U+10FFFF, cut). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp) {
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n > len) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

long wsd_utf8_invalid_at(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_decode(u + i, len - i, &cp);
        if (!n) return (long)i;
        i += n;
    }
    return -1;
}

/* Python's unicode.isspace() set, which str.split() uses. */
static int is_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

static uint32_t to_lower(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    return c;
}

static size_t utf8_encode(uint32_t c, char *out) {
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static void push(wsd_tokens *t, size_t *cap, const char *s, size_t len) {
    if (t->n == *cap) t->tok = wsd_realloc(t->tok, (*cap = *cap ? *cap * 2 : 16) * sizeof *t->tok);
    char *w = wsd_malloc(len + 1);
    memcpy(w, s, len);
    w[len] = '\0';
    t->tok[t->n++] = w;
}

int wsd_tokenize(const char *s, wsd_tokens *out) {
    size_t len = strlen(s), cap = 0, wlen = 0;
    const unsigned char *u = (const unsigned char *)s;
    /* a token is never longer than its source bytes (lowercasing keeps lengths) */
    char *word = wsd_malloc(len + 1);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(u + i, len - i, &cp);
        if (!n) {
            free(word);
            wsd_tokens_free(out);
            return wsd_fail("invalid UTF-8 at byte %zu", i);
        }
        i += n;
        if (is_space(cp) || cp == '.' || cp == ',') {
            if (wlen) push(out, &cap, word, wlen);
            wlen = 0;
            if (cp == '.' || cp == ',') push(out, &cap, cp == '.' ? "." : ",", 1);
        } else {
            wlen += utf8_encode(to_lower(cp), word + wlen);
        }
    }
    if (wlen) push(out, &cap, word, wlen);
    free(word);
    return 0;
}

void wsd_tokens_free(wsd_tokens *t) {
    for (size_t i = 0; i < t->n; i++) free(t->tok[i]);
    free(t->tok);
    t->tok = NULL;
    t->n = 0;
}
