#include "report/report_check.h"
#include "report/report_page.h"
#include "report/report_timeline.h"
#include "score/score_per_video.h"
#include "testing/test.h"
#include "base/util.h"

#include <unistd.h>

static const char *refs_text =
    "{\"v_a\": {\"duration\": 40, \"timestamps\": [[0, 10], [10, 20], [5, 30]],"
    " \"sentences\": [\"A man <b>cooks</b> & \\\"eats\\\".\", \"He chops 'an' onion.\", \"He "
    "talks.\"]},"
    " \"v_b\": {\"duration\": 12, \"timestamps\": [[0, 6]], \"sentences\": [\"A dog runs.\"]}}";
static const char *pred_text = "{\"video_id\": \"v_a\", \"events\": [{\"timestamp\": [0, 10], "
                               "\"sentence\": \"<script>alert(1)</script>\"},"
                               " {\"timestamp\": [30, 55], \"sentence\": \"past the end\"}, "
                               "{\"timestamp\": [8, 4], \"sentence\": \"\"},"
                               " {\"timestamp\": [12, 19], \"sentence\": \"   \"}]}\n"
                               "{\"video_id\": \"v_<img src=x>\", \"events\": [{\"timestamp\": [0, "
                               "1], \"sentence\": \"unknown\"}]}\n";

static char *page(const report_page *pg, report_page_stats *st, size_t *len) {
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    CHECK(report_write_page(fp, pg, st) == 0);
    fclose(fp);
    return buf;
}

/* The page is well formed, one timeline per video, bars where their times put
 * them; odd input is reported and file text is escaped, never markup. */
static void timelines_and_bad_input(void) {
    score_set refs, pred;
    CHECK(score_parse_references(refs_text, strlen(refs_text), "dir/val_1.json", &refs) == 0);
    CHECK(score_parse_submission(pred_text, strlen(pred_text), "pred.jsonl", SCORE_FORMAT_AUTO,
                                 &pred) == 0);
    double tious[] = {0.3, 0.5};
    score_options so = {.tious = tious, .n_tious = 2, .max_proposals = 1000, .keep_per_video = 1};
    score_result r;
    CHECK(score_evaluate(&pred, &refs, 1, &so, &r) == 0);
    report_scores sc;
    CHECK(report_scores_from_result(&r, &sc) == 0);
    report_page pg = {.title = "t<&>",
                      .refs = &refs,
                      .n_refs = 1,
                      .pred = &pred,
                      .pred_name = "predictions",
                      .scores = &sc};
    report_page_stats st;
    size_t len;
    char *html = page(&pg, &st, &len);
    report_check_stats cs;
    CHECK_MSG(report_check_html(html, len, &cs) == 0, "%s", wsd_error());
    CHECK(cs.sections == 2 && cs.timelines == 2);
    CHECK(st.videos == 2 && st.bars == 8 && cs.bars == 8);
    CHECK(st.unknown_videos == 1 && st.outside == 2 && st.empty == 2);
    /* escaped, never injected */
    CHECK(!strstr(html, "<script>alert"));
    CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
    CHECK(strstr(html, "A man &lt;b&gt;cooks&lt;/b&gt; &amp; &quot;eats&quot;.") != NULL);
    CHECK(strstr(html, "He chops &#39;an&#39; onion.") != NULL);
    CHECK(strstr(html, "v_&lt;img src=x&gt;") != NULL && !strstr(html, "<img"));
    CHECK(strstr(html, "<title>t&lt;&amp;&gt;</title>") != NULL);
    CHECK(strstr(html, "(empty sentence)") != NULL);
    /* the [30, 55] event is clipped at 40 s: x = 130 + 860 * 30/40 = 775, width 215 */
    CHECK(strstr(html, "class=\"b c0 out\" x=\"775.00\"") != NULL);
    CHECK(strstr(html, "width=\"215.00\" height=\"10\" data-s=\"30\" data-e=\"55\"") != NULL);
    /* the exact-match prediction [0, 10] is dark green, its reference too */
    CHECK(strstr(html, "class=\"b c10\" x=\"130.00\"") != NULL);
    /* nothing fetched from anywhere */
    CHECK(!strstr(html, "http://") && !strstr(html, "https://") && !strstr(html, "<link"));
    /* the checker itself catches a displaced bar and a broken tag */
    char *bad = wsd_strdup(html), *p = strstr(bad, "x=\"775.00\"");
    memcpy(p, "x=\"776.00\"", 10);
    CHECK(report_check_html(bad, len, &cs) == -1 && strstr(wsd_error(), "expected x 775.00"));
    free(bad);
    bad = wsd_strdup(html);
    p = strstr(bad, "</h3>");
    memcpy(p, "</h4>", 5);
    CHECK(report_check_html(bad, len, &cs) == -1 && strstr(wsd_error(), "</h4> closes <h3>"));
    free(bad);
    const char *raw = "<p>a < b</p>";
    CHECK(report_check_html(raw, strlen(raw), &cs) == -1);
    const char *amp = "<p>a & b</p>";
    CHECK(report_check_html(amp, strlen(amp), &cs) == -1);
    const char *two = "<section class=\"v\" data-id=\"x\"><svg class=\"timeline\" data-id=\"x\" "
                      "data-duration=\"1\"></svg>"
                      "<svg class=\"timeline\" data-id=\"x\" data-duration=\"1\"></svg></section>";
    CHECK(report_check_html(two, strlen(two), &cs) == -1 && strstr(wsd_error(), "2 timelines"));
    free(html);
    report_scores_free(&sc);
    score_result_free(&r);
    score_set_free(&pred);
    score_set_free(&refs);
}

/* Per-video scores read back from densevid-score --per-video equal the computed ones. */
static void scores_file_round_trip(void) {
    score_set refs, pred;
    CHECK(score_parse_references(refs_text, strlen(refs_text), "val_1.json", &refs) == 0);
    CHECK(score_parse_submission(pred_text, strlen(pred_text), "pred.jsonl", SCORE_FORMAT_AUTO,
                                 &pred) == 0);
    double tious[] = {0.3, 0.5, 0.7};
    score_options so = {.tious = tious, .n_tious = 3, .max_proposals = 1000, .keep_per_video = 1};
    score_result r;
    CHECK(score_evaluate(&pred, &refs, 1, &so, &r) == 0);
    char path[] = "/tmp/wsd_pv_XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    CHECK(score_write_per_video(fp, &r, &pred) == 0);
    fclose(fp);
    report_scores a, b;
    CHECK(report_scores_load(path, &a) == 0);
    CHECK(report_scores_from_result(&r, &b) == 0);
    CHECK(a.n_videos == 2 && a.n_tious == 3 && a.tious[2] == 0.7);
    CHECK(!a.has[SCORE_METEOR] && a.has[SCORE_CIDER]);
    for (size_t i = 0; i < 2 * 4 * SCORE_N_METRICS; i++)
        if (!isnan(b.values[i])) CHECK(a.values[i] == b.values[i]);
    CHECK(report_scores_find(&a, "v_b") != NULL && report_scores_find(&a, "v_zz") == NULL);
    report_scores_free(&a);
    report_scores_free(&b);
    fp = fopen(path, "w");
    fputs("{\"video_id\": \"v_a\", \"metrics\": 3}\n", fp);
    fclose(fp);
    CHECK(report_scores_load(path, &a) == -1 && strstr(wsd_error(), ":1: expected"));
    unlink(path);
    score_result_free(&r);
    score_set_free(&pred);
    score_set_free(&refs);
}

/* Training curves: batch and epoch losses on a fractional-epoch axis, lr on its own chart. */
static void curves(void) {
    char path[] = "/tmp/wsd_log_XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    fputs(
        "{\"kind\": \"batch\", \"epoch\": 0, \"batch\": 1, \"batches\": 2, \"loss\": {\"caption\": "
        "4}, \"lr\": {}}\n"
        "{\"kind\": \"batch\", \"epoch\": 0, \"batch\": 2, \"batches\": 2, \"loss\": {\"caption\": "
        "3}, \"lr\": {}}\n"
        "{\"kind\": \"epoch\", \"epoch\": 0, \"loss\": {\"caption\": 3.5}, \"lr\": {\"cg\": 0.001},"
        " \"pseudo_labels\": {\"per_anchor\": [1, 0, 2]}}\n"
        "{\"kind\": \"batch\", \"epoch\": 1, \"batch\": 1, \"batches\": 2, \"loss\": {\"caption\": "
        "2}, \"lr\": {}}\n"
        "{\"kind\": \"epoch\", \"epoch\": 1, \"loss\": {\"caption\": 2}, \"lr\": {\"cg\": "
        "0.0001}}\n",
        fp);
    fclose(fp);
    report_run runs[2];
    CHECK(report_run_load(path, NULL, &runs[0]) == 0);
    CHECK(report_run_load(path, "seed <2>", &runs[1]) == 0);
    CHECK(runs[0].n_records == 5 && runs[0].n_pseudo == 1);
    CHECK(strstr(runs[0].pseudo[0], "per anchor 1 0 2") != NULL);
    char *buf = NULL;
    size_t len = 0;
    fp = open_memstream(&buf, &len);
    report_curves_html(fp, runs, 2);
    fclose(fp);
    report_check_stats cs;
    CHECK_MSG(report_check_html(buf, len, &cs) == 0, "%s", wsd_error());
    CHECK(cs.charts == 3 && cs.polylines == 6); /* epoch loss, batch loss, lr; two runs each */
    /* batch loss: x 0.5..1.5 over 420 units, y 2..4 over 180: (0.5, 4) top left, (1, 3) middle,
     * (1.5, 2) bottom right */
    CHECK_MSG(strstr(buf, "points=\"60.00,24.00 270.00,114.00 480.00,204.00\"") != NULL, "%s", buf);
    CHECK(strstr(buf, "seed &lt;2&gt;") != NULL);
    const char *e = strstr(buf, "epoch loss: caption"), *b = strstr(buf, "batch loss: caption"),
               *l = strstr(buf, "lr: cg");
    CHECK(e && b && l && e < b && b < l);
    free(buf);
    report_run_free(&runs[0]);
    report_run_free(&runs[1]);
    fp = fopen(path, "w");
    fputs("{\"kind\": \"batch\"}\n", fp);
    fclose(fp);
    CHECK(report_run_load(path, NULL, &runs[0]) == -1 &&
          strstr(wsd_error(), ":1: expected a training-log record"));
    unlink(path);
}

int main(void) {
    TEST_RUN(timelines_and_bad_input);
    TEST_RUN(scores_file_round_trip);
    TEST_RUN(curves);
    return test_finish();
}
