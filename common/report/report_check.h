/* Structural check of a report page (densevid-report --check, and the
 * tests): the markup is well formed (every element closed in order, every
 * attribute quoted, every '&' an entity; <script> and <style> are raw text),
 * each <section class="v"> holds exactly one <svg class="timeline"> whose
 * data-id is the section's, every bar (<rect class="b ...">) sits where its
 * data-s / data-e times put it on the video's axis (report_timeline.h), and
 * every chart line stays inside its plot. */
#ifndef WSD_REPORT_CHECK_H
#define WSD_REPORT_CHECK_H

#include <stddef.h>

typedef struct {
    size_t elements, sections, timelines, bars, charts, polylines;
} report_check_stats;

/* Checks text (len bytes). 0, or -1 with wsd_fail "LINE: what is wrong". */
int report_check_html(const char *text, size_t len, report_check_stats *st);

#endif
