// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_stats: the counters of pgclass_get_stats() and
 * pgclass_get_class_stats() after each step of a scripted session, and
 * what each call counter does and does not count.  pgclass_oob_stats runs
 * the same cases over out-of-band pools: no metadata pages, and a realloc
 * that would move a block fails.
 */
#include <kunit/test.h>

#include "pgclass_kunit.h"

/* The pool's counters are @want, free_pages following from used_pages. */
static void expect_stats(struct kunit *test, struct pgct_fixture *f,
			 const char *step, const struct pgclass_stats *want)
{
	struct pgclass_stats st;

	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.page_size, f->page, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.nr_pages, f->nr_pages, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.meta_pages, f->init.meta_pages, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.used_pages, want->used_pages, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.free_pages,
			    f->init.free_pages - want->used_pages, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.peak_used_pages, want->peak_used_pages,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.blocks, want->blocks, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.bytes_allocated, want->bytes_allocated,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.alloc_calls, want->alloc_calls, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.free_calls, want->free_calls, "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.realloc_calls, want->realloc_calls,
			    "%s", step);
	KUNIT_EXPECT_EQ_MSG(test, st.failed_calls, want->failed_calls,
			    "%s", step);
}

static u32 class_pages(struct kunit *test, struct pgct_fixture *f,
		       unsigned int class)
{
	struct pgclass_class_stats cs;

	KUNIT_EXPECT_EQ(test, 0, pgclass_get_class_stats(f->pool, class, &cs));
	return cs.pages;
}

/* A new pool: its geometry, and every counter at zero. */
static void test_stats_initial(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	struct pgclass_stats zero = { };

	expect_stats(test, f, "new pool", &zero);
	KUNIT_EXPECT_EQ(test, f->init.nr_pages, (u32)PGCT_NR_PAGES);
	KUNIT_EXPECT_EQ(test, f->init.page_size, 1U << shift);
}

/*
 * A scripted session at 4 KiB pages, every counter checked at each step.
 * On one CPU, so that blocks of a class share its slot's page.
 */
static void test_stats_each_step(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgclass_stats w = { };
	u8 *a, *b, *c, *d, *e;
	u32 spares;
	unsigned int i;
	/*
	 * Four blocks, each a block and an alloc call more, its class's
	 * bytes more, and the pages it takes more, which are the peak too.
	 */
	const struct {
		u8 **blk;
		const char *step;
		size_t size;
		u64 bytes;
		u32 pages;
	} allocs[] = {
		{ &a, "alloc 100", 100, 128, 1 },
		{ &b, "alloc 100 again", 100, 128, 0 },	/* a's page */
		{ &c, "alloc 5000", 5000, 8192, 2 },
		{ &d, "alloc 3000", 3000, 4096, 1 },
	};

	pgct_pin_cpu(test);
	for (i = 0; i < ARRAY_SIZE(allocs); i++) {
		*allocs[i].blk = pgct_alloc(test, f, allocs[i].size);
		w.blocks++;
		w.bytes_allocated += allocs[i].bytes;
		w.used_pages += allocs[i].pages;
		w.peak_used_pages = w.used_pages;
		w.alloc_calls++;
		expect_stats(test, f, allocs[i].step, &w);
	}

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, c));
	w.blocks = 3;
	w.bytes_allocated = 256 + 4096;
	w.used_pages = 2;
	w.free_calls = 1;
	expect_stats(test, f, "free the 5000", &w);

	/*
	 * 128 B -> 256 B: a new page; the old one still holds b.  Out of
	 * band the block cannot move: refused, and a stays where it is.
	 */
	if (f->oob) {
		KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, a, 200));
		w.failed_calls = 1;
	} else {
		a = pgclass_realloc(f->pool, a, 200);
		KUNIT_ASSERT_NOT_NULL(test, a);
		w.bytes_allocated = 128 + 256 + 4096;
		w.used_pages = 3;
	}
	w.realloc_calls = 1;
	expect_stats(test, f, "realloc 100 -> 200", &w);

	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 0));
	w.alloc_calls = 5;
	expect_stats(test, f, "alloc 0", &w);

	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, f->size));
	w.alloc_calls = 6;
	w.failed_calls++;
	expect_stats(test, f, "alloc too much", &w);

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, NULL));
	expect_stats(test, f, "free NULL", &w);

	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, b + 1));
	w.free_calls = 2;
	w.failed_calls++;
	expect_stats(test, f, "bad free", &w);

	e = pgclass_realloc(f->pool, NULL, 50);
	KUNIT_ASSERT_NOT_NULL(test, e);
	w.blocks = 4;
	w.bytes_allocated += 64;
	w.used_pages++;
	w.realloc_calls = 2;
	expect_stats(test, f, "realloc NULL -> 50", &w);

	/* freed by realloc to 0: its page may stay as the class's spare */
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, e, 0));
	spares = class_pages(test, f, 2);
	KUNIT_EXPECT_LE(test, spares, 1U);
	w.blocks = 3;
	w.bytes_allocated -= 64;
	w.used_pages += spares - 1;
	w.realloc_calls = 3;
	expect_stats(test, f, "realloc 50 -> 0", &w);

	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, d, f->size));
	w.realloc_calls = 4;
	w.failed_calls++;
	expect_stats(test, f, "realloc too much", &w);

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, a));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, b));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, d));
	spares = class_pages(test, f, 2) + class_pages(test, f, 3) +
		 class_pages(test, f, 4);
	KUNIT_EXPECT_LE(test, spares, 3U);
	w.blocks = 0;
	w.bytes_allocated = 0;
	w.used_pages = spares;
	w.free_calls = 5;
	expect_stats(test, f, "free all", &w);

	/* the whole data area: the spares go back, the peak moves up */
	a = pgclass_alloc(f->pool, pgct_data_pages(f) * f->page);
	KUNIT_ASSERT_NOT_NULL(test, a);
	w.blocks = 1;
	w.bytes_allocated = pgct_data_pages(f) * f->page;
	w.used_pages = pgct_data_pages(f);
	w.peak_used_pages = pgct_data_pages(f);
	w.alloc_calls = 7;
	expect_stats(test, f, "alloc everything", &w);

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, a));
	w.blocks = 0;
	w.bytes_allocated = 0;
	w.used_pages = 0;
	w.free_calls = 6;
	expect_stats(test, f, "free everything", &w);
}

/* bytes_allocated counts class, page or run sizes, not requested bytes. */
static void test_stats_bytes_per_class(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	struct pgclass_class_stats cs;
	struct pgclass_stats st;
	u64 bytes = 0, blocks = 0;
	size_t size;

	for (size = 9; size < 2 * f->page; size = size * 2 + 1) {
		KUNIT_ASSERT_NOT_NULL(test, pgclass_alloc(f->pool, size));
		bytes += pgct_usable(f, size);
		blocks++;
		pgclass_get_stats(f->pool, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.bytes_allocated, bytes, "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, st.blocks, blocks, "size %zu", size);
		KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool,
								 pgct_class(f, size),
								 &cs));
		KUNIT_EXPECT_EQ_MSG(test, cs.blocks_used, 1ULL, "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, cs.pages, pgct_pages(f, size),
				    "size %zu", size);
		if (size <= f->page / 2)
			KUNIT_EXPECT_EQ_MSG(test, cs.blocks_total,
					    (u64)f->page / pgct_usable(f, size),
					    "size %zu", size);
		else
			KUNIT_EXPECT_EQ_MSG(test, cs.blocks_total, 1ULL,
					    "size %zu", size);
	}
	pgct_check(test, f);
}

/*
 * A class's counters: pages and blocks as blocks come and go.  The pages
 * left are the shared path's spare: the pool has no CPU slot to keep a
 * page of its own.
 */
static void test_stats_class_counters(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture_cpus(test, PGCT_NR_PAGES, 12, 0);
	unsigned int c64 = pgct_class(f, 64), cm = pgct_class_multi(f);
	struct pgclass_class_stats cs;
	void *p[65], *m[3];
	int i;

	pgct_alloc_blocks(test, f, p, 65, 64);
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, c64, &cs));
	KUNIT_EXPECT_EQ(test, cs.block_size, 64U);
	KUNIT_EXPECT_EQ(test, cs.pages, 2U);
	KUNIT_EXPECT_EQ(test, cs.blocks_used, 65ULL);
	KUNIT_EXPECT_EQ(test, cs.blocks_total, 128ULL);

	for (i = 0; i < 3; i++) {
		m[i] = pgclass_alloc(f->pool, (i + 2) * f->page);
		KUNIT_ASSERT_NOT_NULL(test, m[i]);
	}
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, cm, &cs));
	KUNIT_EXPECT_EQ(test, cs.block_size, 0U);
	KUNIT_EXPECT_EQ(test, cs.pages, 2U + 3 + 4);
	KUNIT_EXPECT_EQ(test, cs.blocks_used, 3ULL);
	KUNIT_EXPECT_EQ(test, cs.blocks_total, 3ULL);
	pgct_check(test, f);

	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, m[1]));
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, cm, &cs));
	KUNIT_EXPECT_EQ(test, cs.pages, 2U + 4);
	KUNIT_EXPECT_EQ(test, cs.blocks_used, 2ULL);

	/* the 65th block alone on its page: freeing it leaves at most a spare */
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p[64]));
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_class_stats(f->pool, c64, &cs));
	KUNIT_EXPECT_EQ(test, cs.blocks_used, 64ULL);
	KUNIT_EXPECT_EQ(test, cs.blocks_total, (u64)cs.pages * 64);
	KUNIT_EXPECT_GE(test, cs.pages, 1U);
	KUNIT_EXPECT_LE(test, cs.pages, 2U);
	pgct_free_class(test, f, c64, p, 64);
}

/* The peak is the most pages ever in use: it never goes down. */
static void test_stats_peak(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	struct pgclass_stats st;
	void *p[12];
	int i;

	for (i = 0; i < 10; i++) {
		p[i] = pgclass_alloc(f->pool, f->page);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		pgclass_get_stats(f->pool, &st);
		KUNIT_EXPECT_EQ(test, st.peak_used_pages, i + 1U);
	}
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p[i]));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.used_pages, 0U);
	KUNIT_EXPECT_EQ(test, st.peak_used_pages, 10U);

	p[0] = pgclass_alloc(f->pool, 3 * f->page);
	KUNIT_ASSERT_NOT_NULL(test, p[0]);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.peak_used_pages, 10U);

	/* growing raises it too: by both blocks' pages if it moved */
	p[1] = pgclass_realloc(f->pool, p[0], 12 * f->page);
	KUNIT_ASSERT_NOT_NULL(test, p[1]);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.used_pages, 12U);
	KUNIT_EXPECT_EQ(test, st.peak_used_pages, p[1] == p[0] ? 12U : 15U);
	pgct_check(test, f);
}

/*
 * What each call counter counts: alloc_calls every pgclass_alloc(),
 * free_calls every non-NULL pgclass_free(), realloc_calls every
 * pgclass_realloc(), failed_calls only failures for a real request.
 */
static void test_stats_call_counters(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgclass_stats st;
	u8 *p;

	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, 0));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, NULL));
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, NULL, 0));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.alloc_calls, 1ULL);
	KUNIT_EXPECT_EQ(test, st.free_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, st.realloc_calls, 1ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);

	p = pgclass_realloc(f->pool, NULL, 10);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, pgclass_realloc(f->pool, p, 12));
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, NULL, f->size));
	KUNIT_EXPECT_NULL(test, pgclass_alloc(f->pool, f->size));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, p + 4));
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, p + 4, 10));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
	KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, p));
	KUNIT_EXPECT_EQ(test, 0UL, pgclass_usable_size(f->pool, p));
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.alloc_calls, 2ULL);
	KUNIT_EXPECT_EQ(test, st.free_calls, 3ULL);
	KUNIT_EXPECT_EQ(test, st.realloc_calls, 5ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 5ULL);
	KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
}

PGCT_SUITES(stats,
	    KUNIT_CASE_PARAM(test_stats_initial, pgct_shift_gen_params),
	    KUNIT_CASE(test_stats_each_step),
	    KUNIT_CASE_PARAM(test_stats_bytes_per_class, pgct_shift_gen_params),
	    KUNIT_CASE(test_stats_class_counters),
	    KUNIT_CASE_PARAM(test_stats_peak, pgct_shift_gen_params),
	    KUNIT_CASE(test_stats_call_counters));
