/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclassctl's side of debugfs pgclass/: its files printed as they are,
 * the map in colour, or drawn as an SVG picture.
 */
#ifndef PGCLASSCTL_DEBUGFS_H
#define PGCLASSCTL_DEBUGFS_H

#include <stddef.h>
#include <stdio.h>

/* $PGCLASS_DEBUGFS, or /sys/kernel/debug/pgclass. */
const char *pgc_debugfs_dir(void);

/*
 * Reads file @what of the directory whole, into a NUL-terminated buffer
 * to free.  Returns 0 or a negative errno.
 */
int pgc_debugfs_read(const char *what, char **text, size_t *len);

/*
 * Prints file @what to @out; with @color, the map (@what "map") in
 * colour, else byte for byte.  Returns 0 or a negative errno.
 */
int pgc_debugfs_print(const char *what, FILE *out, int color);

/*
 * Draws the map from files pages and blocks (if there is one) into
 * @path, "-" being standard output, with @caption (may be NULL).
 * Returns 0 or a negative errno; then @why, if not NULL, says what
 * failed in @why_len bytes.
 */
int pgc_debugfs_svg(const char *path, const char *caption, char *why,
		    size_t why_len);

#endif /* PGCLASSCTL_DEBUGFS_H */
