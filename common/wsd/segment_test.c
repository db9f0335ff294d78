#include "wsd/segment.h"
#include "testing/test.h"

static void anchors_match_the_reference_table(void) {
    const float expect_se[WSD_NUM_ANCHORS][2] = {
        {0, .5f},           {.25f, .75f},       {.5f, 1},
        {0, 1 / 3.f},       {1 / 3.f, 2 / 3.f}, {2 / 3.f, 1},
        {0, 1 / 8.f},       {1 / 8.f, 2 / 8.f}, {2 / 8.f, 3 / 8.f},
        {3 / 8.f, 4 / 8.f}, {4 / 8.f, 5 / 8.f}, {5 / 8.f, 6 / 8.f},
        {6 / 8.f, 7 / 8.f}, {7 / 8.f, 1},       {0, 1}};
    for (int k = 0; k < WSD_NUM_ANCHORS; k++) {
        wsd_seg se = wsd_cw_to_se_clamped(wsd_anchor_cw(k));
        CHECK_NEAR(se.a, expect_se[k][0], 1e-6);
        CHECK_NEAR(se.b, expect_se[k][1], 1e-6);
    }
}

static void two_upper_clamps_coexist(void) {
    wsd_seg cw = {0.9f, 0.4f};
    CHECK_NEAR(wsd_cw_to_se_clamped(cw).b, 1.0, 1e-7);
    CHECK_NEAR(wsd_cw_to_se_resolved(cw).b, 1.0 - 1e-4, 1e-7);
    CHECK_NEAR(wsd_cw_to_se_resolved(cw).a, 0.7, 1e-6);
}

static void model_iou_uses_hull_plus_delta(void) {
    wsd_seg a = {0.0f, 0.5f}, b = {0.25f, 0.75f}, far = {0.8f, 0.9f};
    CHECK_NEAR(wsd_model_iou(a, b), 0.25 / (0.75 + 1e-4), 1e-6);
    CHECK_NEAR(wsd_model_iou(a, far), 0.0, 0);
    CHECK_NEAR(wsd_model_iou(a, a), 0.5 / (0.5 + 1e-4), 1e-6);
}

static void decoder_index_of_full_video_is_last_step(void) {
    wsd_seg full = {0.5f, 1.0f};
    CHECK(wsd_decoder_init_index(full, 200) == 199);
    wsd_seg half = {0.25f, 0.5f};
    CHECK(wsd_decoder_init_index(half, 200) == 100);
    wsd_seg before = {-0.5f, 0.2f};
    CHECK(wsd_decoder_init_index(before, 200) == 0);
}

static void time_to_step_truncates_and_clamps_end(void) {
    CHECK(wsd_time_to_step(19.86, 82.73, 100, 0) == 24);
    CHECK(wsd_time_to_step(82.73, 82.73, 100, 1) == 99);
    CHECK(wsd_time_to_step(82.73, 82.73, 100, 0) == 100);
}

static void filter_keeps_only_moved_and_merges_near_duplicates(void) {
    /* video 0: row 0 stays put (dropped), rows 1 and 2 moved to nearly the same
     * place (merged into their hull), row 3 moved elsewhere (kept apart).
     * video 1: one moved row. */
    int video[5] = {0, 0, 0, 0, 1};
    wsd_seg seed[5] = {{0.5f, 0.2f}, {0.1f, 0.1f}, {0.1f, 0.1f}, {0.9f, 0.1f}, {0.5f, 0.1f}};
    wsd_seg moved[5] = {{0.5f, 0.2f}, {0.6f, 0.4f}, {0.605f, 0.4f}, {0.3f, 0.2f}, {0.2f, 0.2f}};
    wsd_seg out[5];
    int out_video[5];
    int n = wsd_filter_merge(5, video, seed, moved, 0.2f, 0.9f, out, out_video);
    CHECK(n == 3);
    CHECK(out_video[0] == 0 && out_video[1] == 0 && out_video[2] == 1);
    CHECK_NEAR(out[0].a, 0.4, 1e-6);
    CHECK_NEAR(out[0].b, 0.805, 1e-6);
    CHECK_NEAR(out[1].a, 0.2, 1e-6);
    CHECK_NEAR(out[2].b, 0.3, 1e-6);
}

int main(void) {
    TEST_RUN(anchors_match_the_reference_table);
    TEST_RUN(two_upper_clamps_coexist);
    TEST_RUN(model_iou_uses_hull_plus_delta);
    TEST_RUN(decoder_index_of_full_video_is_last_step);
    TEST_RUN(time_to_step_truncates_and_clamps_end);
    TEST_RUN(filter_keeps_only_moved_and_merges_near_duplicates);
    return test_finish();
}
