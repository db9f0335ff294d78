/* WordNet tables as METEOR's synonym module sees them (needs Debian's
 * wordnet-base; skipped without it). */
#include <stdlib.h>
#include <string.h>

#include "testing/test.h"
#include "base/util.h"
#include "score/meteor/wordnet.h"

static wsd_wordnet *wn;

static int shares(const char *a, const char *b) {
    uint32_t *x = NULL, *y = NULL;
    size_t cx = 0, cy = 0;
    size_t nx = wsd_wordnet_meteor_set(wn, a, strlen(a), &x, &cx);
    size_t ny = wsd_wordnet_meteor_set(wn, b, strlen(b), &y, &cy);
    int hit = 0;
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < ny; j++) hit |= x[i] == y[j];
    free(x);
    free(y);
    return hit;
}

static void test_load(void) {
    if (!wn) TEST_SKIP("no WordNet in /usr/share/wordnet (Debian wordnet-base)");
    /* WordNet 3.0 has 147,306 distinct lemma strings over the four index files */
    CHECK(wsd_wordnet_size(wn) > 140000);
    const uint32_t *ids;
    CHECK(wsd_wordnet_synsets(wn, "dog", 3, &ids) == 8); /* 7 noun + 1 verb senses */
    CHECK(wsd_wordnet_synsets(wn, "zzzzqx", 6, &ids) == 0);
}

static void test_synonyms(void) {
    if (!wn) TEST_SKIP("no WordNet in /usr/share/wordnet (Debian wordnet-base)");
    CHECK(shares("big", "large"));
    CHECK(shares("car", "automobile"));
    CHECK(!shares("dog", "car"));
    CHECK(shares("dogs", "dog"));       /* detachment rule s -> "" */
    CHECK(shares("children", "child")); /* noun.exc */
    CHECK(shares("ran", "run"));        /* verb.exc */
    CHECK(shares("running", "run"));
    CHECK(!shares("zzzzqx", "zzzzqx")); /* unknown words have no key set */
}

static void test_missing_dir(void) {
    wsd_clear_error();
    CHECK(wsd_wordnet_open("/nonexistent/wordnet") == NULL);
    CHECK(strstr(wsd_error(), "wordnet") != NULL);
}

int main(void) {
    wn = wsd_wordnet_open(NULL);
    TEST_RUN(test_load);
    TEST_RUN(test_synonyms);
    TEST_RUN(test_missing_dir);
    wsd_wordnet_close(wn);
    return test_finish();
}
