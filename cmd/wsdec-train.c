/* wsdec-train: the weakly supervised training of WSDEC
 * train_script/train_final.py (final model), its baselines
 * (train_baseline_regressor.py no classification; train_final.py
 * --regressor_scale 0, here --regressor-scale 0) and the supervised localizer (train_sl.py). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/opt.h"
#include "base/progress.h"
#include "base/rng.h"
#include "base/samefile.h"
#include "base/tmpfile.h"
#include "base/util.h"
#include "io/trainlog.h"
#include "io/vocab.h"
#include "wsd/batch.h"
#include "wsd/ckpt.h"
#include "wsd/model_cg.h"
#include "wsd/model_sl.h"
#include "wsd/pseudo_label.h"
#include "wsd/segment.h"
#include "wsd/train_wsd.h"
#include "wsd/train_opts.h"
#include "wsd/trainset.h"

static const char usage[] =
    "usage: wsdec-train --feats FILE --captions FILE --cg CKPT --out CKPT [OPTIONS]\n"
    "Weakly supervised dense event captioning: train the sentence localizer and\n"
    "fine-tune the pretrained caption generator from sentences alone. Epochs\n"
    "0, 5, 10, ... are SL epochs (METEOR pseudo-labels over the 15 anchors), the\n"
    "others cycle epochs (sentence -> segment -> sentence -> segment).\n"
    "  --feats FILE          features: tensor stream or C3D HDF5\n"
    "  --captions FILE       training captions (official JSON or JSONL)\n"
    "  --cg CKPT             pretrained caption generator (cg-pretrain); its\n"
    "                        vocabulary and dimensions are used\n"
    "  --out CKPT            two-model checkpoint written after every epoch\n"
    "  --mode final|supervised-sl   (final); supervised-sl needs --vocab, not --cg\n"
    "  --baseline no-class   regression-only localizer, cycle epochs only\n"
    "  --regressor-scale X   (0.3; 0.1 supervised-sl; 0 = no-regression baseline)\n"
    "  --vocab FILE          vocabulary JSON (supervised-sl only)\n"
    "  --epochs N            (25; 100 no-class and supervised-sl)\n"
    "  --batch N             cycle batch (32; 31 no-class; 96 supervised-sl)\n"
    "  --sl-batch N          SL-epoch batch (6)       --alter-step N  (5)\n"
    "  --lr X (0.01) --momentum X (0.8) --weight-decay X (1e-4) --gamma X (0.1)\n"
    "  --milestones A,B,..   (1,2,20; 5,20,50 supervised-sl)   --clip X  (5)\n"
    "  --pseudo-label-metric meteor|unigram-f   (meteor; unigram-f is a stand-in)\n"
    "  --meteor-dir DIR      Meteor 1.5 data: meteor-1.5.jar's folder or the jar (default:\n"
    "                        $WSD_METEOR_DIR, else a pycocoevalcap/coco-caption install)\n"
    "  --hidden N --embed N  SL sizes (default: the CG's)\n"
    "  --sample-rate N       feature sub-sampling (default: the CG's)\n"
    "  --max-videos N        use the first N videos only   --max-batches N  per epoch\n"
    "  --seed N (233)  --resume CKPT  --keep-every N  --log-every N (10)\n"
    "  --log FILE   training log, JSON Lines: losses, lr, pseudo-labels per batch and epoch\n"
    "  --threads N  --device auto|cpu|cuda   -q, --quiet  -h, --help  --version\n"
    "See wsdec-train(1).\n";

enum { MODE_FINAL = 0, MODE_NOCLASS = 1, MODE_SUPERVISED = 2 };

typedef struct {
    wsd_train_opts common; /* the options cg-pretrain shares (wsd/train_opts.h) */
    const char *cg, *meteor_dir;
    int mode, epochs, batch, sl_batch, alter, max_batches;
    double scale, clip;
    wsd_pl_metric metric;
} options;

enum {
    O_CG = WSD_TRAIN_OPT_END,
    O_MODE,
    O_BASE,
    O_SCALE,
    O_EPOCHS,
    O_BATCH,
    O_SLBATCH,
    O_ALTER,
    O_CLIP,
    O_PLM,
    O_METEOR,
    O_MAXB
};
static const struct option own_opts[] = {{"cg", 1, 0, O_CG},
                                         {"output", 1, 0, WSD_TRAIN_OPT_OUT},
                                         {"mode", 1, 0, O_MODE},
                                         {"baseline", 1, 0, O_BASE},
                                         {"regressor-scale", 1, 0, O_SCALE},
                                         {"epochs", 1, 0, O_EPOCHS},
                                         {"batch", 1, 0, O_BATCH},
                                         {"sl-batch", 1, 0, O_SLBATCH},
                                         {"alter-step", 1, 0, O_ALTER},
                                         {"clip", 1, 0, O_CLIP},
                                         {"pseudo-label-metric", 1, 0, O_PLM},
                                         {"meteor-dir", 1, 0, O_METEOR},
                                         {"max-batches", 1, 0, O_MAXB},
                                         {0, 0, 0, 0}};

/* The options only wsdec-train has; 0 when c is none of them. */
static int parse_own(int c, const char *arg, options *o) {
    switch (c) {
    case O_CG: o->cg = arg; break;
    case 'o': o->common.out = arg; break;
    case O_MODE:
        if (wsd_opt_choice(arg, "--mode", (const char *const[]){"final", "supervised-sl", NULL}))
            o->mode = MODE_SUPERVISED;
        else if (o->mode != MODE_NOCLASS)
            o->mode = MODE_FINAL;
        break;
    case O_BASE:
        wsd_opt_choice(arg, "--baseline", (const char *const[]){"no-class", NULL});
        o->mode = MODE_NOCLASS;
        break;
    case O_SCALE: o->scale = wsd_opt_double(arg, "--regressor-scale", 0, 100); break;
    case O_EPOCHS: o->epochs = wsd_opt_int(arg, "--epochs", 1, 100000); break;
    case O_BATCH: o->batch = wsd_opt_int(arg, "--batch", 2, 100000); break;
    case O_SLBATCH: o->sl_batch = wsd_opt_int(arg, "--sl-batch", 2, 100000); break;
    case O_ALTER: o->alter = wsd_opt_int(arg, "--alter-step", 1, 1000); break;
    case O_CLIP: o->clip = wsd_opt_double(arg, "--clip", 0, 1e6); break;
    case O_PLM:
        if (wsd_pl_metric_parse(arg, &o->metric)) wsd_die("--pseudo-label-metric: %s", wsd_error());
        break;
    case O_METEOR: o->meteor_dir = arg; break;
    case O_MAXB: o->max_batches = wsd_opt_int(arg, "--max-batches", 0, WSD_OPT_MAX_COUNT); break;
    default: return 0;
    }
    return 1;
}

/* The defaults that depend on --mode, once every option is read. */
static void mode_defaults(options *o) {
    int sup = o->mode == MODE_SUPERVISED;
    wsd_train_opts *t = &o->common;
    if (o->epochs < 0) o->epochs = o->mode == MODE_FINAL ? 25 : 100;
    if (o->batch < 0) o->batch = o->mode == MODE_FINAL ? 32 : o->mode == MODE_NOCLASS ? 31 : 96;
    if (o->sl_batch < 0) o->sl_batch = WSD_SL_BATCH;
    if (o->scale < 0) o->scale = sup ? 0.1 : 0.3;
    if (t->n_milestones == 0 && sup)
        t->milestones[0] = 5, t->milestones[1] = 20, t->milestones[2] = 50, t->n_milestones = 3;
    else if (t->n_milestones == 0)
        t->milestones[0] = 1, t->milestones[1] = 2, t->milestones[2] = 20, t->n_milestones = 3;
}

static void parse_options(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    wsd_train_opts_default(&o->common);
    o->epochs = o->batch = o->sl_batch = -1;
    o->alter = 5, o->clip = 5, o->scale = -1;
    o->metric = WSD_PL_METEOR;
    struct option *opts = wsd_train_option_table(own_opts);
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1)
        if (!wsd_train_opt_parse(c, optarg, usage, &o->common) && !parse_own(c, optarg, o))
            wsd_opt_usage(usage, 0);
    free(opts);
    if (optind != argc) {
        fputs(usage, stderr);
        wsd_die("unexpected argument '%s'", argv[optind]);
    }
    const wsd_train_opts *t = &o->common;
    int sup = o->mode == MODE_SUPERVISED;
    if (!t->feats || !t->captions || !t->out || (!sup && !o->cg && !t->resume))
        wsd_die("--feats, --captions, --out and --cg (or --resume) are required (see --help)");
    if (sup && !t->vocab && !t->resume) wsd_die("--mode supervised-sl needs --vocab (or --resume)");
    mode_defaults(o);
}

typedef struct {
    options o;
    nn_device dev;
    wsd_sl sl;
    wsd_cg cg_model;
    wsd_cg *cg; /* &cg_model; NULL in supervised-sl mode */
    wsd_vocab *vocab;
    nn_ckpt *resume; /* --resume, open until the optimisers are restored */
    nn_optim opt_sl, opt_cycle;
    int has_opt_sl, has_opt_cycle;
    wsd_pseudo_labeler *pl;
    wsd_train_ws ws;
    wsd_trainlog *log; /* --log, or NULL */
    double t0;
} trainer;

static cJSON *config_json(const trainer *t, int epoch) {
    const options *o = &t->o;
    cJSON *j = wsd_ckpt_config_new("wsdec-train", epoch);
    cJSON *sl = cJSON_AddObjectToObject(j, "model_sl");
    wsd_sl_config_to_json(&t->sl.cfg, sl);
    if (t->cg) cJSON_AddItemToObject(j, "model_cg", wsd_cg_config_to_json(&t->cg->cfg));
    cJSON *tr = cJSON_AddObjectToObject(j, "train");
    static const char *modes[] = {"final", "no-class", "supervised-sl"};
    cJSON_AddStringToObject(tr, "mode", modes[o->mode]);
    cJSON_AddNumberToObject(tr, "batch", o->batch);
    cJSON_AddNumberToObject(tr, "sl_batch", o->sl_batch);
    cJSON_AddNumberToObject(tr, "alter_step", o->alter);
    cJSON_AddNumberToObject(tr, "epochs", o->epochs);
    cJSON_AddNumberToObject(tr, "lr", o->common.lr);
    cJSON_AddNumberToObject(tr, "momentum", o->common.momentum);
    cJSON_AddNumberToObject(tr, "weight_decay", o->common.weight_decay);
    cJSON_AddItemToObject(tr, "milestones",
                          cJSON_CreateIntArray(o->common.milestones, o->common.n_milestones));
    cJSON_AddNumberToObject(tr, "gamma", o->common.gamma);
    cJSON_AddNumberToObject(tr, "grad_clip", o->clip);
    cJSON_AddStringToObject(tr, "pseudo_label_metric", wsd_pl_metric_name(o->metric));
    cJSON_AddNumberToObject(tr, "seed", (double)o->common.seed);
    cJSON_AddStringToObject(tr, "captions", o->common.captions);
    cJSON_AddStringToObject(tr, "feats", o->common.feats);
    if (o->cg) cJSON_AddStringToObject(tr, "checkpoint_cg", o->cg);
    cJSON_AddNumberToObject(tr, "max_videos", o->common.max_videos);
    return j;
}

static void save(const trainer *t, int epoch) {
    cJSON *cfg = config_json(t, epoch);
    const nn_params *models[2] = {&t->sl.params, t->cg ? &t->cg->params : NULL};
    const nn_optim *optims[2];
    const char *names[2];
    int n_opt = 0;
    if (t->has_opt_sl) optims[n_opt] = &t->opt_sl, names[n_opt++] = "sl";
    if (t->has_opt_cycle) optims[n_opt] = &t->opt_cycle, names[n_opt++] = "cycle";
    nn_ckpt_contents c = {.models = models,
                          .n_models = t->cg ? 2 : 1,
                          .optims = optims,
                          .optim_names = names,
                          .n_optims = n_opt,
                          .vocab = (const char *const *)t->vocab->words,
                          .n_vocab = t->vocab->n};
    if (wsd_ckpt_save_epoch(t->o.common.out, epoch, t->o.common.keep_every, c, cfg))
        wsd_die_internal("%s", wsd_error());
    cJSON_Delete(cfg);
}

static int is_sl_epoch(const options *o, int epoch) {
    return o->mode == MODE_SUPERVISED || (o->mode == MODE_FINAL && epoch % o->alter == 0);
}

/* The caption generator and vocabulary (from --cg or --resume; supervised-sl:
 * the vocabulary only) and, when resuming, the localizer. Returns the sample rate. */
static int load_models(trainer *T) {
    const options *o = &T->o;
    if (o->mode != MODE_SUPERVISED) {
        nn_ckpt *src = T->resume ? T->resume : nn_ckpt_open(o->cg);
        if (!src || wsd_cg_load(&T->cg_model, src, T->dev)) wsd_die("%s", wsd_error());
        T->cg = &T->cg_model;
        if (!(T->vocab = wsd_ckpt_vocab(src))) wsd_die("%s", wsd_error());
        if (src != T->resume) nn_ckpt_close(src);
    } else {
        T->vocab = T->resume ? wsd_ckpt_vocab(T->resume) : wsd_vocab_load(o->common.vocab);
        if (!T->vocab) wsd_die("%s", wsd_error());
    }
    if (T->resume && wsd_sl_load(&T->sl, T->resume, T->dev)) wsd_die("%s", wsd_error());
    wsd_sl_config fresh;
    wsd_sl_config_default(&fresh);
    return o->common.sample_rate ? o->common.sample_rate
           : o->common.resume    ? T->sl.cfg.sample_rate
           : T->cg               ? T->cg->cfg.sample_rate
                                 : fresh.sample_rate;
}

/* The localizer: from scratch, sized like the CG unless told otherwise; checked
 * against the features, the vocabulary and --baseline. */
static void build_localizer(trainer *T, int feat_dim, int sample_rate) {
    const options *o = &T->o;
    const wsd_cg_config *cg = T->cg ? &T->cg->cfg : NULL;
    if (!o->common.resume) {
        wsd_sl_config cfg;
        wsd_sl_config_default(&cfg);
        cfg.feat_dim = feat_dim;
        cfg.vocab = cg ? cg->vocab : T->vocab->n;
        cfg.hidden = o->common.hidden ? o->common.hidden : cg ? cg->hidden : cfg.hidden;
        cfg.embed = o->common.embed ? o->common.embed : cg ? cg->embed : cfg.embed;
        cfg.scale = (float)o->scale;
        cfg.regress_only = o->mode == MODE_NOCLASS;
        cfg.sample_rate = sample_rate;
        if (wsd_sl_init(&T->sl, &cfg, (uint64_t)o->common.seed, T->dev))
            wsd_die_internal("%s", wsd_error());
    }
    /* the caption generator reads the same features: found now, not in batch 0 */
    if (cg && cg->feat_dim != feat_dim)
        wsd_die("%s: features have %d dims, the caption generator of %s expects %d",
                o->common.feats, feat_dim, o->common.resume ? o->common.resume : o->cg,
                cg->feat_dim);
    if (T->sl.cfg.feat_dim != feat_dim)
        wsd_die("%s: features have %d dims, the model expects %d", o->common.feats, feat_dim,
                T->sl.cfg.feat_dim);
    if (T->vocab->n > T->sl.cfg.vocab)
        wsd_die("vocabulary has %d entries but the localizer only %d", T->vocab->n,
                T->sl.cfg.vocab);
    if ((o->mode == MODE_NOCLASS) != T->sl.cfg.regress_only)
        wsd_die("%s: the checkpoint's localizer type does not match --baseline", o->common.resume);
}

/* The optimisers (train_script/train_final.py of XgDuan/WSDEC): opt_sl over
 * every SL parameter; the cycle optimiser with the refiner at lr, the rest of
 * the SL at lr/10 and the CG at lr (no-class baseline: the whole SL at lr). */
static void build_optimisers(trainer *T) {
    const options *o = &T->o;
    if (o->mode != MODE_NOCLASS) {
        nn_sgd_init(&T->opt_sl, o->common.momentum, o->common.weight_decay);
        nn_optim_add_group(&T->opt_sl, &T->sl.params, o->common.lr);
        T->has_opt_sl = 1;
    }
    if (o->mode != MODE_SUPERVISED) {
        nn_sgd_init(&T->opt_cycle, o->common.momentum, o->common.weight_decay);
        if (o->mode == MODE_FINAL) {
            nn_optim_add_group(&T->opt_cycle, &T->sl.refiner_group, o->common.lr);
            nn_optim_add_group(&T->opt_cycle, &T->sl.other_group, o->common.lr / 10);
        } else {
            nn_optim_add_group(&T->opt_cycle, &T->sl.params, o->common.lr);
        }
        nn_optim_add_group(&T->opt_cycle, &T->cg->params, o->common.lr);
        T->has_opt_cycle = 1;
    }
    if (T->resume && T->has_opt_sl && nn_ckpt_load_optim(T->resume, "sl", &T->opt_sl))
        wsd_die("%s", wsd_error());
    if (T->resume && T->has_opt_cycle && nn_ckpt_load_optim(T->resume, "cycle", &T->opt_cycle))
        wsd_die("%s", wsd_error());
    nn_ckpt_close(T->resume);
    T->resume = NULL;
}

/* Pseudo-labels: METEOR or an explicitly chosen stand-in, never silently;
 * opened only when an SL epoch of the final mode is still to run. */
static void open_labeler(trainer *T, int start_epoch) {
    const options *o = &T->o;
    int need = 0;
    for (int e = start_epoch; e < o->epochs && o->mode == MODE_FINAL; e++)
        need |= is_sl_epoch(o, e);
    if (!need) return;
    if (!(T->pl = wsd_pl_open(o->metric, o->meteor_dir)))
        wsd_die("%s\nThe SL epochs label anchors with METEOR 1.5, which needs Meteor's data files "
                "(meteor-1.5.jar, data/paraphrase-en.gz) that Debian does not ship: install "
                "pycocoevalcap, "
                "run data/download.sh meteor, or pass --meteor-dir DIR, "
                "or choose the documented stand-in with --pseudo-label-metric unigram-f (see "
                "wsdec-train(1)).",
                wsd_error());
    if (o->common.quiet) return;
    if (o->metric == WSD_PL_UNIGRAM_F)
        fprintf(stderr, "wsdec-train: pseudo-labels by the unigram-F stand-in, NOT METEOR "
                        "(--pseudo-label-metric unigram-f)\n");
    else if (*wsd_pl_caveat(T->pl))
        fprintf(stderr, "wsdec-train: pseudo-label METEOR %s\n", wsd_pl_caveat(T->pl));
}

/* One SL-epoch batch: pseudo-labels (or GT targets) -> SL gradient -> step.
 * Counts the pseudo-labels per anchor in hist. */
static int sl_batch(trainer *T, const wsd_batch *b, wsd_rng *rng, double *loss, double *aux,
                    long *hist) {
    nn_params_zero_grad(&T->sl.params);
    int rc;
    if (T->o.mode == MODE_SUPERVISED) {
        rc = wsd_supervised_grad(&T->sl, &T->ws, b, rng, loss, aux);
    } else {
        int *labels = wsd_malloc(sizeof *labels * (size_t)b->N);
        rc = wsd_pseudo_grad(&T->sl, T->cg, &T->ws, T->pl, T->vocab, b, WSD_PSEUDO_BEAM,
                             T->cg->cfg.max_cap_length, rng, loss, labels, aux);
        for (int n = 0; rc == 0 && n < b->N; n++) hist[labels[n]]++;
        free(labels);
    }
    return rc == 0 ? nn_optim_step(&T->opt_sl) : rc;
}

/* One cycle batch: noise on the SL's segments, CG dropout seeded by (seed,
 * epoch, batch), cycle gradient, the localizer's gradients clipped, step. */
static int cycle_batch(trainer *T, const wsd_batch *b, int epoch, int i, wsd_rng *rng,
                       wsd_rng *noise_rng, double *loss, double *aux) {
    const options *o = &T->o;
    float *noise = wsd_malloc(sizeof *noise * 2 * (size_t)b->N);
    for (int k = 0; k < 2 * b->N; k++) noise[k] = (wsd_rng_uniformf(noise_rng) - 0.5f) / 50.0f;
    wsd_rng_seed(&T->cg->rng, wsd_rng_stream((uint64_t)o->common.seed, WSD_STREAM_CYCLE_CG_DROPOUT,
                                             epoch, (uint64_t)i));
    nn_params_zero_grad(&T->sl.params);
    nn_params_zero_grad(&T->cg->params);
    int rc = wsd_cycle_grad(&T->sl, T->cg, &T->ws, b, noise, rng, loss, aux);
    free(noise);
    /* only the localizer's gradients are clipped (train_final.py) */
    if (rc == 0 && o->clip > 0) nn_clip_grad_norm(&T->sl.params, o->clip);
    return rc == 0 ? nn_optim_step(&T->opt_cycle) : rc;
}

/* One epoch's running figures, for its log records and summary line. */
typedef struct {
    int epoch, n_batches, sl_epoch, sup;
    const char *phase, *aux_name; /* "SL"/"cycle"/"supervised", "miou"/"rec" */
    double sum, sum2, lr_now, lr_scale, te;
    long hist[WSD_NUM_ANCHORS]; /* pseudo-labels per anchor */
} epoch_stats;

static void log_batch(trainer *T, const epoch_stats *st, int i, double loss, double aux) {
    cJSON *rec = wsd_trainlog_record(T->log, "batch", st->epoch);
    wsd_trainlog_set(rec, NULL, "batch", i + 1);
    wsd_trainlog_set(rec, NULL, "batches", st->n_batches);
    if (rec) cJSON_AddStringToObject(rec, "phase", st->phase);
    wsd_trainlog_set(rec, "loss", st->phase, loss);
    wsd_trainlog_set(rec, "loss", st->aux_name, aux);
    wsd_trainlog_set(rec, "lr", st->phase, st->lr_now);
    wsd_trainlog_set(rec, NULL, "seconds", wsd_now() - T->t0);
    if (wsd_trainlog_write(T->log, rec)) wsd_die_internal("%s", wsd_error());
}

/* The epoch's log record and, unless --quiet, its summary line. */
static void end_epoch(trainer *T, const epoch_stats *st) {
    int n = st->n_batches, labels = st->sl_epoch && !st->sup;
    cJSON *rec = wsd_trainlog_record(T->log, "epoch", st->epoch);
    wsd_trainlog_set(rec, NULL, "batches", n);
    if (rec) cJSON_AddStringToObject(rec, "phase", st->phase);
    wsd_trainlog_set(rec, "loss", st->phase, st->sum / n);
    wsd_trainlog_set(rec, "loss", st->aux_name, st->sum2 / n);
    wsd_trainlog_set(rec, "lr", st->phase, st->lr_now);
    wsd_trainlog_set(rec, NULL, "lr_scale", st->lr_scale);
    wsd_trainlog_set(rec, NULL, "seconds", wsd_now() - st->te);
    if (rec && labels) {
        cJSON *pls = cJSON_AddObjectToObject(rec, "pseudo_labels");
        cJSON *per_anchor = cJSON_AddArrayToObject(pls, "per_anchor");
        long n_labels = 0;
        for (int k = 0; k < WSD_NUM_ANCHORS; k++) {
            cJSON_AddItemToArray(per_anchor, cJSON_CreateNumber((double)st->hist[k]));
            n_labels += st->hist[k];
        }
        cJSON_AddNumberToObject(pls, "n", (double)n_labels);
    }
    if (wsd_trainlog_write(T->log, rec)) wsd_die_internal("%s", wsd_error());
    if (T->o.common.quiet) return;
    fprintf(stderr, "epoch %d %s done: mean loss %.4f mean %s %.4g lr x%.3g %.1fs", st->epoch,
            st->phase, st->sum / n, st->aux_name, st->sum2 / n, st->lr_scale, wsd_now() - st->te);
    if (labels) {
        fprintf(stderr, "; pseudo-labels per anchor:");
        for (int k = 0; k < WSD_NUM_ANCHORS; k++) fprintf(stderr, " %ld", st->hist[k]);
    }
    fputc('\n', stderr);
}

/* One epoch: both schedulers stepped whatever the phase, then the batches of
 * the phase's batcher. */
static void train_epoch(trainer *T, wsd_batcher *bt_sl, wsd_batcher *bt_cycle, int epoch) {
    const options *o = &T->o;
    const wsd_train_opts *t = &o->common;
    epoch_stats st = {.epoch = epoch, .sl_epoch = is_sl_epoch(o, epoch), .te = wsd_now()};
    st.lr_scale = nn_lr_multistep(epoch, t->milestones, t->n_milestones, t->gamma);
    if (T->has_opt_sl) nn_optim_set_lr_scale(&T->opt_sl, st.lr_scale);
    if (T->has_opt_cycle) nn_optim_set_lr_scale(&T->opt_cycle, st.lr_scale);
    st.sup = o->mode == MODE_SUPERVISED;
    wsd_batcher *bt = st.sl_epoch && bt_sl ? bt_sl : bt_cycle;
    wsd_batcher_epoch(bt, epoch);
    int n_batches = st.n_batches = wsd_batcher_count(bt);
    if (o->max_batches > 0 && n_batches > o->max_batches) n_batches = st.n_batches = o->max_batches;
    wsd_rng rng, noise_rng;
    wsd_rng_seed(&rng, wsd_rng_stream((uint64_t)t->seed, WSD_STREAM_CYCLE, epoch, 1));
    wsd_rng_seed(&noise_rng, wsd_rng_stream((uint64_t)t->seed, WSD_STREAM_CYCLE, epoch, 2));
    if (T->cg) T->cg->training = !st.sl_epoch;
    st.phase = st.sup ? "supervised" : st.sl_epoch ? "SL" : "cycle";
    st.aux_name = st.sl_epoch ? "miou" : "rec";
    const nn_optim *opt_now = st.sl_epoch ? (T->has_opt_sl ? &T->opt_sl : NULL)
                                          : (T->has_opt_cycle ? &T->opt_cycle : NULL);
    st.lr_now = opt_now && opt_now->n_groups ? opt_now->groups[0].lr : 0;
    char label[48];
    snprintf(label, sizeof label, "epoch %d %s", epoch, st.phase);
    wsd_progress pg;
    wsd_progress_start(&pg, label, n_batches, t->quiet);
    pg.every_n = t->log_every;
    wsd_batch b;
    wsd_batch_init(&b);
    for (int i = 0; i < n_batches; i++) {
        if (wsd_batcher_get(bt, i, &b)) wsd_die("%s", wsd_error());
        double loss = 0, aux = 0;
        int rc = st.sl_epoch ? sl_batch(T, &b, &rng, &loss, &aux, st.hist)
                             : cycle_batch(T, &b, epoch, i, &rng, &noise_rng, &loss, &aux);
        if (rc) wsd_die_internal("epoch %d batch %d: %s", epoch, i, wsd_error());
        if (!isfinite(loss)) {
            char ids[1024];
            wsd_die("epoch %d batch %d: the loss is %g, not finite (diverged: a lower --lr, or bad "
                    "features) on the videos %s",
                    epoch, i, loss, wsd_batch_ids(&b, ids, sizeof ids));
        }
        st.sum += loss, st.sum2 += aux;
        wsd_progress_note(&pg, "loss %.4f %s %.4g %.1fs", loss, st.aux_name, aux,
                          wsd_now() - T->t0);
        wsd_progress_step(&pg, 1);
        log_batch(T, &st, i, loss, aux);
    }
    wsd_batch_free(&b);
    wsd_progress_end(&pg);
    end_epoch(T, &st);
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    trainer T;
    memset(&T, 0, sizeof T);
    options *o = &T.o;
    parse_options(argc, argv, o);
    /* before any work: the output is no input (--resume may be --out itself,
     * to continue in place), and its folder is writable */
    const char *ins[] = {"--feats", o->common.feats, "--captions", o->common.captions,
                         "--cg",    o->cg,           "--vocab",    o->common.vocab};
    if (wsd_out_distinct(o->common.out, ins, 4) || wsd_tmp_probe(o->common.out))
        wsd_die("%s", wsd_error());
    T.dev = nn_opt_device(o->common.device);
    nn_set_threads(o->common.threads);

    int start_epoch = 0;
    if (o->common.resume && !(T.resume = nn_ckpt_open(o->common.resume)))
        wsd_die("%s", wsd_error());
    if (T.resume && wsd_ckpt_resume_epoch(T.resume, "wsdec-train", &start_epoch))
        wsd_die("%s", wsd_error());
    int sample_rate = load_models(&T);
    wsd_trainset ts;
    if (wsd_trainset_load(&ts, o->common.captions, o->common.feats, sample_rate,
                          (size_t)o->common.max_videos))
        wsd_die("%s", wsd_error());
    wsd_batcher_opts bo = {.batch_size = o->batch,
                           .mode = WSD_BATCH_SAMPLE,
                           .shuffle = 1,
                           .drop_last = 1,
                           .seed = (uint64_t)o->common.seed};
    wsd_batcher *bt_cycle = wsd_trainset_batcher(&ts, T.vocab, bo);
    bo.batch_size = o->sl_batch;
    wsd_batcher *bt_sl = o->mode == MODE_FINAL ? wsd_trainset_batcher(&ts, T.vocab, bo) : NULL;
    if (!bt_cycle || (o->mode == MODE_FINAL && !bt_sl)) wsd_die("%s", wsd_error());
    /* name the batch that does not fit: --batch (cycle) or --sl-batch (SL epochs) */
    int short_sl = bt_sl && wsd_batcher_count(bt_sl) == 0 && wsd_batcher_count(bt_cycle) > 0;
    if (wsd_batcher_count(bt_cycle) == 0 || short_sl)
        wsd_die(
            "%s: %d videos with sentences, fewer than one batch of %d (%s; batches drop the last "
            "partial one)",
            o->common.captions, wsd_batcher_videos(bt_cycle), short_sl ? o->sl_batch : o->batch,
            short_sl ? "--sl-batch" : "--batch");
    build_localizer(&T, wsd_featset_dim(ts.fs), sample_rate);
    build_optimisers(&T);
    open_labeler(&T, start_epoch);
    if (!o->common.quiet) {
        static const char *modes[] = {"final", "no-class baseline", "supervised-sl"};
        fprintf(stderr,
                "wsdec-train: %s, %d videos (of %zu), cycle batch %d (%d batches)%s%.0d, SL %zu "
                "parameters%s, regressor scale %g, device %s, epochs %d..%d\n",
                modes[o->mode], wsd_batcher_videos(bt_cycle), ts.caps->n, o->batch,
                wsd_batcher_count(bt_cycle), bt_sl ? ", SL batch " : "", bt_sl ? o->sl_batch : 0,
                nn_params_count(&T.sl.params, 0), T.cg ? ", CG from checkpoint" : "", o->scale,
                nn_device_name(T.dev), start_epoch, o->epochs - 1);
    }

    if (o->common.log &&
        !(T.log = wsd_trainlog_open(o->common.log, "wsdec-train", o->common.resume != NULL)))
        wsd_die("%s", wsd_error());
    T.t0 = wsd_now();
    for (int epoch = start_epoch; epoch < o->epochs; epoch++) {
        train_epoch(&T, bt_sl, bt_cycle, epoch);
        save(&T, epoch + 1);
    }
    if (start_epoch >= o->epochs && !o->common.quiet)
        fprintf(stderr, "wsdec-train: %s already has %d epochs; nothing to do\n", o->common.resume,
                start_epoch);
    if (wsd_trainlog_close(T.log)) wsd_die_internal("%s", wsd_error());
    wsd_train_ws_free(&T.ws);
    wsd_pl_close(T.pl);
    if (T.has_opt_sl) nn_optim_free(&T.opt_sl);
    if (T.has_opt_cycle) nn_optim_free(&T.opt_cycle);
    if (T.cg) wsd_cg_free(T.cg);
    wsd_sl_free(&T.sl);
    wsd_batcher_free(bt_cycle);
    if (bt_sl) wsd_batcher_free(bt_sl);
    wsd_trainset_free(&ts);
    wsd_vocab_free(T.vocab);
    return 0;
}
