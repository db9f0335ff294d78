/* Reading single members of a zip archive (a Java .jar is one): enough to
 * take Meteor's resource files out of meteor-1.5.jar without unpacking it.
 * Stored and deflated members (zlib, raw deflate), CRC-32 checked; no zip64,
 * no encryption, no multi-disk archives (each refused with a message). */
#ifndef WSD_ZIP_H
#define WSD_ZIP_H

#include <stddef.h>

typedef struct wsd_zip wsd_zip;

/* Reads the central directory. NULL + wsd_fail naming the file when it is
 * not a readable zip archive. */
wsd_zip *wsd_zip_open(const char *path);
void wsd_zip_close(wsd_zip *z);

/* 1 when the archive has a member with exactly this name. */
int wsd_zip_has(const wsd_zip *z, const char *name);

/* The member's bytes, NUL-terminated (malloc'd; length in *len when not
 * NULL), or NULL + wsd_fail ("ARCHIVE: no member NAME", or why it cannot be
 * read). */
char *wsd_zip_read(const wsd_zip *z, const char *name, size_t *len);

#endif
