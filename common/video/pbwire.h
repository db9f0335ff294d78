/* A bounds-checked reader of the protocol buffers wire format (varint,
 * 64-bit, length-delimited and 32-bit fields; groups are refused), enough to
 * walk Caffe's model and mean files without a protobuf library. Every error
 * names the file and the byte offset. */
#ifndef WSD_VIDEO_PBWIRE_H
#define WSD_VIDEO_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

enum { WSD_PB_VARINT = 0, WSD_PB_I64 = 1, WSD_PB_LEN = 2, WSD_PB_I32 = 5 };

typedef struct {
    const uint8_t *p, *end;
    const char *name; /* file, for messages */
    size_t base;      /* file offset of the buffer's first byte */
    const uint8_t *start;
} wsd_pb;

typedef struct {
    uint32_t field;
    int wire;
    uint64_t v;          /* VARINT, I64, I32 */
    const uint8_t *data; /* LEN */
    size_t len;          /* LEN */
    size_t offset;       /* file offset of the field's tag */
} wsd_pb_field;

/* Reads buf[0, len) whose first byte is at file offset `base`. */
void wsd_pb_init(wsd_pb *r, const void *buf, size_t len, const char *name, size_t base);
/* A reader over a LEN field's payload. */
void wsd_pb_sub(wsd_pb *sub, const wsd_pb *parent, const wsd_pb_field *f);
/* 1 = a field in *f, 0 = clean end, -1 = malformed (wsd_error()). */
int wsd_pb_next(wsd_pb *r, wsd_pb_field *f);
/* A varint field's value as int32 (protobuf's int32 encoding: negatives are
 * 10-byte varints); -1 + wsd_fail unless the field is a varint in range. */
int wsd_pb_int32(const wsd_pb *r, const wsd_pb_field *f, const char *what, int32_t *out);

#endif
