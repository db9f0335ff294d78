#include "io/captions.h"
#include "io/jsonl.h"
#include "testing/test.h"
#include "base/util.h"

#include <math.h>
#include <unistd.h>

static wsd_captions *parse(const char *s) { return wsd_captions_parse(s, strlen(s), "t.json"); }

static void official_json_keeps_file_order(void) {
    wsd_captions *c =
        parse("{\"v_b\": {\"duration\": 82.73, \"timestamps\": [[0.8, 19.9], [17, 60]],"
              " \"sentences\": [\" A man.\", \"He runs.\"]}, \"v_a\": {\"duration\": 3, "
              "\"timestamps\": [],"
              " \"sentences\": []}}");
    CHECK(c && c->format == WSD_CAPTIONS_JSON && c->n == 2);
    CHECK(strcmp(c->videos[0].id, "v_b") == 0 && strcmp(c->videos[1].id, "v_a") == 0);
    CHECK_NEAR(c->videos[0].duration, 82.73, 0);
    CHECK(c->videos[0].n_events == 2 && c->videos[0].events[1].start == 17 &&
          strcmp(c->videos[0].events[0].sentence, " A man.") == 0);
    CHECK(isnan(c->videos[0].events[0].score));
    CHECK(wsd_captions_n_events(c) == 2);
    const wsd_video *v = wsd_captions_find(c, "v_a");
    CHECK(v == &c->videos[1]);
    CHECK(wsd_captions_find(c, "v_zz") == NULL && strstr(wsd_error(), "unknown video id 'v_zz'"));
    wsd_captions_free(c);
}

static void jsonl_and_id_lists_are_detected(void) {
    wsd_captions *c = parse("{\"video_id\": \"v_x\", \"duration\": 10, \"extra\": 1, \"events\": "
                            "[{\"timestamp\": [1, 2], "
                            "\"sentence\": \"hi\", \"score\": 0.9}]}\n\n{\"video_id\": \"v_y\"}\n");
    CHECK(c && c->format == WSD_CAPTIONS_JSONL && c->n == 2);
    CHECK(c && c->videos[0].events[0].score == 0.9 && isnan(c->videos[1].duration) &&
          c->videos[1].n_events == 0);
    wsd_captions_free(c);
    c = parse("# ids\nv_1\n  v_2  \n\nv_3");
    CHECK(c && c->format == WSD_CAPTIONS_IDS && c->n == 3 && strcmp(c->videos[1].id, "v_2") == 0);
    CHECK(c && wsd_captions_n_events(c) == 0);
    wsd_captions_free(c);
}

static void bad_input_names_file_and_place(void) {
    CHECK(parse("") == NULL && strstr(wsd_error(), "empty input"));
    CHECK(parse("{\"video_id\": \"v\"}\n{\"video_id\": \"w\",}\n") == NULL &&
          strstr(wsd_error(), "t.json:2"));
    CHECK(parse("{\"video_id\": \"v\"}\n{\"video_id\": \"v\"}\n") == NULL &&
          strstr(wsd_error(), "duplicate video id 'v'"));
    CHECK(parse("{\"v\": {\"duration\": 1, \"timestamps\": [[0, 1]], \"sentences\": []}}") ==
              NULL &&
          strstr(wsd_error(), "video 'v'") && strstr(wsd_error(), "1 timestamps but 0 sentences"));
    CHECK(parse("{\"v\": {\"duration\": 1, \"timestamps\": [[0]], \"sentences\": [\"x\"]}}") ==
              NULL &&
          strstr(wsd_error(), "timestamp"));
    CHECK(
        parse(
            "{\"v\": {\"duration\": 1, \"timestamps\": [[0, 1]], \"sentences\": [\"caf\xC3\"]}}") ==
            NULL &&
        strstr(wsd_error(), "UTF-8"));
    CHECK(parse("{\"v\": {\"duration\": 1,\n \"timestamps\": [[0, 1]] \"sentences\": []}}") ==
              NULL &&
          strstr(wsd_error(), "t.json:2"));
    CHECK(parse("v_1\nv 2\n") == NULL && strstr(wsd_error(), "t.json:2"));
    CHECK(parse("[1, 2]") == NULL && strstr(wsd_error(), "array"));
    /* absurd numbers and NUL escapes are refused at the edge (issue 12) */
    CHECK(parse("{\"video_id\": \"v\", \"duration\": 1e308}\n") == NULL &&
          strstr(wsd_error(), "duration"));
    CHECK(parse("{\"v\": {\"duration\": 1e300, \"timestamps\": [], \"sentences\": []}}") == NULL &&
          strstr(wsd_error(), "duration"));
    CHECK(
        parse("{\"v\": {\"duration\": 9, \"timestamps\": [[1, 1e999]], \"sentences\": [\"x\"]}}") ==
            NULL &&
        strstr(wsd_error(), "timestamp"));
    CHECK(parse("{\"v\": {\"duration\": 9, \"timestamps\": [[1, 2e7]], \"sentences\": [\"x\"]}}") ==
              NULL &&
          strstr(wsd_error(), "timestamp"));
    CHECK(parse("{\"video_id\": \"v\", \"events\": [{\"timestamp\": [0, 1], \"sentence\": "
                "\"a\\u0000b\"}]}\n") == NULL &&
          strstr(wsd_error(), "u0000"));
    CHECK(parse("{\"v\\u0000w\": {\"duration\": 9, \"timestamps\": [], \"sentences\": []}}") ==
              NULL &&
          strstr(wsd_error(), "u0000"));
    /* an escaped backslash before u0000 is text, not a NUL */
    wsd_captions *c = parse("{\"video_id\": \"v\", \"events\": [{\"timestamp\": [0, 1], "
                            "\"sentence\": \"a\\\\u0000\"}]}\n");
    CHECK(c && !strcmp(c->videos[0].events[0].sentence, "a\\u0000"));
    wsd_captions_free(c);
}

static void jsonl_reader_reports_line_numbers(void) {
    char path[] = "/tmp/wsd_jsonl_testXXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    fputs("{\"video_id\": \"a\"}\n\n", fp);
    for (int i = 0; i < 5000; i++) fputs(i ? ",1" : "{\"video_id\": \"b\", \"long\": [1", fp);
    fputs("]}\n[]\n", fp);
    fclose(fp);
    wsd_jsonl_reader *r = wsd_jsonl_open(path);
    cJSON *o;
    CHECK(wsd_jsonl_next(r, &o) == 1 && wsd_jsonl_line(r) == 1);
    cJSON_Delete(o);
    CHECK(wsd_jsonl_next(r, &o) == 1 && wsd_jsonl_line(r) == 3 &&
          cJSON_GetArraySize(cJSON_GetObjectItem(o, "long")) == 5000);
    cJSON_Delete(o);
    CHECK(wsd_jsonl_next(r, &o) == -1 && strstr(wsd_error(), ":4:") && strstr(wsd_error(), path));
    wsd_jsonl_close(r);
    unlink(path);
}

static void video_json_roundtrip(void) {
    cJSON *o = cJSON_Parse("{\"video_id\": \"v\", \"duration\": 5.5, \"events\": [{\"timestamp\": "
                           "[0.1, 2], \"sentence\": \"x\"}]}");
    wsd_video v;
    CHECK(wsd_video_from_json(o, "here", &v) == 0);
    cJSON *back = wsd_video_to_json(&v);
    CHECK(cJSON_Compare(o, back, 1));
    cJSON_Delete(back);
    cJSON_Delete(o);
    wsd_video_free(&v);
}

static void update_keeps_unknown_members(void) {
    cJSON *o = cJSON_Parse(
        "{\"video_id\": \"v\", \"x\": [1], \"events\": [{\"timestamp\": [0, 1], \"k\": 7}]}");
    wsd_video v;
    CHECK(wsd_video_from_json(o, "here", &v) == 0);
    v.duration = 9;
    v.events[0].end = 4;
    v.events[0].sentence = wsd_strdup("a man");
    wsd_video_update_json(o, &v);
    cJSON *want = cJSON_Parse(
        "{\"video_id\": \"v\", \"x\": [1], \"events\": [{\"timestamp\": [0, 4], \"k\": 7, "
        "\"sentence\": \"a man\"}], \"duration\": 9}");
    CHECK(cJSON_Compare(o, want, 1));
    cJSON_Delete(want);
    v.n_events = 0; /* a different event count replaces "events" */
    wsd_video_update_json(o, &v);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")) == 0 && cJSON_GetObjectItem(o, "x"));
    v.n_events = 1;
    wsd_video_free(&v);
    cJSON_Delete(o);
}

static void real_annotations_load(void) {
    const char *dir = test_shared_dir();
    if (!dir) TEST_SKIP("../shared absent: no ActivityNet Captions annotations");
    const char *files[] = {"activitynet-captions/val_1.json", "activitynet-captions/val_2.json",
                           "youcook2/yc2_val.json"};
    const size_t videos[] = {4917, 4885, 0};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data/%s", dir, files[i]);
        if (access(path, R_OK) != 0) TEST_SKIP("%s absent", path);
        wsd_captions *c = wsd_captions_load(path);
        CHECK_MSG(c != NULL, "%s", wsd_error());
        if (c && videos[i]) CHECK(c->n == videos[i]);
        wsd_captions_free(c);
    }
}

int main(void) {
    TEST_RUN(official_json_keeps_file_order);
    TEST_RUN(jsonl_and_id_lists_are_detected);
    TEST_RUN(bad_input_names_file_and_place);
    TEST_RUN(jsonl_reader_reports_line_numbers);
    TEST_RUN(video_json_roundtrip);
    TEST_RUN(update_keeps_unknown_members);
    TEST_RUN(real_annotations_load);
    return test_finish();
}
