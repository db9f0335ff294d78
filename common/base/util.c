#include "base/util.h"

#include "base/tmpfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char error_message[1024];
static const char *progname = "wsdec";

int wsd_fail(const char *fmt, ...) {
    /* formatted apart first: callers may pass wsd_error() itself as an
     * argument ("%s: %s", path, wsd_error()) */
    char msg[sizeof error_message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(error_message, msg, sizeof msg);
    return -1;
}

const char *wsd_error(void) { return error_message; }
void wsd_clear_error(void) { error_message[0] = '\0'; }

void wsd_set_progname(const char *name) {
    const char *slash = strrchr(name, '/');
    progname = slash ? slash + 1 : name;
}
const char *wsd_progname(void) { return progname; }

/* The wsd_out files open now, newest first; wsd_die removes them. */
static wsd_out *open_outputs;

static void out_register(wsd_out *out) {
    out->next_open = open_outputs;
    open_outputs = out;
}

static void out_unregister(wsd_out *out) {
    for (wsd_out **p = &open_outputs; *p; p = &(*p)->next_open)
        if (*p == out) {
            *p = out->next_open;
            break;
        }
    out->next_open = NULL;
}

static void abort_open_outputs(void) {
    while (open_outputs) wsd_out_abort(open_outputs);
}

static void vreport(const char *fmt, va_list ap) {
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void wsd_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    abort_open_outputs();
    exit(WSD_EXIT_INPUT);
}

void wsd_die_internal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    abort_open_outputs();
    exit(WSD_EXIT_INTERNAL);
}

void wsd_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

void *wsd_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) wsd_die_internal("out of memory allocating %zu bytes", n);
    return p;
}

void *wsd_calloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) wsd_die_internal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *wsd_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) wsd_die_internal("out of memory reallocating %zu bytes", n);
    return q;
}

char *wsd_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = wsd_malloc(n);
    memcpy(d, s, n);
    return d;
}

FILE *wsd_open_read(const char *path) {
    if (strcmp(path, "-") == 0) return stdin;
    FILE *fp = fopen(path, "rb");
    if (!fp) wsd_fail("%s: cannot open: %s", path, strerror(errno));
    return fp;
}

char *wsd_read_file(const char *path, size_t *len_out) {
    FILE *fp = wsd_open_read(path);
    if (!fp) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = wsd_malloc(cap);
    for (;;) {
        if (len + 1 >= cap) buf = wsd_realloc(buf, cap *= 2);
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    if (fp != stdin) fclose(fp);
    if (bad) {
        free(buf);
        wsd_fail("%s: read error", path);
        return NULL;
    }
    buf[len] = '\0';
    if (len_out) *len_out = len;
    return buf;
}

int wsd_out_open(wsd_out *out, const char *path) {
    out_unregister(out);
    memset(out, 0, sizeof *out);
    if (strcmp(path, "-") == 0) {
        out->fp = stdout;
        out_register(out);
        return 0;
    }
    /* Devices and FIFOs (-o /dev/null, a named pipe) are written in place:
     * renaming a temporary file over them would replace the device. */
    struct stat st;
    int fd_out_tmp;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!(out->fp = fopen(path, "wb")))
            return wsd_fail("%s: cannot open for writing: %s", path, strerror(errno));
        out->final_path = wsd_strdup(path);
        out_register(out);
        return 0;
    }
    out->tmp_path = wsd_tmp_create(path, &fd_out_tmp);
    if (!out->tmp_path) return -1;
    if (!(out->fp = fdopen(fd_out_tmp, "wb"))) {
        int e = errno;
        close(fd_out_tmp);
        wsd_tmp_discard(out->tmp_path);
        free(out->tmp_path);
        out->tmp_path = NULL;
        return wsd_fail("%s: cannot create: %s", path, strerror(e));
    }
    out->final_path = wsd_strdup(path);
    out_register(out);
    return 0;
}

int wsd_out_commit(wsd_out *out) {
    out_unregister(out);
    if (!out->fp) return 0;
    if (!out->tmp_path) {
        int bad = fflush(out->fp) != 0 || ferror(out->fp);
        int e = errno;
        if (out->fp != stdout && fclose(out->fp) != 0 && !bad) bad = 1, e = errno;
        out->fp = NULL;
        int rc = !bad              ? 0
                 : out->final_path ? wsd_fail("%s: cannot write: %s", out->final_path, strerror(e))
                                   : wsd_fail("write error on standard output: %s", strerror(e));
        free(out->final_path);
        out->final_path = NULL;
        return rc;
    }
    /* the data reach the disk before the name does (wsd_tmp_commit) */
    int bad = fflush(out->fp) != 0 || ferror(out->fp);
    int e = errno;
    if (fclose(out->fp) != 0 && !bad) bad = 1, e = errno;
    out->fp = NULL;
    int rc = 0;
    if (bad) {
        wsd_tmp_discard(out->tmp_path);
        rc = wsd_fail("%s: cannot write: %s", out->final_path, strerror(e));
    } else {
        rc = wsd_tmp_commit(out->tmp_path, out->final_path);
    }
    free(out->tmp_path);
    free(out->final_path);
    out->tmp_path = out->final_path = NULL;
    return rc;
}

void wsd_out_abort(wsd_out *out) {
    out_unregister(out);
    if (out->fp && !out->tmp_path && out->fp != stdout) fclose(out->fp);
    if (out->fp && out->tmp_path) {
        fclose(out->fp);
        wsd_tmp_discard(out->tmp_path);
    }
    free(out->tmp_path);
    free(out->final_path);
    memset(out, 0, sizeof *out);
}

int wsd_parse_long(const char *s, const char *what, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno) return wsd_fail("%s: expected an integer, got '%s'", what, s);
    *out = v;
    return 0;
}

int wsd_parse_double(const char *s, const char *what, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno) return wsd_fail("%s: expected a number, got '%s'", what, s);
    *out = v;
    return 0;
}

double wsd_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
