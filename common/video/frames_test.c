/* YUV4MPEG2 frames (the stdin path): header parsing, BT.601 limited-range
 * conversion, 4:2:0 chroma replication, truncation; and ffmpeg's frames of a
 * testsrc clip when ffmpeg is installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "testing/test.h"
#include "video/frames.h"

static FILE *mem(const char *hdr, const unsigned char *planes, size_t n, int frames) {
    size_t cap = strlen(hdr) + (size_t)frames * (n + 6);
    char *buf = malloc(cap + 1), *p = buf; /* + 1: sprintf's closing NUL */
    p += sprintf(p, "%s", hdr);
    for (int i = 0; i < frames; i++) p += sprintf(p, "FRAME\n"), memcpy(p, planes, n), p += n;
    FILE *fp = tmpfile();
    fwrite(buf, 1, (size_t)(p - buf), fp);
    rewind(fp);
    free(buf);
    return fp;
}

static void y4m_444_and_420(void) {
    /* 2x2, 4:4:4: black, white, pure-ish red (Y 81, U 90, V 240), grey */
    unsigned char p444[12] = {16, 235, 81, 126, 128, 128, 90, 128, 128, 128, 240, 128};
    FILE *fp = mem("YUV4MPEG2 W2 H2 F30000:1001 Ip A1:1 C444\n", p444, 12, 2);
    char head[4];
    CHECK(fread(head, 1, 4, fp) == 4);
    wsd_frames *f = wsd_frames_open_y4m(fp, "a.y4m", head, 4);
    CHECK(f && wsd_frames_width(f) == 2 && wsd_frames_height(f) == 2);
    CHECK_NEAR(wsd_frames_fps(f), 30000.0 / 1001, 1e-9);
    uint8_t bgr[12];
    CHECK(wsd_frames_next(f, bgr) == 1);
    CHECK(bgr[0] == 0 && bgr[1] == 0 && bgr[2] == 0);
    CHECK(bgr[3] == 255 && bgr[4] == 255 && bgr[5] == 255);
    CHECK(bgr[6] <= 2 && bgr[7] <= 2 && bgr[8] >= 253);
    CHECK(bgr[9] == bgr[10] && bgr[10] == bgr[11]);
    CHECK(wsd_frames_next(f, bgr) == 1 && wsd_frames_next(f, bgr) == 0 && wsd_frames_count(f) == 2);
    wsd_frames_close(f);
    fclose(fp);
    /* 4:2:0: one chroma sample for the 2x2 block */
    unsigned char p420[6] = {16, 60, 120, 235, 90, 240};
    fp = mem("YUV4MPEG2 W2 H2 F25:1 C420jpeg\n", p420, 6, 1);
    f = wsd_frames_open_y4m(fp, "b.y4m", "", 0);
    CHECK(f && wsd_frames_next(f, bgr) == 1);
    CHECK(bgr[2] > bgr[0] && bgr[11] == 255); /* every pixel reddish */
    wsd_frames_close(f);
    fclose(fp);
}

static void y4m_errors(void) {
    unsigned char p[6] = {0};
    FILE *fp = mem("YUV4MPEG2 W2 H2 F25:1 C420jpeg\n", p, 6, 2);
    /* cut the second frame short */
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    char *all = malloc((size_t)len);
    rewind(fp);
    CHECK(fread(all, 1, (size_t)len, fp) == (size_t)len);
    FILE *cut = fmemopen(all, (size_t)len - 3, "r");
    wsd_frames *f = wsd_frames_open_y4m(cut, "cut.y4m", "", 0);
    uint8_t bgr[12];
    CHECK(f && wsd_frames_next(f, bgr) == 1);
    CHECK(wsd_frames_next(f, bgr) == -1 && strstr(wsd_error(), "cut.y4m: frame 1: truncated"));
    wsd_frames_close(f);
    fclose(cut), fclose(fp), free(all);
    fp = mem("YUV4MPEG2 W2 H2 C411\n", p, 0, 0);
    CHECK(wsd_frames_open_y4m(fp, "c.y4m", "", 0) == NULL &&
          strstr(wsd_error(), "C411 is not supported"));
    fclose(fp);
    fp = mem("YUV4MPEG2 H2 C420\n", p, 0, 0);
    CHECK(wsd_frames_open_y4m(fp, "d.y4m", "", 0) == NULL && strstr(wsd_error(), "d.y4m"));
    fclose(fp);
}

static void ffmpeg_testsrc(void) {
    if (!wsd_frames_have_ffmpeg()) TEST_SKIP("ffmpeg not installed (make deps)");
    char dir[] = "/tmp/wsd-frames-XXXXXX", cmd[512], path[256];
    if (!mkdtemp(dir)) TEST_SKIP("no temporary folder");
    snprintf(path, sizeof path, "%s/t.avi", dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=10 -frames:v 12 -c:v ffv1 %s",
             path);
    CHECK(system(cmd) == 0);
    wsd_frames *f = wsd_frames_open_video(path);
    CHECK_MSG(f != NULL, "%s", wsd_error());
    if (f) {
        CHECK(wsd_frames_width(f) == 64 && wsd_frames_height(f) == 48 && wsd_frames_fps(f) == 10);
        uint8_t *bgr = malloc(64 * 48 * 3);
        int n = 0;
        while (wsd_frames_next(f, bgr) == 1) n++;
        CHECK(n == 12);
        free(bgr);
        wsd_frames_close(f);
    }
    snprintf(path, sizeof path, "%s/not-a-video.txt", dir);
    FILE *fp = fopen(path, "w");
    fputs("hello\n", fp);
    fclose(fp);
    CHECK(wsd_frames_open_video(path) == NULL &&
          strstr(wsd_error(), "not-a-video.txt: not a readable video"));
    CHECK(wsd_frames_open_video("/nonexistent/x.mp4") == NULL &&
          strstr(wsd_error(), "/nonexistent/x.mp4"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void) {
    TEST_RUN(y4m_444_and_420);
    TEST_RUN(y4m_errors);
    TEST_RUN(ffmpeg_testsrc);
    return test_finish();
}
