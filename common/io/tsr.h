/* Tensor streams (man/man5/wsdec-tensor.5): a concatenation of records, each
 *   "WSDT" | uint32 LE header length | JSON header | payload
 * with the header {"key","dtype","shape","encoding":"raw"|"zlib","bytes","meta"}.
 * Shards concatenate with cat(1); the reader is a pure stream (works on pipes).
 * Every reading error names the file, the record index (0-based) and, once
 * the header is readable, the key. */
#ifndef WSD_TSR_H
#define WSD_TSR_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WSD_TSR_MAGIC    "WSDT"
#define WSD_TSR_MAX_DIMS 8
/* Headers are small; a larger length field means a corrupt or foreign file. */
#define WSD_TSR_MAX_HEADER (1u << 20)

typedef enum { WSD_F32, WSD_F64, WSD_I64, WSD_I32, WSD_U8 } wsd_dtype;

const char *wsd_dtype_name(wsd_dtype d);               /* "float32", ... */
int wsd_dtype_parse(const char *name, wsd_dtype *out); /* -1 when unknown */
size_t wsd_dtype_size(wsd_dtype d);

typedef struct {
    char *key; /* video id */
    wsd_dtype dtype;
    int ndim;
    int64_t shape[WSD_TSR_MAX_DIMS];
    cJSON *meta; /* always an object (maybe empty); owned */
    void *data;  /* decoded little-endian payload, nbytes long; owned */
    size_t nbytes;
} wsd_tsr;

/* Number of elements (product of shape). */
size_t wsd_tsr_numel(const wsd_tsr *t);
/* A number from meta, or `fallback` when absent / not a number. */
double wsd_tsr_meta_number(const wsd_tsr *t, const char *name, double fallback);
/* Fills *t as a new tensor owning a copy of nothing: data is allocated
 * (zeroed) for the given shape, meta is an empty object. */
void wsd_tsr_init(wsd_tsr *t, const char *key, wsd_dtype dtype, int ndim, const int64_t *shape);
/* Frees the members of *t (not t itself) and zeroes it. */
void wsd_tsr_free(wsd_tsr *t);

typedef struct wsd_tsr_reader wsd_tsr_reader;

/* Opens a stream ("-" = stdin). NULL + wsd_error() on failure. */
wsd_tsr_reader *wsd_tsr_open(const char *path);
/* Reads from an in-memory buffer (not copied; must outlive the reader);
 * `name` is used in messages. */
wsd_tsr_reader *wsd_tsr_open_mem(const void *buf, size_t len, const char *name);
/* Reads from an open stream whose first n bytes were already consumed (by
 * format sniffing) and are given in `head`; fp is not closed by the reader
 * unless it is not stdin. */
wsd_tsr_reader *wsd_tsr_open_fp(FILE *fp, const char *name, const void *head, size_t n);
/* Next record into *out (previous contents are not freed).
 * Returns 1 = record, 0 = clean end of stream, -1 = error (wsd_error()). */
int wsd_tsr_read(wsd_tsr_reader *r, wsd_tsr *out);
/* Index of the record the next wsd_tsr_read() returns. */
long wsd_tsr_index(const wsd_tsr_reader *r);
void wsd_tsr_close(wsd_tsr_reader *r);

/* Appends one record. zlib_level 0 stores the payload raw, 1..9 deflates it.
 * Returns 0, or -1 with wsd_error() on a write/compress failure. */
int wsd_tsr_write(FILE *fp, const wsd_tsr *t, int zlib_level);

/* True when the first bytes of a file look like a tensor stream. */
int wsd_tsr_sniff(const void *head, size_t len);

#endif
