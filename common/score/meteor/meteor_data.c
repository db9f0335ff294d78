/* Locating Meteor 1.5's data files: see meteor_data.h. */
#include "score/meteor/meteor_data.h"

#include "base/util.h"
#include "base/zip.h"

#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const TEXT_NAME[WSD_METEOR_N_TEXT] = {"english.words", "english.prefixes",
                                                         "english.synsets", "english.exceptions"};
static const char *const TEXT_SUBDIR[WSD_METEOR_N_TEXT] = {"function", "nonbreaking", "synonym",
                                                           "synonym"};
static const char *const TEXT_WHAT[WSD_METEOR_N_TEXT] = {
    "function-word list", "nonbreaking-prefix list", "WordNet synonym export",
    "WordNet exception list"};

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = wsd_malloc((size_t)n + 1);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static int is_file(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int take_file(wsd_meteor_data *d, int k, const char *path) {
    size_t len = 0;
    char *t = wsd_read_file(path, &len);
    if (!t) return -1;
    d->text[k] = t;
    d->len[k] = len;
    d->origin[k] = wsd_strdup(path);
    return 0;
}

/* The jar's member for text k (as Meteor's build packs it, or under resources/). */
static int take_member(wsd_meteor_data *d, int k, const wsd_zip *z, const char *jar) {
    char *names[2] = {fmt("%s/%s", TEXT_SUBDIR[k], TEXT_NAME[k]),
                      fmt("resources/%s/%s", TEXT_SUBDIR[k], TEXT_NAME[k])};
    int rc = 1;
    for (int i = 0; i < 2 && rc == 1; i++) {
        if (!wsd_zip_has(z, names[i])) continue;
        size_t len = 0;
        char *t = wsd_zip_read(z, names[i], &len);
        if (!t) {
            rc = -1;
            break;
        }
        d->text[k] = t;
        d->len[k] = len;
        d->origin[k] = fmt("%s:%s", jar, names[i]);
        rc = 0;
    }
    free(names[0]);
    free(names[1]);
    return rc;
}

static int fill_from_jar(wsd_meteor_data *d, const char *jar) {
    wsd_zip *z = wsd_zip_open(jar);
    if (!z) return -1;
    int rc = 0;
    for (int k = 0; k < WSD_METEOR_N_TEXT && rc == 0; k++)
        if (!d->text[k] && take_member(d, k, z, jar) < 0) rc = -1;
    wsd_zip_close(z);
    return rc;
}

static void find_paraphrase(wsd_meteor_data *d, const char *dir) {
    const char *cand[] = {"data/paraphrase-en.gz", "paraphrase-en.gz"};
    for (int i = 0; i < 2 && !d->paraphrase; i++) {
        char *p = fmt("%s/%s", dir, cand[i]);
        if (is_file(p))
            d->paraphrase = p;
        else
            free(p);
    }
}

static int fill_from_dir(wsd_meteor_data *d, const char *dir) {
    for (int k = 0; k < WSD_METEOR_N_TEXT; k++) {
        if (d->text[k]) continue;
        char *cand[3] = {fmt("%s/resources/%s/%s", dir, TEXT_SUBDIR[k], TEXT_NAME[k]),
                         fmt("%s/%s/%s", dir, TEXT_SUBDIR[k], TEXT_NAME[k]),
                         fmt("%s/%s", dir, TEXT_NAME[k])};
        int rc = 0;
        for (int i = 0; i < 3; i++)
            if (!d->text[k] && is_file(cand[i])) rc = take_file(d, k, cand[i]);
        for (int i = 0; i < 3; i++) free(cand[i]);
        if (rc) return -1;
    }
    find_paraphrase(d, dir);
    int need = 0;
    for (int k = 0; k < WSD_METEOR_N_TEXT; k++) need |= !d->text[k];
    char *jar = fmt("%s/meteor-1.5.jar", dir);
    int rc = need && is_file(jar) ? fill_from_jar(d, jar) : 0;
    free(jar);
    return rc;
}

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return wsd_strdup(".");
    if (slash == path) return wsd_strdup("/");
    char *d = wsd_malloc((size_t)(slash - path) + 1);
    memcpy(d, path, (size_t)(slash - path));
    d[slash - path] = '\0';
    return d;
}

/* "function words, prefixes, synonyms from X; paraphrases from Y" */
static void describe(wsd_meteor_data *d) {
    char *s = wsd_strdup("");
    for (int k = 0; k < WSD_METEOR_N_TEXT; k++) {
        if (!d->origin[k]) continue;
        const char *o = d->origin[k];
        size_t n = strlen(o);
        /* group by container: the jar, or the file's folder */
        char *where =
            strstr(o, ".jar:") ? fmt("%.*s", (int)(strstr(o, ".jar:") - o + 4), o) : dir_of(o);
        (void)n;
        if (!strstr(s, where)) {
            char *t = fmt("%s%s%s", s, *s ? ", " : "", where);
            free(s);
            s = t;
        }
        free(where);
    }
    char *t = fmt("Meteor 1.5 data from %s%s%s", *s ? s : "(none)",
                  d->paraphrase ? ", paraphrases " : "", d->paraphrase ? d->paraphrase : "");
    free(s);
    d->source = t;
    s = wsd_strdup("");
    for (int k = 0; k < WSD_METEOR_N_TEXT; k++) {
        if (d->text[k]) continue;
        char *u = fmt("%s%s%s (%s)", s, *s ? ", " : "", TEXT_WHAT[k], TEXT_NAME[k]);
        free(s);
        s = u;
    }
    if (!d->paraphrase) {
        char *u = fmt("%s%sparaphrase table (data/paraphrase-en.gz)", s, *s ? ", " : "");
        free(s);
        s = u;
    }
    d->missing = s;
}

static int add_glob(char ***list, size_t *n, size_t *cap, const char *pattern) {
    glob_t g;
    if (glob(pattern, GLOB_ONLYDIR, NULL, &g) != 0) return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        if (!is_dir(g.gl_pathv[i])) continue;
        int dup = 0;
        for (size_t j = 0; j < *n; j++) dup |= strcmp((*list)[j], g.gl_pathv[i]) == 0;
        if (dup) continue;
        if (*n + 2 > *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *list = wsd_realloc(*list, *cap * sizeof **list);
        }
        (*list)[(*n)++] = wsd_strdup(g.gl_pathv[i]);
    }
    globfree(&g);
    return 0;
}

char **wsd_meteor_search_dirs(void) {
    static const char *const site[] = {"lib/python3*/site-packages", "lib/python3*/dist-packages"};
    static const char *const here[] = {
        "pycocoevalcap/meteor",
        "coco-caption/pycocoevalcap/meteor",
        "densevid_eval/coco-caption/pycocoevalcap/meteor",
        "third_party/densevid_eval/coco-caption/pycocoevalcap/meteor",
        "data/meteor-1.5",
        "meteor-1.5"};
    char **list = NULL;
    size_t n = 0, cap = 0;
    char *pat;
    const char *envs[] = {"VIRTUAL_ENV", "CONDA_PREFIX"};
    for (int e = 0; e < 2; e++) {
        const char *p = getenv(envs[e]);
        if (!p || !*p) continue;
        for (int s = 0; s < 2; s++) {
            pat = fmt("%s/%s/pycocoevalcap/meteor", p, site[s]);
            add_glob(&list, &n, &cap, pat);
            free(pat);
        }
    }
    const char *pp = getenv("PYTHONPATH");
    if (pp && *pp) {
        char *copy = wsd_strdup(pp), *save = NULL;
        for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
            pat = fmt("%s/pycocoevalcap/meteor", e);
            add_glob(&list, &n, &cap, pat);
            free(pat);
        }
        free(copy);
    }
    for (size_t i = 0; i < sizeof here / sizeof *here; i++) add_glob(&list, &n, &cap, here[i]);
    const char *home = getenv("HOME");
    const char *prefixes[] = {"%s/.local",           "%s/.pyenv/versions/*", "%s/miniconda3",
                              "%s/anaconda3",        "%s/miniforge3",        "%s/miniconda3/envs/*",
                              "%s/anaconda3/envs/*", "%s/miniforge3/envs/*"};
    if (home && *home)
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
            for (int s = 0; s < 2; s++) {
                char *pre = fmt(prefixes[i], home);
                pat = fmt("%s/%s/pycocoevalcap/meteor", pre, site[s]);
                add_glob(&list, &n, &cap, pat);
                free(pat);
                free(pre);
            }
    const char *sys[] = {"/usr/local", "/usr", "/opt/conda"};
    for (size_t i = 0; i < 3; i++)
        for (int s = 0; s < 2; s++) {
            pat = fmt("%s/%s/pycocoevalcap/meteor", sys[i], site[s]);
            add_glob(&list, &n, &cap, pat);
            free(pat);
        }
    pat = fmt("/usr/lib/python3/dist-packages/pycocoevalcap/meteor");
    add_glob(&list, &n, &cap, pat);
    free(pat);
    if (!list) list = wsd_malloc(sizeof *list);
    list[n] = NULL;
    return list;
}

void wsd_meteor_search_dirs_free(char **dirs) {
    if (!dirs) return;
    for (char **p = dirs; *p; p++) free(*p);
    free(dirs);
}

void wsd_meteor_data_free(wsd_meteor_data *d) {
    for (int k = 0; k < WSD_METEOR_N_TEXT; k++) {
        free(d->text[k]);
        free(d->origin[k]);
    }
    free(d->paraphrase);
    free(d->source);
    free(d->missing);
    memset(d, 0, sizeof *d);
}

int wsd_meteor_data_find(const wsd_meteor_where *w, wsd_meteor_data *d) {
    memset(d, 0, sizeof *d);
    int rc = 0;
    /* 1. single files */
    const char *single[WSD_METEOR_N_TEXT] = {w->function_words, w->prefixes, NULL, NULL};
    for (int k = 0; k < 2 && rc == 0; k++)
        if (single[k] && take_file(d, k, single[k])) rc = -1;
    if (rc == 0 && w->synonym_dir) {
        if (!is_dir(w->synonym_dir)) {
            rc = wsd_fail(
                "%s: no such directory (expected Meteor's synonym folder with english.synsets and "
                "english.exceptions)",
                w->synonym_dir);
        } else {
            for (int k = WSD_METEOR_SYNSETS; k <= WSD_METEOR_EXCEPTIONS && rc == 0; k++) {
                char *p = fmt("%s/%s", w->synonym_dir, TEXT_NAME[k]);
                rc = take_file(d, k, p);
                free(p);
            }
        }
    }
    if (rc == 0 && w->paraphrase) {
        if (!is_file(w->paraphrase))
            rc = wsd_fail("%s: no such file (expected Meteor's paraphrase-en.gz)", w->paraphrase);
        else
            d->paraphrase = wsd_strdup(w->paraphrase);
    }
    /* 2. the jar; 3. the folder */
    if (rc == 0 && w->jar) {
        if (!is_file(w->jar)) {
            rc = wsd_fail("%s: no such file (expected meteor-1.5.jar)", w->jar);
        } else {
            rc = fill_from_jar(d, w->jar);
            if (rc == 0) {
                char *jd = dir_of(w->jar);
                find_paraphrase(d, jd);
                free(jd);
            }
        }
    }
    if (rc == 0 && w->dir) {
        if (!is_dir(w->dir))
            rc = wsd_fail("%s: no such directory (expected a Meteor 1.5 folder: meteor-1.5.jar and "
                          "data/paraphrase-en.gz, or Meteor's resources)",
                          w->dir);
        else
            rc = fill_from_dir(d, w->dir);
    }
    /* 4. an install found by itself */
    if (rc == 0 && !w->jar && !w->dir && w->search) {
        const char *env = getenv("WSD_METEOR_DIR");
        if (env && *env) {
            if (!is_dir(env))
                rc = wsd_fail("WSD_METEOR_DIR=%s: no such directory", env);
            else
                rc = fill_from_dir(d, env);
        } else {
            char **dirs = wsd_meteor_search_dirs();
            for (char **p = dirs; *p && rc == 0; p++) {
                char *jar = fmt("%s/meteor-1.5.jar", *p);
                if (is_file(jar)) {
                    rc = fill_from_dir(d, *p);
                    free(jar);
                    break;
                }
                free(jar);
            }
            wsd_meteor_search_dirs_free(dirs);
        }
    }
    if (rc != 0) {
        char why[600];
        snprintf(why, sizeof why, "%s", wsd_error());
        wsd_meteor_data_free(d);
        return wsd_fail("%s", why);
    }
    describe(d);
    return 0;
}
