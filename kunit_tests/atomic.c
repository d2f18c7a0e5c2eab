// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_atomic: every call is safe in atomic context.  The calls run
 * under a spinlock with interrupts off and in a hard interrupt (an
 * hrtimer), where CONFIG_DEBUG_ATOMIC_SLEEP reports any sleep and lockdep
 * any lock taken without interrupts off; and from several CPUs at once on
 * one pool, where the blocks must never overlap.
 *
 * KUnit's expectations allocate with GFP_KERNEL, so the atomic sections
 * only record what they saw; the checks come after.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "pgclass_kunit.h"

/* What one run of every call saw, recorded in atomic context. */
struct atomic_run {
	struct pgct_fixture *f;
	bool irqs_off;
	bool hardirq;
	void *small, *whole, *multi, *aligned, *moved, *grown;
	size_t usable_small, usable_grown;
	int free_bad, free_grown, free_moved, free_multi, free_aligned;
	int class_ret, walk_ret;
	unsigned int walked;
	struct pgclass_stats st;
	struct pgclass_class_stats cs;
	struct pgclass_pool *pool2;
	unsigned long leaked2;
};

static int count_cb(void *data, const struct pgclass_extent *ext)
{
	unsigned int *n = data;

	(*n)++;
	return 0;
}

/* Every API call once; no KUnit call, no sleeping, nothing allocated. */
static void run_calls(struct atomic_run *r, void *spare, size_t spare_size)
{
	struct pgclass_pool *pool = r->f->pool;
	size_t page = r->f->page;

	r->irqs_off = irqs_disabled();
	r->hardirq = in_hardirq();
	r->small = pgclass_alloc(pool, 100);
	r->whole = pgclass_alloc(pool, page);
	r->multi = pgclass_alloc(pool, 3 * page);
	r->aligned = pgclass_alloc_aligned(pool, 40, 256);
	r->usable_small = pgclass_usable_size(pool, r->small);
	/* moves: the copy runs here too */
	r->moved = pgclass_realloc(pool, r->small, page / 2 + 1);
	r->grown = pgclass_realloc(pool, r->whole, 2 * page + 1);
	r->usable_grown = pgclass_usable_size(pool, r->grown);
	r->free_bad = pgclass_free(pool, (u8 *)r->moved + 8);
	pgclass_get_stats(pool, &r->st);
	r->class_ret = pgclass_get_class_stats(pool, pgct_class_multi(r->f),
					       &r->cs);
	r->walked = 0;
	r->walk_ret = pgclass_walk(pool, count_cb, &r->walked);
	r->free_moved = pgclass_free(pool, r->moved);
	r->free_grown = pgclass_free(pool, r->grown);
	r->free_multi = pgclass_free(pool, r->multi);
	r->free_aligned = pgclass_free(pool, r->aligned);
	/* a second pool, made and destroyed right here */
	r->pool2 = pgclass_pool_create(spare, spare_size, 12);
	if (r->pool2) {
		pgclass_alloc(r->pool2, 10);
		r->leaked2 = pgclass_pool_destroy(r->pool2);
	}
}

static void check_run(struct kunit *test, struct atomic_run *r)
{
	struct pgct_fixture *f = r->f;

	KUNIT_EXPECT_TRUE(test, r->irqs_off);
	KUNIT_EXPECT_NOT_NULL(test, r->small);
	KUNIT_EXPECT_NOT_NULL(test, r->whole);
	KUNIT_EXPECT_NOT_NULL(test, r->multi);
	KUNIT_EXPECT_NOT_NULL(test, r->aligned);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)r->aligned, 256));
	KUNIT_EXPECT_EQ(test, r->usable_small, 128UL);
	KUNIT_EXPECT_NOT_NULL(test, r->moved);
	KUNIT_EXPECT_NOT_NULL(test, r->grown);
	KUNIT_EXPECT_EQ(test, r->usable_grown, 3 * f->page);
	KUNIT_EXPECT_EQ(test, r->free_bad, -EINVAL);
	KUNIT_EXPECT_EQ(test, r->st.blocks, 4ULL);
	KUNIT_EXPECT_EQ(test, r->class_ret, 0);
	KUNIT_EXPECT_EQ(test, r->cs.blocks_used, 2ULL);
	KUNIT_EXPECT_EQ(test, r->walk_ret, 0);
	KUNIT_EXPECT_GE(test, r->walked, 5U);
	KUNIT_EXPECT_EQ(test, r->free_moved, 0);
	KUNIT_EXPECT_EQ(test, r->free_grown, 0);
	KUNIT_EXPECT_EQ(test, r->free_multi, 0);
	KUNIT_EXPECT_EQ(test, r->free_aligned, 0);
	KUNIT_EXPECT_NOT_NULL(test, r->pool2);
	KUNIT_EXPECT_EQ(test, r->leaked2, 1UL);
	pgct_check(test, f);
	KUNIT_EXPECT_EQ(test, f->scratch->st.blocks, 0ULL);
}

/* Every call under a spinlock with interrupts off. */
static void test_atomic_under_spinlock(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgct_fixture *spare = pgct_fixture_mem(test, 8, 12);
	struct atomic_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->f = f;
	spin_lock_irqsave(&lock, flags);
	run_calls(r, spare->base, spare->size);
	spin_unlock_irqrestore(&lock, flags);
	check_run(test, r);
	KUNIT_EXPECT_FALSE(test, r->hardirq);
}

struct irq_run {
	struct hrtimer timer;
	struct completion done;
	struct atomic_run r;
	void *spare;
	size_t spare_size;
};

static enum hrtimer_restart irq_run_fn(struct hrtimer *t)
{
	struct irq_run *ir = container_of(t, struct irq_run, timer);

	run_calls(&ir->r, ir->spare, ir->spare_size);
	complete(&ir->done);
	return HRTIMER_NORESTART;
}

/* Every call from a hard interrupt: an hrtimer in hard mode. */
static void test_atomic_in_hardirq(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	struct pgct_fixture *spare = pgct_fixture_mem(test, 8, 12);
	struct irq_run *ir = kunit_kzalloc(test, sizeof(*ir), GFP_KERNEL);
	unsigned long left;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, ir);
	ir->r.f = f;
	ir->spare = spare->base;
	ir->spare_size = spare->size;
	init_completion(&ir->done);
	/* the pool is used from process context too, before and after */
	p = pgclass_alloc(f->pool, 1000);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, pgclass_free(f->pool, p));

	hrtimer_init(&ir->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	ir->timer.function = irq_run_fn;
	hrtimer_start(&ir->timer, ns_to_ktime(100 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);
	left = wait_for_completion_timeout(&ir->done, 10 * HZ);
	hrtimer_cancel(&ir->timer);
	KUNIT_ASSERT_GT_MSG(test, left, 0UL, "the timer never ran");
	KUNIT_EXPECT_TRUE(test, ir->r.hardirq);
	check_run(test, &ir->r);

	p = pgclass_alloc(f->pool, 1000);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, p));
}

#define HAMMER_ROUNDS	2000
#define HAMMER_LIVE	16

struct hammer {
	struct work_struct work;
	struct pgct_fixture *f;
	unsigned int id;
	unsigned int allocs;
	unsigned int failures;
	unsigned int corrupt;
	unsigned int bad_usable;
};

/*
 * Keep up to HAMMER_LIVE blocks of seeded random sizes, each filled with
 * this worker's pattern and checked before it goes: a block that another
 * worker was also given shows up as corrupt.
 */
static void hammer(struct hammer *h)
{
	struct pgct_fixture *f = h->f;
	void *live[HAMMER_LIVE] = { };
	size_t size[HAMMER_LIVE] = { };
	struct rnd_state rnd;
	unsigned int i, s;

	prandom_seed_state(&rnd, 1000 + h->id);
	for (i = 0; i < HAMMER_ROUNDS; i++) {
		u32 r = prandom_u32_state(&rnd);
		unsigned int seed;

		s = r % HAMMER_LIVE;
		seed = h->id * HAMMER_LIVE + s;
		if (live[s]) {
			if (pgct_verify(live[s], size[s], seed) != size[s])
				h->corrupt++;
			if (r & 0x100) {
				if (pgclass_free(f->pool, live[s]))
					h->failures++;
				live[s] = NULL;
				continue;
			}
		}
		size[s] = 1 + (r >> 12) % ((r & 0x200) ? 2 * f->page : 256);
		live[s] = pgclass_realloc(f->pool, live[s], size[s]);
		if (!live[s]) {
			h->failures++;
			continue;
		}
		h->allocs++;
		if (pgclass_usable_size(f->pool, live[s]) != pgct_usable(f, size[s]))
			h->bad_usable++;
		pgct_fill(live[s], size[s], seed);
	}
	for (s = 0; s < HAMMER_LIVE; s++) {
		if (!live[s])
			continue;
		if (pgct_verify(live[s], size[s], h->id * HAMMER_LIVE + s) != size[s])
			h->corrupt++;
		if (pgclass_free(f->pool, live[s]))
			h->failures++;
	}
}

static void hammer_work(struct work_struct *work)
{
	hammer(container_of(work, struct hammer, work));
}

/* Three CPUs' worth of callers on one pool at once. */
static void test_concurrent_callers(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, 256, 12);
	struct hammer *h = kunit_kcalloc(test, 3, sizeof(*h), GFP_KERNEL);
	struct pgclass_stats st;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 3; i++) {
		h[i].f = f;
		h[i].id = i;
		INIT_WORK(&h[i].work, hammer_work);
	}
	queue_work(system_unbound_wq, &h[1].work);
	queue_work(system_unbound_wq, &h[2].work);
	hammer(&h[0]);
	flush_work(&h[1].work);
	flush_work(&h[2].work);

	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ_MSG(test, h[i].corrupt, 0U, "worker %u", i);
		KUNIT_EXPECT_EQ_MSG(test, h[i].failures, 0U, "worker %u", i);
		KUNIT_EXPECT_EQ_MSG(test, h[i].bad_usable, 0U, "worker %u", i);
		KUNIT_EXPECT_GT_MSG(test, h[i].allocs, HAMMER_ROUNDS / 4,
				    "worker %u", i);
	}
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, 0UL, pgct_pool_destroy(f));
}

PGCT_SUITE(atomic,
	   KUNIT_CASE(test_atomic_under_spinlock),
	   KUNIT_CASE(test_atomic_in_hardirq),
	   KUNIT_CASE(test_concurrent_callers));
