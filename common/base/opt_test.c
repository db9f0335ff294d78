#include "testing/test.h"
#include "base/opt.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn(arg) in a child; returns its exit status and its stderr in err. */
static int in_child(void (*fn)(const char *), const char *arg, char *err, size_t cap) {
    int fd[2];
    if (pipe(fd)) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        fn(arg);
        _exit(0);
    }
    close(fd[1]);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < cap && (got = read(fd[0], err + len, cap - 1 - len)) > 0) len += (size_t)got;
    err[len] = '\0';
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void batch(const char *s) { wsd_opt_long(s, "--batch", 1, 64); }
static void rate(const char *s) { wsd_opt_double(s, "--lr", 0, 1); }
static void list(const char *s) {
    int v[2];
    wsd_opt_int_list(s, "--milestones", 0, 100, v, 2);
}
static void mode(const char *s) {
    static const char *const modes[] = {"full", "gt", "none", NULL};
    wsd_opt_choice(s, "--segments", modes);
}

static void values_in_range_are_returned(void) {
    CHECK(wsd_opt_long("64", "--batch", 1, 64) == 64);
    CHECK(wsd_opt_int("-3", "--x", -3, 3) == -3);
    CHECK(wsd_opt_double("1e-4", "--lr", 0, 1) == 1e-4);
    int v[3];
    CHECK(wsd_opt_int_list("20,50,70", "--milestones", 0, 100, v, 3) == 3);
    CHECK(v[0] == 20 && v[1] == 50 && v[2] == 70);
    static const char *const modes[] = {"full", "gt", NULL};
    CHECK(wsd_opt_choice("gt", "--segments", modes) == 1);
}

static void bad_values_exit_1_with_one_message_style(void) {
    char err[512];
    wsd_set_progname("prog");
    CHECK(in_child(batch, "65", err, sizeof err) == 1);
    CHECK_MSG(strstr(err, "prog: --batch: expected an integer in [1, 64], got '65'"), "%s", err);
    CHECK(in_child(batch, "0", err, sizeof err) == 1);
    CHECK(in_child(batch, "8x", err, sizeof err) == 1);
    CHECK(in_child(batch, "8", err, sizeof err) == 0);
    CHECK(in_child(rate, "nan", err, sizeof err) == 1);
    CHECK_MSG(strstr(err, "--lr: expected a number in [0, 1], got 'nan'"), "%s", err);
    CHECK(in_child(rate, "inf", err, sizeof err) == 1);
    CHECK(in_child(list, "1,2,3", err, sizeof err) == 1);
    CHECK_MSG(strstr(err, "--milestones: at most 2 values"), "%s", err);
    CHECK(in_child(list, ",", err, sizeof err) == 1);
    CHECK(in_child(list, "1,200", err, sizeof err) == 1);
    CHECK(in_child(mode, "half", err, sizeof err) == 1);
    CHECK_MSG(strstr(err, "--segments: expected full, gt or none, got 'half'"), "%s", err);
}

static void tables_join_shared_then_extra(void) {
    const struct option shared[] = {{"feats", 1, 0, 'f'}, {"quiet", 0, 0, 'q'}};
    const struct option extra[] = {{"beam", 1, 0, 300}, {0, 0, 0, 0}};
    struct option *all = wsd_opt_table(shared, 2, extra);
    CHECK(!strcmp(all[0].name, "feats") && all[1].val == 'q' && all[2].val == 300);
    CHECK(all[3].name == NULL && all[3].val == 0);
    free(all);
}

int main(void) {
    TEST_RUN(values_in_range_are_returned);
    TEST_RUN(bad_values_exit_1_with_one_message_style);
    TEST_RUN(tables_join_shared_then_extra);
    return test_finish();
}
