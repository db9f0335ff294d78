/* Bounded option values for programs, one message style for all of them (as
 * suckless sbase's estrtonum(s, min, max)).
 *
 * These are the program side of the library: a value that is not a number, or
 * lies outside [min, max], is a usage error, so they wsd_die() (exit 1) with
 * "NAME: expected an integer in [MIN, MAX], got 'S'". Library code never calls
 * them. */
#ifndef WSD_OPT_H
#define WSD_OPT_H

#include <getopt.h>
#include <stddef.h>

/* The most CPU threads any program accepts for --threads (0 = the library's
 * default). */
#define WSD_OPT_MAX_THREADS 1024
/* The most of any count (batch, epochs, videos, sizes) a program accepts. */
#define WSD_OPT_MAX_COUNT 1000000000L

long wsd_opt_long(const char *s, const char *name, long min, long max);
int wsd_opt_int(const char *s, const char *name, int min, int max);
/* A finite number in [min, max]. */
double wsd_opt_double(const char *s, const char *name, double min, double max);
/* Comma-separated integers, each in [min, max]; at least one, at most cap.
 * Returns how many were written to out. */
int wsd_opt_int_list(const char *s, const char *name, int min, int max, int *out, int cap);
/* The index of s in the NULL-terminated list of choices; otherwise dies with
 * "NAME: expected A, B or C, got 'S'". */
int wsd_opt_choice(const char *s, const char *name, const char *const *choices);

/* The n options of `shared` followed by `extra` (ending with a zero entry),
 * as one malloc'ed table for getopt_long: options several programs share. */
struct option *wsd_opt_table(const struct option *shared, size_t n, const struct option *extra);

/* Prints the usage text and exits: to stdout with 0 for --help (ok = 1), to
 * stderr with 1 for a usage error (ok = 0). */
void wsd_opt_usage(const char *usage, int ok) __attribute__((noreturn));
/* Prints "PROGNAME (wsdec) VERSION" and exits 0. */
void wsd_opt_version(void) __attribute__((noreturn));

#endif
