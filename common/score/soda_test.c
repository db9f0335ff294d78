#include "score/soda.h"
#include "testing/test.h"
#include "base/util.h"

/* Exact-match similarity, so the expected matching is easy to see. */
static int same(void *ctx, const char *a, const char *b, double *s) {
    (void)ctx;
    *s = strcmp(a, b) == 0;
    return 0;
}

static void order_preserving_matching(void) {
    const char *refs = "{\"v\": {\"timestamps\": [[0, 10], [10, 20], [20, 30]], \"sentences\": "
                       "[\"A man runs.\", \"A dog sits.\", \"A cat jumps.\"]}}";
    /* predictions given out of order; sorted by start they are C(0-10) A(10-20) B(20-30) */
    const char *sub = "{\"version\": 1, \"external_data\": {}, \"results\": {\"v\": ["
                      "{\"timestamp\": [20, 30], \"sentence\": \"a dog sits\"}, {\"timestamp\": "
                      "[0, 10], \"sentence\": \"a cat jumps\"},"
                      "{\"timestamp\": [10, 20], \"sentence\": \"a man runs\"}], \"w\": []}}";
    score_set r, s;
    CHECK(score_parse_references(refs, strlen(refs), "refs", &r) == 0);
    CHECK(score_parse_submission(sub, strlen(sub), "sub", SCORE_FORMAT_AUTO, &s) == 0);
    soda_result out;
    CHECK(soda_c(&s, &r, same, NULL, &out) == 0);
    /* each caption sits on another caption's segment: IoU x S is 0 everywhere */
    CHECK(out.n_videos == 1);
    CHECK_NEAR(out.f, 0.0, 1e-12);
    score_set_free(&s);
    const char *sub2 = "{\"version\": 1, \"external_data\": {}, \"results\": {\"v\": ["
                       "{\"timestamp\": [10, 20], \"sentence\": \"A dog sits\"}, {\"timestamp\": "
                       "[0, 10], \"sentence\": \"A man runs\"},"
                       "{\"timestamp\": [20, 25], \"sentence\": \"A cat jumps\"}, {\"timestamp\": "
                       "[25, 30], \"sentence\": \"A cat jumps\"}]}}";
    CHECK(score_parse_submission(sub2, strlen(sub2), "sub", SCORE_FORMAT_AUTO, &s) == 0);
    CHECK(soda_c(&s, &r, same, NULL, &out) == 0);
    /* A and B match with IoU ~1 each, one C prediction with IoU 0.5: best ~2.5 */
    double best = 2 * (10 / (10 + 1e-8)) + 5 / (10 + 1e-8);
    CHECK_NEAR(out.precision, best / 4, 1e-12);
    CHECK_NEAR(out.recall, best / 3, 1e-12);
    CHECK_NEAR(out.f, 2 * (best / 4) * (best / 3) / (best / 4 + best / 3), 1e-12);
    score_set_free(&s);
    score_set_free(&r);
}

int main(void) {
    TEST_RUN(order_preserving_matching);
    return test_finish();
}
