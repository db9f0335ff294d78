/* C3D clips as Caffe's VideoDataLayer of C3D v1.0 built them at test time
 * (facebookarchive/C3D src/caffe/layers/video_data_layer.cpp and
 * util/image_io.cpp ReadVideoToVolumeDatum): 16 consecutive frames, each
 * BGR resized to 171x128 (cv::resize INTER_LINEAR, video/resize.h), minus the
 * per-voxel mean cube 3x16x128x171 (indexed at the uncropped position, so the
 * mean is subtracted before the crop), centre crop 112x112 at h 8, w 29
 * ((128-112)/2, (171-112)/2), no mirror, scale 1, laid out (C, T, H, W) with
 * C in B, G, R order: float [3, 16, 112, 112] per clip.
 *
 * Sampling (the ActivityNet release: one clip every 8 frames): clip k covers
 * frames 8k .. 8k+15 (0-based), for every k with 8k + 16 <= N, i.e.
 * floor((N - 16) / 8) + 1 clips for N >= 16 frames. Frames after the last
 * whole clip (N - 8k_last - 16 of them, always fewer than 8) are
 * dropped, because ReadVideoToVolumeDatum refuses a clip that runs past the
 * last frame (CHECK_LE(end_frm, num_of_frames)) and pads nothing; a video of
 * fewer than 16 frames has no clip at all, which C3D's test phase treats as a
 * fatal error ("Testing must not miss any example"), so feat-extract refuses
 * it too rather than invent frames. */
#ifndef WSD_VIDEO_CLIPS_H
#define WSD_VIDEO_CLIPS_H

#include <stdint.h>

enum {
    WSD_CLIP_LEN = 16,
    WSD_CLIP_STRIDE = 8,
    WSD_CLIP_CROP = 112,
    WSD_FRAME_W = 171,
    WSD_FRAME_H = 128,
    WSD_CROP_H0 = 8,
    WSD_CROP_W0 = 29,
};
#define WSD_CLIP_FLOATS ((long)3 * WSD_CLIP_LEN * WSD_CLIP_CROP * WSD_CLIP_CROP)
#define WSD_MEAN_FLOATS ((long)3 * WSD_CLIP_LEN * WSD_FRAME_H * WSD_FRAME_W)

/* Number of clips of a video of n frames (0 when n < 16). */
long wsd_clip_count(long n);

/* A sliding window of the last 16 resized frames of one video. */
typedef struct {
    uint8_t frame[WSD_CLIP_LEN][WSD_FRAME_H * WSD_FRAME_W * 3];
    long n; /* frames pushed */
} wsd_clipper;

void wsd_clipper_reset(wsd_clipper *c);
/* Resizes one decoded BGR frame (w x h) into the window. Returns 1 when the
 * window now holds a whole clip that starts on the 8-frame grid. */
int wsd_clipper_push(wsd_clipper *c, const uint8_t *bgr, int w, int h);
/* Writes the clip of the last 16 frames: out[3*16*112*112]. */
void wsd_clipper_clip(const wsd_clipper *c, const float *mean, float *out);

#endif
