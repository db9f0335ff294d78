/* METEOR 1.5 port: hand-computed cases. Fixture data files (a five-word
 * function-word list, a two-entry prefix list, a one-entry paraphrase table)
 * are written to a temporary directory: the real ones ship inside Meteor's
 * jar. Cases needing WordNet skip without /usr/share/wordnet.
 *
 * Parameters (English, task rank): alpha 0.85, beta 0.20, gamma 0.60,
 * delta 0.75; weights exact 1.0, stem 0.6, synonym 0.8, paraphrase 0.6.
 * Function words here: a, the, is, of, on. With Lt = 0.75 content + 0.25
 * function words and matches weighted likewise, P = mt/Lt, R = mr/Lr,
 * Fmean = 1/(0.15/P + 0.85/R), frag = chunks/avg matched, score =
 * Fmean (1 - 0.6 frag^0.2), frag = 0 when all words match in one chunk. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "score/meteor/meteor.h"
#include "score/meteor/meteor_internal.h"
#include "testing/test.h"
#include "base/util.h"

static char dir[64], fw_path[128], nbp_path[128], para_path[128], syn_path[128], exc_path[128];
static wsd_meteor *plain; /* function words only: approximate */
static wsd_meteor *full;  /* all files: complete configuration */

static double fmean(double p, double r) { return 1.0 / (0.15 / p + 0.85 / r); }
static double penalty(double chunks, double avg) { return 0.6 * pow(chunks / avg, 0.2); }

static double seg(wsd_meteor *m, const char *cand, const char *ref) {
    double s = -1;
    const char *refs[1] = {ref};
    CHECK(wsd_meteor_segment(m, cand, refs, 1, &s) == 0);
    return s;
}

static void write_file(const char *path, const char *text) {
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/wsd-meteor-XXXXXX");
    if (!mkdtemp(dir)) return;
    snprintf(fw_path, sizeof fw_path, "%s/english.words", dir);
    snprintf(nbp_path, sizeof nbp_path, "%s/english.prefixes", dir);
    snprintf(para_path, sizeof para_path, "%s/paraphrase-en.gz", dir);
    snprintf(syn_path, sizeof syn_path, "%s/english.synsets", dir);
    snprintf(exc_path, sizeof exc_path, "%s/english.exceptions", dir);
    /* Meteor's export format: word line, then its synset numbers */
    write_file(syn_path, "big\n01382086 00001740\nlarge\n01382086\nwalk\n01904930\n"
                         "stroll\n01904930\nchild\n09917593\n");
    write_file(exc_path, "walk\nwalkt\n");
    write_file(fw_path, "a\nthe\nis\nof\non\n");
    write_file(nbp_path, "# comment\nmr\nno #NUMERIC_ONLY#\n");
    gzFile gz = gzopen(para_path, "wb");
    if (gz) {
        gzputs(gz, "0.5\nlittle boy\nchild\n");
        gzclose(gz);
    }
    wsd_meteor_config c = {0};
    c.function_words_path = fw_path;
    plain = wsd_meteor_open(&c);
    c.paraphrase_path = para_path;
    c.nonbreaking_path = nbp_path;
    c.synonym_dir = dir;
    full = wsd_meteor_open(&c);
}

static void teardown(void) {
    wsd_meteor_close(plain);
    wsd_meteor_close(full);
    unlink(fw_path);
    unlink(nbp_path);
    unlink(para_path);
    unlink(syn_path);
    unlink(exc_path);
    rmdir(dir);
}

#define NEED_METEOR()                                                                              \
    do {                                                                                           \
        if (!plain || !full) TEST_SKIP("METEOR data unavailable: %s", wsd_error());                \
    } while (0)

static void test_availability(void) {
    NEED_METEOR();
    CHECK(!wsd_meteor_official(plain));
    CHECK(strstr(wsd_meteor_caveat(plain), "paraphrase") != NULL);
    CHECK(strstr(wsd_meteor_caveat(plain), "prefix") != NULL);
    CHECK(strstr(wsd_meteor_caveat(plain), "Debian WordNet") != NULL);
    CHECK(wsd_meteor_official(full));
    CHECK(strcmp(wsd_meteor_caveat(full), "") == 0);

    wsd_meteor_config c = {0};
    wsd_clear_error();
    CHECK(wsd_meteor_open(&c) == NULL); /* no function words: unavailable */
    CHECK(strstr(wsd_error(), "function-word list") != NULL);
    CHECK(strstr(wsd_error(), "unavailable") == NULL); /* the caller says that */
    c.function_words_path = "/nonexistent/english.words";
    CHECK(wsd_meteor_open(&c) == NULL);
    c.function_words_path = fw_path;
    c.wordnet_dir = "/nonexistent/wordnet";
    CHECK(wsd_meteor_open(&c) == NULL);
    CHECK(strstr(wsd_error(), "wordnet") != NULL);
    c.wordnet_dir = NULL;
    c.paraphrase_path = "/nonexistent/paraphrase-en.gz";
    CHECK(wsd_meteor_open(&c) == NULL);

    /* the fixture directory holds all three files under their Meteor names */
    wsd_meteor *d = wsd_meteor_open_dir(dir, NULL);
    CHECK(d && wsd_meteor_official(d));
    wsd_meteor_close(d);
    CHECK(wsd_meteor_open_dir("/nonexistent", NULL) == NULL);
}

static void test_exact(void) {
    NEED_METEOR();
    CHECK_NEAR(seg(plain, "a man is running", "a man is running"), 1.0, 1e-15);
    /* exact a, man; "runs"/"running" share a stem and synsets, but a one-word
     * non-exact match adds nothing to the beam ranking while it opens a second
     * chunk, so Meteor's search drops it. Test 3 words (1 function), ref 4 (2).
     * P = (0.75 + 0.25) / 1.75, R = 1.0 / 2.0, one chunk over 2 matches. */
    double want = fmean(1.0 / 1.75, 0.5) * (1 - penalty(1, 2));
    CHECK_NEAR(seg(plain, "a man runs", "a man is running"), want, 1e-12);
    CHECK_NEAR(want, 0.243398553897, 1e-11);
}

static void test_fragmentation(void) {
    NEED_METEOR();
    /* everything matches (3 content, 3 function words each side) in two
     * chunks "on the mat" + "the cat sat": Fmean 1, frag 2/6 */
    double want = 1.0 - penalty(2, 6);
    CHECK_NEAR(seg(plain, "the cat sat on the mat", "on the mat the cat sat"), want, 1e-12);
    /* reversed word order: 3 chunks of one word */
    CHECK_NEAR(seg(plain, "dog cat bird", "bird cat dog"), 1.0 - penalty(3, 3), 1e-12);
}

static void test_stem(void) {
    NEED_METEOR();
    /* walked/walks: the stem match continues the chunk and, since the parent
     * path is charged the distance, wins the tie; stem weight 0.6 */
    double p = (0.25 + 0.75 + 0.6 * 0.75 + 0.75) / 2.5;
    CHECK_NEAR(seg(plain, "the man walked home", "the man walks home"), p, 1e-12);
}

static void test_synonym(void) {
    NEED_METEOR();
    /* big/large: WordNet synonyms (weight 0.8), one chunk, all matched */
    double p = (0.25 + 0.8 * 0.75 + 0.75) / 1.75;
    CHECK_NEAR(seg(plain, "a big dog", "a large dog"), p, 1e-12);
    /* the same through Meteor's own export (fixture: big and large share
     * 01382086; "strolls" reaches "stroll" by WordNet's s -> "" rule, the
     * irregular "walkt" reaches "walk" through the exception list) */
    CHECK_NEAR(seg(full, "a big dog", "a large dog"), p, 1e-12);
    double q = (0.25 + 0.75 + 0.8 * 0.75) / 1.75;
    CHECK_NEAR(seg(full, "the man strolls", "the man walk"), q, 1e-12);
    CHECK_NEAR(seg(full, "the man walkt", "the man stroll"), q, 1e-12);
    CHECK_NEAR(seg(full, "a big dog", "a huge dog"),
               fmean(1.0 / 1.75, 1.0 / 1.75) * (1 - penalty(2, 2)), 1e-12);
}

static void test_paraphrase(void) {
    NEED_METEOR();
    /* "little boy" -> "child" from the table; ref 4 words (1 function), test 3 */
    double p = (0.25 + 0.75 + 0.6 * 0.75) / 1.75;
    double r = (0.25 + 0.75 + 2 * 0.6 * 0.75) / 2.5;
    CHECK_NEAR(seg(full, "the child plays", "the little boy plays"), fmean(p, r), 1e-12);
    /* without the table only the exact matches count (two chunks) */
    double p0 = 1.0 / 1.75, r0 = 1.0 / 2.5;
    CHECK_NEAR(seg(plain, "the child plays", "the little boy plays"),
               fmean(p0, r0) * (1 - penalty(2, 2)), 1e-12);
}

static void test_multiple_references(void) {
    NEED_METEOR();
    const char *refs[3] = {"the cat", "a large dog", "a dog"};
    double s = -1;
    CHECK(wsd_meteor_segment(plain, "a big dog", refs, 3, &s) == 0);
    CHECK_NEAR(s, (0.25 + 0.8 * 0.75 + 0.75) / 1.75, 1e-12); /* max over refs */
    CHECK(wsd_meteor_segment(plain, "a big dog", refs, 0, &s) == -1);
    /* a "|||" inside a reference splits it, as on Meteor's SCORE line */
    const char *glued[1] = {"the cat ||| a big dog"};
    CHECK(wsd_meteor_segment(plain, "a big dog", glued, 1, &s) == 0);
    CHECK_NEAR(s, 1.0, 1e-15);
    /* the wrapper deletes "|||" from the hypothesis */
    CHECK_NEAR(seg(plain, "a ||| big dog", "a big dog"), 1.0, 1e-15);
}

static void test_empty(void) {
    NEED_METEOR();
    CHECK_NEAR(seg(plain, "", "a man"), 0.0, 0);
    CHECK_NEAR(seg(plain, "a man", ""), 0.0, 0);
    CHECK_NEAR(seg(plain, "", ""), 0.0, 0);
    CHECK_NEAR(seg(plain, "hello", "world"), 0.0, 0);
    double s = -1;
    CHECK(wsd_meteor_corpus(plain, 0, NULL, NULL, NULL, &s) == 0);
    CHECK_NEAR(s, 0.0, 0);
}

static void test_corpus(void) {
    NEED_METEOR();
    /* statistics summed, the perfect pair contributing no chunk:
     * test 7 words (3 function), ref 8 (4); matched 3 content + 3 function
     * words each side; one chunk over 6 matched words (frag not zero since
     * not everything matched) */
    const char *cands[2] = {"a man is running", "a man runs"};
    const char *r0[1] = {"a man is running"}, *r1[1] = {"a man is running"};
    const char *const *refs[2] = {r0, r1};
    int nrefs[2] = {1, 1};
    double s = -1;
    CHECK(wsd_meteor_corpus(plain, 2, cands, refs, nrefs, &s) == 0);
    double p = (3 * 0.75 + 3 * 0.25) / (4 * 0.75 + 3 * 0.25);
    double r = (3 * 0.75 + 3 * 0.25) / (4 * 0.75 + 4 * 0.25);
    CHECK_NEAR(s, fmean(p, r) * (1 - penalty(1, 6)), 1e-12);
    /* not the mean of the segment scores */
    CHECK(fabs(s - (1.0 + 0.243398553897) / 2) > 0.01);
    /* a single perfect pair stays perfect */
    CHECK(wsd_meteor_corpus(plain, 1, cands, refs, nrefs, &s) == 0);
    CHECK_NEAR(s, 1.0, 1e-15);
}

static void test_normalizer(void) {
    /* Meteor's -norm rules (meteor-1.5.jar Normalizer), plus prefixes */
    static const char *const cases[][2] = {
        {"abc123!@#", "abc123 ! @ #"},
        {"do n't wo n't", "do n 't wo n 't"},
        {"it 's a man 's dog", "it ' s a man ' s dog"},
        {"well-known x-ray 10-20", "well known x ray 10 20"},
        {"u.s. mr. etc. e.g. a.m.", "us mr. etc. eg am"},
        {"a capital t.", "a capital t ."},
        {"capital t. the man", "capital t. the man"},
        {"3:45 1,000 3.5", "3 : 45 1,000 3.5"},
        {"!!! ?! ?? ...", "! ! ! ? ! ? ? ..."},
        {"c++ at&t a/b", "c + + at & t a / b"},
        {"-lrb- a -rrb-", "-lrb- a -rrb-"},
        {"a-b-c", "a b-c"}, /* replaceAll does not overlap */
        {"wait... what", "wait ... what"},
        {"the 1990's", "the 1990 's"},
        {"  A  B  ", "a b"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = wsd_meteor_normalize(cases[i][0], NULL);
        CHECK_MSG(strcmp(got, cases[i][1]) == 0, "[%s] -> [%s], want [%s]", cases[i][0], got,
                  cases[i][1]);
        free(got);
    }
    wsd_meteor_nbp nbp;
    if (wsd_meteor_nbp_load(&nbp, nbp_path) != 0) TEST_SKIP("no fixture prefix list");
    char *a = wsd_meteor_normalize("ask mr.", &nbp);
    char *b = wsd_meteor_normalize("ask mr.", NULL);
    char *c = wsd_meteor_normalize("no. 5 and no. x", &nbp);
    CHECK(strcmp(a, "ask mr.") == 0);
    CHECK(strcmp(b, "ask mr .") == 0);
    CHECK_MSG(strcmp(c, "no. 5 and no. x") == 0, "%s", c); /* "x" is lower-case */
    free(a);
    free(b);
    free(c);
    char *d = wsd_meteor_normalize("no. 5 no. !", &nbp);
    CHECK_MSG(strcmp(d, "no. 5 no . !") == 0, "%s", d);
    free(d);
    wsd_meteor_nbp_free(&nbp);
}

static void test_java_hash(void) {
    CHECK(wsd_meteor_java_hash("", 0) == 0);
    CHECK(wsd_meteor_java_hash("a", 1) == 97);
    CHECK(wsd_meteor_java_hash("hello", 5) == 99162322);
    /* "Aa" and "BB" collide in Java, so Meteor treats them as the same word */
    CHECK(wsd_meteor_java_hash("Aa", 2) == wsd_meteor_java_hash("BB", 2));
    CHECK(wsd_meteor_java_hash("\xc3\xa9", 2) == 0xe9);
}

/* Deterministic mutation fuzz: never crash, scores in [0, 1]. */
static void test_fuzz(void) {
    NEED_METEOR();
    static const char *const seeds[] = {
        "a man is running down the street",
        "the child plays with a big dog",
        "u.s. mr. etc. e.g. a.m. ...",
        "abc123!@# ||| -lrb- x -rrb-",
        "do n't it 's 1990 's",
        "",
        "a",
        "..... ,,, ''' ``` --- |||| ",
        "little boy little boy little boy",
        "the the the the the the the the the the the the the the the the the the the",
        "\xc3\xa9t\xc3\xa9 caf\xc3\xa9 \xe2\x80\x9cquote\xe2\x80\x9d \xe2\x80\x93 \xd0\x94",
    };
    static const char alphabet[] = "abcdeilnorsty .,'`-|!?\"0123456789\t\xc3\xa9\xa0";
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    char cand[200], ref[200];
    int n = (int)(sizeof seeds / sizeof seeds[0]);
    for (int it = 0; it < 3000; it++) {
        for (int side = 0; side < 2; side++) {
            char *buf = side ? ref : cand;
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            snprintf(buf, 200, "%s", seeds[(rng >> 33) % (uint64_t)n]);
            int edits = (int)((rng >> 20) % 8);
            for (int e = 0; e < edits; e++) {
                rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                size_t len = strlen(buf);
                size_t pos = len ? (size_t)(rng >> 33) % (len + 1) : 0;
                char ch = alphabet[(rng >> 13) % (sizeof alphabet - 1)];
                int op = (int)((rng >> 40) % 3);
                if (op == 0 && len + 1 < 199) {
                    memmove(buf + pos + 1, buf + pos, len - pos + 1);
                    buf[pos] = ch;
                } else if (op == 1 && pos < len) {
                    memmove(buf + pos, buf + pos + 1, len - pos);
                } else if (pos < len) {
                    buf[pos] = ch;
                }
            }
        }
        double s = -1;
        CHECK(seg(it % 2 ? full : plain, cand, ref) >= 0.0);
        const char *refs[2] = {ref, cand};
        CHECK(wsd_meteor_segment(full, cand, refs, 2, &s) == 0);
        CHECK_MSG(s >= 0.0 && s <= 1.0 + 1e-12, "score %g for [%s] vs [%s]", s, cand, ref);
        const char *cands[2] = {cand, ref};
        const char *r0[1] = {ref}, *r1[1] = {cand};
        const char *const *rr[2] = {r0, r1};
        int nr[2] = {1, 1};
        CHECK(wsd_meteor_corpus(plain, 2, cands, rr, nr, &s) == 0);
        CHECK_MSG(s >= 0.0 && s <= 1.0 + 1e-12, "corpus %g", s);
    }
}

int main(void) {
    setup();
    TEST_RUN(test_availability);
    TEST_RUN(test_exact);
    TEST_RUN(test_fragmentation);
    TEST_RUN(test_stem);
    TEST_RUN(test_synonym);
    TEST_RUN(test_paraphrase);
    TEST_RUN(test_multiple_references);
    TEST_RUN(test_empty);
    TEST_RUN(test_corpus);
    TEST_RUN(test_normalizer);
    TEST_RUN(test_java_hash);
    TEST_RUN(test_fuzz);
    teardown();
    return test_finish();
}
