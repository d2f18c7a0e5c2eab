// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of bad pointers: every kind of bad free (and realloc) is
 * refused with a warning that gives the pointer's offset, never the
 * pool's address, and changes nothing; free(NULL) is a no-op.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "shim.h"

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
		T_EQ(ctx_cstats(c, 0).pages, 1);
		T_EQ(ctx_cstats(c, 0).blocks_used, 0);
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
		rest = pgclass_alloc(c->pool, ctx_stats(c).free_pages * P);
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
	a = ctx_stats(&c);
	T_EQ(pgclass_free(c.pool, NULL), 0);
	T_EQ(pgclass_usable_size(c.pool, NULL), 0);
	z = ctx_stats(&c);
	T_ASSERT(!memcmp(&a, &z, sizeof(a)));
	T_EQ(shim_warnings, 0);
	return 0;
}

const struct test_case bad_free_tests[] = {
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
};

const size_t nr_bad_free_tests = ARRAY_SIZE(bad_free_tests);
