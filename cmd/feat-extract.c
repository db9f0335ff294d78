/* feat-extract: one feature matrix per video, as a tensor stream, from the
 * official C3D HDF5 file, a folder of VIDEO_ID.npy files, or a tensor stream
 * (feat-extract(1)). Raw-video C3D extraction is not in this version. */
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/captions.h"
#include "io/h5feat.h"
#include "io/idmap.h"
#include "io/npy.h"
#include "io/tsr.h"
#include "base/opt.h"
#include "base/progress.h"
#include "base/samefile.h"
#include "base/util.h"

static const char usage[] =
    "usage: feat-extract [OPTIONS] INPUT\n"
    "       feat-extract [OPTIONS] --hdf5 FILE | --npy DIR\n"
    "Write one feature matrix per video as a tensor stream. INPUT is the official\n"
    "C3D HDF5 file (group per video id, dataset c3d_features [T, 500]), a folder\n"
    "of VIDEO_ID.npy files ('<f4'/'<f8', 2-D, C order), one .npy file, or a\n"
    "tensor stream ('-' = stdin).\n"
    "  -o, --output FILE          tensor stream (default '-': stdout)\n"
    "      --hdf5 FILE, --npy DIR name the input explicitly (instead of INPUT)\n"
    "      --ids FILE             videos to keep, from a captions JSON, JSON Lines\n"
    "                             or a list of ids; durations are taken from it\n"
    "      --rows-per-second R    record rows_per_second = R in each header\n"
    "      --compress             zlib-compress the payloads\n"
    "      --video FILE           raw video (YUV4MPEG2): not available in this version\n"
    "  -q, --quiet                no summary line on stderr\n"
    "  -h, --help, --version\n"
    "See feat-extract(1) and wsdec-tensor(5).\n";

static const char no_video[] =
    "raw-video C3D extraction (YUV4MPEG2 input) is not available in this version of "
    "feat-extract; import precomputed C3D features instead (official HDF5 file, a folder "
    "of .npy files, or a tensor stream)";

typedef struct {
    wsd_out out;
    int level;
    const wsd_captions *ids;
    char *found;        /* per id in ids: seen in the input */
    wsd_idmap *seen;    /* keys written: a video is written once */
    double rps;         /* NAN when not given */
    long written;
    wsd_progress progress; /* a bar on a terminal, else a line every 10 s */
} sink;

/* Replaces in place, so re-extracting a stream leaves its headers unchanged. */
static void set_number(cJSON *obj, const char *name, double v) {
    if (cJSON_GetObjectItemCaseSensitive(obj, name)) cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateNumber(v));
    else cJSON_AddNumberToObject(obj, name, v);
}

/* Writes t with duration/rows_per_second metadata; exits on failure. */
static void emit(sink *s, wsd_tsr *t) {
    if (s->ids) {
        long i = wsd_idmap_get(s->ids->index, t->key);
        if (i < 0) return;
        if (s->found[i]) wsd_die("video id '%s' occurs twice in the input", t->key);
        s->found[i] = 1;
        double d = s->ids->videos[i].duration;
        if (!isnan(d)) set_number(t->meta, "duration", d);
    }
    if (wsd_idmap_put(s->seen, t->key, s->written) != 0) wsd_die("video id '%s' occurs twice in the input", t->key);
    if (!isnan(s->rps))
        set_number(t->meta, "rows_per_second", s->rps);
    if (wsd_tsr_write(s->out.fp, t, s->level) != 0)
        wsd_die_internal("%s: %s", s->out.final_path ? s->out.final_path : "<stdout>", wsd_error());
    s->written++;
    wsd_progress_step(&s->progress, 1);
}

static void from_stream(sink *s, wsd_tsr_reader *r) {
    wsd_tsr t;
    int rc;
    while ((rc = wsd_tsr_read(r, &t)) == 1) {
        emit(s, &t);
        wsd_tsr_free(&t);
    }
    wsd_tsr_close(r);
    if (rc < 0) wsd_die("%s", wsd_error());
}

static void from_hdf5(sink *s, const char *path) {
    wsd_h5feat *h = wsd_h5feat_open(path);
    if (!h) wsd_die("%s", wsd_error());
    size_t n = s->ids ? s->ids->n : wsd_h5feat_count(h);
    for (size_t i = 0; i < n; i++) {
        wsd_tsr t;
        if (wsd_h5feat_read(h, s->ids ? s->ids->videos[i].id : wsd_h5feat_id(h, i), &t) != 0) {
            wsd_h5feat_close(h);
            wsd_die("%s", wsd_error());
        }
        emit(s, &t);
        wsd_tsr_free(&t);
    }
    wsd_h5feat_close(h);
}

static char *npy_key(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *key = wsd_strdup(base);
    size_t n = strlen(key);
    if (n > 4 && strcmp(key + n - 4, ".npy") == 0) key[n - 4] = '\0';
    return key;
}

static void from_npy_file(sink *s, const char *path) {
    char *key = npy_key(path);
    wsd_tsr t;
    if (wsd_npy_load(path, key, &t) != 0) wsd_die("%s", wsd_error());
    emit(s, &t);
    wsd_tsr_free(&t);
    free(key);
}

static int is_npy(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 4 && strcmp(e->d_name + n - 4, ".npy") == 0;
}

static void from_npy_dir(sink *s, const char *dir) {
    size_t cap = strlen(dir) + 64;
    char *path = wsd_malloc(cap);
    if (s->ids) {
        for (size_t i = 0; i < s->ids->n; i++) {
            const char *id = s->ids->videos[i].id;
            size_t need = strlen(dir) + strlen(id) + 8;
            if (need > cap) path = wsd_realloc(path, cap = need);
            snprintf(path, cap, "%s/%s.npy", dir, id);
            struct stat st;
            if (stat(path, &st) != 0)
                wsd_die("%s: no features for video id '%s' (expected %s)", dir, id, path);
            from_npy_file(s, path);
        }
    } else {
        struct dirent **list;
        int n = scandir(dir, &list, is_npy, alphasort);
        if (n < 0)
            wsd_die("%s: cannot list the folder", dir);
        for (int i = 0; i < n; i++) {
            size_t need = strlen(dir) + strlen(list[i]->d_name) + 2;
            if (need > cap) path = wsd_realloc(path, cap = need);
            snprintf(path, cap, "%s/%s", dir, list[i]->d_name);
            from_npy_file(s, path);
            free(list[i]);
        }
        free(list);
        if (n == 0)
            wsd_die("%s: no .npy files in the folder", dir);
    }
    free(path);
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    const char *output = "-", *ids_path = NULL;
    int compress = 0, quiet = 0;
    double rps = NAN;
    const char *input = NULL;
    enum { O_IDS = 256, O_RPS, O_COMPRESS, O_VIDEO, O_VERSION, O_HDF5, O_NPY };
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},  {"ids", required_argument, 0, O_IDS},
                                         {"rows-per-second", required_argument, 0, O_RPS},
                                         {"compress", no_argument, 0, O_COMPRESS}, {"video", required_argument, 0, O_VIDEO},
                                         {"hdf5", required_argument, 0, O_HDF5},   {"npy", required_argument, 0, O_NPY},
                                         {"quiet", no_argument, 0, 'q'},           {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, O_VERSION},   {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case O_IDS: ids_path = optarg; break;
        case O_RPS: rps = wsd_opt_double(optarg, "--rows-per-second", 1e-6, 1e6); break;
        case O_COMPRESS: compress = 1; break;
        case O_VIDEO: wsd_die("--video %s: %s", optarg, no_video);
        case O_HDF5:
        case O_NPY:
            if (input) wsd_die("give one input (--hdf5, --npy or INPUT)");
            input = optarg;
            break;
        case 'q': quiet = 1; break;
        case 'h': wsd_opt_usage(usage, 1);
        case O_VERSION: wsd_opt_version();
        default: wsd_opt_usage(usage, 0);
        }
    }
    if (optind == argc - 1 && !input) input = argv[optind];
    else if (optind != argc || !input) {
        fputs(usage, stderr);
        wsd_die("expected exactly one INPUT");
    }
    const char *ins[] = {"INPUT", input, "--ids", ids_path};
    if (wsd_out_distinct(output, ins, 2)) wsd_die("%s", wsd_error());
    sink s = {.level = compress ? 6 : 0, .rps = rps, .seen = wsd_idmap_new()};
    wsd_progress_start(&s.progress, "feat-extract", 0, quiet);
    wsd_captions *ids = NULL;
    if (ids_path) {
        if (!(ids = wsd_captions_load(ids_path))) wsd_die("%s", wsd_error());
        if (ids->n == 0) wsd_die("%s: no video ids", ids->path);
        s.ids = ids;
        s.found = wsd_calloc(ids->n, 1);
        s.progress.total = (long)ids->n;
    }
    /* sniff the input before creating the output, so a wrong input leaves no file */
    struct stat st;
    int is_dir = strcmp(input, "-") != 0 && stat(input, &st) == 0 && S_ISDIR(st.st_mode);
    FILE *fp = NULL;
    unsigned char head[10];
    size_t got = 0;
    if (!is_dir) {
        if (!(fp = wsd_open_read(input))) wsd_die("%s", wsd_error());
        got = fread(head, 1, sizeof head, fp);
        if (got == 0) wsd_die("%s: empty input (expected C3D HDF5, .npy or a tensor stream)", input);
        if (got >= 9 && memcmp(head, "YUV4MPEG2", 9) == 0) wsd_die("%s: %s", input, no_video);
    }
    if (wsd_out_open(&s.out, output) != 0) wsd_die("%s", wsd_error());
    if (is_dir) {
        from_npy_dir(&s, input);
    } else if (wsd_h5_sniff(head, got) || (got >= 6 && memcmp(head, WSD_NPY_MAGIC, 6) == 0)) {
        if (fp == stdin)
            wsd_die("<stdin>: HDF5 and .npy input must be a named file, not stdin");
        fclose(fp);
        if (head[0] == 0x93) from_npy_file(&s, input);
        else from_hdf5(&s, input);
    } else if (wsd_tsr_sniff(head, got)) {
        from_stream(&s, wsd_tsr_open_fp(fp, fp == stdin ? "<stdin>" : input, head, got));
    } else 
        wsd_die("%s: unrecognised input (expected C3D HDF5, a .npy file or folder, or a tensor stream "
                "starting with \"WSDT\")", input);
    if (ids)
        for (size_t i = 0; i < ids->n; i++)
            if (!s.found[i])
                wsd_die("%s: unknown video id '%s' (listed in %s; %ld of %zu found)", input, ids->videos[i].id,
                        ids->path, s.written, ids->n);
    if (wsd_out_commit(&s.out) != 0) wsd_die_internal("%s", wsd_error());
    wsd_progress_end(&s.progress);
    if (!quiet) fprintf(stderr, "feat-extract: %ld videos -> %s\n", s.written, strcmp(output, "-") ? output : "<stdout>");
    free(s.found);
    wsd_idmap_free(s.seen);
    wsd_captions_free(ids);
    return 0;
}
