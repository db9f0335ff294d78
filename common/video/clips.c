/* 16-frame C3D clips from a stream of frames (clips.h). */
#include "video/clips.h"

#include "video/resize.h"

long wsd_clip_count(long n) {
    return n < WSD_CLIP_LEN ? 0 : (n - WSD_CLIP_LEN) / WSD_CLIP_STRIDE + 1;
}

void wsd_clipper_reset(wsd_clipper *c) { c->n = 0; }

int wsd_clipper_push(wsd_clipper *c, const uint8_t *bgr, int w, int h) {
    wsd_resize_linear_u8(bgr, w, h, c->frame[c->n % WSD_CLIP_LEN], WSD_FRAME_W, WSD_FRAME_H, 3);
    c->n++;
    return c->n >= WSD_CLIP_LEN && (c->n - WSD_CLIP_LEN) % WSD_CLIP_STRIDE == 0;
}

void wsd_clipper_clip(const wsd_clipper *c, const float *mean, float *out) {
    long first = c->n - WSD_CLIP_LEN;
    for (int t = 0; t < WSD_CLIP_LEN; t++) {
        const uint8_t *f = c->frame[(first + t) % WSD_CLIP_LEN];
        for (int ch = 0; ch < 3; ch++) {
            const float *m = mean + (long)(ch * WSD_CLIP_LEN + t) * WSD_FRAME_H * WSD_FRAME_W;
            float *o = out + (long)(ch * WSD_CLIP_LEN + t) * WSD_CLIP_CROP * WSD_CLIP_CROP;
            for (int y = 0; y < WSD_CLIP_CROP; y++) {
                long row = (long)(y + WSD_CROP_H0) * WSD_FRAME_W + WSD_CROP_W0;
                for (int x = 0; x < WSD_CLIP_CROP; x++)
                    o[y * WSD_CLIP_CROP + x] = (float)f[(row + x) * 3 + ch] - m[row + x];
            }
        }
    }
}
