/* C3D v1.0 (Tran et al. 2015; facebookarchive/C3D, the Sports-1M model the
 * ActivityNet 2016 features came from), forward only, up to fc7.
 *
 *   conv1a 64  pool1 1×2×2 | conv2a 128 pool2 2×2×2 | conv3a/b 256 pool3 2×2×2
 *   | conv4a/b 512 pool4 2×2×2 | conv5a/b 512 pool5 2×2×2 | fc6 4096 | fc7 4096
 *
 * Every conv is 3×3×3, stride 1, padding 1, followed by ReLU. Pooling uses
 * Caffe's ceil output size and no padding (pool5 in the C3D prototxt has
 * none): (512, 2, 7, 7) → pool5 (512, 1, 4, 4) = 8192 = fc6's input, read in
 * Caffe's (C, T, H, W) order. fc6 is followed by ReLU (dropout is identity at
 * test time); relu7 runs in place in Caffe, so the extracted fc7 blob is
 * post-ReLU and so is our output.
 *
 * Input: clips (N, 3, 16, 112, 112) float, host memory: BGR planes, mean
 * subtracted, cropped (the caller's job, see feat-extract). Output: fc7
 * (N, 4096) host memory. width_div > 1 divides every width (64/div … 4096/div)
 * for narrow test networks; it must divide 64.
 *
 * The struct is caller-owned: wsd_c3d_init fills it, wsd_c3d_free releases
 * what it holds. Weights start unset; wsd_c3d_set_blob (from a Caffe model)
 * or wsd_c3d_init_random (tests) fill them. */
#ifndef WSD_VIDEO_C3D_H
#define WSD_VIDEO_C3D_H

#include <stdint.h>

#include "nn/nn_tensor.h"

#define WSD_C3D_LAYERS 10
#define WSD_C3D_LEN    16
#define WSD_C3D_SIZE   112

typedef struct wsd_c3d {
    int width_div;
    nn_device device;                 /* where weights and activations live (NN_CPU after init) */
    int batch;                        /* clips per pass (memory bound); init: 2 on CPU */
    int in[WSD_C3D_LAYERS];           /* input channels (fc: input features) */
    int out[WSD_C3D_LAYERS];          /* output channels / features */
    nn_tensor weight[WSD_C3D_LAYERS]; /* conv (K, C·27) Caffe order; fc (out, in) */
    nn_tensor bias[WSD_C3D_LAYERS];
    unsigned char have[WSD_C3D_LAYERS][2];
    nn_tensor act[2]; /* ping-pong activations, (batch, largest volume) */
    nn_tensor io;     /* input clips / fc7 on the device */
} wsd_c3d;

/* The layer names, in order: "conv1a" … "conv5b", "fc6", "fc7". */
extern const char *const wsd_c3d_layer_names[WSD_C3D_LAYERS];

/* Index 0..9 of a layer name ("fc6-1"/"fc7-1", Caffe's names, included), or
 * -1 for a layer the network does not hold (data, relu*, pool*, fc8-1, …):
 * a model reader skips those. */
int wsd_c3d_layer_index(const char *name);

/* 0, or -1 + wsd_fail when width_div does not divide 64. */
int wsd_c3d_init(wsd_c3d *net, int width_div);
void wsd_c3d_free(wsd_c3d *net);

/* Stores blob 0 (weight) or 1 (bias) of `layer` ("conv1a".."conv5b", "fc6",
 * "fc7"; Caffe's "fc6-1"/"fc7-1" are accepted too). shape is the blob's shape
 * as the file gives it (C3D's fork: num, channels, length, height, width);
 * leading 1s are ignored when matching (K, C, 3, 3, 3), (K), (out, in) or
 * (out). src names the file for messages. -1 + wsd_fail on an unknown layer,
 * a blob index other than 0/1, or a shape mismatch. */
int wsd_c3d_set_blob(wsd_c3d *net, const char *layer, int blob, const int *shape, int ndim,
                     const float *data, const char *src);
/* -1 + wsd_fail naming the first layer blob that was never set. */
int wsd_c3d_check_complete(const wsd_c3d *net, const char *src);

/* Every blob uniform in [−a, a) with a a power of two near √(3/fan_in)
 * (biases: a = 1/8), drawn layer by layer (weight, then bias) from
 * wsd_rng_seed(seed) as (2·wsd_rng_uniformf − 1)·a: exact in float32, so
 * testdata/torch/c3d_ref.py replays the same numbers. */
void wsd_c3d_init_random(wsd_c3d *net, uint64_t seed);

/* Moves weights to dev (NN_CPU or NN_CUDA); -1 + wsd_fail when unavailable. */
int wsd_c3d_to_device(wsd_c3d *net, nn_device dev);

/* clips (n, 3, 16, 112, 112) → fc7 (n, 4096/width_div), host memory, in
 * batches of net->batch clips. -1 + wsd_fail when a blob is missing. */
int wsd_c3d_forward(wsd_c3d *net, const float *clips, int n, float *fc7);

/* Flops of one clip, two per multiply-add (77.1e9 at full width: the 38.5 G
 * multiply-adds C3D is known by), for benchmarks. */
double wsd_c3d_flops(const wsd_c3d *net);

#endif
