/* Sentence localizer checkpoints: configuration JSON and /model_sl/ group. */
#include <stdlib.h>
#include <string.h>

#include "wsd/model_sl.h"
#include "base/util.h"

int wsd_sl_load(wsd_sl *sl, const char *path, nn_device dev) {
    char *json = NULL;
    if (nn_ckpt_read_config(path, &json) != 0) return -1;
    if (!json) return wsd_fail("%s: checkpoint has no configuration", path);
    cJSON *j = cJSON_Parse(json);
    free(json);
    if (!j) return wsd_fail("%s: the configuration is not valid JSON", path);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "model_sl");
    wsd_sl_config cfg;
    wsd_sl_config_default(&cfg);
    int rc = wsd_sl_config_from_json(cJSON_IsObject(o) ? o : j, &cfg);
    cJSON_Delete(j);
    if (rc != 0) return wsd_fail("%s: %s", path, wsd_error());
    if (!nn_ckpt_has_section(path, "model_sl"))
        return wsd_fail("%s: no sentence localizer in this checkpoint (no /model_sl group); "
                        "expected a wsdec-train checkpoint", path);
    /* sizes a hostile or corrupt config could blow up to exhaust memory */
    long long numel = nn_ckpt_section_numel(path, "model_sl");
    const long long dims[] = {cfg.hidden, cfg.hidden, cfg.feat_dim, cfg.hidden, cfg.vocab, cfg.embed};
    static const char *const what[] = {"hidden_dim", "hidden_dim", "video_feature_dim", "hidden_dim",
                                       "vocab_size", "sent_embedding_dim"};
    if (numel < 0 || nn_ckpt_check_dims(path, "model_sl", numel, dims, what, 3)) return -1;
    if (cfg.layers < 1 || cfg.layers > 16 || cfg.sample_rate < 1 || cfg.sample_rate > 1000)
        return wsd_fail("%s: configuration out of range (rnn_layer %d in [1, 16], video_sample_rate %d in "
                        "[1, 1000])", path, cfg.layers, cfg.sample_rate);
    if (wsd_sl_init(sl, &cfg, 0, dev) != 0) return -1;
    if (nn_ckpt_load_params(path, &sl->params, "model_sl", 1) != 0) {
        wsd_sl_free(sl);
        return -1;
    }
    return 0;
}

