/* wsd_resize_linear_u8 against cv2.resize(INTER_LINEAR), byte for byte, on
 * random images of several sizes (testdata/video/cv2_resize.py, run through
 * Debian's /usr/bin/python3 with python3-opencv; skipped without it), and
 * properties that hold without OpenCV. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/test.h"
#include "video/resize.h"

static void matches_opencv_byte_for_byte(void) {
    FILE *fp = popen("/usr/bin/python3 -c 'import cv2, numpy' 2>/dev/null && "
                     "/usr/bin/python3 testdata/video/cv2_resize.py",
                     "r");
    if (!fp) TEST_SKIP("cannot run /usr/bin/python3");
    int sw, sh, dw, dh, cn, cases = 0;
    while (fscanf(fp, "%d %d %d %d %d", &sw, &sh, &dw, &dh, &cn) == 5) {
        fgetc(fp);
        size_t ns = (size_t)sw * sh * cn, nd = (size_t)dw * dh * cn;
        uint8_t *src = malloc(ns), *want = malloc(nd), *got = malloc(nd);
        CHECK(fread(src, 1, ns, fp) == ns && fread(want, 1, nd, fp) == nd);
        wsd_resize_linear_u8(src, sw, sh, got, dw, dh, cn);
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < nd; i++)
            if (got[i] != want[i] && bad++ == 0) first = i;
        CHECK_MSG(bad == 0,
                  "%dx%dx%d -> %dx%d: %zu of %zu bytes differ, first at %zu (got %d, cv2 %d)", sw,
                  sh, cn, dw, dh, bad, nd, first, got[first], want[first]);
        free(src), free(want), free(got);
        cases++;
    }
    int rc = pclose(fp);
    if (cases == 0 && rc != 0)
        TEST_SKIP("python3-opencv not installed (apt-get install python3-opencv)");
    CHECK(cases >= 10);
}

static void constant_image_stays_constant(void) {
    int sw = 77, sh = 39, dw = 171, dh = 128;
    uint8_t *src = malloc((size_t)sw * sh * 3), *dst = malloc((size_t)dw * dh * 3);
    for (int v = 0; v < 256; v += 15) {
        memset(src, v, (size_t)sw * sh * 3);
        wsd_resize_linear_u8(src, sw, sh, dst, dw, dh, 3);
        int ok = 1;
        for (int i = 0; i < dw * dh * 3; i++) ok &= dst[i] == v || dst[i] == v - 1;
        CHECK_MSG(ok, "value %d", v);
    }
    free(src), free(dst);
}

static void halving_averages_blocks(void) {
    uint8_t src[4 * 2 * 3], dst[2 * 1 * 3];
    for (int i = 0; i < 24; i++) src[i] = (uint8_t)(i * 10);
    wsd_resize_linear_u8(src, 4, 2, dst, 2, 1, 3);
    /* pixel 0: rows 0,1 x cols 0,1, channel 0 -> (0 + 30 + 120 + 150 + 2) >> 2 */
    CHECK(dst[0] == (0 + 30 + 120 + 150 + 2) / 4);
    CHECK(dst[5] == (80 + 110 + 200 + 230 + 2) / 4);
}

int main(void) {
    TEST_RUN(matches_opencv_byte_for_byte);
    TEST_RUN(constant_image_stays_constant);
    TEST_RUN(halving_averages_blocks);
    return test_finish();
}
