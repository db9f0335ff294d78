#include "report/report_page.h"

#include "base/util.h"
#include "report/report_html.h"
#include "report/report_timeline.h"
#include "score/score_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_UNKNOWN_LISTED = 50 };

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 "
    "16px;color:#222}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;margin-top:28px}"
    "h3{font-size:14px;margin:0;font-family:monospace}"
    "table.scores{border-collapse:collapse}table.scores td,table.scores th{border:1px solid "
    "#ccc;padding:2px 8px;"
    "text-align:right}table.scores th{background:#f3f3f3}.warn{color:#a50026}"
    ".legend span{margin-right:12px;white-space:nowrap}.legend "
    "i{display:inline-block;width:14px;height:10px;"
    "margin-right:4px;vertical-align:middle}"
    ".charts{display:flex;flex-wrap:wrap;gap:8px}figure.chart{margin:0;width:500px}svg.chart{width:"
    "100%}"
    "svg.chart polyline{fill:none;stroke-width:1.5}svg.chart .frame{fill:none;stroke:#999}"
    "svg line{stroke:#777}svg text{font-size:10px;fill:#333}svg .axis text{text-anchor:middle}svg "
    ".axis .yt{text-anchor:end}svg .ct{font-size:12px}"
    "#controls{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid "
    "#ddd;z-index:1}"
    "#info{font-size:13px;min-height:1.4em;color:#333}"
    "section.v{content-visibility:auto;contain-intrinsic-size:auto 150px;border-bottom:1px solid "
    "#eee;"
    "padding:6px 0}section.v p{margin:2px 0;font-size:12px;color:#555}"
    "svg.timeline{width:100%;height:auto;display:block}svg.timeline .bg{fill:#fafafa}"
    "svg.timeline .pred .bg{fill:#f0f4ff}svg .b{stroke:#333;stroke-width:.5}svg "
    ".b:hover{stroke-width:2}"
    "svg .b.out{stroke:#a50026;stroke-width:1.5;stroke-dasharray:3 2}svg "
    ".b.empty{fill-opacity:.35}";

static const char js[] =
    "(function(){var box=document.getElementById('videos');if(!box)return;"
    "var secs=Array.prototype.slice.call(box.children),q=document.getElementById('q'),"
    "key=document.getElementById('key'),dir=document.getElementById('dir'),"
    "info=document.getElementById('info'),cnt=document.getElementById('count');"
    "function val(s,k){if(k<0)return s.getAttribute('data-id');"
    "var v=parseFloat(s.getAttribute('data-k').split(' ')[k]);return isNaN(v)?-Infinity:v;}"
    "function sort(){var k=parseInt(key.value,10),d=dir.value==='desc'?-1:1;"
    "secs.sort(function(a,b){var x=val(a,k),y=val(b,k);return x<y?-d:x>y?d:0;});"
    "var "
    "f=document.createDocumentFragment();secs.forEach(function(s){f.appendChild(s);});box."
    "appendChild(f);}"
    "function filter(){var t=q.value.trim().toLowerCase(),n=0;secs.forEach(function(s){"
    "var "
    "show=!t||s.getAttribute('data-id').toLowerCase().indexOf(t)>=0;s.hidden=!show;if(show)n++;});"
    "cnt.textContent=n+' of '+secs.length+' videos';}"
    "key.addEventListener('change',sort);dir.addEventListener('change',sort);q.addEventListener('"
    "input',filter);"
    "box.addEventListener('mouseover',function(e){var t=e.target;"
    "if(t.classList&&t.classList.contains('b')&&t.firstChild)info.textContent=t.firstChild."
    "textContent;});"
    "filter();})();";

/* Sorted union of the ids of n sets. */
static char **union_ids(const score_set *sets, size_t n, size_t *n_out) {
    size_t cap = 0;
    for (size_t f = 0; f < n; f++) cap += sets[f].n_videos;
    char **ids = wsd_malloc((cap ? cap : 1) * sizeof *ids);
    size_t *pos = wsd_calloc(n ? n : 1, sizeof *pos), m = 0;
    for (;;) {
        const char *best = NULL;
        for (size_t f = 0; f < n; f++)
            if (pos[f] < sets[f].n_videos && (!best || strcmp(sets[f].videos[pos[f]].id, best) < 0))
                best = sets[f].videos[pos[f]].id;
        if (!best) break;
        ids[m++] = (char *)best;
        for (size_t f = 0; f < n; f++)
            if (pos[f] < sets[f].n_videos && !strcmp(sets[f].videos[pos[f]].id, best)) pos[f]++;
    }
    free(pos);
    *n_out = m;
    return ids;
}

static void score_cell(FILE *fp, double v) {
    if (isnan(v))
        fputs("<td>\xe2\x80\x94</td>", fp);
    else
        fprintf(fp, "<td>%.4f</td>", 100 * v);
}

/* The table: mean over the scored videos of each per-video value. */
static void score_table(FILE *fp, const report_scores *s) {
    size_t nt = s->n_tious, rs = (nt + 1) * SCORE_N_METRICS;
    double *mean = wsd_calloc(rs, sizeof *mean);
    for (size_t v = 0; v < s->n_videos; v++)
        for (size_t i = 0; i < rs; i++) mean[i] += s->values[v * rs + i];
    for (size_t i = 0; i < rs; i++) mean[i] = s->n_videos ? mean[i] / (double)s->n_videos : NAN;
    fputs("<table class=\"scores\"><tr><th>metric (x100)</th>", fp);
    for (size_t t = 0; t < nt; t++) fprintf(fp, "<th>tIoU %g</th>", s->tious[t]);
    fputs("<th>average</th></tr>", fp);
    for (int k = 0; k < SCORE_N_METRICS; k++) {
        fprintf(fp, "<tr><th>%s</th>", score_metric_names[k]);
        for (size_t t = 0; t <= nt; t++)
            score_cell(fp, s->has[k] ? mean[t * SCORE_N_METRICS + k] : NAN);
        fputs("</tr>", fp);
    }
    fputs("</table><p>Per-video scores: ", fp);
    report_text(fp, s->source);
    fprintf(fp,
            " (%zu videos); every value is the mean over the videos of the per-video value, as in "
            "the official "
            "table.</p>",
            s->n_videos);
    free(mean);
}

static void one_video(FILE *fp, const report_page *pg, const char *id, report_lane *lanes,
                      report_timeline_stats *ts) {
    size_t nl = 0;
    for (size_t f = 0; f < pg->n_refs; f++)
        lanes[nl++] =
            (report_lane){report_basename(pg->refs[f].path), score_find(&pg->refs[f], id), 0};
    if (pg->pred) lanes[nl++] = (report_lane){pg->pred_name, score_find(pg->pred, id), 1};
    const double *row = pg->scores ? report_scores_find(pg->scores, id) : NULL;
    fputs("<section class=\"v\" data-id=\"", fp);
    report_text(fp, id);
    fputs("\" data-k=\"", fp);
    for (int k = 0; k < SCORE_N_METRICS; k++) {
        double v = row ? row[pg->scores->n_tious * SCORE_N_METRICS + k] : NAN;
        if (isnan(v))
            fprintf(fp, "%s-", k ? " " : "");
        else
            fprintf(fp, "%s%.6g", k ? " " : "", 100 * v);
    }
    fputs("\"><h3>", fp);
    report_text(fp, id);
    double d = report_video_duration(lanes, nl);
    fputs("</h3><p>", fp);
    report_num(fp, d);
    fputs(" s", fp);
    for (size_t l = 0; l < nl; l++) {
        fputs(l ? ", " : "; events: ", fp);
        report_text(fp, lanes[l].name);
        fprintf(fp, " %zu", lanes[l].video ? lanes[l].video->n_events : 0);
    }
    if (row) {
        fputs("; averaged over tIoUs:", fp);
        static const int shown[] = {SCORE_METEOR, SCORE_CIDER, SCORE_BLEU4, SCORE_RECALL,
                                    SCORE_PRECISION};
        for (size_t i = 0; i < sizeof shown / sizeof *shown; i++) {
            double v = row[pg->scores->n_tious * SCORE_N_METRICS + shown[i]];
            if (!isnan(v)) fprintf(fp, " %s %.2f", score_metric_names[shown[i]], 100 * v);
        }
    } else if (pg->scores) {
        fputs("; no per-video scores", fp);
    }
    fputs("</p>", fp);
    report_timeline_svg(fp, id, d, lanes, nl, ts);
    fputs("</section>\n", fp);
}

int report_write_page(FILE *fp, const report_page *pg, report_page_stats *st) {
    report_page_stats local = {0};
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    size_t nv = 0;
    char **ids = pg->n_refs ? union_ids(pg->refs, pg->n_refs, &nv)
                 : pg->pred ? union_ids(pg->pred, 1, &nv)
                            : NULL;
    /* the timelines first, into memory: the summary above them counts what they found */
    char *vbuf = NULL;
    size_t vlen = 0;
    FILE *vf = open_memstream(&vbuf, &vlen);
    if (!vf) return wsd_fail("out of memory for the report");
    report_lane *lanes = wsd_malloc((pg->n_refs + 1) * sizeof *lanes);
    report_timeline_stats ts = {0};
    for (size_t v = 0; v < nv; v++) one_video(vf, pg, ids[v], lanes, &ts);
    fclose(vf);
    free(lanes);
    st->videos = nv;
    st->bars = ts.bars;
    st->outside = ts.outside;
    st->empty = ts.empty;
    const char *title = pg->title ? pg->title : "wsdec report";

    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
          "<meta name=\"viewport\" content=\"width=device-width\"/><title>",
          fp);
    report_text(fp, title);
    fprintf(fp, "</title><style>%s", css);
    for (int c = 0; c < REPORT_N_COLOURS; c++)
        fprintf(fp, "svg .c%d{fill:%s}", c, report_class_colour(c));
    fputs("</style></head><body>\n<h1>", fp);
    report_text(fp, title);
    fputs("</h1>\n<h2 id=\"summary\">Summary</h2>", fp);
    if (pg->scores) score_table(fp, pg->scores);
    fputs("<ul class=\"counts\">", fp);
    for (size_t f = 0; f < pg->n_refs; f++) {
        size_t ev = 0;
        for (size_t v = 0; v < pg->refs[f].n_videos; v++) ev += pg->refs[f].videos[v].n_events;
        fputs("<li>reference ", fp);
        report_text(fp, pg->refs[f].path);
        fprintf(fp, ": %zu videos, %zu events</li>", pg->refs[f].n_videos, ev);
    }
    if (pg->pred) {
        size_t ev = 0, known = 0;
        for (size_t v = 0; v < pg->pred->n_videos; v++) {
            ev += pg->pred->videos[v].n_events;
            int found = !pg->n_refs;
            for (size_t f = 0; f < pg->n_refs && !found; f++)
                found = score_find(&pg->refs[f], pg->pred->videos[v].id) != NULL;
            known += found;
        }
        st->unknown_videos = pg->pred->n_videos - known;
        fputs("<li>predictions ", fp);
        report_text(fp, pg->pred->path);
        fprintf(fp, ": %zu videos (%zu of them in the references), %zu events</li>",
                pg->pred->n_videos, known, ev);
    }
    fprintf(fp, "<li>%zu timelines, %zu bars</li></ul>", nv, st->bars);
    if (st->unknown_videos) {
        fprintf(fp,
                "<p class=\"warn\" id=\"unknown\">%zu predicted video(s) are in no reference file "
                "(ignored by the "
                "scorer, no timeline):",
                st->unknown_videos);
        size_t listed = 0;
        for (size_t v = 0; v < pg->pred->n_videos && listed < MAX_UNKNOWN_LISTED; v++) {
            int found = 0;
            for (size_t f = 0; f < pg->n_refs && !found; f++)
                found = score_find(&pg->refs[f], pg->pred->videos[v].id) != NULL;
            if (found) continue;
            fputs(listed++ ? ", " : " ", fp);
            report_text(fp, pg->pred->videos[v].id);
        }
        fputs(st->unknown_videos > listed ? ", ...</p>" : "</p>", fp);
    }
    if (st->outside)
        fprintf(fp,
                "<p class=\"warn\" id=\"outside\">%zu event(s) lie outside their video or run "
                "backwards: drawn "
                "clipped, with a dashed red outline.</p>",
                st->outside);
    if (st->empty)
        fprintf(
            fp,
            "<p class=\"warn\" id=\"empty\">%zu event(s) have an empty sentence: drawn pale.</p>",
            st->empty);

    if (pg->n_runs) {
        fputs("\n<h2 id=\"curves\">Training curves</h2>", fp);
        report_curves_html(fp, pg->runs, pg->n_runs);
    }
    if (nv) {
        fputs("\n<h2 id=\"timelines\">Timelines</h2><div id=\"controls\">"
              "<label>video id <input id=\"q\" type=\"search\" placeholder=\"search\"/></label> "
              "<label>sort by <select id=\"key\"><option value=\"-1\">video id</option>",
              fp);
        for (int k = 0; pg->scores && k < SCORE_N_METRICS; k++)
            if (pg->scores->has[k])
                fprintf(fp, "<option value=\"%d\">%s</option>", k, score_metric_names[k]);
        fputs("</select></label> <select id=\"dir\"><option value=\"asc\">ascending</option>"
              "<option value=\"desc\">descending</option></select> <span id=\"count\"></span>"
              "<div class=\"legend\">best tIoU:",
              fp);
        for (int c = 0; c < REPORT_N_COLOURS; c++) {
            fprintf(fp, " <span><i style=\"background:%s\"></i>", report_class_colour(c));
            if (c == 0)
                fputs("0", fp);
            else if (c == 10)
                fputs("&gt;0.9", fp);
            else
                fprintf(fp, "%.1f\xe2\x80\x93%.1f", (c - 1) / 10.0, c / 10.0);
            fputs("</span>", fp);
        }
        fputs("</div><div id=\"info\">hover over a bar to read its sentence</div></div>\n<div "
              "id=\"videos\">\n",
              fp);
        fwrite(vbuf, 1, vlen, fp);
        fputs("</div>\n", fp);
    }
    fprintf(fp, "<script>%s</script>\n</body></html>\n", js);
    free(vbuf);
    free(ids);
    return ferror(fp) ? wsd_fail("write error on the report") : 0;
}
