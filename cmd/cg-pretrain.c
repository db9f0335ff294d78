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
    "  --threads N         CPU threads for matrix products (0 = library default)\n"
    "  --device auto|cpu|cuda   (auto)\n"
    "  -q, --quiet   -h, --help   --version\n"
    "See cg-pretrain(1).\n";

typedef struct {
    const char *feats, *captions, *vocab, *out, *resume, *device, *val_captions, *val_feats, *log;
    int gt, epochs, batch, sample_rate, hidden, embed, max_videos, keep_every, log_every;
    int threads, quiet;
    double lr, momentum, weight_decay, gamma, dropout;
    int milestones[16], n_milestones;
    long seed;
} options;

enum {
    O_FEATS = 256,
    O_CAPS,
    O_VOCAB,
    O_OUT,
    O_SEG,
    O_EPOCHS,
    O_BATCH,
    O_LR,
    O_MOM,
    O_WD,
    O_MILE,
    O_GAMMA,
    O_RATE,
    O_HIDDEN,
    O_EMBED,
    O_DROP,
    O_MAXV,
    O_SEED,
    O_RESUME,
    O_KEEP,
    O_LOG,
    O_THREADS,
    O_DEVICE,
    O_VERSION,
    O_VALC,
    O_VALF,
    O_TLOG
};
static const struct option opts[] = {{"feats", 1, 0, O_FEATS},
                                     {"captions", 1, 0, O_CAPS},
                                     {"vocab", 1, 0, O_VOCAB},
                                     {"out", 1, 0, O_OUT},
                                     {"segments", 1, 0, O_SEG},
                                     {"epochs", 1, 0, O_EPOCHS},
                                     {"batch", 1, 0, O_BATCH},
                                     {"lr", 1, 0, O_LR},
                                     {"momentum", 1, 0, O_MOM},
                                     {"weight-decay", 1, 0, O_WD},
                                     {"milestones", 1, 0, O_MILE},
                                     {"gamma", 1, 0, O_GAMMA},
                                     {"sample-rate", 1, 0, O_RATE},
                                     {"hidden", 1, 0, O_HIDDEN},
                                     {"embed", 1, 0, O_EMBED},
                                     {"dropout", 1, 0, O_DROP},
                                     {"max-videos", 1, 0, O_MAXV},
                                     {"seed", 1, 0, O_SEED},
                                     {"resume", 1, 0, O_RESUME},
                                     {"keep-every", 1, 0, O_KEEP},
                                     {"log-every", 1, 0, O_LOG},
                                     {"threads", 1, 0, O_THREADS},
                                     {"device", 1, 0, O_DEVICE},
                                     {"quiet", 0, 0, 'q'},
                                     {"help", 0, 0, 'h'},
                                     {"version", 0, 0, O_VERSION},
                                     {"val-captions", 1, 0, O_VALC},
                                     {"val-feats", 1, 0, O_VALF},
                                     {"log", 1, 0, O_TLOG},
                                     {0, 0, 0, 0}};

static void parse_options(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->epochs = 100, o->batch = -1, o->sample_rate = 2, o->hidden = 512, o->embed = 512,
    o->log_every = 10;
    o->lr = 1e-2, o->momentum = 0.8, o->weight_decay = 1e-4, o->gamma = 0.1, o->dropout = 0.3,
    o->seed = 233;
    o->device = "auto";
    o->n_milestones = wsd_opt_int_list("20,50,70", "--milestones", 0, 100000, o->milestones, 16);
    int c;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case O_FEATS: o->feats = optarg; break;
        case O_CAPS: o->captions = optarg; break;
        case O_VOCAB: o->vocab = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_SEG:
            o->gt = wsd_opt_choice(optarg, "--segments", (const char *const[]){"full", "gt", NULL});
            break;
        case O_EPOCHS: o->epochs = wsd_opt_int(optarg, "--epochs", 0, 100000); break;
        case O_BATCH: o->batch = wsd_opt_int(optarg, "--batch", 1, 100000); break;
        case O_LR: o->lr = wsd_opt_double(optarg, "--lr", 0, 10); break;
        case O_MOM: o->momentum = wsd_opt_double(optarg, "--momentum", 0, 1); break;
        case O_WD: o->weight_decay = wsd_opt_double(optarg, "--weight-decay", 0, 1); break;
        case O_MILE:
            o->n_milestones =
                wsd_opt_int_list(optarg, "--milestones", 0, 100000, o->milestones, 16);
            break;
        case O_GAMMA: o->gamma = wsd_opt_double(optarg, "--gamma", 0, 10); break;
        case O_RATE: o->sample_rate = wsd_opt_int(optarg, "--sample-rate", 1, 1000); break;
        case O_HIDDEN: o->hidden = wsd_opt_int(optarg, "--hidden", 1, 65536); break;
        case O_EMBED: o->embed = wsd_opt_int(optarg, "--embed", 1, 65536); break;
        case O_DROP: o->dropout = wsd_opt_double(optarg, "--dropout", 0, 0.99); break;
        case O_MAXV:
            o->max_videos = wsd_opt_int(optarg, "--max-videos", 0, WSD_OPT_MAX_COUNT);
            break;
        case O_SEED: o->seed = wsd_opt_long(optarg, "--seed", 0, 0x7fffffffffffffffL); break;
        case O_RESUME: o->resume = optarg; break;
        case O_KEEP: o->keep_every = wsd_opt_int(optarg, "--keep-every", 0, 100000); break;
        case O_LOG: o->log_every = wsd_opt_int(optarg, "--log-every", 1, WSD_OPT_MAX_COUNT); break;
        case O_THREADS:
            o->threads = wsd_opt_int(optarg, "--threads", 0, WSD_OPT_MAX_THREADS);
            break;
        case O_DEVICE: o->device = optarg; break;
        case O_VALC: o->val_captions = optarg; break;
        case O_VALF: o->val_feats = optarg; break;
        case O_TLOG: o->log = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h': wsd_opt_usage(usage, 1);
        case O_VERSION: wsd_opt_version();
        default: wsd_opt_usage(usage, 0);
        }
    }
    if (optind != argc) wsd_die("unexpected argument '%s' (see --help)", argv[optind]);
    if (!o->feats || !o->captions || !o->vocab || !o->out)
        wsd_die("--feats, --captions, --vocab and --out are required (see --help)");
    if (o->batch < 0) o->batch = o->gt ? 64 : 36;
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
    cJSON_AddNumberToObject(t, "lr", o->lr);
    cJSON_AddNumberToObject(t, "momentum", o->momentum);
    cJSON_AddNumberToObject(t, "weight_decay", o->weight_decay);
    cJSON_AddItemToObject(t, "milestones", cJSON_CreateIntArray(o->milestones, o->n_milestones));
    cJSON_AddNumberToObject(t, "gamma", o->gamma);
    cJSON_AddNumberToObject(t, "seed", (double)o->seed);
    cJSON_AddStringToObject(t, "captions", o->captions);
    cJSON_AddStringToObject(t, "feats", o->feats);
    cJSON_AddNumberToObject(t, "max_videos", o->max_videos);
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
    if (wsd_ckpt_save_epoch(o->out, epoch, o->keep_every, c, cfg))
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
    nn_optim_set_lr_scale(opt, nn_lr_multistep(epoch, o->milestones, o->n_milestones, o->gamma));
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
    wsd_progress_start(&pg, label, n_batches, o->quiet);
    pg.every_n = o->log_every;
    for (int i = 0; i < n_batches; i++) {
        if (wsd_batcher_get(bt, i, &b)) wsd_die("%s", wsd_error());
        for (int n = 0; n < b.N; n++) words += b.caption_len[n] - 1;
        /* dropout masks are a function of (seed, epoch, batch): resumable */
        nn_rng_seed(&cg->rng,
                    wsd_rng_stream((uint64_t)o->seed, WSD_STREAM_CG_DROPOUT, epoch, (uint64_t)i));
        double loss = batch_loss(o, cg, &run, &b, &seg, opt);
        if (!isfinite(loss)) {
            char ids[1024];
            wsd_die("epoch %d batch %d: the loss is %g, not finite (diverged: a lower --lr, or bad "
                    "features) on the videos %s", epoch, i, loss, wsd_batch_ids(&b, ids, sizeof ids));
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
    if (!o->quiet)
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
            wsd_die("%s: model vocabulary %d, --vocab has %d entries", o->resume, cg->cfg.vocab,
                    vocab->n);
    } else {
        wsd_cg_config cfg;
        wsd_cg_config_default(&cfg);
        cfg.feat_dim = feat_dim;
        cfg.hidden = o->hidden;
        cfg.embed = o->embed;
        cfg.vocab = vocab->n;
        cfg.dropout = (float)o->dropout;
        cfg.sample_rate = o->sample_rate;
        if (wsd_cg_init(cg, &cfg, (uint64_t)o->seed, dev)) wsd_die_internal("%s", wsd_error());
    }
    if (cg->cfg.feat_dim != feat_dim)
        wsd_die("%s: features have %d dims, the model expects %d", o->feats, feat_dim,
                cg->cfg.feat_dim);
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    options o;
    parse_options(argc, argv, &o);
    /* before any work: the output is no input, and its folder is writable */
    const char *ins[] = {"--feats", o.feats, "--captions", o.captions, "--vocab", o.vocab,
                         "--val-captions", o.val_captions, "--val-feats", o.val_feats};
    if (wsd_out_distinct(o.out, ins, 5) || wsd_tmp_probe(o.out)) wsd_die("%s", wsd_error());
    nn_device dev;
    if (nn_device_parse(o.device, &dev)) wsd_die("--device %s: %s", o.device, wsd_error());
    if (nn_device_fallback_reason())
        wsd_warn("--device auto: %s; running on the CPU", nn_device_fallback_reason());
    nn_set_threads(o.threads);

    wsd_trainset ts, val = {0};
    if (wsd_trainset_load(&ts, o.captions, o.feats, o.sample_rate, (size_t)o.max_videos))
        wsd_die("%s", wsd_error());
    wsd_vocab *vocab = wsd_vocab_load(o.vocab);
    if (!vocab) wsd_die("%s", wsd_error());
    wsd_batcher_opts bo = {.batch_size = o.batch,
                           .mode = WSD_BATCH_SAMPLE,
                           .shuffle = 1,
                           .drop_last = 1,
                           .seed = (uint64_t)o.seed};
    wsd_batcher *bt = wsd_trainset_batcher(&ts, vocab, bo), *bt_val = NULL;
    if (!bt) wsd_die("%s", wsd_error());
    int n_batches = wsd_batcher_count(bt);
    if (n_batches == 0)
        wsd_die("%s: %d videos with sentences, fewer than one batch of %d (batches drop the last "
                "partial one)",
                o.captions, wsd_batcher_videos(bt), o.batch);

    int start_epoch = 0;
    nn_ckpt *resume = NULL;
    if (o.resume && !(resume = nn_ckpt_open(o.resume))) wsd_die("%s", wsd_error());
    if (resume && wsd_ckpt_resume_epoch(resume, "cg-pretrain", &start_epoch))
        wsd_die("%s", wsd_error());
    wsd_cg cgm, *cg = &cgm;
    model(cg, &o, resume, vocab, wsd_featset_dim(ts.fs), dev);
    nn_optim opt;
    nn_sgd_init(&opt, o.momentum, o.weight_decay);
    nn_optim_add_group(&opt, &cg->params, o.lr);
    if (resume && nn_ckpt_load_optim(resume, "model_cg", &opt)) wsd_die("%s", wsd_error());
    nn_ckpt_close(resume);
    if (o.val_captions) {
        if (wsd_trainset_load(&val, o.val_captions, o.val_feats ? o.val_feats : o.feats,
                              o.sample_rate, 0))
            wsd_die("%s", wsd_error());
        if (wsd_featset_dim(val.fs) != cg->cfg.feat_dim)
            wsd_die("%s: validation features have %d dims, the model expects %d (as %s)",
                    o.val_feats ? o.val_feats : o.feats, wsd_featset_dim(val.fs), cg->cfg.feat_dim,
                    o.feats);
        wsd_batcher_opts vo = {.batch_size = o.batch, .mode = WSD_BATCH_FULL};
        if (!(bt_val = wsd_trainset_batcher(&val, vocab, vo))) wsd_die("%s", wsd_error());
    }
    cg->training = 1;
    if (!o.quiet)
        fprintf(stderr,
                "cg-pretrain: %d videos (of %zu), %d batches of %d per epoch, segments %s, %zu "
                "parameters, device %s, epochs %d..%d\n",
                wsd_batcher_videos(bt), ts.caps->n, n_batches, o.batch, o.gt ? "gt" : "full",
                nn_params_count(&cg->params, 0), nn_device_name(dev), start_epoch,
                o.epochs - 1);

    wsd_trainlog *tlog = NULL;
    if (o.log && !(tlog = wsd_trainlog_open(o.log, "cg-pretrain", o.resume != NULL)))
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
    if (start_epoch >= o.epochs && !o.quiet)
        fprintf(stderr, "cg-pretrain: %s already has %d epochs; nothing to do\n", o.resume,
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
