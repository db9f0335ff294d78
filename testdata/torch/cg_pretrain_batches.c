/* The batches cg-pretrain trains on in one epoch (same batcher, seed and
 * options: one random sentence per video, shuffled, batch 36, last partial
 * batch dropped), one JSON line per batch: video ids, encoded captions
 * (<bos> … <eos>) and their lengths. cg_pretrain_ref.py replays them in
 * PyTorch (testdata/torch/README: the loss-climb question of issue 14).
 * Usage: cg_pretrain_batches FEATS CAPTIONS VOCAB SEED EPOCH [BATCH] */
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "io/captions.h"
#include "io/featset.h"
#include "io/vocab.h"
#include "wsd/batch.h"

int main(int argc, char **argv) {
    if (argc < 6) wsd_die("usage: cg_pretrain_batches FEATS CAPTIONS VOCAB SEED EPOCH [BATCH]");
    wsd_captions *caps = wsd_captions_load(argv[2]);
    wsd_vocab *vocab = caps ? wsd_vocab_load(argv[3]) : NULL;
    if (!vocab) wsd_die("%s", wsd_error());
    const char **ids = wsd_malloc(sizeof(char *) * (caps->n ? caps->n : 1));
    size_t n_ids = 0;
    for (size_t i = 0; i < caps->n; i++)
        if (caps->videos[i].n_events) ids[n_ids++] = caps->videos[i].id;
    wsd_featset *fs = wsd_featset_load(argv[1], 1, ids, n_ids);
    if (!fs) wsd_die("%s", wsd_error());
    wsd_batcher_opts bo = {.batch_size = argc > 6 ? atoi(argv[6]) : 36,
                           .mode = WSD_BATCH_SAMPLE,
                           .shuffle = 1,
                           .drop_last = 1,
                           .seed = strtoull(argv[4], NULL, 10)};
    wsd_batcher *bt = wsd_batcher_new(fs, caps, vocab, &bo);
    if (!bt) wsd_die("%s", wsd_error());
    int nb = wsd_batcher_epoch(bt, atoi(argv[5]));
    wsd_batch b;
    wsd_batch_init(&b);
    for (int i = 0; i < nb; i++) {
        if (wsd_batcher_get(bt, i, &b)) wsd_die("%s", wsd_error());
        printf("{\"keys\":[");
        for (int v = 0; v < b.B; v++) printf("%s\"%s\"", v ? "," : "", b.keys[v]);
        printf("],\"gather\":[");
        for (int n = 0; n < b.N; n++) printf("%s%d", n ? "," : "", b.gather[n]);
        printf("],\"caption\":[");
        for (int n = 0; n < b.N; n++) {
            printf("%s[", n ? "," : "");
            for (int t = 0; t < b.L; t++) printf("%s%d", t ? "," : "", b.caption[n * b.L + t]);
            printf("]");
        }
        printf("],\"caption_len\":[");
        for (int n = 0; n < b.N; n++) printf("%s%d", n ? "," : "", b.caption_len[n]);
        printf("]}\n");
    }
    wsd_batch_free(&b);
    wsd_batcher_free(bt);
    return 0;
}
