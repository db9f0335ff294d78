#include "score/score_localization.h"
#include "testing/test.h"
#include "base/util.h"

static const double tious[] = {0.1, 0.3, 0.5, 0.7, 0.9};

static const char refs_text[] =
    "{\"v_a\": {\"duration\": 100, \"timestamps\": [[0, 10], [20, 40]], \"sentences\": [\"a\", "
    "\"b\"]},"
    " \"v_b\": {\"duration\": 50, \"timestamps\": [[5, 15]], \"sentences\": [\"c\"]},"
    " \"v_c\": {\"duration\": 30, \"timestamps\": [[0, 30]], \"sentences\": [\"d\"]}}";

static void load(const char *sub_text, score_set *ref, score_set *sub) {
    CHECK(score_parse_references(refs_text, strlen(refs_text), "refs.json", ref) == 0);
    CHECK(score_parse_submission(sub_text, strlen(sub_text), "sub.jsonl", SCORE_FORMAT_AUTO, sub) ==
          0);
}

static void ious(void) {
    /* the model's IoU: hull + 1e-4 */
    CHECK(score_loc_iou(0, 5, 0, 10) == 5 / (10 + 1e-4));
    CHECK(score_loc_iou(10, 20, 5, 15) == 5 / (15 + 1e-4));
    CHECK(score_loc_iou(0, 1, 2, 3) == 0);
    /* reversed prediction: literal formula, hull from the extremes */
    CHECK(score_loc_iou(10, 0, 0, 10) == 0 / (10 + 1e-4));
    CHECK(score_loc_iou(2, 8, 0, 10) == 6 / (10 + 1e-4));
}

/* Hand-computed: v_a [0,5] vs [0,10] tIoU 5/(10+1e-8) (just under 0.5: no
 * hit at 0.5), [25,40] vs [20,40] 0.75; v_b [10,20] vs [5,15] 1/3; v_c none. */
static void hand_case(void) {
    const char *sub_text =
        "{\"video_id\": \"v_a\", \"events\": [{\"timestamp\": [0, 5], \"sentence\": \"a\", "
        "\"gt_timestamp\": [0, 10]},"
        " {\"timestamp\": [25, 40], \"sentence\": \"b\", \"gt_timestamp\": [20, 40]}]}\n"
        "{\"video_id\": \"v_b\", \"events\": [{\"timestamp\": [10, 20], \"sentence\": \"c\", "
        "\"gt_timestamp\": [5, 15]}]}\n"
        "{\"video_id\": \"v_x\", \"events\": [{\"timestamp\": [0, 1], \"sentence\": \"x\"}]}\n";
    score_set ref, sub;
    load(sub_text, &ref, &sub);
    score_loc_result r;
    CHECK(score_localization(&sub, &ref, 1, tious, 5, 1000, &r) == 0);
    /* per sentence over the 3 sentences, not per video (that would be 2/3 at 0.1) */
    CHECK(r.r1[0] == 1.0 && r.r1[1] == 1.0);
    CHECK(r.r1[2] == 1.0 / 3 && r.r1[3] == 1.0 / 3);
    CHECK(r.r1[4] == 0.0);
    CHECK(r.n_sentences == 3 && r.n_videos == 3 && r.n_predicted == 2 && r.n_ignored == 1 &&
          r.n_empty == 0);
    CHECK(r.miou == (5 / (10 + 1e-4) + 15 / (20 + 1e-4) + 5 / (15 + 1e-4)) / 3);
    score_loc_result_free(&r);
    /* -ppv 1: only v_a's first sentence and v_b's */
    CHECK(score_localization(&sub, &ref, 1, tious, 5, 1, &r) == 0);
    CHECK(r.n_sentences == 2 && r.r1[1] == 1.0 && r.r1[2] == 0.0);
    score_loc_result_free(&r);
    score_set_free(&sub);
    score_set_free(&ref);
}

static void empty_list(void) {
    const char *sub_text =
        "{\"version\": 1, \"external_data\": {}, \"results\": {\"v_a\": [],"
        " \"v_b\": [{\"timestamp\": [5, 15], \"sentence\": \"c\", \"gt_timestamp\": [5, 15]}]}}";
    score_set ref, sub;
    load(sub_text, &ref, &sub);
    score_loc_result r;
    CHECK(score_localization(&sub, &ref, 1, tious, 5, 1000, &r) == 0);
    /* identical segments: tIoU 10/(10+1e-8) > 0.9; the empty video adds nothing */
    CHECK(r.n_empty == 1 && r.n_sentences == 1 && r.r1[4] == 1.0);
    score_loc_result_free(&r);
    score_set_free(&sub);
    score_set_free(&ref);
}

/* A hit needs tIoU > t strictly: at t = 0 a disjoint sentence (tIoU 0) misses. */
static void strict_threshold(void) {
    const char *sub_text =
        "{\"video_id\": \"v_b\", \"events\": [{\"timestamp\": [20, 30], \"sentence\": \"c\","
        " \"gt_timestamp\": [5, 15]}, {\"timestamp\": [14, 30], \"sentence\": \"c\","
        " \"gt_timestamp\": [5, 15]}]}\n";
    score_set ref, sub;
    load(sub_text, &ref, &sub);
    score_loc_result r;
    const double zero = 0;
    CHECK(score_localization(&sub, &ref, 1, &zero, 1, 1000, &r) == 0);
    CHECK(r.r1[0] == 0.5);
    CHECK(r.miou == (0 + 1 / (25 + 1e-4)) / 2);
    score_loc_result_free(&r);
    score_set_free(&sub);
    score_set_free(&ref);
}

static void bad_input(void) {
    score_set ref, sub, two[2];
    score_loc_result r;
    /* a sentence without gt_timestamp: file, line, video, event */
    load("{\"video_id\": \"v_b\", \"events\": [{\"timestamp\": [5, 15], \"sentence\": \"c\"}]}\n",
         &ref, &sub);
    CHECK(score_localization(&sub, &ref, 1, tious, 5, 1000, &r) == -1);
    CHECK_MSG(strstr(wsd_error(), "sub.jsonl: line 1, video v_b, event 0: no \"gt_timestamp\""),
              "%s", wsd_error());
    /* two reference files */
    two[0] = ref;
    two[1] = ref;
    CHECK(score_localization(&sub, two, 2, tious, 5, 1000, &r) == -1);
    CHECK_MSG(strstr(wsd_error(), "exactly one reference file"), "%s", wsd_error());
    score_set_free(&sub);
    score_set_free(&ref);
    /* malformed gt_timestamp, official JSON: named by its results key */
    load("{\"version\": 1, \"external_data\": {}, \"results\": {\"v_c\": [{\"timestamp\": [0, 1], "
         "\"sentence\": \"d\","
         " \"gt_timestamp\": [0, \"30\"]}]}}",
         &ref, &sub);
    CHECK(score_localization(&sub, &ref, 1, tious, 5, 1000, &r) == -1);
    CHECK_MSG(
        strstr(wsd_error(),
               "sub.jsonl: results[\"v_c\"], event 0: \"gt_timestamp\": expected an array of two"),
        "%s", wsd_error());
    score_set_free(&sub);
    score_set_free(&ref);
    /* nothing to score: only ignored videos (the script divides by zero) */
    load("{\"video_id\": \"v_q\", \"events\": [{\"timestamp\": [0, 1], \"sentence\": \"q\"}]}\n",
         &ref, &sub);
    CHECK(score_localization(&sub, &ref, 1, tious, 5, 1000, &r) == -1);
    CHECK_MSG(strstr(wsd_error(), "no sentence of a video of refs.json"), "%s", wsd_error());
    score_set_free(&sub);
    score_set_free(&ref);
}

int main(void) {
    TEST_RUN(ious);
    TEST_RUN(hand_case);
    TEST_RUN(empty_list);
    TEST_RUN(strict_threshold);
    TEST_RUN(bad_input);
    return test_finish();
}
