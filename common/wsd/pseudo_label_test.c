/* Pseudo-labels find Meteor's data the way densevid-score does: a jar path,
 * its folder, or an install found by itself (here a fake pycocoevalcap in a
 * temporary HOME). Needs ../shared's meteor-1.5.jar; skipped without it. */
#include "wsd/pseudo_label.h"

#include "base/util.h"
#include "testing/test.h"

#include <unistd.h>

static char jar[512], home[64] = "/tmp/wsd_pl_testXXXXXX";

static int have_jar(void) {
    const char *sh = getenv("WSD_SHARED");
    snprintf(jar, sizeof jar, "%s/official-eval/coco-caption/pycocoevalcap/meteor/meteor-1.5.jar",
             sh ? sh : "../shared");
    return access(jar, R_OK) == 0;
}

static void check_labeler(wsd_pseudo_labeler *pl) {
    CHECK(pl != NULL);
    if (!pl) return;
    /* the synthetic paraphrase table is beside the jar: official */
    CHECK_MSG(strcmp(wsd_pl_caveat(pl), "") == 0, "caveat '%s'", wsd_pl_caveat(pl));
    const char *cands[3] = {"a dog runs in a park", "A man is playing a guitar.", "the cat sleeps"};
    double s[3];
    CHECK(wsd_pl_best(pl, "a man plays the guitar", cands, 3, s) == 1);
    CHECK(s[1] > s[0] && s[1] > s[2]);
    wsd_pl_close(pl);
}

static void test_jar_and_folder(void) {
    if (!have_jar()) TEST_SKIP("%s absent", jar);
    check_labeler(wsd_pl_open(WSD_PL_METEOR, jar));
    char dir[512];
    snprintf(dir, sizeof dir, "%s", jar);
    *strrchr(dir, '/') = '\0';
    check_labeler(wsd_pl_open(WSD_PL_METEOR, dir));
    CHECK(wsd_pl_open(WSD_PL_METEOR, "/nonexistent") == NULL);
    CHECK(strstr(wsd_error(), "/nonexistent: no such directory") != NULL);
}

static void test_found_by_itself(void) {
    if (!have_jar()) TEST_SKIP("%s absent", jar);
    if (!mkdtemp(home)) TEST_SKIP("mkdtemp failed");
    char cmd[2048], para[600];
    snprintf(para, sizeof para, "%s", jar);
    snprintf(strrchr(para, '/'), sizeof para - (size_t)(strrchr(para, '/') - para),
             "/data/paraphrase-en.gz");
    snprintf(cmd, sizeof cmd,
             "d=%s/.local/lib/python3.9/site-packages/pycocoevalcap/meteor && mkdir -p $d/data && "
             "ln -s %s $d/meteor-1.5.jar && ln -s %s $d/data/paraphrase-en.gz",
             home, jar, para);
    CHECK(system(cmd) == 0);
    const char *vars[] = {"VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "WSD_METEOR_DIR"};
    for (int i = 0; i < 4; i++) unsetenv(vars[i]);
    setenv("HOME", home, 1);
    char cwd[1024];
    if (!getcwd(cwd, sizeof cwd) || chdir(home) != 0) TEST_SKIP("chdir failed");
    check_labeler(wsd_pl_open(WSD_PL_METEOR, NULL));
    CHECK(chdir(cwd) == 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", home);
    CHECK(system(cmd) == 0);
}

int main(void) {
    TEST_RUN(test_jar_and_folder);
    TEST_RUN(test_found_by_itself);
    return test_finish();
}
