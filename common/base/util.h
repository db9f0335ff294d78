/* Error reporting, allocation and file helpers shared by every wsdec program.
 *
 * Library code never exits: it records a message with wsd_fail() and returns
 * an error code, so tests can check failures. Programs report it with
 * wsd_die() (exit 1: bad input or usage) or wsd_die_internal() (exit 2). */
#ifndef WSD_UTIL_H
#define WSD_UTIL_H

#include <stddef.h>
#include <stdio.h>

#define WSD_VERSION "0.1.0"

enum { WSD_EXIT_OK = 0, WSD_EXIT_INPUT = 1, WSD_EXIT_INTERNAL = 2 };

/* Records a printf-style message as the current error; always returns -1.
 * The arguments may include wsd_error() (to prefix the current message). */
int wsd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded error message ("" when none). */
const char *wsd_error(void);
void wsd_clear_error(void);

/* The library's one error idiom: run a call that returns 0 on success and
 * has already recorded its error with wsd_fail(); pass any failure up as -1. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) != 0) return -1;                                                                   \
    } while (0)

/* Set once by each program so messages start with its name. */
void wsd_set_progname(const char *name);
const char *wsd_progname(void);
/* Both remove every wsd_out still open (see below) before exiting. */
void wsd_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void wsd_die_internal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void wsd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that reports exhaustion as an internal failure (exit 2). */
void *wsd_malloc(size_t n);
void *wsd_calloc(size_t n, size_t size);
void *wsd_realloc(void *p, size_t n);
char *wsd_strdup(const char *s);

/* Reads a whole file ("-" = stdin) into a NUL-terminated buffer. Returns NULL
 * and records an error naming the file on failure. */
char *wsd_read_file(const char *path, size_t *len_out);

/* Opens "-" as stdin/stdout, anything else with fopen; records an error naming
 * the file on failure. */
FILE *wsd_open_read(const char *path);

/* Output that never leaves a partial file behind: writes go to PATH.tmp.XXXXXX
 * and wsd_out_commit() renames it into place; wsd_out_abort() removes it.
 * "-" writes to stdout directly. An output stays registered from open to
 * commit/abort, and wsd_die()/wsd_die_internal() abort every registered one,
 * so a program needs no global to clean up after a fatal error. The struct
 * must therefore stay where it is (main's frame, a static) while open. */
typedef struct wsd_out {
    FILE *fp;
    char *final_path;
    char *tmp_path;
    struct wsd_out *next_open; /* the registry's link; not for callers */
} wsd_out;
int wsd_out_open(wsd_out *out, const char *path);
int wsd_out_commit(wsd_out *out);
void wsd_out_abort(wsd_out *out);

/* Parses a whole string as a number; returns -1 and records an error naming
 * `what` when it is not one. */
int wsd_parse_long(const char *s, const char *what, long *out);
int wsd_parse_double(const char *s, const char *what, double *out);

/* Seconds since an arbitrary epoch, for progress lines and benchmarks. */
double wsd_now(void);

#endif
