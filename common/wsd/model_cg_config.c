/* Caption generator configuration (JSON) and loading from checkpoints. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsonl.h"
#include "wsd/model_cg.h"
#include "base/util.h"

void wsd_cg_config_default(wsd_cg_config *c) {
    /* the reference's defaults (the arguments of train_script/train_final.py) */
    *c = (wsd_cg_config){.feat_dim = 500,
                         .hidden = 512,
                         .embed = 512,
                         .vocab = 6000,
                         .layers = 2,
                         .dropout = 0.3f,
                         .attention = NN_ATT_MEAN,
                         .context = NN_CTX_CLR,
                         .softmask_scale = 0.1f,
                         .max_cap_length = 20,
                         .sample_rate = 2};
}

static const char *att_name(nn_att_kind k) {
    static const char *names[] = {"mean", "type0", "type1", "type2"};
    return names[k];
}

static const char *ctx_name(nn_context_kind k) {
    static const char *names[] = {"c", "cl", "clr"};
    return names[k];
}

/* A float as the short decimal it was written as (0.3, not 0.30000001192). */
static double short_float(float x) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", (double)x);
    return strtod(buf, NULL);
}

cJSON *wsd_cg_config_to_json(const wsd_cg_config *c) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", "caption_generator");
    cJSON_AddNumberToObject(j, "feat_dim", c->feat_dim);
    cJSON_AddNumberToObject(j, "hidden_dim", c->hidden);
    cJSON_AddNumberToObject(j, "embed_dim", c->embed);
    cJSON_AddNumberToObject(j, "vocab_size", c->vocab);
    cJSON_AddNumberToObject(j, "rnn_layer", c->layers);
    cJSON_AddNumberToObject(j, "rnn_dropout", short_float(c->dropout));
    cJSON_AddStringToObject(j, "attention_type", att_name(c->attention));
    cJSON_AddStringToObject(j, "context_type", ctx_name(c->context));
    cJSON_AddNumberToObject(j, "softmask_scale", short_float(c->softmask_scale));
    cJSON_AddNumberToObject(j, "max_cap_length", c->max_cap_length);
    cJSON_AddNumberToObject(j, "video_sample_rate", c->sample_rate);
    return j;
}

int wsd_cg_config_from_json(const cJSON *j, wsd_cg_config *c) {
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(j, "model_cg");
    if (cJSON_IsObject(sub)) j = sub;
    if (!cJSON_IsObject(j)) return wsd_fail("config: not a JSON object");
    /* sizes are range-checked against the parameters by wsd_cg_load */
    TRY(wsd_json_int(j, "feat_dim", 0, INT_MAX, &c->feat_dim));
    TRY(wsd_json_int(j, "hidden_dim", 0, INT_MAX, &c->hidden));
    TRY(wsd_json_int(j, "embed_dim", 0, INT_MAX, &c->embed));
    TRY(wsd_json_int(j, "vocab_size", 0, INT_MAX, &c->vocab));
    TRY(wsd_json_int(j, "rnn_layer", 0, INT_MAX, &c->layers));
    TRY(wsd_json_float(j, "rnn_dropout", 0, 0.99, &c->dropout));
    TRY(wsd_json_float(j, "softmask_scale", 0, 1e6, &c->softmask_scale));
    TRY(wsd_json_int(j, "max_cap_length", 0, INT_MAX, &c->max_cap_length));
    TRY(wsd_json_int(j, "video_sample_rate", 0, INT_MAX, &c->sample_rate));
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "attention_type");
    if (a && (!cJSON_IsString(a) || nn_att_kind_parse(a->valuestring, &c->attention)))
        return wsd_fail("config: bad attention_type");
    a = cJSON_GetObjectItemCaseSensitive(j, "context_type");
    if (a && (!cJSON_IsString(a) || nn_context_kind_parse(a->valuestring, &c->context)))
        return wsd_fail("config: bad context_type");
    return 0;
}
