#include "base/tmpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

/* The registry is read by a signal handler, possibly on another thread (the
 * BLAS workers): fixed slots whose names are written before they are marked
 * used, and a name is registered before its file exists, so there is no
 * moment when a temporary file exists unregistered. */
enum { MAX_TMP = 32, MAX_NAME = 4096 };
static char names[MAX_TMP][MAX_NAME];
static volatile sig_atomic_t used[MAX_TMP];
static int next_slot;
static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
static int installed;

static void remove_all(void) {
    for (int i = 0; i < MAX_TMP; i++)
        if (used[i]) unlink(names[i]);
}

static void on_signal(int sig) {
    remove_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_exit_cleanup(void) {
    remove_all();
    for (int i = 0; i < MAX_TMP; i++) used[i] = 0;
}

static void install(void) {
    if (installed) return;
    installed = 1;
    atexit(on_exit_cleanup);
    for (size_t i = 0; i < sizeof handled / sizeof *handled; i++) {
        struct sigaction old;
        sigaction(handled[i], NULL, &old);
        if (old.sa_handler == SIG_IGN) continue; /* e.g. nohup: keep ignoring */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(handled[i], &sa, NULL);
    }
    signal(SIGXFSZ, SIG_IGN);
}

/* Slots are taken round robin so a slot just freed is not rewritten while a
 * handler on another thread may still read it. -1 when all are in use. */
static int track(const char *tmp) {
    install();
    for (int k = 0; k < MAX_TMP; k++) {
        int i = (next_slot + k) % MAX_TMP;
        if (used[i]) continue;
        snprintf(names[i], MAX_NAME, "%s", tmp);
        used[i] = 1;
        next_slot = (i + 1) % MAX_TMP;
        return 0;
    }
    return -1;
}

static void untrack(const char *tmp) {
    for (int i = 0; i < MAX_TMP; i++)
        if (used[i] && strcmp(names[i], tmp) == 0) {
            used[i] = 0;
            break;
        }
}

int wsd_tmp_count(void) {
    int n = 0;
    for (int i = 0; i < MAX_TMP; i++) n += used[i] != 0;
    return n;
}

char *wsd_tmp_create(const char *path, int *fd_out) {
    size_t n = strlen(path) + 32;
    if (n > MAX_NAME) {
        wsd_fail("%s: path too long", path);
        return NULL;
    }
    char *tmp = wsd_malloc(n);
    static unsigned counter;
    unsigned salt = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL);
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, n, "%s.tmp.%06x", path, (salt + 7919u * counter++) & 0xffffffu);
        if (track(tmp)) break;
        /* open(2) applies the umask: the mode any output would have */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            if (fd_out)
                *fd_out = fd;
            else
                close(fd);
            return tmp;
        }
        int e = errno;
        untrack(tmp);
        if (e != EEXIST) {
            free(tmp);
            wsd_fail("%s: cannot create a temporary file beside it: %s", path, strerror(e));
            return NULL;
        }
    }
    free(tmp);
    wsd_fail("%s: cannot create a temporary file beside it (too many)", path);
    return NULL;
}

static int sync_path(const char *path, int flags) {
    int fd = open(path, flags);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int wsd_tmp_commit(const char *tmp, const char *path) {
    if (sync_path(tmp, O_RDONLY) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        untrack(tmp);
        return wsd_fail("%s: cannot write: %s", path, strerror(e));
    }
    untrack(tmp);
    /* the rename itself reaches the disk with the directory */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? wsd_strdup(path) : wsd_strdup(".");
    if (slash) dir[slash == path ? 1 : slash - path] = '\0';
    int rc = sync_path(dir, O_RDONLY | O_DIRECTORY);
    int e = errno;
    free(dir);
    /* EINVAL: a file system that cannot sync directories; the file is there */
    if (rc != 0 && e != EINVAL)
        return wsd_fail("%s: cannot sync its directory: %s", path, strerror(e));
    return 0;
}

void wsd_tmp_discard(const char *tmp) {
    if (!tmp) return;
    unlink(tmp);
    untrack(tmp);
}

int wsd_tmp_probe(const char *path) {
    if (!strcmp(path, "-")) return 0;
    char *tmp = wsd_tmp_create(path, NULL);
    if (!tmp) return -1;
    wsd_tmp_discard(tmp);
    free(tmp);
    return 0;
}
