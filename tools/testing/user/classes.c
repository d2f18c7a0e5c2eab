// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the size classes: the lab's example, which class and how
 * many pages a request gets at each boundary, alignment, usable sizes,
 * and the spare empty page a class keeps and gives back.
 */
#include <string.h>

#include "common.h"
#include "shim.h"

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
		cs = ctx_cstats(&c, k);
		T_EQ(cs.block_size, 16U << k);
		T_EQ(cs.pages, expect_pages[k]);
		T_EQ(cs.blocks_used, expect_used[k]);
		T_EQ(cs.blocks_total, expect_pages[k] * (4096 >> (4 + k)));
	}
	T_EQ(ctx_cstats(&c, 8).pages, 0);
	T_EQ(ctx_cstats(&c, 9).pages, 0);
	st = ctx_stats(&c);
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
	cs = ctx_cstats(&c, 2);
	T_EQ(cs.pages, 1);
	T_EQ(cs.blocks_used, 0);
	st = ctx_stats(&c);
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
	T_EQ(ctx_cstats(&c, 2).blocks_used, 1);
	T_EQ(ctx_cstats(&c, 3).blocks_used, 5);
	T_EQ(ctx_stats(&c).used_pages, 4);
	T_EQ(ctx_stats(&c).realloc_calls, 1);
	/* A block that still fits its class stays put. */
	T_ASSERT(pgclass_realloc(c.pool, d[0], 120) == d[0]);
	T_ASSERT(pgclass_realloc(c.pool, e, 1000) == e);
	T_OK(check_pool(&c));
	return 0;
}

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
		a = ctx_stats(&c);
		ca = ctx_cstats(&c, k);
		p = pgclass_alloc(c.pool, size);

		T_ASSERT(p);
		T_EQ(pgclass_usable_size(c.pool, p), want);
		z = ctx_stats(&c);
		cz = ctx_cstats(&c, k);
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
			a = ctx_stats(&c);
			p = pgclass_alloc_aligned(c.pool, sizes[i], align);
			T_ASSERT(p);
			T_EQ((unsigned long)p % align, 0);
			T_ASSERT(pgclass_usable_size(c.pool, p) >= sizes[i]);
			T_ASSERT(pgclass_usable_size(c.pool, p) >= align);
			z = ctx_stats(&c);
			T_EQ(z.alloc_calls, a.alloc_calls + 1);
			T_EQ(pgclass_free(c.pool, p), 0);
		}
	}
	/* Not a power of two, or above the page: NULL, a failed call. */
	{
		size_t bad[] = { 0, 3, 24, 2 * P, 4 * P };
		unsigned int i;

		for (i = 0; i < 5; i++) {
			a = ctx_stats(&c);
			T_ASSERT(!pgclass_alloc_aligned(c.pool, 100, bad[i]));
			z = ctx_stats(&c);
			T_EQ(z.alloc_calls, a.alloc_calls + 1);
			T_EQ(z.failed_calls, a.failed_calls + 1);
			T_EQ(z.blocks, a.blocks);
		}
		a = ctx_stats(&c);
		T_ASSERT(!pgclass_alloc_aligned(c.pool, 0, 16));
		T_ASSERT(!pgclass_alloc(c.pool, 0));
		z = ctx_stats(&c);
		T_EQ(z.alloc_calls, a.alloc_calls + 2);
		T_EQ(z.failed_calls, a.failed_calls);
	}
	T_OK(check_pool(&c));
	return 0;
}

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
	T_EQ(ctx_cstats(&c, 0).pages, 2);
	/* The second page empties: it stays, as the class's spare. */
	T_EQ(pgclass_free(c.pool, b), 0);
	T_EQ(ctx_cstats(&c, 0).pages, 2);
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
	T_EQ(ctx_cstats(&c, 0).pages, 1);
	T_EQ(page_state(&c, ctx_page(&c, A[0])), PGCLASS_PAGE_FREE);
	T_EQ(ctx_stats(&c).used_pages, 1);
	T_OK(check_pool(&c));
	/* The spare serves the next block without a new page. */
	p = pgclass_alloc(c.pool, 10);
	T_ASSERT(ctx_page(&c, p) == ctx_page(&c, b));
	T_EQ(ctx_stats(&c).used_pages, 1);
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
	T_EQ(ctx_cstats(&c, 0).pages, 2);
	T_EQ(page_state(&c, ctx_page(&c, A[0])), PGCLASS_PAGE_SMALL);
	T_EQ(pgclass_free(c.pool, p), 0);
	T_EQ(pgclass_free(c.pool, b), 0);
	T_EQ(ctx_cstats(&c, 0).pages, 1);
	/* Each class keeps its own. */
	for (i = 0; i < 8; i++) {
		p = pgclass_alloc(c.pool, 16U << i);
		T_ASSERT(p);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_EQ(ctx_cstats(&c, i).pages, 1);
	}
	T_EQ(ctx_stats(&c).used_pages, 8);
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
	T_EQ(ctx_stats(&c).used_pages, 8);
	/* The free pages go first, then the spares. */
	for (n = 0; n < 15; n++) {
		w[n] = pgclass_alloc(c.pool, c.page);
		if (!w[n])
			break;
	}
	T_EQ(n, 15);
	for (i = 0; i < 8; i++)
		T_EQ(ctx_cstats(&c, i).pages, 0);
	T_EQ(ctx_stats(&c).free_pages, 0);
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

const struct test_case classes_tests[] = {
	{ "lab example 10, 33, 69, 100x5, 560 B at 4 KiB: pages, blocks, stats",
	  t_lab_example, 12, 0 },
	{ "class boundaries 16/17, page/2, page, n pages (+1)", t_class_boundaries, EACH_SHIFT, 0 },
	{ "alignment of every class, and pgclass_alloc_aligned()", t_alignment, EACH_SHIFT, 0 },
	{ "spare page: one empty page per class, the next goes back", t_spare_page, 12, 0 },
	{ "spare pages are taken back when nothing else fits", t_spare_reclaim, 12, 0 },
	{ "usable_size of each kind of block, 0 for the rest", t_usable_size, 12, 0 },
};

const size_t nr_classes_tests = ARRAY_SIZE(classes_tests);
