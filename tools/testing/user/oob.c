// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pool creation beyond pgclass_pool_create(): what
 * pgclass_meta_size() says, out-of-band pools (their range is mapped with
 * no access at all, so a touch by the core is a SEGV report), and the
 * zeroed variants.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"
#include "shim.h"

/* Every invalid geometry is 0; a valid one is what create_oob() needs. */
static int t_meta_size(const struct test_case *tc __maybe_unused)
{
	static const size_t pages[] = { 1, 2, 3, 100, 1024, 4096, 65536 };
	unsigned int shift, i;

	T_EQ(pgclass_meta_size(4096, 8), 0);
	T_EQ(pgclass_meta_size(1 << 17, 17), 0);
	T_EQ(pgclass_meta_size(0, 12), 0);
	T_EQ(pgclass_meta_size(4096 + 512, 12), 0);
	T_EQ(pgclass_meta_size(4095, 12), 0);
	/* Page indices are 28 bits; 16-byte blocks counted in 32 bits. */
	T_EQ(pgclass_meta_size((size_t)1 << 40, 12), 0);
	T_EQ(pgclass_meta_size((size_t)64 << 30, 16), 0);
	T_ASSERT(pgclass_meta_size(((size_t)64 << 30) - (1 << 16), 16));

	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		for (i = 0; i < ARRAY_SIZE(pages); i++) {
			size_t size = pages[i] << shift, page = 1UL << shift;
			size_t need = pgclass_meta_size(size, shift);
			size_t span = ((need + page - 1) & ~(page - 1));
			char *range = mmap(NULL, size + page, PROT_NONE,
					   MAP_PRIVATE | MAP_ANONYMOUS |
					   MAP_NORESERVE, -1, 0);
			unsigned long base = ((unsigned long)range + page - 1) &
					     ~(page - 1);
			char *meta = malloc(need);
			struct pgclass_stats st;
			struct pgclass_pool *p;

			T_ASSERT(need && meta && range != MAP_FAILED);
			/* One byte less is refused, and written to not at all. */
			memset(meta, 0x5a, need);
			T_ASSERT(!pgclass_pool_create_oob(meta, need - 1, base,
							  size, shift));
			T_EQ(meta[0], 0x5a);
			p = pgclass_pool_create_oob(meta, need, base, size,
						    shift);
			T_ASSERT(p == (void *)meta);
			pgclass_get_stats(p, &st);
			T_EQ(st.nr_pages, pages[i]);
			T_EQ(st.meta_pages, 0);
			T_EQ(st.free_pages, pages[i]);
			/* The whole range is one block. */
			T_EQ((unsigned long)pgclass_alloc(p, size), base);
			T_EQ(pgclass_pool_destroy(p), 1);
			free(meta);
			munmap(range, size + page);
			/* An in-band pool spends at most that, in pages. */
			if (pages[i] < 2 || span >= size)
				continue;
			range = aligned_alloc(page, size);
			T_ASSERT(range);
			p = pgclass_pool_create(range, size, shift);
			T_ASSERT(p);
			pgclass_get_stats(p, &st);
			T_ASSERT(st.meta_pages * page <= span);
			T_EQ(pgclass_pool_destroy(p), 0);
			free(range);
		}
	}
	return 0;
}

/* What create_oob() refuses: each argument wrong in turn. */
static int t_oob_refused(const struct test_case *tc __maybe_unused)
{
	const size_t page = 4096, size = 16 * page;
	size_t need = pgclass_meta_size(size, 12);
	char *range = test_region_none(size + page);
	unsigned long base = ((unsigned long)range + page - 1) & ~(page - 1);
	char *meta = test_region(need + 64, 3);

	T_ASSERT(!pgclass_pool_create_oob(NULL, need, base, size, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta + 1, need, base, size, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need, 0, size, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need, base + 512, size, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need, base, size + 512, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need, base, 0, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need, base, size, 8));
	/* base + size wraps, even to exactly 0; a page short of it does not. */
	T_ASSERT(!pgclass_pool_create_oob(meta, need, -8 * page, size, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need, -16 * page, size, 12));
	T_ASSERT(pgclass_pool_create_oob(meta, need, -17 * page, size, 12));
	/* Metadata inside the range, at its start or its end. */
	T_ASSERT(!pgclass_pool_create_oob(meta, need,
					  (unsigned long)meta & ~(page - 1),
					  size, 12));
	T_ASSERT(!pgclass_pool_create_oob(meta, need,
					  ((unsigned long)meta & ~(page - 1)) -
					  size + page, size, 12));
	/* A range of numbers far from any memory is fine. */
	T_ASSERT(pgclass_pool_create_oob(meta, need, 0x100000000UL, size, 12));
	return 0;
}

/*
 * An out-of-band pool: pointers are base + offset, every page is data,
 * bad frees are refused, and realloc never moves a block.
 */
static int t_oob_calls(const struct test_case *tc __maybe_unused)
{
	struct pgclass_stats st;
	struct ctx c;
	char *a, *b, *w, *m;

	T_OK(ctx_new_oob(&c, 8, 12));
	a = pgclass_alloc(c.pool, 100);
	T_ASSERT(a == c.base);
	b = pgclass_alloc(c.pool, 100);
	T_ASSERT(b == c.base + 128);
	w = pgclass_alloc(c.pool, 3000);
	T_ASSERT(w == c.base + c.page);
	m = pgclass_alloc(c.pool, 2 * c.page);
	T_ASSERT(m == c.base + 2 * c.page);
	T_EQ(pgclass_usable_size(c.pool, m), 2 * c.page);
	/* Bad pointers, the page below the range included. */
	T_EQ(pgclass_free(c.pool, a + 16), -EINVAL_);
	T_EQ(pgclass_free(c.pool, c.base - c.page), -EINVAL_);
	T_EQ(pgclass_free(c.pool, c.base + 8 * c.page), -EINVAL_);
	T_EQ(shim_warnings, 3);
	shim_warnings = 0;
	/* Same class: stays; to another class: a shrink stays, a grow fails. */
	T_ASSERT(pgclass_realloc(c.pool, a, 120) == a);
	T_ASSERT(pgclass_realloc(c.pool, a, 20) == a);
	T_EQ(pgclass_usable_size(c.pool, a), 128);
	T_ASSERT(!pgclass_realloc(c.pool, a, 300));
	T_EQ(pgclass_usable_size(c.pool, a), 128);
	/* A whole page grows in place over free pages, else fails. */
	T_ASSERT(!pgclass_realloc(c.pool, w, 2 * c.page));
	T_ASSERT(pgclass_realloc(c.pool, m, 5 * c.page) == m);
	T_EQ(pgclass_usable_size(c.pool, m), 5 * c.page);
	/* A multi-page block asked to be small keeps its first page. */
	T_ASSERT(pgclass_realloc(c.pool, m, 10) == m);
	T_EQ(pgclass_usable_size(c.pool, m), c.page);
	pgclass_get_stats(c.pool, &st);
	T_EQ(st.failed_calls, 5);
	T_EQ(st.free_pages, 5);
	T_OK(check_pool(&c));
	T_EQ(pgclass_free(c.pool, a), 0);
	T_EQ(pgclass_free(c.pool, b), 0);
	T_EQ(pgclass_free(c.pool, w), 0);
	T_EQ(pgclass_free(c.pool, m), 0);
	T_EQ(pgclass_pool_destroy(c.pool), 0);
	return 0;
}

/* Walk the pool into @s, counters and extents: for comparing two pools. */
static int same_pools(const struct ctx *a, const struct ctx *b)
{
	struct snap *x = snap_take(a), *y = snap_take(b);
	size_t i;

	T_EQ(x->nr_ext, y->nr_ext);
	for (i = 0; i < x->nr_ext; i++) {
		T_EQ(x->ext[i].first, y->ext[i].first);
		T_EQ(x->ext[i].nr_pages, y->ext[i].nr_pages);
		T_EQ(x->ext[i].state, y->ext[i].state);
	}
	T_EQ(memcmp(&x->st, &y->st, sizeof(x->st)), 0);
	snap_free(x);
	snap_free(y);
	return 0;
}

/* The zeroed variants make the same pools, touching almost nothing. */
static int t_zeroed(const struct test_case *tc __maybe_unused)
{
	const unsigned long nr = 1UL << 20;	/* 4 GiB of 4 KiB pages */
	const size_t size = nr << 12;
	struct ctx a, b;
	char *r, *meta;
	size_t need;
	void *p;

	/* In band: a huge fresh mapping; creating it faults in few pages. */
	T_OK(ctx_new(&a, 4096, 12));
	r = test_region_mmap(4096UL << 12);
	memset(&b, 0, sizeof(b));
	b.pool = pgclass_pool_create_zeroed(r, 4096UL << 12, 12);
	T_ASSERT(b.pool == (void *)r);
	b.base = r;
	b.shift = 12;
	b.page = 4096;
	b.nr_pages = 4096;
	b.meta = a.meta;
	b.data_pages = a.data_pages;
	T_OK(same_pools(&a, &b));
	T_OK(check_pool(&b));
	p = pgclass_alloc(b.pool, 5000);
	T_ASSERT(p && pgclass_free(b.pool, p) == 0);

	r = test_region_mmap(size);
	T_ASSERT(pgclass_pool_create_zeroed(r, size, 12));
	/* Its data pages were never touched: only ASan's shadow was. */
	{
		unsigned char vec[64];

		T_EQ(mincore(r + (size >> 1), 64 << 12, vec), 0);
		for (int i = 0; i < 64; i++)
			T_EQ(vec[i] & 1, 0);
	}

	/* Out of band, over zeroed metadata. */
	T_OK(ctx_new_oob(&a, 4096, 12));
	need = pgclass_meta_size(4096UL << 12, 12);
	meta = test_region_mmap(need);
	memset(&b, 0, sizeof(b));
	b.oob = true;
	b.base = a.base;
	b.shift = 12;
	b.page = 4096;
	b.nr_pages = 4096;
	b.data_pages = 4096;
	b.pool = pgclass_pool_create_oob_zeroed(meta, need,
						(unsigned long)a.base,
						4096UL << 12, 12);
	T_ASSERT(b.pool == (void *)meta);
	T_OK(same_pools(&a, &b));
	T_OK(check_pool(&b));
	return 0;
}

const struct test_case oob_tests[] = {
	{ "meta_size: 0 for invalid geometry, exactly what create_oob needs", t_meta_size, 0, 0 },
	{ "create_oob refuses each bad argument", t_oob_refused, 0, 0 },
	{ "out-of-band pool: offsets from base, bad frees, realloc never moves",
	  t_oob_calls, 0, 0 },
	{ "zeroed creation: the same pools, untouched pages", t_zeroed, 0, 0 },
};

const size_t nr_oob_tests = ARRAY_SIZE(oob_tests);
