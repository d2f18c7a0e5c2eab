// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_runs: the free page runs.  Exhaustion and recovery, coalescing
 * of freed pages in any order, and multi-page blocks shrinking and growing
 * in place.  pgclass_oob_runs runs the same cases over out-of-band pools,
 * where a block that cannot grow in place does not move either.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "pgclass_kunit.h"

/*
 * Fill every data page with a page-sized block.
 * Return: the blocks, indexed by page.
 */
static u8 **fill_pages(struct kunit *test, struct pgct_fixture *f)
{
	u8 **pg = kunit_kcalloc(test, f->nr_pages, sizeof(*pg), GFP_KERNEL);
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, pg);
	for (i = 0; i < pgct_data_pages(f); i++) {
		u8 *p = pgclass_alloc(f->pool, f->page);

		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "page %lu of %lu", i,
					  pgct_data_pages(f));
		KUNIT_ASSERT_NULL(test, pg[pgct_page_of(f, p)]);
		pg[pgct_page_of(f, p)] = p;
	}
	KUNIT_ASSERT_NULL(test, pgclass_alloc(f->pool, f->page));
	for (i = f->init.meta_pages; i < f->nr_pages; i++)
		KUNIT_ASSERT_NOT_NULL_MSG(test, pg[i], "page %lu not handed out", i);
	return pg;
}

/* Take every free page again with page-sized blocks. */
static void refill_pages(struct kunit *test, struct pgct_fixture *f, u8 **pg)
{
	struct pgclass_stats st;
	u8 *p;

	while ((p = pgclass_alloc(f->pool, f->page))) {
		KUNIT_ASSERT_NULL(test, pg[pgct_page_of(f, p)]);
		pg[pgct_page_of(f, p)] = p;
	}
	pgclass_get_stats(f->pool, &st);
	KUNIT_ASSERT_EQ(test, st.free_pages, 0U);
}

static void free_page_at(struct kunit *test, struct pgct_fixture *f, u8 **pg,
			 unsigned long i)
{
	KUNIT_ASSERT_NOT_NULL(test, pg[i]);
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, pg[i]));
	pg[i] = NULL;
}

/* After everything is freed: one block over the whole data area fits. */
static void expect_whole_area(struct kunit *test, struct pgct_fixture *f)
{
	size_t data = pgct_data_pages(f) * f->page;
	u8 *p = pgclass_alloc(f->pool, data);

	KUNIT_ASSERT_PTR_EQ(test, p, pgct_data_start(f));
	KUNIT_EXPECT_EQ(test, data, pgclass_usable_size(f->pool, p));
	pgct_check(test, f);
	KUNIT_EXPECT_EQ(test, f->scratch->st.free_pages, 0U);
	KUNIT_EXPECT_EQ(test, f->scratch->st.used_pages, pgct_data_pages(f));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
	pgct_expect_pristine(test, f);
}

/*
 * Fill the pool with one small class until NULL, free everything, and the
 * pool is back to its first state (but the class's spare page and the
 * page this CPU's slot holds, taken back on need): one block over the
 * whole data area fits.
 */
static void test_exhaustion_and_recovery(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	size_t bs = max(16UL, f->page / 64);
	unsigned long per_page = f->page / bs;
	unsigned long n = pgct_data_pages(f) * per_page, i;
	struct pgclass_stats st;
	u8 **p = pgct_kvcalloc(test, n + 1, sizeof(*p));

	for (i = 0; i <= n; i++) {
		p[i] = pgclass_alloc(f->pool, bs);
		if (!p[i])
			break;
		pgct_fill(p[i], bs, i);
	}
	KUNIT_ASSERT_EQ_MSG(test, i, n, "blocks of %zu B before exhaustion", bs);
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_pages, 0U);
	KUNIT_EXPECT_EQ(test, st.used_pages, pgct_data_pages(f));
	KUNIT_EXPECT_EQ(test, st.peak_used_pages, pgct_data_pages(f));
	KUNIT_EXPECT_EQ(test, st.blocks, (u64)n);
	KUNIT_EXPECT_EQ(test, st.bytes_allocated, (u64)n * bs);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 1ULL);

	/* nothing fits any more, of any class */
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 16));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, f->page / 2));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, f->page));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 2 * f->page));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 5ULL);

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ_MSG(test, bs, pgct_verify(p[i], bs, i),
				    "block %lu overwritten", i);
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
	}
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_allocated, 0ULL);
	/* The spare, and the last page the slot adopted (pgc_unown()). */
	KUNIT_EXPECT_LE(test, (u64)st.used_pages, 1 + st.cached_pages);
	KUNIT_EXPECT_EQ(test, st.free_calls, (u64)n);
	expect_whole_area(test, f);
}

/*
 * Fill with a seeded mix of every kind of block until nothing fits, free
 * them in random order, and the whole data area is one run again.
 */
static void test_exhaustion_mixed(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	unsigned long cap = pgct_data_pages(f) * (f->page / 16) + 1, n = 0, i;
	void **p = pgct_kvcalloc(test, cap, sizeof(*p));
	struct rnd_state rnd;
	unsigned int misses = 0;
	struct pgclass_stats st;

	prandom_seed_state(&rnd, 42 + pgct_param_shift(test));
	while (misses < 16 && n < cap) {
		u32 r = prandom_u32_state(&rnd);
		size_t size = pgct_random_size(r, r >> 8, f->page,
					       PGCT_SIZE_EIGHTH |
					       PGCT_SIZE_SMALL |
					       PGCT_SIZE_PAGE |
					       PGCT_SIZE_MULTI, 4);

		p[n] = pgclass_alloc(f->pool, size);
		if (p[n])
			n++;
		else
			misses++;
	}
	/* then small blocks into every gap */
	while (n < cap && (p[n] = pgclass_alloc(f->pool, 16)))
		n++;
	KUNIT_ASSERT_LT(test, n, cap);
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_pages, 0U);
	KUNIT_EXPECT_EQ(test, st.blocks, (u64)n);
	KUNIT_EXPECT_EQ(test, st.peak_used_pages, pgct_data_pages(f));

	pgct_shuffle(p, n, &rnd);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
		if (i % 64 == 0)
			pgct_check(test, f);
	}
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
	KUNIT_EXPECT_LE(test, st.used_pages, pgct_class_page(f));
	expect_whole_area(test, f);
}

/*
 * Fill with single pages, free them in a seeded random order: after every
 * free the free pages form maximal runs (pgct_check() refuses two adjacent
 * free extents), and at the end one block of the whole data area fits.
 */
static void test_coalesce_random_order(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, 64, pgct_param_shift(test));
	unsigned long n = pgct_data_pages(f), i;
	u8 **pg = fill_pages(test, f);
	void **order = kunit_kcalloc(test, n, sizeof(*order), GFP_KERNEL);
	struct rnd_state rnd;
	struct pgclass_stats st;

	KUNIT_ASSERT_NOT_NULL(test, order);
	for (i = 0; i < n; i++)
		order[i] = pg[f->init.meta_pages + i];
	prandom_seed_state(&rnd, 0x5eed + pgct_param_shift(test));
	pgct_shuffle(order, n, &rnd);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, order[i]));
		pgct_check(test, f);
		pgclass_get_stats(f->pool, &st);
		KUNIT_ASSERT_EQ(test, st.free_pages, i + 1);
	}
	KUNIT_EXPECT_EQ(test, st.peak_used_pages, n);
	expect_whole_area(test, f);
}

/* The same with multi-page blocks of seeded random lengths. */
static void test_coalesce_runs(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, 64, pgct_param_shift(test));
	unsigned long n = 0, i, cap = pgct_data_pages(f);
	void **p = kunit_kcalloc(test, cap, sizeof(*p), GFP_KERNEL);
	struct rnd_state rnd;

	KUNIT_ASSERT_NOT_NULL(test, p);
	prandom_seed_state(&rnd, 7 + pgct_param_shift(test));
	while (n < cap) {
		size_t pages = 1 + prandom_u32_state(&rnd) % 5;

		p[n] = pgclass_alloc(f->pool, pages * f->page);
		if (!p[n])
			p[n] = pgclass_alloc(f->pool, f->page);
		if (!p[n])
			break;
		n++;
	}
	pgct_check(test, f);
	KUNIT_EXPECT_EQ(test, f->scratch->st.free_pages, 0U);
	pgct_shuffle(p, n, &rnd);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
		pgct_check(test, f);
	}
	expect_whole_area(test, f);
}

/*
 * A freed page merges with the free runs on both sides into one; the
 * walk shows a single run where there were three.
 */
static void test_coalesce_both_sides(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	unsigned long k = f->init.meta_pages + 4;
	u8 **pg = fill_pages(test, f);
	const struct pgct_ext *e;

	free_page_at(test, f, pg, k);
	free_page_at(test, f, pg, k + 1);
	free_page_at(test, f, pg, k + 3);
	free_page_at(test, f, pg, k + 4);
	pgct_check(test, f);
	e = pgct_snap_find(f->scratch, k);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->state, PGCLASS_PAGE_FREE);
	KUNIT_EXPECT_EQ(test, e->nr_pages, 2UL);

	free_page_at(test, f, pg, k + 2);
	pgct_check(test, f);
	e = pgct_snap_find(f->scratch, k);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->state, PGCLASS_PAGE_FREE);
	KUNIT_EXPECT_EQ(test, e->first, k);
	KUNIT_EXPECT_EQ(test, e->nr_pages, 5UL);
	/* and it serves a 5-page block at once, exactly there */
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgct_page_addr(f, k),
			    pgclass_alloc(f->pool, 5 * f->page));
}

/*
 * A @pages-page block at page @k of a pool whose every other data page is
 * taken: free exactly its pages, and it can only go there.
 */
static u8 *multi_at(struct kunit *test, struct pgct_fixture *f, u8 **pg,
		    unsigned long k, unsigned long pages)
{
	unsigned long i;
	u8 *a;

	for (i = k; i < k + pages; i++)
		free_page_at(test, f, pg, i);
	a = pgclass_alloc(f->pool, pages * f->page);
	KUNIT_ASSERT_PTR_EQ(test, a, pgct_page_addr(f, k));
	pgct_fill(a, pages * f->page, pages);
	return a;
}

/*
 * pgclass_realloc(@a, @to) resizes in place the block multi_at() made at
 * page @k, @orig pages long: it spans @pages pages now (a whole page if
 * one), @free free pages follow it if @free is not 0, and it keeps its
 * bytes up to the smaller size.
 */
static void expect_in_place(struct kunit *test, struct pgct_fixture *f,
			    u8 *a, unsigned long k, unsigned long orig,
			    size_t to, unsigned long pages, unsigned long free)
{
	size_t keep = min(to, orig * f->page);

	KUNIT_ASSERT_PTR_EQ(test, a, pgclass_realloc(f->pool, a, to));
	KUNIT_EXPECT_EQ(test, pages * f->page, pgclass_usable_size(f->pool, a));
	pgct_expect_extent(test, f, k, pages > 1 ? PGCLASS_PAGE_HEAD :
			   PGCLASS_PAGE_WHOLE, pages);
	if (free)
		pgct_expect_extent(test, f, k + pages, PGCLASS_PAGE_FREE, free);
	KUNIT_EXPECT_EQ(test, keep, pgct_verify(a, keep, orig));
}

/*
 * Shrinking a multi-page block keeps its address and gives its tail pages
 * back, merged with the free run after them; down to one page it becomes
 * a whole page, still in place.
 */
static void test_multi_shrink_in_place(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	unsigned long k = f->init.meta_pages + 2;
	u8 **pg = fill_pages(test, f);
	size_t page = f->page;
	struct pgclass_stats st;
	u8 *a;

	a = multi_at(test, f, pg, k, 6);
	free_page_at(test, f, pg, k + 6);
	free_page_at(test, f, pg, k + 7);

	expect_in_place(test, f, a, k, 6, 3 * page + 1, 4, 4);
	expect_in_place(test, f, a, k, 6, 2 * page, 2, 6);
	expect_in_place(test, f, a, k, 6, page / 2 + 1, 1, 7);

	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.free_pages, 7U);
	KUNIT_EXPECT_EQ(test, st.bytes_allocated,
			(u64)(pgct_data_pages(f) - 7) * page);
	KUNIT_EXPECT_EQ(test, st.realloc_calls, 3ULL);
	KUNIT_EXPECT_EQ(test, st.alloc_calls, pgct_data_pages(f) + 2ULL);
}

/*
 * Growing a multi-page block over the free pages that follow it keeps its
 * address; here they are the only free pages, so it must.
 */
static void test_multi_grow_in_place(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	unsigned long k = f->init.meta_pages + 2;
	u8 **pg = fill_pages(test, f);
	size_t page = f->page;
	u8 *a;

	a = multi_at(test, f, pg, k, 2);
	free_page_at(test, f, pg, k + 2);
	free_page_at(test, f, pg, k + 3);
	free_page_at(test, f, pg, k + 4);

	expect_in_place(test, f, a, k, 2, 3 * page + 1, 4, 1);
	expect_in_place(test, f, a, k, 2, 5 * page, 5, 0);
	KUNIT_EXPECT_EQ(test, f->scratch->st.free_pages, 0U);
	/* no room left: refused, block untouched */
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, a, 6 * page));
	KUNIT_EXPECT_EQ(test, 5 * page, pgclass_usable_size(f->pool, a));
	KUNIT_EXPECT_EQ(test, 2 * page, pgct_verify(a, 2 * page, 2));
}

/* With room both after the block and elsewhere, it grows in place. */
static void test_multi_grow_prefers_in_place(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	unsigned long k = f->init.meta_pages + 2, j = k + 10, i;
	u8 **pg = fill_pages(test, f);
	u8 *a;

	a = multi_at(test, f, pg, k, 2);
	for (i = k + 2; i < k + 6; i++)
		free_page_at(test, f, pg, i);
	for (i = j; i < j + 4; i++)
		free_page_at(test, f, pg, i);

	expect_in_place(test, f, a, k, 2, 4 * f->page, 4, 2);
	pgct_expect_extent(test, f, j, PGCLASS_PAGE_FREE, 4);
}

/*
 * An out-of-band pool refuses a grow of @a (@pages pages, filled by
 * multi_at()) to @to bytes, as it would have to move: NULL, and the block
 * keeps its place, pages and bytes; only realloc_calls and failed_calls
 * move.
 */
static void expect_grow_refused(struct kunit *test, struct pgct_fixture *f,
				u8 *a, unsigned long pages, size_t to)
{
	KUNIT_EXPECT_EQ(test, pages * f->page, pgclass_usable_size(f->pool, a));
	pgct_expect_realloc_noop(test, f, a, to, true, pages * f->page, pages);
}

/*
 * When the page after the block is taken, or the free pages after it are
 * too few, growing moves the block to a run that fits and frees its pages.
 * Out of band it does not move: the grow fails and nothing changes.
 */
static void test_multi_grow_moves(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	unsigned long k = f->init.meta_pages + 2, j = k + 10, i;
	u8 **pg = fill_pages(test, f);
	size_t page = f->page;
	u8 *a, *b;

	/* the next page is taken */
	a = multi_at(test, f, pg, k, 2);
	for (i = j; i < j + 4; i++)
		free_page_at(test, f, pg, i);
	if (f->oob) {
		expect_grow_refused(test, f, a, 2, 4 * page);
		pgct_expect_extent(test, f, k, PGCLASS_PAGE_HEAD, 2);
		pgct_expect_extent(test, f, j, PGCLASS_PAGE_FREE, 4);
		b = a;
	} else {
		b = pgclass_realloc(f->pool, a, 4 * page);
		KUNIT_ASSERT_PTR_EQ(test, b, pgct_page_addr(f, j));
		KUNIT_EXPECT_EQ(test, 2 * page, pgct_verify(b, 2 * page, 2));
		KUNIT_EXPECT_EQ(test, 0UL, pgclass_usable_size(f->pool, a));
		pgct_expect_extent(test, f, j, PGCLASS_PAGE_HEAD, 4);
		pgct_expect_extent(test, f, k, PGCLASS_PAGE_FREE, 2);
	}
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, b));
	refill_pages(test, f, pg);

	/* one free page after it, but three more are needed */
	a = multi_at(test, f, pg, k, 2);
	free_page_at(test, f, pg, k + 2);
	for (i = j; i < j + 5; i++)
		free_page_at(test, f, pg, i);
	if (f->oob) {
		expect_grow_refused(test, f, a, 2, 5 * page);
		pgct_expect_extent(test, f, k, PGCLASS_PAGE_HEAD, 2);
		pgct_expect_extent(test, f, k + 2, PGCLASS_PAGE_FREE, 1);
		pgct_expect_extent(test, f, j, PGCLASS_PAGE_FREE, 5);
		return;
	}
	b = pgclass_realloc(f->pool, a, 5 * page);
	KUNIT_ASSERT_PTR_EQ(test, b, pgct_page_addr(f, j));
	KUNIT_EXPECT_EQ(test, 2 * page, pgct_verify(b, 2 * page, 2));
	pgct_expect_extent(test, f, j, PGCLASS_PAGE_HEAD, 5);
	pgct_expect_extent(test, f, k, PGCLASS_PAGE_FREE, 3);
}

PGCT_SUITES(runs,
	    KUNIT_CASE_PARAM(test_exhaustion_and_recovery, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_exhaustion_mixed, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_coalesce_random_order, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_coalesce_runs, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_coalesce_both_sides, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_multi_shrink_in_place, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_multi_grow_in_place, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_multi_grow_prefers_in_place, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_multi_grow_moves, pgct_shift_gen_params));
