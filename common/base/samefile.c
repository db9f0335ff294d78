#include "base/samefile.h"

#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

int wsd_same_file(const char *a, const char *b) {
    if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-")) return 0;
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int wsd_out_distinct(const char *output, const char *const *inputs, int n) {
    for (int i = 0; i < n; i++)
        if (wsd_same_file(output, inputs[2 * i + 1]))
            return wsd_fail("%s is the same file as %s %s: refusing to overwrite an input", output,
                            inputs[2 * i], inputs[2 * i + 1]);
    return 0;
}
