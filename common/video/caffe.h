/* Caffe files of C3D's fork (facebookarchive/C3D, C3D-v1.0/src/caffe/proto/
 * caffe.proto), read with the wire-format reader in pbwire.h:
 *   NetParameter      name = 1, layers = 2 (V1 LayerParameter)
 *   LayerParameter    name = 4, type = 5, blobs = 6
 *   BlobProto         num = 1, channels = 2, length = 3, height = 4, width = 5,
 *                     data = 6 (float, packed or not), diff = 7 (ignored)
 * The model (conv3d_deepnetA_sport1m_iter_1900000) is a NetParameter; the
 * mean (sport1m_train16_128_mean.binaryproto) is one BlobProto. */
#ifndef WSD_VIDEO_CAFFE_H
#define WSD_VIDEO_CAFFE_H

#include <stddef.h>

/* One blob: shape (num, channels, length, height, width) as the file gives it. */
typedef struct {
    int shape[5];
    float *data; /* owned */
    size_t count;
} wsd_caffe_blob;

/* Parses a BlobProto message (buf at file offset base). data must hold
 * exactly num*channels*length*height*width floats. -1 + wsd_error(). */
int wsd_caffe_blob_parse(const void *buf, size_t len, const char *name, size_t base,
                         wsd_caffe_blob *out);
void wsd_caffe_blob_free(wsd_caffe_blob *b);

/* Calls fn(ctx, layer, index, blob, name) for every blob of every V1 layer, in
 * file order; the blob is freed after the call. A non-zero return from fn
 * stops the walk and is returned. -1 + wsd_error() on a malformed file, one in
 * the newer Caffe format (LayerParameter `layer` = 100) or one without layers. */
typedef int (*wsd_caffe_blob_fn)(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                                 const char *name);
int wsd_caffe_net_each(const void *buf, size_t len, const char *name, wsd_caffe_blob_fn fn,
                       void *ctx);

/* The mean .binaryproto: a blob of exactly want[5] (num, channels, length,
 * height, width); *out gets its data (owned). -1 + wsd_error() naming the file. */
int wsd_caffe_mean_load(const char *path, const int want[5], float **out);

#endif
