/* Outputs that appear whole or not at all, even after a kill or power loss.
 *
 * wsd_tmp_create() makes PATH.tmp.XXXXXX beside PATH (mode 0666 & ~umask, as
 * open(2) would); wsd_tmp_commit() syncs it to disk (fsync), renames it over
 * PATH and syncs the directory, so PATH is the old file or the complete new
 * one. Until committed or discarded the temporary file is registered: it is
 * removed on exit() (wsd_die, out-of-memory), on SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT and SIGPIPE (the signal is then re-raised), and SIGXFSZ is ignored
 * so that a `ulimit -f` overrun is an ordinary write error (EFBIG) the writer
 * reports and cleans up. */
#ifndef WSD_TMPFILE_H
#define WSD_TMPFILE_H

/* Returns the malloc'ed temporary path (*fd open for writing; fd may be NULL
 * to have it closed), or NULL + wsd_error() naming PATH and the reason. */
char *wsd_tmp_create(const char *path, int *fd);
/* fsync(tmp) + rename(tmp, path) + fsync(directory of path). The caller has
 * closed (or flushed) its handle. On failure tmp is removed and the error
 * names PATH and strerror. Either way tmp is unregistered (not freed). */
int wsd_tmp_commit(const char *tmp, const char *path);
/* Removes and unregisters tmp (not freed). */
void wsd_tmp_discard(const char *tmp);
/* Whether PATH could be written: makes and removes a temporary file beside
 * it, so a missing or unwritable folder is reported before hours of work.
 * 0, or -1 + wsd_error() "PATH: cannot create a temporary file beside it:
 * REASON". "-" is always fine. */
int wsd_tmp_probe(const char *path);
/* Temporary files registered now (for tests). */
int wsd_tmp_count(void);

#endif
