// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the TLSF fit: a run of exactly the size asked for is
 * found, and the last-resort scan finds the run behind a shorter head.
 */
#include "common.h"

static int t_exact_fit(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	void *v[64];
	unsigned long n, i;
	char *p;

	T_OK(ctx_new(&c, 48, 12));
	for (n = 0; n < c.data_pages; n++)
		T_ASSERT((v[n] = pgclass_alloc(c.pool, c.page)));
	/* One free run of 9 pages: 9 rounds up to the next list. */
	for (i = 5; i < 14; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	T_ASSERT(!pgclass_alloc(c.pool, 10 * c.page));
	p = pgclass_alloc(c.pool, 9 * c.page);
	T_ASSERT(p == v[5]);
	T_EQ(pgclass_free(c.pool, p), 0);
	/* Runs of 13 and 9: a request of 13 finds the exact run. */
	for (i = 20; i < 33; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	p = pgclass_alloc(c.pool, 13 * c.page);
	T_ASSERT(p == v[20]);
	p = pgclass_alloc(c.pool, 9 * c.page);
	T_ASSERT(p == v[5]);
	T_EQ(ctx_stats(&c).free_pages, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * The TLSF miss the last-resort scan fixes.  Runs of 8 and 9 pages share a
 * list (from 8 pages on, four lists per power of two: [8, 9], [10, 11],
 * ...).  With the 8-page run at its head and the 9-page run behind it, a
 * 9-page request finds no list where every run fits, and the head does
 * not fit: only the scan finds the 9-page run.
 */
static int t_fit_scan(const struct test_case *tc __maybe_unused)
{
	struct pgclass_stats st;
	struct ctx c;
	char *p, *sep[2], *r9, *r8, *rest;

	T_OK(ctx_new_cpus(&c, 64, 12, 0));
	/* [9 pages][sep][8 pages][sep][rest]: no other free page. */
	r9 = pgclass_alloc(c.pool, 9 * c.page);
	sep[0] = pgclass_alloc(c.pool, c.page);
	r8 = pgclass_alloc(c.pool, 8 * c.page);
	sep[1] = pgclass_alloc(c.pool, c.page);
	rest = pgclass_alloc(c.pool, (c.data_pages - 19) * c.page);
	T_ASSERT(r9 && sep[0] && r8 && sep[1] && rest);
	/* The 9-page run is pushed first, so the 8-page run is the head. */
	T_EQ(pgclass_free(c.pool, r9), 0);
	T_EQ(pgclass_free(c.pool, r8), 0);
	/* 8 pages fit at once: no scan. */
	p = pgclass_alloc(c.pool, 8 * c.page);
	T_ASSERT(p == r8);
	pgclass_get_stats(c.pool, &st);
	T_EQ(st.fit_scans, 0);
	T_EQ(pgclass_free(c.pool, p), 0);
	/* 9 pages: only behind the head. */
	p = pgclass_alloc(c.pool, 9 * c.page);
	T_ASSERT(p == r9);
	pgclass_get_stats(c.pool, &st);
	T_EQ(st.fit_scans, 1);
	T_EQ(st.failed_calls, 0);
	/* Again: the head is alone and too short; nothing to scan, it fails. */
	T_ASSERT(!pgclass_alloc(c.pool, 9 * c.page));
	pgclass_get_stats(c.pool, &st);
	T_EQ(st.fit_scans, 1);
	T_EQ(st.failed_calls, 1);
	T_OK(check_pool(&c));
	return 0;
}

const struct test_case fit_tests[] = {
	{ "TLSF: a run of exactly the size asked for is found", t_exact_fit, 12, 0 },
	{ "fit scan finds the run behind a shorter head, counted once", t_fit_scan, 0, 0 },
};

const size_t nr_fit_tests = ARRAY_SIZE(fit_tests);
