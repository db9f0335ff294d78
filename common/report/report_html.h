/* Writing HTML safely: every piece of text that came from a file goes
 * through report_text (element content and attribute values alike), so
 * sentences and video ids can never inject markup or script. */
#ifndef WSD_REPORT_HTML_H
#define WSD_REPORT_HTML_H

#include <stdio.h>

/* Writes s with & < > " ' escaped as entities; invalid control bytes
 * (below 0x20 except tab and newline) become U+FFFD. */
void report_text(FILE *fp, const char *s);
/* A number as the shortest decimal with at most 2 decimals ("12.5", "0"). */
void report_num(FILE *fp, double x);
/* The shortest decimal that reads back as x exactly ("12.5", "0.1"). */
void report_exact(FILE *fp, double x);
/* "out/run.jsonl" -> "run.jsonl" (the part after the last '/'). */
const char *report_basename(const char *path);

#endif
