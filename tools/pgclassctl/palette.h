/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The colours of the page map, one per map symbol, shared by the
 * terminal (map in colour) and the SVG picture, so that a class looks the
 * same in both.  Each is an entry of the xterm 256-colour palette; the
 * SVG uses that entry's RGB value.
 */
#ifndef PGCLASSCTL_PALETTE_H
#define PGCLASSCTL_PALETTE_H

struct pgc_rgb {
	unsigned char r, g, b;
};

/* Map symbols, as debugfs map prints them. */
#define PGC_SYM_META	'M'
#define PGC_SYM_FREE	'.'
#define PGC_SYM_WHOLE	'P'
#define PGC_SYM_HEAD	'H'
#define PGC_SYM_TAIL	'='
#define PGC_NR_SMALL	12	/* a (16 B) to l (32 KiB) */

/*
 * The xterm-256 colour of map symbol @sym (background in the terminal,
 * fill in the SVG), or -1 for a symbol drawn without colour (a free
 * page, or one that is not a map symbol).
 */
int pgc_sym_color(char sym);

/* The xterm-256 colour of text written over pgc_sym_color(@sym). */
int pgc_sym_text_color(char sym);

/* The RGB value of xterm-256 colour @idx (16 to 255). */
struct pgc_rgb pgc_xterm_rgb(int idx);

/* The map symbol of a small class of @block_size bytes: 16 is 'a'. */
char pgc_class_sym(unsigned long long block_size);

#endif /* PGCLASSCTL_PALETTE_H */
