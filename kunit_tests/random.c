// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_random: long seeded random sequences of alloc, free, realloc
 * and bad frees, checked against a model of the live blocks: every block
 * keeps its bytes (blocks never overlap), has the size the rules give it,
 * and the counters, the walk and the class counters agree at every check.
 * Each runs with CPU slots and without (the shared path alone).
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "pgclass_kunit.h"

#define MAX_LIVE	96

struct live {
	u8 *p;
	size_t size;
	size_t usable;
	unsigned int seed;
};

struct model {
	struct pgct_fixture *f;
	struct live live[MAX_LIVE];
	unsigned int nr;
	unsigned int next_seed;
	u8 *last_freed;
	struct pgclass_stats calls;	/* the call counters we expect */
};

static size_t random_size(struct model *m, u32 r, bool small_only)
{
	size_t page = m->f->page;

	if (small_only)
		return 1 + (r >> 8) % (page / 2);
	switch (r % 5) {
	case 0:
	case 1:
		return 1 + (r >> 8) % 128;
	case 2:
		return 1 + (r >> 8) % (page / 2);
	case 3:
		return page / 2 + 1 + (r >> 8) % (page / 2);
	default:
		return page + 1 + (r >> 8) % (3 * page);
	}
}

/* A new or resized block: check it and give it fresh bytes. */
static void took(struct kunit *test, struct model *m, struct live *l,
		 u8 *p, size_t size)
{
	size_t usable = pgct_usable(m->f, size);

	KUNIT_ASSERT_EQ(test, usable, pgclass_usable_size(m->f->pool, p));
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)p,
					   min(usable, m->f->page)));
	l->p = p;
	l->size = size;
	l->usable = usable;
	l->seed = m->next_seed++;
	pgct_fill(p, size, l->seed);
}

static void forget(struct model *m, unsigned int i)
{
	m->last_freed = m->live[i].p;
	m->live[i] = m->live[--m->nr];
}

static bool is_live(struct model *m, const u8 *p)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->live[i].p == p)
			return true;
	return false;
}

/* Every live block intact; the pool's counters match the model. */
static void check_model(struct kunit *test, struct model *m)
{
	struct pgclass_stats *st;
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < m->nr; i++) {
		struct live *l = &m->live[i];

		KUNIT_ASSERT_EQ_MSG(test, l->size, pgct_verify(l->p, l->size, l->seed),
				    "block of %zu B at offset %#tx overwritten",
				    l->size, l->p - m->f->base);
		bytes += l->usable;
	}
	pgct_check(test, m->f);
	st = &m->f->scratch->st;
	KUNIT_ASSERT_EQ(test, st->blocks, (u64)m->nr);
	KUNIT_ASSERT_EQ(test, st->bytes_allocated, bytes);
	KUNIT_ASSERT_EQ(test, st->alloc_calls, m->calls.alloc_calls);
	KUNIT_ASSERT_EQ(test, st->free_calls, m->calls.free_calls);
	KUNIT_ASSERT_EQ(test, st->realloc_calls, m->calls.realloc_calls);
	KUNIT_ASSERT_EQ(test, st->failed_calls, m->calls.failed_calls);
}

static void step(struct kunit *test, struct model *m, struct rnd_state *rnd,
		 bool small_only)
{
	struct pgclass_pool *pool = m->f->pool;
	u32 r = prandom_u32_state(rnd);
	unsigned int i = m->nr ? prandom_u32_state(rnd) % m->nr : 0;
	struct live *l = &m->live[i];
	size_t size;
	u8 *p;

	switch (m->nr ? r % 10 : 0) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (m->nr == MAX_LIVE)
			return;
		size = random_size(m, r >> 4, small_only);
		p = pgclass_alloc(pool, size);
		m->calls.alloc_calls++;
		if (!p) {
			m->calls.failed_calls++;
			return;
		}
		took(test, m, &m->live[m->nr++], p, size);
		return;
	case 4:
	case 5:
	case 6:
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(pool, l->p));
		m->calls.free_calls++;
		forget(m, i);
		return;
	case 7:
	case 8:
		size = random_size(m, r >> 4, small_only);
		p = pgclass_realloc(pool, l->p, size);
		m->calls.realloc_calls++;
		if (!p) {
			m->calls.failed_calls++;
			/* untouched */
			KUNIT_ASSERT_EQ(test, l->size, pgct_verify(l->p, l->size, l->seed));
			return;
		}
		KUNIT_ASSERT_EQ(test, min(size, l->size),
				pgct_verify(p, min(size, l->size), l->seed));
		if (p == l->p &&
		    pgclass_usable_size(pool, p) != pgct_usable(m->f, size)) {
			/*
			 * A shrink with no smaller block to be had: it stays,
			 * a multi-page block with its first page only.
			 */
			KUNIT_ASSERT_LT(test, size, l->usable);
			KUNIT_ASSERT_EQ(test, pgclass_usable_size(pool, p),
					min(l->usable, m->f->page));
			l->usable = min(l->usable, m->f->page);
			l->size = size;
			l->seed = m->next_seed++;
			pgct_fill(p, size, l->seed);
			return;
		}
		took(test, m, l, p, size);
		return;
	default:
		/* a bad free: inside a live block, or a freed one */
		p = l->p + 8;
		if ((r & 0x10) && m->last_freed && !is_live(m, m->last_freed))
			p = m->last_freed;
		KUNIT_ASSERT_EQ(test, -EINVAL, pgclass_free(pool, p));
		m->calls.free_calls++;
		m->calls.failed_calls++;
		return;
	}
}

static void run_model(struct kunit *test, bool small_only, unsigned int ops)
{
	const struct pgct_path_param *path = test->param_value;
	struct model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct rnd_state rnd;
	unsigned int n;
	u8 *all;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->f = pgct_fixture_path(test, 64, path);
	prandom_seed_state(&rnd, 0xa110c + path->shift * 2 + small_only);
	for (n = 1; n <= ops; n++) {
		step(test, m, &rnd, small_only);
		if (n % 100 == 0)
			check_model(test, m);
	}
	check_model(test, m);

	/* free what is left, in random order; the data area is one run */
	while (m->nr) {
		n = prandom_u32_state(&rnd) % m->nr;
		KUNIT_ASSERT_EQ(test, 0, pgclass_free(m->f->pool, m->live[n].p));
		m->calls.free_calls++;
		forget(m, n);
	}
	check_model(test, m);
	all = pgclass_alloc(m->f->pool, pgct_data_pages(m->f) * m->f->page);
	KUNIT_EXPECT_PTR_EQ(test, all, pgct_data_start(m->f));
}

/* Blocks of every kind. */
static void test_random_mixed(struct kunit *test)
{
	run_model(test, false, 3000);
}

/* Small blocks only: partly used pages and spares churn. */
static void test_random_small(struct kunit *test)
{
	run_model(test, true, 3000);
}

PGCT_SUITE(random,
	   KUNIT_CASE_PARAM(test_random_mixed, pgct_path_gen_params),
	   KUNIT_CASE_PARAM(test_random_small, pgct_path_gen_params));
