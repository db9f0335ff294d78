/* Sentence tokenisation of WSDEC scripts/captioning_preprocess.py
 * build_vocab: '.' -> " . ",
 * ',' -> " , ", lowercase, split on whitespace. Nothing else is touched
 * (apostrophes, quotes, '!', '?', '-' stay attached to their words).
 *
 * Text is UTF-8. The reference tokenises Python unicode strings, so we
 * lowercase ASCII and the Latin-1 capitals U+00C0..U+00DE (except U+00D7),
 * and split on Python's Unicode whitespace (ASCII \t\n\v\f\r, space,
 * \x1c-\x1f, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000). Other non-ASCII letters are kept as they are. Invalid UTF-8
 * is rejected (the reference's JSON loader rejects it too). */
#ifndef WSD_TEXT_H
#define WSD_TEXT_H

#include <stddef.h>

typedef struct {
    size_t n;
    char **tok; /* n NUL-terminated tokens; owned */
} wsd_tokens;

/* Tokenises s. Returns 0, or -1 with wsd_error() "invalid UTF-8 at byte N". */
int wsd_tokenize(const char *s, wsd_tokens *out);
void wsd_tokens_free(wsd_tokens *t);

/* Byte offset of the first invalid UTF-8 sequence in s, or -1 if valid. */
long wsd_utf8_invalid_at(const char *s, size_t len);

#endif
