#include "io/vqueue.h"

#include <unistd.h>

#include "base/util.h"
#include "io/tsr.h"
#include "testing/test.h"

static void write_text(char *path, const char *text) {
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
}

static const char *id_of(const wsd_vrecord *r) {
    return cJSON_GetObjectItemCaseSensitive(r->obj, "video_id")->valuestring;
}

static void jsonl_batches_keep_order_and_unknown_fields(void) {
    char in[] = "/tmp/wsd_vqueue_inXXXXXX", out[] = "/tmp/wsd_vqueue_outXXXXXX";
    write_text(in, "{\"video_id\":\"v_a\",\"x\":1}\n\n{\"video_id\":\"v_b\",\"events\":[]}\n"
                   "{\"video_id\":\"v_c\"}\n");
    wsd_vqueue *q = wsd_vqueue_open(in, NULL, WSD_VQUEUE_EVENTS, 2);
    CHECK(q && wsd_vqueue_n_events(q) == -1);
    FILE *fp = fdopen(mkstemp(out), "w");
    wsd_vrecord *r;
    CHECK(wsd_vqueue_next(q, &r) == 2);
    CHECK(!strcmp(id_of(&r[0]), "v_a") && r[0].line == 1 && !strcmp(id_of(&r[1]), "v_b"));
    CHECK(r[1].line == 3);
    cJSON_AddStringToObject(r[1].obj, "seen", "yes");
    CHECK(wsd_vqueue_write(q, fp) == 0);
    CHECK(wsd_vqueue_next(q, &r) == 1 && !strcmp(id_of(&r[0]), "v_c") && r[0].line == 4);
    CHECK(wsd_vqueue_write(q, fp) == 0);
    CHECK(wsd_vqueue_next(q, &r) == 0 && wsd_vqueue_count(q) == 3);
    fclose(fp);
    wsd_vqueue_close(q);
    char *text = wsd_read_file(out, NULL);
    CHECK_MSG(text && !strcmp(text, "{\"video_id\":\"v_a\",\"x\":1}\n"
                                    "{\"video_id\":\"v_b\",\"events\":[],\"seen\":\"yes\"}\n"
                                    "{\"video_id\":\"v_c\"}\n"),
              "%s", text);
    free(text);
    unlink(in);
    unlink(out);
}

static void malformed_records_name_file_and_line(void) {
    char in[] = "/tmp/wsd_vqueue_inXXXXXX";
    write_text(in, "{\"video_id\":\"v_a\"}\n{\"video_id\":\"v_b\",\"events\":3}\n");
    wsd_vqueue *q = wsd_vqueue_open(in, NULL, WSD_VQUEUE_EVENTS, 8);
    wsd_vrecord *r;
    CHECK(wsd_vqueue_next(q, &r) == -1);
    CHECK_MSG(strstr(wsd_error(), ":2: video 'v_b': \"events\" must be an array"), "%s",
              wsd_error());
    wsd_vqueue_close(q);
    char in2[] = "/tmp/wsd_vqueue_inXXXXXX";
    write_text(in2, "{\"id\":\"v_a\"}\n");
    q = wsd_vqueue_open(in2, NULL, WSD_VQUEUE_EVENTS, 8);
    CHECK(wsd_vqueue_next(q, &r) == -1 &&
          strstr(wsd_error(), ":1: expected a string \"video_id\""));
    wsd_vqueue_close(q);
    unlink(in);
    unlink(in2);
    CHECK(wsd_vqueue_open(in, NULL, WSD_VQUEUE_EVENTS, 8) == NULL);
}

static void videos_become_records_as_asked(void) {
    char caps[] = "/tmp/wsd_vqueue_capsXXXXXX";
    write_text(caps,
               "{\"v_a\": {\"duration\": 10, \"timestamps\": [[1, 2]], \"sentences\": [\"a b\"]},"
               " \"v_b\": {\"duration\": 20, \"timestamps\": [], \"sentences\": []}}");
    wsd_vrecord *r;
    wsd_vqueue *q = wsd_vqueue_open("-", caps, WSD_VQUEUE_GT, 8);
    CHECK(q && wsd_vqueue_n_events(q) == 1 && wsd_vqueue_next(q, &r) == 2);
    char *s = cJSON_PrintUnformatted(r[0].obj);
    CHECK_MSG(strstr(s, "\"timestamp\":[1,2],\"sentence\":\"a b\",\"gt_timestamp\":[1,2]"), "%s",
              s);
    free(s);
    CHECK(r[1].line == 2 && !strcmp(wsd_vqueue_input(q), caps));
    wsd_vqueue_close(q);
    q = wsd_vqueue_open("-", caps, WSD_VQUEUE_IDS, 1);
    CHECK(q && wsd_vqueue_next(q, &r) == 1);
    s = cJSON_PrintUnformatted(r[0].obj);
    CHECK_MSG(!strcmp(s, "{\"video_id\":\"v_a\",\"duration\":10}"), "%s", s);
    free(s);
    wsd_vqueue_close(q);
    unlink(caps);
}

static void video_lookup_takes_the_record_duration_first(void) {
    char feats[] = "/tmp/wsd_vqueue_featsXXXXXX", in[] = "/tmp/wsd_vqueue_inXXXXXX";
    FILE *fp = fdopen(mkstemp(feats), "wb");
    static const char *ids[] = {"v_a", "v_b", "v_c"}; /* video ids are unique in a stream */
    for (int i = 0; i < 3; i++) {
        wsd_tsr t;
        int64_t shape[2] = {2, 3};
        wsd_tsr_init(&t, ids[i], WSD_F32, 2, shape);
        memset(t.data, 0, sizeof(float) * 6);
        cJSON_AddNumberToObject(t.meta, "duration", 7);
        wsd_tsr_write(fp, &t, 0);
        wsd_tsr_free(&t);
    }
    fclose(fp);
    wsd_featset *fs = wsd_featset_load(feats, 1, NULL, 0);
    write_text(in, "{\"video_id\":\"v_a\"}\n{\"video_id\":\"v_b\",\"duration\":3}\n"
                   "{\"video_id\":\"v_c\",\"duration\":0}\n{\"video_id\":\"v_z\"}\n");
    wsd_vqueue *q = wsd_vqueue_open(in, NULL, WSD_VQUEUE_EVENTS, 4);
    wsd_vrecord *r;
    const wsd_feat *f = NULL;
    double dur = 0;
    CHECK(fs && q && wsd_vqueue_next(q, &r) == 4);
    CHECK(wsd_vqueue_video(q, fs, &r[0], &f, &dur) == 0 && f && dur == 7);
    CHECK(wsd_vqueue_video(q, fs, &r[1], &f, &dur) == 0 && dur == 3);
    CHECK(wsd_vqueue_video(q, fs, &r[2], &f, &dur) == -1 && strstr(wsd_error(), ":3: video 'v_c'"));
    CHECK(wsd_vqueue_video(q, fs, &r[3], &f, &dur) == -1 && strstr(wsd_error(), ":4: "));
    CHECK(strstr(wsd_error(), "v_z"));
    wsd_vqueue_close(q);
    wsd_featset_free(fs);
    unlink(in);
    unlink(feats);
}

/* What wsdec-jsonl(5) calls errors (issue 12): one bad record each. */
static void hostile_records_are_refused(void) {
    static const char *bad[][2] = {
        {"{\"video_id\":\"v_a\"}\n{\"video_id\":\"v_a\"}\n",
         ":2: duplicate video_id 'v_a' (first on line 1)"},
        {"{\"video_id\":\"v_\xff\"}\n", "not valid UTF-8"},
        {"{\"video_id\":\"v_a\",\"events\":[{\"sentence\":\"caf\xc3\"}]}\n",
         "\"sentence\" is not valid UTF-8"},
        {"{\"video_id\":\"v_a\",\"events\":[{\"sentence\":5}]}\n", "\"sentence\" must be a string"},
        {"{\"video_id\":\"v_a\",\"events\":[{\"timestamp\":\"0-1\"}]}\n", "\"timestamp\" must be"},
        {"{\"video_id\":\"v_a\",\"events\":[{\"timestamp\":[1,1e999]}]}\n",
         "\"timestamp\" must be"},
        {"{\"video_id\":\"v_a\",\"events\":[{\"score\":\"high\"}]}\n",
         "\"score\" must be a number"},
        {"{\"video_id\":\"v_a\",\"events\":[3]}\n", "event 0 must be an object"},
        {"{\"video_id\":\"v_a\",\"duration\":\"10\"}\n", "\"duration\" must be"},
        {"{\"video_id\":\"v_a\",\"duration\":1e308}\n", "\"duration\" must be"},
        {"{\"video_id\":\"v_a\",\"events\":[{\"sentence\":\"a\\u0000b\"}]}\n", "\\u0000"},
        {"{\"video_id\":7}\n", "\"video_id\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char in[] = "/tmp/wsd_vqueue_inXXXXXX";
        write_text(in, bad[i][0]);
        wsd_vqueue *q = wsd_vqueue_open(in, NULL, WSD_VQUEUE_EVENTS, 8);
        wsd_vrecord *r;
        CHECK_MSG(q && wsd_vqueue_next(q, &r) == -1 && strstr(wsd_error(), in) &&
                      strstr(wsd_error(), bad[i][1]),
                  "case %zu: %s", i, wsd_error());
        wsd_vqueue_close(q);
        unlink(in);
    }
    /* null members and unknown ones are fine */
    char in[] = "/tmp/wsd_vqueue_inXXXXXX";
    write_text(
        in,
        "{\"video_id\":\"v_a\",\"duration\":null,\"events\":[{\"sentence\":null,\"x\":[1]}]}\n");
    wsd_vqueue *q = wsd_vqueue_open(in, NULL, WSD_VQUEUE_EVENTS, 8);
    wsd_vrecord *r;
    CHECK(q && wsd_vqueue_next(q, &r) == 1);
    wsd_vqueue_close(q);
    unlink(in);
}

int main(void) {
    TEST_RUN(hostile_records_are_refused);
    TEST_RUN(jsonl_batches_keep_order_and_unknown_fields);
    TEST_RUN(malformed_records_name_file_and_line);
    TEST_RUN(videos_become_records_as_asked);
    TEST_RUN(video_lookup_takes_the_record_duration_first);
    return test_finish();
}
