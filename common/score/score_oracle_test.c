/* Every 2018/2019 run of the reference oracle (../shared/oracle/expected/
 * results.json) reproduced from its inputs: BLEU-1..4, ROUGE-L, CIDEr-D,
 * recall and precision per threshold and averaged, and the printed strings. */
#include "score/score_data.h"
#include "score/score_eval.h"
#include "testing/test.h"
#include "base/util.h"

#include <cJSON.h>

#define MAX_SETS 16

static struct {
    char *path;
    score_set set;
} loaded[MAX_SETS];
static int n_loaded;

static const score_set *load_set(const char *path, int submission) {
    for (int i = 0; i < n_loaded; i++)
        if (strcmp(loaded[i].path, path) == 0) return &loaded[i].set;
    if (n_loaded == MAX_SETS) return NULL;
    score_set s;
    int rc = submission ? score_load_submission(path, SCORE_FORMAT_AUTO, &s)
                        : score_load_references(path, &s);
    if (rc) {
        fprintf(stderr, "  %s\n", wsd_error());
        return NULL;
    }
    loaded[n_loaded].path = wsd_strdup(path);
    loaded[n_loaded].set = s;
    return &loaded[n_loaded++].set;
}

/* Oracle paths are relative to the research tree: "shared/..." and "inputs/...". */
static void resolve(const char *dir, const char *rel, char *out, size_t size) {
    if (strncmp(rel, "shared/", 7) == 0)
        snprintf(out, size, "%s/%s", dir, rel + 7);
    else
        snprintf(out, size, "%s/oracle/%s", dir, rel);
}

static const int metric_of[] = {SCORE_BLEU1,   SCORE_BLEU2, SCORE_BLEU3,  SCORE_BLEU4,
                                SCORE_ROUGE_L, SCORE_CIDER, SCORE_RECALL, SCORE_PRECISION};

static void every_oracle_case(void) {
    const char *dir = test_shared_dir();
    if (!dir) TEST_SKIP("../shared absent: oracle cases not run");
    char path[4096];
    snprintf(path, sizeof path, "%s/oracle/expected/results.json", dir);
    char *text = wsd_read_file(path, NULL);
    if (!text) TEST_SKIP("%s absent", path);
    cJSON *runs = cJSON_Parse(text);
    free(text);
    CHECK(runs != NULL);
    int n_runs = 0;
    double worst = 0;
    const cJSON *run;
    cJSON_ArrayForEach(run, runs) {
        const char *version = cJSON_GetObjectItem(run, "evaluator_version")->valuestring;
        if (strcmp(version, "2018") && strcmp(version, "2019")) continue;
        const char *name = cJSON_GetObjectItem(run, "case")->valuestring;
        resolve(dir, cJSON_GetObjectItem(run, "submission")->valuestring, path, sizeof path);
        const score_set *sub = load_set(path, 1);
        const cJSON *refs = cJSON_GetObjectItem(run, "references"), *r;
        score_set ref_sets[4];
        size_t n_refs = 0;
        int ok = sub != NULL;
        cJSON_ArrayForEach(r, refs) {
            resolve(dir, r->valuestring, path, sizeof path);
            const score_set *s = load_set(path, 0);
            if (!s || n_refs == 4)
                ok = 0;
            else
                ref_sets[n_refs++] = *s;
        }
        CHECK_MSG(ok, "%s: inputs missing", name);
        if (!ok) continue;
        score_options opt = {0};
        double tious[8];
        size_t nt = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(run, "tious")) if (nt < 8) tious[nt++] =
            t->valuedouble;
        opt.tious = tious;
        opt.n_tious = nt;
        opt.max_proposals = 1000;
        const cJSON *o = cJSON_GetObjectItem(run, "options")->child;
        for (; o; o = o->next)
            if (strcmp(o->valuestring, "-ppv") == 0 && o->next)
                opt.max_proposals = (size_t)atol(o->next->valuestring);
        opt.semantics = strcmp(version, "2019") == 0 ? SCORE_SEMANTICS_2019 : SCORE_SEMANTICS_2018;
        opt.seed = 7;
        score_result res;
        CHECK(score_evaluate(sub, ref_sets, n_refs, &opt, &res) == 0);
        double case_worst = 0;
        for (size_t m = 0; m < sizeof metric_of / sizeof metric_of[0]; m++) {
            const char *mname = score_metric_names[metric_of[m]];
            const cJSON *mj = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "metrics"), mname);
            const cJSON *per = cJSON_GetObjectItem(mj, "per_tiou")->child;
            const cJSON *printed = cJSON_GetObjectItem(mj, "printed_per_tiou")->child;
            for (size_t i = 0; i < nt && per && printed;
                 i++, per = per->next, printed = printed->next) {
                double got = res.per_tiou[i][metric_of[m]],
                       d = fabs(100 * (got - per->valuedouble));
                if (d > case_worst) case_worst = d;
                char s[64];
                snprintf(s, sizeof s, "%2.4f", 100 * got);
                CHECK_MSG(strcmp(s, printed->valuestring) == 0,
                          "%s %s: %s at %s prints %s, oracle %s", name, version, mname, per->string,
                          s, printed->valuestring);
            }
            double got = res.mean[metric_of[m]],
                   d = fabs(100 * (got - cJSON_GetObjectItem(mj, "mean")->valuedouble));
            if (d > case_worst) case_worst = d;
            char s[64];
            snprintf(s, sizeof s, "%2.4f", 100 * got);
            CHECK_MSG(strcmp(s, cJSON_GetObjectItem(mj, "printed_mean")->valuestring) == 0,
                      "%s %s: mean %s prints %s", name, version, mname, s);
        }
        fprintf(stderr, "  %-28s %s: max |difference| %.3g (printed units)\n", name, version,
                case_worst);
        CHECK_MSG(case_worst <= 1e-4, "%s %s differs by %g", name, version, case_worst);
        if (case_worst > worst) worst = case_worst;
        score_result_free(&res);
        n_runs++;
    }
    fprintf(stderr, "  %d oracle runs, worst difference %.3g printed units\n", n_runs, worst);
    CHECK(n_runs >= 28);
    cJSON_Delete(runs);
    for (int i = 0; i < n_loaded; i++) {
        free(loaded[i].path);
        score_set_free(&loaded[i].set);
    }
    n_loaded = 0;
}

int main(void) {
    TEST_RUN(every_oracle_case);
    return test_finish();
}
