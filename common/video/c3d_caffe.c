/* C3D weights from C3D's Caffe model file (c3d_caffe.h). */
#include "video/c3d_caffe.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "video/caffe.h"

typedef struct {
    wsd_c3d *net;
    int conv1a_out; /* first pass: conv1a's output count, 0 when absent */
    int set;
} loader;

static int is_c3d_layer(const char *name) {
    for (int i = 0; i < WSD_C3D_LAYERS; i++) {
        size_t n = strlen(wsd_c3d_layer_names[i]);
        if (strncmp(name, wsd_c3d_layer_names[i], n) == 0 &&
            (name[n] == '\0' || strcmp(name + n, "-1") == 0))
            return 1;
    }
    return 0;
}

static int find_conv1a(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                       const char *name) {
    (void)name;
    if (strcmp(layer, "conv1a") == 0 && index == 0) ((loader *)ctx)->conv1a_out = b->shape[0];
    return 0;
}

static int set_blob(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                    const char *name) {
    loader *l = ctx;
    if (!is_c3d_layer(layer)) return 0; /* fc8-1 (the Sports-1M classifier) and anything else */
    if (wsd_c3d_set_blob(l->net, layer, index, b->shape, 5, b->data, name) != 0) return -1;
    l->set++;
    return 0;
}

int wsd_c3d_load_caffe(wsd_c3d *net, const char *path) {
    memset(net, 0, sizeof *net);
    size_t len;
    char *buf = wsd_read_file(path, &len);
    if (!buf) return -1;
    loader l = {net, 0, 0};
    int rc = -1;
    /* a cheap first pass (blobs are parsed twice; the model is read once) */
    if (wsd_caffe_net_each(buf, len, path, find_conv1a, &l) != 0) goto done;
    if (l.conv1a_out <= 0 || 64 % l.conv1a_out != 0) {
        if (l.conv1a_out <= 0)
            wsd_fail("%s: no layer conv1a with weights: not the C3D v1.0 model "
                     "(conv3d_deepnetA_sport1m_iter_1900000)",
                     path);
        else
            wsd_fail("%s: conv1a has %d outputs; C3D v1.0 has 64 (or 64/d for a narrow test model)",
                     path, l.conv1a_out);
        goto done;
    }
    if (wsd_c3d_init(net, 64 / l.conv1a_out) != 0) goto done;
    if (wsd_caffe_net_each(buf, len, path, set_blob, &l) != 0) goto done;
    if (wsd_c3d_check_complete(net, path) != 0) goto done;
    rc = 0;
done:
    free(buf);
    if (rc != 0 && net->width_div) wsd_c3d_free(net);
    return rc;
}
