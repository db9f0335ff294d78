/* NumPy .npy files (format versions 1, 2 and 3) holding one 2-D little-endian
 * float array ('<f4' or '<f8') in C order: the per-video feature files some
 * feature extractors write. */
#ifndef WSD_NPY_H
#define WSD_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsr.h"

#define WSD_NPY_MAGIC "\x93NUMPY"

typedef struct {
    wsd_dtype dtype; /* WSD_F32 or WSD_F64 */
    int64_t rows, cols;
    size_t data_offset; /* where the array bytes start */
} wsd_npy_info;

/* Parses and checks the header of a whole .npy file image (len bytes),
 * including that exactly rows*cols elements follow. -1 + wsd_error()
 * naming `name` otherwise. */
int wsd_npy_parse(const void *buf, size_t len, const char *name, wsd_npy_info *out);
/* Loads a .npy file as a float32 [T, D] tensor with the given key. */
int wsd_npy_load(const char *path, const char *key, wsd_tsr *out);

#endif
