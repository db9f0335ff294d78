/* JSON Lines (man/man5/wsdec-jsonl.5): one JSON object per line, any length.
 * Errors name "FILE:LINE". Programs keep the parsed cJSON object and modify
 * only the fields they own, so fields they do not know pass through. */
#ifndef WSD_JSONL_H
#define WSD_JSONL_H

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* Reads one line of any length (without the '\n'; a trailing '\r' is kept).
 * Returns the length, or -1 at end of file. buf and cap are reused and grown. */
long wsd_read_line(FILE *fp, char **buf, size_t *cap);

typedef struct wsd_jsonl_reader wsd_jsonl_reader;

/* "-" = stdin. NULL + wsd_error() when the file cannot be opened. */
wsd_jsonl_reader *wsd_jsonl_open(const char *path);
/* Next non-blank line parsed as a JSON object (caller cJSON_Delete()s it).
 * Returns 1 = object, 0 = end of input, -1 = error "FILE:LINE: ...". */
int wsd_jsonl_next(wsd_jsonl_reader *r, cJSON **out);
/* 1-based number of the line last returned (for the caller's own messages). */
long wsd_jsonl_line(const wsd_jsonl_reader *r);
const char *wsd_jsonl_path(const wsd_jsonl_reader *r);
void wsd_jsonl_close(wsd_jsonl_reader *r);

/* Parses one line (len bytes, need not be NUL-terminated) as a JSON object.
 * NULL + wsd_error() "WHERE: ..." otherwise (including a \u0000 in a string). */
cJSON *wsd_jsonl_parse(const char *line, size_t len, const char *where);

/* Byte offset of the first \u0000 escape inside a JSON string of text, or -1.
 * cJSON keeps strings NUL-terminated, so such a string would be cut short
 * silently: the readers refuse it instead. */
long wsd_json_nul_escape_at(const char *text, size_t len);

/* Sets obj[key] = value: an existing member is replaced where it stands,
 * otherwise value is appended. Takes ownership of value. */
void wsd_jsonl_set(cJSON *obj, const char *key, cJSON *value);
/* The array [a, b] with both rounded to 6 decimals (a segment in seconds). */
cJSON *wsd_jsonl_pair6(double a, double b);

/* Writes obj on one line followed by '\n'. 0 or -1 on write error. */
int wsd_jsonl_write(FILE *fp, const cJSON *obj);

/* The largest integer a configuration field may hold. */
#define WSD_CONFIG_MAX 1000000000
/* A configuration field of object o (a model's config in a checkpoint):
 * missing leaves *out as it is; otherwise an integer (a number) in [lo, hi],
 * or -1 + wsd_fail "config: \"NAME\" must be an integer in [LO, HI]". */
int wsd_json_int(const cJSON *o, const char *name, int lo, int hi, int *out);
int wsd_json_float(const cJSON *o, const char *name, double lo, double hi, float *out);

#endif
