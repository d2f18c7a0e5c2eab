// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_classes: which class and how many pages a request gets, how
 * blocks share pages, alignment, and the spare empty page a class keeps.
 * pgclass_oob_classes runs the same cases over out-of-band pools.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/limits.h>
#include <linux/slab.h>

#include "pgclass_kunit.h"

static void expect_class_stats(struct kunit *test, struct pgct_fixture *f,
			       unsigned int class, u32 pages, u64 used)
{
	struct pgclass_class_stats cs;

	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, class, &cs));
	KUNIT_EXPECT_EQ_MSG(test, cs.pages, pages, "class %u", class);
	KUNIT_EXPECT_EQ_MSG(test, cs.blocks_used, used, "class %u", class);
}

/* Block @p is marked in use in the walk's bitmap of its page. */
static void expect_in_map(struct kunit *test, struct pgct_fixture *f,
			  const struct pgct_snap *s, const void *p, size_t bs)
{
	unsigned long page = pgct_page_of(f, p);
	const struct pgct_ext *e = pgct_snap_find(s, page);
	const unsigned long *map;

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, e->state, PGCLASS_PAGE_SMALL);
	KUNIT_ASSERT_EQ(test, e->block_size, bs);
	map = pgct_snap_map(s, e);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_TRUE(test, test_bit(((const u8 *)p - pgct_page_addr(f, page)) / bs,
					 map));
}

/*
 * The lab's example at 4 KiB pages: 10, 33, 69, 5 x 100 and 560 bytes
 * make one page of 16 B blocks (1 used), one of 64 B (1), one of 128 B
 * (6) and one of 1024 B (1).  Then the 33-byte block is freed and blocks
 * are reallocated.  On one CPU: blocks of a class share its slot's page.
 */
static void test_lab_example(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgclass_class_stats cs;
	const struct pgct_ext *e;
	struct pgclass_stats st;
	struct pgct_snap *s;
	void *p10, *p33, *p69, *p100[5], *p560, *q, *r;
	unsigned int c;
	int i;

	pgct_pin_cpu(test);
	p10 = pgct_alloc(test, f, 10);
	p33 = pgct_alloc(test, f, 33);
	p69 = pgct_alloc(test, f, 69);
	for (i = 0; i < 5; i++) {
		p100[i] = pgct_alloc(test, f, 100);
		KUNIT_EXPECT_EQ(test, pgct_page_of(f, p100[i]), pgct_page_of(f, p69));
	}
	p560 = pgclass_alloc(f->pool, 560);
	KUNIT_ASSERT_NOT_NULL(test, p560);
	pgct_fill(p10, 10, 1);
	pgct_fill(p33, 33, 2);

	KUNIT_EXPECT_EQ(test, 16UL, pgclass_usable_size(f->pool, p10));
	KUNIT_EXPECT_EQ(test, 64UL, pgclass_usable_size(f->pool, p33));
	KUNIT_EXPECT_EQ(test, 128UL, pgclass_usable_size(f->pool, p69));
	KUNIT_EXPECT_EQ(test, 1024UL, pgclass_usable_size(f->pool, p560));

	/* classes 0: 16 B, 1: 32 B, 2: 64 B, 3: 128 B, ... 6: 1024 B */
	for (c = 0; c < pgclass_nr_classes(f->pool); c++) {
		switch (c) {
		case 0:
		case 2:
		case 6:
			expect_class_stats(test, f, c, 1, 1);
			break;
		case 3:
			expect_class_stats(test, f, c, 1, 6);
			break;
		default:
			expect_class_stats(test, f, c, 0, 0);
		}
	}
	pgct_check(test, f);
	s = pgct_snap(test, f);
	KUNIT_EXPECT_EQ(test, s->st.blocks, 9ULL);
	KUNIT_EXPECT_EQ(test, s->st.used_pages, 4U);
	KUNIT_EXPECT_EQ(test, s->st.bytes_allocated, 16ULL + 64 + 6 * 128 + 1024);
	KUNIT_EXPECT_EQ(test, pgct_snap_count(s, PGCLASS_PAGE_SMALL), 4UL);
	e = pgct_snap_find(s, pgct_page_of(f, p69));
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->used, 6U);
	KUNIT_EXPECT_EQ(test, e->total, 32U);
	expect_in_map(test, f, s, p10, 16);
	expect_in_map(test, f, s, p33, 64);
	expect_in_map(test, f, s, p69, 128);
	for (i = 0; i < 5; i++)
		expect_in_map(test, f, s, p100[i], 128);
	expect_in_map(test, f, s, p560, 1024);

	/* free the 33-byte block: its page is empty, at most kept spare */
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p33));
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 8ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_allocated, 16ULL + 6 * 128 + 1024);
	KUNIT_EXPECT_EQ(test, 0UL, pgclass_usable_size(f->pool, p33));
	expect_class_stats(test, f, 2, st.used_pages == 4 ? 1 : 0, 0);

	/* a new 33-byte block: back into the 64 B class, one page of it */
	q = pgclass_realloc(f->pool, NULL, 33);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, 64UL, pgclass_usable_size(f->pool, q));
	expect_class_stats(test, f, 2, 1, 1);

	/*
	 * the 10-byte block grows to 33 bytes: it moves next to q; out of
	 * band it cannot move (the range is not the pool's to copy), so the
	 * realloc fails and the block stays as it was
	 */
	r = pgclass_realloc(f->pool, p10, 33);
	if (f->oob) {
		KUNIT_EXPECT_NULL(test, r);
		KUNIT_EXPECT_EQ(test, 16UL, pgclass_usable_size(f->pool, p10));
		KUNIT_EXPECT_EQ(test, 10UL, pgct_verify(p10, 10, 1));
		expect_class_stats(test, f, 2, 1, 1);
		expect_class_stats(test, f, 0, 1, 1);
	} else {
		KUNIT_ASSERT_NOT_NULL(test, r);
		KUNIT_EXPECT_EQ(test, 64UL, pgclass_usable_size(f->pool, r));
		KUNIT_EXPECT_EQ(test, pgct_page_of(f, r), pgct_page_of(f, q));
		KUNIT_EXPECT_EQ(test, 10UL, pgct_verify(r, 10, 1));
		expect_class_stats(test, f, 2, 1, 2);
		KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, 0, &cs));
		KUNIT_EXPECT_EQ(test, cs.blocks_used, 0ULL);
		KUNIT_EXPECT_LE(test, cs.pages, 1U);
	}

	/* a 128 B block asked to hold 120 bytes stays where it is */
	KUNIT_EXPECT_PTR_EQ(test, p100[0], pgclass_realloc(f->pool, p100[0], 120));
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 9ULL);
	KUNIT_EXPECT_EQ(test, st.realloc_calls, 3ULL);
	KUNIT_EXPECT_EQ(test, st.alloc_calls, 9ULL);
	KUNIT_EXPECT_EQ(test, st.free_calls, 1ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, f->oob ? 1ULL : 0ULL);
}

struct boundary {
	const char *name;
	unsigned int pages;	/* size = pages * page / div + add */
	unsigned int div;
	long add;
};

static const struct boundary boundaries[] = {
	{ "1", 0, 1, 1 },
	{ "15", 0, 1, 15 },
	{ "16", 0, 1, 16 },
	{ "17", 0, 1, 17 },
	{ "32", 0, 1, 32 },
	{ "33", 0, 1, 33 },
	{ "page/4", 1, 4, 0 },
	{ "page/4+1", 1, 4, 1 },
	{ "page/2-1", 1, 2, -1 },
	{ "page/2", 1, 2, 0 },
	{ "page/2+1", 1, 2, 1 },
	{ "page-1", 1, 1, -1 },
	{ "page", 1, 1, 0 },
	{ "page+1", 1, 1, 1 },
	{ "2 pages-1", 2, 1, -1 },
	{ "2 pages", 2, 1, 0 },
	{ "2 pages+1", 2, 1, 1 },
	{ "3 pages", 3, 1, 0 },
	{ "3 pages+1", 3, 1, 1 },
};

/*
 * Every class boundary: a fresh pool per size, and the block it gets has
 * the right usable size, class, pages, place in the walk and alignment.
 */
static void test_class_boundaries(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture_mem(test, 16, shift);
	struct pgclass_class_stats cs;
	struct pgclass_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(boundaries); i++) {
		const struct boundary *b = &boundaries[i];
		size_t size = b->pages * f->page / b->div + b->add;
		size_t usable = pgct_usable(f, size);
		unsigned long pages = pgct_pages(f, size);
		unsigned int class = pgct_class(f, size);
		const struct pgct_ext *e;
		struct pgct_snap *s;
		u8 *p;

		pgct_pool_new(test, f);
		p = pgclass_alloc(f->pool, size);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %s = %zu", b->name, size);
		KUNIT_EXPECT_EQ_MSG(test, usable, pgclass_usable_size(f->pool, p),
				    "size %s = %zu", b->name, size);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p,
						       min(usable, f->page)),
				      "size %s: block at offset %#tx", b->name,
				      p - f->base);

		pgclass_get_stats(f->pool, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.used_pages, pages, "size %s", b->name);
		KUNIT_EXPECT_EQ_MSG(test, st.free_pages,
				    f->init.free_pages - pages, "size %s", b->name);
		KUNIT_EXPECT_EQ_MSG(test, st.bytes_allocated, usable,
				    "size %s", b->name);
		KUNIT_ASSERT_EQ(test, 0,
				pgclass_get_class_stats(f->pool, class, &cs));
		KUNIT_EXPECT_EQ_MSG(test, cs.pages, pages, "size %s", b->name);
		KUNIT_EXPECT_EQ_MSG(test, cs.blocks_used, 1ULL, "size %s", b->name);

		s = pgct_snap(test, f);
		pgct_check_snap(test, f, s);
		e = pgct_snap_find(s, pgct_page_of(f, p));
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_EQ_MSG(test, e->first, pgct_page_of(f, p),
				    "size %s", b->name);
		KUNIT_EXPECT_EQ_MSG(test, e->nr_pages, pages, "size %s", b->name);
		KUNIT_EXPECT_EQ_MSG(test, e->class, class, "size %s", b->name);
		KUNIT_EXPECT_EQ_MSG(test, e->state,
				    size <= f->page / 2 ? PGCLASS_PAGE_SMALL :
				    size <= f->page ? PGCLASS_PAGE_WHOLE :
				    PGCLASS_PAGE_HEAD, "size %s", b->name);
		pgct_snap_free(test, s);

		/* the whole usable size is the caller's */
		pgct_fill(p, usable, i);
		KUNIT_EXPECT_EQ(test, usable, pgct_verify(p, usable, i));

		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
		KUNIT_EXPECT_EQ(test, 0UL, pgclass_usable_size(f->pool, p));
		pgclass_get_stats(f->pool, &st);
		KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
		KUNIT_EXPECT_LE(test, st.used_pages, class < pgct_class_page(f) ? 1U : 0U);
		KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
	}
}

/*
 * Alignment: many blocks of every class, each aligned to its class size;
 * page-sized and larger blocks to the page.
 */
static void test_alignment(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	size_t size;
	int i;

	for (size = 16; size <= f->page / 2; size *= 2) {
		for (i = 0; i < 3; i++) {
			u8 *p = pgclass_alloc(f->pool, size - i);

			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, size),
					      "%zu-byte block at offset %#tx",
					      size - i, p - f->base);
		}
	}
	for (size = f->page / 2 + 1; size <= 3 * f->page; size += f->page / 2) {
		u8 *p = pgclass_alloc(f->pool, size);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, f->page),
				      "%zu-byte block at offset %#tx", size,
				      p - f->base);
	}
	pgct_check(test, f);
}

/*
 * Blocks of one class fill a page, page size / block size of them, then
 * the next one opens a new page; freed, at most one empty page stays.
 * That is the shared path's spare: a CPU slot would keep its own page
 * besides, so the pool has no slots.
 */
static void test_small_blocks_share_page(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture_cpus(test, PGCT_NR_PAGES, shift, 0);
	size_t bs;
	void **p;

	p = kunit_kcalloc(test, (f->page >> PGCLASS_MIN_BLOCK_SHIFT) + 1,
			  sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (bs = 16; bs <= f->page / 2; bs *= 2) {
		unsigned long n = f->page / bs, i, page;
		struct pgclass_class_stats cs;
		unsigned int class = pgct_class(f, bs);

		pgct_alloc_blocks(test, f, p, n + 1, bs);
		page = pgct_page_of(f, p[0]);
		for (i = 1; i < n; i++)
			KUNIT_ASSERT_EQ_MSG(test, pgct_page_of(f, p[i]), page,
					    "class %zu, block %lu", bs, i);
		KUNIT_EXPECT_NE(test, pgct_page_of(f, p[n]), page);
		KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, class, &cs));
		KUNIT_EXPECT_EQ(test, cs.pages, 2U);
		KUNIT_EXPECT_EQ(test, cs.blocks_used, (u64)n + 1);
		KUNIT_EXPECT_EQ(test, cs.blocks_total, 2 * (u64)n);
		pgct_check(test, f);
		pgct_free_class(test, f, class, p, n + 1);
	}
}

/* Size 0 and sizes beyond the data area get NULL; only the latter fail. */
static void test_zero_and_oversize(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	size_t data = pgct_data_pages(f) * f->page;
	struct pgclass_stats st;

	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 0));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.alloc_calls, 1ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);

	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, data + 1));
	/* the region; out of band it is all data: a page more */
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, f->oob ? f->size + f->page :
						       f->size));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, SIZE_MAX));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, SIZE_MAX - f->page + 2));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, (size_t)U32_MAX * f->page + 1));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.alloc_calls, 6ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 5ULL);
	pgct_expect_pristine(test, f);

	/* the data area exactly still fits */
	KUNIT_EXPECT_PTR_EQ(test, (void *)pgct_data_start(f),
			    pgclass_alloc(f->pool, data));
}

/*
 * A freed class page is kept and reused by the next block of the class:
 * the spare, or the page the CPU's slot owns (so the case stays on one
 * CPU).
 */
static void test_spare_page_reused(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgclass_stats before, st;
	void *p, *q;

	pgct_pin_cpu(test);
	p = pgclass_alloc(f->pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, p);
	pgclass_get_stats(f->pool, &before);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_LE(test, st.used_pages, 1U);
	q = pgclass_alloc(f->pool, 64);
	KUNIT_ASSERT_NOT_NULL(test, q);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.used_pages, before.used_pages);
	if (st.used_pages == 1)
		KUNIT_EXPECT_EQ(test, pgct_page_of(f, q), pgct_page_of(f, p));
	pgct_check(test, f);
}

/*
 * A class's spare empty page goes back when nothing else can serve a
 * request: with every other page taken, a page-sized block still fits.
 */
static void test_spare_page_taken_back(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	unsigned long n = pgct_data_pages(f), i;
	void *small, *other, *p;

	small = pgclass_alloc(f->pool, 16);
	other = pgclass_alloc(f->pool, 32);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, other);
	for (i = 0; i < n - 2; i++)
		KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, f->page));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, f->page));

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, small));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, other));
	pgct_check(test, f);

	p = pgclass_alloc(f->pool, f->page);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, pgct_page_of(f, p) == pgct_page_of(f, small) ||
			  pgct_page_of(f, p) == pgct_page_of(f, other));
	p = pgclass_alloc(f->pool, f->page / 2 + 1);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 16));
	pgct_check(test, f);
}

/*
 * pgclass_alloc_aligned(): for every power of two up to the page size the
 * block is aligned as asked and big enough; other alignments are refused.
 */
static void test_alloc_aligned(struct kunit *test)
{
	static const size_t sizes[] = { 1, 16, 24, 100, 2048, 2049, 4096, 5000 };
	struct pgct_fixture *f = pgct_fixture(test, 64, 12);
	struct pgclass_class_stats cs;
	struct pgclass_stats st;
	size_t align;
	unsigned int i;

	for (align = 1; align <= f->page; align *= 2) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			u8 *p = pgclass_alloc_aligned(f->pool, sizes[i], align);

			KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu align %zu",
						  sizes[i], align);
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, align),
					      "size %zu align %zu: offset %#tx",
					      sizes[i], align, p - f->base);
			KUNIT_EXPECT_GE(test, pgclass_usable_size(f->pool, p),
					max(sizes[i], align));
			pgct_fill(p, sizes[i], i);
			KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
		}
		pgct_check(test, f);
	}
	/* the biggest alignment it offers, many times over */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_NOT_NULL(test,
				      pgclass_alloc_aligned(f->pool, 16, f->page));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 4ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool,
							 pgct_class_page(f), &cs));
	KUNIT_EXPECT_EQ(test, cs.pages, 4U);

	/* zero bytes: nothing, as pgclass_alloc(), and no failure */
	KUNIT_EXPECT_NULL(test, pgclass_alloc_aligned(f->pool, 0, 64));
	/* not a power of two, or beyond the page size: refused */
	KUNIT_EXPECT_NULL(test, pgclass_alloc_aligned(f->pool, 16, 0));
	KUNIT_EXPECT_NULL(test, pgclass_alloc_aligned(f->pool, 16, 48));
	KUNIT_EXPECT_NULL(test, pgclass_alloc_aligned(f->pool, 100, 3 * f->page));
	KUNIT_EXPECT_NULL(test, pgclass_alloc_aligned(f->pool, 16, 2 * f->page));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 4ULL);
	KUNIT_EXPECT_EQ(test, st.blocks, 4ULL);
	pgct_check(test, f);
}

PGCT_SUITES(classes,
	    KUNIT_CASE(test_lab_example),
	    KUNIT_CASE_PARAM(test_class_boundaries, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_alignment, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_small_blocks_share_page, pgct_shift_gen_params),
	    KUNIT_CASE(test_zero_and_oversize),
	    KUNIT_CASE(test_spare_page_reused),
	    KUNIT_CASE_PARAM(test_spare_page_taken_back, pgct_shift_gen_params),
	    KUNIT_CASE(test_alloc_aligned));
