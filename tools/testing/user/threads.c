// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of threads on one pool: four threads allocate, fill, check
 * and free at random, with the shim's real lock and a CPU slot each.
 */
#include <pthread.h>
#include <string.h>

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

const struct test_case threads_tests[] = {
	{ "four threads on one pool: real lock, contents intact", t_threads, 12, 0 },
};

const size_t nr_threads_tests = ARRAY_SIZE(threads_tests);
