// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_bad_free: every kind of bad pointer handed to pgclass_free()
 * (and pgclass_realloc(), pgclass_usable_size()) is refused with -EINVAL
 * and leaves the pool exactly as it was: same counters (but the call
 * counters), same pages, same bitmaps, live blocks untouched.
 *
 * The bad pointers are a table: each kind of bad pointer (below the
 * region, inside a small block, a tail page, a double free, ...) lists
 * where its pointers point, relative to the blocks and places of a pool
 * set up for it (bad_pool()).  One parameterised case runs every kind on
 * a pool with CPU slots, where small blocks sit on pages the slots own,
 * and on one without, where the shared path serves them, at every page
 * shift of page_shifts.h: kind x page_shift x path.
 * pgclass_oob_bad_free runs them over out-of-band pools, where the
 * pointers into the metadata point into the caller's memory for it.
 *
 * The allocator warns about each bad free on the console (rate-limited);
 * that is expected here.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>

#include "page_shifts.h"
#include "pgclass_kunit.h"

/* A pool with one block of each kind, a spare class page and free pages. */
struct bad_pool {
	struct pgct_fixture *f;
	u8 *small;		/* 40 bytes: a 64 B block */
	u8 *small2;		/* another one, same page */
	u8 *whole;		/* a page */
	u8 *multi;		/* three pages */
	u8 *spare;		/* where a freed 16 B block was */
	u8 *free_page;		/* the first page of a free run */
};

static struct bad_pool *bad_pool(struct kunit *test,
				 const struct pgct_path_param *path)
{
	struct bad_pool *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct pgct_fixture *f;
	struct pgct_snap *s;
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	f = pgct_fixture_path(test, PGCT_NR_PAGES, path);
	/* small and small2 share the page of this CPU's slot */
	pgct_pin_cpu(test);
	b->f = f;
	b->small = pgclass_alloc(f->pool, 40);
	b->small2 = pgclass_alloc(f->pool, 40);
	b->whole = pgclass_alloc(f->pool, f->page);
	b->multi = pgclass_alloc(f->pool, 3 * f->page);
	b->spare = pgclass_alloc(f->pool, 16);
	KUNIT_ASSERT_NOT_NULL(test, b->small);
	KUNIT_ASSERT_NOT_NULL(test, b->small2);
	KUNIT_ASSERT_NOT_NULL(test, b->whole);
	KUNIT_ASSERT_NOT_NULL(test, b->multi);
	KUNIT_ASSERT_NOT_NULL(test, b->spare);
	KUNIT_ASSERT_EQ(test, pgct_page_of(f, b->small), pgct_page_of(f, b->small2));
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, b->spare));
	pgct_fill(b->small, 64, 1);
	pgct_fill(b->small2, 64, 2);
	pgct_fill(b->whole, f->page, 3);
	pgct_fill(b->multi, 3 * f->page, 4);

	s = pgct_snap(test, f);
	pgct_check_snap(test, f, s);
	for (i = 0; i < s->nr; i++) {
		if (s->ext[i].state == PGCLASS_PAGE_FREE) {
			b->free_page = pgct_page_addr(f, s->ext[i].first);
			break;
		}
	}
	KUNIT_ASSERT_NOT_NULL(test, b->free_page);
	pgct_snap_free(test, s);
	return b;
}

/* The live blocks are as they were: allocated, same size, same bytes. */
static void expect_live_blocks(struct kunit *test, struct bad_pool *b)
{
	struct pgct_fixture *f = b->f;

	KUNIT_EXPECT_EQ(test, 64UL, pgclass_usable_size(f->pool, b->small));
	KUNIT_EXPECT_EQ(test, 64UL, pgclass_usable_size(f->pool, b->small2));
	KUNIT_EXPECT_EQ(test, f->page, pgclass_usable_size(f->pool, b->whole));
	KUNIT_EXPECT_EQ(test, 3 * f->page,
			pgclass_usable_size(f->pool, b->multi));
	KUNIT_EXPECT_EQ(test, 64UL, pgct_verify(b->small, 64, 1));
	KUNIT_EXPECT_EQ(test, 64UL, pgct_verify(b->small2, 64, 2));
	KUNIT_EXPECT_EQ(test, f->page, pgct_verify(b->whole, f->page, 3));
	KUNIT_EXPECT_EQ(test, 3 * f->page, pgct_verify(b->multi, 3 * f->page, 4));
}

/* Call counters moved by exactly what one refused call adds. */
static void expect_calls(struct kunit *test, const struct pgclass_stats *a,
			 const struct pgclass_stats *z, u64 frees, u64 reallocs)
{
	KUNIT_EXPECT_EQ(test, z->alloc_calls, a->alloc_calls);
	KUNIT_EXPECT_EQ(test, z->free_calls, a->free_calls + frees);
	KUNIT_EXPECT_EQ(test, z->realloc_calls, a->realloc_calls + reallocs);
	KUNIT_EXPECT_EQ(test, z->failed_calls, a->failed_calls + 1);
}

/*
 * pgclass_free(@ptr), or with @realloc pgclass_realloc(@ptr, 100), is
 * refused and changes nothing; pgclass_usable_size(@ptr) is 0.
 */
static void expect_refused(struct kunit *test, struct bad_pool *b,
			   const void *ptr, const char *what, bool realloc)
{
	struct pgct_fixture *f = b->f;
	struct pgct_snap *before, *after;

	before = pgct_snap(test, f);
	if (realloc)
		KUNIT_EXPECT_NULL_MSG(test,
				      pgclass_realloc(f->pool, (void *)ptr, 100),
				      "realloc(%s)", what);
	else
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    pgclass_free(f->pool, (void *)ptr),
				    "free(%s)", what);
	after = pgct_snap(test, f);
	pgct_check_snap(test, f, after);
	pgct_expect_same_state(test, &before->st, &after->st);
	pgct_expect_same_layout(test, before, after);
	expect_calls(test, &before->st, &after->st, !realloc, realloc);
	KUNIT_EXPECT_EQ_MSG(test, 0UL, pgclass_usable_size(f->pool, ptr),
			    "usable_size(%s)", what);
	expect_live_blocks(test, b);
	pgct_snap_free(test, after);
	pgct_snap_free(test, before);
}

static void expect_bad_free(struct kunit *test, struct bad_pool *b,
			    const void *ptr, const char *what)
{
	expect_refused(test, b, ptr, what, false);
}

/* The live blocks still free normally, and then the pool is empty. */
static void bad_pool_finish(struct kunit *test, struct bad_pool *b)
{
	struct pgct_fixture *f = b->f;

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, b->small));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, b->small2));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, b->whole));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, b->multi));
	pgct_check(test, f);
	KUNIT_EXPECT_EQ(test, 0ULL, f->scratch->st.blocks);
	KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
}

/* Freeing NULL is a no-op: 0, and not even counted. */
static void test_free_null(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test, test->param_value);
	struct pgct_snap *before, *after;

	before = pgct_snap(test, b->f);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(b->f->pool, NULL));
	KUNIT_EXPECT_EQ(test, 0UL, pgclass_usable_size(b->f->pool, NULL));
	after = pgct_snap(test, b->f);
	pgct_expect_same_state(test, &before->st, &after->st);
	pgct_expect_same_layout(test, before, after);
	KUNIT_EXPECT_EQ(test, after->st.free_calls, before->st.free_calls);
	KUNIT_EXPECT_EQ(test, after->st.failed_calls, before->st.failed_calls);
	bad_pool_finish(test, b);
}

/* An offset of @quarters quarter pages plus @bytes bytes. */
struct bad_off {
	long quarters;
	long bytes;
};

/* What a bad pointer is relative to. */
enum bad_from {
	FROM_ZERO,		/* address 0 */
	FROM_BASE,		/* the region's start */
	FROM_END,		/* the region's end */
	FROM_META,		/* the metadata's start */
	FROM_META_END,		/* the metadata's end */
	FROM_SMALL,		/* the live blocks of struct bad_pool */
	FROM_SMALL2,
	FROM_WHOLE,
	FROM_MULTI,
	FROM_SPARE,
	FROM_FREE_PAGE,
	FROM_FREED,		/* the kind's block, allocated and freed */
};

struct bad_ptr {
	enum bad_from from;
	struct bad_off off;
	const char *what;
};

#define BAD_MAX_PTRS	7

/**
 * struct bad_kind - one kind of bad pointer
 * @name: names the case's parameter
 * @freed: if not zero, a block of this size is allocated and freed
 *	first: FROM_FREED's block
 * @realloc: the pointers go to pgclass_realloc(), not pgclass_free()
 * @ptrs: the pointers, up to the first without @what
 * @more: if set, pointers found in the pool, or checks, after @ptrs
 */
struct bad_kind {
	const char *name;
	struct bad_off freed;
	bool realloc;
	struct bad_ptr ptrs[BAD_MAX_PTRS];
	void (*more)(struct kunit *test, struct bad_pool *b);
};

static size_t bad_bytes(const struct bad_pool *b, struct bad_off off)
{
	return off.quarters * (long)b->f->page / 4 + off.bytes;
}

static const void *bad_addr(const struct bad_pool *b, const struct bad_ptr *p,
			    const u8 *freed)
{
	const struct pgct_fixture *f = b->f;
	const u8 *from[] = {
		[FROM_ZERO] = NULL,
		[FROM_BASE] = f->base,
		[FROM_END] = f->base + f->size,
		[FROM_META] = pgct_meta_start(f),
		[FROM_META_END] = pgct_meta_end(f),
		[FROM_SMALL] = b->small,
		[FROM_SMALL2] = b->small2,
		[FROM_WHOLE] = b->whole,
		[FROM_MULTI] = b->multi,
		[FROM_SPARE] = b->spare,
		[FROM_FREE_PAGE] = b->free_page,
		[FROM_FREED] = freed,
	};

	return (const void *)((unsigned long)from[p->from] +
			      bad_bytes(b, p->off));
}

/* A block start in a used small page, but not an allocated block. */
static void bad_small_unallocated(struct kunit *test, struct bad_pool *b)
{
	struct pgct_fixture *f = b->f;
	unsigned long page = pgct_page_of(f, b->small), slot;
	struct pgct_snap *s = pgct_snap(test, f);
	const struct pgct_ext *e = pgct_snap_find(s, page);
	const unsigned long *map;

	KUNIT_ASSERT_NOT_NULL(test, e);
	map = pgct_snap_map(s, e);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_ASSERT_EQ(test, e->used, 2U);
	slot = find_first_zero_bit(map, e->total);
	KUNIT_ASSERT_LT(test, slot, (unsigned long)e->total);
	expect_bad_free(test, b, pgct_page_addr(f, page) + slot * 64,
			"a free slot of a used small page");
	slot = find_last_bit(map, e->total);
	if (slot + 1 < e->total)
		expect_bad_free(test, b,
				pgct_page_addr(f, page) + (slot + 1) * 64,
				"the slot after the last used one");
	expect_bad_free(test, b, pgct_page_addr(f, page) + (e->total - 1) * 64,
			"the page's last slot");
}

/* The last page of every free run, and its second page. */
static void bad_free_runs(struct kunit *test, struct bad_pool *b)
{
	struct pgct_snap *s = pgct_snap(test, b->f);
	const struct pgct_ext *e;
	unsigned long i;

	for (i = 0; i < s->nr; i++) {
		e = &s->ext[i];
		if (e->state != PGCLASS_PAGE_FREE)
			continue;
		expect_bad_free(test, b,
				pgct_page_addr(b->f, e->first + e->nr_pages - 1),
				"the last page of a free run");
		if (e->nr_pages > 2)
			expect_bad_free(test, b,
					pgct_page_addr(b->f, e->first + 1),
					"the second page of a free run");
	}
}

/* The page of the freed 16 B block: kept as the class's spare, or freed. */
static void bad_spare_state(struct kunit *test, struct bad_pool *b)
{
	struct pgct_snap *s = pgct_snap(test, b->f);
	const struct pgct_ext *e = pgct_snap_find(s, pgct_page_of(b->f, b->spare));

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->state == PGCLASS_PAGE_FREE ||
			  (e->state == PGCLASS_PAGE_SMALL && !e->used));
}

#define BYTES(n)	{ 0, n }
#define QUARTERS(q, n)	{ q, n }

static const struct bad_kind bad_kinds[] = {
	/*
	 * Before the data area, and the metadata: in band the region's
	 * first pages, out of band the caller's memory for it.
	 */
	{ "before the data", .ptrs = {
		{ FROM_BASE, QUARTERS(-4, 0), "a page before the region" },
		{ FROM_BASE, BYTES(-16), "16 bytes before the region" },
		{ FROM_ZERO, BYTES(16), "address 16" },
		{ FROM_META, BYTES(0), "the metadata's start" },
		{ FROM_META, BYTES(16), "the pool header" },
		{ FROM_META_END, BYTES(-16), "the metadata's last bytes" },
	} },
	{ "after the data", .ptrs = {
		{ FROM_END, BYTES(0), "the region's end" },
		{ FROM_END, BYTES(16), "16 bytes past the end" },
		{ FROM_END, QUARTERS(20, 0), "pages past the end" },
		{ FROM_ZERO, BYTES(-16), "the top of the address space" },
	} },
	{ "inside a small block", .ptrs = {
		{ FROM_SMALL, BYTES(1), "small + 1" },
		{ FROM_SMALL, BYTES(8), "small + 8" },
		{ FROM_SMALL, BYTES(16), "small + 16" },
		{ FROM_SMALL, BYTES(32), "small + 32" },
		{ FROM_SMALL, BYTES(63), "small + 63" },
		{ FROM_SMALL2, BYTES(40), "small2 + 40" },
	} },
	{ "unallocated small slot", .more = bad_small_unallocated },
	{ "inside a whole page", .ptrs = {
		{ FROM_WHOLE, BYTES(1), "whole + 1" },
		{ FROM_WHOLE, BYTES(16), "whole + 16" },
		{ FROM_WHOLE, QUARTERS(2, 0), "whole + page/2" },
		{ FROM_WHOLE, QUARTERS(4, -16), "whole + page - 16" },
	} },
	{ "inside a multi-page head", .ptrs = {
		{ FROM_MULTI, BYTES(16), "multi + 16" },
		{ FROM_MULTI, QUARTERS(2, 0), "multi + page/2" },
		{ FROM_MULTI, QUARTERS(4, -1), "multi + page - 1" },
	} },
	{ "multi-page tail", .ptrs = {
		{ FROM_MULTI, QUARTERS(4, 0), "the second page of multi" },
		{ FROM_MULTI, QUARTERS(8, 0), "the last page of multi" },
		{ FROM_MULTI, QUARTERS(4, 16), "multi + page + 16" },
		{ FROM_MULTI, QUARTERS(12, -16), "multi's last bytes" },
	} },
	{ "free page", .ptrs = {
		{ FROM_FREE_PAGE, BYTES(0), "a free page" },
		{ FROM_FREE_PAGE, BYTES(16), "inside a free page" },
		{ FROM_FREE_PAGE, QUARTERS(2, 0), "half into a free page" },
	}, .more = bad_free_runs },
	{ "spare page", .ptrs = {
		{ FROM_SPARE, BYTES(0), "the freed block of a spare page" },
		{ FROM_SPARE, BYTES(16), "a slot of a spare page" },
		{ FROM_SPARE, BYTES(8), "inside a spare page's slot" },
	}, .more = bad_spare_state },
	{ "double free small", BYTES(40), .ptrs = {
		{ FROM_FREED, BYTES(0), "a freed small block" },
		{ FROM_FREED, BYTES(0), "a freed small block, again" },
	} },
	/* The last block of a small page: the page is empty, freeing it again. */
	{ "double free small last", BYTES(200), .ptrs = {
		{ FROM_FREED, BYTES(0), "the freed last block of its page" },
	} },
	{ "double free whole", QUARTERS(4, -1), .ptrs = {
		{ FROM_FREED, BYTES(0), "a freed page block" },
	} },
	{ "double free multi", QUARTERS(8, 1), .ptrs = {
		{ FROM_FREED, BYTES(0), "a freed multi-page block" },
		{ FROM_FREED, QUARTERS(4, 0), "a freed multi-page block's tail" },
	} },
	/* realloc() of a bad pointer: NULL, and the pool unchanged. */
	{ "realloc", .realloc = true, .ptrs = {
		{ FROM_SMALL, BYTES(8), "small + 8" },
		{ FROM_WHOLE, BYTES(16), "whole + 16" },
		{ FROM_MULTI, QUARTERS(4, 0), "the second page of multi" },
		{ FROM_FREE_PAGE, BYTES(0), "a free page" },
		{ FROM_SPARE, BYTES(0), "the freed block of a spare page" },
		{ FROM_META, BYTES(0), "the metadata's start" },
		{ FROM_END, BYTES(0), "the region's end" },
	} },
};

/* A case's parameter: a kind of bad pointer, on one path parameter. */
struct bad_param {
	const struct bad_kind *kind;
	struct pgct_path_param path;
};

/*
 * Made by bad_gen_params(), which KUnit calls before each run of the
 * case and never while it runs.
 */
static struct bad_param bad_params[ARRAY_SIZE(bad_kinds) *
				   2 * ARRAY_SIZE(test_page_shifts)];

/* Every kind, on every path parameter in turn. */
static const void *bad_gen_params(const void *prev, char *desc)
{
	unsigned int i = prev ? (const struct bad_param *)prev -
				bad_params + 1 : 0;
	unsigned int n = pgct_nr_paths();
	struct bad_param *p = &bad_params[i];

	if (i >= ARRAY_SIZE(bad_params))
		return NULL;
	p->kind = &bad_kinds[i / n];
	p->path = pgct_path(i % n);
	pgct_path_desc(&p->path, desc);
	snprintf(desc + strlen(desc), KUNIT_PARAM_DESC_SIZE - strlen(desc),
		 ": %s", p->kind->name);
	return p;
}

/*
 * Every pointer of the kind is refused and changes nothing, and then the
 * live blocks free as usual.
 */
static void test_bad_pointer(struct kunit *test)
{
	const struct bad_param *prm = test->param_value;
	const struct bad_kind *k = prm->kind;
	struct bad_pool *b = bad_pool(test, &prm->path);
	size_t freed_size = bad_bytes(b, k->freed);
	const struct bad_ptr *p;
	u8 *freed = NULL;

	if (freed_size) {
		freed = pgclass_alloc(b->f->pool, freed_size);
		KUNIT_ASSERT_NOT_NULL(test, freed);
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(b->f->pool, freed));
	}
	for (p = k->ptrs; p < k->ptrs + BAD_MAX_PTRS && p->what; p++)
		expect_refused(test, b, bad_addr(b, p, freed), p->what,
			       k->realloc);
	if (k->more)
		k->more(test, b);
	bad_pool_finish(test, b);
}

PGCT_SUITES(bad_free,
	    KUNIT_CASE_PARAM(test_free_null, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_pointer, bad_gen_params));
