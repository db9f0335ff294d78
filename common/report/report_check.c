#include "report/report_check.h"

#include "base/util.h"
#include "report/report_curves.h"
#include "report/report_timeline.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 256, MAX_ATTRS = 32, NAME_MAX_LEN = 32 };
static const double POS_TOL = 0.011; /* coordinates are printed with 2 decimals */

typedef struct {
    char name[NAME_MAX_LEN];
    char *value; /* decoded enough for numbers and ids: entities kept as written */
} attr;

/* Line of p: counted on from the last position asked (the scan only moves forward). */
static const char *line_pos;
static size_t line_no;
static size_t line_of(const char *text, const char *p) {
    if (!line_pos || p < line_pos || line_pos < text) line_pos = text, line_no = 1;
    for (; line_pos < p; line_pos++) line_no += *line_pos == '\n';
    return line_no;
}

static const char *attr_get(attr *a, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(a[i].name, name)) return a[i].value;
    return NULL;
}

static int has_class(const char *cls, const char *want) {
    if (!cls) return 0;
    size_t n = strlen(want);
    for (const char *p = cls; (p = strstr(p, want)); p += n)
        if ((p == cls || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return 1;
    return 0;
}

static int entity_ok(const char *p, const char *end) {
    static const char *const named[] = {"&amp;", "&lt;",   "&gt;",  "&quot;",
                                        "&#39;", "&apos;", "&nbsp;"};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if ((size_t)(end - p) >= strlen(named[i]) && !strncmp(p, named[i], strlen(named[i])))
            return 1;
    if (end - p > 3 && p[1] == '#') {
        const char *q = p + 2;
        while (q < end && isdigit((unsigned char)*q)) q++;
        return q > p + 2 && q < end && *q == ';';
    }
    return 0;
}

static int is_void(const char *name) {
    static const char *const v[] = {"meta", "input", "br", "hr", "img", "link", "col", "wbr"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (!strcmp(name, v[i])) return 1;
    return 0;
}

static double num(const char *s, int *bad) {
    char *e;
    double x = s ? strtod(s, &e) : NAN;
    if (!s || e == s || *e) *bad = 1;
    return x;
}

static double clip(double x, double d) { return !(x > 0) ? 0 : x > d ? d : x; }

typedef struct {
    int in_section, section_timelines;
    char *section_id;
    int in_timeline;
    double duration;
    int in_chart;
    double chart_w, chart_h;
} state;

/* Checks one opening tag's meaning. */
static int check_open(const char *name, attr *a, int na, state *s, report_check_stats *st,
                      size_t line) {
    const char *cls = attr_get(a, na, "class");
    int bad = 0;
    if (!strcmp(name, "section") && has_class(cls, "v")) {
        if (s->in_section) return wsd_fail("line %zu: a video section inside another", line);
        s->in_section = 1, s->section_timelines = 0;
        free(s->section_id);
        const char *id = attr_get(a, na, "data-id");
        if (!id) return wsd_fail("line %zu: a video section without data-id", line);
        s->section_id = wsd_strdup(id);
        st->sections++;
    } else if (!strcmp(name, "svg") && has_class(cls, "timeline")) {
        if (!s->in_section) return wsd_fail("line %zu: a timeline outside a video section", line);
        const char *id = attr_get(a, na, "data-id");
        if (!id || strcmp(id, s->section_id))
            return wsd_fail("line %zu: timeline of '%s' in the section of '%s'", line,
                            id ? id : "?", s->section_id);
        s->duration = num(attr_get(a, na, "data-duration"), &bad);
        if (bad || !(s->duration > 0))
            return wsd_fail("line %zu: timeline without a positive data-duration", line);
        s->in_timeline = 1;
        s->section_timelines++;
        st->timelines++;
    } else if (!strcmp(name, "rect") && has_class(cls, "b")) {
        if (!s->in_timeline) return wsd_fail("line %zu: an event bar outside a timeline", line);
        double x = num(attr_get(a, na, "x"), &bad), w = num(attr_get(a, na, "width"), &bad);
        double ts = num(attr_get(a, na, "data-s"), &bad), te = num(attr_get(a, na, "data-e"), &bad);
        if (bad)
            return wsd_fail("line %zu: an event bar without numeric x, width, data-s, data-e",
                            line);
        double lo = clip(fmin(ts, te), s->duration), hi = clip(fmax(ts, te), s->duration);
        double ex = REPORT_TRACK_X + REPORT_TRACK_W * lo / s->duration,
               ew = REPORT_TRACK_W * (hi - lo) / s->duration;
        if (fabs(x - ex) > POS_TOL || fabs(w - ew) > POS_TOL)
            return wsd_fail(
                "line %zu: bar [%g, %g] of video %s at x %g width %g, expected x %.2f width %.2f "
                "(duration %g)",
                line, ts, te, s->section_id, x, w, ex, ew, s->duration);
        int out = !(ts >= 0 && te <= s->duration && ts <= te);
        if (out != has_class(cls, "out"))
            return wsd_fail("line %zu: bar [%g, %g] of video %s: class \"out\" %s", line, ts, te,
                            s->section_id, out ? "missing" : "on an event inside the video");
        st->bars++;
    } else if (!strcmp(name, "svg") && has_class(cls, "chart")) {
        s->in_chart = 1;
        st->charts++;
    } else if (!strcmp(name, "polyline") && s->in_chart) {
        const char *pts = attr_get(a, na, "points");
        if (!pts || !*pts) return wsd_fail("line %zu: a chart line without points", line);
        for (const char *p = pts; *p;) {
            char *e;
            double px = strtod(p, &e);
            if (*e != ',')
                return wsd_fail("line %zu: chart points: expected x,y at '%.20s'", line, p);
            double py = strtod(e + 1, &e);
            if (px < REPORT_PLOT_X - POS_TOL || px > REPORT_PLOT_X + REPORT_PLOT_W + POS_TOL ||
                py < REPORT_PLOT_Y - POS_TOL || py > REPORT_PLOT_Y + REPORT_PLOT_H + POS_TOL)
                return wsd_fail("line %zu: chart point %g,%g outside the plot", line, px, py);
            while (*e == ' ') e++;
            p = e;
        }
        st->polylines++;
    }
    return 0;
}

static void check_close(const char *name, state *s) {
    if (!strcmp(name, "svg")) s->in_timeline = 0, s->in_chart = 0;
}

int report_check_html(const char *text, size_t len, report_check_stats *st) {
    memset(st, 0, sizeof *st);
    line_pos = NULL;
    const char *p = text, *end = text + len;
    char stack[MAX_DEPTH][NAME_MAX_LEN];
    int depth = 0, rc = 0;
    state s = {0};
    attr a[MAX_ATTRS];
    int na = 0;
    while (p < end && rc == 0) {
        if (*p == '&') {
            if (!entity_ok(p, end))
                rc = wsd_fail("line %zu: a bare '&' (not an entity)", line_of(text, p));
            p++;
            continue;
        }
        if (*p == '>') {
            rc = wsd_fail("line %zu: a bare '>' in text", line_of(text, p));
            break;
        }
        if (*p != '<') {
            p++;
            continue;
        }
        if (!strncmp(p, "<!--", 4)) {
            const char *e = strstr(p, "-->");
            if (!e) rc = wsd_fail("line %zu: unterminated comment", line_of(text, p));
            p = e ? e + 3 : end;
            continue;
        }
        if (!strncmp(p, "<!DOCTYPE", 9)) {
            p = memchr(p, '>', (size_t)(end - p));
            p = p ? p + 1 : end;
            continue;
        }
        int closing = p[1] == '/';
        const char *q = p + 1 + closing;
        char name[NAME_MAX_LEN];
        size_t n = 0;
        while (q < end && (isalnum((unsigned char)*q) || *q == '-') && n + 1 < sizeof name)
            name[n++] = (char)tolower(*q++);
        name[n] = '\0';
        if (!n) {
            rc = wsd_fail("line %zu: a bare '<' (not a tag)", line_of(text, p));
            break;
        }
        na = 0;
        int self = 0;
        for (;;) {
            while (q < end && isspace((unsigned char)*q)) q++;
            if (q >= end) {
                rc = wsd_fail("line %zu: unterminated tag <%s", line_of(text, p), name);
                break;
            }
            if (*q == '>') {
                q++;
                break;
            }
            if (*q == '/' && q + 1 < end && q[1] == '>') {
                self = 1, q += 2;
                break;
            }
            if (closing) {
                rc = wsd_fail("line %zu: attributes on </%s>", line_of(text, p), name);
                break;
            }
            attr *at = &a[na < MAX_ATTRS ? na : MAX_ATTRS - 1];
            size_t m = 0;
            while (q < end && (isalnum((unsigned char)*q) || *q == '-' || *q == ':') &&
                   m + 1 < sizeof at->name)
                at->name[m++] = *q++;
            at->name[m] = '\0';
            if (!m || q + 1 >= end || *q != '=' || q[1] != '"') {
                rc = wsd_fail("line %zu: <%s>: expected name=\"value\"", line_of(text, p), name);
                break;
            }
            const char *v = q + 2, *ve = memchr(v, '"', (size_t)(end - v));
            if (!ve) {
                rc = wsd_fail("line %zu: <%s>: unterminated attribute", line_of(text, p), name);
                break;
            }
            for (const char *c = v; c < ve && rc == 0; c++) {
                if (*c == '<' || *c == '>')
                    rc = wsd_fail("line %zu: <%s %s>: unescaped '%c'", line_of(text, c), name,
                                  at->name, *c);
                else if (*c == '&' && !entity_ok(c, ve + 1))
                    rc =
                        wsd_fail("line %zu: <%s %s>: a bare '&'", line_of(text, c), name, at->name);
            }
            if (rc) break;
            at->value = strndup(v, (size_t)(ve - v));
            if (na < MAX_ATTRS)
                na++;
            else
                free(at->value);
            q = ve + 1;
        }
        if (rc == 0 && !closing) {
            st->elements++;
            rc = check_open(name, a, na, &s, st, line_of(text, p));
            if (rc == 0 && !self && !is_void(name)) {
                if (depth == MAX_DEPTH)
                    rc = wsd_fail("line %zu: elements nested too deep", line_of(text, p));
                else
                    strcpy(stack[depth++], name);
                if (rc == 0 && (!strcmp(name, "script") || !strcmp(name, "style"))) {
                    /* raw text up to the closing tag */
                    char close[NAME_MAX_LEN + 4];
                    snprintf(close, sizeof close, "</%s>", name);
                    const char *e = strstr(q, close);
                    if (!e || e > end)
                        rc = wsd_fail("line %zu: <%s> never closed", line_of(text, p), name);
                    q = e ? e : end;
                }
            }
        } else if (rc == 0) {
            if (!depth || strcmp(stack[depth - 1], name))
                rc = wsd_fail("line %zu: </%s> closes <%s>", line_of(text, p), name,
                              depth ? stack[depth - 1] : "nothing");
            else
                depth--;
            if (rc == 0 && !strcmp(name, "section") && s.in_section) {
                if (s.section_timelines != 1)
                    rc = wsd_fail("line %zu: video %s has %d timelines, expected 1",
                                  line_of(text, p), s.section_id, s.section_timelines);
                s.in_section = 0;
            }
            check_close(name, &s);
        }
        for (int i = 0; i < na; i++) free(a[i].value);
        na = 0;
        p = q;
    }
    if (rc == 0 && depth) rc = wsd_fail("end of file: <%s> never closed", stack[depth - 1]);
    free(s.section_id);
    return rc;
}
