/* libFuzzer target: C3D's Caffe model (V1 NetParameter) and BlobProto readers (see run.sh). */
#include <stdint.h>
#include <stdlib.h>

#include "video/caffe.h"

static int touch(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                 const char *name) {
    (void)ctx, (void)layer, (void)index, (void)name;
    volatile float s = 0;
    for (size_t i = 0; i < b->count; i++) s += b->data[i];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wsd_caffe_net_each(data, size, "fuzz.caffemodel", touch, NULL);
    wsd_caffe_blob b;
    if (wsd_caffe_blob_parse(data, size, "fuzz.binaryproto", 0, &b) == 0) wsd_caffe_blob_free(&b);
    return 0;
}
