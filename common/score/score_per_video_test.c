#include "score/score_per_video.h"
#include "testing/test.h"
#include "base/util.h"

#include <cJSON.h>

static const char *refs_text =
    "{\"v_a\": {\"duration\": 30, \"timestamps\": [[0, 10], [10, 20], [20, 30]],"
    " \"sentences\": [\"A man is standing in a kitchen.\", \"He chops an onion.\", \"He puts the "
    "onion in a pan.\"]},"
    " \"v_b\": {\"duration\": 12, \"timestamps\": [[0, 6], [6, 12]], \"sentences\": [\"A dog "
    "runs.\", \"The dog catches a frisbee.\"]},"
    " \"v_c\": {\"duration\": 8, \"timestamps\": [[0, 8]], \"sentences\": [\"Nobody predicted this "
    "video.\"]}}";
static const char *sub_text =
    "{\"video_id\": \"v_a\", \"events\": [{\"timestamp\": [0, 11], \"sentence\": \"A man is "
    "standing in the kitchen.\"},"
    " {\"timestamp\": [9.5, 21], \"sentence\": \"A man chops an onion.\"}, {\"timestamp\": [40, "
    "50], \"sentence\": \"x\"}]}\n"
    "{\"video_id\": \"v_b\", \"events\": [{\"timestamp\": [0, 5.5], \"sentence\": \"A dog is "
    "running.\"},"
    " {\"timestamp\": [6, 12], \"sentence\": \"The dog catches a frisbee!\"}]}\n"
    "{\"video_id\": \"v_zz\", \"events\": [{\"timestamp\": [0, 1], \"sentence\": \"unknown "
    "video\"}]}\n";

/* The mean over the per-video lines of every metric, per threshold and
 * averaged, is the table; unpredicted videos are there with zeros. */
static void mean_of_lines_is_the_table(void) {
    score_set refs, sub;
    CHECK(score_parse_references(refs_text, strlen(refs_text), "refs", &refs) == 0);
    CHECK(score_parse_submission(sub_text, strlen(sub_text), "sub", SCORE_FORMAT_AUTO, &sub) == 0);
    CHECK(refs.videos[0].duration == 30 && refs.videos[2].duration == 8);
    double tious[] = {0.3, 0.5, 0.7, 0.9};
    score_options o = {.tious = tious,
                       .n_tious = 4,
                       .max_proposals = 1000,
                       .semantics = SCORE_SEMANTICS_2018,
                       .keep_per_video = 1};
    score_result r;
    CHECK(score_evaluate(&sub, &refs, 1, &o, &r) == 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    CHECK(score_write_per_video(fp, &r, &sub) == 0);
    fclose(fp);
    double sum_t[4][SCORE_N_METRICS] = {{0}}, sum_mean[SCORE_N_METRICS] = {0};
    size_t lines = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        cJSON *j = cJSON_Parse(line);
        CHECK(j != NULL);
        if (!j) break;
        const char *id = cJSON_GetObjectItem(j, "video_id")->valuestring;
        CHECK(strcmp(id, r.video_ids[lines]) == 0);
        int predicted = cJSON_IsTrue(cJSON_GetObjectItem(j, "predicted"));
        CHECK(predicted == (strcmp(id, "v_c") != 0));
        CHECK(cJSON_GetObjectItem(j, "proposals")->valueint == (!strcmp(id, "v_a")   ? 3
                                                                : !strcmp(id, "v_b") ? 2
                                                                                     : 0));
        const cJSON *m = cJSON_GetObjectItem(j, "metrics");
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(m, "METEOR")));
        for (int k = 0; k < SCORE_N_METRICS; k++) {
            if (k == SCORE_METEOR) continue;
            const cJSON *mk = cJSON_GetObjectItem(m, score_metric_names[k]);
            const cJSON *pt = cJSON_GetObjectItem(mk, "per_tiou");
            CHECK(cJSON_GetArraySize(pt) == 4);
            const char *keys[] = {"0.3", "0.5", "0.7", "0.9"};
            for (int t = 0; t < 4; t++)
                sum_t[t][k] += cJSON_GetObjectItem(pt, keys[t])->valuedouble;
            sum_mean[k] += cJSON_GetObjectItem(mk, "mean")->valuedouble;
            if (!predicted) CHECK(cJSON_GetObjectItem(mk, "mean")->valuedouble == 0);
        }
        cJSON_Delete(j);
    }
    CHECK(lines == 3);
    for (int k = 0; k < SCORE_N_METRICS; k++) {
        if (k == SCORE_METEOR) continue;
        for (int t = 0; t < 4; t++) CHECK_NEAR(sum_t[t][k] / 3, r.per_tiou[t][k], 1e-15);
        CHECK_NEAR(sum_mean[k] / 3, r.mean[k], 1e-15);
    }
    CHECK(r.mean[SCORE_RECALL] > 0 && r.mean[SCORE_BLEU1] > 0); /* the check is not vacuous */
    free(buf);
    score_result_free(&r);
    score_result no_pv;
    o.keep_per_video = 0;
    CHECK(score_evaluate(&sub, &refs, 1, &o, &no_pv) == 0);
    CHECK(score_write_per_video(stdout, &no_pv, &sub) == -1);
    score_result_free(&no_pv);
    score_set_free(&sub);
    score_set_free(&refs);
}

int main(void) {
    TEST_RUN(mean_of_lines_is_the_table);
    return test_finish();
}
