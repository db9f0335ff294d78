#include "wsd/ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

cJSON *wsd_ckpt_config_new(const char *trainer, int epoch) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "trainer", trainer);
    cJSON_AddNumberToObject(j, "epoch", epoch);
    return j;
}

int wsd_ckpt_resume_epoch(const char *path, const char *trainer, int *epoch) {
    char *json = NULL;
    if (nn_ckpt_read_config(path, &json) || !json)
        return wsd_fail("%s: no configuration in checkpoint", path);
    cJSON *j = cJSON_Parse(json);
    free(json);
    const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "epoch") : NULL;
    const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "trainer") : NULL;
    int ok = cJSON_IsNumber(e) && cJSON_IsString(t) && !strcmp(t->valuestring, trainer);
    if (ok) *epoch = (int)e->valuedouble;
    cJSON_Delete(j);
    return ok ? 0
              : wsd_fail("%s: not a %s checkpoint (no trainer/epoch in /config)", path, trainer);
}

char *wsd_ckpt_numbered_path(const char *path, int epoch) {
    size_t n = strlen(path);
    const char *ext = n > 3 && !strcmp(path + n - 3, ".h5") ? ".h5" : "";
    size_t base = n - strlen(ext);
    char *s = wsd_malloc(base + 32);
    snprintf(s, base + 32, "%.*s.epoch%03d%s", (int)base, path, epoch, ext);
    return s;
}

int wsd_ckpt_save_epoch(const char *path, int epoch, int keep_every, nn_ckpt_contents c,
                        const cJSON *config) {
    char *json = cJSON_PrintUnformatted(config);
    c.config_json = json;
    int rc = nn_ckpt_save(path, &c);
    if (rc == 0 && keep_every > 0 && epoch % keep_every == 0) {
        char *numbered = wsd_ckpt_numbered_path(path, epoch);
        rc = nn_ckpt_save(numbered, &c);
        free(numbered);
    }
    free(json);
    return rc;
}

wsd_vocab *wsd_ckpt_vocab(const char *path) {
    char **words = NULL;
    int n = 0;
    if (nn_ckpt_read_vocab(path, &words, &n) != 0) return NULL;
    if (!words || n == 0) {
        wsd_fail("%s: checkpoint has no vocabulary", path);
        return NULL;
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "format", "wsdec-vocab");
    cJSON_AddNumberToObject(j, "version", 1);
    cJSON_AddItemToObject(j, "id_to_word", cJSON_CreateStringArray((const char *const *)words, n));
    nn_ckpt_free_vocab(words, n);
    wsd_vocab *v = wsd_vocab_from_json(j, path);
    cJSON_Delete(j);
    return v;
}
