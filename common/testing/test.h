/* A minimal unit-test harness: each common/NAME_test.c is one executable whose
 * main() calls TEST_RUN(fn) for every case and returns test_finish(). The
 * runner (testdata/run-tests.sh) sums the "RESULT passed failed skipped" lines. */
#ifndef WSD_TEST_H
#define WSD_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed, test_skipped, test_case_failed, test_case_skipped;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
            test_case_failed = 1;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);             \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            test_case_failed = 1;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double check_a_ = (a), check_b_ = (b);                                                     \
        if (!(fabs(check_a_ - check_b_) <= (tol))) {                                               \
            fprintf(stderr, "  %s:%d: %s = %.9g, expected %s = %.9g (tol %g)\n", __FILE__,         \
                    __LINE__, #a, check_a_, #b, check_b_, (double)(tol));                          \
            test_case_failed = 1;                                                                  \
        }                                                                                          \
    } while (0)

/* Marks the current case skipped (e.g. ../shared/data absent), with a reason. */
#define TEST_SKIP(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "  skip: ");                                                               \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        test_case_skipped = 1;                                                                     \
        return;                                                                                    \
    } while (0)

static inline void test_run_case(const char *name, void (*fn)(void)) {
    test_case_failed = test_case_skipped = 0;
    fn();
    if (test_case_failed) {
        test_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else if (test_case_skipped) {
        test_skipped++;
        fprintf(stderr, "skip %s\n", name);
    } else {
        test_passed++;
    }
}

#define TEST_RUN(fn) test_run_case(#fn, fn)

static inline int test_finish(void) {
    printf("RESULT %d %d %d\n", test_passed, test_failed, test_skipped);
    return test_failed ? 1 : 0;
}

/* Path of ../shared relative to the repository root, or NULL when absent. */
static inline const char *test_shared_dir(void) {
    const char *env = getenv("WSD_SHARED");
    static const char *fallback = "../shared";
    const char *dir = env ? env : fallback;
    FILE *fp;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/wsdec-spec.md", dir);
    if ((fp = fopen(probe, "r"))) {
        fclose(fp);
        return dir;
    }
    return NULL;
}

#endif
