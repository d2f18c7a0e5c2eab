// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what pgclassctl draws: debugfs pages and blocks parsed,
 * the map in colour, the palette, the SVG writer's escaping and errors.
 * The SVG's structure is checked by test_cli.py, with an XML parser.
 * TAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color.h"
#include "palette.h"
#include "pgmap.h"
#include "svg.h"
#include "util.h"

static int nr_tests, nr_bad;

static void check(int ok, const char *name)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++nr_tests, name);
	if (!ok)
		nr_bad++;
}

static const char pages_text[] =
	"  index offset     state  class  used total\n"
	"      0 0x0        meta       -     -     -\n"
	"      1 0x1000     small     16     2   256\n"
	"      2 0x2000     small   1024     1     4\n"
	"      3 0x3000     head   multi     1     3\n"
	"      4 0x4000     tail   multi     -     -\n"
	"      5 0x5000     tail   multi     -     -\n"
	"      6 0x6000     whole   page     1     1\n"
	"      7 0x7000     free       -     -     -\n";

static const char blocks_text[] =
	"offset           size  class owner\n"
	"0x1000             16     16 pid:51/1\n"
	"0x1030             16     16 pid:51/1\n"
	"0x2c00           1024   1024 pid:51/2\n"
	"0x3000          12288  multi pid:51/1\n"
	"0x6000           4096   page pid:51/1\n"
	"0x9000             16     16 pid:51/1\n";

static const char blocks_mapped_text[] =
	"offset           size  class owner            mapped\n"
	"0x1000             16     16 pid:51/1         0\n"
	"0x3000          12288  multi pid:51/1         2\n"
	"0x6000           4096   page pid:51/2         1\n";

static void test_pages(void)
{
	struct pgm_map m;
	unsigned int line = 0;
	int ret = pgm_parse_pages(&m, pages_text, &line);

	check(!ret && m.nr_pages == 8 && m.page_size == 0x1000,
	      "pages: eight pages of 4 KiB");
	if (ret)
		return;
	check(m.pages[0].state == PGM_META && m.pages[7].state == PGM_FREE &&
	      m.pages[6].state == PGM_WHOLE && m.pages[4].state == PGM_TAIL,
	      "pages: states");
	check(m.pages[1].state == PGM_SMALL && m.pages[1].block_size == 16 &&
	      m.pages[1].used == 2 && m.pages[1].total == 256 &&
	      m.pages[2].block_size == 1024 && m.pages[2].total == 4,
	      "pages: small pages' class, used and total");
	check(m.pages[3].state == PGM_HEAD && m.pages[3].total == 3 &&
	      m.pages[3].offset == 0x3000, "pages: a head gives its length");
	check(pgm_blocks_in_use(&m) == 5 && !m.have_blocks,
	      "pages: blocks in use counted from the pages");

	ret = pgm_parse_blocks(&m, blocks_text, &line);
	check(!ret && m.have_blocks && m.nr_blocks == 6, "blocks: six blocks");
	check(m.pages[1].slot[0] == 0 && m.pages[1].slot[3] == 1 &&
	      m.pages[1].slot[1] == -1 && m.pages[1].slot[2] == -1,
	      "blocks: 16-byte blocks in slots 0 and 3 of their page");
	check(m.pages[2].slot[3] == 2 && m.pages[2].slot[0] == -1,
	      "blocks: the 1024-byte block in the last slot of its page");
	check(m.pages[3].slot[0] == 3 && m.pages[6].slot[0] == 4 &&
	      !strcmp(m.blocks[3].owner, "pid:51/1"),
	      "blocks: multi-page and whole-page blocks, with owners");
	pgm_free(&m);
	check(!m.pages && !m.nr_pages, "pgm_free empties the map");

	/* Since mmap, a fifth column: how many VMAs map the block. */
	ret = pgm_parse_pages(&m, pages_text, &line);
	check(!ret, "pages again");
	if (ret)
		return;
	ret = pgm_parse_blocks(&m, blocks_mapped_text, &line);
	check(!ret && m.nr_blocks == 3 && m.blocks[0].mapped == 0 &&
	      m.blocks[1].mapped == 2 && m.blocks[2].mapped == 1 &&
	      !strcmp(m.blocks[1].owner, "pid:51/1") &&
	      m.pages[3].slot[0] == 1,
	      "blocks: the mapped column");
	pgm_free(&m);
}

static void test_bad_pages(void)
{
	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ "index offset state class used total\n", 1 },
		{ "", 0 },
		{ "0 0x0 meta - - -\n2 0x2000 free - - -\n", 2 },
		{ "0 0x0 meta - - -\n1 0x1000 full - - -\n", 2 },
		{ "0 0x0 small 16 300 256\n", 1 },
		{ "0 0x0 small - 1 256\n", 1 },
		{ "0 0x0 head multi 1 -\n", 1 },
		{ "hdr\n0 0x0 meta - - -\n1 0x1000 free - -\n", 3 },
		{ "0 0x0 meta - - - -\n", 1 },
		{ "0 zero meta - - -\n", 1 },
	};
	unsigned int line, i, fails = 0;
	struct pgm_map m;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		line = 99;
		if (pgm_parse_pages(&m, bad[i].text, &line) != -EINVAL ||
		    line != bad[i].line || m.pages) {
			printf("# case %u: line %u\n", i, line);
			fails++;
		}
	}
	check(!fails, "pages: text not in the format is refused, naming the line");

	pgm_parse_pages(&m, pages_text, NULL);
	line = 0;
	check(pgm_parse_blocks(&m, "offset size class owner\n0x1000 sixteen 16 x\n",
			       &line) == -EINVAL && line == 2,
	      "blocks: text not in the format is refused, naming the line");
	pgm_free(&m);
}

static void test_palette(void)
{
	struct pgc_rgb a = pgc_xterm_rgb(pgc_sym_color('a'));
	struct pgc_rgb meta = pgc_xterm_rgb(pgc_sym_color('M'));
	struct pgc_rgb p = pgc_xterm_rgb(pgc_sym_color('P'));

	check(a.r == 255 && a.g == 95 && a.b == 95 && meta.r == 128 &&
	      meta.g == 128 && p.r == 0 && p.g == 95 && p.b == 175,
	      "palette: xterm-256 colours to RGB");
	check(pgc_sym_color('.') < 0 && pgc_sym_color('x') < 0 &&
	      pgc_sym_color('H') == pgc_sym_color('='),
	      "palette: free pages uncoloured, a run's head and tail alike");
	check(pgc_class_sym(16) == 'a' && pgc_class_sym(2048) == 'h' &&
	      pgc_class_sym(32768) == 'l' && !pgc_class_sym(24) &&
	      !pgc_class_sym(65536), "palette: block size to map letter");
}

static char *color_map(const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	pgc_color_map(text, strlen(text), f);
	fclose(f);
	return out;
}

#define ESC(fg, bg)	"\033[38;5;" #fg ";48;5;" #bg "m"
#define RESET		"\033[0m"

static void test_color(void)
{
	char *out;

	out = color_map("M meta  . free  a 16 b 32  P page  H= multi-page run\n"
			"MMa.bbPH==.\n..\n");
	check(!strcmp(out,
		      ESC(231, 244) "M" RESET " meta  . free  "
		      ESC(16, 203) "a" RESET " 16 "
		      ESC(16, 209) "b" RESET " 32  "
		      ESC(231, 25) "P" RESET " page  "
		      ESC(231, 90) "H=" RESET " multi-page run\n"
		      ESC(231, 244) "MM" RESET ESC(16, 203) "a" RESET "."
		      ESC(16, 209) "bb" RESET ESC(231, 25) "P" RESET
		      ESC(231, 90) "H==" RESET ".\n..\n"),
	      "color: legend symbols and pages on their colours, runs merged");
	if (strstr(out, "\033") && nr_bad)
		printf("# got: %s\n", out);
	free(out);

	out = color_map("..........\n");
	check(!strcmp(out, "..........\n"), "color: free pages stay plain");
	free(out);

	out = color_map("Ma");
	check(!strcmp(out, ESC(231, 244) "M" RESET ESC(16, 203) "a" RESET),
	      "color: no line end at the end of the text");
	free(out);
}

#define DOT	" \xc2\xb7 "
/* "\xff\x01 café \xed\xa0\x80" escaped (\? keeps trigraphs away). */
#define ESCAPED	"\?\? caf\xc3\xa9 \?\?\?</text>"

static char *svg_of(const char *pages, const char *blocks, const char *cap)
{
	struct pgm_map m;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (pgm_parse_pages(&m, pages, NULL))
		return NULL;
	if (blocks)
		pgm_parse_blocks(&m, blocks, NULL);
	f = open_memstream(&out, &len);
	pgm_svg_write(&m, cap, f);
	fclose(f);
	pgm_free(&m);
	return out;
}

static void test_svg(void)
{
	struct pgm_map m;
	char *out;
	FILE *full;

	out = svg_of(pages_text, blocks_text,
		     "<a & \"b\" 'c'> \xff\x01 caf\xc3\xa9 \xed\xa0\x80");
	check(out && !strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) &&
	      strstr(out, "</svg>\n") == out + strlen(out) - 7,
	      "svg: one XML document");
	check(out && strstr(out, ">&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt; " ESCAPED),
	      "svg: the caption escaped, bytes that are not UTF-8 replaced");
	check(out && strstr(out, ".k0.used{fill:#ff5f5f") &&
	      strstr(out, ".whole{fill:#005faf") &&
	      strstr(out, ".seg,.cont{fill:#870087"),
	      "svg: the colours of the terminal map");
	check(out && strstr(out, "8 pages of 4 KiB (32 KiB)" DOT "1 metadata" DOT
				 "6 in use" DOT "1 free" DOT "5 blocks"),
	      "svg: the totals line");
	check(out && strstr(out, "<title>block 0x1030" DOT "16 B" DOT "pid:51/1</title>") &&
	      strstr(out, "<title>pages 3-5" DOT "0x3000" DOT
		     "a block of 3 pages (12 KiB)" DOT "pid:51/1</title>"),
	      "svg: offsets, sizes and owners on hover");
	free(out);

	out = svg_of(pages_text, NULL, NULL);
	check(out && strstr(out, "no blocks file") && !strstr(out, "class='cap'"),
	      "svg: without blocks or caption");
	free(out);

	full = fopen("/dev/full", "w");
	if (full && !pgm_parse_pages(&m, pages_text, NULL)) {
		check(pgm_svg_write(&m, NULL, full) == -EIO,
		      "svg: a write that fails is -EIO");
		pgm_free(&m);
	} else {
		printf("ok %d - svg: a write that fails is -EIO # SKIP no /dev/full\n",
		       ++nr_tests);
	}
	if (full)
		fclose(full);
}

int main(void)
{
	printf("TAP version 13\n");
	test_pages();
	test_bad_pages();
	test_palette();
	test_color();
	test_svg();
	printf("1..%d\n", nr_tests);
	return nr_bad ? 1 : 0;
}
