/* WordNet 3.0 as METEOR 1.5's synonym module uses it.
 *
 * METEOR ships its own export of WordNet 3.0 (resources/synonym:
 * english.synsets, word -> synset byte offsets of all parts of speech as one
 * number space; english.exceptions, base form -> irregular forms). Either
 * load that export (wsd_wordnet_open_meteor) or rebuild the same two tables
 * from Debian's wordnet-base files (index.{noun,verb,adj,adv} and *.exc).
 * The rebuild lists the same synsets, but Debian's data files are regenerated
 * from the WordNet sources and some verb and adjective synsets sit a few
 * bytes away from Princeton's offsets; since Meteor compares bare offsets, the
 * rare accidental equalities between a noun and a verb/adjective offset (which
 * make unrelated words "synonyms") fall on different words. */
#ifndef WSD_WORDNET_H
#define WSD_WORDNET_H

#include <stddef.h>
#include <stdint.h>

typedef struct wsd_wordnet wsd_wordnet;

/* dir NULL = /usr/share/wordnet (also tried: DIR/dict). NULL + wsd_fail when
 * the files are missing or unreadable. */
wsd_wordnet *wsd_wordnet_open(const char *dir);
void wsd_wordnet_close(wsd_wordnet *wn);

/* Meteor's own export: DIR/english.synsets and DIR/english.exceptions. */
wsd_wordnet *wsd_wordnet_open_meteor(const char *synonym_dir);
/* The same from the two files' contents (e.g. read from meteor-1.5.jar); the
 * texts are modified in place. The names are used in messages. */
wsd_wordnet *wsd_wordnet_from_meteor_text(char *synsets, size_t synsets_len,
                                          const char *synsets_name, char *exceptions,
                                          size_t exceptions_len, const char *exceptions_name);

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
size_t wsd_wordnet_meteor_set(const wsd_wordnet *wn, const char *word, size_t len, uint32_t **out,
                              size_t *cap);

#endif
