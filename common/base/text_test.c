#include "testing/test.h"
#include "base/text.h"
#include "base/util.h"

static int tokens_are(const char *s, const char *const *want, size_t n) {
    wsd_tokens t;
    if (wsd_tokenize(s, &t) != 0) return 0;
    int ok = t.n == n;
    for (size_t i = 0; ok && i < n; i++) ok = strcmp(t.tok[i], want[i]) == 0;
    if (!ok)
        for (size_t i = 0; i < t.n; i++) fprintf(stderr, "    token %zu: '%s'\n", i, t.tok[i]);
    wsd_tokens_free(&t);
    return ok;
}

static void splits_periods_and_commas_only(void) {
    /* '.' inside a word splits it too, as the reference's replace() does */
    const char *want2[] = {"mr", ".", "x's"};
    CHECK(tokens_are(" A Man, wearing\tMR.X's hat,JUMPS! - high.",
                     (const char *[]){"a", "man", ",", "wearing", "mr", ".", "x's", "hat", ",",
                                      "jumps!", "-", "high", "."},
                     13));
    CHECK(tokens_are("Mr.X's", want2, 3));
}

static void empty_and_blank_give_no_tokens(void) {
    CHECK(tokens_are("", NULL, 0));
    CHECK(tokens_are(" \n\t ", NULL, 0));
    CHECK(tokens_are("...", (const char *[]){".", ".", "."}, 3));
}

static void unicode_follows_python(void) {
    /* Ñ lowercases to ñ, U+00A0 separates, U+2019 stays inside the word */
    CHECK(tokens_are("PI\xC3\x91"
                     "ATA\xC2\xA0"
                     "man\xE2\x80\x99s",
                     (const char *[]){"pi\xC3\xB1"
                                      "ata",
                                      "man\xE2\x80\x99s"},
                     2));
}

static void invalid_utf8_is_rejected(void) {
    wsd_tokens t;
    CHECK(wsd_tokenize("ok \xFF bad", &t) == -1);
    CHECK(strstr(wsd_error(), "byte 3") != NULL);
    CHECK(wsd_tokenize("cut \xC3", &t) == -1);
    CHECK(wsd_tokenize("overlong \xC0\xAF", &t) == -1);
    CHECK(wsd_utf8_invalid_at("\xED\xA0\x80", 3) == 0); /* surrogate */
    CHECK(wsd_utf8_invalid_at("caf\xC3\xA9", 5) == -1);
}

int main(void) {
    TEST_RUN(splits_periods_and_commas_only);
    TEST_RUN(empty_and_blank_give_no_tokens);
    TEST_RUN(unicode_follows_python);
    TEST_RUN(invalid_utf8_is_rejected);
    return test_finish();
}
