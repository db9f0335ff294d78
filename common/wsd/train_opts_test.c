/* The trainers' shared options: the table holds the shared options then the
 * program's, a shared option is parsed into its field (0 for any other code),
 * and the defaults are the reference's (train_script/train_final.py). */
#include <getopt.h>
#include <string.h>

#include "base/util.h"
#include "testing/test.h"
#include "wsd/train_opts.h"

static void table_is_shared_then_own(void) {
    const struct option own[] = {{"cg", 1, 0, WSD_TRAIN_OPT_END}, {0, 0, 0, 0}};
    struct option *all = wsd_train_option_table(own);
    int n = 0, saw_feats = 0, saw_cg = 0, cg_at = -1;
    for (; all[n].name; n++) {
        saw_feats |= !strcmp(all[n].name, "feats") && all[n].val == WSD_TRAIN_OPT_FEATS;
        if (!strcmp(all[n].name, "cg")) saw_cg = 1, cg_at = n;
    }
    CHECK(saw_feats && saw_cg && cg_at == n - 1);
    CHECK(n == WSD_TRAIN_OPT_END - WSD_TRAIN_OPT_FEATS + 2 + 1); /* + quiet, help; + cg */
    free(all);
}

static void parses_shared_options_only(void) {
    wsd_train_opts t;
    wsd_train_opts_default(&t);
    CHECK(t.lr == 1e-2 && t.momentum == 0.8 && t.weight_decay == 1e-4 && t.gamma == 0.1);
    CHECK(t.seed == 233 && t.log_every == 10 && !strcmp(t.device, "auto") && t.n_milestones == 0);
    CHECK(wsd_train_opt_parse(WSD_TRAIN_OPT_LR, "0.5", "", &t) == 1 && t.lr == 0.5);
    CHECK(wsd_train_opt_parse(WSD_TRAIN_OPT_MILESTONES, "3,7", "", &t) == 1);
    CHECK(t.n_milestones == 2 && t.milestones[0] == 3 && t.milestones[1] == 7);
    CHECK(wsd_train_opt_parse(WSD_TRAIN_OPT_FEATS, "f.tsr", "", &t) == 1 &&
          !strcmp(t.feats, "f.tsr"));
    CHECK(wsd_train_opt_parse('q', NULL, "", &t) == 1 && t.quiet == 1);
    CHECK(wsd_train_opt_parse(WSD_TRAIN_OPT_END, "x", "", &t) == 0);
    CHECK(wsd_train_opt_parse('o', "x", "", &t) == 0);
}

int main(void) {
    TEST_RUN(table_is_shared_then_own);
    TEST_RUN(parses_shared_options_only);
    return test_finish();
}
