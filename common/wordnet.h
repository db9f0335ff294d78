/* WordNet 3.0 as METEOR 1.5's synonym module uses it, read from the Debian
 * wordnet-base files (index.{noun,verb,adj,adv} and {noun,verb,adj,adv}.exc).
 *
 * METEOR ships its own export of WordNet (english.synsets: word -> synset
 * numbers; english.exceptions: inflected form -> base forms). We build the
 * same two tables from the dictionary files: a word's synsets are the synset
 * offsets listed for it in the four index files, tagged with the part of
 * speech so that a noun and a verb synset at the same byte offset stay
 * distinct; the exception lists map an irregular form to its base forms. */
#ifndef WSD_WORDNET_H
#define WSD_WORDNET_H

#include <stddef.h>
#include <stdint.h>

typedef struct wsd_wordnet wsd_wordnet;

/* dir NULL = /usr/share/wordnet (also tried: DIR/dict). NULL + wsd_fail when
 * the files are missing or unreadable. */
wsd_wordnet *wsd_wordnet_open(const char *dir);
void wsd_wordnet_close(wsd_wordnet *wn);

/* Number of words with at least one synset. */
size_t wsd_wordnet_size(const wsd_wordnet *wn);

/* Synsets of exactly this word form (sorted, unique); *ids may be NULL when
 * the count is 0. */
size_t wsd_wordnet_synsets(const wsd_wordnet *wn, const char *word, size_t len,
                           const uint32_t **ids);

/* METEOR's synonym key set of a word: its own synsets, plus those of its base
 * forms (the exception lists when the word is listed there, otherwise the
 * first WordNet detachment rule whose result is a known word). Writes a
 * sorted, unique set to *out (reallocated as needed, capacity in *cap) and
 * returns its size. */
size_t wsd_wordnet_meteor_set(const wsd_wordnet *wn, const char *word, size_t len,
                              uint32_t **out, size_t *cap);

#endif
