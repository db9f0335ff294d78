#include "io/trainlog.h"

#include "base/util.h"
#include "io/jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct wsd_trainlog {
    FILE *fp;
    char *path, *program;
};

wsd_trainlog *wsd_trainlog_open(const char *path, const char *program, int append) {
    FILE *fp = fopen(path, append ? "a" : "w");
    if (!fp) {
        wsd_fail("%s: cannot open the training log: %s", path, strerror(errno));
        return NULL;
    }
    wsd_trainlog *log = wsd_calloc(1, sizeof *log);
    log->fp = fp;
    log->path = wsd_strdup(path);
    log->program = wsd_strdup(program);
    return log;
}

cJSON *wsd_trainlog_record(const wsd_trainlog *log, const char *kind, int epoch) {
    if (!log) return NULL;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "kind", kind);
    cJSON_AddStringToObject(r, "program", log->program);
    cJSON_AddNumberToObject(r, "epoch", epoch);
    cJSON_AddObjectToObject(r, "loss");
    cJSON_AddObjectToObject(r, "lr");
    return r;
}

void wsd_trainlog_set(cJSON *rec, const char *group, const char *name, double v) {
    if (!rec) return;
    cJSON *g = group ? cJSON_GetObjectItemCaseSensitive(rec, group) : rec;
    if (!g) g = cJSON_AddObjectToObject(rec, group);
    cJSON_DeleteItemFromObjectCaseSensitive(g, name);
    cJSON_AddNumberToObject(g, name, v);
}

int wsd_trainlog_write(wsd_trainlog *log, cJSON *rec) {
    if (!log || !rec) {
        cJSON_Delete(rec);
        return 0;
    }
    int bad = wsd_jsonl_write(log->fp, rec) != 0 || fflush(log->fp) != 0;
    cJSON_Delete(rec);
    return bad ? wsd_fail("%s: write error on the training log", log->path) : 0;
}

int wsd_trainlog_close(wsd_trainlog *log) {
    if (!log) return 0;
    int bad = ferror(log->fp) != 0;
    bad |= fclose(log->fp) != 0;
    int rc = bad ? wsd_fail("%s: write error on the training log", log->path) : 0;
    free(log->path);
    free(log->program);
    free(log);
    return rc;
}
