/* A string -> index hash map (open addressing, FNV-1a); keys are copied. */
#ifndef WSD_IDMAP_H
#define WSD_IDMAP_H

#include <stddef.h>

typedef struct wsd_idmap wsd_idmap;

wsd_idmap *wsd_idmap_new(void);
void wsd_idmap_free(wsd_idmap *m);
/* Inserts key -> value; returns 0, or 1 (and leaves the old value) if present. */
int wsd_idmap_put(wsd_idmap *m, const char *key, long value);
/* The value for key, or -1 when absent. */
long wsd_idmap_get(const wsd_idmap *m, const char *key);
size_t wsd_idmap_size(const wsd_idmap *m);

#endif
