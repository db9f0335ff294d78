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

int wsd_ckpt_resume_epoch(nn_ckpt *ck, const char *trainer, int *epoch) {
    const char *path = nn_ckpt_path(ck);
    char *json = NULL;
    if (nn_ckpt_read_config(ck, &json) || !json)
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

wsd_vocab *wsd_ckpt_vocab(nn_ckpt *ck) {
    const char *path = nn_ckpt_path(ck);
    char **words = NULL;
    int n = 0;
    if (nn_ckpt_read_vocab(ck, &words, &n) != 0) return NULL;
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

/* The /config object of a checkpoint; NULL + wsd_fail naming the file. */
static cJSON *read_config(nn_ckpt *ck) {
    char *json = NULL;
    if (nn_ckpt_read_config(ck, &json)) return NULL;
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    free(json);
    if (!j) wsd_fail("%s: checkpoint has no readable /config", nn_ckpt_path(ck));
    return j;
}

int wsd_cg_load(wsd_cg *cg, nn_ckpt *ck, nn_device dev) {
    memset(cg, 0, sizeof *cg);
    const char *path = nn_ckpt_path(ck);
    cJSON *j = read_config(ck);
    if (!j) return -1;
    wsd_cg_config cfg;
    wsd_cg_config_default(&cfg);
    int rc = wsd_cg_config_from_json(j, &cfg);
    cJSON_Delete(j);
    if (rc) return wsd_fail("%s: %s", path, wsd_error());
    if (!nn_ckpt_has_section(ck, "model_cg"))
        return wsd_fail("%s: no caption generator (group /model_cg) in this checkpoint", path);
    /* sizes a hostile or corrupt config could blow up to exhaust memory */
    long long numel = nn_ckpt_section_numel(ck, "model_cg");
    const long long dims[] = {cfg.hidden, cfg.hidden, cfg.feat_dim, cfg.hidden,
                              cfg.vocab,  cfg.embed,  cfg.vocab,    cfg.hidden};
    static const char *const what[] = {"hidden_dim", "hidden_dim", "feat_dim",   "hidden_dim",
                                       "vocab_size", "embed_dim",  "vocab_size", "hidden_dim"};
    if (numel < 0 || nn_ckpt_check_dims(path, "model_cg", numel, dims, what, 4)) return -1;
    if (cfg.layers < 1 || cfg.layers > 16 || cfg.max_cap_length < 1 || cfg.max_cap_length > 1000 ||
        cfg.sample_rate < 1 || cfg.sample_rate > 1000) {
        return wsd_fail(
            "%s: configuration out of range (rnn_layer %d in [1, 16], max_cap_length %d "
            "in [1, 1000], video_sample_rate %d in [1, 1000])",
            path, cfg.layers, cfg.max_cap_length, cfg.sample_rate);
    }
    TRY(wsd_cg_init(cg, &cfg, 0, dev));
    if (nn_ckpt_load_params(ck, &cg->params, "model_cg", 1)) {
        wsd_cg_free(cg);
        return -1;
    }
    return 0;
}

int wsd_sl_load(wsd_sl *sl, nn_ckpt *ck, nn_device dev) {
    const char *path = nn_ckpt_path(ck);
    cJSON *j = read_config(ck);
    if (!j) return -1;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "model_sl");
    wsd_sl_config cfg;
    wsd_sl_config_default(&cfg);
    int rc = wsd_sl_config_from_json(cJSON_IsObject(o) ? o : j, &cfg);
    cJSON_Delete(j);
    if (rc != 0) return wsd_fail("%s: %s", path, wsd_error());
    if (!nn_ckpt_has_section(ck, "model_sl"))
        return wsd_fail("%s: no sentence localizer in this checkpoint (no /model_sl group); "
                        "expected a wsdec-train checkpoint",
                        path);
    /* sizes a hostile or corrupt config could blow up to exhaust memory */
    long long numel = nn_ckpt_section_numel(ck, "model_sl");
    const long long dims[] = {cfg.hidden, cfg.hidden, cfg.feat_dim,
                              cfg.hidden, cfg.vocab,  cfg.embed};
    static const char *const what[] = {"hidden_dim", "hidden_dim", "video_feature_dim",
                                       "hidden_dim", "vocab_size", "sent_embedding_dim"};
    if (numel < 0 || nn_ckpt_check_dims(path, "model_sl", numel, dims, what, 3)) return -1;
    if (cfg.layers < 1 || cfg.layers > 16 || cfg.sample_rate < 1 || cfg.sample_rate > 1000)
        return wsd_fail(
            "%s: configuration out of range (rnn_layer %d in [1, 16], video_sample_rate %d in "
            "[1, 1000])",
            path, cfg.layers, cfg.sample_rate);
    TRY(wsd_sl_init(sl, &cfg, 0, dev));
    if (nn_ckpt_load_params(ck, &sl->params, "model_sl", 1) != 0) {
        wsd_sl_free(sl);
        return -1;
    }
    return 0;
}
