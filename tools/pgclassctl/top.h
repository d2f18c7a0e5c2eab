/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclassctl top: a live view of the allocator, in the manner of slabtop.
 */
#ifndef PGCLASSCTL_TOP_H
#define PGCLASSCTL_TOP_H

#include "color.h"

#define PGC_TOP_DELAY_MIN	0.1	/* seconds; each refresh dumps debugfs */
#define PGC_TOP_DELAY_MAX	86400.0

struct pgc_top_opts {
	double delay;			/* seconds between refreshes */
	enum pgc_color_when color;	/* the map's colour */
};

/*
 * Parses SECONDS of -d: a decimal number from PGC_TOP_DELAY_MIN to
 * PGC_TOP_DELAY_MAX.  Returns 0, or -1 if @word is not one.
 */
int pgc_top_parse_delay(const char *word, double *delay);

/*
 * On a terminal (standard output, TERM not dumb): redraws the summary,
 * the stats that changed, the classes table and the map every
 * @opts->delay seconds until q, ^C or a signal that ends it; the
 * terminal is restored on every way out.  Elsewhere: one frame, plain.
 * Returns the exit status: 0, or 1 if a debugfs file could not be read
 * or the output written.
 */
int pgc_top(const struct pgc_top_opts *opts);

#endif /* PGCLASSCTL_TOP_H */
