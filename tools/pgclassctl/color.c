// SPDX-License-Identifier: GPL-2.0
/*
 * The page map in colour: ANSI escapes of the xterm 256-colour palette,
 * the colours of palette.c.  A run of pages of one colour takes one
 * escape; every line ends with the colours reset.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color.h"
#include "palette.h"
#include "util.h"

int pgc_color_parse(const char *word, enum pgc_color_when *when)
{
	static const char *const names[] = {
		[PGC_COLOR_AUTO] = "auto",
		[PGC_COLOR_ALWAYS] = "always",
		[PGC_COLOR_NEVER] = "never",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(word, names[i])) {
			*when = i;
			return 0;
		}
	}
	return -1;
}

int pgc_color_use(enum pgc_color_when when, int fd)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (when != PGC_COLOR_AUTO)
		return when == PGC_COLOR_ALWAYS;
	if (no_color && *no_color)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

static int pgc_is_sym(char c)
{
	return pgc_sym_color(c) >= 0;
}

/*
 * In the legend, "a 16" or "H= multi-page run": a symbol is a character
 * that starts a word (or is the '=' of "H=") and is followed by a blank,
 * '=' or the end of the line; words like "meta" are left alone.
 */
static int pgc_legend_sym(const char *line, size_t i, size_t len)
{
	char c = line[i];
	int starts = !i || line[i - 1] == ' ' ||
		     (c == PGC_SYM_TAIL && line[i - 1] == PGC_SYM_HEAD);
	int ends = i + 1 == len || line[i + 1] == ' ' ||
		   line[i + 1] == PGC_SYM_TAIL;

	return pgc_is_sym(c) && starts && ends;
}

static void pgc_color_line(const char *line, size_t len, int legend,
			   FILE *out)
{
	int cur = -1;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = line[i];
		int bg = legend && !pgc_legend_sym(line, i, len) ? -1 :
			 pgc_sym_color(c);

		if (bg != cur) {
			if (cur >= 0)
				fputs("\033[0m", out);
			if (bg >= 0)
				fprintf(out, "\033[38;5;%d;48;5;%dm",
					pgc_sym_text_color(c), bg);
			cur = bg;
		}
		fputc(c, out);
	}
	if (cur >= 0)
		fputs("\033[0m", out);
}

void pgc_color_map(const char *text, size_t len, FILE *out)
{
	const char *p = text, *end = text + len;
	int first = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* The legend is the line with blanks; map lines have none. */
		pgc_color_line(p, n, first && memchr(p, ' ', n), out);
		if (nl)
			fputc('\n', out);
		p += n + (nl ? 1 : 0);
		first = 0;
	}
}
