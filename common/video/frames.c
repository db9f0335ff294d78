/* Frames from ffmpeg through a pipe, or from a YUV4MPEG2 stream (frames.h). */
#include "video/frames.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"

extern char **environ;

struct wsd_frames {
    char *name;
    FILE *fp;  /* frames (pipe or y4m stream) */
    FILE *err; /* ffmpeg's stderr (a temporary file) */
    pid_t pid; /* ffmpeg, or 0 */
    int w, h;
    double fps;
    long count;
    int y4m, cw, ch; /* y4m: chroma plane size (0 = mono) */
    uint8_t *yuv;
    int done;
};

/* Runs argv with stdout on a pipe (returned in *out) and stderr into err_fd. */
static pid_t spawn(char *const argv[], FILE **out, int err_fd) {
    int fd[2];
    if (pipe(fd) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    if (rc != 0) {
        close(fd[0]);
        errno = rc;
        return -1;
    }
    *out = fdopen(fd[0], "rb");
    return pid;
}

static int wait_status(pid_t pid) {
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* The last non-empty line of a stderr capture, for messages. */
static void last_line(FILE *err, char *buf, size_t cap) {
    buf[0] = '\0';
    if (!err) return;
    fflush(err);
    rewind(err);
    char line[512];
    while (fgets(line, sizeof line, err)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n) snprintf(buf, cap, "%s", line);
    }
}

static char *file_url(const char *path) {
    if (strcmp(path, "-") == 0) return wsd_strdup("pipe:0");
    size_t n = strlen(path) + 6;
    char *u = wsd_malloc(n);
    snprintf(u, n, "file:%s", path); /* never a protocol or an option */
    return u;
}

static int on_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path) return 0;
    char *dup = wsd_strdup(path), *save = NULL;
    int found = 0;
    for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", *d ? d : ".", prog);
        found = access(full, X_OK) == 0;
    }
    free(dup);
    return found;
}

int wsd_frames_have_ffmpeg(void) { return on_path("ffmpeg") && on_path("ffprobe"); }

static double parse_rate(const char *s) {
    char *end;
    double num = strtod(s, &end), den = 1;
    if (*end == '/') den = strtod(end + 1, NULL);
    return den > 0 && num > 0 ? num / den : 0;
}

/* ffprobe: width, height and frame rate of the first video stream. */
static int probe(wsd_frames *f, const char *url) {
    char *argv[] = {"ffprobe",
                    "-v",
                    "error",
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "stream=width,height,avg_frame_rate,r_frame_rate",
                    "-of",
                    "default=noprint_wrappers=1",
                    (char *)url,
                    NULL};
    FILE *err = tmpfile(), *out = NULL;
    pid_t pid = spawn(argv, &out, err ? fileno(err) : -1);
    if (pid < 0) {
        if (err) fclose(err);
        return wsd_fail("%s: cannot run ffprobe (%s); install ffmpeg (make deps)", f->name,
                        strerror(errno));
    }
    char line[256];
    double avg = 0, r = 0;
    while (fgets(line, sizeof line, out)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "width=", 6) == 0)
            f->w = atoi(line + 6);
        else if (strncmp(line, "height=", 7) == 0)
            f->h = atoi(line + 7);
        else if (strncmp(line, "avg_frame_rate=", 15) == 0)
            avg = parse_rate(line + 15);
        else if (strncmp(line, "r_frame_rate=", 13) == 0)
            r = parse_rate(line + 13);
    }
    fclose(out);
    int st = wait_status(pid);
    char msg[512];
    last_line(err, msg, sizeof msg);
    if (err) fclose(err);
    if (st != 0)
        return wsd_fail("%s: not a readable video (ffprobe: %s)", f->name, msg[0] ? msg : "failed");
    if (f->w <= 0 || f->h <= 0 || f->w > 16384 || f->h > 16384)
        return wsd_fail("%s: no video stream (ffprobe found no frame size)", f->name);
    f->fps = avg > 0 ? avg : r;
    return 0;
}

wsd_frames *wsd_frames_open_video(const char *path) {
    wsd_frames *f = wsd_calloc(1, sizeof *f);
    f->name = wsd_strdup(path);
    char *url = file_url(path);
    if (strcmp(path, "-") == 0) {
        wsd_fail("-: --video needs a named file (ffprobe reads it before ffmpeg); give YUV4MPEG2 "
                 "on stdin instead");
        goto fail;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        wsd_fail("%s: %s", path, strerror(errno));
        goto fail;
    }
    if (probe(f, url) != 0) goto fail;
    char *argv[] = {"ffmpeg",   "-nostdin",      "-hide_banner", "-v", "error",
                    "-xerror",  "-noautorotate", "-i",           url,  "-map",
                    "0:v:0",    "-vsync",        "passthrough",  "-f", "rawvideo",
                    "-pix_fmt", "bgr24",         "pipe:1",       NULL};
    f->err = tmpfile();
    f->pid = spawn(argv, &f->fp, f->err ? fileno(f->err) : -1);
    if (f->pid < 0) {
        f->pid = 0;
        wsd_fail("%s: cannot run ffmpeg (%s); install ffmpeg (make deps)", path, strerror(errno));
        goto fail;
    }
    free(url);
    return f;
fail:
    free(url);
    wsd_frames_close(f);
    return NULL;
}

static int y4m_header(wsd_frames *f, const char *line) {
    char chroma[32] = "420jpeg";
    const char *p = line + 9;
    while (*p == ' ') {
        p++;
        const char *tok = p;
        size_t n = strcspn(p, " \n");
        switch (*tok) {
        case 'W': f->w = atoi(tok + 1); break;
        case 'H': f->h = atoi(tok + 1); break;
        case 'F':
            f->fps = parse_rate(tok + 1);
            {
                char *colon = memchr(tok, ':', n);
                if (colon) f->fps = atof(tok + 1) / atof(colon + 1);
            }
            break;
        case 'C': snprintf(chroma, sizeof chroma, "%.*s", (int)(n - 1), tok + 1); break;
        default: break;
        }
        p += n;
    }
    if (f->w <= 0 || f->h <= 0 || f->w > 16384 || f->h > 16384)
        return wsd_fail("%s: YUV4MPEG2 header without a valid frame size (W.. H..)", f->name);
    if (strncmp(chroma, "420", 3) == 0)
        f->cw = (f->w + 1) / 2, f->ch = (f->h + 1) / 2;
    else if (strcmp(chroma, "422") == 0)
        f->cw = (f->w + 1) / 2, f->ch = f->h;
    else if (strcmp(chroma, "444") == 0)
        f->cw = f->w, f->ch = f->h;
    else if (strcmp(chroma, "mono") == 0)
        f->cw = f->ch = 0;
    else
        return wsd_fail(
            "%s: YUV4MPEG2 colour space C%s is not supported (8-bit 420, 422, 444 or mono; use "
            "ffmpeg -pix_fmt yuv444p)",
            f->name, chroma);
    if (!(f->fps > 0)) f->fps = 0;
    return 0;
}

wsd_frames *wsd_frames_open_y4m(FILE *fp, const char *name, const void *head, size_t n) {
    wsd_frames *f = wsd_calloc(1, sizeof *f);
    f->name = wsd_strdup(name);
    f->fp = fp;
    f->y4m = 1;
    char line[1024];
    size_t len = n < sizeof line - 1 ? n : sizeof line - 1;
    memcpy(line, head, len);
    int c = 0;
    while ((len == 0 || line[len - 1] != '\n') && len < sizeof line - 1 && (c = fgetc(fp)) != EOF)
        line[len++] = (char)c;
    line[len] = '\0';
    if (len < 10 || memcmp(line, "YUV4MPEG2 ", 10) != 0 || line[len - 1] != '\n') {
        wsd_fail("%s: not a YUV4MPEG2 stream (expected a \"YUV4MPEG2 W.. H.. F..\" header line)",
                 name);
        goto fail;
    }
    if (y4m_header(f, line) != 0) goto fail;
    f->yuv = wsd_malloc((size_t)f->w * f->h + 2 * (size_t)f->cw * f->ch);
    return f;
fail:
    f->fp = NULL; /* the caller's */
    wsd_frames_close(f);
    return NULL;
}

int wsd_frames_width(const wsd_frames *f) { return f->w; }
int wsd_frames_height(const wsd_frames *f) { return f->h; }
double wsd_frames_fps(const wsd_frames *f) { return f->fps; }
long wsd_frames_count(const wsd_frames *f) { return f->count; }

static uint8_t clip8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* BT.601 limited range, 8-bit fixed point (coefficients x 256). */
static void yuv_to_bgr(const wsd_frames *f, uint8_t *bgr) {
    const uint8_t *Y = f->yuv, *U = Y + (size_t)f->w * f->h, *V = U + (size_t)f->cw * f->ch;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            int c = 298 * (Y[(size_t)y * f->w + x] - 16), d = 0, e = 0;
            if (f->cw) {
                size_t i = (size_t)(y * f->ch / f->h) * f->cw + (size_t)(x * f->cw / f->w);
                d = U[i] - 128, e = V[i] - 128;
            }
            uint8_t *o = bgr + ((size_t)y * f->w + x) * 3;
            o[0] = clip8((c + 516 * d + 128) >> 8);
            o[1] = clip8((c - 100 * d - 208 * e + 128) >> 8);
            o[2] = clip8((c + 409 * e + 128) >> 8);
        }
}

static int ffmpeg_failed(wsd_frames *f, const char *what) {
    if (f->pid) {
        fclose(f->fp);
        f->fp = NULL;
        int st = wait_status(f->pid);
        f->pid = 0;
        char msg[512];
        last_line(f->err, msg, sizeof msg);
        if (st != 0 || msg[0])
            return wsd_fail("%s: ffmpeg failed after %ld frames (exit %d: %s)", f->name, f->count,
                            st, msg[0] ? msg : "no message");
    }
    return what ? wsd_fail("%s: %s after %ld frames", f->name, what, f->count) : 0;
}

int wsd_frames_next(wsd_frames *f, uint8_t *bgr) {
    if (f->done) return 0;
    size_t n = (size_t)f->w * f->h * 3;
    if (f->y4m) {
        char tag[6];
        size_t got = fread(tag, 1, 5, f->fp);
        if (got == 0) return f->done = 1, 0;
        if (got < 5 || memcmp(tag, "FRAME", 5) != 0)
            return wsd_fail("%s: frame %ld: expected \"FRAME\" (truncated or corrupt YUV4MPEG2)",
                            f->name, f->count);
        int c;
        while ((c = fgetc(f->fp)) != '\n')
            if (c == EOF) return wsd_fail("%s: frame %ld: truncated FRAME line", f->name, f->count);
        size_t need = (size_t)f->w * f->h + 2 * (size_t)f->cw * f->ch;
        if (fread(f->yuv, 1, need, f->fp) != need)
            return wsd_fail("%s: frame %ld: truncated (expected %zu bytes of planes)", f->name,
                            f->count, need);
        yuv_to_bgr(f, bgr);
    } else {
        size_t got = fread(bgr, 1, n, f->fp);
        if (got == 0) {
            f->done = 1;
            return ffmpeg_failed(f, NULL) == 0 ? 0 : -1;
        }
        if (got < n) {
            ffmpeg_failed(f, "a short frame from ffmpeg");
            return -1;
        }
    }
    f->count++;
    return 1;
}

void wsd_frames_close(wsd_frames *f) {
    if (!f) return;
    if (f->pid) {
        kill(f->pid, SIGTERM);
        if (f->fp) fclose(f->fp);
        f->fp = NULL;
        wait_status(f->pid);
    }
    if (f->fp && !f->y4m) fclose(f->fp);
    if (f->err) fclose(f->err);
    free(f->yuv);
    free(f->name);
    free(f);
}
