/* cg-pretrain: train the caption generator (WSDEC
 * train_script/train_cg_pretrain.py with the full-video segment;
 * train_script/train_cg.py with GT segments). */
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
#include "wsd/train_opts.h"
#include "wsd/trainset.h"

static const char usage[] =
    "usage: cg-pretrain --feats FILE --captions FILE --vocab FILE --out CKPT [OPTIONS]\n"
    "Train the caption generator: every training sentence paired with the whole\n"
    "video (cw = 0.5, 1; --segments full) or with its ground-truth segment\n"
    "(--segments gt). One random sentence per video per epoch, shuffled,\n"
    "last partial batch dropped; SGD with momentum, multi-step lr schedule.\n"
    "  --feats FILE        features: tensor stream or C3D HDF5\n"
    "  --captions FILE     training captions (official JSON or JSONL)\n"
    "  --vocab FILE        vocabulary JSON (vocab-build)\n"
    "  --out CKPT          checkpoint written after every epoch (HDF5)\n"
    "  --segments full|gt  (default full)\n"
    "  --epochs N          (100)        --batch N      (36; 64 with --segments gt)\n"
    "  --lr X              (0.01)       --momentum X   (0.8)   --weight-decay X (1e-4)\n"
    "  --milestones A,B,.. (20,50,70)   --gamma X      (0.1)\n"
    "  --sample-rate N     feature sub-sampling (2)\n"
    "  --hidden N --embed N   model sizes (512, 512)\n"
    "  --dropout X         between GRU layers (0.3)\n"
    "  --max-videos N      use only the first N videos of the captions (0 = all)\n"
    "  --val-captions FILE report the validation loss after every epoch (every\n"
    "                      sentence, its segment as in training, eval mode)\n"
    "  --val-feats FILE    features of the validation videos (default: --feats)\n"
    "  --seed N            initialisation, shuffles, sentence draws, dropout (233)\n"
    "  --resume CKPT       continue from a cg-pretrain checkpoint\n"
    "  --keep-every N      also keep CKPT's numbered copy every N epochs\n"
    "  --log-every N       progress line every N batches when stderr is no terminal (10)\n"
    "  --log FILE          training log, JSON Lines: losses and lr per batch and epoch\n"
    "  --threads N         CPU threads (0 = one per core; results do not change)\n"
    "  --device auto|cpu|cuda   (auto)\n"
    "  -q, --quiet   -h, --help   --version\n"
    "See cg-pretrain(1).\n";

typedef struct {
    wsd_train_opts common; /* the options wsdec-train shares (wsd/train_opts.h) */
    const char *val_captions, *val_feats;
    int gt, epochs, batch;
    double dropout;
} options;

enum { O_SEG = WSD_TRAIN_OPT_END, O_EPOCHS, O_BATCH, O_DROP, O_VALC, O_VALF };
static const struct option own_opts[] = {{"segments", 1, 0, O_SEG},
                                         {"epochs", 1, 0, O_EPOCHS},
                                         {"batch", 1, 0, O_BATCH},
                                         {"dropout", 1, 0, O_DROP},
                                         {"val-captions", 1, 0, O_VALC},
                                         {"val-feats", 1, 0, O_VALF},
                                         {0, 0, 0, 0}};

/* The options only cg-pretrain has; 0 when c is none of them. */
static int parse_own(int c, const char *arg, options *o) {
    switch (c) {
    case O_SEG:
        o->gt = wsd_opt_choice(arg, "--segments", (const char *const[]){"full", "gt", NULL});
        break;
    case O_EPOCHS: o->epochs = wsd_opt_int(arg, "--epochs", 0, 100000); break;
    case O_BATCH: o->batch = wsd_opt_int(arg, "--batch", 1, 100000); break;
    case O_DROP: o->dropout = wsd_opt_double(arg, "--dropout", 0, 0.99); break;
    case O_VALC: o->val_captions = arg; break;
    case O_VALF: o->val_feats = arg; break;
    default: return 0;
    }
    return 1;
}

static void parse_options(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    wsd_train_opts *t = &o->common;
    wsd_train_opts_default(t);
    t->sample_rate = 2, t->hidden = 512, t->embed = 512;
    o->epochs = 100, o->batch = -1, o->dropout = 0.3;
    struct option *opts = wsd_train_option_table(own_opts);
    int c;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1)
        if (!wsd_train_opt_parse(c, optarg, usage, t) && !parse_own(c, optarg, o))
            wsd_opt_usage(usage, 0);
    free(opts);
    if (optind != argc) wsd_die("unexpected argument '%s' (see --help)", argv[optind]);
    if (!t->feats || !t->captions || !t->vocab || !t->out)
        wsd_die("--feats, --captions, --vocab and --out are required (see --help)");
    if (o->batch < 0) o->batch = o->gt ? 64 : 36;
    if (t->n_milestones == 0)
        t->milestones[0] = 20, t->milestones[1] = 50, t->milestones[2] = 70, t->n_milestones = 3;
}

/* The run's configuration: the trainer's and the model's under "model_cg";
 * `epoch` = epochs completed. */
static cJSON *config_json(const wsd_cg *cg, const options *o, int epoch) {
    cJSON *j = wsd_ckpt_config_new("cg-pretrain", epoch);
    cJSON_AddItemToObject(j, "model_cg", wsd_cg_config_to_json(&cg->cfg));
    cJSON *t = cJSON_AddObjectToObject(j, "train");
    cJSON_AddStringToObject(t, "segments", o->gt ? "gt" : "full");
    cJSON_AddNumberToObject(t, "batch", o->batch);
    cJSON_AddNumberToObject(t, "epochs", o->epochs);
    cJSON_AddNumberToObject(t, "lr", o->common.lr);
    cJSON_AddNumberToObject(t, "momentum", o->common.momentum);
    cJSON_AddNumberToObject(t, "weight_decay", o->common.weight_decay);
    cJSON_AddItemToObject(t, "milestones",
                          cJSON_CreateIntArray(o->common.milestones, o->common.n_milestones));
    cJSON_AddNumberToObject(t, "gamma", o->common.gamma);
    cJSON_AddNumberToObject(t, "seed", (double)o->common.seed);
    cJSON_AddStringToObject(t, "captions", o->common.captions);
    cJSON_AddStringToObject(t, "feats", o->common.feats);
    cJSON_AddNumberToObject(t, "max_videos", o->common.max_videos);
    return j;
}

static void save(const options *o, wsd_cg *cg, const nn_optim *opt, const wsd_vocab *vocab,
                 int epoch) {
    cJSON *cfg = config_json(cg, o, epoch);
    const nn_params *models[1] = {&cg->params};
    const nn_optim *optims[1] = {opt};
    const char *names[1] = {"model_cg"};
    nn_ckpt_contents c = {.models = models,
                          .n_models = 1,
                          .optims = optims,
                          .optim_names = names,
                          .n_optims = 1,
                          .vocab = (const char *const *)vocab->words,
                          .n_vocab = vocab->n};
    if (wsd_ckpt_save_epoch(o->common.out, epoch, o->common.keep_every, c, cfg))
        wsd_die_internal("%s", wsd_error());
    cJSON_Delete(cfg);
}

/* The training segment of every sentence of b (normalised cw, host). */
static void batch_segments(const options *o, const wsd_batch *b, float *seg) {
    for (int n = 0; n < b->N; n++) {
        if (o->gt) {
            wsd_batch_featidx_cw(b, n, &seg[2 * n], &seg[2 * n + 1]);
        } else {
            seg[2 * n] = 0.5f; /* se = [0, 1]: the whole video */
            seg[2 * n + 1] = 1.0f;
        }
    }
}

/* The caption loss of batch b with its training segments: forward only, or
 * forward + backward + step when opt is given. */
static double batch_loss(const options *o, wsd_cg *cg, wsd_cg_run *run, const wsd_batch *b,
                         nn_tensor *seg, nn_optim *opt) {
    float *host = wsd_malloc(sizeof(float) * 2 * b->N);
    batch_segments(o, b, host);
    nn_tensor_ensure2(seg, cg->dev, b->N, 2);
    if (nn_tensor_from_host(seg, host, (size_t)2 * b->N)) wsd_die_internal("%s", wsd_error());
    free(host);
    double loss;
    if (opt) nn_params_zero_grad(&cg->params);
    if (wsd_cg_forward(cg, run, b, seg, opt != NULL, &loss, NULL) ||
        (opt && (wsd_cg_backward(cg, run, 1.0f, NULL) || nn_optim_step(opt))))
        wsd_die_internal("%s", wsd_error());
    return loss;
}

/* Validation: the caption loss of every sentence (Full dataset, eval mode, no
 * batch dropped), as total NLL / sentences and per word. */
static void val_loss(wsd_batcher *bt, const options *o, wsd_cg *cg, double *per_sentence,
                     double *per_word) {
    wsd_batch b;
    wsd_batch_init(&b);
    nn_tensor seg = {0};
    wsd_cg_run run = {0};
    double total = 0;
    long sentences = 0, words = 0;
    cg->training = 0;
    for (int i = 0; i < wsd_batcher_count(bt); i++) {
        if (wsd_batcher_get(bt, i, &b)) wsd_die("%s", wsd_error());
        total += batch_loss(o, cg, &run, &b, &seg, NULL) * b.N;
        sentences += b.N;
        for (int n = 0; n < b.N; n++) words += b.caption_len[n] - 1;
    }
    cg->training = 1;
    *per_sentence = total / (double)(sentences ? sentences : 1);
    *per_word = total / (double)(words ? words : 1);
    nn_tensor_free(&seg);
    wsd_cg_run_free(&run);
    wsd_batch_free(&b);
}

/* One epoch of SGD over the shuffled batches: progress on stderr, a log record
 * per batch; returns the epoch's log record (NULL without a log) for the caller
 * to complete and write. */
static cJSON *train_epoch(const options *o, wsd_cg *cg, nn_optim *opt, wsd_batcher *bt, int epoch,
                          double t0, wsd_trainlog *tlog) {
    /* MultiStepLR stepped at the start of every epoch */
    nn_optim_set_lr_scale(
        opt, nn_lr_multistep(epoch, o->common.milestones, o->common.n_milestones, o->common.gamma));
    wsd_batcher_epoch(bt, epoch);
    int n_batches = wsd_batcher_count(bt);
    wsd_batch b;
    wsd_batch_init(&b);
    nn_tensor seg = {0};
    wsd_cg_run run = {0};
    double sum = 0, te = wsd_now();
    long words = 0;
    char label[32];
    snprintf(label, sizeof label, "epoch %d", epoch);
    wsd_progress pg;
    wsd_progress_start(&pg, label, n_batches, o->common.quiet);
    pg.every_n = o->common.log_every;
    for (int i = 0; i < n_batches; i++) {
        if (wsd_batcher_get(bt, i, &b)) wsd_die("%s", wsd_error());
        for (int n = 0; n < b.N; n++) words += b.caption_len[n] - 1;
        /* dropout masks are a function of (seed, epoch, batch): resumable */
        wsd_rng_seed(&cg->rng, wsd_rng_stream((uint64_t)o->common.seed, WSD_STREAM_CG_DROPOUT,
                                              epoch, (uint64_t)i));
        double loss = batch_loss(o, cg, &run, &b, &seg, opt);
        if (!isfinite(loss)) {
            char ids[1024];
            wsd_die("epoch %d batch %d: the loss is %g, not finite (diverged: a lower --lr, or bad "
                    "features) on the videos %s",
                    epoch, i, loss, wsd_batch_ids(&b, ids, sizeof ids));
        }
        sum += loss;
        wsd_progress_note(&pg, "loss %.4f lr %.3g %.1fs", loss, opt->groups[0].lr, wsd_now() - t0);
        wsd_progress_step(&pg, 1);
        cJSON *rec = wsd_trainlog_record(tlog, "batch", epoch);
        wsd_trainlog_set(rec, NULL, "batch", i + 1);
        wsd_trainlog_set(rec, NULL, "batches", n_batches);
        wsd_trainlog_set(rec, "loss", "caption", loss);
        wsd_trainlog_set(rec, "lr", "cg", opt->groups[0].lr);
        wsd_trainlog_set(rec, NULL, "seconds", wsd_now() - t0);
        if (wsd_trainlog_write(tlog, rec)) wsd_die_internal("%s", wsd_error());
    }
    wsd_progress_end(&pg);
    double per_word = sum * b.N / (double)(words ? words : 1);
    if (!o->common.quiet)
        fprintf(stderr, "epoch %d done: mean loss %.4f (per word %.4f) lr %.3g %.1fs\n", epoch,
                sum / n_batches, per_word, opt->groups[0].lr, wsd_now() - te);
    cJSON *rec = wsd_trainlog_record(tlog, "epoch", epoch);
    wsd_trainlog_set(rec, NULL, "batches", n_batches);
    wsd_trainlog_set(rec, "loss", "caption", sum / n_batches);
    wsd_trainlog_set(rec, "loss", "caption per word", per_word);
    wsd_trainlog_set(rec, "lr", "cg", opt->groups[0].lr);
    wsd_trainlog_set(rec, NULL, "seconds", wsd_now() - te);
    nn_tensor_free(&seg);
    wsd_cg_run_free(&run);
    wsd_batch_free(&b);
    return rec;
}

/* The generator to train: resumed from a checkpoint or new. */
static void model(wsd_cg *cg, const options *o, nn_ckpt *resume, const wsd_vocab *vocab,
                  int feat_dim, nn_device dev) {
    if (resume) {
        if (wsd_cg_load(cg, resume, dev)) wsd_die("%s", wsd_error());
        if (cg->cfg.vocab != vocab->n)
            wsd_die("%s: model vocabulary %d, --vocab has %d entries", o->common.resume,
                    cg->cfg.vocab, vocab->n);
    } else {
        wsd_cg_config cfg;
        wsd_cg_config_default(&cfg);
        cfg.feat_dim = feat_dim;
        cfg.hidden = o->common.hidden;
        cfg.embed = o->common.embed;
        cfg.vocab = vocab->n;
        cfg.dropout = (float)o->dropout;
        cfg.sample_rate = o->common.sample_rate;
        if (wsd_cg_init(cg, &cfg, (uint64_t)o->common.seed, dev))
            wsd_die_internal("%s", wsd_error());
    }
    if (cg->cfg.feat_dim != feat_dim)
        wsd_die("%s: features have %d dims, the model expects %d", o->common.feats, feat_dim,
                cg->cfg.feat_dim);
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    options o;
    parse_options(argc, argv, &o);
    /* before any work: the output is no input, and its folder is writable */
    const char *ins[] = {"--feats",     o.common.feats, "--captions",     o.common.captions,
                         "--vocab",     o.common.vocab, "--val-captions", o.val_captions,
                         "--val-feats", o.val_feats};
    if (wsd_out_distinct(o.common.out, ins, 5) || wsd_tmp_probe(o.common.out))
        wsd_die("%s", wsd_error());
    nn_device dev = nn_opt_device(o.common.device);
    nn_set_threads(o.common.threads);

    wsd_trainset ts, val = {0};
    if (wsd_trainset_load(&ts, o.common.captions, o.common.feats, o.common.sample_rate,
                          (size_t)o.common.max_videos))
        wsd_die("%s", wsd_error());
    wsd_vocab *vocab = wsd_vocab_load(o.common.vocab);
    if (!vocab) wsd_die("%s", wsd_error());
    wsd_batcher_opts bo = {.batch_size = o.batch,
                           .mode = WSD_BATCH_SAMPLE,
                           .shuffle = 1,
                           .drop_last = 1,
                           .seed = (uint64_t)o.common.seed};
    wsd_batcher *bt = wsd_trainset_batcher(&ts, vocab, bo), *bt_val = NULL;
    if (!bt) wsd_die("%s", wsd_error());
    int n_batches = wsd_batcher_count(bt);
    if (n_batches == 0)
        wsd_die("%s: %d videos with sentences, fewer than one batch of %d (batches drop the last "
                "partial one)",
                o.common.captions, wsd_batcher_videos(bt), o.batch);

    int start_epoch = 0;
    nn_ckpt *resume = NULL;
    if (o.common.resume && !(resume = nn_ckpt_open(o.common.resume))) wsd_die("%s", wsd_error());
    if (resume && wsd_ckpt_resume_epoch(resume, "cg-pretrain", &start_epoch))
        wsd_die("%s", wsd_error());
    wsd_cg cgm, *cg = &cgm;
    model(cg, &o, resume, vocab, wsd_featset_dim(ts.fs), dev);
    nn_optim opt;
    nn_sgd_init(&opt, o.common.momentum, o.common.weight_decay);
    nn_optim_add_group(&opt, &cg->params, o.common.lr);
    if (resume && nn_ckpt_load_optim(resume, "model_cg", &opt)) wsd_die("%s", wsd_error());
    nn_ckpt_close(resume);
    if (o.val_captions) {
        if (wsd_trainset_load(&val, o.val_captions, o.val_feats ? o.val_feats : o.common.feats,
                              o.common.sample_rate, 0))
            wsd_die("%s", wsd_error());
        if (wsd_featset_dim(val.fs) != cg->cfg.feat_dim)
            wsd_die("%s: validation features have %d dims, the model expects %d (as %s)",
                    o.val_feats ? o.val_feats : o.common.feats, wsd_featset_dim(val.fs),
                    cg->cfg.feat_dim, o.common.feats);
        wsd_batcher_opts vo = {.batch_size = o.batch, .mode = WSD_BATCH_FULL};
        if (!(bt_val = wsd_trainset_batcher(&val, vocab, vo))) wsd_die("%s", wsd_error());
    }
    cg->training = 1;
    if (!o.common.quiet)
        fprintf(stderr,
                "cg-pretrain: %d videos (of %zu), %d batches of %d per epoch, segments %s, %zu "
                "parameters, device %s, epochs %d..%d\n",
                wsd_batcher_videos(bt), ts.caps->n, n_batches, o.batch, o.gt ? "gt" : "full",
                nn_params_count(&cg->params, 0), nn_device_name(dev), start_epoch, o.epochs - 1);

    wsd_trainlog *tlog = NULL;
    if (o.common.log &&
        !(tlog = wsd_trainlog_open(o.common.log, "cg-pretrain", o.common.resume != NULL)))
        wsd_die("%s", wsd_error());
    double t0 = wsd_now();
    for (int epoch = start_epoch; epoch < o.epochs; epoch++) {
        cJSON *rec = train_epoch(&o, cg, &opt, bt, epoch, t0, tlog);
        if (bt_val) {
            double vs, vw;
            val_loss(bt_val, &o, cg, &vs, &vw);
            fprintf(stderr, "epoch %d validation: loss %.4f (per word %.4f) over %d videos\n",
                    epoch, vs, vw, wsd_batcher_videos(bt_val));
            wsd_trainlog_set(rec, "loss", "validation", vs);
            wsd_trainlog_set(rec, "loss", "validation per word", vw);
        }
        if (wsd_trainlog_write(tlog, rec)) wsd_die_internal("%s", wsd_error());
        save(&o, cg, &opt, vocab, epoch + 1);
    }
    if (start_epoch >= o.epochs && !o.common.quiet)
        fprintf(stderr, "cg-pretrain: %s already has %d epochs; nothing to do\n", o.common.resume,
                start_epoch);
    if (wsd_trainlog_close(tlog)) wsd_die_internal("%s", wsd_error());
    if (bt_val) wsd_batcher_free(bt_val);
    wsd_trainset_free(&val);
    nn_optim_free(&opt);
    wsd_cg_free(cg);
    wsd_batcher_free(bt);
    wsd_trainset_free(&ts);
    wsd_vocab_free(vocab);
    return 0;
}
