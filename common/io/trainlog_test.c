#include "io/trainlog.h"
#include "testing/test.h"
#include "base/util.h"

#include <unistd.h>

static void records_round_trip(void) {
    char path[] = "/tmp/wsd_trainlog_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    wsd_trainlog *log = wsd_trainlog_open(path, "cg-pretrain", 0);
    CHECK(log != NULL);
    cJSON *r = wsd_trainlog_record(log, "batch", 2);
    wsd_trainlog_set(r, NULL, "batch", 7);
    wsd_trainlog_set(r, "loss", "caption", 2.5);
    wsd_trainlog_set(r, "lr", "cg", 1e-4);
    wsd_trainlog_set(r, "lr", "cg", 5e-5); /* replaced, not duplicated */
    CHECK(wsd_trainlog_write(log, r) == 0);
    CHECK(wsd_trainlog_close(log) == 0);
    log = wsd_trainlog_open(path, "cg-pretrain", 1); /* --resume appends */
    CHECK(wsd_trainlog_write(log, wsd_trainlog_record(log, "epoch", 2)) == 0);
    CHECK(wsd_trainlog_close(log) == 0);
    char *text = wsd_read_file(path, NULL);
    CHECK(text != NULL);
    char *nl = strchr(text, '\n');
    CHECK(nl && strchr(nl + 1, '\n') && !strchr(strchr(nl + 1, '\n') + 1, '\n'));
    *nl = '\0';
    cJSON *j = cJSON_Parse(text);
    CHECK(!strcmp(cJSON_GetObjectItem(j, "kind")->valuestring, "batch"));
    CHECK(!strcmp(cJSON_GetObjectItem(j, "program")->valuestring, "cg-pretrain"));
    CHECK(cJSON_GetObjectItem(j, "epoch")->valueint == 2 &&
          cJSON_GetObjectItem(j, "batch")->valueint == 7);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "loss"), "caption")->valuedouble == 2.5);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "lr")) == 1);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "lr"), "cg")->valuedouble == 5e-5);
    cJSON_Delete(j);
    free(text);
    unlink(path);
}

static void null_log_is_silent(void) {
    cJSON *r = wsd_trainlog_record(NULL, "batch", 0);
    CHECK(r == NULL);
    wsd_trainlog_set(r, "loss", "x", 1);
    CHECK(wsd_trainlog_write(NULL, r) == 0);
    CHECK(wsd_trainlog_close(NULL) == 0);
    CHECK(wsd_trainlog_open("/nonexistent-dir/x.jsonl", "p", 0) == NULL);
    CHECK(strstr(wsd_error(), "/nonexistent-dir/x.jsonl") != NULL);
}

int main(void) {
    TEST_RUN(records_round_trip);
    TEST_RUN(null_log_is_silent);
    return test_finish();
}
