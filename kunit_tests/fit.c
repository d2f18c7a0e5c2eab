// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_fit: no false failures.  Free runs sit in TLSF lists, four per
 * power of two of their length (runs of 1 to 3 pages have a list each),
 * and the O(1) good fit takes the first list whose runs all fit, or else
 * the head of the request's own list.  A run that fits but sits behind a
 * shorter head of that list is missed: the last-resort scan of that one
 * list must find it before the allocation fails, and fit_scans counts the
 * calls that needed the scan, and only those.
 *
 * Also: a realloc that shrinks never fails, even in a full pool (the
 * block stays where it is, a multi-page one with only its first page);
 * one that grows there fails and changes nothing.
 *
 * pgclass_oob_fit runs the same cases over out-of-band pools, where a
 * realloc never moves a block.
 */
#include <kunit/test.h>
#include <linux/bitops.h>

#include "pgclass_kunit.h"

/* The TLSF list a run of @n pages goes to, numbered in length order. */
static unsigned long tlsf_list(unsigned long n)
{
	unsigned long top;

	if (n < 4)
		return n;
	top = fls_long(n) - 1;
	return 4 * (top - 1) + ((n >> (top - 2)) & 3);
}

/*
 * struct fit_pool - a full pool but for two free runs
 * @f: the fixture
 * @first: the first block of the data area, @first_pages long
 * @sep1: the page after it
 * @second: the block after that, @second_pages long
 * @sep2: the page after it
 * @rest: a block over all the other pages
 * @first_pages: pages of @first
 * @second_pages: pages of @second
 *
 * The separator pages keep the two blocks' runs apart once they are
 * freed.  Whichever run is freed last heads its TLSF list.
 */
struct fit_pool {
	struct pgct_fixture *f;
	u8 *first, *sep1, *second, *sep2, *rest;
	unsigned long first_pages, second_pages;
};

static u8 *fit_alloc_at(struct kunit *test, struct pgct_fixture *f,
			unsigned long pages, unsigned long at)
{
	u8 *p = pgclass_alloc(f->pool, pages * f->page);

	KUNIT_ASSERT_PTR_EQ_MSG(test, p, pgct_data_start(f) + at * f->page,
				"%lu pages at data page %lu", pages, at);
	return p;
}

static struct fit_pool *fit_pool(struct kunit *test, unsigned int shift,
				 unsigned long first_pages,
				 unsigned long second_pages)
{
	struct fit_pool *fp = kunit_kzalloc(test, sizeof(*fp), GFP_KERNEL);
	unsigned long used = first_pages + second_pages + 2, rest;
	struct pgct_fixture *f;

	KUNIT_ASSERT_NOT_NULL(test, fp);
	f = pgct_fixture(test, used + 16, shift);
	fp->f = f;
	fp->first_pages = first_pages;
	fp->second_pages = second_pages;
	KUNIT_ASSERT_GT(test, pgct_data_pages(f), used);
	rest = pgct_data_pages(f) - used;
	fp->first = fit_alloc_at(test, f, first_pages, 0);
	fp->sep1 = fit_alloc_at(test, f, 1, first_pages);
	fp->second = fit_alloc_at(test, f, second_pages, first_pages + 1);
	fp->sep2 = fit_alloc_at(test, f, 1, used - 1);
	fp->rest = fit_alloc_at(test, f, rest, used);
	pgct_check(test, f);
	KUNIT_ASSERT_EQ(test, f->scratch->st.free_pages, 0U);
	return fp;
}

/* Free @p, a block of @pages pages: it must become a free run of its own. */
static void fit_free_run(struct kunit *test, struct fit_pool *fp, u8 *p,
			 unsigned long pages)
{
	struct pgct_fixture *f = fp->f;
	const struct pgct_ext *e;

	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p));
	pgct_check(test, f);
	e = pgct_snap_find(f->scratch, pgct_page_of(f, p));
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, e->state, PGCLASS_PAGE_FREE);
	KUNIT_ASSERT_EQ(test, e->first, pgct_page_of(f, p));
	KUNIT_ASSERT_EQ(test, e->nr_pages, pages);
}

static u64 fit_scans(struct pgct_fixture *f)
{
	struct pgclass_stats st;

	pgclass_get_stats(f->pool, &st);
	return st.fit_scans;
}

enum fit_how { FIT_ALLOC, FIT_ALIGNED, FIT_REALLOC };

/*
 * struct fit_param - a request the O(1) path misses
 * @shift: allocator page shift
 * @head: the shorter run, at the head of the list
 * @behind: the run that fits, behind it
 * @n: the request, in pages
 * @how: pgclass_alloc(), pgclass_alloc_aligned() to a page, or
 *	pgclass_realloc() of a page that cannot grow in place
 */
struct fit_param {
	unsigned int shift;
	unsigned long head, behind, n;
	enum fit_how how;
};

static const struct fit_param fit_params[] = {
	{ 9, 8, 9, 9, FIT_ALLOC },
	{ 12, 8, 9, 9, FIT_ALLOC },
	{ 16, 8, 9, 9, FIT_ALLOC },
	{ 12, 8, 9, 9, FIT_ALIGNED },
	{ 12, 8, 9, 9, FIT_REALLOC },
	{ 9, 16, 19, 17, FIT_ALLOC },
	{ 12, 16, 18, 18, FIT_ALIGNED },
	{ 16, 16, 19, 19, FIT_REALLOC },
	{ 12, 32, 39, 33, FIT_ALLOC },
	{ 9, 32, 39, 37, FIT_REALLOC },
};

static void fit_desc(const struct fit_param *p, char *desc)
{
	static const char * const how[] = { "alloc", "aligned", "realloc" };

	snprintf(desc, KUNIT_PARAM_DESC_SIZE,
		 "page_shift=%u runs %lu then %lu, %s of %lu pages", p->shift,
		 p->head, p->behind, how[p->how], p->n);
}

KUNIT_ARRAY_PARAM(fit, fit_params, fit_desc);

/*
 * The miss: a request of n pages while the only run that fits sits in n's
 * own list behind a shorter head, every other list empty.  It must
 * succeed, from that run, and count one fit scan.  Out of band a realloc
 * never moves: the grow fails there without a scan.
 */
static void test_fit_behind_head(struct kunit *test)
{
	const struct fit_param *prm = test->param_value;
	struct fit_pool *fp = fit_pool(test, prm->shift, prm->behind, prm->head);
	struct pgct_fixture *f = fp->f;
	size_t size = prm->n * f->page;
	struct pgclass_stats a, z;
	u8 *p;

	/* the case is what it says: one list, a shorter head, a fit behind */
	KUNIT_ASSERT_EQ(test, tlsf_list(prm->head), tlsf_list(prm->n));
	KUNIT_ASSERT_EQ(test, tlsf_list(prm->behind), tlsf_list(prm->n));
	KUNIT_ASSERT_LT(test, prm->head, prm->n);
	KUNIT_ASSERT_GE(test, prm->behind, prm->n);

	/* the run that fits goes in first, the shorter one ahead of it */
	fit_free_run(test, fp, fp->first, prm->behind);
	fit_free_run(test, fp, fp->second, prm->head);
	pgct_fill(fp->sep2, f->page, 7);
	pgclass_get_stats(f->pool, &a);
	KUNIT_EXPECT_EQ(test, a.fit_scans, 0ULL);

	switch (prm->how) {
	case FIT_ALLOC:
		p = pgclass_alloc(f->pool, size);
		break;
	case FIT_ALIGNED:
		p = pgclass_alloc_aligned(f->pool, size, f->page);
		break;
	default:
		p = pgclass_realloc(f->pool, fp->sep2, size);
		if (!f->oob)
			break;
		/* out of band: it would have to move, so it fails */
		KUNIT_EXPECT_NULL(test, p);
		pgct_check(test, f);
		pgclass_get_stats(f->pool, &z);
		KUNIT_EXPECT_EQ(test, z.fit_scans, a.fit_scans);
		KUNIT_EXPECT_EQ(test, z.failed_calls, a.failed_calls + 1);
		KUNIT_EXPECT_EQ(test, z.realloc_calls, a.realloc_calls + 1);
		pgct_expect_same_state(test, &a, &z);
		KUNIT_EXPECT_EQ(test, f->page,
				pgclass_usable_size(f->pool, fp->sep2));
		KUNIT_EXPECT_EQ(test, f->page, pgct_verify(fp->sep2, f->page, 7));
		return;
	}
	KUNIT_ASSERT_PTR_EQ_MSG(test, p, fp->first,
				"%lu pages behind a run of %lu in their list",
				prm->n, prm->head);
	KUNIT_EXPECT_EQ(test, size, pgclass_usable_size(f->pool, p));
	pgclass_get_stats(f->pool, &z);
	KUNIT_EXPECT_EQ(test, z.fit_scans, a.fit_scans + 1);
	KUNIT_EXPECT_EQ(test, z.failed_calls, a.failed_calls);
	pgct_expect_extent(test, f, pgct_page_of(f, p), PGCLASS_PAGE_HEAD, prm->n);
	if (prm->behind > prm->n)
		pgct_expect_extent(test, f, pgct_page_of(f, p) + prm->n,
				   PGCLASS_PAGE_FREE, prm->behind - prm->n);
	if (prm->how == FIT_REALLOC) {
		/* moved: the bytes came along, the old page is free */
		KUNIT_EXPECT_EQ(test, f->page, pgct_verify(p, f->page, 7));
		KUNIT_EXPECT_EQ(test, 0UL,
				pgclass_usable_size(f->pool, fp->sep2));
		pgct_expect_extent(test, f, pgct_page_of(f, fp->second),
				   PGCLASS_PAGE_FREE, prm->head + 1);
	}
}

/* Everything a fresh pool serves at once: no scan counted. */
static void test_fit_instant_not_counted(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	size_t page = f->page;
	const size_t sizes[] = {
		16, 100, page / 2, page, page + 1, 3 * page, 40, 2 * page,
	};
	void *p[ARRAY_SIZE(sizes)];
	struct pgclass_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = pgclass_alloc(f->pool, sizes[i]);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_EQ_MSG(test, fit_scans(f), 0ULL, "alloc %zu",
				    sizes[i]);
	}
	/* the last block grows in place; in band, a page moves */
	p[7] = pgclass_realloc(f->pool, p[7], 5 * page);
	KUNIT_EXPECT_NOT_NULL(test, p[7]);
	KUNIT_EXPECT_NOT_NULL(test, pgclass_alloc_aligned(f->pool, 24, page));
	if (!f->oob) {
		p[3] = pgclass_realloc(f->pool, p[3], 4 * page);
		KUNIT_EXPECT_NOT_NULL(test, p[3]);
	}
	KUNIT_EXPECT_EQ(test, fit_scans(f), 0ULL);
	for (i = 0; i < ARRAY_SIZE(sizes); i += 2)
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p[i]));
	KUNIT_EXPECT_NOT_NULL(test, pgclass_alloc(f->pool, 2 * page));
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.fit_scans, 0ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);

	/* the exact fit of the whole data area: its list's head */
	pgct_pool_destroy(f);
	pgct_pool_new(test, f);
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgct_data_start(f),
			    pgclass_alloc(f->pool, pgct_data_pages(f) * page));
	KUNIT_EXPECT_EQ(test, fit_scans(f), 0ULL);
}

/*
 * The same two runs in the other order: the one that fits heads the list
 * and the O(1) path takes it.  No scan.
 */
static void test_fit_head_fits_not_counted(struct kunit *test)
{
	struct fit_pool *fp = fit_pool(test, pgct_param_shift(test), 8, 9);
	struct pgct_fixture *f = fp->f;
	struct pgclass_stats st;

	fit_free_run(test, fp, fp->first, 8);
	fit_free_run(test, fp, fp->second, 9);
	KUNIT_EXPECT_PTR_EQ(test, (void *)fp->second,
			    pgclass_alloc(f->pool, 9 * f->page));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.fit_scans, 0ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);
	pgct_check(test, f);
}

/*
 * A short head in the request's list, but a run in a list above: that
 * list's runs all fit, the O(1) path takes it.  No scan.
 */
static void test_fit_list_above_not_counted(struct kunit *test)
{
	struct fit_pool *fp = fit_pool(test, pgct_param_shift(test), 12, 8);
	struct pgct_fixture *f = fp->f;
	struct pgclass_stats st;

	KUNIT_ASSERT_GT(test, tlsf_list(12), tlsf_list(9));
	fit_free_run(test, fp, fp->first, 12);
	fit_free_run(test, fp, fp->second, 8);
	KUNIT_EXPECT_PTR_EQ(test, (void *)fp->first,
			    pgclass_alloc(f->pool, 9 * f->page));
	pgct_expect_extent(test, f, pgct_page_of(f, fp->first) + 9,
			   PGCLASS_PAGE_FREE, 3);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.fit_scans, 0ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);
}

/*
 * No run fits: the allocation fails, and changes nothing.  With only a
 * short head in the request's list there is nothing to scan; with two
 * short runs the scan runs, finds nothing, and is counted.
 */
static void test_fit_none_fails(struct kunit *test)
{
	struct fit_pool *fp = fit_pool(test, pgct_param_shift(test), 8, 8);
	struct pgct_fixture *f = fp->f;
	struct pgct_snap *before, *after;

	fit_free_run(test, fp, fp->first, 8);
	before = pgct_snap(test, f);
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 9 * f->page));
	after = pgct_snap(test, f);
	pgct_expect_same_layout(test, before, after);
	KUNIT_EXPECT_EQ(test, after->st.fit_scans, 0ULL);
	KUNIT_EXPECT_EQ(test, after->st.failed_calls,
			before->st.failed_calls + 1);

	fit_free_run(test, fp, fp->second, 8);
	pgct_snap_fill(test, f, before);
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 9 * f->page));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 10 * f->page));
	pgct_snap_fill(test, f, after);
	pgct_check_snap(test, f, after);
	pgct_expect_same_layout(test, before, after);
	pgct_expect_same_state(test, &before->st, &after->st);
	/* 9 pages: a scan of {8, 8}; 10 pages: an empty list, no scan */
	KUNIT_EXPECT_EQ(test, after->st.fit_scans, before->st.fit_scans + 1);
	KUNIT_EXPECT_EQ(test, after->st.failed_calls,
			before->st.failed_calls + 2);
}

/* Fill every free page with page blocks: the pool is full. */
static void fill_up(struct kunit *test, struct pgct_fixture *f)
{
	while (pgclass_alloc(f->pool, f->page))
		;
	pgct_check(test, f);
	KUNIT_ASSERT_EQ(test, f->scratch->st.free_pages, 0U);
}

/*
 * A shrink in a full pool, where no smaller block can be had, does not
 * fail: the same pointer comes back.  A small block keeps its usable
 * size; a multi-page block keeps only its first page and the rest goes
 * back to the free pages.  Counted as a realloc call, not a failed one.
 */
static void test_fit_shrink_full_pool(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	size_t page = f->page;
	struct pgct_snap *before, *after;
	u8 *s, *m;

	s = pgclass_alloc(f->pool, page / 2);
	m = pgclass_alloc(f->pool, 3 * page);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, m);
	pgct_fill(s, page / 2, 1);
	pgct_fill(m, 3 * page, 2);
	fill_up(test, f);

	/* the small block: the same block, the same pool */
	pgct_expect_realloc_noop(test, f, s, 16, false, page / 2, 1);
	KUNIT_EXPECT_EQ(test, page / 2, pgclass_usable_size(f->pool, s));

	/* the multi-page block: its first page, the other two freed */
	before = pgct_snap(test, f);
	KUNIT_EXPECT_PTR_EQ(test, (void *)m, pgclass_realloc(f->pool, m, 16));
	after = pgct_snap(test, f);
	pgct_check_snap(test, f, after);
	KUNIT_EXPECT_EQ(test, after->st.realloc_calls,
			before->st.realloc_calls + 1);
	KUNIT_EXPECT_EQ(test, after->st.failed_calls, before->st.failed_calls);
	KUNIT_EXPECT_EQ(test, after->st.blocks, before->st.blocks);
	KUNIT_EXPECT_EQ(test, after->st.used_pages, before->st.used_pages - 2);
	KUNIT_EXPECT_EQ(test, after->st.free_pages, 2U);
	KUNIT_EXPECT_EQ(test, after->st.bytes_allocated,
			before->st.bytes_allocated - 2 * page);
	KUNIT_EXPECT_EQ(test, page, pgclass_usable_size(f->pool, m));
	KUNIT_EXPECT_EQ(test, page, pgct_verify(m, page, 2));
	pgct_expect_extent(test, f, pgct_page_of(f, m), PGCLASS_PAGE_WHOLE, 1);
	pgct_expect_extent(test, f, pgct_page_of(f, m) + 1, PGCLASS_PAGE_FREE, 2);
}

/*
 * A grow in a full pool fails and changes nothing: NULL, the same pages,
 * the block and its bytes as they were.  Counted as a failed realloc.
 */
static void test_fit_grow_full_pool(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, pgct_param_shift(test));
	size_t page = f->page;
	struct {
		size_t size, to;
		u8 *p;
	} blk[] = {
		{ 16, 32 }, { 16, page }, { page, 2 * page },
		{ 2 * page, 3 * page }, { page / 2 + 1, 4 * page },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blk); i++) {
		blk[i].p = pgclass_alloc(f->pool, blk[i].size);
		KUNIT_ASSERT_NOT_NULL(test, blk[i].p);
		pgct_fill(blk[i].p, blk[i].size, i);
	}
	fill_up(test, f);
	for (i = 0; i < ARRAY_SIZE(blk); i++) {
		KUNIT_EXPECT_EQ(test, pgct_usable(f, blk[i].size),
				pgclass_usable_size(f->pool, blk[i].p));
		pgct_expect_realloc_noop(test, f, blk[i].p, blk[i].to, true,
					 blk[i].size, i);
	}
}

PGCT_SUITES(fit,
	    KUNIT_CASE_PARAM(test_fit_behind_head, fit_gen_params),
	    KUNIT_CASE_PARAM(test_fit_instant_not_counted, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_fit_head_fits_not_counted, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_fit_list_above_not_counted, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_fit_none_fails, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_fit_shrink_full_pool, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_fit_grow_full_pool, pgct_shift_gen_params));
