// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_realloc: pgclass_realloc() across every class transition, with
 * the contents kept up to the smaller size; NULL means alloc, size 0 means
 * free, a block that fits stays where it is, and a failed realloc leaves
 * the block and the pool untouched.  Multi-page blocks resizing in place
 * are pgclass_runs' business.
 *
 * pgclass_oob_realloc runs the same cases over out-of-band pools, where a
 * block never moves: what cannot be done in place fails if it grows and
 * keeps the block as it is if it shrinks.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "pgclass_kunit.h"
#include "realloc_cases.h"

/*
 * The usable size an out-of-band pool's realloc of a @from-byte block to
 * @to bytes leaves it, where it lies; 0 if it is refused (it would have to
 * grow elsewhere).  A small block stays in its class: the same one, or a
 * smaller request it keeps; a whole or multi-page block becomes a whole
 * page for @to up to a page, else grows or shrinks in place (the pool
 * holds nothing but this block, at its first page, so the pages after it
 * are free).
 */
static size_t oob_usable(const struct pgct_fixture *f, size_t from, size_t to)
{
	size_t uf = pgct_usable(f, from), ut = pgct_usable(f, to);

	if (from <= f->page / 2)
		return ut == uf || to < uf ? uf : 0;
	return to <= f->page ? f->page : ut;
}

/*
 * Every transition, one fresh pool each, contents checked.  Out of band,
 * the block never moves: it is resized in place, kept as it is, or the
 * realloc fails and changes nothing.
 */
static void test_realloc_transitions(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture_mem(test, 16, shift);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(realloc_cases); i++) {
		const struct realloc_case *t = &realloc_cases[i];
		size_t from = realloc_bytes(&t->from, f->page);
		size_t to = realloc_bytes(&t->to, f->page);
		size_t want = f->oob ? oob_usable(f, from, to) : pgct_usable(f, to);
		size_t keep = min(from, to);
		bool refused = !want;
		struct pgclass_stats a, z;
		u8 *p, *q;

		pgct_pool_new(test, f);
		p = pgclass_alloc(f->pool, from);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "%s", t->name);
		pgct_fill(p, from, i);
		pgclass_get_stats(f->pool, &a);

		q = pgclass_realloc(f->pool, p, to);
		if (refused) {
			/* out of band, a grow that would move: refused */
			KUNIT_EXPECT_NULL_MSG(test, q, "%s: %zu -> %zu", t->name,
					      from, to);
			q = p;
			want = pgct_usable(f, from);
			keep = from;
		}
		KUNIT_ASSERT_NOT_NULL_MSG(test, q, "%s: %zu -> %zu", t->name,
					  from, to);
		KUNIT_EXPECT_EQ_MSG(test, want, pgclass_usable_size(f->pool, q),
				    "%s: %zu -> %zu", t->name, from, to);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)q,
						       min(want, f->page)),
				      "%s: misaligned", t->name);
		KUNIT_EXPECT_EQ_MSG(test, keep, pgct_verify(q, keep, i),
				    "%s: contents", t->name);
		if (t->where == REALLOC_STAYS || f->oob)
			KUNIT_EXPECT_PTR_EQ_MSG(test, p, q, "%s: moved", t->name);
		if (t->where == REALLOC_MOVES && !f->oob)
			KUNIT_EXPECT_PTR_NE_MSG(test, p, q, "%s: stayed", t->name);
		if (p != q)
			KUNIT_EXPECT_EQ_MSG(test, 0UL, pgclass_usable_size(f->pool, p),
					    "%s: old block still allocated", t->name);

		pgct_check(test, f);
		pgclass_get_stats(f->pool, &z);
		KUNIT_EXPECT_EQ(test, z.blocks, 1ULL);
		KUNIT_EXPECT_EQ(test, z.bytes_allocated, (u64)want);
		KUNIT_EXPECT_EQ(test, z.realloc_calls, a.realloc_calls + 1);
		KUNIT_EXPECT_EQ(test, z.alloc_calls, a.alloc_calls);
		KUNIT_EXPECT_EQ(test, z.free_calls, a.free_calls);
		KUNIT_EXPECT_EQ(test, z.failed_calls, a.failed_calls + refused);

		/* the whole new block is the caller's */
		pgct_fill(q, want, i + 100);
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, q));
		pgclass_get_stats(f->pool, &z);
		KUNIT_EXPECT_EQ(test, z.blocks, 0ULL);
		KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
	}
}

/* realloc(NULL, size) is alloc(size); realloc(NULL, 0) is nothing. */
static void test_realloc_null_is_alloc(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgclass_stats st;
	u8 *p, *q;

	p = pgclass_realloc(f->pool, NULL, 100);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, 128UL, pgclass_usable_size(f->pool, p));
	q = pgclass_realloc(f->pool, NULL, 3 * 4096 + 5);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, 4 * 4096UL, pgclass_usable_size(f->pool, q));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)q, 4096));
	KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, NULL, 0));
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 2ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_allocated, 128ULL + 4 * 4096);
	KUNIT_EXPECT_EQ(test, st.realloc_calls, 3ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, q));
}

/* realloc(p, 0) frees p, whatever its kind, and returns NULL. */
static void test_realloc_zero_frees(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	size_t sizes[] = { 1, 100, f->page / 2, f->page, 2 * f->page + 1 };
	struct pgclass_stats st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 *p = pgclass_alloc(f->pool, sizes[i]);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_NULL(test, pgclass_realloc(f->pool, p, 0));
		KUNIT_EXPECT_EQ_MSG(test, 0UL, pgclass_usable_size(f->pool, p),
				    "size %zu", sizes[i]);
		pgclass_get_stats(f->pool, &st);
		KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
		/* freed: a second free is a double free */
		KUNIT_EXPECT_EQ(test, -EINVAL, pgclass_free(f->pool, p));
		pgct_check(test, f);
	}
	KUNIT_EXPECT_EQ(test, st.realloc_calls, (u64)ARRAY_SIZE(sizes));
	KUNIT_EXPECT_LE(test, st.used_pages, pgct_class_page(f));
	/* and the pool serves all its data area again */
	KUNIT_EXPECT_NOT_NULL(test, pgclass_alloc(f->pool,
						  pgct_data_pages(f) * f->page));
}

/*
 * A block that fits and would not waste half of itself stays put, and
 * the pool does not change: same pages, same counters but realloc_calls.
 */
static void test_realloc_stays_when_fits(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	static const struct {
		size_t from, to;
	} fits[] = {
		{ 10, 1 }, { 10, 16 }, { 1, 16 }, { 17, 32 }, { 100, 65 },
		{ 100, 128 }, { 1000, 1024 }, { 2048, 1025 }, { 2049, 4096 },
		{ 4096, 2049 }, { 4097, 8192 }, { 8192, 4097 },
		{ 3 * 4096, 2 * 4096 + 1 }, { 2 * 4096 + 1, 3 * 4096 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fits); i++) {
		u8 *p = pgct_alloc(test, f, fits[i].from);

		pgct_fill(p, fits[i].from, i);
		pgct_expect_realloc_noop(test, f, p, fits[i].to, false,
					 min(fits[i].from, fits[i].to), i);
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
	}
}

/*
 * A realloc that cannot be served returns NULL and leaves the block, its
 * bytes and the whole pool as they were; only realloc_calls and
 * failed_calls move.
 */
static void test_realloc_failure_keeps_block(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, shift);
	size_t page = f->page;
	struct {
		u8 *p;
		size_t size, to;
	} blk[] = {
		{ NULL, 100, 2 * 100 },		/* needs a page of a new class */
		{ NULL, 100, page },
		{ NULL, page, 3 * page },
		{ NULL, 2 * page, 5 * page },
		{ NULL, 2 * page, 2 * page + 1 + page },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blk); i++) {
		blk[i].p = pgclass_alloc(f->pool, blk[i].size);
		KUNIT_ASSERT_NOT_NULL(test, blk[i].p);
		pgct_fill(blk[i].p, blk[i].size, i);
	}
	/* take every free page */
	while (pgclass_alloc(f->pool, page))
		;
	pgct_check(test, f);
	KUNIT_ASSERT_EQ(test, f->scratch->st.free_pages, 0U);

	for (i = 0; i < ARRAY_SIZE(blk); i++) {
		KUNIT_EXPECT_EQ(test, pgct_usable(f, blk[i].size),
				pgclass_usable_size(f->pool, blk[i].p));
		pgct_expect_realloc_noop(test, f, blk[i].p, blk[i].to, true,
					 blk[i].size, i);
	}
}

/*
 * One block through a long seeded random sequence of sizes, with other
 * blocks coming and going around it: its bytes survive every step.  Out
 * of band, where a block never moves, the case moves it itself when a
 * grow is refused, as a caller of such a pool does.
 */
static void test_realloc_random_chain(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgct_fixture *f = pgct_fixture(test, 64, shift);
	struct rnd_state rnd;
	void *other[8] = { };
	size_t size = 1, next, was, want;
	u8 *p;
	int step;

	prandom_seed_state(&rnd, 0x9c1a55ULL + shift);
	p = pgclass_alloc(f->pool, size);
	KUNIT_ASSERT_NOT_NULL(test, p);
	pgct_fill(p, size, 0);
	for (step = 1; step <= 200; step++) {
		u32 r = prandom_u32_state(&rnd);
		unsigned int o = r % ARRAY_SIZE(other);
		u8 *q;

		next = pgct_random_size(r >> 8, r >> 10, f->page,
					PGCT_SIZE_SMALL | PGCT_SIZE_PAGE |
					PGCT_SIZE_MULTI, 3);
		was = pgclass_usable_size(f->pool, p);
		want = pgct_usable(f, next);
		q = pgclass_realloc(f->pool, p, next);
		if (f->oob && q) {
			/* resized where it lies (see oob_usable()) */
			KUNIT_ASSERT_PTR_EQ(test, p, q);
			if (was <= f->page / 2)
				want = was;
			else if (next <= f->page)
				want = f->page;
		} else if (f->oob) {
			/*
			 * a grow it cannot do in place: refused, the block
			 * intact; the caller moves it itself
			 */
			KUNIT_ASSERT_GT(test, next, was);
			KUNIT_ASSERT_EQ(test, was, pgclass_usable_size(f->pool, p));
			KUNIT_ASSERT_EQ(test, size, pgct_verify(p, size, step - 1));
			KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p));
			q = pgclass_alloc(f->pool, next);
			KUNIT_ASSERT_NOT_NULL(test, q);
			pgct_fill(q, min(size, next), step - 1);
		}
		KUNIT_ASSERT_NOT_NULL_MSG(test, q, "step %d: %zu -> %zu", step,
					  size, next);
		KUNIT_ASSERT_EQ_MSG(test, min(size, next),
				    pgct_verify(q, min(size, next), step - 1),
				    "step %d: %zu -> %zu", step, size, next);
		KUNIT_ASSERT_EQ(test, want, pgclass_usable_size(f->pool, q));
		p = q;
		size = next;
		pgct_fill(p, size, step);

		/* churn a neighbour */
		if (other[o]) {
			KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, other[o]));
			other[o] = NULL;
		} else {
			other[o] = pgclass_alloc(f->pool, 1 + (r >> 12) % (2 * f->page));
		}
		if (step % 25 == 0)
			pgct_check(test, f);
	}
	pgct_check(test, f);
}

PGCT_SUITES(realloc,
	    KUNIT_CASE_PARAM(test_realloc_transitions, pgct_shift_gen_params),
	    KUNIT_CASE(test_realloc_null_is_alloc),
	    KUNIT_CASE_PARAM(test_realloc_zero_frees, pgct_shift_gen_params),
	    KUNIT_CASE(test_realloc_stays_when_fits),
	    KUNIT_CASE_PARAM(test_realloc_failure_keeps_block, pgct_shift_gen_params),
	    KUNIT_CASE_PARAM(test_realloc_random_chain, pgct_shift_gen_params));
