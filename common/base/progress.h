/* Progress of a long run on stderr: a progress bar only when stderr is a
 * terminal, a plain line per N steps otherwise; -q silences both.
 *
 *   wsd_progress p;
 *   wsd_progress_start(&p, "caption", n_videos, quiet);   // total 0 = unknown
 *   for (...) { work(); wsd_progress_step(&p, 1); }
 *   wsd_progress_end(&p);
 *
 * On a terminal: one line redrawn in place at most 10 times a second,
 *   "caption [########..........] 450/1000 45% 12.3/s ETA 0:44 NOTE";
 * otherwise a plain line "caption: 450/1000 (45%) 12.3/s ETA 0:44 NOTE" every
 * `every_n` steps when set, else every `every_s` seconds (default 10), and
 * at the end. Nothing is printed when quiet. Output goes to `fp` (stderr by
 * default); `now` is the clock (wsd_now), replaceable by tests. */
#ifndef WSD_PROGRESS_H
#define WSD_PROGRESS_H

#include <stdio.h>

typedef struct {
    FILE *fp;
    const char *label;
    long total, done;
    int quiet, tty;
    long every_n;   /* plain mode: a line every N steps (0: by time) */
    double every_s; /* plain mode: a line every this many seconds */
    double (*now)(void);
    double t0, last; /* start, last line drawn */
    long last_done;  /* steps at the last plain line */
    int drawn;       /* a terminal line is on screen */
    char note[128];
} wsd_progress;

/* Starts counting; tty = isatty(stderr). Prints nothing yet. */
void wsd_progress_start(wsd_progress *p, const char *label, long total, int quiet);
/* Free text shown after the counts (e.g. "loss 2.314"); "" for none. */
void wsd_progress_note(wsd_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* done += n; draws when due. */
void wsd_progress_step(wsd_progress *p, long n);
/* Final state: the terminal line is completed with a newline; in plain mode a
 * last line is printed when periodic lines were and the last one did not show
 * every step (a run too short for any periodic line prints nothing). */
void wsd_progress_end(wsd_progress *p);
/* "1:02:03" or "2:03" for seconds >= 0; "?" when unknown. */
void wsd_progress_hms(double seconds, char *buf, size_t size);

#endif
