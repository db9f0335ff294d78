/* A string -> dense id table (open addressing), used to intern words for the
 * WordNet tables, the paraphrase vocabulary and the function-word list.
 * Ids are 0, 1, 2, ... in order of first insertion. */
#ifndef WSD_METEOR_MAP_H
#define WSD_METEOR_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *chars; /* all keys, each NUL-terminated */
    size_t chars_len, chars_cap;
    uint64_t *key_off; /* per id: offset into chars */
    uint32_t *key_len;
    size_t n, cap;
    int32_t *slots; /* id or -1 */
    size_t nslots;  /* power of two */
} wsd_strmap;

void wsd_strmap_init(wsd_strmap *m);
void wsd_strmap_free(wsd_strmap *m);
/* Id of key, or -1. */
int32_t wsd_strmap_find(const wsd_strmap *m, const char *key, size_t len);
/* Id of key, inserting it when absent. */
int32_t wsd_strmap_intern(wsd_strmap *m, const char *key, size_t len);
const char *wsd_strmap_key(const wsd_strmap *m, int32_t id);

#endif
