#include "testing/test.h"
#include "base/util.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

static void parse_long_rejects_trailing_junk(void) {
    long v = 0;
    CHECK(wsd_parse_long("42", "n", &v) == 0 && v == 42);
    CHECK(wsd_parse_long("42x", "--beam", &v) == -1);
    CHECK(strstr(wsd_error(), "--beam") != NULL);
    CHECK(wsd_parse_long("", "n", &v) == -1);
}

static void parse_double_accepts_exponent(void) {
    double v = 0;
    CHECK(wsd_parse_double("1e-4", "x", &v) == 0 && v == 1e-4);
    CHECK(wsd_parse_double("nope", "x", &v) == -1);
}

static void atomic_output_leaves_nothing_on_abort(void) {
    char dir[] = "/tmp/wsd_util_testXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    wsd_out out;
    CHECK(wsd_out_open(&out, path) == 0);
    fputs("partial", out.fp);
    wsd_out_abort(&out);
    CHECK(access(path, F_OK) != 0);
    CHECK(wsd_out_open(&out, path) == 0);
    fputs("whole", out.fp);
    CHECK(wsd_out_commit(&out) == 0);
    size_t len = 0;
    char *text = wsd_read_file(path, &len);
    CHECK(text && len == 5 && strcmp(text, "whole") == 0);
    free(text);
    unlink(path);
    rmdir(dir);
}

/* Entries of dir other than . and .. */
static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

/* A program that dies while writing two outputs leaves neither behind, and one
 * already committed stays. */
static void die_removes_open_outputs(void) {
    for (int internal = 0; internal <= 1; internal++) {
        char dir[] = "/tmp/wsd_util_testXXXXXX";
        CHECK(mkdtemp(dir) != NULL);
        pid_t pid = fork();
        if (pid == 0) {
            char a[256], b[256], c[256];
            snprintf(a, sizeof a, "%s/a", dir), snprintf(b, sizeof b, "%s/b", dir);
            snprintf(c, sizeof c, "%s/c", dir);
            wsd_out oa, ob, oc;
            if (wsd_out_open(&oc, c) || wsd_out_commit(&oc)) _exit(9);
            if (wsd_out_open(&oa, a) || wsd_out_open(&ob, b)) _exit(9);
            fputs("partial", oa.fp), fputs("partial", ob.fp);
            fclose(stderr);
            if (internal) wsd_die_internal("boom");
            wsd_die("boom");
        }
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == (internal ? 2 : 1));
        CHECK_MSG(count_entries(dir) == 1, "%d files left in %s", count_entries(dir), dir);
        char c[256];
        snprintf(c, sizeof c, "%s/c", dir);
        unlink(c);
        rmdir(dir);
    }
}

static void read_file_names_missing_file(void) {
    CHECK(wsd_read_file("/nonexistent/wsd.json", NULL) == NULL);
    CHECK(strstr(wsd_error(), "/nonexistent/wsd.json") != NULL);
}

/* wsd_fail("%s: %s", path, wsd_error()) used to format into the buffer it
 * read from: "g.h5: g.h5: bject" instead of "g.h5: no object". */
static void fail_may_prefix_the_current_error(void) {
    wsd_fail("no such object '%s'", "model_cg");
    wsd_fail("%s: %s", "g.h5", wsd_error());
    CHECK_MSG(strcmp(wsd_error(), "g.h5: no such object 'model_cg'") == 0, "%s", wsd_error());
    wsd_fail("--beam: %s", wsd_error());
    CHECK_MSG(strcmp(wsd_error(), "--beam: g.h5: no such object 'model_cg'") == 0, "%s",
              wsd_error());
}

int main(void) {
    TEST_RUN(fail_may_prefix_the_current_error);
    TEST_RUN(parse_long_rejects_trailing_junk);
    TEST_RUN(parse_double_accepts_exponent);
    TEST_RUN(atomic_output_leaves_nothing_on_abort);
    TEST_RUN(die_removes_open_outputs);
    TEST_RUN(read_file_names_missing_file);
    return test_finish();
}
