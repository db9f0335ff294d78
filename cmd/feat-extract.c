/* feat-extract: one feature matrix per video, as a tensor stream or the
 * official HDF5 layout, from raw video (the ActivityNet C3D recipe, see
 * common/video/), the official C3D HDF5 file, a folder of VIDEO_ID.npy files,
 * or a tensor stream (feat-extract(1)). */
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
#include "nn/nn_tensor.h"
#include "video/extract.h"
#include "video/frames.h"

static const char usage[] =
    "usage: feat-extract [OPTIONS] INPUT\n"
    "       feat-extract [OPTIONS] --hdf5 FILE | --npy DIR\n"
    "       feat-extract [OPTIONS] --weights M --mean B (--pca P | --no-pca) --video FILE | "
    "--videos LIST | -\n"
    "Write one feature matrix per video as a tensor stream (or --format hdf5).\n"
    "INPUT is the official C3D HDF5 file (group per video id, dataset\n"
    "c3d_features [T, 500]), a folder of VIDEO_ID.npy files ('<f4'/'<f8', 2-D,\n"
    "C order), one .npy file, a tensor stream, or YUV4MPEG2 frames ('-' = stdin).\n"
    "Raw video: C3D fc7 of 16-frame clips every 8 frames, PCA to 500 dims.\n"
    "  -o, --output FILE          tensor stream (default '-': stdout)\n"
    "      --hdf5 FILE, --npy DIR name the input explicitly (instead of INPUT)\n"
    "      --ids FILE             videos to keep, from a captions JSON, JSON Lines\n"
    "                             or a list of ids; durations are taken from it\n"
    "      --rows-per-second R    record rows_per_second = R in each header\n"
    "      --compress             zlib-compress the payloads\n"
    "      --format tsr|hdf5      output format (hdf5: group per id, c3d_features)\n"
    "      --video FILE           a video file, decoded by ffmpeg\n"
    "      --videos LIST          lines 'ID PATH' (or 'PATH': id = file name)\n"
    "      --id ID                video id of --video or of stdin frames\n"
    "      --weights FILE         C3D Caffe model (conv3d_deepnetA_sport1m_iter_1900000)\n"
    "      --mean FILE            sport1m_train16_128_mean.binaryproto\n"
    "      --pca FILE             PCA_activitynet_v1-3.hdf5; --no-pca: raw fc7\n"
    "      --pca-dims K           components kept (default 500)\n"
    "      --batch N              clips per forward pass (default: the network's)\n"
    "      --device cpu|cuda|auto where C3D runs (default cpu)\n"
    "  -q, --quiet                no summary line on stderr\n"
    "  -h, --help, --version\n"
    "See feat-extract(1) and wsdec-tensor(5).\n";

typedef struct {
    wsd_out out;
    wsd_h5feat_writer *h5; /* --format hdf5 */
    int level;
    const wsd_captions *ids;
    char *found;     /* per id in ids: seen in the input */
    wsd_idmap *seen; /* keys written: a video is written once */
    double rps;      /* NAN when not given */
    long written;
    wsd_progress progress; /* a bar on a terminal, else a line every 10 s */
} sink;

static void sink_abort(sink *s) {
    if (s->h5)
        wsd_h5feat_abort(s->h5);
    else
        wsd_out_abort(&s->out);
    s->h5 = NULL;
}

/* Replaces in place, so re-extracting a stream leaves its headers unchanged. */
static void set_number(cJSON *obj, const char *name, double v) {
    if (cJSON_GetObjectItemCaseSensitive(obj, name))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateNumber(v));
    else
        cJSON_AddNumberToObject(obj, name, v);
}

/* Writes t with duration/rows_per_second metadata; exits on failure. */
static void emit(sink *s, wsd_tsr *t) {
    if (s->ids) {
        long i = wsd_idmap_get(s->ids->index, t->key);
        if (i < 0) return;
        if (s->found[i]) {
            sink_abort(s);
            wsd_die("video id '%s' occurs twice in the input", t->key);
        }
        s->found[i] = 1;
        double d = s->ids->videos[i].duration;
        if (!isnan(d)) set_number(t->meta, "duration", d);
    }
    if (wsd_idmap_put(s->seen, t->key, s->written) != 0) {
        sink_abort(s);
        wsd_die("video id '%s' occurs twice in the input", t->key);
    }
    if (!isnan(s->rps)) set_number(t->meta, "rows_per_second", s->rps);
    if (s->h5) {
        if (t->dtype != WSD_F32 || t->ndim != 2) {
            wsd_h5feat_abort(s->h5);
            wsd_die("video id '%s': the HDF5 layout holds float32 [T, D] features, this record is "
                    "%s %d-D",
                    t->key, wsd_dtype_name(t->dtype), t->ndim);
        }
        if (wsd_h5feat_write(s->h5, t) != 0) {
            wsd_h5feat_abort(s->h5);
            wsd_die("%s", wsd_error());
        }
    } else if (wsd_tsr_write(s->out.fp, t, s->level) != 0) {
        wsd_die_internal("%s: %s", s->out.final_path ? s->out.final_path : "<stdout>", wsd_error());
    }
    s->written++;
    wsd_progress_step(&s->progress, 1);
}

static void fail_input(sink *s) {
    sink_abort(s);
    wsd_die("%s", wsd_error());
}

static void from_stream(sink *s, wsd_tsr_reader *r) {
    wsd_tsr t;
    int rc;
    while ((rc = wsd_tsr_read(r, &t)) == 1) {
        emit(s, &t);
        wsd_tsr_free(&t);
    }
    wsd_tsr_close(r);
    if (rc < 0) fail_input(s);
}

static void from_hdf5(sink *s, const char *path) {
    wsd_h5feat *h = wsd_h5feat_open(path);
    if (!h) fail_input(s);
    size_t n = s->ids ? s->ids->n : wsd_h5feat_count(h);
    for (size_t i = 0; i < n; i++) {
        wsd_tsr t;
        if (wsd_h5feat_read(h, s->ids ? s->ids->videos[i].id : wsd_h5feat_id(h, i), &t) != 0) {
            wsd_h5feat_close(h);
            fail_input(s);
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
    if (wsd_npy_load(path, key, &t) != 0) fail_input(s);
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
            if (stat(path, &st) != 0) {
                sink_abort(s);
                wsd_die("%s: no features for video id '%s' (expected %s)", dir, id, path);
            }
            from_npy_file(s, path);
        }
    } else {
        struct dirent **list;
        int n = scandir(dir, &list, is_npy, alphasort);
        if (n < 0) {
            sink_abort(s);
            wsd_die("%s: cannot list the folder", dir);
        }
        for (int i = 0; i < n; i++) {
            size_t need = strlen(dir) + strlen(list[i]->d_name) + 2;
            if (need > cap) path = wsd_realloc(path, cap = need);
            snprintf(path, cap, "%s/%s", dir, list[i]->d_name);
            from_npy_file(s, path);
            free(list[i]);
        }
        free(list);
        if (n == 0) {
            sink_abort(s);
            wsd_die("%s: no .npy files in the folder", dir);
        }
    }
    free(path);
}

/* ---- raw video: the ActivityNet C3D recipe (video/extract.h) ---- */

typedef struct {
    const char *weights, *mean, *pca, *device;
    int no_pca, pca_dims, batch;
} video_opts;

static void video_setup(wsd_extractor *v, const video_opts *o) {
    if (!o->weights || !o->mean)
        wsd_die("raw video needs --weights (the C3D Caffe model) and --mean (the .binaryproto)");
    if (!o->pca && !o->no_pca)
        wsd_die("raw video needs --pca FILE (PCA_activitynet_v1-3.hdf5) or --no-pca for raw fc7");
    if (o->pca && o->no_pca) wsd_die("give --pca or --no-pca, not both");
    if (wsd_extractor_open(v, o->weights, o->mean, o->pca, o->pca_dims, o->batch) != 0)
        wsd_die("%s", wsd_error());
    nn_device dev = o->device ? nn_opt_device(o->device) : NN_CPU;
    if (dev != NN_CPU && wsd_c3d_to_device(&v->net, dev) != 0)
        wsd_die("--device %s: %s", o->device, wsd_error());
}

static int wanted(const sink *s, const char *id) {
    return !s->ids || wsd_idmap_get(s->ids->index, id) >= 0;
}

static void video_one(sink *s, wsd_extractor *v, wsd_frames *f, const char *name, const char *id) {
    if (!f) fail_input(s);
    wsd_tsr t;
    int rc = wsd_extract_run(&v->x, f, name, id, &t);
    wsd_frames_close(f);
    if (rc != 0) fail_input(s);
    emit(s, &t);
    wsd_tsr_free(&t);
}

/* The id of a video file: its name without folder and extension. */
static char *id_of(const char *path) {
    const char *b = strrchr(path, '/');
    char *id = wsd_strdup(b ? b + 1 : path);
    char *dot = strrchr(id, '.');
    if (dot && dot != id) *dot = '\0';
    return id;
}

static void from_video_list(sink *s, wsd_extractor *v, const char *list) {
    FILE *fp = wsd_open_read(list);
    if (!fp) fail_input(s);
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0, n = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        char *p = line + strspn(line, " \t");
        if (!*p || *p == '#') continue;
        char *sep = p + strcspn(p, " \t"), *id, *path;
        if (*sep) {
            *sep = '\0';
            id = wsd_strdup(p);
            path = sep + 1 + strspn(sep + 1, " \t");
        } else {
            path = p;
            id = id_of(p);
        }
        if (wanted(s, id)) video_one(s, v, wsd_frames_open_video(path), path, id);
        free(id);
        n++;
    }
    free(line);
    if (fp != stdin) fclose(fp);
    if (n == 0) {
        sink_abort(s);
        wsd_die("%s: no videos listed (expected lines 'ID PATH' or 'PATH')", list);
    }
}

typedef struct {
    const char *output, *ids_path, *video, *videos, *vid_id, *input;
    int hdf5_out, compress, quiet;
    double rps; /* NAN when not given */
    video_opts vo;
} options;

static void parse_options(int argc, char **argv, options *o) {
    static const char *const formats[] = {"tsr", "hdf5", NULL};
    *o = (options){.output = "-", .rps = NAN, .vo = {.pca_dims = 500}};
    enum {
        O_IDS = 256,
        O_RPS,
        O_COMPRESS,
        O_VIDEO,
        O_VERSION,
        O_HDF5,
        O_NPY,
        O_FORMAT,
        O_VIDEOS,
        O_ID,
        O_WEIGHTS,
        O_MEAN,
        O_PCA,
        O_NOPCA,
        O_PCADIMS,
        O_BATCH,
        O_DEVICE
    };
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"ids", required_argument, 0, O_IDS},
                                         {"rows-per-second", required_argument, 0, O_RPS},
                                         {"compress", no_argument, 0, O_COMPRESS},
                                         {"video", required_argument, 0, O_VIDEO},
                                         {"hdf5", required_argument, 0, O_HDF5},
                                         {"npy", required_argument, 0, O_NPY},
                                         {"format", required_argument, 0, O_FORMAT},
                                         {"videos", required_argument, 0, O_VIDEOS},
                                         {"id", required_argument, 0, O_ID},
                                         {"weights", required_argument, 0, O_WEIGHTS},
                                         {"mean", required_argument, 0, O_MEAN},
                                         {"pca", required_argument, 0, O_PCA},
                                         {"no-pca", no_argument, 0, O_NOPCA},
                                         {"pca-dims", required_argument, 0, O_PCADIMS},
                                         {"batch", required_argument, 0, O_BATCH},
                                         {"device", required_argument, 0, O_DEVICE},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, O_VERSION},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->output = optarg; break;
        case O_IDS: o->ids_path = optarg; break;
        case O_RPS: o->rps = wsd_opt_double(optarg, "--rows-per-second", 1e-6, 1e6); break;
        case O_COMPRESS: o->compress = 1; break;
        case O_FORMAT: o->hdf5_out = wsd_opt_choice(optarg, "--format", formats); break;
        case O_VIDEO: o->video = optarg; break;
        case O_VIDEOS: o->videos = optarg; break;
        case O_ID: o->vid_id = optarg; break;
        case O_WEIGHTS: o->vo.weights = optarg; break;
        case O_MEAN: o->vo.mean = optarg; break;
        case O_PCA: o->vo.pca = optarg; break;
        case O_NOPCA: o->vo.no_pca = 1; break;
        case O_DEVICE: o->vo.device = optarg; break;
        case O_PCADIMS: o->vo.pca_dims = wsd_opt_int(optarg, "--pca-dims", 1, 100000); break;
        case O_BATCH: o->vo.batch = wsd_opt_int(optarg, "--batch", 1, 4096); break;
        case O_HDF5:
        case O_NPY:
            if (o->input) wsd_die("give one input (--hdf5, --npy or INPUT)");
            o->input = optarg;
            break;
        case 'q': o->quiet = 1; break;
        case 'h': wsd_opt_usage(usage, 1);
        case O_VERSION: wsd_opt_version();
        default: wsd_opt_usage(usage, 0);
        }
    }
    if (optind == argc - 1 && !o->input) o->input = argv[optind];
    int n_inputs = !!o->input + !!o->video + !!o->videos +
                   (optind < argc - 1 || (optind == argc - 1 && o->input != argv[optind]));
    if (n_inputs != 1) {
        fputs(usage, stderr);
        wsd_die("expected exactly one input (INPUT, --hdf5, --npy, --video or --videos)");
    }
    if (o->hdf5_out && strcmp(o->output, "-") == 0)
        wsd_die("--format hdf5 needs a named output file (-o FILE.hdf5)");
    const char *ins[] = {"INPUT",  o->input,   "--ids",   o->ids_path, "--video",
                         o->video, "--videos", o->videos, "--weights", o->vo.weights,
                         "--mean", o->vo.mean, "--pca",   o->vo.pca};
    if (wsd_out_distinct(o->output, ins, 7)) wsd_die("%s", wsd_error());
}

/* INPUT opened and its first bytes read, before the output is created, so a
 * wrong input leaves no file. */
typedef struct {
    FILE *fp; /* NULL for a folder, --video, --videos */
    unsigned char head[10];
    size_t got;
    int is_dir, is_y4m;
} input;

static void sniff_input(const options *o, input *in) {
    memset(in, 0, sizeof *in);
    struct stat st;
    in->is_dir =
        o->input && strcmp(o->input, "-") != 0 && stat(o->input, &st) == 0 && S_ISDIR(st.st_mode);
    if (o->input && !in->is_dir) {
        if (!(in->fp = wsd_open_read(o->input))) wsd_die("%s", wsd_error());
        in->got = fread(in->head, 1, sizeof in->head, in->fp);
        if (in->got == 0)
            wsd_die("%s: empty input (expected C3D HDF5, .npy, a tensor stream or YUV4MPEG2)",
                    o->input);
        in->is_y4m = in->got >= 9 && memcmp(in->head, "YUV4MPEG2", 9) == 0;
    }
}

/* Every video of the input through the sink. */
static void extract_all(sink *s, const options *o, input *in, wsd_extractor *vx) {
    FILE *fp = in->fp;
    const unsigned char *head = in->head;
    size_t got = in->got;
    if (o->video) {
        char *id = o->vid_id ? wsd_strdup(o->vid_id) : id_of(o->video);
        if (wanted(s, id)) video_one(s, vx, wsd_frames_open_video(o->video), o->video, id);
        free(id);
    } else if (o->videos) {
        from_video_list(s, vx, o->videos);
    } else if (in->is_y4m) {
        const char *name = fp == stdin ? "<stdin>" : o->input;
        char *id = o->vid_id     ? wsd_strdup(o->vid_id)
                   : fp == stdin ? wsd_strdup("stdin")
                                 : id_of(o->input);
        if (wanted(s, id)) video_one(s, vx, wsd_frames_open_y4m(fp, name, head, got), name, id);
        free(id);
        if (fp != stdin) fclose(fp);
    } else if (in->is_dir) {
        from_npy_dir(s, o->input);
    } else if (wsd_h5_sniff(head, got) || (got >= 6 && memcmp(head, WSD_NPY_MAGIC, 6) == 0)) {
        if (fp == stdin) {
            sink_abort(s);
            wsd_die("<stdin>: HDF5 and .npy input must be a named file, not stdin");
        }
        fclose(fp);
        if (head[0] == 0x93)
            from_npy_file(s, o->input);
        else
            from_hdf5(s, o->input);
    } else if (wsd_tsr_sniff(head, got)) {
        from_stream(s, wsd_tsr_open_fp(fp, fp == stdin ? "<stdin>" : o->input, head, got));
    } else {
        sink_abort(s);
        wsd_die("%s: unrecognised input (expected C3D HDF5, a .npy file or folder, a tensor stream "
                "starting with \"WSDT\", or YUV4MPEG2 frames; a video file goes with --video)",
                o->input);
    }
}

/* Every --ids video found, then the output committed. */
static void finish(sink *s, const options *o) {
    const char *src = o->input ? o->input : o->video ? o->video : o->videos;
    const wsd_captions *ids = s->ids;
    if (ids)
        for (size_t i = 0; i < ids->n; i++)
            if (!s->found[i]) {
                sink_abort(s);
                wsd_die("%s: unknown video id '%s' (listed in %s; %ld of %zu found)", src,
                        ids->videos[i].id, ids->path, s->written, ids->n);
            }
    if (s->h5) {
        if (wsd_h5feat_finish(s->h5) != 0) wsd_die_internal("%s", wsd_error());
    } else if (wsd_out_commit(&s->out) != 0) {
        wsd_die_internal("%s", wsd_error());
    }
    wsd_progress_end(&s->progress);
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    options o;
    parse_options(argc, argv, &o);
    sink s = {.level = o.compress ? 6 : 0, .rps = o.rps, .seen = wsd_idmap_new()};
    wsd_progress_start(&s.progress, "feat-extract", 0, o.quiet);
    wsd_captions *ids = NULL;
    if (o.ids_path) {
        if (!(ids = wsd_captions_load(o.ids_path))) wsd_die("%s", wsd_error());
        if (ids->n == 0) wsd_die("%s: no video ids", ids->path);
        s.ids = ids;
        s.found = wsd_calloc(ids->n, 1);
        s.progress.total = (long)ids->n;
    }
    input in;
    sniff_input(&o, &in);
    wsd_extractor vx;
    int video_mode = o.video || o.videos || in.is_y4m;
    if (video_mode) {
        const char *v = o.video ? o.video : o.videos;
        if (v && !wsd_frames_have_ffmpeg())
            wsd_die("%s: ffmpeg and ffprobe are needed to decode video (make deps)", v);
        video_setup(&vx, &o.vo);
    }
    if (o.hdf5_out) {
        if (!(s.h5 = wsd_h5feat_create(o.output))) wsd_die("%s", wsd_error());
    } else if (wsd_out_open(&s.out, o.output) != 0) {
        wsd_die("%s", wsd_error());
    }
    extract_all(&s, &o, &in, &vx);
    finish(&s, &o);
    if (video_mode) {
        if (!o.quiet) wsd_extractor_report(&vx, "feat-extract", stderr);
        wsd_extractor_close(&vx);
    }
    if (!o.quiet)
        fprintf(stderr, "feat-extract: %ld videos -> %s\n", s.written,
                strcmp(o.output, "-") ? o.output : "<stdout>");
    free(s.found);
    wsd_idmap_free(s.seen);
    wsd_captions_free(ids);
    return 0;
}
