// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of threads on one pool: four threads allocate, fill, check
 * and free at random, with the shim's real lock and a CPU slot each.
 */
#include <pthread.h>
#include <string.h>

#include <linux/smp.h>

#include "common.h"

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
	T_EQ(ctx_stats(&c).blocks, 0);
	T_EQ(ctx_stats(&c).failed_calls, 0);
	T_OK(check_pool(&c));
	return 0;
}

/*
 * Which page a freeing CPU adopts.  This thread, CPU 0, allocates 64 B
 * blocks over three pages: pages 1 and 2 given up full, page 3 its own.
 * Thread B, CPU 1, frees one block of page 1 (it adopts page 1), then all
 * of page 2 but one block: the first of those frees takes the pool lock
 * and adopts page 2 although page 1, adopted too, still has blocks; the
 * others go through B's slot.  Then this thread frees a block of page 1,
 * given back: its slot keeps page 3, which it allocates from, so its next
 * block is on page 3 and it refills nothing.
 */
#define ADOPT_SIZE	64
#define ADOPT_PER_PAGE	(4096 / ADOPT_SIZE)
#define ADOPT_BLOCKS	(2 * ADOPT_PER_PAGE + 1)

struct adopt {
	struct pgclass_pool *pool;
	char *blk[ADOPT_BLOCKS];
	unsigned int cpu;
	int failed;
};

static void *adopt_b(void *data)
{
	struct adopt *a = data;
	unsigned int i;

	a->cpu = shim_this_cpu();
	a->failed |= pgclass_free(a->pool, a->blk[0]) != 0;
	for (i = ADOPT_PER_PAGE; i < 2 * ADOPT_PER_PAGE - 1; i++)
		a->failed |= pgclass_free(a->pool, a->blk[i]) != 0;
	return NULL;
}

static int t_adopt(const struct test_case *tc __maybe_unused)
{
	struct pgclass_cpu_stats own, b;
	struct adopt a = { 0 };
	unsigned int i, refills;
	pthread_t th;
	struct ctx c;
	char *p;

	T_EQ(shim_this_cpu(), 0);
	T_OK(ctx_new_cpus(&c, 512, 12, 2));
	T_EQ(pgclass_nr_cpu_slots(c.pool), 2);
	a.pool = c.pool;
	for (i = 0; i < ADOPT_BLOCKS; i++) {
		a.blk[i] = pgclass_alloc(c.pool, ADOPT_SIZE);
		T_ASSERT(a.blk[i]);
		/* Three pages, filled in order. */
		T_EQ(ctx_page(&c, a.blk[i]),
		     ctx_page(&c, a.blk[0]) + i / ADOPT_PER_PAGE);
	}
	T_EQ(pthread_create(&th, NULL, adopt_b, &a), 0);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(a.failed, 0);
	T_EQ(a.cpu, 1);
	T_EQ(pgclass_get_cpu_stats(c.pool, 1, &b), 0);
	/* All but the first free into each page went through B's slot. */
	T_EQ(b.free_calls, ADOPT_PER_PAGE - 2);
	T_EQ(b.remote_frees, 0);
	T_EQ(b.cached_pages, 1);

	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &own), 0);
	refills = own.refills;
	T_EQ(pgclass_free(c.pool, a.blk[1]), 0);
	p = pgclass_alloc(c.pool, ADOPT_SIZE);
	T_ASSERT(p);
	T_EQ(ctx_page(&c, p), ctx_page(&c, a.blk[2 * ADOPT_PER_PAGE]));
	T_EQ(pgclass_get_cpu_stats(c.pool, 0, &own), 0);
	T_EQ(own.refills, refills);

	T_EQ(pgclass_free(c.pool, p), 0);
	for (i = 2; i < ADOPT_BLOCKS; i++)
		if (i < ADOPT_PER_PAGE || i >= 2 * ADOPT_PER_PAGE - 1)
			T_EQ(pgclass_free(c.pool, a.blk[i]), 0);
	T_EQ(ctx_stats(&c).blocks, 0);
	T_OK(check_pool(&c));
	return 0;
}

const struct test_case threads_tests[] = {
	{ "a freeing CPU adopts the page it frees into, an allocating one keeps its own",
	  t_adopt, 12, 0 },
	{ "four threads on one pool: real lock, contents intact", t_threads, 12, 0 },
};

const size_t nr_threads_tests = ARRAY_SIZE(threads_tests);
