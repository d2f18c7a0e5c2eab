// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/core.c in user space: each case builds its own pools
 * and checks results, counters and the page layout that pgclass_walk()
 * shows, with check_pool() verifying every visible invariant on the way.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "realloc_cases.h"
#include "shim.h"

static struct pgclass_stats stats(const struct ctx *c)
{
	struct pgclass_stats st;

	pgclass_get_stats(c->pool, &st);
	return st;
}

static struct pgclass_class_stats cstats(const struct ctx *c, unsigned int k)
{
	struct pgclass_class_stats cs;

	memset(&cs, 0xff, sizeof(cs));
	if (pgclass_get_class_stats(c->pool, k, &cs))
		abort();
	return cs;
}

/* ---- creation ---- */

static int t_create_rejects(const struct test_case *tc __maybe_unused)
{
	char *r = test_region(64 << 12, 16);
	struct pgclass_pool *p;

	T_ASSERT(!pgclass_pool_create(NULL, 64 << 12, 12));
	T_ASSERT(!pgclass_pool_create(r + 512, 32 << 12, 12));
	T_ASSERT(!pgclass_pool_create(r + 4096, 8 << 13, 13));
	T_ASSERT(!pgclass_pool_create(r, 64 << 12, 8));
	T_ASSERT(!pgclass_pool_create(r, 64 << 12, 17));
	T_ASSERT(!pgclass_pool_create(r, 64 << 12, 0));
	T_ASSERT(!pgclass_pool_create(r, 0, 12));
	T_ASSERT(!pgclass_pool_create(r, 4096, 12));
	T_ASSERT(!pgclass_pool_create(r, 2 * 4096 - 1, 12));
	/* Too many pages for 28-bit indices; too many blocks for u32. */
	T_ASSERT(!pgclass_pool_create(r, (size_t)1 << 40, 12));
	T_ASSERT(!pgclass_pool_create(r, (size_t)1 << 36, 12));
	T_ASSERT(!pgclass_pool_create(r, (size_t)1 << 36, 16));
	/*
	 * The smallest pools that work, and a misaligned size.  Each is
	 * destroyed before the next one takes the region: a pool's free
	 * pages are poisoned until then.
	 */
	p = pgclass_pool_create(r, 2 << 9, 9);
	T_ASSERT(p);
	T_EQ(pgclass_pool_destroy(p), 0);
	p = pgclass_pool_create(r, 2 << 16, 16);
	T_ASSERT(p);
	T_EQ(pgclass_pool_destroy(p), 0);
	p = pgclass_pool_create(r + 4096, (16 << 12) + 100, 12);
	T_ASSERT(p);
	T_EQ(pgclass_pool_destroy(p), 0);
	return 0;
}

static int t_meta_budget(const struct test_case *tc __maybe_unused)
{
	static const unsigned long nrs[] = { 1024, 2048, 4096, 10000, 65536,
					     262144 };
	unsigned int shift, i;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		size_t size = nrs[i] << 12;
		char *r = test_region_mmap(size);
		struct pgclass_pool *p = pgclass_pool_create(r, size, 12);
		struct pgclass_stats st;

		T_ASSERT(p);
		pgclass_get_stats(p, &st);
		printf("# 4 KiB pages, %6lu pages: %4u meta pages = %.3f%%\n",
		       nrs[i], st.meta_pages, 100.0 * st.meta_pages / nrs[i]);
		/* At most 1% of the region. */
		T_ASSERT(st.meta_pages * 100UL <= nrs[i]);
		if (nrs[i] == 1024)
			T_EQ(st.meta_pages, 10);
		T_EQ(st.free_pages, nrs[i] - st.meta_pages);
		T_EQ(pgclass_pool_destroy(p), 0);
	}
	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		size_t size = 1024UL << shift;
		char *r = test_region_mmap(size);
		struct pgclass_pool *p = pgclass_pool_create(r, size, shift);
		struct pgclass_stats st;

		T_ASSERT(p);
		pgclass_get_stats(p, &st);
		printf("# %5zu B pages, 1024 pages: %3u meta pages = %.3f%%\n",
		       (size_t)1 << shift, st.meta_pages,
		       100.0 * st.meta_pages / 1024);
	}
	return 0;
}

static int t_every_shift(const struct test_case *tc __maybe_unused)
{
	unsigned int shift, k;

	for (shift = PGCLASS_MIN_PAGE_SHIFT; shift <= PGCLASS_MAX_PAGE_SHIFT;
	     shift++) {
		void *p[PGCLASS_MAX_CLASSES];
		struct pgclass_class_stats cs;
		struct ctx c;
		unsigned int n;

		T_OK(ctx_new(&c, 32, shift));
		n = pgclass_nr_classes(c.pool);
		T_EQ(n, shift - 2);
		T_ASSERT(n <= PGCLASS_MAX_CLASSES);
		T_EQ(pgclass_get_class_stats(c.pool, n, &cs), -EINVAL_);
		for (k = 0; k < n; k++) {
			size_t size = k < n - 2 ? 16UL << k :
				      k == n - 2 ? c.page : 3 * c.page;

			p[k] = pgclass_alloc(c.pool, size);
			T_ASSERT(p[k]);
			T_EQ(pgclass_usable_size(c.pool, p[k]), size);
			cs = cstats(&c, k);
			T_EQ(cs.blocks_used, 1);
			T_EQ(cs.block_size, k < n - 1 ? size : 0);
		}
		T_OK(check_pool(&c));
		for (k = 0; k < n; k++)
			T_EQ(pgclass_free(c.pool, p[k]), 0);
		T_OK(check_pool(&c));
		T_EQ(stats(&c).blocks, 0);
		T_EQ(pgclass_pool_destroy(c.pool), 0);
	}
	return 0;
}

/* ---- the lab's example ---- */

static int t_lab_example(const struct test_case *tc __maybe_unused)
{
	static const unsigned int expect_pages[] = { 1, 0, 1, 1, 0, 0, 1, 0 };
	static const unsigned int expect_used[] = { 1, 0, 1, 6, 0, 0, 1, 0 };
	struct pgclass_class_stats cs;
	struct pgclass_stats st;
	char *a, *t, *x, *d[5], *e, *q;
	struct snap *s;
	struct ctx c;
	unsigned int k;

	T_OK(ctx_new(&c, 64, 12));
	a = pgclass_alloc(c.pool, 10);
	t = pgclass_alloc(c.pool, 33);
	x = pgclass_alloc(c.pool, 69);
	for (k = 0; k < 5; k++)
		d[k] = pgclass_alloc(c.pool, 100);
	e = pgclass_alloc(c.pool, 560);
	T_ASSERT(a && t && x && d[0] && d[1] && d[2] && d[3] && d[4] && e);

	/* Four class pages, in the order they were opened. */
	T_EQ(ctx_page(&c, a), c.meta);
	T_EQ(ctx_page(&c, t), c.meta + 1);
	T_EQ(ctx_page(&c, x), c.meta + 2);
	T_EQ(ctx_page(&c, e), c.meta + 3);
	/* The 128 B class holds six blocks on one page, in order. */
	for (k = 0; k < 5; k++)
		T_ASSERT(d[k] == x + 128 * (k + 1));
	for (k = 0; k < 8; k++) {
		cs = cstats(&c, k);
		T_EQ(cs.block_size, 16U << k);
		T_EQ(cs.pages, expect_pages[k]);
		T_EQ(cs.blocks_used, expect_used[k]);
		T_EQ(cs.blocks_total, expect_pages[k] * (4096 >> (4 + k)));
	}
	T_EQ(cstats(&c, 8).pages, 0);
	T_EQ(cstats(&c, 9).pages, 0);
	st = stats(&c);
	T_EQ(st.blocks, 9);
	T_EQ(st.bytes_allocated, 16 + 64 + 6 * 128 + 1024);
	T_EQ(st.used_pages, 4);
	T_EQ(st.free_pages, c.data_pages - 4);
	T_EQ(st.peak_used_pages, 4);
	T_EQ(st.alloc_calls, 9);
	T_EQ(st.failed_calls, 0);

	s = snap_take(&c);
	T_EQ(s->nr_ext, 6);
	T_EQ(s->ext[1].state, PGCLASS_PAGE_SMALL);
	T_EQ(s->ext[3].block_size, 128);
	T_EQ(s->ext[3].used, 6);
	T_EQ(s->ext[3].total, 32);
	T_EQ(s->ext[3].map[0] & 0xffffffffUL, 0x3f);
	T_EQ(s->ext[5].state, PGCLASS_PAGE_FREE);
	T_EQ(s->ext[5].nr_pages, c.data_pages - 4);
	snap_free(s);
	T_OK(check_pool(&c));

	/* Free "test" (33 B): its page stays as the 64 B class's spare. */
	T_EQ(pgclass_free(c.pool, t), 0);
	cs = cstats(&c, 2);
	T_EQ(cs.pages, 1);
	T_EQ(cs.blocks_used, 0);
	st = stats(&c);
	T_EQ(st.blocks, 8);
	T_EQ(st.used_pages, 4);
	T_EQ(st.free_calls, 1);
	T_EQ(page_state(&c, c.meta + 1), PGCLASS_PAGE_SMALL);
	T_OK(check_pool(&c));

	/* realloc(69 B block, 33): moves into the 64 B class's spare. */
	fill(x, 69, 7);
	q = pgclass_realloc(c.pool, x, 33);
	T_ASSERT(q == t);
	T_EQ(verify(q, 33, 7), 33);
	T_EQ(cstats(&c, 2).blocks_used, 1);
	T_EQ(cstats(&c, 3).blocks_used, 5);
	T_EQ(stats(&c).used_pages, 4);
	T_EQ(stats(&c).realloc_calls, 1);
	/* A block that still fits its class stays put. */
	T_ASSERT(pgclass_realloc(c.pool, d[0], 120) == d[0]);
	T_ASSERT(pgclass_realloc(c.pool, e, 1000) == e);
	T_OK(check_pool(&c));
	return 0;
}

/* ---- classes ---- */

static int t_class_boundaries(const struct test_case *tc __maybe_unused)
{
	unsigned int shift = tc->page_shift;
	struct ctx c;
	size_t P, sizes[16];
	unsigned int i, n = 0;

	P = (size_t)1 << shift;
	sizes[n++] = 1;
	sizes[n++] = 16;
	sizes[n++] = 17;
	sizes[n++] = 32;
	sizes[n++] = 33;
	sizes[n++] = P / 4 + 1;
	sizes[n++] = P / 2;
	sizes[n++] = P / 2 + 1;
	sizes[n++] = P;
	sizes[n++] = P + 1;
	sizes[n++] = 2 * P;
	sizes[n++] = 2 * P + 1;
	sizes[n++] = 5 * P;
	sizes[n++] = 5 * P + 1;
	sizes[n++] = 9 * P - 1;
	for (i = 0; i < n; i++) {
		size_t size = sizes[i], want;
		struct pgclass_class_stats ca, cz;
		struct pgclass_stats a, z;
		unsigned int k;
		char *p;

		/* A fresh pool each: no spare page left by the last size. */
		T_OK(ctx_new(&c, 64, shift));
		want = usable_of(&c, size);
		k = class_of(&c, size);
		a = stats(&c);
		ca = cstats(&c, k);
		p = pgclass_alloc(c.pool, size);

		T_ASSERT(p);
		T_EQ(pgclass_usable_size(c.pool, p), want);
		z = stats(&c);
		cz = cstats(&c, k);
		T_EQ(cz.blocks_used, ca.blocks_used + 1);
		T_EQ(z.blocks, a.blocks + 1);
		T_EQ(z.bytes_allocated, a.bytes_allocated + want);
		if (size <= P / 2) {
			T_EQ(want, size <= 16 ? 16 : 1UL << (64 - __builtin_clzl(size - 1)));
			T_EQ(page_state(&c, ctx_page(&c, p)), PGCLASS_PAGE_SMALL);
			T_EQ(z.free_pages, a.free_pages - 1);
		} else if (size <= P) {
			T_EQ(page_state(&c, ctx_page(&c, p)), PGCLASS_PAGE_WHOLE);
			T_EQ(z.free_pages, a.free_pages - 1);
		} else {
			/* Exactly ceil(size / page) pages, no rounding. */
			size_t pages = (size + P - 1) / P;

			T_EQ(page_state(&c, ctx_page(&c, p)), PGCLASS_PAGE_HEAD);
			T_EQ(page_state(&c, ctx_page(&c, p) + pages - 1),
			     PGCLASS_PAGE_TAIL);
			T_ASSERT(page_state(&c, ctx_page(&c, p) + pages) !=
				 PGCLASS_PAGE_TAIL);
			T_EQ(z.free_pages, a.free_pages - pages);
			T_EQ(cz.pages, ca.pages + pages);
		}
		fill(p, size, i);
		T_OK(check_pool(&c));
		T_EQ(verify(p, size, i), size);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(check_pool(&c));
	}
	return 0;
}

static int t_alignment(const struct test_case *tc __maybe_unused)
{
	unsigned int shift = tc->page_shift, k;
	struct pgclass_stats a, z;
	size_t align, P;
	struct ctx c;
	char *p;

	T_OK(ctx_new(&c, 64, shift));
	P = c.page;
	for (k = 0; k < shift - 4; k++) {
		size_t bs = 16UL << k;
		unsigned int i;

		for (i = 0; i < 2 * (P / bs) + 1; i++) {
			p = pgclass_alloc(c.pool, bs / 2 + 1);
			T_ASSERT(p);
			T_EQ((unsigned long)p % bs, 0);
		}
	}
	p = pgclass_alloc(c.pool, P / 2 + 1);
	T_ASSERT(p);
	T_EQ((unsigned long)p % P, 0);
	p = pgclass_alloc(c.pool, 2 * P + 1);
	T_ASSERT(p);
	T_EQ((unsigned long)p % P, 0);

	/* pgclass_alloc_aligned(): every power of two up to the page. */
	for (align = 1; align <= P; align *= 2) {
		size_t sizes[] = { 1, align > 1 ? align - 1 : 1, align,
				   align + 1 };
		unsigned int i;

		for (i = 0; i < 4; i++) {
			a = stats(&c);
			p = pgclass_alloc_aligned(c.pool, sizes[i], align);
			T_ASSERT(p);
			T_EQ((unsigned long)p % align, 0);
			T_ASSERT(pgclass_usable_size(c.pool, p) >= sizes[i]);
			T_ASSERT(pgclass_usable_size(c.pool, p) >= align);
			z = stats(&c);
			T_EQ(z.alloc_calls, a.alloc_calls + 1);
			T_EQ(pgclass_free(c.pool, p), 0);
		}
	}
	/* Not a power of two, or above the page: NULL, a failed call. */
	{
		size_t bad[] = { 0, 3, 24, 2 * P, 4 * P };
		unsigned int i;

		for (i = 0; i < 5; i++) {
			a = stats(&c);
			T_ASSERT(!pgclass_alloc_aligned(c.pool, 100, bad[i]));
			z = stats(&c);
			T_EQ(z.alloc_calls, a.alloc_calls + 1);
			T_EQ(z.failed_calls, a.failed_calls + 1);
			T_EQ(z.blocks, a.blocks);
		}
		a = stats(&c);
		T_ASSERT(!pgclass_alloc_aligned(c.pool, 0, 16));
		T_ASSERT(!pgclass_alloc(c.pool, 0));
		z = stats(&c);
		T_EQ(z.alloc_calls, a.alloc_calls + 2);
		T_EQ(z.failed_calls, a.failed_calls);
	}
	T_OK(check_pool(&c));
	return 0;
}

/* ---- exhaustion ---- */

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
	st = stats(&c);
	T_EQ(st.free_pages, 0);
	T_EQ(st.failed_calls, 1);
	T_EQ(st.blocks, n);
	T_ASSERT(!pgclass_alloc(c.pool, 4096));
	T_ASSERT(!pgclass_alloc(c.pool, 8192));
	T_ASSERT(!pgclass_alloc(c.pool, 32));
	T_EQ(stats(&c).failed_calls, 4);
	T_OK(check_pool(&c));
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	st = stats(&c);
	T_EQ(st.blocks, 0);
	T_EQ(st.free_pages, c.data_pages - 1);	/* one spare */
	T_EQ(cstats(&c, 0).pages, 1);
	T_EQ(st.peak_used_pages, c.data_pages);
	T_OK(check_pool(&c));

	/* The whole data area in one block: the spare is taken back. */
	big = pgclass_alloc(c.pool, c.data_pages * c.page);
	T_ASSERT(big);
	T_EQ(ctx_page(&c, big), c.meta);
	T_EQ(cstats(&c, 0).pages, 0);
	T_EQ(stats(&c).free_pages, 0);
	T_ASSERT(!pgclass_alloc(c.pool, 1));
	T_EQ(pgclass_free(c.pool, big), 0);
	T_EQ(stats(&c).free_pages, c.data_pages);
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
	T_EQ(stats(&c).free_pages, c.data_pages % 3);
	T_OK(check_pool(&c));
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, v[i]), 0);
	T_EQ(stats(&c).free_pages, c.data_pages);
	T_OK(check_pool(&c));
	free(v);
	return 0;
}

/* ---- bad frees ---- */

enum bad_kind {
	BAD_BELOW,
	BAD_BEYOND,
	BAD_FAR,
	BAD_META,
	BAD_SMALL_INSIDE,
	BAD_SMALL_MISALIGNED,
	BAD_SMALL_DOUBLE,
	BAD_SPARE,
	BAD_FREE_PAGE,
	BAD_TAIL,
	BAD_MULTI_INSIDE,
	BAD_WHOLE_INSIDE,
	BAD_WHOLE_DOUBLE,
	BAD_MULTI_DOUBLE,
	BAD_STALE,
};

struct bad_fixture {
	struct ctx c;
	char *small, *small2, *whole, *multi, *spare, *freep;
};

static int bad_setup(struct bad_fixture *b, unsigned int shift)
{
	struct ctx *c = &b->c;
	struct snap *s;
	size_t i;

	T_OK(ctx_new(c, 64, shift));
	b->small = pgclass_alloc(c->pool, 40);
	b->small2 = pgclass_alloc(c->pool, 40);
	b->whole = pgclass_alloc(c->pool, c->page);
	b->multi = pgclass_alloc(c->pool, 3 * c->page);
	b->spare = pgclass_alloc(c->pool, 16);
	T_ASSERT(b->small && b->small2 && b->whole && b->multi && b->spare);
	T_EQ(pgclass_free(c->pool, b->spare), 0);
	fill(b->small, 64, 1);
	fill(b->small2, 64, 2);
	fill(b->whole, c->page, 3);
	fill(b->multi, 3 * c->page, 4);
	s = snap_take(c);
	b->freep = NULL;
	for (i = 0; i < s->nr_ext; i++)
		if (s->ext[i].state == PGCLASS_PAGE_FREE && !b->freep)
			b->freep = ctx_addr(c, s->ext[i].first);
	snap_free(s);
	T_ASSERT(b->freep);
	return 0;
}

static int bad_live_intact(struct bad_fixture *b)
{
	struct ctx *c = &b->c;

	T_EQ(pgclass_usable_size(c->pool, b->small), 64);
	T_EQ(pgclass_usable_size(c->pool, b->whole), c->page);
	T_EQ(pgclass_usable_size(c->pool, b->multi), 3 * c->page);
	T_EQ(verify(b->small, 64, 1), 64);
	T_EQ(verify(b->whole, c->page, 3), c->page);
	T_EQ(verify(b->multi, 3 * c->page, 4), 3 * c->page);
	if (b->small2)
		T_EQ(verify(b->small2, 64, 2), 64);
	return 0;
}

/* free(@p) and realloc(@p) are refused, warn with @p's offset, change nothing. */
static int expect_refused(struct bad_fixture *b, const void *p)
{
	struct ctx *c = &b->c;
	unsigned long w = shim_warnings;
	long off = (long)((const char *)p - c->base);
	long span = (long)(c->nr_pages * c->page);
	struct snap *s0, *s1;
	char want[64];

	/* Far from the pool, an offset would tell the pool's address. */
	if (off < -span || off > 2 * span)
		snprintf(want, sizeof(want), "far from the pool:");
	else if (off < 0)
		snprintf(want, sizeof(want), "offset -%#lx:", -off);
	else
		snprintf(want, sizeof(want), "offset %#lx:", off);
	s0 = snap_take(c);
	T_EQ(pgclass_free(c->pool, (void *)p), -EINVAL_);
	s1 = snap_take(c);
	T_OK(snap_same(s0, s1));
	T_EQ(s1->st.free_calls, s0->st.free_calls + 1);
	T_EQ(s1->st.failed_calls, s0->st.failed_calls + 1);
	T_EQ(s1->st.alloc_calls, s0->st.alloc_calls);
	T_EQ(shim_warnings, w + 1);
	T_ASSERT(strstr(shim_last_warning, want));
	T_ASSERT(strstr(shim_last_warning, "pgclass: free: bad pointer"));
	snap_free(s1);

	T_ASSERT(!pgclass_realloc(c->pool, (void *)p, 100));
	s1 = snap_take(c);
	T_OK(snap_same(s0, s1));
	T_EQ(s1->st.realloc_calls, s0->st.realloc_calls + 1);
	T_EQ(s1->st.failed_calls, s0->st.failed_calls + 2);
	T_EQ(shim_warnings, w + 2);
	T_ASSERT(strstr(shim_last_warning, want));
	T_EQ(pgclass_usable_size(c->pool, p), 0);
	snap_free(s1);
	snap_free(s0);
	T_OK(check_pool(c));
	return bad_live_intact(b);
}

static int t_bad_free(const struct test_case *tc __maybe_unused)
{
	struct bad_fixture b;
	struct ctx *c = &b.c;
	size_t P;

	T_OK(bad_setup(&b, tc->page_shift));
	P = c->page;
	switch (tc->arg) {
	case BAD_BELOW:
		T_OK(expect_refused(&b, (char *)((unsigned long)c->base - 16)));
		T_OK(expect_refused(&b, (char *)((unsigned long)c->base - P)));
		break;
	case BAD_BEYOND:
		T_OK(expect_refused(&b, c->base + c->nr_pages * P));
		T_OK(expect_refused(&b, c->base + c->nr_pages * P + 4096));
		break;
	case BAD_FAR:
		T_OK(expect_refused(&b, (void *)16));
		T_ASSERT(!strstr(shim_last_warning, "offset"));
		T_OK(expect_refused(&b, c->base + 3 * c->nr_pages * P));
		T_ASSERT(!strstr(shim_last_warning, "offset"));
		break;
	case BAD_META:
		T_OK(expect_refused(&b, c->base));
		T_OK(expect_refused(&b, c->base + 64));
		T_OK(expect_refused(&b, ctx_addr(c, c->meta) - 16));
		break;
	case BAD_SMALL_INSIDE:
		T_OK(expect_refused(&b, b.small + 8));
		T_OK(expect_refused(&b, b.small + 63));
		break;
	case BAD_SMALL_MISALIGNED:
		T_OK(expect_refused(&b, b.small + 32));
		T_OK(expect_refused(&b, b.small2 + 16));
		break;
	case BAD_SMALL_DOUBLE:
		T_EQ(pgclass_free(c->pool, b.small2), 0);
		b.small2 = NULL;
		T_OK(expect_refused(&b, b.small + 64));
		break;
	case BAD_SPARE:
		T_EQ(cstats(c, 0).pages, 1);
		T_EQ(cstats(c, 0).blocks_used, 0);
		T_OK(expect_refused(&b, b.spare));
		T_OK(expect_refused(&b, b.spare + 16));
		break;
	case BAD_FREE_PAGE:
		T_OK(expect_refused(&b, b.freep));
		T_OK(expect_refused(&b, b.freep + P / 2));
		T_OK(expect_refused(&b, b.freep + P));
		break;
	case BAD_TAIL:
		T_OK(expect_refused(&b, b.multi + 2 * P));
		T_OK(expect_refused(&b, b.multi + 2 * P + 16));
		break;
	case BAD_MULTI_INSIDE:
		T_OK(expect_refused(&b, b.multi + P));
		T_OK(expect_refused(&b, b.multi + 16));
		T_OK(expect_refused(&b, b.multi + P / 2));
		break;
	case BAD_WHOLE_INSIDE:
		T_OK(expect_refused(&b, b.whole + 16));
		T_OK(expect_refused(&b, b.whole + P / 2));
		break;
	case BAD_WHOLE_DOUBLE: {
		char *w2 = pgclass_alloc(c->pool, P);

		T_ASSERT(w2);
		T_EQ(pgclass_free(c->pool, w2), 0);
		T_OK(expect_refused(&b, w2));
		break;
	}
	case BAD_MULTI_DOUBLE: {
		char *m2 = pgclass_alloc(c->pool, 4 * P);

		T_ASSERT(m2);
		T_EQ(pgclass_free(c->pool, m2), 0);
		T_OK(expect_refused(&b, m2));
		T_OK(expect_refused(&b, m2 + P));
		T_OK(expect_refused(&b, m2 + 3 * P));
		break;
	}
	case BAD_STALE: {
		/*
		 * Three whole pages freed so that the middle one ends up
		 * inside a free run, then a three-page block over them: the
		 * middle page's descriptor is never written again, and must
		 * not let a free of that page (or the old block) through.
		 */
		char *w[3], *rest, *m, *s16;
		unsigned int i;

		/* Take the 16 B class's spare, so that only ours is reclaimed. */
		s16 = pgclass_alloc(c->pool, 16);
		T_ASSERT(s16 == b.spare);
		for (i = 0; i < 3; i++)
			w[i] = pgclass_alloc(c->pool, P);
		rest = pgclass_alloc(c->pool, stats(c).free_pages * P);
		T_ASSERT(w[0] && w[1] && w[2] && rest);
		T_ASSERT(w[1] == w[0] + P && w[2] == w[1] + P);
		T_EQ(pgclass_free(c->pool, w[0]), 0);
		T_EQ(pgclass_free(c->pool, w[2]), 0);
		T_EQ(pgclass_free(c->pool, w[1]), 0);
		m = pgclass_alloc(c->pool, 3 * P);
		T_ASSERT(m == w[0]);
		T_OK(expect_refused(&b, w[1]));
		T_OK(expect_refused(&b, w[2]));
		T_EQ(pgclass_free(c->pool, m), 0);
		/* And the same with a small page in the middle. */
		w[0] = pgclass_alloc(c->pool, P);
		w[1] = pgclass_alloc(c->pool, 100);
		w[2] = pgclass_alloc(c->pool, P);
		T_ASSERT(w[1] == w[0] + P && w[2] == w[1] + P);
		T_EQ(pgclass_free(c->pool, w[0]), 0);
		T_EQ(pgclass_free(c->pool, w[2]), 0);
		T_EQ(pgclass_free(c->pool, w[1]), 0);	/* spare */
		m = pgclass_alloc(c->pool, 3 * P);	/* takes the spare */
		T_ASSERT(m == w[0]);
		T_OK(expect_refused(&b, w[1]));
		T_EQ(pgclass_free(c->pool, s16), 0);
		break;
	}
	default:
		T_ASSERT(!"unknown bad kind");
	}
	/* The live blocks still free, and then the pool is empty. */
	T_EQ(pgclass_free(c->pool, b.small), 0);
	if (b.small2)
		T_EQ(pgclass_free(c->pool, b.small2), 0);
	T_EQ(pgclass_free(c->pool, b.whole), 0);
	T_EQ(pgclass_free(c->pool, b.multi), 0);
	T_OK(check_pool(c));
	return 0;
}

static int t_free_null(const struct test_case *tc __maybe_unused)
{
	struct pgclass_stats a, z;
	struct ctx c;

	T_OK(ctx_new(&c, 16, 12));
	a = stats(&c);
	T_EQ(pgclass_free(c.pool, NULL), 0);
	T_EQ(pgclass_usable_size(c.pool, NULL), 0);
	z = stats(&c);
	T_ASSERT(!memcmp(&a, &z, sizeof(a)));
	T_EQ(shim_warnings, 0);
	return 0;
}

/* ---- realloc ---- */

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
		a = stats(&c);
		q = pgclass_realloc(c.pool, p, to);
		T_ASSERT(q);
		z = stats(&c);
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
		T_EQ(cstats(&c, class_of(&c, to)).blocks_used, 1);
		T_OK(check_pool(&c));
		T_EQ(pgclass_free(c.pool, q), 0);
		T_OK(check_pool(&c));
	}
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
	a = stats(&c);
	q = pgclass_realloc(c.pool, A, 2 * P + 1);
	T_ASSERT(q == A);
	z = stats(&c);
	T_EQ(z.free_pages, a.free_pages + 3);
	T_EQ(cstats(&c, 9).pages, 3);
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
	T_EQ(stats(&c).free_pages, c.data_pages);
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
	T_EQ(cstats(&c, 9).pages, 5);
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
	T_EQ(cstats(&c, 8).blocks_used, 0);
	T_EQ(cstats(&c, 9).blocks_used, 1);
	T_EQ(verify(W, P, 7), P);
	/* ...and shrinks back to a whole page in place. */
	q = pgclass_realloc(c.pool, W, P);
	T_ASSERT(q == W);
	T_EQ(page_state(&c, ctx_page(&c, W)), PGCLASS_PAGE_WHOLE);
	T_EQ(cstats(&c, 8).blocks_used, 1);
	T_EQ(cstats(&c, 9).pages, 0);
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
	a = stats(&c);
	p = pgclass_realloc(c.pool, NULL, 100);
	T_ASSERT(p);
	T_EQ(pgclass_usable_size(c.pool, p), 128);
	T_ASSERT(!pgclass_realloc(c.pool, NULL, 0));
	z = stats(&c);
	T_EQ(z.realloc_calls, a.realloc_calls + 2);
	T_EQ(z.alloc_calls, a.alloc_calls);
	T_EQ(z.failed_calls, 0);
	T_EQ(z.blocks, 1);
	T_ASSERT(!pgclass_realloc(c.pool, p, 0));
	z = stats(&c);
	T_EQ(z.blocks, 0);
	T_EQ(z.failed_calls, 0);
	T_EQ(z.free_calls, 0);
	T_EQ(pgclass_usable_size(c.pool, p), 0);
	/* realloc(NULL) of too much: NULL and a failed call. */
	T_ASSERT(!pgclass_realloc(c.pool, NULL, 1000 * c.page));
	T_EQ(stats(&c).failed_calls, 1);
	T_EQ(shim_warnings, 0);
	T_OK(check_pool(&c));
	return 0;
}

/* ---- free runs ---- */

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
	T_EQ(stats(&c).free_pages, c.data_pages);
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
	T_EQ(stats(&c).free_pages, 0);
	T_OK(check_pool(&c));
	return 0;
}

static int t_spare_page(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	char *A[256], *b, *p;
	unsigned int i;

	/* The shared path's spares: no CPU slot in the way. */
	T_OK(ctx_new_cpus(&c, 16, 12, 0));
	for (i = 0; i < 256; i++)
		T_ASSERT((A[i] = pgclass_alloc(c.pool, 16)));
	b = pgclass_alloc(c.pool, 16);
	T_ASSERT(b && ctx_page(&c, b) == ctx_page(&c, A[0]) + 1);
	T_EQ(cstats(&c, 0).pages, 2);
	/* The second page empties: it stays, as the class's spare. */
	T_EQ(pgclass_free(c.pool, b), 0);
	T_EQ(cstats(&c, 0).pages, 2);
	T_EQ(page_state(&c, ctx_page(&c, b)), PGCLASS_PAGE_SMALL);
	/* A block frees in the full page: the next block goes there. */
	T_EQ(pgclass_free(c.pool, A[7]), 0);
	p = pgclass_alloc(c.pool, 16);
	T_ASSERT(p == A[7]);
	T_EQ(pgclass_free(c.pool, A[7]), 0);
	/* The first page empties too: the class has a spare, so it goes. */
	for (i = 0; i < 256; i++)
		if (i != 7)
			T_EQ(pgclass_free(c.pool, A[i]), 0);
	T_EQ(cstats(&c, 0).pages, 1);
	T_EQ(page_state(&c, ctx_page(&c, A[0])), PGCLASS_PAGE_FREE);
	T_EQ(stats(&c).used_pages, 1);
	T_OK(check_pool(&c));
	/* The spare serves the next block without a new page. */
	p = pgclass_alloc(c.pool, 10);
	T_ASSERT(ctx_page(&c, p) == ctx_page(&c, b));
	T_EQ(stats(&c).used_pages, 1);
	T_EQ(pgclass_free(c.pool, p), 0);
	/*
	 * A page that empties while another of its class is partly used
	 * becomes the spare too, from anywhere on the list: the full page
	 * fills again, frees a block (now the list's head) and empties.
	 */
	for (i = 0; i < 256; i++)
		T_ASSERT((A[i] = pgclass_alloc(c.pool, 16)));
	T_ASSERT(ctx_page(&c, A[0]) == ctx_page(&c, b));
	T_ASSERT((p = pgclass_alloc(c.pool, 16)));
	T_ASSERT((b = pgclass_alloc(c.pool, 16)));
	T_ASSERT(ctx_page(&c, p) == ctx_page(&c, b));
	T_ASSERT(ctx_page(&c, p) != ctx_page(&c, A[0]));
	for (i = 0; i < 256; i++)
		T_EQ(pgclass_free(c.pool, A[i]), 0);
	T_EQ(cstats(&c, 0).pages, 2);
	T_EQ(page_state(&c, ctx_page(&c, A[0])), PGCLASS_PAGE_SMALL);
	T_EQ(pgclass_free(c.pool, p), 0);
	T_EQ(pgclass_free(c.pool, b), 0);
	T_EQ(cstats(&c, 0).pages, 1);
	/* Each class keeps its own. */
	for (i = 0; i < 8; i++) {
		p = pgclass_alloc(c.pool, 16U << i);
		T_ASSERT(p);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_EQ(cstats(&c, i).pages, 1);
	}
	T_EQ(stats(&c).used_pages, 8);
	T_OK(check_pool(&c));
	return 0;
}

static int t_spare_reclaim(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	char *p, *w[16];
	unsigned int i, n;

	/* Spares are the shared path's: no CPU slot to keep the pages. */
	T_OK(ctx_new_cpus(&c, 16, 12, 0));
	T_EQ(c.data_pages, 15);
	for (i = 0; i < 8; i++) {
		p = pgclass_alloc(c.pool, 16U << i);
		T_ASSERT(p);
		T_EQ(pgclass_free(c.pool, p), 0);
	}
	T_EQ(stats(&c).used_pages, 8);
	/* The free pages go first, then the spares. */
	for (n = 0; n < 15; n++) {
		w[n] = pgclass_alloc(c.pool, c.page);
		if (!w[n])
			break;
	}
	T_EQ(n, 15);
	for (i = 0; i < 8; i++)
		T_EQ(cstats(&c, i).pages, 0);
	T_EQ(stats(&c).free_pages, 0);
	for (i = 0; i < n; i++)
		T_EQ(pgclass_free(c.pool, w[i]), 0);
	/* A fully freed pool serves its whole data area again. */
	for (i = 0; i < 8; i++) {
		p = pgclass_alloc(c.pool, 16U << i);
		T_ASSERT(p);
		T_EQ(pgclass_free(c.pool, p), 0);
	}
	p = pgclass_alloc(c.pool, 15 * c.page);
	T_ASSERT(p);
	T_EQ(pgclass_free(c.pool, p), 0);
	T_OK(check_pool(&c));
	return 0;
}

/* ---- queries ---- */

static int t_usable_size(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	char *s, *w, *m;

	T_OK(ctx_new(&c, 16, 12));
	s = pgclass_alloc(c.pool, 300);
	w = pgclass_alloc(c.pool, 3000);
	m = pgclass_alloc(c.pool, 3 * 4096 + 5);
	T_EQ(pgclass_usable_size(c.pool, s), 512);
	T_EQ(pgclass_usable_size(c.pool, w), 4096);
	T_EQ(pgclass_usable_size(c.pool, m), 4 * 4096);
	T_EQ(pgclass_usable_size(c.pool, s + 512), 0);
	T_EQ(pgclass_usable_size(c.pool, s + 1), 0);
	T_EQ(pgclass_usable_size(c.pool, m + 4096), 0);
	T_EQ(pgclass_usable_size(c.pool, c.base), 0);
	T_EQ(pgclass_free(c.pool, s), 0);
	T_EQ(pgclass_usable_size(c.pool, s), 0);
	T_EQ(shim_warnings, 0);	/* queries do not warn */
	return 0;
}

static int t_destroy(const struct test_case *tc __maybe_unused)
{
	struct ctx c;
	unsigned int i;

	T_EQ(pgclass_pool_destroy(NULL), 0);
	T_OK(ctx_new(&c, 16, 12));
	for (i = 0; i < 3; i++)
		T_ASSERT(pgclass_alloc(c.pool, 100 << (i * 4)));
	T_EQ(pgclass_pool_destroy(c.pool), 3);
	T_EQ(shim_warnings, 1);
	T_ASSERT(strstr(shim_last_warning, "3 blocks"));
	T_OK(ctx_new(&c, 16, 12));
	T_EQ(pgclass_pool_destroy(c.pool), 0);
	T_EQ(shim_warnings, 1);
	return 0;
}

struct walk_count {
	unsigned int calls, stop_at, locked;
};

static int count_cb(void *data, const struct pgclass_extent *ext)
{
	struct walk_count *w = data;

	(void)ext;
	w->locked += shim_lock_depth > 0;
	if (++w->calls == w->stop_at)
		return 42;
	return 0;
}

static int t_walk(const struct test_case *tc __maybe_unused)
{
	struct walk_count w = { 0, 0, 0 };
	unsigned long pos = 0;
	struct ctx c;
	struct snap *s;
	unsigned int i;

	T_OK(ctx_new(&c, 32, 12));
	for (i = 0; i < 6; i++)
		T_ASSERT(pgclass_alloc(c.pool, (size_t)1000 << i));
	s = snap_take(&c);
	T_EQ(s->nr_ext, 8);
	T_EQ(pgclass_walk(c.pool, count_cb, &w), 0);
	T_EQ(w.calls, s->nr_ext);
	T_EQ(w.locked, w.calls);	/* called under the pool's lock */
	w = (struct walk_count){ 0, 3, 0 };
	T_EQ(pgclass_walk(c.pool, count_cb, &w), 42);
	T_EQ(w.calls, 3);
	T_EQ(shim_lock_depth, 0);
	/* Stopped, it resumes where it stopped, up to the end. */
	w = (struct walk_count){ 0, 3, 0 };
	T_EQ(pgclass_walk_from(c.pool, &pos, count_cb, &w), 42);
	T_EQ(pos, s->ext[3].first);
	w.stop_at = 0;
	T_EQ(pgclass_walk_from(c.pool, &pos, count_cb, &w), 0);
	T_EQ(w.calls, s->nr_ext);
	T_EQ(pos, c.nr_pages);
	snap_free(s);
	return 0;
}

/* The walk's pool, and what the hook does between two of its chunks. */
static struct ctx *walk_ctx;
static char *walk_pages[600];

/* Pages 250-260 become one 11-page block: the walk resumes inside it. */
static void walk_change(void)
{
	unsigned int i;

	for (i = 250; i <= 260; i++)
		T_EQ(pgclass_free(walk_ctx->pool, walk_pages[i]), 0);
	T_ASSERT(pgclass_alloc(walk_ctx->pool, 11 * walk_ctx->page) ==
		 walk_pages[250]);
}

static int chunk_cb(void *data, const struct pgclass_extent *ext)
{
	struct snap *s = data;

	T_ASSERT(shim_lock_depth > 0);
	if (s->nr_ext < 700)
		s->ext[s->nr_ext++] = *ext;
	return 0;
}

/*
 * A walk holds the pool lock for bounded chunks: a pool of 600 whole
 * pages takes three.  When the pool changes between two chunks, the
 * walk resumes where it was: inside a new block, it reports the rest of
 * that block as one TAIL extent, and the extents still tile the pool.
 */
static int t_walk_chunks(const struct test_case *tc __maybe_unused)
{
	unsigned long locks, i, next = 0, tails = 0;
	struct snap s = { 0 };
	struct ctx c;

	T_OK(ctx_new_cpus(&c, 606, 12, 0));
	T_EQ(c.data_pages, 600);
	for (i = 0; i < 600; i++)
		T_ASSERT((walk_pages[i] = pgclass_alloc(c.pool, c.page)));
	s.ext = calloc(700, sizeof(*s.ext));
	T_ASSERT(s.ext);
	locks = shim_lock_count;
	T_EQ(pgclass_walk(c.pool, chunk_cb, &s), 0);
	T_EQ(s.nr_ext, 601);
	/* At most 256 extents a hold after the metadata's: 3 holds. */
	T_EQ(shim_lock_count - locks, 3);
	/* Again, changing the pool after the first chunk. */
	walk_ctx = &c;
	s.nr_ext = 0;
	shim_unlock_hook = walk_change;
	T_EQ(pgclass_walk(c.pool, chunk_cb, &s), 0);
	T_ASSERT(!shim_unlock_hook);
	for (i = 0; i < s.nr_ext; i++) {
		T_EQ(s.ext[i].first, next);
		next += s.ext[i].nr_pages;
		if (s.ext[i].state == PGCLASS_PAGE_TAIL) {
			/* The rest of the new block, from where it resumed. */
			T_EQ(s.ext[i].first, c.meta + 256);
			T_EQ(next, c.meta + 261);
			tails++;
		}
	}
	T_EQ(tails, 1);
	T_EQ(next, 606);
	T_EQ(page_state(&c, c.meta + 250), PGCLASS_PAGE_HEAD);
	T_OK(check_pool(&c));
	free(s.ext);
	return 0;
}

/* ---- poison ---- */

enum uaf_kind {
	UAF_SMALL,
	UAF_WHOLE,
	UAF_MULTI,
	UAF_SHRUNK,
	UAF_NEVER,
};

/*
 * Read *@p in a child process, which ASan must stop with a report of a
 * use-after-poison: the hooks of pgclass_poison.h at work.
 */
static int expect_asan_report(const char *p)
{
	char buf[8192], drain[512];
	size_t len = 0;
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	T_EQ(pipe(fd), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		dup2(fd[1], STDERR_FILENO);
		/* The value is used, so the load stays. */
		_exit(*p == 1);
	}
	close(fd[1]);
	for (;;) {
		if (len < sizeof(buf) - 1)
			n = read(fd[0], buf + len, sizeof(buf) - 1 - len);
		else
			n = read(fd[0], drain, sizeof(drain));
		if (n <= 0)
			break;
		if (len < sizeof(buf) - 1)
			len += n;
	}
	close(fd[0]);
	buf[len] = 0;
	T_EQ(waitpid(pid, &status, 0), pid);
	T_ASSERT(strstr(buf, "AddressSanitizer: use-after-poison"));
	return 0;
}

static int t_use_after_free(const struct test_case *tc)
{
	char *p, *live;
	struct ctx c;
	size_t P;

	T_OK(ctx_new(&c, 32, tc->page_shift));
	P = c.page;
	switch (tc->arg) {
	case UAF_SMALL:		/* its neighbour in the page stays live */
		p = pgclass_alloc(c.pool, 40);
		live = pgclass_alloc(c.pool, 40);
		T_ASSERT(p && live && ctx_page(&c, p) == ctx_page(&c, live));
		memset(live, 1, 64);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(expect_asan_report(p + 20));
		break;
	case UAF_WHOLE:
		p = pgclass_alloc(c.pool, P);
		T_ASSERT(p);
		memset(p, 1, P);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(expect_asan_report(p + P - 1));
		break;
	case UAF_MULTI:
		p = pgclass_alloc(c.pool, 3 * P);
		T_ASSERT(p);
		memset(p, 1, 3 * P);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(expect_asan_report(p + 2 * P + 5));
		break;
	case UAF_SHRUNK:	/* the two pages given up, not the two kept */
		p = pgclass_alloc(c.pool, 4 * P);
		T_ASSERT(p);
		T_ASSERT(pgclass_realloc(c.pool, p, P + 1) == p);
		memset(p, 1, 2 * P);
		T_OK(expect_asan_report(p + 2 * P));
		T_OK(expect_asan_report(p + 4 * P - 1));
		break;
	case UAF_NEVER:		/* a free page of a new pool */
		T_OK(expect_asan_report(ctx_addr(&c, c.nr_pages - 1)));
		break;
	}
	T_OK(check_pool(&c));
	return 0;
}

/* ---- the allocator's trace ---- */

static int t_metadata_only(const struct test_case *tc __maybe_unused)
{
	size_t P = 4096, size = 64 * P, data;
	struct pgclass_pool *pool;
	char *base, *m, *w, *q;
	void *v[600];
	unsigned int i, k;
	struct pgclass_stats st;

	if (sysconf(_SC_PAGESIZE) != 4096) {
		printf("# host page size is not 4 KiB: skipped\n");
		return 0;
	}
	base = test_region_mmap(size);
	pool = pgclass_pool_create(base, size, 12);
	T_ASSERT(pool);
	pgclass_get_stats(pool, &st);
	data = (size_t)st.meta_pages * P;
	/* From here on, touching a data page is a SIGSEGV. */
	T_EQ(mprotect(base + data, size - data, PROT_NONE), 0);
	for (k = 0; k < 8; k++) {
		unsigned int n = 30 * (4096 >> (4 + k));

		n = n < 600 ? n : 600;
		for (i = 0; i < n; i++)
			T_ASSERT((v[i] = pgclass_alloc(pool, 16U << k)));
		for (i = 0; i < n; i += 2)
			T_EQ(pgclass_free(pool, v[i]), 0);
		for (i = 1; i < n; i += 2)
			T_ASSERT(pgclass_realloc(pool, v[i], 12U << k) == v[i]);
		for (i = 1; i < n; i += 2)
			T_EQ(pgclass_free(pool, v[i]), 0);
	}
	/* The slot keeps a page per class: the runs below need them back. */
	pgclass_drain(pool);
	w = pgclass_alloc(pool, P);
	m = pgclass_alloc(pool, 5 * P);
	T_ASSERT(w && m);
	T_ASSERT(pgclass_realloc(pool, m, 3 * P) == m);
	T_ASSERT(pgclass_realloc(pool, m, 7 * P) == m);
	T_ASSERT(pgclass_realloc(pool, m, P) == m);
	T_ASSERT(pgclass_realloc(pool, w, P / 2 + 1) == w);
	T_EQ(pgclass_free(pool, m + 16), -EINVAL_);
	T_EQ(pgclass_free(pool, w), 0);
	T_EQ(pgclass_free(pool, m), 0);
	q = pgclass_alloc(pool, size - data);
	T_ASSERT(q);
	T_EQ(pgclass_free(pool, q), 0);
	T_EQ(mprotect(base + data, size - data, PROT_READ | PROT_WRITE), 0);
	pgclass_get_stats(pool, &st);
	T_EQ(st.blocks, 0);
	return 0;
}

/* ---- threads on one pool ---- */

struct thread_arg {
	struct pgclass_pool *pool;
	unsigned long id;
	int failed;
};

static void *thread_fn(void *data)
{
	struct thread_arg *t = data;
	struct { char *p; size_t n; unsigned long id; } live[64];
	unsigned long i, tag = t->id << 32;
	unsigned int nlive = 0;
	struct rng r;

	memset(live, 0, sizeof(live));
	rng_seed(&r, test_seed + t->id);
	for (i = 0; i < 40000 && !t->failed; i++) {
		unsigned int j = rng_below(&r, 64);
		size_t n;

		if (live[j].p) {
			if (verify(live[j].p, live[j].n, live[j].id) != live[j].n ||
			    pgclass_free(t->pool, live[j].p))
				t->failed = 1;
			live[j].p = NULL;
			nlive--;
			continue;
		}
		n = 1 + rng_below(&r, rng_below(&r, 4) ? 600 : 12000);
		live[j].p = pgclass_alloc(t->pool, n);
		if (!live[j].p)
			continue;
		live[j].n = n;
		live[j].id = tag | i;
		fill(live[j].p, n, live[j].id);
		nlive++;
	}
	for (i = 0; i < 64; i++) {
		if (!live[i].p)
			continue;
		if (verify(live[i].p, live[i].n, live[i].id) != live[i].n ||
		    pgclass_free(t->pool, live[i].p))
			t->failed = 1;
	}
	(void)nlive;
	return NULL;
}

static int t_threads(const struct test_case *tc __maybe_unused)
{
	struct thread_arg args[4];
	pthread_t th[4];
	struct ctx c;
	unsigned int i;

	T_OK(ctx_new(&c, 512, 12));
	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ c.pool, i + 1, 0 };
		T_EQ(pthread_create(&th[i], NULL, thread_fn, &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		T_EQ(pthread_join(th[i], NULL), 0);
		T_EQ(args[i].failed, 0);
	}
	T_EQ(stats(&c).blocks, 0);
	T_EQ(stats(&c).failed_calls, 0);
	T_OK(check_pool(&c));
	return 0;
}

const struct test_case unit_tests[] = {
	{ "create: rejects bad bases, page shifts and sizes", t_create_rejects, 0, 0 },
	{ "create: metadata at most 1% of the region at 4 KiB pages", t_meta_budget, 0, 0 },
	{ "create: every page_shift 9..16 serves every class", t_every_shift, 0, 0 },
	{ "lab example 10, 33, 69, 100x5, 560 B at 4 KiB: pages, blocks, stats",
	  t_lab_example, 12, 0 },
	{ "class boundaries 16/17, page/2, page, n pages (+1)", t_class_boundaries, EACH_SHIFT, 0 },
	{ "alignment of every class, and pgclass_alloc_aligned()", t_alignment, EACH_SHIFT, 0 },
	{ "exhaustion and recovery: 16 B, page and 3-page blocks", t_exhaustion, 12, 0 },
	{ "bad free below the pool", t_bad_free, EACH_SHIFT, BAD_BELOW },
	{ "bad free beyond the pool", t_bad_free, 12, BAD_BEYOND },
	{ "bad free far from the pool: warned without its offset", t_bad_free, 12,
	  BAD_FAR },
	{ "bad free in the metadata pages", t_bad_free, 12, BAD_META },
	{ "bad free inside a small block", t_bad_free, EACH_SHIFT, BAD_SMALL_INSIDE },
	{ "bad free at a smaller class's offset", t_bad_free, 12, BAD_SMALL_MISALIGNED },
	{ "bad free: double free of a small block", t_bad_free, EACH_SHIFT, BAD_SMALL_DOUBLE },
	{ "bad free in a class's spare empty page", t_bad_free, 12, BAD_SPARE },
	{ "bad free in a free page", t_bad_free, EACH_SHIFT, BAD_FREE_PAGE },
	{ "bad free at a multi-page block's tail page", t_bad_free, 12, BAD_TAIL },
	{ "bad free inside a multi-page block", t_bad_free, EACH_SHIFT, BAD_MULTI_INSIDE },
	{ "bad free inside a whole page", t_bad_free, 12, BAD_WHOLE_INSIDE },
	{ "bad free: double free of a whole page", t_bad_free, 12, BAD_WHOLE_DOUBLE },
	{ "bad free: double free of a multi-page block", t_bad_free, 12, BAD_MULTI_DOUBLE },
	{ "bad free at stale descriptors inside a multi-page block", t_bad_free,
	  EACH_SHIFT, BAD_STALE },
	{ "free(NULL) is a no-op and not counted", t_free_null, 12, 0 },
	{ "realloc across every class transition, contents kept",
	  t_realloc_transitions, EACH_SHIFT, 0 },
	{ "realloc shrinks a multi-page block in place, tail coalesced", t_realloc_shrink, 12, 0 },
	{ "realloc grows in place over the next free run, else moves", t_realloc_grow, 12, 0 },
	{ "realloc: a failed grow changes nothing, a shrink never fails",
	  t_realloc_failure, 12, 0 },
	{ "realloc(NULL) allocates, realloc(p, 0) frees", t_realloc_null_zero, 12, 0 },
	{ "coalescing: pages freed in random order make one run", t_coalescing, EACH_SHIFT, 0 },
	{ "TLSF: a run of exactly the size asked for is found", t_exact_fit, 12, 0 },
	{ "spare page: one empty page per class, the next goes back", t_spare_page, 12, 0 },
	{ "spare pages are taken back when nothing else fits", t_spare_reclaim, 12, 0 },
	{ "usable_size of each kind of block, 0 for the rest", t_usable_size, 12, 0 },
	{ "destroy returns the live blocks and warns about them", t_destroy, 12, 0 },
	{ "walk: bounded chunks, resumed inside what changed between them", t_walk_chunks, 0, 0 },
	{ "walk: extents in order, under the lock, stops on non-zero", t_walk, 12, 0 },
	{ "use after free is an ASan report: small block", t_use_after_free,
	  EACH_SHIFT, UAF_SMALL },
	{ "use after free is an ASan report: whole page", t_use_after_free, 12,
	  UAF_WHOLE },
	{ "use after free is an ASan report: multi-page block", t_use_after_free,
	  12, UAF_MULTI },
	{ "use after free is an ASan report: pages given up by a shrink",
	  t_use_after_free, 12, UAF_SHRUNK },
	{ "use of a new pool's free page is an ASan report", t_use_after_free,
	  12, UAF_NEVER },
	{ "small alloc/free and in-place realloc never touch data pages", t_metadata_only, 12, 0 },
	{ "four threads on one pool: real lock, contents intact", t_threads, 12, 0 },
};

const size_t nr_unit_tests = ARRAY_SIZE(unit_tests);
