// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_pool: creating and destroying pools, and what a new pool looks
 * like: page sizes, rejected regions, metadata size, classes, the walk,
 * the leak count of pgclass_pool_destroy().  Also pgclass_meta_size(),
 * the arguments pgclass_pool_create_oob() refuses, and the _zeroed
 * variants of both create calls.
 */
#include <kunit/test.h>
#include <linux/align.h>
#include <linux/err.h>
#include <linux/limits.h>
#include <linux/string.h>

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
		struct pgct_fixture *f = pgct_fixture(test, 16, shift);
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
		/* pgct_fixture() checked the layout; the classes here: */
		pgct_check(test, f);
		KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
	}
}

static void test_pool_rejects_bad_page_shift(struct kunit *test)
{
	static const unsigned int bad[] = {
		0, 1, 4, PGCLASS_MIN_PAGE_SHIFT - 1, PGCLASS_MAX_PAGE_SHIFT + 1,
		31, 32, 63, 64, UINT_MAX,
	};
	struct pgct_fixture *f = pgct_fixture_mem(test, 16, PGCLASS_MAX_PAGE_SHIFT);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_rejected(test, f->base, f->size, bad[i]);
	/* and the memory still makes a good pool */
	pgct_pool_new(test, f);
}

static void test_pool_rejects_misaligned_base(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture_mem(test, 16, PGCLASS_MAX_PAGE_SHIFT);
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
	pgct_pool_new(test, f);
}

static void test_pool_rejects_small_region(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture_mem(test, 16, 12);

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
	pgct_pool_new(test, f);
	KUNIT_EXPECT_EQ(test, f->init.meta_pages, 1U);
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgct_data_start(f),
			    pgclass_alloc(f->pool, f->page));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 16));
	pgct_check(test, f);
}

/* Metadata stays under 1% at 4 KiB pages: 1024 pages, at most 10 of them. */
static void test_pool_meta_under_one_percent(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, 1024, 12);

	KUNIT_EXPECT_LE(test, f->init.meta_pages, 10U);
	KUNIT_EXPECT_EQ(test, f->init.free_pages, 1024U - f->init.meta_pages);
	/* and the data area is all usable: one block over all of it */
	KUNIT_EXPECT_NOT_NULL(test,
			      pgclass_alloc(f->pool,
					    pgct_data_pages(f) * f->page));
	pgct_check(test, f);
}

/* Small pools: the metadata takes one page when one page can hold it. */
static void test_pool_meta_small_pools(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, 64, 16);

	KUNIT_EXPECT_EQ(test, f->init.meta_pages, 1U);
	pgct_pool_destroy(f);
	f = pgct_fixture(test, 16, 12);
	KUNIT_EXPECT_EQ(test, f->init.meta_pages, 1U);
}

/* pgclass_pool_destroy() returns the number of blocks still allocated. */
static void test_pool_destroy_counts_leaks(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	void *small, *small2, *whole, *multi;

	KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));

	pgct_pool_new(test, f);
	small = pgct_alloc(test, f, 40);
	small2 = pgct_alloc(test, f, 40);
	whole = pgct_alloc(test, f, 3000);
	multi = pgct_alloc(test, f, 3 * 4096);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, small2));
	KUNIT_EXPECT_EQ(test, 3UL, pgct_pool_destroy(f));

	/* freed blocks are not leaks, nor is a class's spare empty page */
	pgct_pool_new(test, f);
	small = pgct_alloc(test, f, 40);
	whole = pgct_alloc(test, f, 4096);
	multi = pgct_alloc(test, f, 5000);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, small));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, whole));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, multi));
	KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
}

/* A destroyed pool's memory makes a new pool that knows nothing of it. */
static void test_pool_recreate_same_memory(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	int i;

	for (i = 0; i < 20; i++)
		KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, 16 << (i % 9)));
	KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, 3 * 4096 + 1));
	KUNIT_EXPECT_EQ(test, 21UL, pgct_pool_destroy(f));

	pgct_pool_new(test, f);
	pgct_expect_pristine(test, f);
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgct_data_start(f),
			    pgclass_alloc(f->pool, pgct_data_pages(f) * f->page));
}

/* Two pools side by side do not see each other's blocks. */
static void test_pool_two_pools(struct kunit *test)
{
	struct pgct_fixture *a = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgct_fixture *b = pgct_fixture(test, PGCT_NR_PAGES, 9);
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
	pgct_check(test, a);
	pgct_check(test, b);
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
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct walk_count wc = { .stop_at = 2 };
	struct pgct_snap *s;
	void *p;

	/* at least three extents: metadata, the small page, free pages */
	p = pgclass_alloc(f->pool, 16);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = pgct_snap(test, f);
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
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	size_t page = f->page, data = pgct_data_pages(f) * page;
	const size_t sizes[] = {
		16, 100, 100, page / 8 + 1, page / 2, page, page + 1,
		3 * page, 40, 40, 40, 1, page / 4,
	};
	void *p[ARRAY_SIZE(sizes)];
	unsigned int i;

	pgct_fill(pgct_data_start(f), data, 77);
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
	pgct_check(test, f);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p[i]));

	KUNIT_EXPECT_EQ(test, data, pgct_verify(pgct_data_start(f), data, 77));
	pgct_check(test, f);
	KUNIT_EXPECT_EQ(test, f->scratch->st.blocks, 0ULL);
}

/* 64 GiB: a page count no pool can have at any page size. */
#define PGCT_TOO_BIG	((size_t)((u64)1 << 36))

/*
 * pgclass_meta_size() is 0 wherever no pool can be made: a page shift out
 * of range, no byte, a size that is not a whole number of pages, more
 * pages than the core can count.
 */
static void test_meta_size_invalid(struct kunit *test)
{
	static const unsigned int bad[] = {
		0, 4, PGCLASS_MIN_PAGE_SHIFT - 1, PGCLASS_MAX_PAGE_SHIFT + 1,
		31, UINT_MAX,
	};
	unsigned int shift, i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, 0UL, pgclass_meta_size(32 * 4096, bad[i]),
				    "page_shift %u", bad[i]);
		if (bad[i] < 32)
			KUNIT_EXPECT_EQ_MSG(test, 0UL,
					    pgclass_meta_size(32UL << bad[i], bad[i]),
					    "page_shift %u", bad[i]);
	}
	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		size_t page = 1UL << shift;
		const size_t sizes[] = {
			0, 1, page - 1, page + 1, page + page / 2,
			32 * page + 16, 33 * page - 1, SIZE_MAX,
			SIZE_MAX & ~(page - 1),
		};

		for (i = 0; i < ARRAY_SIZE(sizes); i++)
			KUNIT_EXPECT_EQ_MSG(test, 0UL,
					    pgclass_meta_size(sizes[i], shift),
					    "size %zu, page_shift %u", sizes[i],
					    shift);
		KUNIT_EXPECT_NE_MSG(test, 0UL, pgclass_meta_size(page, shift),
				    "one page, page_shift %u", shift);
		KUNIT_EXPECT_NE_MSG(test, 0UL, pgclass_meta_size(32 * page, shift),
				    "32 pages, page_shift %u", shift);
		if (sizeof(size_t) < sizeof(u64))
			continue;
		/* too many pages; a page less is the most there may be */
		KUNIT_EXPECT_EQ_MSG(test, 0UL,
				    pgclass_meta_size(PGCT_TOO_BIG, shift),
				    "64 GiB, page_shift %u", shift);
		KUNIT_EXPECT_EQ_MSG(test, 0UL,
				    pgclass_meta_size(2 * PGCT_TOO_BIG, shift),
				    "128 GiB, page_shift %u", shift);
		KUNIT_EXPECT_NE_MSG(test, 0UL,
				    pgclass_meta_size(PGCT_TOO_BIG - page, shift),
				    "64 GiB less a page, page_shift %u", shift);
	}
}

struct meta_param {
	unsigned int shift;
	unsigned long nr_pages;
};

static const struct meta_param meta_params[] = {
	{ 9, 1 }, { 9, 2 }, { 9, 33 }, { 9, 1000 }, { 9, 4096 },
	{ 12, 1 }, { 12, 2 }, { 12, 32 }, { 12, 100 }, { 12, 1024 },
	{ 16, 1 }, { 16, 2 }, { 16, 17 }, { 16, 64 },
};

static void meta_desc(const struct meta_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "page_shift=%u %lu pages",
		 p->shift, p->nr_pages);
}

KUNIT_ARRAY_PARAM(meta, meta_params, meta_desc);

/*
 * pgclass_meta_size() is exactly what pgclass_pool_create_oob() needs: a
 * byte less is refused; with exactly that much, from kvzalloc() so that
 * KASAN sees any byte past it, the pool works over its whole range.  An
 * in-band pool of the same size spends at most that, rounded up to whole
 * pages.
 */
static void test_meta_size_exact(struct kunit *test)
{
	const struct meta_param *prm = test->param_value;
	struct pgct_fixture *f = pgct_fixture_mem_kind(test, prm->nr_pages,
						       prm->shift, true);
	unsigned long base = (unsigned long)f->base, i;
	size_t need = f->meta_size;
	struct pgclass_pool *pool;
	struct pgct_fixture *g;

	KUNIT_ASSERT_EQ(test, need, pgclass_meta_size(f->size, f->shift));
	pool = pgclass_pool_create_oob(f->meta, need - 1, base, f->size,
				       f->shift);
	KUNIT_EXPECT_NULL_MSG(test, pool, "%zu bytes: pgclass_meta_size() less one",
			      need - 1);
	if (pool)
		pgclass_pool_destroy(pool);
	pool = pgclass_pool_create_oob_zeroed(f->meta, need - 1, base, f->size,
					      f->shift);
	KUNIT_EXPECT_NULL(test, pool);
	if (pool)
		pgclass_pool_destroy(pool);

	pgct_pool_new(test, f);
	/* every page's descriptor, the last one included */
	for (i = 0; i < f->nr_pages; i++)
		KUNIT_ASSERT_NOT_NULL_MSG(test, pgclass_alloc(f->pool, f->page),
					  "page %lu", i);
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 16));
	pgct_check(test, f);
	KUNIT_EXPECT_EQ(test, f->nr_pages, pgct_pool_destroy(f));
	/* and small classes, a page each, on this CPU's slot */
	pgct_pool_new(test, f);
	for (i = 0; i < f->nr_pages && i < pgct_class_page(f); i++)
		KUNIT_EXPECT_NOT_NULL(test, pgclass_alloc(f->pool, 16UL << i));
	pgct_check(test, f);

	if (prm->nr_pages < 2)
		return;		/* no in-band pool: no room for data */
	g = pgct_fixture_mem_kind(test, prm->nr_pages, prm->shift, false);
	pgct_pool_new(test, g);
	KUNIT_EXPECT_LE(test, (size_t)g->init.meta_pages * g->page,
			round_up(need, g->page));
}

/* pgclass_pool_create_oob() refuses the call, and nothing is made. */
static void expect_oob_refused(struct kunit *test, void *meta, size_t meta_size,
			       unsigned long base, size_t size,
			       unsigned int shift, const char *what)
{
	struct pgclass_pool *pool;

	pool = pgclass_pool_create_oob(meta, meta_size, base, size, shift);
	KUNIT_EXPECT_NULL_MSG(test, pool, "create_oob: %s", what);
	if (pool)
		pgclass_pool_destroy(pool);
	pool = pgclass_pool_create_oob_zeroed(meta, meta_size, base, size,
					      shift);
	KUNIT_EXPECT_NULL_MSG(test, pool, "create_oob_zeroed: %s", what);
	if (pool)
		pgclass_pool_destroy(pool);
}

/* The call succeeds; the pool is destroyed at once, never used. */
static void expect_oob_made(struct kunit *test, void *meta, size_t meta_size,
			    unsigned long base, size_t size, unsigned int shift,
			    const char *what)
{
	struct pgclass_pool *pool;

	pool = pgclass_pool_create_oob(meta, meta_size, base, size, shift);
	KUNIT_EXPECT_NOT_NULL_MSG(test, pool, "create_oob: %s", what);
	pgclass_pool_destroy(pool);
}

/*
 * pgclass_pool_create_oob() refuses: base 0, a base not aligned to the
 * page, a range whose end wraps, a bad page shift or size, metadata NULL,
 * misaligned, too small, or overlapping the range.  A range clear of the
 * metadata is accepted, right next to it too.
 */
static void test_create_oob_refuses(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture_mem_kind(test, 4, shift, true);
	unsigned long base = (unsigned long)f->base, m, top;
	size_t need = f->meta_size, size = f->size, page = f->page;
	u8 *buf = pgct_kvcalloc(test, need + 16, 1);
	u8 *meta = buf + 8;

	expect_oob_refused(test, f->meta, need, 0, size, shift, "base 0");
	expect_oob_refused(test, f->meta, need, base + 8, size, shift,
			   "base + 8");
	expect_oob_refused(test, f->meta, need, base + page / 2, size, shift,
			   "base + page / 2");
	expect_oob_refused(test, f->meta, need, base + page + 256, size, shift,
			   "base + a page and 256");
	/* a range that runs past the top of the address space */
	top = 0UL - 2 * page;
	expect_oob_refused(test, f->meta, need, top, 4 * page, shift,
			   "a range over the top");
	expect_oob_refused(test, f->meta, need, top + page, 2 * page, shift,
			   "a range a page over the top");
	/* base + size is 2^64, which wraps to 0 too */
	expect_oob_refused(test, f->meta, need, top, 2 * page, shift,
			   "a range that ends at the top");
	expect_oob_refused(test, f->meta, need, base, SIZE_MAX & ~(page - 1),
			   shift, "the whole address space");
	expect_oob_refused(test, f->meta, need, base, 0, shift, "size 0");
	expect_oob_refused(test, f->meta, need, base, size - 1, shift,
			   "size not a multiple of the page");
	expect_oob_refused(test, f->meta, need, base, size + 16, shift,
			   "size not a multiple of the page");
	expect_oob_refused(test, f->meta, need, base, size, 8, "page_shift 8");
	expect_oob_refused(test, f->meta, need, base, size, 17,
			   "page_shift 17");
	expect_oob_refused(test, NULL, need, base, size, shift, "meta NULL");
	expect_oob_refused(test, meta + 1, need, base, size, shift, "meta + 1");
	expect_oob_refused(test, meta + 2, need, base, size, shift, "meta + 2");
	expect_oob_refused(test, meta + 4, need, base, size, shift, "meta + 4");
	expect_oob_refused(test, meta, need - 1, base, size, shift,
			   "a byte too little metadata");
	expect_oob_refused(test, meta, 0, base, size, shift, "no metadata");
	expect_oob_made(test, meta, need, base, size, shift,
			"8-byte aligned metadata");

	/* the metadata must be clear of the range, anywhere else will do */
	m = (unsigned long)meta;
	expect_oob_refused(test, meta, need, ALIGN_DOWN(m, page), size, shift,
			   "a range from the metadata's first page");
	expect_oob_refused(test, meta, need, ALIGN_DOWN(m, page) - 3 * page,
			   size, shift, "a range over the metadata's start");
	expect_oob_refused(test, meta, need, ALIGN_DOWN(m + need - 1, page),
			   size, shift, "a range over the metadata's end");
	expect_oob_made(test, meta, need, ALIGN(m + need, page), size, shift,
			"a range just past the metadata");
	expect_oob_made(test, meta, need, ALIGN_DOWN(m, page) - size, size,
			shift, "a range just before the metadata");

	/* and the fixture's own arguments make a pool */
	pgct_pool_new(test, f);
}

/* Two pools in the same state: counters, pages, and blocks' offsets. */
static void expect_same_pools(struct kunit *test, struct pgct_fixture *a,
			      struct pgct_fixture *b, const char *step)
{
	struct pgct_snap *x = pgct_snap(test, a), *y = pgct_snap(test, b);

	pgct_check_snap(test, a, x);
	pgct_check_snap(test, b, y);
	pgct_expect_same_state(test, &x->st, &y->st);
	pgct_expect_same_layout(test, x, y);
	KUNIT_EXPECT_EQ_MSG(test, x->st.alloc_calls, y->st.alloc_calls, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->st.free_calls, y->st.free_calls, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->st.realloc_calls, y->st.realloc_calls,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->st.failed_calls, y->st.failed_calls,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->st.cached_pages, y->st.cached_pages,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->st.cached_blocks, y->st.cached_blocks,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->st.fit_scans, y->st.fit_scans, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, x->nr_slots, y->nr_slots, "%s", step);
	pgct_snap_free(test, y);
	pgct_snap_free(test, x);
}

/*
 * pgclass_pool_create_zeroed() and pgclass_pool_create_oob_zeroed() over
 * zeroed memory make the pool the plain calls make over memory full of
 * garbage: the same counters and the same walk, new and after the same
 * calls, with blocks at the same offsets.
 */
static void expect_zeroed_same(struct kunit *test, bool oob)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *a, *b;
	size_t page = 1UL << shift;
	const size_t sizes[] = {
		16, 40, 100, page / 2, page, page + 1, 3 * page, 16, 40,
	};
	u8 *pa[ARRAY_SIZE(sizes)], *pb[ARRAY_SIZE(sizes)], *qa, *qb;
	unsigned int i;

	a = pgct_fixture_mem_kind(test, PGCT_NR_PAGES, shift, oob);
	b = pgct_fixture_mem_kind(test, PGCT_NR_PAGES, shift, oob);
	if (oob)
		memset(a->meta, 0xa5, a->meta_size);
	else
		memset(a->base, 0xa5, a->size);
	pgct_pool_new(test, a);
	b->zeroed = true;
	pgct_pool_new(test, b);
	/* blocks of a class share the calling CPU's page in both */
	pgct_pin_cpu(test);
	expect_same_pools(test, a, b, "new");

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		pa[i] = pgclass_alloc(a->pool, sizes[i]);
		pb[i] = pgclass_alloc(b->pool, sizes[i]);
		KUNIT_ASSERT_NOT_NULL(test, pa[i]);
		KUNIT_ASSERT_NOT_NULL(test, pb[i]);
		KUNIT_EXPECT_EQ_MSG(test, pa[i] - a->base, pb[i] - b->base,
				    "alloc %zu", sizes[i]);
	}
	expect_same_pools(test, a, b, "allocated");
	for (i = 0; i < ARRAY_SIZE(sizes); i += 2) {
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(a->pool, pa[i]));
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(b->pool, pb[i]));
	}
	expect_same_pools(test, a, b, "freed");
	qa = pgclass_realloc(a->pool, pa[5], 4 * page);
	qb = pgclass_realloc(b->pool, pb[5], 4 * page);
	KUNIT_EXPECT_EQ(test, qa ? qa - a->base : -1, qb ? qb - b->base : -1);
	qa = pgclass_alloc(a->pool, 8 * page);
	qb = pgclass_alloc(b->pool, 8 * page);
	KUNIT_EXPECT_EQ(test, qa ? qa - a->base : -1, qb ? qb - b->base : -1);
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(a->pool, pa[1] + 16));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(b->pool, pb[1] + 16));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(a->pool, a->size));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(b->pool, b->size));
	expect_same_pools(test, a, b, "used");
}

static void test_create_zeroed_same(struct kunit *test)
{
	expect_zeroed_same(test, false);
}

static void test_create_oob_zeroed_same(struct kunit *test)
{
	expect_zeroed_same(test, true);
}

PGCT_SUITE(pool,
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
	   KUNIT_CASE_PARAM(test_pool_data_untouched, pgct_shift_gen_params),
	   KUNIT_CASE(test_meta_size_invalid),
	   KUNIT_CASE_PARAM(test_meta_size_exact, meta_gen_params),
	   KUNIT_CASE_PARAM(test_create_oob_refuses, pgct_shift_gen_params),
	   KUNIT_CASE_PARAM(test_create_zeroed_same, pgct_shift_gen_params),
	   KUNIT_CASE_PARAM(test_create_oob_zeroed_same, pgct_shift_gen_params));
