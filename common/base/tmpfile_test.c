#include "testing/test.h"
#include "base/tmpfile.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* fsync and rename as the library calls them, logged in order: 'F' a file
 * synced, 'D' a directory synced, 'R' a rename. */
static char events[64];
static int n_events;

int fsync(int fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && n_events < 63) events[n_events++] = S_ISDIR(st.st_mode) ? 'D' : 'F';
    return (int)syscall(SYS_fsync, fd);
}

int rename(const char *from, const char *to) {
    if (n_events < 63) events[n_events++] = 'R';
    return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

static char dir[64];

static void make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/wsd_tmpfile_testXXXXXX");
    CHECK(mkdtemp(dir) != NULL);
}

/* Files in dir (the temporary files left behind). */
static int count_files(void) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

static void clean_dir(void) {
    DIR *d = opendir(dir);
    char p[512];
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(dir);
}

/* Power loss safety: the data are synced before the rename that makes the
 * name appear, and the directory after it. */
static void commit_syncs_file_then_renames_then_syncs_dir(void) {
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    wsd_out out;
    CHECK(wsd_out_open(&out, path) == 0);
    fputs("data", out.fp);
    n_events = 0;
    CHECK(wsd_out_commit(&out) == 0);
    events[n_events] = '\0';
    CHECK_MSG(strcmp(events, "FRD") == 0, "events '%s', expected FRD", events);
    CHECK(wsd_tmp_count() == 0 && count_files() == 1);
    clean_dir();
}

/* Runs fn in a child; returns its wait status. */
static int in_child(void (*fn)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) _exit(7);
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static char out_path[128];
static void child_dies(void) {
    wsd_out out;
    if (wsd_out_open(&out, out_path)) _exit(3);
    fputs("partial", out.fp);
    fflush(out.fp);
    wsd_die("stop");
}
static void child_term(void) {
    if (!wsd_tmp_create(out_path, NULL)) _exit(3);
    raise(SIGTERM);
    _exit(4);
}
static void child_int(void) {
    if (!wsd_tmp_create(out_path, NULL)) _exit(3);
    kill(getpid(), SIGINT);
    _exit(4);
}
#ifndef __SANITIZE_ADDRESS__ /* ASan aborts on a huge malloc instead of returning NULL */
static void child_oom(void) {
    if (!wsd_tmp_create(out_path, NULL)) _exit(3);
    wsd_malloc((size_t)1 << 62); /* exits 2: out of memory */
    _exit(4);
}
#endif
static void child_fsize(void) {
    struct rlimit rl = {4096, 4096};
    setrlimit(RLIMIT_FSIZE, &rl);
    wsd_out out;
    if (wsd_out_open(&out, out_path)) _exit(3);
    for (int i = 0; i < 10000; i++) fputs("0123456789", out.fp);
    int rc = wsd_out_commit(&out);
    /* an ordinary error naming the file and the reason, not a SIGXFSZ death */
    _exit(rc == -1 && strstr(wsd_error(), out_path) && strstr(wsd_error(), strerror(EFBIG)) ? 5
                                                                                            : 6);
}

static void every_exit_path_removes_the_temporary_file(void) {
    make_dir();
    snprintf(out_path, sizeof out_path, "%s/out.h5", dir);
    int st = in_child(child_dies);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1 && count_files() == 0);
    st = in_child(child_term);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && count_files() == 0);
    st = in_child(child_int);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT && count_files() == 0);
#ifndef __SANITIZE_ADDRESS__
    st = in_child(child_oom);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2 && count_files() == 0);
#endif
    st = in_child(child_fsize);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 5, "status %d", st);
    CHECK(count_files() == 0);
    clean_dir();
}

static void discard_unregisters(void) {
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/x", dir);
    int fd = -1;
    char *tmp = wsd_tmp_create(path, &fd);
    CHECK(tmp && fd >= 0 && wsd_tmp_count() == 1 && count_files() == 1);
    close(fd);
    wsd_tmp_discard(tmp);
    free(tmp);
    CHECK(wsd_tmp_count() == 0 && count_files() == 0);
    CHECK(wsd_tmp_create("/nonexistent/dir/x", NULL) == NULL &&
          strstr(wsd_error(), "/nonexistent/dir/x"));
    CHECK(wsd_tmp_probe("/nonexistent/dir/x") == -1 &&
          strstr(wsd_error(), "No such file or directory"));
    CHECK(wsd_tmp_probe(path) == 0 && count_files() == 0 && wsd_tmp_probe("-") == 0);
    clean_dir();
}

int main(void) {
    TEST_RUN(commit_syncs_file_then_renames_then_syncs_dir);
    TEST_RUN(discard_unregisters);
    TEST_RUN(every_exit_path_removes_the_temporary_file);
    return test_finish();
}
