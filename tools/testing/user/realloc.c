// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pgclass_realloc(): every class transition of
 * realloc_cases.h (shared with KUnit), a failed grow that changes
 * nothing and a shrink that never fails, realloc(NULL) and realloc(p, 0).
 */
#include "common.h"
#include "realloc_cases.h"
#include "shim.h"

static int t_realloc_transitions(const struct test_case *tc __maybe_unused)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(realloc_cases); i++) {
		const struct realloc_case *t = &realloc_cases[i];
		struct pgclass_stats a, z;
		size_t from, to;
		struct ctx c;
		char *p, *q;

		T_OK(ctx_new(&c, 32, tc->page_shift));
		from = realloc_bytes(&t->from, c.page);
		to = realloc_bytes(&t->to, c.page);
		p = pgclass_alloc(c.pool, from);
		T_ASSERT(p);
		fill(p, from, i + 1);
		a = ctx_stats(&c);
		q = pgclass_realloc(c.pool, p, to);
		T_ASSERT(q);
		z = ctx_stats(&c);
		if (t->where == REALLOC_STAYS)
			T_ASSERT(q == p);
		if (t->where == REALLOC_MOVES) {
			T_ASSERT(q != p);
			T_EQ(pgclass_usable_size(c.pool, p), 0);
		}
		T_EQ(verify(q, from < to ? from : to, i + 1),
		     from < to ? from : to);
		T_EQ(pgclass_usable_size(c.pool, q), usable_of(&c, to));
		T_EQ(z.blocks, 1);
		T_EQ(z.bytes_allocated, usable_of(&c, to));
		T_EQ(z.realloc_calls, a.realloc_calls + 1);
		T_EQ(z.alloc_calls, a.alloc_calls);
		T_EQ(z.free_calls, a.free_calls);
		T_EQ(z.failed_calls, 0);
		T_EQ(ctx_cstats(&c, class_of(&c, to)).blocks_used, 1);
		T_OK(check_pool(&c));
		T_EQ(pgclass_free(c.pool, q), 0);
		T_OK(check_pool(&c));
	}
	return 0;
}

static int t_realloc_failure(const struct test_case *tc __maybe_unused)
{
	struct snap *s0, *s1;
	struct ctx c;
	char *A, *S, *q;
	size_t P;
	unsigned int i;

	T_OK(ctx_new(&c, 32, 12));
	P = c.page;
	A = pgclass_alloc(c.pool, 2 * P);
	S = pgclass_alloc(c.pool, 2048);
	T_ASSERT(A && S);
	T_ASSERT(pgclass_alloc(c.pool, 2048));	/* its page is full */
	while (pgclass_alloc(c.pool, P))
		;
	fill(A, 2 * P, 9);
	fill(S, 2048, 10);
	s0 = snap_take(&c);
	T_ASSERT(!pgclass_realloc(c.pool, A, 4 * P));
	T_ASSERT(!pgclass_realloc(c.pool, S, P + 1));
	s1 = snap_take(&c);
	T_OK(snap_same(s0, s1));
	T_EQ(s1->st.realloc_calls, s0->st.realloc_calls + 2);
	T_EQ(s1->st.failed_calls, s0->st.failed_calls + 2);
	T_EQ(shim_warnings, 0);
	snap_free(s0);
	snap_free(s1);
	T_EQ(verify(A, 2 * P, 9), 2 * P);
	T_EQ(verify(S, 2048, 10), 2048);
	T_EQ(pgclass_usable_size(c.pool, A), 2 * P);
	/*
	 * A shrink never fails: with no smaller block to be had, the block
	 * stays where it is, a multi-page one with only its first page.
	 */
	s0 = snap_take(&c);
	T_ASSERT(pgclass_realloc(c.pool, S, 100) == S);
	T_EQ(pgclass_usable_size(c.pool, S), 2048);
	T_EQ(verify(S, 2048, 10), 2048);
	T_ASSERT(pgclass_realloc(c.pool, A, 100) == A);
	T_EQ(pgclass_usable_size(c.pool, A), P);
	T_EQ(verify(A, P, 9), P);
	s1 = snap_take(&c);
	T_EQ(s1->st.realloc_calls, s0->st.realloc_calls + 2);
	T_EQ(s1->st.failed_calls, s0->st.failed_calls);
	T_EQ(s1->st.free_pages, s0->st.free_pages + 1);
	snap_free(s0);
	snap_free(s1);
	/* The page it gave back serves the next request. */
	T_ASSERT(pgclass_realloc(c.pool, A, 2 * P) == A);
	T_EQ(verify(A, P, 9), P);
	/* What does fit still works on the full pool. */
	q = pgclass_realloc(c.pool, A, P + 1);
	T_ASSERT(q == A);
	for (i = 0; i < 2; i++)
		T_ASSERT(!pgclass_realloc(c.pool, A, 3 * P));
	T_OK(check_pool(&c));
	return 0;
}

static int t_realloc_null_zero(const struct test_case *tc __maybe_unused)
{
	struct pgclass_stats a, z;
	struct ctx c;
	char *p;

	T_OK(ctx_new(&c, 16, 12));
	a = ctx_stats(&c);
	p = pgclass_realloc(c.pool, NULL, 100);
	T_ASSERT(p);
	T_EQ(pgclass_usable_size(c.pool, p), 128);
	T_ASSERT(!pgclass_realloc(c.pool, NULL, 0));
	z = ctx_stats(&c);
	T_EQ(z.realloc_calls, a.realloc_calls + 2);
	T_EQ(z.alloc_calls, a.alloc_calls);
	T_EQ(z.failed_calls, 0);
	T_EQ(z.blocks, 1);
	T_ASSERT(!pgclass_realloc(c.pool, p, 0));
	z = ctx_stats(&c);
	T_EQ(z.blocks, 0);
	T_EQ(z.failed_calls, 0);
	T_EQ(z.free_calls, 0);
	T_EQ(pgclass_usable_size(c.pool, p), 0);
	/* realloc(NULL) of too much: NULL and a failed call. */
	T_ASSERT(!pgclass_realloc(c.pool, NULL, 1000 * c.page));
	T_EQ(ctx_stats(&c).failed_calls, 1);
	T_EQ(shim_warnings, 0);
	T_OK(check_pool(&c));
	return 0;
}

const struct test_case realloc_tests[] = {
	{ "realloc across every class transition, contents kept",
	  t_realloc_transitions, EACH_SHIFT, 0 },
	{ "realloc: a failed grow changes nothing, a shrink never fails",
	  t_realloc_failure, 12, 0 },
	{ "realloc(NULL) allocates, realloc(p, 0) frees", t_realloc_null_zero, 12, 0 },
};

const size_t nr_realloc_tests = ARRAY_SIZE(realloc_tests);
