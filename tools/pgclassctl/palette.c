// SPDX-License-Identifier: GPL-2.0
/*
 * One colour per map symbol, from the xterm 256-colour palette: the
 * small classes go round the colour wheel from red (16 B) through green
 * and blue to pink, light enough to read black text on; a whole page is
 * a deep blue, a multi-page block a deep purple, metadata grey, all three
 * under white text.  A free page has no colour.
 */
#include "palette.h"

/* xterm-256 colour cube entries: 16 + 36 r + 6 g + b, r g b in 0..5. */
static const unsigned char pgc_small_colors[PGC_NR_SMALL] = {
	203,	/* a    16 B: (255, 95, 95) red */
	209,	/* b    32 B: (255,135, 95) orange */
	221,	/* c    64 B: (255,215, 95) gold */
	149,	/* d   128 B: (175,215, 95) lime */
	78,	/* e   256 B: ( 95,215,135) green */
	80,	/* f   512 B: ( 95,215,215) cyan */
	75,	/* g  1024 B: ( 95,175,255) sky blue */
	141,	/* h  2048 B: (175,135,255) lavender */
	177,	/* i  4096 B: (215,135,255) violet */
	213,	/* j  8192 B: (255,135,255) pink */
	211,	/* k 16384 B: (255,135,175) rose */
	187,	/* l 32768 B: (215,215,175) khaki */
};

#define PGC_COLOR_WHOLE	25	/* (  0, 95,175) deep blue */
#define PGC_COLOR_MULTI	90	/* (135,  0,135) deep purple */
#define PGC_COLOR_META	244	/* (128,128,128) grey */
#define PGC_COLOR_BLACK	16
#define PGC_COLOR_WHITE	231

int pgc_sym_color(char sym)
{
	if (sym >= 'a' && sym < 'a' + PGC_NR_SMALL)
		return pgc_small_colors[sym - 'a'];
	switch (sym) {
	case PGC_SYM_WHOLE:
		return PGC_COLOR_WHOLE;
	case PGC_SYM_HEAD:
	case PGC_SYM_TAIL:
		return PGC_COLOR_MULTI;
	case PGC_SYM_META:
		return PGC_COLOR_META;
	default:
		return -1;
	}
}

int pgc_sym_text_color(char sym)
{
	if (sym >= 'a' && sym < 'a' + PGC_NR_SMALL)
		return PGC_COLOR_BLACK;
	return PGC_COLOR_WHITE;
}

struct pgc_rgb pgc_xterm_rgb(int idx)
{
	static const unsigned char level[6] = { 0, 95, 135, 175, 215, 255 };
	struct pgc_rgb c;

	if (idx >= 232) {
		/* The grey ramp: 8, 18, ... 238. */
		c.r = 8 + 10 * (idx - 232);
		c.g = c.r;
		c.b = c.r;
		return c;
	}
	if (idx < 16)
		idx = 16;
	idx -= 16;
	c.r = level[idx / 36];
	c.g = level[idx / 6 % 6];
	c.b = level[idx % 6];
	return c;
}

char pgc_class_sym(unsigned long long block_size)
{
	int i;

	for (i = 0; i < PGC_NR_SMALL; i++)
		if (block_size == 16ULL << i)
			return 'a' + i;
	return 0;
}
