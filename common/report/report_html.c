#include "report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void report_text(FILE *fp, const char *s) {
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n')
                fputs("\xef\xbf\xbd", fp);
            else
                fputc(*p, fp);
        }
    }
}

void report_num(FILE *fp, double x) {
    if (!isfinite(x)) x = 0;
    double r = round(x * 100) / 100;
    if (r == 0) r = 0; /* no "-0" */
    char buf[64];
    snprintf(buf, sizeof buf, "%.2f", r);
    char *e = buf + strlen(buf) - 1;
    while (*e == '0') *e-- = '\0';
    if (*e == '.') *e = '\0';
    fputs(buf, fp);
}

void report_exact(FILE *fp, double x) {
    char buf[400];
    /* plain decimals first ("30", "12.34"): shorter than %g's exponents for timestamps */
    for (int prec = 0; prec <= 6 && fabs(x) < 1e15; prec++) {
        snprintf(buf, sizeof buf, "%.*f", prec, x);
        if (strtod(buf, NULL) == x) {
            fputs(buf, fp);
            return;
        }
    }
    snprintf(buf, sizeof buf, "%.17g", x);
    fputs(buf, fp);
}

const char *report_basename(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}
