/* The extractor's set-up refuses missing or wrong files naming them, and
 * leaves nothing to close behind (the success path runs in
 * testdata/cli/extract-recipe.sh on a synthetic C3D model). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testing/test.h"
#include "video/extract.h"

static void missing_files_are_named(void) {
    wsd_extractor e;
    CHECK(wsd_extractor_open(&e, "/nonexistent/c3d.caffemodel", "/nonexistent/mean.binaryproto",
                             NULL, 500, 0) == -1);
    CHECK_MSG(strstr(wsd_error(), "/nonexistent/mean.binaryproto") != NULL, "%s", wsd_error());
    CHECK(e.mean == NULL && e.x.net == NULL);
    wsd_extractor_close(&e); /* harmless after a failure */
}

static void a_wrong_mean_file_is_refused(void) {
    char path[] = "/tmp/wsd_extract_meanXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, "not a blob", 10) == 10);
    close(fd);
    wsd_extractor e;
    CHECK(wsd_extractor_open(&e, "/nonexistent/c3d.caffemodel", path, NULL, 500, 0) == -1);
    CHECK_MSG(strstr(wsd_error(), path) != NULL, "%s", wsd_error());
    wsd_extractor_close(&e);
    unlink(path);
}

int main(void) {
    TEST_RUN(missing_files_are_named);
    TEST_RUN(a_wrong_mean_file_is_refused);
    return test_finish();
}
