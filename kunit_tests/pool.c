// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_pool: creating and destroying pools, and what a new pool looks
 * like: page sizes, rejected regions, metadata size, classes, the walk,
 * the leak count of pgclass_pool_destroy().
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/limits.h>

#include "pgclass_kunit.h"

/* A rejected pool_create() may return NULL or an error pointer. */
static void expect_rejected(struct kunit *test, void *base, size_t size,
			    unsigned int shift)
{
	struct pgclass_pool *pool = pgclass_pool_create(base, size, shift);

	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR_OR_NULL(pool),
			      "pool_create(base %p, size %zu, shift %u) accepted",
			      base, size, shift);
	if (!IS_ERR_OR_NULL(pool))
		pgclass_pool_destroy(pool);
}

/* Every page size from 512 B to 64 KiB makes a pool with the right classes. */
static void test_pool_every_page_shift(struct kunit *test)
{
	struct pgclass_class_stats cs;
	unsigned int shift, c;

	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		struct pgc_fixture *f = pgc_fixture(test, 16, shift);
		unsigned int nr = pgclass_nr_classes(f->pool);

		KUNIT_EXPECT_EQ_MSG(test, nr, shift - PGCLASS_MIN_BLOCK_SHIFT + 2,
				    "page_shift %u", shift);
		KUNIT_EXPECT_LE_MSG(test, nr, (unsigned int)PGCLASS_MAX_CLASSES,
				    "page_shift %u has more classes than PGCLASS_MAX_CLASSES",
				    shift);
		for (c = 0; c < nr; c++) {
			KUNIT_ASSERT_EQ(test, 0,
					pgclass_get_class_stats(f->pool, c, &cs));
			KUNIT_EXPECT_EQ(test, cs.pages, 0U);
			KUNIT_EXPECT_EQ(test, cs.blocks_used, 0ULL);
			KUNIT_EXPECT_EQ(test, cs.blocks_total, 0ULL);
		}
		KUNIT_EXPECT_EQ(test, -EINVAL,
				pgclass_get_class_stats(f->pool, nr, &cs));
		KUNIT_EXPECT_EQ(test, -EINVAL,
				pgclass_get_class_stats(f->pool, UINT_MAX, &cs));
		/* pgc_fixture() checked the layout; the classes here: */
		pgc_check(test, f);
		KUNIT_EXPECT_EQ(test, 0UL, pgc_pool_destroy(f));
	}
}

static void test_pool_rejects_bad_page_shift(struct kunit *test)
{
	static const unsigned int bad[] = {
		0, 1, 4, PGCLASS_MIN_PAGE_SHIFT - 1, PGCLASS_MAX_PAGE_SHIFT + 1,
		31, 32, 63, 64, UINT_MAX,
	};
	struct pgc_fixture *f = pgc_fixture_mem(test, 16, PGCLASS_MAX_PAGE_SHIFT);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_rejected(test, f->base, f->size, bad[i]);
	/* and the memory still makes a good pool */
	pgc_pool_new(test, f);
}

static void test_pool_rejects_misaligned_base(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture_mem(test, 16, PGCLASS_MAX_PAGE_SHIFT);
	size_t size = f->size - f->page;
	unsigned int shift;

	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		size_t page = 1UL << shift;

		expect_rejected(test, f->base + 8, size, shift);
		expect_rejected(test, f->base + 16, size, shift);
		expect_rejected(test, f->base + page / 2, size, shift);
		expect_rejected(test, f->base + page + 64, size, shift);
	}
	/* aligned to the CPU's page, not to the 64 KiB allocator page */
	expect_rejected(test, f->base + PAGE_SIZE, size, PGCLASS_MAX_PAGE_SHIFT);
	pgc_pool_new(test, f);
}

static void test_pool_rejects_small_region(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture_mem(test, 16, 12);

	expect_rejected(test, f->base, 0, 12);
	expect_rejected(test, f->base, 1, 12);
	expect_rejected(test, f->base, 4095, 12);
	/* one page cannot hold the metadata and a data page */
	expect_rejected(test, f->base, 4096, 12);
	expect_rejected(test, f->base, 512, 9);
	expect_rejected(test, f->base, 65536, 16);
	expect_rejected(test, NULL, f->size, 12);

	/* the smallest pool: its metadata page and one data page */
	f->size = 2 * f->page;
	f->nr_pages = 2;
	pgc_pool_new(test, f);
	KUNIT_EXPECT_EQ(test, f->init.meta_pages, 1U);
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgc_data_start(f),
			    pgclass_alloc(f->pool, f->page));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 16));
	pgc_check(test, f);
}

/* Metadata stays under 1% at 4 KiB pages: 1024 pages, at most 10 of them. */
static void test_pool_meta_under_one_percent(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture(test, 1024, 12);

	KUNIT_EXPECT_LE(test, f->init.meta_pages, 10U);
	KUNIT_EXPECT_EQ(test, f->init.free_pages, 1024U - f->init.meta_pages);
	/* and the data area is all usable: one block over all of it */
	KUNIT_EXPECT_NOT_NULL(test,
			      pgclass_alloc(f->pool,
					    pgc_data_pages(f) * f->page));
	pgc_check(test, f);
}

/* Small pools: the metadata takes one page when one page can hold it. */
static void test_pool_meta_small_pools(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture(test, 64, 16);

	KUNIT_EXPECT_EQ(test, f->init.meta_pages, 1U);
	pgc_pool_destroy(f);
	f = pgc_fixture(test, 16, 12);
	KUNIT_EXPECT_EQ(test, f->init.meta_pages, 1U);
}

/* pgclass_pool_destroy() returns the number of blocks still allocated. */
static void test_pool_destroy_counts_leaks(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture(test, PGC_NR_PAGES, 12);
	void *small, *small2, *whole, *multi;

	KUNIT_EXPECT_EQ(test, 0UL, pgc_pool_destroy(f));

	pgc_pool_new(test, f);
	small = pgclass_alloc(f->pool, 40);
	small2 = pgclass_alloc(f->pool, 40);
	whole = pgclass_alloc(f->pool, 3000);
	multi = pgclass_alloc(f->pool, 3 * 4096);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, small2);
	KUNIT_ASSERT_NOT_NULL(test, whole);
	KUNIT_ASSERT_NOT_NULL(test, multi);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, small2));
	KUNIT_EXPECT_EQ(test, 3UL, pgc_pool_destroy(f));

	/* freed blocks are not leaks, nor is a class's spare empty page */
	pgc_pool_new(test, f);
	small = pgclass_alloc(f->pool, 40);
	whole = pgclass_alloc(f->pool, 4096);
	multi = pgclass_alloc(f->pool, 5000);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, whole);
	KUNIT_ASSERT_NOT_NULL(test, multi);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, small));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, whole));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, multi));
	KUNIT_EXPECT_EQ(test, 0UL, pgc_pool_destroy(f));
}

/* A destroyed pool's memory makes a new pool that knows nothing of it. */
static void test_pool_recreate_same_memory(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture(test, PGC_NR_PAGES, 12);
	int i;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, 16 << (i % 9)));
	KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, 3 * 4096 + 1));
	KUNIT_EXPECT_EQ(test, 21UL, pgc_pool_destroy(f));

	pgc_pool_new(test, f);
	pgc_expect_pristine(test, f);
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgc_data_start(f),
			    pgclass_alloc(f->pool, pgc_data_pages(f) * f->page));
}

/* Two pools side by side do not see each other's blocks. */
static void test_pool_two_pools(struct kunit *test)
{
	struct pgc_fixture *a = pgc_fixture(test, PGC_NR_PAGES, 12);
	struct pgc_fixture *b = pgc_fixture(test, PGC_NR_PAGES, 9);
	struct pgclass_stats st;
	void *pa, *pb;

	pa = pgclass_alloc(a->pool, 100);
	pb = pgclass_alloc(b->pool, 100);
	KUNIT_ASSERT_NOT_NULL(test, pa);
	KUNIT_ASSERT_NOT_NULL(test, pb);
	KUNIT_EXPECT_TRUE(test, (u8 *)pa >= a->base && (u8 *)pa < a->base + a->size);
	KUNIT_EXPECT_TRUE(test, (u8 *)pb >= b->base && (u8 *)pb < b->base + b->size);

	/* a block of one pool is a bad pointer to the other */
	KUNIT_EXPECT_EQ(test, 0UL, pgclass_usable_size(b->pool, pa));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(b->pool, pa));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(a->pool, pb));
	KUNIT_EXPECT_EQ(test, 128UL, pgclass_usable_size(a->pool, pa));
	KUNIT_EXPECT_EQ(test, 128UL, pgclass_usable_size(b->pool, pb));

	pgclass_get_stats(a->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 1ULL);
	KUNIT_EXPECT_EQ(test, st.page_size, 4096U);
	pgclass_get_stats(b->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 1ULL);
	KUNIT_EXPECT_EQ(test, st.page_size, 512U);
	pgc_check(test, a);
	pgc_check(test, b);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(a->pool, pa));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(b->pool, pb));
}

struct walk_count {
	unsigned int calls;
	unsigned int stop_at;
};

static int walk_stop_cb(void *data, const struct pgclass_extent *ext)
{
	struct walk_count *wc = data;

	if (++wc->calls == wc->stop_at)
		return 7;
	return 0;
}

/* The walk stops on the callback's first non-zero return and returns it. */
static void test_pool_walk_stops(struct kunit *test)
{
	struct pgc_fixture *f = pgc_fixture(test, PGC_NR_PAGES, 12);
	struct walk_count wc = { .stop_at = 2 };
	struct pgc_snap *s;
	void *p;

	/* at least three extents: metadata, the small page, free pages */
	p = pgclass_alloc(f->pool, 16);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = pgc_snap(test, f);
	KUNIT_ASSERT_GE(test, s->nr, 3UL);
	KUNIT_EXPECT_EQ(test, 7, pgclass_walk(f->pool, walk_stop_cb, &wc));
	KUNIT_EXPECT_EQ(test, wc.calls, 2U);

	wc.calls = 0;
	wc.stop_at = UINT_MAX;
	KUNIT_EXPECT_EQ(test, 0, pgclass_walk(f->pool, walk_stop_cb, &wc));
	KUNIT_EXPECT_EQ(test, wc.calls, (unsigned int)s->nr);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
}

/*
 * Metadata is out of band: allocating, freeing and resizing in place never
 * write to the data area.  A pattern laid over all of it before the first
 * allocation is still there, byte for byte, after a session that never
 * writes to its blocks.
 */
static void test_pool_data_untouched(struct kunit *test)
{
	unsigned int shift = *(const unsigned int *)test->param_value;
	struct pgc_fixture *f = pgc_fixture(test, PGC_NR_PAGES, shift);
	size_t page = f->page, data = pgc_data_pages(f) * page;
	const size_t sizes[] = {
		16, 100, 100, page / 8 + 1, page / 2, page, page + 1,
		3 * page, 40, 40, 40, 1, page / 4,
	};
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i;

	pgc_fill(pgc_data_start(f), data, 77);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = pgclass_alloc(f->pool, sizes[i]);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i += 2) {
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p[i]));
		p[i] = NULL;
	}
	/* in place: a shrinking run, a block that fits */
	KUNIT_EXPECT_PTR_EQ(test, p[7], pgclass_realloc(f->pool, p[7], page + 1));
	KUNIT_EXPECT_PTR_EQ(test, p[1], pgclass_realloc(f->pool, p[1], 120));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, (u8 *)p[1] + 16));
	p[0] = pgclass_alloc_aligned(f->pool, 24, 64);
	KUNIT_EXPECT_NOT_NULL(test, p[0]);
	pgc_check(test, f);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p[i]));

	KUNIT_EXPECT_EQ(test, data, pgc_verify(pgc_data_start(f), data, 77));
	pgc_check(test, f);
	KUNIT_EXPECT_EQ(test, f->scratch->st.blocks, 0ULL);
}

PGC_DEFINE_SHIFT_PARAMS(shift);

static struct kunit_case pgclass_pool_cases[] = {
	KUNIT_CASE(test_pool_every_page_shift),
	KUNIT_CASE(test_pool_rejects_bad_page_shift),
	KUNIT_CASE(test_pool_rejects_misaligned_base),
	KUNIT_CASE(test_pool_rejects_small_region),
	KUNIT_CASE(test_pool_meta_under_one_percent),
	KUNIT_CASE(test_pool_meta_small_pools),
	KUNIT_CASE(test_pool_destroy_counts_leaks),
	KUNIT_CASE(test_pool_recreate_same_memory),
	KUNIT_CASE(test_pool_two_pools),
	KUNIT_CASE(test_pool_walk_stops),
	KUNIT_CASE_PARAM(test_pool_data_untouched, shift_gen_params),
	{}
};

static struct kunit_suite pgclass_pool_suite = {
	.name = "pgclass_pool",
	.test_cases = pgclass_pool_cases,
};

kunit_test_suites(&pgclass_pool_suite);
