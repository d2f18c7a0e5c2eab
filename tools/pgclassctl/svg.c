// SPDX-License-Identifier: GPL-2.0
/*
 * The page map as an SVG 1.1 picture.
 *
 * A title and a line of totals; then the allocator's pages in a grid, 16
 * to a row (32 or 64 for larger arenas), each row headed by the index of
 * its first page.  Each page is a cell in its class's colour (palette.c,
 * the colours of the terminal map):
 *
 *   - metadata: grey, hatched;  a free page: a light outline;
 *   - a small-class page: its blocks inside the cell, a used one filled in
 *     the class's colour, a free one white; a label strip on top gives the
 *     block size and how many are used;
 *   - a whole page: deep blue;
 *   - a multi-page block: one deep purple shape over all its pages, with
 *     thin lines where the pages meet.  A block that runs past the end of
 *     a row goes on at the start of the next: one shape per row, the ends
 *     at the break square and marked with an arrowhead.
 *
 * A legend follows.  Every page, run and used block has a <title>, which
 * a browser shows on hover: the page's index and offset, or the block's
 * offset, size and owner.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "palette.h"
#include "svg.h"
#include "util.h"

/* A middle dot, between the parts of a title. */
#define DOT	" \xc2\xb7 "

struct svg_geom {
	unsigned int cols, rows;
	unsigned int cell, gap;
	unsigned int strip;	/* height of a cell's label strip; 0: none */
	unsigned int font;	/* the label strip's font size */
	unsigned int left, top;	/* the grid's top left corner */
	unsigned int grid_w, bottom;
	unsigned int width, height;
	unsigned int *row_y;	/* each row's top */
	unsigned char *fold;	/* each row's SVG_BAND, SVG_FOLDED or 0 */
};

#define SVG_BAND	1	/* the first of folded rows: a band */
#define SVG_FOLDED	2	/* the others */
#define SVG_BAND_H	26
#define SVG_FOLD_ROWS	12	/* fold rows in grids of more rows */
#define SVG_FOLD_MIN	3	/* fold stretches of so many free rows */

#define SVG_MIN_WIDTH	760
#define SVG_RADIUS	4
#define SVG_HEAD_Y	30	/* the title's baseline */
/* More blocks than this in a page: each square stands for several. */
#define SVG_MAX_SQUARES	256

/* Text, escaped for XML; bytes that are not UTF-8 become '?'. */
static size_t svg_utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, U+FFFE and U+FFFF, past U+10FFFF. */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

static void svg_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			if (*p >= 0x80) {
				n = svg_utf8_len(p);
				if (n) {
					fwrite(p, 1, n, out);
					p += n;
					continue;
				}
			}
			fputc(*p >= 0x20 && *p < 0x80 ? *p : '?', out);
		}
		p++;
	}
}

/* "512 B", "4 KiB", "12 KiB", "1 MiB". */
static const char *svg_size(unsigned long long bytes, char *buf, size_t len)
{
	if (bytes >= 1 << 20 && !(bytes & ((1 << 20) - 1)))
		snprintf(buf, len, "%llu MiB", bytes >> 20);
	else if (bytes >= 1024 && !(bytes & 1023))
		snprintf(buf, len, "%llu KiB", bytes >> 10);
	else
		snprintf(buf, len, "%llu B", bytes);
	return buf;
}

/* Colours: "#rrggbb" of @c mixed with @white percent of white. */
static void svg_rgb(FILE *out, struct pgc_rgb c, int white)
{
	fprintf(out, "#%02x%02x%02x",
		c.r + (255 - c.r) * white / 100,
		c.g + (255 - c.g) * white / 100,
		c.b + (255 - c.b) * white / 100);
}

/* The same, darkened to @pct percent. */
static void svg_dark(FILE *out, struct pgc_rgb c, int pct)
{
	fprintf(out, "#%02x%02x%02x", c.r * pct / 100, c.g * pct / 100,
		c.b * pct / 100);
}

static struct pgc_rgb svg_sym_rgb(char sym)
{
	return pgc_xterm_rgb(pgc_sym_color(sym));
}

/*
 * The styles: one class per kind of page, and per small class k (0 for
 * 16 B) ".kK.bg" its page's background, ".kK.used" a used block and
 * ".kK.fb" a free one.
 */
static void svg_style(FILE *out, const struct svg_geom *g)
{
	struct pgc_rgb c;
	int k;

	fputs("<style type='text/css'><![CDATA[\n", out);
	fputs("text{stroke:none}\n.free{fill:#f7f7f7;stroke:#cfcfcf}\n", out);
	c = svg_sym_rgb(PGC_SYM_META);
	fputs(".meta{fill:url(#hatch);stroke:", out);
	svg_dark(out, c, 70);
	fputs("}\n.whole{fill:", out);
	c = svg_sym_rgb(PGC_SYM_WHOLE);
	svg_rgb(out, c, 0);
	fputs(";stroke:", out);
	svg_dark(out, c, 70);
	fputs("}\n.seg,.cont{fill:", out);
	c = svg_sym_rgb(PGC_SYM_HEAD);
	svg_rgb(out, c, 0);
	fputs(";stroke:", out);
	svg_dark(out, c, 70);
	fputs("}\n.sep{stroke:#fff;stroke-opacity:0.45;stroke-dasharray:3 3}\n",
	      out);
	for (k = 0; k < PGC_NR_SMALL; k++) {
		c = svg_sym_rgb('a' + k);
		fprintf(out, ".k%d.bg{fill:", k);
		svg_rgb(out, c, 84);
		fputs(";stroke:", out);
		svg_dark(out, c, 75);
		fprintf(out, "}\n.k%d.used{fill:", k);
		svg_rgb(out, c, 0);
		fputs(";stroke:", out);
		svg_dark(out, c, 65);
		fprintf(out, "}\n.k%d.fb{fill:#fff;stroke:", k);
		svg_rgb(out, c, 20);
		fputs("}\n", out);
	}
	fputs(".used,.fb{stroke-width:0.6}\n", out);
	fprintf(out, ".lbl,.lbw{font-size:%upx}\n.lbl{fill:#222}\n", g->font);
	fputs(".lbw,.mid{fill:#fff}\n.mid{font-size:12px;font-weight:bold}\n",
	      out);
	fputs(".title{font-size:18px;font-weight:bold;fill:#111}\n", out);
	fputs(".sub{font-size:13px;fill:#333}\n", out);
	fputs(".cap{font-size:13px;font-style:italic;fill:#333}\n", out);
	fputs(".num{font-size:10px;fill:#999}\n", out);
	fputs(".leg{font-size:12px;fill:#222}\n", out);
	fputs(".hint{font-size:11px;fill:#888}\n", out);
	fputs("]]></style>\n", out);
	c = svg_sym_rgb(PGC_SYM_META);
	/* Metadata: grey, hatched with a lighter grey. */
	fputs("<defs><pattern id='hatch' width='6' height='6' ", out);
	fputs("patternUnits='userSpaceOnUse' patternTransform='rotate(45)'>",
	      out);
	fputs("<rect width='6' height='6' fill='", out);
	svg_rgb(out, c, 0);
	fputs("'/><rect width='2.5' height='6' fill='", out);
	svg_rgb(out, c, 35);
	fputs("'/></pattern></defs>\n", out);
}

static void svg_cell_xy(const struct svg_geom *g, size_t i, unsigned int *x,
			unsigned int *y)
{
	*x = g->left + (i % g->cols) * (g->cell + g->gap);
	*y = g->row_y[i / g->cols];
}

/* A rectangle, left open for a <title>: the caller ends it. */
static void svg_rect_open(FILE *out, const char *cls, double x, double y,
			  double w, double h, int rx)
{
	fprintf(out, "<rect class='%s' x='%g' y='%g' width='%g' height='%g'",
		cls, x, y, w, h);
	if (rx)
		fprintf(out, " rx='%d'", rx);
}

static void svg_rect(FILE *out, const char *cls, double x, double y, double w,
		     double h, int rx)
{
	svg_rect_open(out, cls, x, y, w, h, rx);
	fputs("/>\n", out);
}

/* Text at @x, @y; @anchor NULL (start), "middle" or "end". */
static void svg_text_at(FILE *out, const char *cls, double x, double y,
			const char *anchor, const char *text)
{
	fprintf(out, "<text class='%s' x='%g' y='%g'", cls, x, y);
	if (anchor)
		fprintf(out, " text-anchor='%s'", anchor);
	fputc('>', out);
	svg_text(out, text);
	fputs("</text>\n", out);
}

/* A group and the start of its <title>: the caller ends the title. */
static void svg_group(FILE *out, const char *cls)
{
	fprintf(out, "<g class='%s'><title>", cls);
}

/* A cell's label, top left (@end: top right) in its strip. */
static void svg_label(FILE *out, const struct svg_geom *g, const char *cls,
		      unsigned int x, unsigned int y, int end, const char *text)
{
	if (g->strip)
		svg_text_at(out, cls, end ? x + g->cell - 4 : x + 4,
			    y + g->font + 2, end ? "end" : NULL, text);
}

static void svg_owner(FILE *out, const struct pgm_map *m, int idx)
{
	if (idx >= 0 && m->blocks[idx].owner[0]) {
		fputs(DOT, out);
		svg_text(out, m->blocks[idx].owner);
	}
}

/* <g> and <title> of page @i: "page 10 · 0xa000 · @what". */
static void svg_page_open(FILE *out, const struct pgm_map *m, size_t i,
			  const char *cls, const char *what)
{
	char g_cls[32];

	snprintf(g_cls, sizeof(g_cls), "page %s", cls);
	svg_group(out, g_cls);
	fprintf(out, "page %zu" DOT "0x%llx" DOT "%s</title>\n", i,
		(unsigned long long)m->pages[i].offset, what);
}

/*
 * The squares of a small page: @n (the page's blocks, or groups of them)
 * laid out in @w x @h, in as many columns (a power of two) as keep them
 * closest to square.
 */
static unsigned int svg_grid_cols(unsigned int n, double w, double h)
{
	unsigned int c, best = 1;
	double best_score = 0;

	for (c = 1; c <= n; c *= 2) {
		unsigned int r = (n + c - 1) / c;
		double bw = w / c, bh = h / r;
		double score = bw > bh ? bw / bh : bh / bw;

		if (c == 1 || score < best_score) {
			best = c;
			best_score = score;
		}
	}
	return best;
}

/* How many of the blocks from @first to @last (excluded) are used. */
static unsigned int svg_used(const struct pgm_map *m,
			     const struct pgm_page *pg, unsigned int first,
			     unsigned int last, int *idx)
{
	unsigned int s, u = 0;

	*idx = -1;
	for (s = first; s < last; s++) {
		int used = m->have_blocks ? pg->slot[s] >= 0 : s < pg->used;

		if (used) {
			if (!u)
				*idx = pg->slot[s];
			u++;
		}
	}
	return u;
}

static void svg_small(FILE *out, const struct svg_geom *g,
		      const struct pgm_map *m, size_t i)
{
	const struct pgm_page *pg = &m->pages[i];
	char sym = pgc_class_sym(pg->block_size), buf[96], sz[32], cls[16];
	int k = sym ? sym - 'a' : 0, idx;
	unsigned int x, y, per, n, cols, rows, j, u;
	double ax, ay, aw, ah, bw, bh, in;

	svg_cell_xy(g, i, &x, &y);
	svg_size(pg->block_size, sz, sizeof(sz));
	snprintf(buf, sizeof(buf), "%s blocks" DOT "%u of %u used", sz,
		 pg->used, pg->total);
	svg_page_open(out, m, i, "small", buf);
	snprintf(cls, sizeof(cls), "bg k%d", k);
	svg_rect(out, cls, x, y, g->cell, g->cell, SVG_RADIUS);
	/* "128 B  6/32" where there is room, else "128". */
	if (g->cell >= 48) {
		svg_label(out, g, "lbl", x, y, 0, sz);
		snprintf(buf, sizeof(buf), "%u/%u", pg->used, pg->total);
		svg_label(out, g, "lbl", x, y, 1, buf);
	} else {
		snprintf(buf, sizeof(buf), "%llu",
			 (unsigned long long)pg->block_size);
		svg_label(out, g, "lbl", x, y, 0, buf);
	}

	per = (pg->total + SVG_MAX_SQUARES - 1) / SVG_MAX_SQUARES;
	n = (pg->total + per - 1) / per;
	ax = x + 3;
	ay = y + (g->strip ? g->strip : 3);
	aw = g->cell - 6;
	ah = g->cell - (ay - y) - 3;
	cols = svg_grid_cols(n, aw, ah);
	rows = (n + cols - 1) / cols;
	bw = aw / cols;
	bh = ah / rows;
	in = bw >= 6 && bh >= 6 ? 0.6 : 0;
	for (j = 0; j < n; j++) {
		unsigned int first = j * per;
		unsigned int last = first + per < pg->total ? first + per :
				    pg->total;
		double bx = ax + (j % cols) * bw + in, by = ay + (j / cols) * bh + in;
		unsigned long long off = pg->offset + first * pg->block_size;

		u = svg_used(m, pg, first, last, &idx);
		if (!u) {
			if (bw < 4 || bh < 4)
				continue;
			snprintf(cls, sizeof(cls), "fb k%d", k);
			svg_rect(out, cls, bx, by, bw - 2 * in, bh - 2 * in, 0);
			continue;
		}
		snprintf(cls, sizeof(cls), "used k%d", k);
		svg_rect_open(out, cls, bx, by, bw - 2 * in, bh - 2 * in, 0);
		if (per == 1) {
			fprintf(out, "><title>block 0x%llx" DOT "%s", off, sz);
			svg_owner(out, m, idx);
		} else {
			fprintf(out, "><title>blocks 0x%llx-0x%llx" DOT "%u of %u used",
				off, off + (last - first - 1) * pg->block_size,
				u, last - first);
		}
		fputs("</title></rect>\n", out);
	}
	fputs("</g>\n", out);
}

static void svg_plain(FILE *out, const struct svg_geom *g,
		      const struct pgm_map *m, size_t i)
{
	const struct pgm_page *pg = &m->pages[i];
	unsigned int x, y;
	char sz[32];

	svg_cell_xy(g, i, &x, &y);
	if (pg->state == PGM_META) {
		svg_page_open(out, m, i, "meta", "metadata");
		svg_rect(out, "meta", x, y, g->cell, g->cell, SVG_RADIUS);
		svg_label(out, g, "lbw", x, y, 0, "meta");
	} else if (pg->state == PGM_WHOLE) {
		svg_group(out, "page whole");
		fprintf(out, "page %zu" DOT "0x%llx" DOT "a whole-page block",
			i, (unsigned long long)pg->offset);
		if (m->page_size)
			fprintf(out, " (%s)",
				svg_size(m->page_size, sz, sizeof(sz)));
		svg_owner(out, m, pg->slot[0]);
		fputs("</title>\n", out);
		svg_rect(out, "whole", x, y, g->cell, g->cell, SVG_RADIUS);
		svg_label(out, g, "lbw", x, y, 0, "page");
	} else {
		svg_page_open(out, m, i, "free", "free");
		svg_rect(out, "free", x + 0.5, y + 0.5, g->cell - 1, g->cell - 1,
			 SVG_RADIUS);
	}
	fputs("</g>\n", out);
}

/* A rectangle with round left and/or right corners, as a path. */
static void svg_seg(FILE *out, unsigned int x0, unsigned int y0,
		    unsigned int x1, unsigned int y1, int round_l, int round_r)
{
	int rl = round_l ? SVG_RADIUS : 0, rr = round_r ? SVG_RADIUS : 0;

	fprintf(out, "<path class='seg' d='M%u,%u H%u", x0 + rl, y0, x1 - rr);
	if (rr)
		fprintf(out, " A%d,%d 0 0 1 %u,%u", rr, rr, x1, y0 + rr);
	fprintf(out, " V%u", y1 - rr);
	if (rr)
		fprintf(out, " A%d,%d 0 0 1 %u,%u", rr, rr, x1 - rr, y1);
	fprintf(out, " H%u", x0 + rl);
	if (rl)
		fprintf(out, " A%d,%d 0 0 1 %u,%u", rl, rl, x0, y1 - rl);
	fprintf(out, " V%u", y0 + rl);
	if (rl)
		fprintf(out, " A%d,%d 0 0 1 %u,%u", rl, rl, x0 + rl, y0);
	fputs(" Z'/>\n", out);
}

/* An arrowhead pointing right, its tip at @x, for a run cut by a row end. */
static void svg_arrow(FILE *out, const struct svg_geom *g, unsigned int x,
		      unsigned int y)
{
	unsigned int mid = y + g->cell / 2, h = g->cell / 8 + 2;

	fprintf(out, "<path class='cont' d='M%u,%u L%u,%u L%u,%u Z'/>\n",
		x - h, mid - h, x, mid, x - h, mid + h);
}

/*
 * A multi-page block: pages @i to @i + @len - 1, one shape per grid row
 * it touches.  Returns @len.
 */
static size_t svg_run(FILE *out, const struct svg_geom *g,
		      const struct pgm_map *m, size_t i, size_t len)
{
	const struct pgm_page *pg = &m->pages[i];
	unsigned long long bytes = m->page_size * len;
	size_t p = i, end = i + len, seg_end;
	unsigned int x0, y0, x1, y1, step = g->cell + g->gap;
	char sz[32], buf[48];

	svg_group(out, "run");
	fprintf(out, "pages %zu-%zu" DOT "0x%llx" DOT "a block of %zu pages",
		i, end - 1, (unsigned long long)pg->offset, len);
	if (m->page_size)
		fprintf(out, " (%s)", svg_size(bytes, sz, sizeof(sz)));
	svg_owner(out, m, pg->slot ? pg->slot[0] : -1);
	fputs("</title>\n", out);
	for (; p < end; p = seg_end) {
		seg_end = (p / g->cols + 1) * g->cols;
		if (seg_end > end)
			seg_end = end;
		svg_cell_xy(g, p, &x0, &y0);
		svg_cell_xy(g, seg_end - 1, &x1, &y1);
		x1 += g->cell;
		y1 = y0 + g->cell;
		svg_seg(out, x0, y0, x1, y1, p == i, seg_end == end);
		if (p != i)
			svg_arrow(out, g, x0 - 2, y0);
		if (seg_end != end)
			svg_arrow(out, g, x1 + g->cell / 8 + 4, y0);
		/* Where one page of the block ends and the next starts. */
		for (x1 = x0 + step; x1 < x0 + (seg_end - p) * step; x1 += step)
			fprintf(out, "<path class='sep' d='M%g,%u V%u'/>\n",
				x1 - g->gap / 2.0, y0 + 3, y1 - 3);
		if (p != i)
			continue;
		snprintf(buf, sizeof(buf), g->cell >= 48 ? "%zu pages" : "%zu pg",
			 len);
		svg_label(out, g, "lbw", x0, y0, 0, buf);
		if (m->page_size && (seg_end - p) * step >= 60)
			svg_text_at(out, "mid",
				    x0 + ((seg_end - p) * step - g->gap) / 2.0,
				    y0 + g->cell / 2 + 6 + g->strip / 3, "middle",
				    svg_size(bytes, sz, sizeof(sz)));
	}
	fputs("</g>\n", out);
	return len;
}

/* The pages of a multi-page block starting at @i: a head and its tails. */
static size_t svg_run_len(const struct pgm_map *m, size_t i)
{
	size_t len = 1, want = m->pages[i].state == PGM_HEAD ?
			       m->pages[i].total : 0;

	while (i + len < m->nr_pages && m->pages[i + len].state == PGM_TAIL &&
	       (!want || len < want))
		len++;
	return len;
}

struct svg_legend_item {
	char sym;		/* a class's symbol, or 0 */
	const char *cls;	/* else: the swatch's class */
	const char *text;
};

/* An entry of the legend: its swatch, @w wide, and its text. */
static void svg_key(FILE *out, const struct svg_legend_item *item,
		    unsigned int x, unsigned int y, unsigned int w)
{
	char cls[16];

	fputs("<g class='key'>\n", out);
	if (item->sym) {
		snprintf(cls, sizeof(cls), "used k%d", item->sym - 'a');
		svg_rect(out, cls, x, y, 16, 16, 2);
	} else if (!strcmp(item->cls, "blocks")) {
		/* A 64-byte page's background, a used and a free block. */
		svg_rect(out, "bg k2", x, y, 16, 16, 2);
		svg_rect(out, "used k2", x + 2, y + 3, 6, 10, 0);
		svg_rect(out, "fb k2", x + 8, y + 3, 6, 10, 0);
	} else {
		svg_rect(out, item->cls, x, y, w, 16, 3);
	}
	svg_text_at(out, "leg", x + w + 6, y + 13, NULL, item->text);
	fputs("</g>\n", out);
}

/*
 * The legend, from @y down, wrapping at the picture's width: the small
 * classes, then the kinds of page.  Returns
 * its height; with @out NULL only measures it.
 */
static unsigned int svg_legend(FILE *out, const struct svg_geom *g,
			       const struct pgm_map *m, unsigned int y)
{
	static const struct svg_legend_item fixed[] = {
		{ 0, "whole", "whole page" },
		{ 0, "seg", "multi-page block" },
		{ 0, "meta", "metadata" },
		{ 0, "free", "free page" },
		{ 0, "blocks", "block used / free" },
	};
	struct svg_legend_item item;
	unsigned int x = g->left, row_y = y, k, w, n = 0, i;
	char sz[PGC_NR_SMALL][32];

	if (out)
		fputs("<g class='legend'>\n", out);
	for (i = 0; i < PGC_NR_SMALL + ARRAY_SIZE(fixed); i++) {
		if (i < PGC_NR_SMALL) {
			/* The classes of this page size, or those present. */
			unsigned long long bs = 16ULL << i;
			int present = 0;
			size_t p;

			for (p = 0; !m->page_size && p < m->nr_pages; p++)
				present |= m->pages[p].state == PGM_SMALL &&
					   m->pages[p].block_size == bs;
			if (m->page_size ? bs > m->page_size / 2 : !present)
				continue;
			item.sym = 'a' + i;
			item.cls = NULL;
			item.text = svg_size(bs, sz[i], sizeof(sz[i]));
		} else {
			item = fixed[i - PGC_NR_SMALL];
		}
		k = item.cls && !strcmp(item.cls, "seg") ? 34 : 16;
		w = k + 6 + strlen(item.text) * 33 / 5 + 14;
		/* The classes on a line, the kinds of page on the next. */
		if (n && (x + w > g->width - 16 || i == PGC_NR_SMALL)) {
			x = g->left;
			row_y += 24;
		}
		n++;
		if (out)
			svg_key(out, &item, x, row_y, k);
		x += w;
	}
	if (out)
		fputs("</g>\n", out);
	return row_y - y + 24;
}

/* Whether every page of grid row @r is free. */
static int svg_row_free(const struct svg_geom *g, const struct pgm_map *m,
			unsigned int r)
{
	size_t i, end = (size_t)(r + 1) * g->cols;

	for (i = (size_t)r * g->cols; i < end && i < m->nr_pages; i++)
		if (m->pages[i].state != PGM_FREE)
			return 0;
	return 1;
}

/*
 * Where each row goes.  In a grid of more than SVG_FOLD_ROWS rows, a
 * stretch of at least SVG_FOLD_MIN rows whose pages are all free is
 * folded into one band that says so: a large arena is mostly free.
 */
static int svg_rows(struct svg_geom *g, const struct pgm_map *m)
{
	unsigned int r, k, y = g->top;

	g->row_y = calloc(g->rows, sizeof(*g->row_y));
	g->fold = calloc(g->rows, sizeof(*g->fold));
	if (!g->row_y || !g->fold)
		return -ENOMEM;
	for (r = 0; g->rows > SVG_FOLD_ROWS && r < g->rows; r++) {
		for (k = 0; r + k < g->rows && svg_row_free(g, m, r + k); k++)
			;
		if (k >= SVG_FOLD_MIN) {
			g->fold[r] = SVG_BAND;
			memset(g->fold + r + 1, SVG_FOLDED, k - 1);
		}
		r += k;
	}
	for (r = 0; r < g->rows; r++) {
		g->row_y[r] = y;
		if (g->fold[r] == SVG_BAND)
			y += SVG_BAND_H + g->gap;
		else if (!g->fold[r])
			y += g->cell + g->gap;
	}
	g->bottom = y - g->gap;
	return 0;
}

static int svg_layout(const struct pgm_map *m, const char *caption,
		      struct svg_geom *g)
{
	size_t n = m->nr_pages;
	int ret;

	memset(g, 0, sizeof(*g));
	if (n <= 1024) {
		g->cols = 16;
		g->cell = 64;
		g->gap = 4;
	} else if (n <= 8192) {
		g->cols = 32;
		g->cell = 32;
		g->gap = 3;
	} else {
		g->cols = 64;
		g->cell = 16;
		g->gap = 2;
	}
	g->rows = (n + g->cols - 1) / g->cols;
	g->font = 9;
	g->strip = g->cell >= 48 ? g->font + 5 : 0;
	g->left = 64;
	g->top = SVG_HEAD_Y + 22 + (caption ? 22 : 0) + 18 +
		 (g->strip ? 14 : 0);
	g->grid_w = g->cols * (g->cell + g->gap) - g->gap;
	g->width = g->left + g->grid_w + 32;
	if (g->width < SVG_MIN_WIDTH)
		g->width = SVG_MIN_WIDTH;
	ret = svg_rows(g, m);
	if (ret)
		return ret;
	g->height = g->bottom + 28 + svg_legend(NULL, g, m, 0) + 30;
	return 0;
}

/* A band for folded rows @r and on: "pages 32-1023 free". */
static void svg_band(FILE *out, const struct svg_geom *g,
		     const struct pgm_map *m, unsigned int r)
{
	unsigned int last = r;
	size_t first = (size_t)r * g->cols, end;
	char text[96];

	while (last + 1 < g->rows && g->fold[last + 1] == SVG_FOLDED)
		last++;
	end = (size_t)(last + 1) * g->cols;
	if (end > m->nr_pages)
		end = m->nr_pages;
	svg_group(out, "fold");
	fprintf(out, "pages %zu-%zu" DOT "0x%llx-0x%llx" DOT "free</title>\n",
		first, end - 1, (unsigned long long)m->pages[first].offset,
		(unsigned long long)m->pages[end - 1].offset);
	svg_rect(out, "free", g->left + 0.5, g->row_y[r] + 0.5, g->grid_w - 1,
		 SVG_BAND_H - 1, SVG_RADIUS);
	snprintf(text, sizeof(text), "pages %zu to %zu: all %zu free", first,
		 end - 1, end - first);
	svg_text_at(out, "leg", g->left + g->grid_w / 2.0,
		    g->row_y[r] + SVG_BAND_H / 2 + 4, "middle", text);
	fputs("</g>\n", out);
}

/* The title, the totals and @caption. */
static void svg_head(FILE *out, const struct svg_geom *g,
		     const struct pgm_map *m, const char *caption)
{
	size_t i, meta = 0, free_pages = 0;
	char sz[32], total[32];

	for (i = 0; i < m->nr_pages; i++) {
		meta += m->pages[i].state == PGM_META;
		free_pages += m->pages[i].state == PGM_FREE;
	}
	fprintf(out, "<text class='title' x='%u' y='%u'>pgclass page map</text>\n",
		g->left, SVG_HEAD_Y);
	fprintf(out, "<text class='sub' x='%u' y='%u'>%zu pages", g->left,
		SVG_HEAD_Y + 22, m->nr_pages);
	if (m->page_size)
		fprintf(out, " of %s (%s)",
			svg_size(m->page_size, sz, sizeof(sz)),
			svg_size(m->page_size * m->nr_pages, total,
				 sizeof(total)));
	fprintf(out, DOT "%zu metadata" DOT "%zu in use" DOT "%zu free",
		meta, m->nr_pages - meta - free_pages, free_pages);
	fprintf(out, DOT "%llu block%s</text>\n",
		(unsigned long long)pgm_blocks_in_use(m),
		pgm_blocks_in_use(m) == 1 ? "" : "s");
	if (caption)
		svg_text_at(out, "cap", g->left, SVG_HEAD_Y + 44, NULL, caption);
}

/* Each row's first page index, left; column numbers, on top. */
static void svg_numbers(FILE *out, const struct svg_geom *g)
{
	unsigned int r, c, x, y;

	for (r = 0; r < g->rows; r++) {
		if (g->fold[r] == SVG_FOLDED)
			continue;
		y = g->row_y[r] + (g->fold[r] ? SVG_BAND_H : g->cell) / 2 + 4;
		fprintf(out, "<text class='num' x='%u' y='%u' text-anchor='end'>%u</text>\n",
			g->left - 14, y, r * g->cols);
	}
	if (!g->strip)
		return;
	for (c = 0; c < g->cols; c++) {
		svg_cell_xy(g, c, &x, &y);
		fprintf(out, "<text class='num' x='%u' y='%u' text-anchor='middle'>%u</text>\n",
			x + g->cell / 2, y - 6, c);
	}
}

int pgm_svg_write(const struct pgm_map *m, const char *caption, FILE *out)
{
	struct svg_geom g;
	unsigned char fold;
	size_t i;
	int ret;

	if (caption && !*caption)
		caption = NULL;
	ret = svg_layout(m, caption, &g);
	if (ret)
		goto out;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' version='1.1' width='%u' height='%u' viewBox='0 0 %u %u' font-family='DejaVu Sans, Verdana, sans-serif'>\n",
		g.width, g.height, g.width, g.height);
	fputs("<title>pgclass page map</title>\n", out);
	svg_style(out, &g);
	fprintf(out, "<rect width='%u' height='%u' fill='#fff'/>\n",
		g.width, g.height);
	svg_head(out, &g, m, caption);
	svg_numbers(out, &g);
	for (i = 0; i < m->nr_pages;) {
		fold = g.fold[i / g.cols];
		if (fold) {
			if (fold == SVG_BAND && i % g.cols == 0)
				svg_band(out, &g, m, i / g.cols);
			i++;
			continue;
		}
		switch (m->pages[i].state) {
		case PGM_SMALL:
			svg_small(out, &g, m, i++);
			break;
		case PGM_HEAD:
		case PGM_TAIL:
			i += svg_run(out, &g, m, i, svg_run_len(m, i));
			break;
		default:
			svg_plain(out, &g, m, i++);
		}
	}
	svg_legend(out, &g, m, g.bottom + 28);
	svg_text_at(out, "hint", g.left, g.height - 14, NULL,
		    m->have_blocks ?
		    "Hover over a page or a block for its offset and owner." :
		    "Hover over a page or a block for its offset; no blocks file: used blocks drawn first in their page.");
	fputs("</svg>\n", out);
	fflush(out);
	ret = ferror(out) ? -EIO : 0;
out:
	free(g.row_y);
	free(g.fold);
	return ret;
}
