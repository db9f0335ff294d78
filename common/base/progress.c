#include "base/progress.h"

#include "base/util.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

enum { BAR_WIDTH = 24 };
static const double TTY_REDRAW_S = 0.1, PLAIN_EVERY_S = 10.0;

void wsd_progress_hms(double s, char *buf, size_t size) {
    if (!(s >= 0) || !isfinite(s)) {
        snprintf(buf, size, "?");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

void wsd_progress_start(wsd_progress *p, const char *label, long total, int quiet) {
    memset(p, 0, sizeof *p);
    p->fp = stderr;
    p->label = label;
    p->total = total > 0 ? total : 0;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->every_s = PLAIN_EVERY_S;
    p->now = wsd_now;
    p->t0 = p->last = p->now();
}

void wsd_progress_note(wsd_progress *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->note, sizeof p->note, fmt, ap);
    va_end(ap);
}

/* "450/1000 45% 12.3/s ETA 0:44" (or "450 12.3/s" without a total). */
static void counts(const wsd_progress *p, double t, int plain, char *buf, size_t size) {
    double el = t - p->t0, rate = el > 0 ? p->done / el : 0;
    char eta[32] = "?";
    if (p->total && rate > 0) wsd_progress_hms((p->total - p->done) / rate, eta, sizeof eta);
    if (p->total)
        snprintf(buf, size, plain ? "%ld/%ld (%d%%) %.3g/s ETA %s" : "%ld/%ld %d%% %.3g/s ETA %s",
                 p->done, p->total, (int)(100.0 * p->done / p->total), rate, eta);
    else
        snprintf(buf, size, "%ld %.3g/s", p->done, rate);
}

static void draw(wsd_progress *p, double t) {
    char c[160];
    counts(p, t, !p->tty, c, sizeof c);
    if (p->tty) {
        char bar[BAR_WIDTH + 1];
        int fill = p->total ? (int)((double)BAR_WIDTH * p->done / p->total) : 0;
        if (fill > BAR_WIDTH) fill = BAR_WIDTH;
        for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        /* \033[K clears what a longer previous line left behind */
        fprintf(p->fp, "\r%s [%s] %s%s%s\033[K", p->label, bar, c, *p->note ? " " : "", p->note);
        p->drawn = 1;
    } else {
        fprintf(p->fp, "%s: %s%s%s\n", p->label, c, *p->note ? " " : "", p->note);
        p->last_done = p->done;
    }
    fflush(p->fp);
    p->last = t;
}

void wsd_progress_step(wsd_progress *p, long n) {
    p->done += n;
    if (p->quiet) return;
    double t = p->now();
    if (p->tty) {
        if (t - p->last >= TTY_REDRAW_S || (p->total && p->done >= p->total)) draw(p, t);
    } else if (p->every_n > 0 ? p->done / p->every_n > p->last_done / p->every_n
                              : t - p->last >= p->every_s) {
        draw(p, t);
    }
}

void wsd_progress_end(wsd_progress *p) {
    if (p->quiet) return;
    double t = p->now();
    if (p->tty) {
        if (!p->drawn && p->done == 0) return;
        draw(p, t);
        fputc('\n', p->fp);
        fflush(p->fp);
    } else if (p->last_done > 0 && p->done != p->last_done) {
        /* a run short enough to print no periodic line stays quiet: the program's summary says it
         * all */
        draw(p, t);
    }
}
