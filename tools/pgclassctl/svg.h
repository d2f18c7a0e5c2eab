/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page map as an SVG picture, like the lab's: a cell per allocator
 * page, coloured by class, the blocks of a small-class page inside its
 * cell, a multi-page block as one shape over its pages, a legend.
 */
#ifndef PGCLASSCTL_SVG_H
#define PGCLASSCTL_SVG_H

#include <stdio.h>

#include "pgmap.h"

/*
 * Writes @m as a standalone SVG 1.1 document to @out.  @caption, if not
 * NULL or empty, is printed under the title (pgclassctl run passes the
 * heading above the map command).  Returns 0, or -EIO if @out failed.
 */
int pgm_svg_write(const struct pgm_map *m, const char *caption, FILE *out);

#endif /* PGCLASSCTL_SVG_H */
