// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_bad_free: every kind of bad pointer handed to pgclass_free()
 * (and pgclass_realloc(), pgclass_usable_size()) is refused with -EINVAL
 * and leaves the pool exactly as it was: same counters (but the call
 * counters), same pages, same bitmaps, live blocks untouched.
 *
 * Every case runs on a pool with CPU slots, where small blocks sit on
 * pages the slots own, and on one without, where the shared path serves
 * them, at three page sizes.  pgclass_oob_bad_free runs them over
 * out-of-band pools, where the pointers into the metadata point into the
 * caller's memory for it; those pools always have CPU slots (there is no
 * out-of-band pgclass_pool_create_cpus()), so the shared-path parameters
 * are skipped there.
 *
 * The allocator warns about each bad free on the console (rate-limited);
 * that is expected here.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>

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

static struct bad_pool *bad_pool(struct kunit *test)
{
	struct bad_pool *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct pgct_fixture *f;
	struct pgct_snap *s;
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	f = pgct_fixture_path(test, PGCT_NR_PAGES, test->param_value);
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

/* pgclass_free(@ptr) is refused and changes nothing. */
static void expect_bad_free(struct kunit *test, struct bad_pool *b,
			    const void *ptr, const char *what)
{
	struct pgct_fixture *f = b->f;
	struct pgct_snap *before, *after;

	before = pgct_snap(test, f);
	KUNIT_EXPECT_EQ_MSG(test, -EINVAL, pgclass_free(f->pool, (void *)ptr),
			    "free(%s)", what);
	after = pgct_snap(test, f);
	pgct_check_snap(test, f, after);
	pgct_expect_same_state(test, &before->st, &after->st);
	pgct_expect_same_layout(test, before, after);
	expect_calls(test, &before->st, &after->st, 1, 0);
	KUNIT_EXPECT_EQ_MSG(test, 0UL, pgclass_usable_size(f->pool, ptr),
			    "usable_size(%s)", what);
	expect_live_blocks(test, b);
	pgct_snap_free(test, after);
	pgct_snap_free(test, before);
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
	struct bad_pool *b = bad_pool(test);
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

/*
 * Before the data area, and the metadata: in band the region's first
 * pages, out of band the caller's memory for it.
 */
static void test_bad_free_before_data(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	u8 *base = b->f->base, *meta = pgct_meta_start(b->f);

	expect_bad_free(test, b, base - b->f->page, "a page before the region");
	expect_bad_free(test, b, base - 16, "16 bytes before the region");
	expect_bad_free(test, b, (void *)16, "address 16");
	expect_bad_free(test, b, meta, "the metadata's start");
	expect_bad_free(test, b, meta + 16, "the pool header");
	expect_bad_free(test, b, pgct_meta_end(b->f) - 16,
			"the metadata's last bytes");
	bad_pool_finish(test, b);
}

static void test_bad_free_after_data(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	u8 *end = b->f->base + b->f->size;

	expect_bad_free(test, b, end, "the region's end");
	expect_bad_free(test, b, end + 16, "16 bytes past the end");
	expect_bad_free(test, b, end + 5 * b->f->page, "pages past the end");
	expect_bad_free(test, b, (void *)-16L, "the top of the address space");
	bad_pool_finish(test, b);
}

static void test_bad_free_small_interior(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);

	expect_bad_free(test, b, b->small + 1, "small + 1");
	expect_bad_free(test, b, b->small + 8, "small + 8");
	expect_bad_free(test, b, b->small + 16, "small + 16");
	expect_bad_free(test, b, b->small + 32, "small + 32");
	expect_bad_free(test, b, b->small + 63, "small + 63");
	expect_bad_free(test, b, b->small2 + 40, "small2 + 40");
	bad_pool_finish(test, b);
}

/* A block start in a used small page, but not an allocated block. */
static void test_bad_free_small_unallocated(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
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
		expect_bad_free(test, b, pgct_page_addr(f, page) + (slot + 1) * 64,
				"the slot after the last used one");
	expect_bad_free(test, b, pgct_page_addr(f, page) + (e->total - 1) * 64,
			"the page's last slot");
	bad_pool_finish(test, b);
}

static void test_bad_free_whole_interior(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	size_t page = b->f->page;

	expect_bad_free(test, b, b->whole + 1, "whole + 1");
	expect_bad_free(test, b, b->whole + 16, "whole + 16");
	expect_bad_free(test, b, b->whole + page / 2, "whole + page/2");
	expect_bad_free(test, b, b->whole + page - 16, "whole + page - 16");
	bad_pool_finish(test, b);
}

static void test_bad_free_multi_head_interior(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	size_t page = b->f->page;

	expect_bad_free(test, b, b->multi + 16, "multi + 16");
	expect_bad_free(test, b, b->multi + page / 2, "multi + page/2");
	expect_bad_free(test, b, b->multi + page - 1, "multi + page - 1");
	bad_pool_finish(test, b);
}

static void test_bad_free_multi_tail(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	size_t page = b->f->page;

	expect_bad_free(test, b, b->multi + page, "the second page of multi");
	expect_bad_free(test, b, b->multi + 2 * page, "the last page of multi");
	expect_bad_free(test, b, b->multi + page + 16, "multi + page + 16");
	expect_bad_free(test, b, b->multi + 3 * page - 16, "multi's last bytes");
	bad_pool_finish(test, b);
}

static void test_bad_free_free_page(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	struct pgct_snap *s = pgct_snap(test, b->f);
	size_t page = b->f->page;
	const struct pgct_ext *e;
	unsigned long i;

	expect_bad_free(test, b, b->free_page, "a free page");
	expect_bad_free(test, b, b->free_page + 16, "inside a free page");
	expect_bad_free(test, b, b->free_page + page / 2, "half into a free page");
	/* the last page of every free run, and its second page */
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
	bad_pool_finish(test, b);
}

/* The page of a freed 16 B block: kept as the class's spare, or freed. */
static void test_bad_free_spare_page(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	struct pgct_snap *s = pgct_snap(test, b->f);
	const struct pgct_ext *e = pgct_snap_find(s, pgct_page_of(b->f, b->spare));

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->state == PGCLASS_PAGE_FREE ||
			  (e->state == PGCLASS_PAGE_SMALL && !e->used));
	expect_bad_free(test, b, b->spare, "the freed block of a spare page");
	expect_bad_free(test, b, b->spare + 16, "a slot of a spare page");
	expect_bad_free(test, b, b->spare + 8, "inside a spare page's slot");
	bad_pool_finish(test, b);
}

static void test_double_free_small(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	u8 *p = pgclass_alloc(b->f->pool, 40);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(b->f->pool, p));
	expect_bad_free(test, b, p, "a freed small block");
	expect_bad_free(test, b, p, "a freed small block, again");
	bad_pool_finish(test, b);
}

/* The last block of a small page: the page is empty, freeing it again. */
static void test_double_free_small_last(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	u8 *p = pgclass_alloc(b->f->pool, 200);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(b->f->pool, p));
	expect_bad_free(test, b, p, "the freed last block of its page");
	bad_pool_finish(test, b);
}

static void test_double_free_whole(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	u8 *p = pgclass_alloc(b->f->pool, b->f->page - 1);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(b->f->pool, p));
	expect_bad_free(test, b, p, "a freed page block");
	bad_pool_finish(test, b);
}

static void test_double_free_multi(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	size_t page = b->f->page;
	u8 *p = pgclass_alloc(b->f->pool, 2 * page + 1);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(b->f->pool, p));
	expect_bad_free(test, b, p, "a freed multi-page block");
	expect_bad_free(test, b, p + page, "a freed multi-page block's tail");
	bad_pool_finish(test, b);
}

/* realloc() of a bad pointer: NULL, and the pool unchanged. */
static void test_bad_realloc(struct kunit *test)
{
	struct bad_pool *b = bad_pool(test);
	struct pgct_fixture *f = b->f;
	u8 *bad[] = {
		b->small + 8, b->whole + 16, b->multi + f->page, b->free_page,
		b->spare, pgct_meta_start(f), f->base + f->size,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct pgct_snap *before = pgct_snap(test, f), *after;

		KUNIT_EXPECT_NULL_MSG(test, pgclass_realloc(f->pool, bad[i], 100),
				      "bad pointer %u", i);
		after = pgct_snap(test, f);
		pgct_check_snap(test, f, after);
		pgct_expect_same_state(test, &before->st, &after->st);
		pgct_expect_same_layout(test, before, after);
		expect_calls(test, &before->st, &after->st, 0, 1);
		expect_live_blocks(test, b);
		pgct_snap_free(test, after);
		pgct_snap_free(test, before);
	}
	bad_pool_finish(test, b);
}

PGCT_SUITES(bad_free,
	    KUNIT_CASE_PARAM(test_free_null, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_before_data, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_after_data, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_small_interior, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_small_unallocated, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_whole_interior, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_multi_head_interior, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_multi_tail, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_free_page, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_free_spare_page, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_double_free_small, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_double_free_small_last, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_double_free_whole, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_double_free_multi, pgct_path_gen_params),
	    KUNIT_CASE_PARAM(test_bad_realloc, pgct_path_gen_params));
