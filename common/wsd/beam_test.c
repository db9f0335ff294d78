#include "wsd/beam.h"
#include "nn/nn_topk.h"
#include "testing/test.h"

/* A toy decoder whose next-token scores depend only on the token fed in. */
typedef struct {
    float table[3][3];
    int steps;
} toy_decoder;

/* the table rows are log-probabilities already: ranked with shift 0 */
static int toy_step(void *ctx, const int *tokens, const float *score, int n_rows, int k,
                    float *best, int *idx) {
    toy_decoder *d = ctx;
    d->steps++;
    for (int r = 0; r < n_rows; r++)
        nn_topk_row(3, d->table[tokens[r]], 0.0f, score ? score + r : NULL, k, best + r * k,
                    idx + r * k);
    return 0;
}

static int toy_reorder(void *ctx, const int *src, int n_rows) {
    (void)ctx;
    for (int r = 0; r < n_rows; r++)
        if (src[r] / 2 != r / 2) return -1; /* a row must stay within its item */
    return 0;
}

static void run_toy(float after_bos_eos, float after_bos_w, float after_w_eos, float after_w_w,
                    int *ids, int *len) {
    toy_decoder d = {{{-INFINITY, logf(after_bos_eos), logf(after_bos_w)},
                      {-INFINITY, -INFINITY, -INFINITY},
                      {-INFINITY, logf(after_w_eos), logf(after_w_w)}},
                     0};
    wsd_beam_decoder dec = {toy_step, toy_reorder, &d, 3};
    CHECK(wsd_beam_search(&dec, 1, 2, 2, ids, len) == 0);
    CHECK(d.steps == 2);
}

static void ended_hypothesis_beats_weaker_open_one(void) {
    int ids[4], len;
    run_toy(0.4f, 0.6f, 0.9f, 0.1f, ids, &len);
    CHECK(len == 3);
    CHECK(ids[0] == WSD_BOS && ids[1] == 2 && ids[2] == WSD_EOS);
}

static void open_hypothesis_gets_eos_appended(void) {
    int ids[4], len;
    run_toy(0.4f, 0.6f, 0.1f, 0.9f, ids, &len);
    CHECK(len == 4);
    CHECK(ids[0] == WSD_BOS && ids[1] == 2 && ids[2] == 2 && ids[3] == WSD_EOS);
}

static void earliest_eos_wins_when_best_and_keeps_junk_after(void) {
    int ids[4], len;
    run_toy(0.45f, 0.55f, 0.05f, 0.5f, ids, &len);
    CHECK(len == 2);
    /* the reference's 22-id output keeps the open beam's later tokens */
    CHECK(ids[0] == WSD_BOS && ids[1] == WSD_EOS && ids[2] == 2 && ids[3] == WSD_EOS);
}

static void items_in_a_batch_are_independent(void) {
    toy_decoder d = {{{-INFINITY, logf(0.4f), logf(0.6f)},
                      {-INFINITY, -INFINITY, -INFINITY},
                      {-INFINITY, logf(0.9f), logf(0.1f)}},
                     0};
    wsd_beam_decoder dec = {toy_step, toy_reorder, &d, 3};
    int ids[3 * 4], len[3];
    CHECK(wsd_beam_search(&dec, 3, 2, 2, ids, len) == 0);
    for (int n = 0; n < 3; n++) {
        CHECK(len[n] == 3);
        CHECK(ids[n * 4 + 1] == 2 && ids[n * 4 + 2] == WSD_EOS);
    }
}

/* The search stops once every item has a finished hypothesis scoring at
 * least as much as each open beam (scores only fall): the answer is the
 * full search's, the ids past it <eos>. */
static int toy_steps(float after_bos_eos, float after_w_eos, float after_w_w, int max_len, int *ids,
                     int *len) {
    toy_decoder d = {{{-INFINITY, logf(after_bos_eos), logf(1 - after_bos_eos)},
                      {-INFINITY, -INFINITY, -INFINITY},
                      {-INFINITY, logf(after_w_eos), logf(after_w_w)}},
                     0};
    wsd_beam_decoder dec = {toy_step, toy_reorder, &d, 3};
    CHECK(wsd_beam_search(&dec, 1, 2, max_len, ids, len) == 0);
    return d.steps;
}

static void search_stops_when_every_item_is_settled(void) {
    int ids[12], len;
    /* step 2 ends "w" at .54 and leaves "w w" at .06: settled */
    CHECK(toy_steps(0.4f, 0.9f, 0.1f, 10, ids, &len) == 2);
    CHECK(len == 3 && ids[0] == WSD_BOS && ids[1] == 2 && ids[2] == WSD_EOS);
    for (int t = 3; t < 12; t++) CHECK(ids[t] == WSD_EOS);
    /* "w" goes on at .5 for ever and never ends: a tie with the <eos> ended
     * at step 1, which the earlier hypothesis wins at any length */
    CHECK(toy_steps(0.5f, 0.0f, 1.0f, 10, ids, &len) == 1);
    CHECK(len == 2 && ids[0] == WSD_BOS && ids[1] == WSD_EOS);
    /* an open beam that stays ahead: all the steps */
    CHECK(toy_steps(0.1f, 0.05f, 0.95f, 6, ids, &len) == 6);
    CHECK(len == 8 && ids[6] == 2 && ids[7] == WSD_EOS);
}

int main(void) {
    TEST_RUN(ended_hypothesis_beats_weaker_open_one);
    TEST_RUN(open_hypothesis_gets_eos_appended);
    TEST_RUN(earliest_eos_wins_when_best_and_keeps_junk_after);
    TEST_RUN(items_in_a_batch_are_independent);
    TEST_RUN(search_stops_when_every_item_is_settled);
    return test_finish();
}
