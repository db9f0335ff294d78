#include "testing/test.h"
#include "base/samefile.h"
#include "base/util.h"

#include <unistd.h>

static void same_inode_is_refused_through_links(void) {
    char dir[] = "/tmp/wsd_samefile_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char a[128], b[128], hard[128], sym[128], none[128];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(hard, sizeof hard, "%s/hard", dir);
    snprintf(sym, sizeof sym, "%s/sym", dir);
    snprintf(none, sizeof none, "%s/none", dir);
    fclose(fopen(a, "w"));
    fclose(fopen(b, "w"));
    CHECK(link(a, hard) == 0 && symlink(a, sym) == 0);
    CHECK(wsd_same_file(a, a) && wsd_same_file(a, hard) && wsd_same_file(sym, a));
    CHECK(!wsd_same_file(a, b) && !wsd_same_file(a, none) && !wsd_same_file("-", "-") &&
          !wsd_same_file(a, NULL));
    const char *ins[] = {"--feats", b, "--captions", NULL, "--vocab", a};
    CHECK(wsd_out_distinct(sym, ins, 3) == -1);
    CHECK_MSG(strstr(wsd_error(), "same file as --vocab") && strstr(wsd_error(), sym), "%s",
              wsd_error());
    CHECK(wsd_out_distinct(none, ins, 3) == 0 && wsd_out_distinct("-", ins, 3) == 0);
    unlink(a), unlink(b), unlink(hard), unlink(sym);
    rmdir(dir);
}

int main(void) {
    TEST_RUN(same_inode_is_refused_through_links);
    return test_finish();
}
