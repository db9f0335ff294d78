#include "base/opt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

long wsd_opt_long(const char *s, const char *name, long min, long max) {
    long v;
    if (wsd_parse_long(s, name, &v) != 0 || v < min || v > max)
        wsd_die("%s: expected an integer in [%ld, %ld], got '%s'", name, min, max, s);
    return v;
}

int wsd_opt_int(const char *s, const char *name, int min, int max) {
    return (int)wsd_opt_long(s, name, min, max);
}

double wsd_opt_double(const char *s, const char *name, double min, double max) {
    double v;
    if (wsd_parse_double(s, name, &v) != 0 || !isfinite(v) || v < min || v > max)
        wsd_die("%s: expected a number in [%g, %g], got '%s'", name, min, max, s);
    return v;
}

int wsd_opt_int_list(const char *s, const char *name, int min, int max, int *out, int cap) {
    char *copy = wsd_strdup(s), *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == cap) wsd_die("%s: at most %d values, got '%s'", name, cap, s);
        out[n++] = wsd_opt_int(tok, name, min, max);
    }
    free(copy);
    if (n == 0)
        wsd_die("%s: expected comma-separated integers in [%d, %d], got '%s'", name, min, max, s);
    return n;
}

int wsd_opt_choice(const char *s, const char *name, const char *const *choices) {
    int n = 0;
    for (; choices[n]; n++)
        if (strcmp(s, choices[n]) == 0) return n;
    char list[512] = "";
    for (int i = 0; i < n; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s",
                 i == 0       ? ""
                 : i == n - 1 ? " or "
                              : ", ",
                 choices[i]);
    }
    wsd_die("%s: expected %s, got '%s'", name, list, s);
}

void wsd_opt_usage(const char *usage, int ok) {
    fputs(usage, ok ? stdout : stderr);
    exit(ok ? WSD_EXIT_OK : WSD_EXIT_INPUT);
}

void wsd_opt_version(void) {
    printf("%s (wsdec) %s\n", wsd_progname(), WSD_VERSION);
    exit(WSD_EXIT_OK);
}

struct option *wsd_opt_table(const struct option *shared, size_t n, const struct option *extra) {
    size_t n_extra = 0;
    while (extra[n_extra].name) n_extra++;
    struct option *all = wsd_calloc(n + n_extra + 1, sizeof *all);
    memcpy(all, shared, n * sizeof *shared);
    memcpy(all + n, extra, n_extra * sizeof *extra);
    return all;
}
