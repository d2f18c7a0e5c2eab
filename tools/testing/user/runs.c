// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the free page runs: exhaustion and recovery, coalescing
 * of pages freed in any order, and multi-page blocks shrinking and
 * growing in place.
 */
#include <stdlib.h>

#include "common.h"

static int t_exhaustion(const struct test_case *tc __maybe_unused)
{
	unsigned long i, n, per = 256;
	struct pgclass_stats st;
	void **v;
	struct ctx c;
	char *big;

	T_OK(ctx_new(&c, 64, 12));
	v = calloc(c.data_pages * per + 1, sizeof(*v));
	T_ASSERT(v);
	for (n = 0; (v[n] = pgclass_alloc(c.pool, 16)); n++)
		T_ASSERT(n < c.data_pages * per);
	T_EQ(n, c.data_pages * per);
	st = ctx_stats(&c);
	T_EQ(st.free_pages, 0);
	T_EQ(st.failed_calls, 1);
	T_EQ(st.blocks, n);
	T_ASSERT(!pgclass_alloc(c.pool, 4096));
	T_ASSERT(!pgclass_alloc(c.pool, 8192));
	T_ASSERT(!pgclass_alloc(c.pool, 32));
	T_EQ(ctx_stats(&c).failed_calls, 4);
	T_OK(check_pool(&c));
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	st = ctx_stats(&c);
	T_EQ(st.blocks, 0);
	/*
	 * The slot adopted each page at its first free and gave it up empty
	 * at the next: the first became the class's spare, the last is still
	 * the slot's.
	 */
	T_EQ(st.cached_pages, 1);
	T_EQ(st.free_pages, c.data_pages - 2);
	T_EQ(ctx_cstats(&c, 0).pages, 2);
	T_EQ(st.peak_used_pages, c.data_pages);
	T_OK(check_pool(&c));

	/*
	 * The whole data area in one block: the spare and the slot's page
	 * are taken back.
	 */
	big = pgclass_alloc(c.pool, c.data_pages * c.page);
	T_ASSERT(big);
	T_EQ(ctx_page(&c, big), c.meta);
	T_EQ(ctx_cstats(&c, 0).pages, 0);
	T_EQ(ctx_stats(&c).free_pages, 0);
	T_ASSERT(!pgclass_alloc(c.pool, 1));
	T_EQ(pgclass_free(c.pool, big), 0);
	T_EQ(ctx_stats(&c).free_pages, c.data_pages);
	T_ASSERT(!pgclass_alloc(c.pool, c.data_pages * c.page + 1));

	/* Whole pages, then three-page blocks. */
	for (n = 0; (v[n] = pgclass_alloc(c.pool, 4096)); n++)
		;
	T_EQ(n, c.data_pages);
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	for (n = 0; (v[n] = pgclass_alloc(c.pool, 3 * 4096)); n++)
		;
	T_EQ(n, c.data_pages / 3);
	T_EQ(ctx_stats(&c).free_pages, c.data_pages % 3);
	T_OK(check_pool(&c));
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	T_EQ(ctx_stats(&c).free_pages, c.data_pages);
	T_OK(check_pool(&c));
	free(v);
	return 0;
}

static int t_coalescing(const struct test_case *tc __maybe_unused)
{
	struct rng r;
	struct ctx c;
	void **v;
	unsigned long n, i;
	char *big;

	T_OK(ctx_new(&c, 64, tc->page_shift));
	v = calloc(c.data_pages, sizeof(*v));
	T_ASSERT(v);
	for (n = 0; n < c.data_pages; n++) {
		v[n] = pgclass_alloc(c.pool, c.page);
		T_ASSERT(v[n]);
	}
	T_ASSERT(!pgclass_alloc(c.pool, c.page));
	rng_seed(&r, test_seed);
	for (i = n - 1; i > 0; i--) {
		unsigned long j = rng_below(&r, i + 1);
		void *t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	for (i = 0; i < n; i++) {
		T_EQ(pgclass_free(c.pool, v[i]), 0);
		T_OK(check_pool(&c));	/* runs stay maximal */
	}
	T_EQ(ctx_stats(&c).free_pages, c.data_pages);
	big = pgclass_alloc(c.pool, c.data_pages * c.page);
	T_ASSERT(big);
	T_EQ(ctx_page(&c, big), c.meta);
	T_EQ(pgclass_free(c.pool, big), 0);

	/* Mixed sizes, freed in random order. */
	for (n = 0; n < c.data_pages; n++) {
		v[n] = pgclass_alloc(c.pool, (1 + n % 3) * c.page);
		if (!v[n])
			break;
	}
	for (i = n - 1; i > 0; i--) {
		unsigned long j = rng_below(&r, i + 1);
		void *t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	T_OK(check_pool(&c));
	big = pgclass_alloc(c.pool, c.data_pages * c.page);
	T_ASSERT(big);
	free(v);
	return 0;
}

static int t_realloc_shrink(const struct test_case *tc __maybe_unused)
{
	struct pgclass_stats a, z;
	struct ctx c;
	char *A, *B, *W, *q;
	size_t P;
	struct snap *s;

	T_OK(ctx_new(&c, 32, 12));
	P = c.page;
	/* The freed tail merges with the free run after the block. */
	A = pgclass_alloc(c.pool, 6 * P);
	B = pgclass_alloc(c.pool, 2 * P);
	T_ASSERT(A && B == A + 6 * P);
	fill(A, 6 * P, 1);
	T_EQ(pgclass_free(c.pool, B), 0);
	a = ctx_stats(&c);
	q = pgclass_realloc(c.pool, A, 2 * P + 1);
	T_ASSERT(q == A);
	z = ctx_stats(&c);
	T_EQ(z.free_pages, a.free_pages + 3);
	T_EQ(ctx_cstats(&c, 9).pages, 3);
	T_EQ(pgclass_usable_size(c.pool, A), 3 * P);
	T_EQ(verify(A, 2 * P + 1, 1), 2 * P + 1);
	s = snap_take(&c);
	T_EQ(s->nr_ext, 3);
	T_EQ(s->ext[1].state, PGCLASS_PAGE_HEAD);
	T_EQ(s->ext[1].nr_pages, 3);
	T_EQ(s->ext[2].state, PGCLASS_PAGE_FREE);
	T_EQ(s->ext[2].nr_pages, c.data_pages - 3);
	snap_free(s);
	T_OK(check_pool(&c));

	/* A used page after the block: the tail becomes a run of its own. */
	W = pgclass_alloc(c.pool, P);
	T_EQ(W, A + 3 * P);
	q = pgclass_realloc(c.pool, A, 2 * P);
	T_ASSERT(q == A);
	T_EQ(page_state(&c, ctx_page(&c, A) + 1), PGCLASS_PAGE_TAIL);
	T_EQ(page_state(&c, ctx_page(&c, A) + 2), PGCLASS_PAGE_FREE);
	T_EQ(page_state(&c, ctx_page(&c, W)), PGCLASS_PAGE_WHOLE);
	T_EQ(verify(A, 2 * P, 1), 2 * P);
	T_OK(check_pool(&c));
	/* And a free of the block gives all of it back. */
	T_EQ(pgclass_free(c.pool, A), 0);
	T_EQ(pgclass_free(c.pool, W), 0);
	T_EQ(ctx_stats(&c).free_pages, c.data_pages);
	T_OK(check_pool(&c));
	return 0;
}

static int t_realloc_grow(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	char *A, *B, *C, *W, *q;
	size_t P;

	T_OK(ctx_new(&c, 32, 12));
	P = c.page;
	/* Over the whole run that follows, up to a used page. */
	A = pgclass_alloc(c.pool, 2 * P);
	B = pgclass_alloc(c.pool, 3 * P);
	C = pgclass_alloc(c.pool, P);
	T_ASSERT(A && B == A + 2 * P && C == B + 3 * P);
	fill(A, 2 * P, 5);
	T_EQ(pgclass_free(c.pool, B), 0);
	q = pgclass_realloc(c.pool, A, 5 * P);
	T_ASSERT(q == A);
	T_EQ(page_state(&c, ctx_page(&c, A) + 4), PGCLASS_PAGE_TAIL);
	T_EQ(verify(A, 2 * P, 5), 2 * P);
	T_EQ(ctx_cstats(&c, 9).pages, 5);
	T_OK(check_pool(&c));
	/* No room after it: it moves, contents kept, old pages freed. */
	fill(A, 5 * P, 6);
	q = pgclass_realloc(c.pool, A, 6 * P);
	T_ASSERT(q && q != A);
	T_EQ(verify(q, 5 * P, 6), 5 * P);
	T_EQ(pgclass_usable_size(c.pool, A), 0);
	T_EQ(page_state(&c, ctx_page(&c, A)), PGCLASS_PAGE_FREE);
	T_OK(check_pool(&c));
	/* Part of a longer run: the rest stays free. */
	A = q;
	q = pgclass_realloc(c.pool, A, 7 * P + 1);
	T_ASSERT(q == A);
	T_EQ(pgclass_usable_size(c.pool, A), 8 * P);
	T_EQ(page_state(&c, ctx_page(&c, A) + 8), PGCLASS_PAGE_FREE);
	T_EQ(verify(A, 5 * P, 6), 5 * P);
	T_OK(check_pool(&c));
	/* A whole page grows in place into a multi-page block... */
	T_EQ(pgclass_free(c.pool, C), 0);
	T_EQ(pgclass_free(c.pool, A), 0);
	W = pgclass_alloc(c.pool, P);
	T_ASSERT(W);
	fill(W, P, 7);
	q = pgclass_realloc(c.pool, W, 3 * P);
	T_ASSERT(q == W);
	T_EQ(ctx_cstats(&c, 8).blocks_used, 0);
	T_EQ(ctx_cstats(&c, 9).blocks_used, 1);
	T_EQ(verify(W, P, 7), P);
	/* ...and shrinks back to a whole page in place. */
	q = pgclass_realloc(c.pool, W, P);
	T_ASSERT(q == W);
	T_EQ(page_state(&c, ctx_page(&c, W)), PGCLASS_PAGE_WHOLE);
	T_EQ(ctx_cstats(&c, 8).blocks_used, 1);
	T_EQ(ctx_cstats(&c, 9).pages, 0);
	T_EQ(verify(W, P, 7), P);
	/* A whole page followed by a used page moves. */
	C = pgclass_alloc(c.pool, P);
	T_EQ(C, W + P);
	q = pgclass_realloc(c.pool, W, 2 * P);
	T_ASSERT(q && q != W);
	T_EQ(verify(q, P, 7), P);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * A grow in place over a page a cache holds: a whole page W at F, then
 * 64 B blocks on F + 1 (and F + 2).  With @slot_page, F + 1 is the slot's
 * page, emptied; without, the slot moves on to F + 2, and F + 1, emptied
 * under the pool lock, is its class's spare.  Whole pages fill the rest,
 * as many as there are free pages (a failed call would take the caches
 * back), so that W cannot move (an out-of-band pool never moves it
 * anyway): realloc() must take F + 1 back and grow W over it.  In an
 * out-of-band pool, a grow of the first of the whole pages, which the
 * next holds in place, must fail first without taking anything back.
 */
static int grow_over_cached(bool oob, bool slot_page)
{
	unsigned int per = 4096 / 64, i, n = slot_page ? 1 : per + 1;
	static void *page[64], *blk[4096 / 64 + 1];
	unsigned int nfree = slot_page ? 1 : per, np;
	struct pgclass_stats st;
	struct ctx c;
	char *w;

	T_OK(oob ? ctx_new_oob(&c, 64, 12) : ctx_new(&c, 64, 12));
	T_ASSERT(pgclass_nr_cpu_slots(c.pool));	/* this thread has one */
	w = pgclass_alloc(c.pool, c.page);
	T_EQ(ctx_page(&c, w), c.meta);
	for (i = 0; i < n; i++) {
		T_ASSERT((blk[i] = pgclass_alloc(c.pool, 64)));
		T_EQ(ctx_page(&c, blk[i]), c.meta + 1 + i / per);
	}
	for (i = 0; i < nfree; i++)
		T_EQ(pgclass_free(c.pool, blk[i]), 0);
	np = ctx_stats(&c).free_pages;
	for (i = 0; i < np; i++)
		T_ASSERT((page[i] = pgclass_alloc(c.pool, c.page)));
	st = ctx_stats(&c);
	T_EQ(st.free_pages, 0);
	T_EQ(st.failed_calls, 0);
	T_EQ(st.cached_pages, 1);
	/* F + 1, and F + 2 without @slot_page. */
	T_EQ(ctx_cstats(&c, 2).pages, 2 - slot_page);
	if (oob) {
		/* A block after the whole page: no cache can help, none asked. */
		T_ASSERT(!pgclass_realloc(c.pool, page[0], 2 * c.page));
		st = ctx_stats(&c);
		T_EQ(st.failed_calls, 1);
		T_EQ(st.cached_pages, 1);
		T_EQ(ctx_cstats(&c, 2).pages, 2 - slot_page);
	}
	T_ASSERT(pgclass_realloc(c.pool, w, 2 * c.page) == w);
	T_EQ(pgclass_usable_size(c.pool, w), 2 * c.page);
	st = ctx_stats(&c);
	T_EQ(st.failed_calls, oob);
	T_EQ(st.free_pages, 0);
	T_EQ(st.cached_pages, !slot_page);
	T_EQ(ctx_cstats(&c, 2).pages, 1 - slot_page);
	T_OK(check_pool(&c));

	T_EQ(pgclass_free(c.pool, w), 0);
	for (i = nfree; i < n; i++)
		T_EQ(pgclass_free(c.pool, blk[i]), 0);
	for (i = 0; i < np; i++)
		T_EQ(pgclass_free(c.pool, page[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

static int t_grow_over_cached(const struct test_case *tc)
{
	bool oob = tc->arg;

	T_OK(grow_over_cached(oob, false));
	return grow_over_cached(oob, true);
}

const struct test_case runs_tests[] = {
	{ "exhaustion and recovery: 16 B, page and 3-page blocks", t_exhaustion, 12, 0 },
	{ "realloc shrinks a multi-page block in place, tail coalesced", t_realloc_shrink, 12, 0 },
	{ "realloc grows in place over the next free run, else moves", t_realloc_grow, 12, 0 },
	{ "coalescing: pages freed in random order make one run", t_coalescing, EACH_SHIFT, 0 },
	{ "realloc grows in place over a spare or a slot's empty page", t_grow_over_cached, 12, 0 },
	{ "out-of-band realloc grows over a spare or a slot's empty page",
	  t_grow_over_cached, 12, 1 },
};

const size_t nr_runs_tests = ARRAY_SIZE(runs_tests);
