/* Where METEOR 1.5's data comes from, the way users have it.
 *
 * Meteor needs five things: the function-word list, the nonbreaking-prefix
 * list, its WordNet export (english.synsets + english.exceptions) and the
 * paraphrase table. The first four are inside meteor-1.5.jar (a zip:
 * function/english.words, nonbreaking/english.prefixes, synonym/...), the
 * table sits next to it as data/paraphrase-en.gz. That is the layout of the
 * Meteor 1.5 release, of coco-caption's pycocoevalcap/meteor/ and of the
 * pycocoevalcap package, so a user of the official evaluator already has it.
 *
 * Lookup, first hit per file:
 *  1. the single-file overrides (function_words, prefixes, synonym_dir,
 *     paraphrase);
 *  2. jar: the members of that jar, the table in JARDIR/data or JARDIR;
 *  3. dir: an unpacked tree (DIR/resources/function/english.words,
 *     DIR/function/..., DIR/english.words, likewise for the others), then
 *     DIR/meteor-1.5.jar, and DIR/data/paraphrase-en.gz or DIR/paraphrase-en.gz;
 *  4. with search set and neither jar nor dir given: $WSD_METEOR_DIR, then the
 *     first pycocoevalcap/meteor or coco-caption folder holding meteor-1.5.jar
 *     among wsd_meteor_search_dirs(). */
#ifndef WSD_METEOR_DATA_H
#define WSD_METEOR_DATA_H

#include <stddef.h>

typedef struct {
    const char *jar, *dir;
    const char *function_words, *prefixes, *synonym_dir, *paraphrase;
    int search;
} wsd_meteor_where;

enum {
    WSD_METEOR_WORDS,
    WSD_METEOR_PREFIXES,
    WSD_METEOR_SYNSETS,
    WSD_METEOR_EXCEPTIONS,
    WSD_METEOR_N_TEXT
};

typedef struct {
    char *text[WSD_METEOR_N_TEXT]; /* file contents (NUL-terminated) or NULL: not found */
    size_t len[WSD_METEOR_N_TEXT];
    char *origin[WSD_METEOR_N_TEXT]; /* "PATH" or "JAR:MEMBER" */
    char *paraphrase;                /* path of paraphrase-en.gz, or NULL */
    char *source;                    /* one line: where the data came from */
    char *missing;                   /* "" when complete, else what is missing */
} wsd_meteor_data;

/* Fills *d. Missing files are listed in d->missing (not an error). -1 +
 * wsd_fail when something named explicitly is unusable: a jar, directory or
 * file that does not exist or cannot be read. */
int wsd_meteor_data_find(const wsd_meteor_where *w, wsd_meteor_data *d);
void wsd_meteor_data_free(wsd_meteor_data *d);

/* Opens METEOR (meteor.h) with data located here; the texts in *d are parsed
 * in place (modified); free *d afterwards. NULL + wsd_fail when the
 * function-word list is missing or a file is malformed. */
struct wsd_meteor;
struct wsd_meteor *wsd_meteor_open_data(wsd_meteor_data *d, const char *wordnet_dir);

/* The folders searched for meteor-1.5.jar when nothing is given, in order:
 * $VIRTUAL_ENV and $CONDA_PREFIX site-packages, $PYTHONPATH entries,
 * coco-caption/densevid_eval checkouts and data/meteor-1.5 under the current
 * directory, the user's site-packages (~/.local, pyenv, conda), then
 * /usr/local and /usr site-/dist-packages and /opt/conda. Returns a
 * NULL-terminated malloc'd list of malloc'd paths (only those that exist). */
char **wsd_meteor_search_dirs(void);
void wsd_meteor_search_dirs_free(char **dirs);

#endif
