/* The inference programs' shared options: defaults, the table (shared then
 * the program's own), and a shared option parsed into its field (0 for any
 * other code). The checks after parsing exit, so caption/localize's CLI tests
 * cover them (testdata/cli/caption*.sh, localize*.sh). */
#include <getopt.h>
#include <string.h>

#include "base/util.h"
#include "testing/test.h"
#include "wsd/infer_opts.h"

static void defaults_and_table(void) {
    wsd_infer_opts o;
    wsd_infer_opts_default(&o);
    CHECK(!strcmp(o.output, "-") && !strcmp(o.device, "auto") && o.batch == 8 && !o.model);
    const struct option own[] = {{"beam", 1, 0, WSD_INFER_OPT_END}, {0, 0, 0, 0}};
    struct option *all = wsd_infer_option_table(own);
    int n = 0, model_short = 0;
    for (; all[n].name; n++) model_short |= !strcmp(all[n].name, "model") && all[n].val == 'm';
    CHECK(model_short && n == 12 && !strcmp(all[n - 1].name, "beam"));
    free(all);
}

static void parses_shared_options_only(void) {
    wsd_infer_opts o;
    wsd_infer_opts_default(&o);
    CHECK(wsd_infer_opt_parse('m', "m.h5", "", &o) == 1 && !strcmp(o.model, "m.h5"));
    CHECK(wsd_infer_opt_parse('b', "3", "", &o) == 1 && o.batch == 3);
    CHECK(wsd_infer_opt_parse(WSD_INFER_OPT_SAMPLE_RATE, "4", "", &o) == 1 && o.sample_rate == 4);
    CHECK(wsd_infer_opt_parse(WSD_INFER_OPT_VIDEOS, "v.json", "", &o) == 1 &&
          !strcmp(o.videos, "v.json"));
    CHECK(wsd_infer_opt_parse(WSD_INFER_OPT_END, "x", "", &o) == 0);
    CHECK(wsd_infer_opt_parse('x', NULL, "", &o) == 0);
}

int main(void) {
    TEST_RUN(defaults_and_table);
    TEST_RUN(parses_shared_options_only);
    return test_finish();
}
