/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The class transitions pgclass_realloc() is tested across, by the KUnit
 * suite pgclass_realloc (kunit_tests/realloc.c) and the user-space unit
 * tests (tools/testing/user/realloc.c): one block alone in a fresh pool,
 * resized from one size to another.  Plain C: both builds include it.
 *
 * Each harness checks the contents, the usable size, the counters and the
 * pool after the call; @where says whether the block must stay where it
 * is or must move.  Sizes are relative to the allocator page, so that
 * every row means the same transition at every page size.
 */
#ifndef _PGCLASS_TEST_REALLOC_CASES_H
#define _PGCLASS_TEST_REALLOC_CASES_H

#include <linux/types.h>

/* A request of @quarters quarter pages plus @bytes bytes. */
struct realloc_size {
	long quarters;
	long bytes;
};

static inline size_t realloc_bytes(const struct realloc_size *s,
				   size_t page)
{
	return s->quarters * page / 4 + s->bytes;
}

enum realloc_placement {
	REALLOC_STAYS,		/* the same address back */
	REALLOC_MOVES,		/* another address, the old block freed */
};

struct realloc_case {
	const char *name;
	struct realloc_size from;
	struct realloc_size to;
	enum realloc_placement where;
};

static const struct realloc_case realloc_cases[] = {
	{ "small->small bigger", { 0, 10 }, { 0, 100 }, REALLOC_MOVES },
	{ "small->small smaller", { 0, 100 }, { 0, 10 }, REALLOC_MOVES },
	{ "small->small same class", { 0, 100 }, { 0, 70 }, REALLOC_STAYS },
	{ "small->its class size", { 0, 100 }, { 0, 128 }, REALLOC_STAYS },
	{ "16 B->1 B", { 0, 16 }, { 0, 1 }, REALLOC_STAYS },
	{ "17 B->16 B", { 0, 17 }, { 0, 16 }, REALLOC_MOVES },
	{ "small->half page", { 0, 100 }, { 2, 0 }, REALLOC_MOVES },
	{ "half page->its class", { 2, 0 }, { 1, 1 }, REALLOC_STAYS },
	{ "half page->small", { 2, 0 }, { 0, 20 }, REALLOC_MOVES },
	{ "small->whole", { 0, 100 }, { 2, 1 }, REALLOC_MOVES },
	{ "small->multi", { 0, 100 }, { 8, 1 }, REALLOC_MOVES },
	{ "whole->small", { 4, 0 }, { 0, 100 }, REALLOC_MOVES },
	{ "whole->quarter page", { 4, 0 }, { 1, 0 }, REALLOC_MOVES },
	{ "whole->whole bigger", { 2, 1 }, { 4, 0 }, REALLOC_STAYS },
	{ "whole->whole smaller", { 4, 0 }, { 2, 1 }, REALLOC_STAYS },
	{ "whole->multi in place", { 4, 0 }, { 12, 0 }, REALLOC_STAYS },
	{ "multi->small", { 12, 0 }, { 0, 100 }, REALLOC_MOVES },
	{ "multi->whole in place", { 12, 0 }, { 4, 0 }, REALLOC_STAYS },
	{ "multi->just over half a page", { 12, 0 }, { 2, 1 }, REALLOC_STAYS },
	{ "multi->same pages", { 12, 0 }, { 8, 1 }, REALLOC_STAYS },
	{ "multi->fewer pages", { 16, 0 }, { 8, 1 }, REALLOC_STAYS },
	{ "multi->more pages in place", { 8, 0 }, { 16, 0 }, REALLOC_STAYS },
	{ "multi->one page more", { 8, 0 }, { 8, 1 }, REALLOC_STAYS },
};

#endif /* _PGCLASS_TEST_REALLOC_CASES_H */
