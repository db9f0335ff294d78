/* Decoded video frames, BGR uint8 (rows of width*3 bytes, no padding), from
 *  - a video file: ffprobe reads the first video stream's size and frame
 *    rate, then ffmpeg decodes it through a pipe
 *      ffmpeg -nostdin -v error -xerror -noautorotate -i file:PATH -map 0:v:0
 *             -vsync passthrough -f rawvideo -pix_fmt bgr24 pipe:1
 *    (argv, no shell; every decoded frame once, no frame-rate conversion, no
 *    rotation: as OpenCV 2.4's VideoCapture gave them to C3D; -xerror makes a
 *    corrupt or truncated file an error instead of a silently short video);
 *  - a YUV4MPEG2 stream (ffmpeg -f yuv4mpegpipe), e.g. on stdin: 4:2:0, 4:2:2,
 *    4:4:4 or mono 8-bit, converted with BT.601 limited-range integer
 *    arithmetic and chroma replicated to full size. That conversion is ours,
 *    not swscale's, so the last bit may differ from --video's frames. */
#ifndef WSD_VIDEO_FRAMES_H
#define WSD_VIDEO_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct wsd_frames wsd_frames;

/* NULL + wsd_error() naming the file (no ffmpeg, no video stream, ...). */
wsd_frames *wsd_frames_open_video(const char *path);
/* fp positioned after the first n bytes, given in head (format sniffing). */
wsd_frames *wsd_frames_open_y4m(FILE *fp, const char *name, const void *head, size_t n);

int wsd_frames_width(const wsd_frames *f);
int wsd_frames_height(const wsd_frames *f);
double wsd_frames_fps(const wsd_frames *f); /* 0 when unknown */
long wsd_frames_count(const wsd_frames *f); /* frames returned so far */

/* Next frame into bgr (width*height*3 bytes): 1, 0 at the end, -1 + wsd_error()
 * (a short frame, ffmpeg reporting an error: its message is quoted). */
int wsd_frames_next(wsd_frames *f, uint8_t *bgr);
/* Stops ffmpeg if still running, reaps it, frees f. */
void wsd_frames_close(wsd_frames *f);

/* True when ffmpeg and ffprobe can be found on PATH. */
int wsd_frames_have_ffmpeg(void);

#endif
