#include "score/score_per_video.h"

#include "base/util.h"
#include "score/score_report.h"

#include <string.h>

/* A JSON string: the video ids are arbitrary text from the submission's files. */
static void json_string(FILE *fp, const char *s) {
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

int score_write_per_video(FILE *fp, const score_result *r, const score_set *sub) {
    if (!r->per_video || !r->video_ids)
        return wsd_fail("per-video scores were not kept (keep_per_video)");
    size_t nv = r->n_videos, nt = r->n_tious;
    char num[64];
    for (size_t v = 0; v < nv; v++) {
        const score_video *p = sub ? score_find(sub, r->video_ids[v]) : NULL;
        fputs("{\"video_id\": ", fp);
        json_string(fp, r->video_ids[v]);
        fprintf(fp, ", \"predicted\": %s, \"proposals\": %zu, \"metrics\": {", p ? "true" : "false",
                p ? p->n_events : 0);
        for (int k = 0; k < SCORE_N_METRICS; k++) {
            fprintf(fp, "%s\"%s\": ", k ? ", " : "", score_metric_names[k]);
            if (k == SCORE_METEOR && !r->has_meteor) {
                fputs("null", fp);
                continue;
            }
            fputs("{\"per_tiou\": {", fp);
            double sum = 0;
            for (size_t t = 0; t < nt; t++) {
                double x = r->per_video[(t * nv + v) * SCORE_N_METRICS + k];
                sum += x;
                score_format_float(r->tious[t], num, sizeof num);
                fprintf(fp, "%s\"%s\": ", t ? ", " : "", num);
                score_format_float(x, num, sizeof num);
                fputs(num, fp);
            }
            score_format_float(nt ? sum / (double)nt : 0, num, sizeof num);
            fprintf(fp, "}, \"mean\": %s}", num);
        }
        fputs("}}\n", fp);
    }
    if (ferror(fp)) return wsd_fail("write error on the per-video scores");
    return 0;
}
