/* `make bench` video figure: the cost of frames before the network, per
 * C3D clip, on VIDEO (ffmpeg decoding through the pipe, then the OpenCV-exact
 * resize, mean subtraction and crop), and the full-width C3D forward per clip
 * (random weights, batches of BATCH) on DEVICE, so that the share of frame
 * decoding + preprocessing in feat-extract's wall time (which runs them one
 * after the other) is decode+prep / (decode+prep+C3D).
 * Usage: video_bench VIDEO NET_CLIPS BATCH [cpu|cuda]
 * Prints "clips decode_ms_per_clip prep_ms_per_clip c3d_ms_per_clip". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "nn/nn_tensor.h"
#include "video/c3d.h"
#include "video/clips.h"
#include "video/frames.h"

int main(int argc, char **argv) {
    wsd_set_progname("video_bench");
    if (argc < 4) wsd_die("usage: video_bench VIDEO NET_CLIPS BATCH [cpu|cuda]");
    int net_clips = atoi(argv[2]), batch = atoi(argv[3]);
    nn_device dev = NN_CPU;
    if (argc > 4 && nn_device_parse(argv[4], &dev) != 0) wsd_die("%s", wsd_error());
    float *mean = wsd_calloc(WSD_MEAN_FLOATS, sizeof(float));
    for (long i = 0; i < WSD_MEAN_FLOATS; i++) mean[i] = 100.f;
    wsd_frames *f = wsd_frames_open_video(argv[1]);
    if (!f) wsd_die("%s", wsd_error());
    int w = wsd_frames_width(f), h = wsd_frames_height(f);
    uint8_t *frame = wsd_malloc((size_t)w * h * 3);
    wsd_clipper *c = wsd_malloc(sizeof *c);
    wsd_clipper_reset(c);
    float *clip = wsd_malloc(sizeof(float) * WSD_CLIP_FLOATS);
    double t_dec = 0, t_prep = 0;
    long clips = 0;
    int got;
    for (;;) {
        double t0 = wsd_now();
        got = wsd_frames_next(f, frame);
        double t1 = wsd_now();
        t_dec += t1 - t0;
        if (got <= 0) break;
        if (wsd_clipper_push(c, frame, w, h)) wsd_clipper_clip(c, mean, clip), clips++;
        t_prep += wsd_now() - t1;
    }
    if (got < 0) wsd_die("%s", wsd_error());
    wsd_frames_close(f);
    if (clips == 0) wsd_die("%s: no clips", argv[1]);
    wsd_c3d net;
    if (wsd_c3d_init(&net, 1) != 0) wsd_die("%s", wsd_error());
    wsd_c3d_init_random(&net, 9);
    if (dev != NN_CPU && wsd_c3d_to_device(&net, dev) != 0) wsd_die("%s", wsd_error());
    net.batch = batch;
    float *in = wsd_malloc(sizeof(float) * WSD_CLIP_FLOATS * (size_t)batch),
          *fc7 = wsd_malloc(sizeof(float) * 4096 * (size_t)batch);
    for (int b = 0; b < batch; b++)
        memcpy(in + (size_t)b * WSD_CLIP_FLOATS, clip, sizeof(float) * WSD_CLIP_FLOATS);
    if (wsd_c3d_forward(&net, in, 1, fc7) != 0) wsd_die("%s", wsd_error()); /* warm-up */
    double t0 = wsd_now();
    int done = 0;
    while (done < net_clips) {
        int n = net_clips - done < batch ? net_clips - done : batch;
        if (wsd_c3d_forward(&net, in, n, fc7) != 0) wsd_die("%s", wsd_error());
        done += n;
    }
    double t_net = (wsd_now() - t0) / net_clips;
    printf("%ld %.2f %.2f %.2f\n", clips, 1e3 * t_dec / clips, 1e3 * t_prep / clips, 1e3 * t_net);
    wsd_c3d_free(&net);
    free(in), free(fc7), free(clip), free(c), free(frame), free(mean);
    return 0;
}
