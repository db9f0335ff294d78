/* One fuzz input through everything densevid-score does to untrusted bytes:
 * the submission parser (auto, JSON, JSON Lines), the reference parser, the
 * evaluation of whatever parsed, and the PTB tokenizer + metrics on the raw
 * bytes taken as a batch of captions. Must never crash, hang or leak.
 * Shared by the libFuzzer target (score_fuzz.c) and the deterministic
 * mutation loop run by `make test` (common/score_fuzz_test.c). */
#ifndef WSD_SCORE_FUZZ_ONE_H
#define WSD_SCORE_FUZZ_ONE_H

#include "score/ptb_batch.h"
#include "score/score_data.h"
#include "score/score_eval.h"
#include "score/score_metrics.h"
#include "score/score_words.h"
#include "base/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char fuzz_refs_text[] =
    "{\"v_a\": {\"duration\": 30, \"timestamps\": [[0, 10], [10, 20], [5, 25]],"
    " \"sentences\": [\"A man is standing in a kitchen.\", \"He chops an onion, then a T.\", \"The "
    "end\"]},"
    " \"v_b\": {\"duration\": 9, \"timestamps\": [[0, 9]], \"sentences\": [\"Dogs' toys & "
    "<b>cats</b> can't run!!\"]}}";

static void fuzz_score_one(const uint8_t *data, size_t size) {
    char *buf = wsd_malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';

    score_set refs;
    if (score_parse_references(fuzz_refs_text, sizeof fuzz_refs_text - 1, "refs", &refs) != 0)
        abort();
    score_format fmt = size ? (score_format)(data[0] % 3) : SCORE_FORMAT_AUTO;
    score_set sub;
    if (score_parse_submission(buf, size, "fuzz", fmt, &sub) == 0) {
        static const double tious[] = {0.3, 0.9};
        score_options opt = {0};
        opt.tious = tious;
        opt.n_tious = 2;
        opt.max_proposals = 16;
        opt.semantics = size % 2 ? SCORE_SEMANTICS_2019 : SCORE_SEMANTICS_2018;
        opt.seed = size;
        score_result r;
        if (score_evaluate(&sub, &refs, 1, &opt, &r) == 0) score_result_free(&r);
        score_set_free(&sub);
    }
    score_set other;
    if (score_parse_references(buf, size, "fuzz", &other) == 0) {
        static const double tious[] = {0.5};
        score_options opt = {0};
        opt.tious = tious;
        opt.n_tious = 1;
        opt.max_proposals = 4;
        score_result r;
        if (score_evaluate(&refs, &other, 1, &opt, &r) == 0) score_result_free(&r);
        score_set_free(&other);
    }
    score_set_free(&refs);

    /* the raw bytes as a batch of captions, one per line */
    const char *caps[65];
    size_t n = 0;
    char *p = buf;
    while (n < 64) {
        caps[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    const char *out[65];
    ptb_cache *cache = ptb_cache_new();
    ptb_tokenize_batch(cache, caps, n, out);
    score_lexicon *lx = score_lexicon_new();
    const score_caption *hyp[65], *ref[65];
    for (size_t i = 0; i < n; i++) {
        hyp[i] = score_lexicon_caption(lx, out[i]);
        ref[i] = score_lexicon_caption(lx, out[(i + 1) % n]);
    }
    double bleu[4];
    score_bleu(hyp, ref, n, bleu);
    score_rouge_l(hyp, ref, n);
    score_cider_state st = {0};
    score_cider_d(hyp, ref, n, &st);
    score_cider_state_free(&st);
    score_lexicon_free(lx);
    ptb_cache_free(cache);
    free(buf);
}

#endif
