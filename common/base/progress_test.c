#include "base/progress.h"
#include "testing/test.h"

static double fake_t;
static double fake_now(void) { return fake_t; }

static FILE *mem(char **buf, size_t *len) { return open_memstream(buf, len); }

static void start(wsd_progress *p, FILE *fp, long total, int tty, int quiet) {
    fake_t = 100;
    wsd_progress_start(p, "job", total, quiet);
    p->fp = fp;
    p->tty = tty;
    p->now = fake_now;
    p->t0 = p->last = fake_t;
}

/* Not a terminal: a plain line every 10 s, with rate and ETA, and a last one. */
static void plain_lines_by_time(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = mem(&buf, &len);
    wsd_progress p;
    start(&p, fp, 100, 0, 0);
    for (int i = 0; i < 50; i++) {
        fake_t += 0.5; /* 2 steps per second */
        wsd_progress_step(&p, 1);
    }
    wsd_progress_note(&p, "loss %.2f", 1.5);
    wsd_progress_end(&p);
    fclose(fp);
    /* lines at 10 s (20 steps), 20 s (40 steps), then the end (50) */
    CHECK_MSG(strcmp(buf, "job: 20/100 (20%) 2/s ETA 0:40\njob: 40/100 (40%) 2/s ETA 0:30\n"
                          "job: 50/100 (50%) 2/s ETA 0:25 loss 1.50\n") == 0,
              "got [%s]", buf);
    CHECK(!strchr(buf, '\r'));
    free(buf);
}

static void short_plain_run_is_silent(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = mem(&buf, &len);
    wsd_progress p;
    start(&p, fp, 5, 0, 0);
    for (int i = 0; i < 5; i++) {
        fake_t += 1;
        wsd_progress_step(&p, 1);
    }
    wsd_progress_end(&p);
    fclose(fp);
    CHECK(len == 0);
    free(buf);
}

static void plain_lines_by_count(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = mem(&buf, &len);
    wsd_progress p;
    start(&p, fp, 0, 0, 0);
    p.every_n = 3;
    for (int i = 0; i < 6; i++) {
        fake_t += 1;
        wsd_progress_step(&p, 1);
    }
    wsd_progress_end(&p); /* the last line already showed step 6 */
    fclose(fp);
    CHECK_MSG(strcmp(buf, "job: 3 1/s\njob: 6 1/s\n") == 0, "got [%s]", buf);
    free(buf);
}

/* A terminal: one line redrawn with \r, a bar, at most 10 times a second. */
static void terminal_bar(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = mem(&buf, &len);
    wsd_progress p;
    start(&p, fp, 4, 1, 0);
    fake_t += 0.01;
    wsd_progress_step(&p, 1); /* too soon: not drawn */
    fake_t += 1;
    wsd_progress_step(&p, 1);
    fake_t += 1;
    wsd_progress_step(&p, 2); /* complete: drawn */
    wsd_progress_end(&p);
    fclose(fp);
    CHECK_MSG(strstr(buf, "\rjob [############............] 2/4 50% ") != NULL, "got [%s]", buf);
    CHECK(strstr(buf, "\rjob [########################] 4/4 100% ") != NULL);
    CHECK(strstr(buf, "1/4") == NULL);
    CHECK(len > 0 && buf[len - 1] == '\n');
    CHECK(strchr(buf, '\n') == buf + len - 1); /* one line on screen */
    free(buf);
}

static void quiet_prints_nothing(void) {
    char *buf = NULL;
    size_t len = 0;
    for (int tty = 0; tty < 2; tty++) {
        FILE *fp = mem(&buf, &len);
        wsd_progress p;
        start(&p, fp, 10, tty, 1);
        for (int i = 0; i < 10; i++) {
            fake_t += 20;
            wsd_progress_step(&p, 1);
        }
        wsd_progress_end(&p);
        fclose(fp);
        CHECK(len == 0);
        CHECK(p.done == 10);
        free(buf);
        buf = NULL;
    }
}

static void hms(void) {
    char b[32];
    wsd_progress_hms(0, b, sizeof b);
    CHECK(!strcmp(b, "0:00"));
    wsd_progress_hms(3725, b, sizeof b);
    CHECK(!strcmp(b, "1:02:05"));
    wsd_progress_hms(-1, b, sizeof b);
    CHECK(!strcmp(b, "?"));
}

int main(void) {
    TEST_RUN(plain_lines_by_time);
    TEST_RUN(short_plain_run_is_silent);
    TEST_RUN(plain_lines_by_count);
    TEST_RUN(terminal_bar);
    TEST_RUN(quiet_prints_nothing);
    TEST_RUN(hms);
    return test_finish();
}
