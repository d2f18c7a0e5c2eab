/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page map as data: debugfs pgclass/pages and pgclass/blocks parsed,
 * for pictures of it (svg.c).
 */
#ifndef PGCLASSCTL_PGMAP_H
#define PGCLASSCTL_PGMAP_H

#include <stddef.h>
#include <stdint.h>

enum pgm_state {
	PGM_META,
	PGM_FREE,
	PGM_SMALL,	/* blocks of one small class */
	PGM_WHOLE,	/* one block of more than half a page */
	PGM_HEAD,	/* the first page of a multi-page block */
	PGM_TAIL,	/* a later page of one */
};

struct pgm_block {
	uint64_t offset;
	uint64_t size;		/* usable size */
	char owner[24];		/* "pid:PID/N", or "" */
	uint64_t mapped;	/* VMAs mapping it; 0 where not shown */
};

struct pgm_page {
	uint64_t offset;
	enum pgm_state state;
	uint64_t block_size;	/* small: the class's block size */
	unsigned int used;	/* small: blocks in use */
	unsigned int total;	/* small: blocks; head: the block's pages */
	/*
	 * small: for each of its total blocks, the index in pgm_map.blocks
	 * of the block there, or -1 if blocks does not list one;
	 * whole and head: slot[0], the same for the page's block.
	 */
	int *slot;
};

struct pgm_map {
	struct pgm_page *pages;
	size_t nr_pages;
	uint64_t page_size;	/* 0 if fewer than two pages */
	struct pgm_block *blocks;
	size_t nr_blocks;
	int have_blocks;	/* the blocks file was read */
};

/*
 * Parses debugfs pages text into @m (which must be zeroed or freed).
 * Returns 0, or -EINVAL with @m empty if the text is not in that format;
 * @err_line then gets the line number at fault.
 */
int pgm_parse_pages(struct pgm_map *m, const char *text, unsigned int *err_line);

/*
 * Parses debugfs blocks text into @m, after the pages: each block is
 * placed in the slot of its page.  A block at an offset the pages do not
 * expect is kept in the list but placed nowhere.  Returns 0 or -EINVAL.
 */
int pgm_parse_blocks(struct pgm_map *m, const char *text, unsigned int *err_line);

/* The number of blocks the pages say are in use. */
uint64_t pgm_blocks_in_use(const struct pgm_map *m);

void pgm_free(struct pgm_map *m);

#endif /* PGCLASSCTL_PGMAP_H */
