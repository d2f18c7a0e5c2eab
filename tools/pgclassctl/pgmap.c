// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs pgclass/pages and pgclass/blocks, parsed (formats in
 * docs/debugfs.md):
 *
 *	  index offset     state  class  used total
 *	     10 0xa000     small     16     1   256
 *	     11 0xb000     head   multi     1     3
 *
 *	offset           size  class owner
 *	0xa000             16     16 pid:51/1
 *
 * Each file starts with a header line; "-" stands for a field that does
 * not apply.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgmap.h"
#include "util.h"

#define PGM_MAX_WORDS	8
#define PGM_MAX_LINE	256
/* More blocks than a 64 KiB page has 16-byte ones: not pages text. */
#define PGM_MAX_SLOTS	4096

static const char *const pgm_states[] = {
	[PGM_META] = "meta", [PGM_FREE] = "free", [PGM_SMALL] = "small",
	[PGM_WHOLE] = "whole", [PGM_HEAD] = "head", [PGM_TAIL] = "tail",
};

/*
 * The next line of @*text, split into at most PGM_MAX_WORDS words in
 * @buf; advances @*text.  Returns the number of words, 0 at the end of
 * the text, -1 for a line too long or with too many words, -2 for a
 * blank line.
 */
static int pgm_next_line(const char **text, char *buf, char **word)
{
	const char *p = *text, *nl;
	size_t len;
	char *save, *w;
	int n = 0;

	if (!*p)
		return 0;
	nl = strchr(p, '\n');
	len = nl ? (size_t)(nl - p) : strlen(p);
	*text = p + len + (nl ? 1 : 0);
	if (len >= PGM_MAX_LINE)
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	for (w = strtok_r(buf, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (n == PGM_MAX_WORDS)
			return -1;
		word[n++] = w;
	}
	/* A blank line is not the end of the text. */
	return n ? n : -2;
}

/* A decimal number, or hexadecimal after 0x; all of @w. */
static int pgm_number(const char *w, uint64_t *val)
{
	int hex = w[0] == '0' && (w[1] == 'x' || w[1] == 'X');
	char *end;

	if (!w[hex ? 2 : 0] || w[hex ? 2 : 0] == '-' || w[hex ? 2 : 0] == '+')
		return -1;
	errno = 0;
	*val = strtoull(hex ? w + 2 : w, &end, hex ? 16 : 10);
	return errno || *end ? -1 : 0;
}

/* A number, or "-" (0). */
static int pgm_count(const char *w, unsigned int *val)
{
	uint64_t v;

	if (!strcmp(w, "-")) {
		*val = 0;
		return 0;
	}
	if (pgm_number(w, &v) || v > PGM_MAX_SLOTS * 16ULL)
		return -1;
	*val = v;
	return 0;
}

static int pgm_state(const char *w, enum pgm_state *st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pgm_states); i++) {
		if (!strcmp(w, pgm_states[i])) {
			*st = i;
			return 0;
		}
	}
	return -1;
}

static int *pgm_slots(unsigned int n)
{
	int *slot = malloc((n ? n : 1) * sizeof(*slot));
	unsigned int i;

	if (slot)
		for (i = 0; i < (n ? n : 1); i++)
			slot[i] = -1;
	return slot;
}

/* One line of pages: "index offset state class used total". */
static int pgm_page_line(struct pgm_map *m, char **word, int n)
{
	struct pgm_page pg = { 0 }, *pages;
	uint64_t index;
	unsigned int nslots = 0;

	if (n != 6 || pgm_number(word[0], &index) || index != m->nr_pages ||
	    pgm_number(word[1], &pg.offset) || pgm_state(word[2], &pg.state) ||
	    pgm_count(word[4], &pg.used) || pgm_count(word[5], &pg.total))
		return -EINVAL;
	if (pg.state == PGM_SMALL) {
		if (pgm_number(word[3], &pg.block_size) || !pg.block_size ||
		    !pg.total || pg.total > PGM_MAX_SLOTS || pg.used > pg.total)
			return -EINVAL;
		nslots = pg.total;
	} else if (pg.state == PGM_WHOLE || pg.state == PGM_HEAD) {
		nslots = 1;
		if (pg.state == PGM_HEAD && !pg.total)
			return -EINVAL;
	}
	if (nslots) {
		pg.slot = pgm_slots(nslots);
		if (!pg.slot)
			return -ENOMEM;
	}
	pages = realloc(m->pages, (m->nr_pages + 1) * sizeof(*pages));
	if (!pages) {
		free(pg.slot);
		return -ENOMEM;
	}
	m->pages = pages;
	m->pages[m->nr_pages++] = pg;
	return 0;
}

int pgm_parse_pages(struct pgm_map *m, const char *text, unsigned int *err_line)
{
	char buf[PGM_MAX_LINE], *word[PGM_MAX_WORDS];
	unsigned int line = 0;
	int n, ret = 0;

	memset(m, 0, sizeof(*m));
	while ((n = pgm_next_line(&text, buf, word)) != 0) {
		line++;
		if (n == -2)
			continue;
		/* The header line: its first word is not a number. */
		if (line == 1 && n > 0 && (word[0][0] < '0' || word[0][0] > '9'))
			continue;
		ret = n < 0 ? -EINVAL : pgm_page_line(m, word, n);
		if (ret)
			break;
	}
	if (!ret && !m->nr_pages)
		ret = -EINVAL;
	if (ret) {
		if (err_line)
			*err_line = line;
		pgm_free(m);
		return ret;
	}
	if (m->nr_pages >= 2 && m->pages[1].offset > m->pages[0].offset)
		m->page_size = m->pages[1].offset - m->pages[0].offset;
	return 0;
}

/* Puts block @idx in the slot of the page it lies in, if it fits one. */
static void pgm_place(struct pgm_map *m, int idx)
{
	const struct pgm_block *b = &m->blocks[idx];
	struct pgm_page *pg;
	uint64_t i, off;

	if (!m->page_size)
		return;
	i = (b->offset - m->pages[0].offset) / m->page_size;
	if (b->offset < m->pages[0].offset || i >= m->nr_pages)
		return;
	pg = &m->pages[i];
	off = b->offset - pg->offset;
	if (pg->state == PGM_SMALL) {
		if (off % pg->block_size == 0 &&
		    off / pg->block_size < pg->total)
			pg->slot[off / pg->block_size] = idx;
	} else if ((pg->state == PGM_WHOLE || pg->state == PGM_HEAD) && !off) {
		pg->slot[0] = idx;
	}
}

/* One line of blocks: "offset size class owner". */
static int pgm_block_line(struct pgm_map *m, char **word, int n)
{
	struct pgm_block b = { 0 }, *blocks;

	/* Older modules print no mapped column, saved copies neither. */
	if (n < 3 || n > 5 || pgm_number(word[0], &b.offset) ||
	    pgm_number(word[1], &b.size) ||
	    (n == 5 && pgm_number(word[4], &b.mapped)))
		return -EINVAL;
	if (n >= 4)
		snprintf(b.owner, sizeof(b.owner), "%s", word[3]);
	blocks = realloc(m->blocks, (m->nr_blocks + 1) * sizeof(*blocks));
	if (!blocks)
		return -ENOMEM;
	m->blocks = blocks;
	m->blocks[m->nr_blocks] = b;
	pgm_place(m, m->nr_blocks++);
	return 0;
}

int pgm_parse_blocks(struct pgm_map *m, const char *text,
		     unsigned int *err_line)
{
	char buf[PGM_MAX_LINE], *word[PGM_MAX_WORDS];
	unsigned int line = 0;
	int n, ret;

	while ((n = pgm_next_line(&text, buf, word)) != 0) {
		line++;
		if (n == -2)
			continue;
		if (line == 1 && n > 0 && strncmp(word[0], "0x", 2))
			continue;
		ret = n < 0 ? -EINVAL : pgm_block_line(m, word, n);
		if (ret) {
			if (err_line)
				*err_line = line;
			return ret;
		}
	}
	m->have_blocks = 1;
	return 0;
}

uint64_t pgm_blocks_in_use(const struct pgm_map *m)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < m->nr_pages; i++) {
		const struct pgm_page *pg = &m->pages[i];

		if (pg->state == PGM_SMALL)
			n += pg->used;
		else if (pg->state == PGM_WHOLE || pg->state == PGM_HEAD)
			n++;
	}
	return n;
}

void pgm_free(struct pgm_map *m)
{
	size_t i;

	for (i = 0; i < m->nr_pages; i++)
		free(m->pages[i].slot);
	free(m->pages);
	free(m->blocks);
	memset(m, 0, sizeof(*m));
}
