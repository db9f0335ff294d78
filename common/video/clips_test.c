/* Clip sampling (every 8 frames, whole clips only) and the (C, T, H, W) BGR
 * layout with the mean subtracted at the uncropped position. */
#include <stdlib.h>

#include "testing/test.h"
#include "video/clips.h"

static void clip_counts(void) {
    CHECK(wsd_clip_count(0) == 0 && wsd_clip_count(15) == 0);
    CHECK(wsd_clip_count(16) == 1 && wsd_clip_count(23) == 1 && wsd_clip_count(24) == 2);
    CHECK(wsd_clip_count(100) == 11); /* starts 0, 8, ..., 80; 80 + 16 = 96 <= 100 < 104 */
}

static void layout_and_sampling(void) {
    static wsd_clipper c;
    wsd_clipper_reset(&c);
    float *mean = malloc(sizeof(float) * WSD_MEAN_FLOATS),
          *out = malloc(sizeof(float) * WSD_CLIP_FLOATS);
    for (long i = 0; i < WSD_MEAN_FLOATS; i++) mean[i] = (float)(i % 7) * 0.25f;
    uint8_t frame[WSD_FRAME_H * WSD_FRAME_W * 3];
    int clips = 0;
    for (int n = 0; n < 40; n++) {
        /* already 171x128 (a copy): B = frame index, G = row, R = column */
        for (int y = 0; y < WSD_FRAME_H; y++)
            for (int x = 0; x < WSD_FRAME_W; x++) {
                uint8_t *p = frame + (y * WSD_FRAME_W + x) * 3;
                p[0] = (uint8_t)n, p[1] = (uint8_t)y, p[2] = (uint8_t)x;
            }
        if (!wsd_clipper_push(&c, frame, WSD_FRAME_W, WSD_FRAME_H)) continue;
        CHECK(n == 15 + 8 * clips);
        wsd_clipper_clip(&c, mean, out);
        int ok = 1;
        for (int ch = 0; ch < 3; ch++)
            for (int t = 0; t < 16; t++)
                for (int y = 0; y < 112; y += 37)
                    for (int x = 0; x < 112; x += 13) {
                        float want = ch == 0   ? (float)(8 * clips + t)
                                     : ch == 1 ? (float)(y + 8)
                                               : (float)(x + 29);
                        long mi = ((long)(ch * 16 + t) * 128 + y + 8) * 171 + x + 29;
                        ok &= out[((ch * 16 + t) * 112 + y) * 112 + x] == want - mean[mi];
                    }
        CHECK_MSG(ok, "clip %d", clips);
        clips++;
    }
    CHECK(clips == (int)wsd_clip_count(40));
    free(mean), free(out);
}

int main(void) {
    TEST_RUN(clip_counts);
    TEST_RUN(layout_and_sampling);
    return test_finish();
}
