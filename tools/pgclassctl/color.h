/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page map in colour on a terminal: when to colour, and how.
 */
#ifndef PGCLASSCTL_COLOR_H
#define PGCLASSCTL_COLOR_H

#include <stddef.h>
#include <stdio.h>

enum pgc_color_when {
	PGC_COLOR_AUTO,		/* on a terminal, unless NO_COLOR or TERM=dumb */
	PGC_COLOR_ALWAYS,
	PGC_COLOR_NEVER,
};

/* "auto", "always" or "never" to @when; -1 for any other word. */
int pgc_color_parse(const char *word, enum pgc_color_when *when);

/*
 * Whether output to file descriptor @fd is coloured.  auto colours a
 * terminal, unless NO_COLOR is set and not empty (https://no-color.org)
 * or TERM is "dumb"; always and never do as they say.
 */
int pgc_color_use(enum pgc_color_when when, int fd);

/*
 * Copies the debugfs map text @text to @out with each page's character
 * on its class's colour, the symbols of the legend line too.  Characters
 * that are not map symbols (a free page, the legend's words) and line
 * ends are copied as they are.
 */
void pgc_color_map(const char *text, size_t len, FILE *out);

#endif /* PGCLASSCTL_COLOR_H */
