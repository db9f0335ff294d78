#include "testing/test.h"
#include "io/captions.h"
#include "base/util.h"
#include "io/vocab.h"

static const char small[] =
    "{\"v_1\": {\"duration\": 10, \"timestamps\": [[0, 5], [5, 10]],"
    "  \"sentences\": [\"A dog runs. A cat sits.\", \"The dog, the cat and a bird.\"]},"
    " \"v_2\": {\"duration\": 4, \"timestamps\": [[1, 2]], \"sentences\": [\"Bird bird zebra "
    "yak\"]}}";

static void builds_sorted_by_count_then_word(void) {
    wsd_captions *c = wsd_captions_parse(small, strlen(small), "small.json");
    CHECK(c != NULL);
    wsd_vocab_stats st;
    wsd_vocab *v = wsd_vocab_build(c, 2, 6000, &st);
    /* counts: a 3, . 3, bird 3, cat 2, dog 2, the 2; ',' 1, runs 1, ... */
    const char *want[] = {"<bos>", "<eos>", ".", "a", "bird", "cat", "dog", "the", "<oov>"};
    CHECK(v->n == 9);
    for (int i = 0; i < v->n && i < 9; i++)
        CHECK_MSG(strcmp(v->words[i], want[i]) == 0, "id %d is '%s'", i, v->words[i]);
    CHECK(st.tokens == 21 && st.tokens_in_vocab == 15 && v->counts[v->n - 1] == 6);
    wsd_vocab_free(v);
    /* --size cuts after sorting */
    v = wsd_vocab_build(c, 2, 5, NULL);
    CHECK(v->n == 5 && strcmp(v->words[2], ".") == 0 && strcmp(v->words[3], "a") == 0 &&
          strcmp(v->words[4], "<oov>") == 0);
    wsd_vocab_free(v);
    wsd_captions_free(c);
}

static void encode_decode_follow_section_1_4(void) {
    wsd_captions *c = wsd_captions_parse(small, strlen(small), "small.json");
    wsd_vocab *v = wsd_vocab_build(c, 2, 6000, NULL);
    int32_t *ids;
    size_t n;
    CHECK(wsd_vocab_encode(v, "The DOG flies.", &ids, &n) == 0);
    int32_t want[] = {0, 7, 6, 8, 2, 1};
    CHECK(n == 6 && memcmp(ids, want, sizeof want) == 0);
    char *s = wsd_vocab_decode(v, ids, n);
    CHECK(s && strcmp(s, "the dog <oov> .") == 0);
    free(s);
    int32_t cut[] = {0, 3, 1, 4, 4};
    s = wsd_vocab_decode(v, cut, 5);
    CHECK(s && strcmp(s, "a") == 0);
    free(s);
    CHECK(wsd_vocab_decode(v, ids + 1, n - 1) == NULL); /* must start with <bos> */
    free(ids);
    wsd_vocab_free(v);
    wsd_captions_free(c);
}

static void json_roundtrip(void) {
    wsd_captions *c = wsd_captions_parse(small, strlen(small), "small.json");
    wsd_vocab *v = wsd_vocab_build(c, 2, 6000, NULL);
    cJSON *j = wsd_vocab_to_json(v);
    wsd_vocab *w = wsd_vocab_from_json(j, "j");
    CHECK(w && w->n == v->n && wsd_vocab_id(w, "cat") == wsd_vocab_id(v, "cat") &&
          w->counts[4] == 3);
    CHECK(wsd_vocab_id(w, "unicorn") == wsd_vocab_oov(w));
    cJSON_Delete(j);
    wsd_vocab_free(w);
    cJSON *bad = cJSON_Parse(
        "{\"format\":\"wsdec-vocab\",\"version\":1,\"id_to_word\":[\"<bos>\",\"x\",\"<oov>\"]}");
    CHECK(wsd_vocab_from_json(bad, "bad.json") == NULL && strstr(wsd_error(), "bad.json"));
    cJSON_Delete(bad);
    wsd_vocab_free(v);
    wsd_captions_free(c);
}

static void activitynet_train_gives_6000_entries(void) {
    const char *dir = test_shared_dir();
    if (!dir) TEST_SKIP("../shared absent: no ActivityNet Captions annotations");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/activitynet-captions/train_modified.json", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) TEST_SKIP("%s absent", path);
    fclose(fp);
    wsd_captions *c = wsd_captions_load(path);
    CHECK(c && c->n == 10009);
    wsd_vocab_stats st;
    wsd_vocab *v = wsd_vocab_build(c, 2, 6000, &st);
    CHECK(v->n == 6000 && wsd_vocab_oov(v) == 5999);
    CHECK(st.tokens == 549457 && st.tokens_in_vocab == 543743);
    CHECK(strcmp(v->words[2], "the") == 0 && strcmp(v->words[3], ".") == 0);
    wsd_vocab_free(v);
    wsd_captions_free(c);
}

int main(void) {
    TEST_RUN(builds_sorted_by_count_then_word);
    TEST_RUN(encode_decode_follow_section_1_4);
    TEST_RUN(json_roundtrip);
    TEST_RUN(activitynet_train_gives_6000_entries);
    return test_finish();
}
