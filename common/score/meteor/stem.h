/* The Snowball English ("Porter2") stemmer, the stemmer METEOR 1.5's stem
 * module uses. Written from the published algorithm description
 * (snowballstem.org, english stemmer, the 2006-era rules with the
 * gener/commun/arsen R1 exceptions and the two exceptional-word lists).
 *
 * Works on bytes: a-z are letters, 'y' is a vowel unless the prelude marks it
 * consonantal; every other byte (digits, punctuation, UTF-8 continuation
 * bytes) is a non-vowel. Words of one or two bytes are left as they are. */
#ifndef WSD_STEM_H
#define WSD_STEM_H

#include <stddef.h>

/* Writes the stem of word[0..len) to out (NUL-terminated) and returns its
 * length. out must hold len + 1 bytes; the stem is never longer than the word. */
size_t wsd_stem_english(const char *word, size_t len, char *out);

#endif
