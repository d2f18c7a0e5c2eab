// SPDX-License-Identifier: GPL-2.0
/*
 * pgclass_percpu: the per-CPU layer under real concurrency.
 *
 * Kthreads bound to online CPUs and released together by a completion
 * work on one pool: blocks allocated on one CPU and freed on another, two
 * CPUs freeing the same blocks at once (exactly one free of each may
 * succeed), random churn whose byte patterns prove that no block is handed
 * out twice, allocations from a hard interrupt that lands while its CPU is
 * in the fast path, frees from hard interrupts of blocks that the other
 * CPU or their own CPU's thread made while those threads are in the fast
 * path, one CPU taking back what another CPU's slot caches, and pools
 * made for 1 and for 64 CPUs.
 *
 * Only the test's own thread uses KUnit's checks (an assertion ends the
 * thread it fails in): the kthreads and the timer callback record what
 * they saw, and the test checks it once they are gone.  Cases that need
 * two CPUs are skipped when only one is online.  The bad and double frees
 * here make the allocator warn on the console (rate-limited): expected.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "pgclass_kunit.h"

/* A safety net: past this, threads give up and the case fails. */
#define PC_TIMEOUT	(30 * HZ)

struct pc_run;

/**
 * struct pc_thread - one kthread bound to a CPU
 * @run: the run it belongs to
 * @idx: its index in the run
 * @cpu: the CPU it is bound to
 * @task: the kthread
 * @done: completed when its work is over
 * @wrong_cpu: it found itself on another CPU
 */
struct pc_thread {
	struct pc_run *run;
	unsigned int idx;
	unsigned int cpu;
	struct task_struct *task;
	struct completion done;
	bool wrong_cpu;
};

/**
 * struct pc_run - kthreads started together
 * @fn: each thread's work
 * @arg: the case's state, shared by the threads
 * @nr: threads
 * @t: the threads
 * @start: completed to release them all at once
 * @bar_count: threads at the current barrier
 * @bar_gen: barriers passed
 * @abort: set when the run timed out or a thread could not be made
 * @deadline: jiffies at which the threads give up
 * @made: threads made by pc_run_start()
 * @waited: threads that pc_run_wait() saw finish, in order
 */
struct pc_run {
	void (*fn)(struct pc_thread *t);
	void *arg;
	unsigned int nr;
	struct pc_thread *t;
	struct completion start;
	atomic_t bar_count;
	atomic_t bar_gen;
	atomic_t abort;
	unsigned long deadline;
	unsigned int made;
	unsigned int waited;
};

/* The run is over: it aborted, or its time is up. */
static bool pc_stop(struct pc_thread *t)
{
	struct pc_run *r = t->run;

	if (atomic_read(&r->abort))
		return true;
	if (time_after(jiffies, r->deadline)) {
		atomic_set(&r->abort, 1);
		return true;
	}
	return false;
}

/*
 * Wait for every thread of the run (they spin: each has a CPU of its
 * own).  Returns false when the run is over instead.
 */
static bool pc_barrier(struct pc_thread *t)
{
	struct pc_run *r = t->run;
	int gen = atomic_read_acquire(&r->bar_gen);
	unsigned int spins = 0;

	if (atomic_inc_return(&r->bar_count) == r->nr) {
		atomic_set(&r->bar_count, 0);
		/* the reset is seen by whoever sees the new generation */
		smp_mb__before_atomic();
		atomic_inc(&r->bar_gen);
		return !atomic_read(&r->abort);
	}
	while (atomic_read_acquire(&r->bar_gen) == gen) {
		if (pc_stop(t))
			return false;
		if (!(++spins % 1024))
			cond_resched();
		cpu_relax();
	}
	return !atomic_read(&r->abort);
}

static int pc_thread_fn(void *data)
{
	struct pc_thread *t = data;
	struct pc_run *r = t->run;

	wait_for_completion(&r->start);
	if (raw_smp_processor_id() != t->cpu)
		t->wrong_cpu = true;
	if (!atomic_read(&r->abort))
		r->fn(t);
	complete(&t->done);
	return 0;
}

/* Set up @r: @fn, with @arg, for the @nr threads @t (zeroed memory). */
static void pc_run_init(struct pc_run *r, void (*fn)(struct pc_thread *t),
			void *arg, struct pc_thread *t, unsigned int nr)
{
	r->fn = fn;
	r->arg = arg;
	r->nr = nr;
	r->t = t;
	r->made = 0;
	r->waited = 0;
	init_completion(&r->start);
	atomic_set(&r->bar_count, 0);
	atomic_set(&r->bar_gen, 0);
	atomic_set(&r->abort, 0);
}

/*
 * Make @r's threads, each a kthread bound to its CPU of @cpus, and
 * release them all at once; their deadline is PC_TIMEOUT from now.  A
 * kthread that cannot be made fails the case and aborts the run: the
 * threads made skip their work.  Returns 0 or that kthread's error; the
 * threads made, r->made, must then be waited for and reaped.
 */
static int pc_run_start(struct kunit *test, struct pc_run *r,
			const unsigned int *cpus)
{
	unsigned int i;
	int err = 0;

	r->deadline = jiffies + PC_TIMEOUT;
	for (r->made = 0; r->made < r->nr; r->made++) {
		struct pc_thread *t = &r->t[r->made];
		struct task_struct *task;

		t->run = r;
		t->idx = r->made;
		t->cpu = cpus[r->made];
		init_completion(&t->done);
		task = kthread_create_on_cpu(pc_thread_fn, t, t->cpu,
					     "pgclass_kunit/%u");
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			KUNIT_FAIL(test, "no kthread on CPU %u: %d", t->cpu,
				   err);
			/* the others must not wait for it at a barrier */
			atomic_set(&r->abort, 1);
			break;
		}
		get_task_struct(task);
		t->task = task;
	}
	for (i = 0; i < r->made; i++)
		wake_up_process(r->t[i].task);
	complete_all(&r->start);
	return err;
}

/*
 * Wait until @end (jiffies) at most for the threads made to finish their
 * work; a later call goes on where this one stopped.  Returns whether
 * they all have.
 */
static bool pc_run_wait(struct pc_run *r, unsigned long end)
{
	for (; r->waited < r->made; r->waited++) {
		long left = max_t(long, (long)(end - jiffies), 1);

		if (!wait_for_completion_timeout(&r->t[r->waited].done, left))
			return false;
	}
	return true;
}

/* Stop and release @r's threads, all finished, and check their CPUs. */
static void pc_run_reap(struct kunit *test, struct pc_run *r)
{
	unsigned int i;

	for (i = 0; i < r->made; i++) {
		struct pc_thread *t = &r->t[i];

		kthread_stop(t->task);
		put_task_struct(t->task);
		KUNIT_EXPECT_FALSE_MSG(test, t->wrong_cpu,
				       "thread %u did not run on CPU %u", i,
				       t->cpu);
	}
}

/*
 * Run @fn in a kthread bound to each of the @nr CPUs @cpus, with @arg,
 * all released at once, and wait for them: they are gone when this
 * returns.
 */
static void pc_run(struct kunit *test, void (*fn)(struct pc_thread *t),
		   void *arg, const unsigned int *cpus, unsigned int nr)
{
	struct pc_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct pc_thread *t = kunit_kcalloc(test, nr, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, t);
	pc_run_init(r, fn, arg, t, nr);
	pc_run_start(test, r, cpus);
	/* past the deadline they are told to stop, and waited for */
	while (!pc_run_wait(r, jiffies + HZ))
		if (time_after(jiffies, r->deadline))
			atomic_set(&r->abort, 1);
	pc_run_reap(test, r);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r->abort), 0,
			    "the threads gave up after %d s", PC_TIMEOUT / HZ);
}

/* Run @fn in a kthread bound to @cpu, with @arg, and wait for it. */
static void pc_on_cpu(struct kunit *test, unsigned int cpu,
		      void (*fn)(struct pc_thread *t), void *arg)
{
	pc_run(test, fn, arg, &cpu, 1);
}

/* One allocation or free, made on a given CPU. */
struct pc_op {
	struct pgclass_pool *pool;
	size_t size;
	void *ptr;
	int ret;
};

static void pc_alloc_fn(struct pc_thread *t)
{
	struct pc_op *op = t->run->arg;

	op->ptr = pgclass_alloc(op->pool, op->size);
}

static void pc_free_fn(struct pc_thread *t)
{
	struct pc_op *op = t->run->arg;

	op->ret = pgclass_free(op->pool, op->ptr);
}

static void *pc_alloc_on(struct kunit *test, struct pgct_fixture *f,
			 unsigned int cpu, size_t size)
{
	struct pc_op op = { .pool = f->pool, .size = size };

	pc_on_cpu(test, cpu, pc_alloc_fn, &op);
	return op.ptr;
}

static int pc_free_on(struct kunit *test, struct pgct_fixture *f,
		      unsigned int cpu, void *ptr)
{
	struct pc_op op = { .pool = f->pool, .ptr = ptr, .ret = 1 };

	pc_on_cpu(test, cpu, pc_free_fn, &op);
	return op.ret;
}

/*
 * Every block is freed: the pool's counters (in *@st) have no block and
 * no byte left, and count @allocs pgclass_alloc() calls, @frees
 * pgclass_free() calls and @failed failed calls.
 */
static void pc_expect_all_freed(struct kunit *test, struct pgct_fixture *f,
				struct pgclass_stats *st, u64 allocs,
				u64 frees, u64 failed)
{
	pgclass_get_stats(f->pool, st);
	KUNIT_EXPECT_EQ(test, st->blocks, 0ULL);
	KUNIT_EXPECT_EQ(test, st->bytes_allocated, 0ULL);
	KUNIT_EXPECT_EQ(test, st->alloc_calls, allocs);
	KUNIT_EXPECT_EQ(test, st->free_calls, frees);
	KUNIT_EXPECT_EQ(test, st->failed_calls, failed);
}

/* The first two online CPUs; the case is skipped if there is one. */
static void pc_two_cpus(struct kunit *test, unsigned int cpu[2])
{
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs, %u online",
			   num_online_cpus());
	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
}

/* Every online CPU, in *@nr. */
static unsigned int *pc_online_cpus(struct kunit *test, unsigned int *nr)
{
	unsigned int *cpus, cpu, n = 0;

	cpus = kunit_kcalloc(test, nr_cpu_ids, sizeof(*cpus), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cpus);
	for_each_online_cpu(cpu)
		cpus[n++] = cpu;
	*nr = n;
	return cpus;
}

static void pc_expect_slots(struct kunit *test, struct pgct_fixture *f,
			    const unsigned int *cpus, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_LT_MSG(test, cpus[i], f->nr_slots,
				    "CPU %u has no slot in a pool of %lu pages",
				    cpus[i], f->nr_pages);
}

static void pc_cpu_stats(struct kunit *test, struct pgct_fixture *f,
			 unsigned int cpu, struct pgclass_cpu_stats *cs)
{
	KUNIT_ASSERT_EQ(test, 0, pgclass_get_cpu_stats(f->pool, cpu, cs));
}

/* Sizes of several small classes at 4 KiB pages: 16 B to 2 KiB. */
static const size_t pc_small_sizes[] = { 16, 24, 64, 100, 256, 300, 1000, 2048 };

/*
 * Cross-CPU frees.  One CPU allocates blocks of several small classes
 * and fills them, the other checks and frees every one.  The counters are
 * exact afterwards; frees of blocks on the owner's pages are counted as
 * remote frees in the owner's slot, and those on pages the owner gave up
 * go to the pages the freeing CPU adopts.
 */

#define XFREE_BLOCKS	(ARRAY_SIZE(pc_small_sizes) * 64)

struct xfree {
	struct pgclass_pool *pool;
	void *blk[XFREE_BLOCKS];
	unsigned int owner;
	unsigned int alloc_fail;
	unsigned int free_err;
	unsigned int corrupt;
};

static size_t xfree_size(unsigned int i)
{
	return pc_small_sizes[i % ARRAY_SIZE(pc_small_sizes)];
}

static void xfree_fn(struct pc_thread *t)
{
	struct xfree *x = t->run->arg;
	unsigned int i;

	if (t->idx == x->owner) {
		for (i = 0; i < XFREE_BLOCKS; i++) {
			x->blk[i] = pgclass_alloc(x->pool, xfree_size(i));
			if (!x->blk[i])
				x->alloc_fail++;
			else
				pgct_fill(x->blk[i], xfree_size(i), i);
		}
	}
	if (!pc_barrier(t) || t->idx == x->owner)
		return;
	for (i = 0; i < XFREE_BLOCKS; i++) {
		if (!x->blk[i])
			continue;
		if (pgct_verify(x->blk[i], xfree_size(i), i) != xfree_size(i))
			x->corrupt++;
		if (pgclass_free(x->pool, x->blk[i]))
			x->free_err++;
	}
}

/*
 * The pages the owner gave up full: each class's but its last, which its
 * slot keeps (64 blocks of each size, 4 KiB pages).
 */
static unsigned int xfree_given_up(void)
{
	unsigned int i, per_page, n = 0;

	for (i = 0; i < ARRAY_SIZE(pc_small_sizes); i++) {
		per_page = SZ_4K / roundup_pow_of_two(max_t(size_t, 16,
							    pc_small_sizes[i]));
		n += DIV_ROUND_UP(XFREE_BLOCKS / ARRAY_SIZE(pc_small_sizes),
				  per_page) - 1;
	}
	return n;
}

static void xfree_desc(const unsigned int *owner, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE,
		 "allocated on the %s online CPU, freed on the %s",
		 *owner ? "second" : "first", *owner ? "first" : "second");
}

static const unsigned int xfree_owners[] = { 0, 1 };
KUNIT_ARRAY_PARAM(xfree, xfree_owners, xfree_desc);

static void test_percpu_cross_cpu_free(struct kunit *test)
{
	unsigned int owner = *(const unsigned int *)test->param_value;
	struct pgclass_cpu_stats own, other;
	struct pgct_fixture *f;
	struct pgclass_stats st;
	struct xfree *x;
	unsigned int cpu[2];

	pc_two_cpus(test, cpu);
	f = pgct_fixture(test, 256, 12);
	pc_expect_slots(test, f, cpu, 2);
	x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	x->pool = f->pool;
	x->owner = owner;
	pc_run(test, xfree_fn, x, cpu, 2);

	KUNIT_EXPECT_EQ(test, x->alloc_fail, 0U);
	KUNIT_EXPECT_EQ(test, x->free_err, 0U);
	KUNIT_EXPECT_EQ(test, x->corrupt, 0U);
	pgct_check(test, f);
	pc_expect_all_freed(test, f, &st, XFREE_BLOCKS, XFREE_BLOCKS, 0);

	/*
	 * The owner's slot served every allocation.  A free into a page the
	 * owner still has is a remote free through its slot; a free into a
	 * page it gave up full takes the pool lock once, and the freeing
	 * CPU's slot then adopts that page and serves the frees after it
	 * there, beside one of the owner's pages or not.  So the pool lock
	 * took one free a given-up page, and the slots all others.
	 */
	pc_cpu_stats(test, f, cpu[owner], &own);
	pc_cpu_stats(test, f, cpu[!owner], &other);
	KUNIT_EXPECT_EQ(test, own.alloc_calls, (u64)XFREE_BLOCKS);
	KUNIT_EXPECT_GT(test, own.remote_frees, 0ULL);
	KUNIT_EXPECT_EQ(test, own.free_calls, own.remote_frees);
	KUNIT_EXPECT_EQ(test, other.alloc_calls, 0ULL);
	KUNIT_EXPECT_EQ(test, other.remote_frees, 0ULL);
	KUNIT_EXPECT_LE(test, own.free_calls + other.free_calls,
			(u64)XFREE_BLOCKS);
	KUNIT_EXPECT_EQ(test, own.free_calls + other.free_calls,
			(u64)XFREE_BLOCKS - xfree_given_up());
	/* Pages stay with the slots, empty, until asked for: one a class. */
	KUNIT_EXPECT_GT(test, own.cached_pages, 0ULL);
	KUNIT_EXPECT_LE(test, other.cached_pages,
			(u64)pgclass_nr_classes(f->pool) - 2);
	kunit_info(test, "%llu of %u frees were remote frees into the owner's pages, %llu through the pages the freeing CPU adopted",
		   own.remote_frees, (unsigned int)XFREE_BLOCKS,
		   other.free_calls);

	pgclass_drain(f->pool);
	pgct_expect_pristine(test, f);
	KUNIT_EXPECT_EQ(test, f->scratch->st.cached_pages, 0ULL);
}

/*
 * A storm of racing double frees.  Each round one CPU (in turn) allocates
 * blocks of several classes; then both CPUs free every one of them at the
 * same moment, in the same order or in opposite orders.  Of the two frees
 * of each block exactly one returns 0 and the other -EINVAL.
 */

#define STORM_ROUNDS	200
#define STORM_BLOCKS	32

struct storm {
	struct pgclass_pool *pool;
	void *blk[STORM_BLOCKS];
	s8 *ret[2];
	unsigned int alloc_fail;
};

static void storm_fn(struct pc_thread *t)
{
	struct storm *s = t->run->arg;
	unsigned int round, i, j;
	size_t size;

	for (round = 0; round < STORM_ROUNDS; round++) {
		if (t->idx == round % 2) {
			for (i = 0; i < STORM_BLOCKS; i++) {
				j = (round + i) % ARRAY_SIZE(pc_small_sizes);
				size = pc_small_sizes[j];
				s->blk[i] = pgclass_alloc(s->pool, size);
				if (!s->blk[i])
					s->alloc_fail++;
			}
		}
		if (!pc_barrier(t))
			return;
		for (i = 0; i < STORM_BLOCKS; i++) {
			j = (t->idx && round % 4 >= 2) ? STORM_BLOCKS - 1 - i : i;
			if (s->blk[j])
				s->ret[t->idx][round * STORM_BLOCKS + j] =
					pgclass_free(s->pool, s->blk[j]);
		}
		if (!pc_barrier(t))
			return;
		cond_resched();
	}
}

static void test_percpu_double_free_storm(struct kunit *test)
{
	unsigned int i, n = STORM_ROUNDS * STORM_BLOCKS, cpu[2];
	unsigned int both_ok = 0, both_bad = 0, odd = 0, wins[2] = { };
	struct pgct_fixture *f;
	struct pgclass_stats st;
	struct storm *s;

	pc_two_cpus(test, cpu);
	f = pgct_fixture(test, 256, 12);
	pc_expect_slots(test, f, cpu, 2);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < 2; i++) {
		/* 1: a free that never happened */
		s->ret[i] = kunit_kmalloc(test, n, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s->ret[i]);
		memset(s->ret[i], 1, n);
	}
	s->pool = f->pool;
	pc_run(test, storm_fn, s, cpu, 2);

	KUNIT_EXPECT_EQ(test, s->alloc_fail, 0U);
	for (i = 0; i < n; i++) {
		int a = s->ret[0][i], b = s->ret[1][i];

		if (!a && !b)
			both_ok++;
		else if (a == -EINVAL && b == -EINVAL)
			both_bad++;
		else if (!(!a && b == -EINVAL) && !(a == -EINVAL && !b))
			odd++;
		else
			wins[!!a]++;
	}
	KUNIT_EXPECT_EQ_MSG(test, both_ok, 0U, "blocks freed twice");
	KUNIT_EXPECT_EQ_MSG(test, both_bad, 0U, "blocks neither free took");
	KUNIT_EXPECT_EQ_MSG(test, odd, 0U,
			    "frees that returned neither 0 nor -EINVAL, or never ran");
	kunit_info(test, "%u blocks: the first CPU's free took %u, the second's %u",
		   n, wins[0], wins[1]);

	pgct_check(test, f);
	pc_expect_all_freed(test, f, &st, n, 2ULL * n, n);
	pgclass_drain(f->pool);
	pgct_expect_pristine(test, f);
}

/* Expect @ptr's free on @cpu to be refused and to change nothing. */
static void expect_refused_on(struct kunit *test, struct pgct_fixture *f,
			      unsigned int cpu, void *ptr, const char *what)
{
	struct pgct_snap *before = pgct_snap(test, f), *after;

	KUNIT_EXPECT_EQ_MSG(test, -EINVAL, pc_free_on(test, f, cpu, ptr),
			    "%s, freed on CPU %u", what, cpu);
	after = pgct_snap(test, f);
	pgct_check_snap(test, f, after);
	pgct_expect_same_state(test, &before->st, &after->st);
	pgct_expect_same_layout(test, before, after);
	KUNIT_EXPECT_EQ(test, after->st.free_calls, before->st.free_calls + 1);
	KUNIT_EXPECT_EQ(test, after->st.failed_calls,
			before->st.failed_calls + 1);
	KUNIT_EXPECT_EQ(test, after->st.cached_pages, before->st.cached_pages);
	KUNIT_EXPECT_EQ(test, after->st.cached_blocks,
			before->st.cached_blocks);
	pgct_snap_free(test, after);
	pgct_snap_free(test, before);
}

/*
 * Double frees of blocks that sit freed on a page a slot owns (cached),
 * on the owner's CPU and on another one; and block starts that were never
 * handed out, and interiors, on such a page.
 */
static void test_percpu_double_free_cached(struct kunit *test)
{
	struct pgclass_cpu_stats cs;
	struct pgct_fixture *f;
	unsigned int cpu[2], per_page;
	u8 *p1, *p2;

	pc_two_cpus(test, cpu);
	f = pgct_fixture(test, PGCT_NR_PAGES, 12);
	pc_expect_slots(test, f, cpu, 2);
	per_page = f->page / 64;

	p1 = pc_alloc_on(test, f, cpu[0], 64);
	p2 = pc_alloc_on(test, f, cpu[0], 64);
	KUNIT_ASSERT_NOT_NULL(test, p1);
	KUNIT_ASSERT_NOT_NULL(test, p2);
	KUNIT_ASSERT_EQ(test, pgct_page_of(f, p1), pgct_page_of(f, p2));
	KUNIT_ASSERT_EQ(test, 0, pc_free_on(test, f, cpu[0], p1));
	pc_cpu_stats(test, f, cpu[0], &cs);
	KUNIT_ASSERT_EQ(test, cs.cached_pages, 1ULL);
	KUNIT_ASSERT_EQ(test, cs.cached_blocks, (u64)per_page - 1);

	/* p1 is a free block of the page cpu[0]'s slot owns */
	expect_refused_on(test, f, cpu[0], p1, "a freed block on an owned page");
	expect_refused_on(test, f, cpu[1], p1, "a freed block on an owned page");
	expect_refused_on(test, f, cpu[0], p2 + 64, "a never used block");
	expect_refused_on(test, f, cpu[1], p2 + 64, "a never used block");
	expect_refused_on(test, f, cpu[1], p2 + 8, "the inside of a live block");
	expect_refused_on(test, f, cpu[1],
			  pgct_page_addr(f, pgct_page_of(f, p2)) + f->page - 64,
			  "the owned page's last block");

	/* the last block goes on the other CPU: the owned page is empty */
	KUNIT_ASSERT_EQ(test, 0, pc_free_on(test, f, cpu[1], p2));
	pc_cpu_stats(test, f, cpu[0], &cs);
	KUNIT_EXPECT_EQ(test, cs.cached_pages, 1ULL);
	KUNIT_EXPECT_EQ(test, cs.cached_blocks, (u64)per_page);
	KUNIT_EXPECT_EQ(test, cs.remote_frees, 1ULL);
	expect_refused_on(test, f, cpu[0], p2, "a block of an empty owned page");
	expect_refused_on(test, f, cpu[1], p2, "a block of an empty owned page");
	expect_refused_on(test, f, cpu[1], p1, "a block of an empty owned page");

	/* drained, the page is free: still refused */
	pgclass_drain(f->pool);
	pgct_expect_pristine(test, f);
	expect_refused_on(test, f, cpu[0], p2, "a block of a drained page");
	expect_refused_on(test, f, cpu[1], p1, "a block of a drained page");
}

/*
 * Churn.  Every online CPU allocates, reallocates and frees blocks of
 * random sizes, each marked with its maker's CPU and a serial number and
 * checked whenever it is touched; now and then a CPU swaps a block for
 * one another CPU left in a shared array, so that blocks are freed and
 * reallocated far from where they were made.  A block handed out twice
 * would carry someone else's mark.
 */

#define CHURN_OPS	3000
#define CHURN_LIVE	24
#define CHURN_SWAP	8

/* The head of a churned block: who marked it, and its size. */
struct churn_mark {
	u32 seed;
	u32 size;
};

struct churn_thread {
	unsigned long allocs;
	unsigned long alloc_fail;
	unsigned long reallocs;
	unsigned long realloc_fail;
	unsigned long frees;
	unsigned long free_err;
	unsigned long swaps;
	unsigned long corrupt;
};

struct churn {
	struct pgct_fixture *f;
	void *swap[CHURN_SWAP];
	struct churn_thread th[];	/* one per thread */
};

static void churn_mark(void *p, u32 size, u32 seed)
{
	struct churn_mark *m = p;

	m->seed = seed;
	m->size = size;
	pgct_fill(m + 1, size - sizeof(*m), seed);
}

/* The block's mark and pattern are whole, over no more than the block. */
static bool churn_intact(struct pgclass_pool *pool, const void *p)
{
	const struct churn_mark *m = p;
	size_t n;

	if (m->size < sizeof(*m) || m->size > pgclass_usable_size(pool, p))
		return false;
	n = m->size - sizeof(*m);
	return pgct_verify(m + 1, n, m->seed) == n;
}

static u32 churn_size(size_t page, u32 r)
{
	switch (r % 10) {
	case 0:
		return page + 1 + (r >> 4) % page;
	case 1:
		return page / 2 + 1 + (r >> 4) % (page / 2);
	case 2:
	case 3:
		return sizeof(struct churn_mark) +
		       (r >> 4) % (page / 2 - sizeof(struct churn_mark));
	default:
		return sizeof(struct churn_mark) + (r >> 4) % 248;
	}
}

static void churn_fn(struct pc_thread *t)
{
	struct churn *c = t->run->arg;
	struct churn_thread *me = &c->th[t->idx];
	struct pgclass_pool *pool = c->f->pool;
	size_t page = c->f->page;
	void *live[CHURN_LIVE] = { };
	struct rnd_state rnd;
	u32 serial = 0, size;
	unsigned int i, s;
	void *p;

	prandom_seed_state(&rnd, 0xc0ffee + t->idx);
	for (i = 0; i < CHURN_OPS && !pc_stop(t); i++) {
		u32 r = prandom_u32_state(&rnd);

		if (!(i % 64))
			cond_resched();
		s = r % CHURN_LIVE;
		r >>= 5;
		if (live[s]) {
			const struct churn_mark *m = live[s];

			if (!churn_intact(pool, live[s])) {
				me->corrupt++;
				/* leaked: it may not be this CPU's to free */
				live[s] = NULL;
				continue;
			}
			switch (r % 8) {
			case 0:
				live[s] = xchg(&c->swap[(r >> 3) % CHURN_SWAP],
					       live[s]);
				me->swaps++;
				if (live[s] && !churn_intact(pool, live[s])) {
					me->corrupt++;
					live[s] = NULL;
				}
				continue;
			case 1:
				size = churn_size(page, r >> 3);
				p = pgclass_realloc(pool, live[s], size);
				if (!p) {
					me->realloc_fail++;
					continue;
				}
				me->reallocs++;
				m = p;
				if (pgct_verify(m + 1, min(size, m->size) - sizeof(*m),
						m->seed) !=
				    min(size, m->size) - sizeof(*m))
					me->corrupt++;
				churn_mark(p, size, m->seed);
				live[s] = p;
				continue;
			default:
				if (pgclass_free(pool, live[s]))
					me->free_err++;
				else
					me->frees++;
				live[s] = NULL;
				if (r % 8 < 5)
					continue;
			}
		}
		size = churn_size(page, r >> 3);
		p = pgclass_alloc(pool, size);
		if (!p) {
			me->alloc_fail++;
			continue;
		}
		me->allocs++;
		churn_mark(p, size, t->idx << 24 | (serial++ & 0xffffff));
		live[s] = p;
	}
	for (s = 0; s < CHURN_LIVE; s++) {
		if (!live[s])
			continue;
		if (!churn_intact(pool, live[s]))
			me->corrupt++;
		else if (pgclass_free(pool, live[s]))
			me->free_err++;
		else
			me->frees++;
	}
}

static void test_percpu_churn(struct kunit *test)
{
	struct churn_thread sum = { };
	unsigned int *cpus, nr, i;
	struct pgct_fixture *f;
	struct pgclass_stats st;
	unsigned long frees = 0;
	struct churn *c;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs, %u online",
			   num_online_cpus());
	cpus = pc_online_cpus(test, &nr);
	f = pgct_fixture(test, 512, 12);
	c = kunit_kzalloc(test, struct_size(c, th, nr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->f = f;
	pc_run(test, churn_fn, c, cpus, nr);

	for (i = 0; i < CHURN_SWAP; i++) {
		if (!c->swap[i])
			continue;
		if (!churn_intact(f->pool, c->swap[i])) {
			sum.corrupt++;
			continue;
		}
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(f->pool, c->swap[i]));
		frees++;
	}
	for (i = 0; i < nr; i++) {
		struct churn_thread *th = &c->th[i];

		KUNIT_EXPECT_EQ_MSG(test, th->corrupt, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_EQ_MSG(test, th->free_err, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_EQ_MSG(test, th->alloc_fail, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_EQ_MSG(test, th->realloc_fail, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_GT_MSG(test, th->allocs, CHURN_OPS / 8UL, "CPU %u",
				    cpus[i]);
		sum.allocs += th->allocs;
		sum.alloc_fail += th->alloc_fail;
		sum.reallocs += th->reallocs;
		sum.realloc_fail += th->realloc_fail;
		sum.frees += th->frees;
		sum.free_err += th->free_err;
		sum.swaps += th->swaps;
	}
	KUNIT_EXPECT_EQ(test, sum.corrupt, 0UL);
	kunit_info(test, "%u CPUs: %lu allocations, %lu reallocations, %lu frees, %lu swaps",
		   nr, sum.allocs, sum.reallocs, sum.frees + frees, sum.swaps);

	pgct_check(test, f);
	pc_expect_all_freed(test, f, &st, (u64)sum.allocs + sum.alloc_fail,
			    (u64)sum.frees + sum.free_err + frees,
			    (u64)sum.alloc_fail + sum.realloc_fail + sum.free_err);
	KUNIT_EXPECT_EQ(test, st.realloc_calls,
			(u64)sum.reallocs + sum.realloc_fail);
	KUNIT_EXPECT_EQ(test, st.cache_busy_failures, 0ULL);
	pgclass_drain(f->pool);
	pgct_expect_pristine(test, f);
}

/*
 * Allocation from a hard interrupt on a CPU that is inside the fast
 * path.  A kthread loops allocating and freeing small blocks while a
 * pinned hard-IRQ hrtimer on its CPU allocates and frees in its callback,
 * and frees the block it kept from its last run (on a page the
 * interrupted slot may own).  A callback allocation that the slot did not
 * count went through the shared path: the slot was held by the
 * interrupted thread.  Every call must succeed, no block may be handed
 * out twice, and the counters must add up.
 */

#define IRQ_PERIOD_NS	(500 * NSEC_PER_USEC)
#define IRQ_RING	8
#define IRQ_MIN_FIRES	64
#define IRQ_MIN_NESTED	32
#define IRQ_MAX_MS	3000

static const size_t irq_sizes[] = { 16, 48, 64, 100, 200, 64 };

struct irq_state {
	struct pgct_fixture *f;
	struct hrtimer timer;
	unsigned int cpu;
	bool stop;
	/* written by the timer callback */
	void *keep;
	u32 keep_seed;
	unsigned long fires;
	unsigned long wrong_cpu;
	unsigned long not_hardirq;
	unsigned long cb_allocs;
	unsigned long cb_alloc_fail;
	unsigned long cb_frees;
	unsigned long cb_free_err;
	unsigned long cb_corrupt;
	unsigned long nested;
	unsigned long nested_frees;
	/* written by the thread */
	unsigned long allocs;
	unsigned long alloc_fail;
	unsigned long frees;
	unsigned long free_err;
	unsigned long corrupt;
};

/* An allocation in the callback; counts it as nested if the slot did not. */
static void *irq_alloc(struct irq_state *s, size_t size)
{
	struct pgclass_pool *pool = s->f->pool;
	struct pgclass_cpu_stats before, after;
	void *p;

	pgclass_get_cpu_stats(pool, s->cpu, &before);
	p = pgclass_alloc(pool, size);
	pgclass_get_cpu_stats(pool, s->cpu, &after);
	if (!p) {
		s->cb_alloc_fail++;
		return NULL;
	}
	s->cb_allocs++;
	if (after.alloc_calls == before.alloc_calls)
		s->nested++;
	return p;
}

static void irq_free(struct irq_state *s, void *p, bool from_slot)
{
	struct pgclass_pool *pool = s->f->pool;
	struct pgclass_cpu_stats before, after;

	pgclass_get_cpu_stats(pool, s->cpu, &before);
	if (pgclass_free(pool, p)) {
		s->cb_free_err++;
		return;
	}
	pgclass_get_cpu_stats(pool, s->cpu, &after);
	s->cb_frees++;
	/* a slot's block whose free the slot did not count */
	if (from_slot && after.free_calls == before.free_calls)
		s->nested_frees++;
}

static enum hrtimer_restart irq_timer_fn(struct hrtimer *timer)
{
	struct irq_state *s = container_of(timer, struct irq_state, timer);
	unsigned long nested;
	void *p;

	s->fires++;
	if (raw_smp_processor_id() != s->cpu)
		s->wrong_cpu++;
	if (!in_hardirq())
		s->not_hardirq++;

	if (s->keep) {
		if (pgct_verify(s->keep, 64, s->keep_seed) != 64)
			s->cb_corrupt++;
		irq_free(s, s->keep, s->keep_seed & 1);
		s->keep = NULL;
	}
	p = irq_alloc(s, 100);
	if (p) {
		pgct_fill(p, 100, s->fires);
		if (pgct_verify(p, 100, s->fires) != 100)
			s->cb_corrupt++;
		irq_free(s, p, false);
	}
	/* kept to the next run: the low bit says whether the slot made it */
	nested = s->nested;
	s->keep = irq_alloc(s, 64);
	if (s->keep) {
		s->keep_seed = (u32)(s->fires << 1) | (s->nested == nested);
		pgct_fill(s->keep, 64, s->keep_seed);
	}

	if (READ_ONCE(s->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

static void irq_thread_fn(struct pc_thread *t)
{
	struct irq_state *s = t->run->arg;
	struct pgclass_pool *pool = s->f->pool;
	void *ring[IRQ_RING] = { };
	size_t size[IRQ_RING];
	ktime_t end = ktime_add_ms(ktime_get(), IRQ_MAX_MS);
	unsigned long i;
	unsigned int k;

	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	s->timer.function = irq_timer_fn;
	hrtimer_start(&s->timer, ns_to_ktime(IRQ_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	for (i = 0; !pc_stop(t); i++) {
		k = i % IRQ_RING;
		if (ring[k]) {
			if (pgct_verify(ring[k], size[k], i - IRQ_RING) != size[k])
				s->corrupt++;
			if (pgclass_free(pool, ring[k]))
				s->free_err++;
			else
				s->frees++;
		}
		size[k] = irq_sizes[i % ARRAY_SIZE(irq_sizes)];
		ring[k] = pgclass_alloc(pool, size[k]);
		if (ring[k]) {
			s->allocs++;
			pgct_fill(ring[k], size[k], i);
		} else {
			s->alloc_fail++;
		}
		if (i % 256)
			continue;
		if (READ_ONCE(s->fires) >= IRQ_MIN_FIRES &&
		    READ_ONCE(s->nested) >= IRQ_MIN_NESTED)
			break;
		if (ktime_after(ktime_get(), end))
			break;
		cond_resched();
	}
	WRITE_ONCE(s->stop, true);
	hrtimer_cancel(&s->timer);
	for (k = 0; k < IRQ_RING; k++) {
		if (!ring[k])
			continue;
		if (pgclass_free(pool, ring[k]))
			s->free_err++;
		else
			s->frees++;
	}
	if (s->keep) {
		if (pgct_verify(s->keep, 64, s->keep_seed) != 64)
			s->corrupt++;
		if (pgclass_free(pool, s->keep))
			s->free_err++;
		else
			s->frees++;
		s->keep = NULL;
	}
}

static void test_percpu_hardirq_in_fast_path(struct kunit *test)
{
	struct pgct_fixture *f = pgct_fixture(test, 256, 12);
	struct irq_state *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pgclass_cpu_stats cs;
	struct pgclass_stats st;
	u64 slot_allocs = 0;
	unsigned int k;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->f = f;
	s->cpu = cpumask_last(cpu_online_mask);
	pc_expect_slots(test, f, &s->cpu, 1);
	pc_run(test, irq_thread_fn, s, &s->cpu, 1);

	kunit_info(test, "CPU %u: %lu thread allocations, %lu timer runs, %lu of %lu allocations in them while the slot was held, %lu slot blocks freed from there",
		   s->cpu, s->allocs, s->fires, s->nested, s->cb_allocs,
		   s->nested_frees);
	KUNIT_EXPECT_GT(test, s->fires, 0UL);
	KUNIT_EXPECT_EQ(test, s->wrong_cpu, 0UL);
	KUNIT_EXPECT_EQ(test, s->not_hardirq, 0UL);
	KUNIT_EXPECT_EQ(test, s->alloc_fail, 0UL);
	KUNIT_EXPECT_EQ(test, s->cb_alloc_fail, 0UL);
	KUNIT_EXPECT_EQ(test, s->free_err, 0UL);
	KUNIT_EXPECT_EQ(test, s->cb_free_err, 0UL);
	KUNIT_EXPECT_EQ(test, s->corrupt, 0UL);
	KUNIT_EXPECT_EQ(test, s->cb_corrupt, 0UL);
	KUNIT_EXPECT_GT_MSG(test, s->nested, 0UL,
			    "no timer run landed while the slot was held");

	pgct_check(test, f);
	pc_expect_all_freed(test, f, &st,
			    (u64)s->allocs + s->alloc_fail + s->cb_allocs +
			    s->cb_alloc_fail,
			    (u64)s->frees + s->free_err + s->cb_frees +
			    s->cb_free_err, 0);
	/* what no slot counted is exactly what the held slot turned away */
	for (k = 0; k < f->nr_slots; k++) {
		pc_cpu_stats(test, f, k, &cs);
		slot_allocs += cs.alloc_calls;
	}
	KUNIT_EXPECT_EQ(test, st.alloc_calls - slot_allocs, (u64)s->nested);
}

/*
 * Frees from a hard interrupt of blocks on another CPU's pages.  On each
 * of two CPUs a kthread loops allocating and freeing small blocks, the
 * fast path, so that its slot's lock is often held, and hands blocks over
 * to a pinned hard-IRQ hrtimer through a lock-free ring: in the cross
 * variant to the other CPU's timer, in the nested one to its own CPU's.
 * The timer frees them in hard-IRQ context, where it may neither sleep
 * nor wait for a lock that the interrupted thread may hold: a free of a
 * block whose owner's slot is taken must go round it.  Each run it also
 * frees a block a second time, which must be refused: the block has a
 * class of its own that nobody allocates meanwhile, and a live block on
 * its page keeps the page's class.
 *
 * That interrupted a holder of the slot it needed cannot be seen from
 * here: the case counts the timer's frees that landed while the thread
 * that made the block was inside a call and, in the cross variant, those
 * that the owner's slot did not count (its slot was taken, or the page
 * had left it).  Every handed-over block must be freed exactly once.  A
 * regression that hangs the threads fails the case after XIRQ_TIMEOUT;
 * one that hangs both CPUs with interrupts off hangs the guest.
 */

#define XIRQ_RUN_MS	2000
#define XIRQ_PERIOD_NS	(250 * NSEC_PER_USEC)
/* Handed-over blocks in flight per timer; a power of two. */
#define XIRQ_RING	64
/* Handed-over blocks a timer run frees at most. */
#define XIRQ_BATCH	4
#define XIRQ_LIVE	8
/* Handed-over blocks per timer at most, each with its serial number. */
#define XIRQ_SERIALS	BIT(17)
#define XIRQ_TIMEOUT	(30 * HZ)
#define XIRQ_GRACE	(10 * HZ)

static const size_t xirq_sizes[] = { 16, 32, 64, 128, 256, 48 };
/* Each timer's double-freed blocks: a class only its feeder allocates. */
static const size_t xirq_dfree_size[2] = { 512, 1024 };

struct xirq;

/*
 * One CPU's kthread and timer, and the timer's ring.  Besides the fields
 * below, counters: the timer's (the frees it made, how they went, how
 * many landed while the feeder was in a call or went past the feeder's
 * slot, its double frees) and the kthread's.
 *
 * @x: the case
 * @idx: 0 or 1
 * @cpu: the CPU
 * @timer: the pinned hard-IRQ timer
 * @stop: the timer does not rearm
 * @in_call: the kthread is inside pgclass_alloc() or pgclass_free()
 * @ring: blocks handed to this CPU's timer, by its feeder (the other
 *	CPU's kthread, or in the nested variant its own)
 * @head: blocks put in @ring, written by the feeder only
 * @tail: blocks taken from @ring, written by the timer only
 * @dfree: a pair of blocks of one page for the timer's double free, put
 *	by the feeder when @dfree[0] is NULL; the timer sets it back to
 *	NULL once done with them
 * @freed: per serial, the frees of that block that returned 0
 */
struct xirq_cpu {
	struct xirq *x;
	unsigned int idx;
	unsigned int cpu;
	struct hrtimer timer;
	bool stop;
	bool in_call;
	void *ring[XIRQ_RING];
	unsigned long head;
	unsigned long tail;
	void *dfree[2];
	u8 freed[XIRQ_SERIALS];
	/* written by the timer */
	unsigned long fires;
	unsigned long wrong_cpu;
	unsigned long not_hardirq;
	unsigned long irq_free_calls;
	unsigned long irq_frees;
	unsigned long irq_free_err;
	unsigned long irq_corrupt;
	unsigned long irq_in_call;
	unsigned long irq_shared;
	unsigned long dfrees;
	unsigned long dfree_refused;
	unsigned long dfree_taken;
	unsigned long dfree_err;
	/* written by the kthread */
	unsigned long alloc_calls;
	unsigned long allocs;
	unsigned long free_calls;
	unsigned long frees;
	unsigned long free_err;
	unsigned long handed;
	unsigned long split_pairs;
};

/*
 * The case's state, shared with the kthreads and timers.
 *
 * @f: the fixture
 * @cross: the timers free the other CPU's blocks, not their own CPU's
 * @c: the two CPUs
 * @run: the two kthreads, thread i on CPU c[i]; its abort is set when
 *	the test thread gave up waiting
 * @t: the threads of @run, here so that they go with the rest when the
 *	case must leak it
 */
struct xirq {
	struct pgct_fixture *f;
	bool cross;
	struct xirq_cpu c[2];
	struct pc_run run;
	struct pc_thread t[2];
};

static size_t xirq_size(u32 serial)
{
	return xirq_sizes[serial % ARRAY_SIZE(xirq_sizes)];
}

/* A handed-over block: its serial, then a pattern that the serial seeds. */
static void xirq_mark(void *p, u32 serial)
{
	*(u32 *)p = serial;
	pgct_fill((u32 *)p + 1, xirq_size(serial) - sizeof(u32), serial);
}

/* The block's serial if the block is whole, else XIRQ_SERIALS. */
static u32 xirq_serial(const void *p)
{
	u32 serial = *(const u32 *)p;
	size_t n;

	if (serial >= XIRQ_SERIALS)
		return XIRQ_SERIALS;
	n = xirq_size(serial) - sizeof(u32);
	if (pgct_verify((const u32 *)p + 1, n, serial) != n)
		return XIRQ_SERIALS;
	return serial;
}

/* The CPU whose kthread feeds @c's timer. */
static struct xirq_cpu *xirq_feeder(struct xirq_cpu *c)
{
	return c->x->cross ? &c->x->c[!c->idx] : c;
}

/* Free handed-over blocks, from the timer of @c's CPU. */
static void xirq_irq_free(struct xirq_cpu *c)
{
	struct xirq_cpu *feeder = xirq_feeder(c);
	struct pgclass_pool *pool = c->x->f->pool;
	struct pgclass_cpu_stats before, after;
	unsigned long tail;
	unsigned int n;
	bool in_call;
	u32 serial;
	void *p;
	int ret;

	for (n = 0; n < XIRQ_BATCH; n++) {
		tail = c->tail;
		/* pairs with the feeder's release: the entry is written */
		if (tail == smp_load_acquire(&c->head))
			return;
		p = c->ring[tail % XIRQ_RING];
		/* read before the feeder may reuse the entry */
		smp_store_release(&c->tail, tail + 1);
		serial = xirq_serial(p);
		if (serial == XIRQ_SERIALS) {
			/* not ours to free any more, if it ever was */
			c->irq_corrupt++;
			continue;
		}
		in_call = READ_ONCE(feeder->in_call);
		/*
		 * In the cross variant only this CPU's kthread, which this
		 * interrupted, and this timer free remotely into the feeder's
		 * slot: its remote_frees moves by one if its slot took this.
		 */
		if (c->x->cross)
			pgclass_get_cpu_stats(pool, feeder->cpu, &before);
		ret = pgclass_free(pool, p);
		if (c->x->cross)
			pgclass_get_cpu_stats(pool, feeder->cpu, &after);
		c->irq_free_calls++;
		if (ret) {
			c->irq_free_err++;
			continue;
		}
		c->irq_frees++;
		c->freed[serial]++;
		if (in_call)
			c->irq_in_call++;
		if (c->x->cross && after.remote_frees == before.remote_frees)
			c->irq_shared++;
	}
}

/* Free a block twice, from the timer: the second free must be refused. */
static void xirq_irq_dfree(struct xirq_cpu *c)
{
	struct pgclass_pool *pool = c->x->f->pool;
	/* pairs with the feeder's release: dfree[1] is written */
	void *p = smp_load_acquire(&c->dfree[0]);

	if (!p)
		return;
	c->dfrees++;
	c->irq_free_calls += 2;
	if (pgclass_free(pool, p)) {
		c->dfree_err++;
	} else {
		/* nobody allocates its class until dfree[0] is NULL */
		c->irq_free_calls++;
		switch (pgclass_free(pool, p)) {
		case -EINVAL:
			c->dfree_refused++;
			break;
		case 0:
			c->dfree_taken++;
			break;
		default:
			c->dfree_err++;
		}
	}
	/* the live block that kept the page in the class */
	if (pgclass_free(pool, c->dfree[1]))
		c->dfree_err++;
	c->dfree[1] = NULL;
	/* the frees above come before the feeder's next allocation */
	smp_store_release(&c->dfree[0], NULL);
}

static enum hrtimer_restart xirq_timer_fn(struct hrtimer *timer)
{
	struct xirq_cpu *c = container_of(timer, struct xirq_cpu, timer);

	c->fires++;
	if (raw_smp_processor_id() != c->cpu)
		c->wrong_cpu++;
	if (!in_hardirq())
		c->not_hardirq++;
	xirq_irq_free(c);
	xirq_irq_dfree(c);
	if (READ_ONCE(c->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(XIRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

/*
 * Mark the kthread as inside a pgclass call or out of it, for the timer
 * that interrupts it; the compiler keeps the mark on its side of the call.
 */
static void xirq_set_in_call(struct xirq_cpu *me, bool in_call)
{
	barrier();
	WRITE_ONCE(me->in_call, in_call);
	barrier();
}

/* pgclass_alloc() and pgclass_free() from the kthread, marked as such. */
static void *xirq_alloc(struct xirq_cpu *me, size_t size)
{
	void *p;

	xirq_set_in_call(me, true);
	p = pgclass_alloc(me->x->f->pool, size);
	xirq_set_in_call(me, false);
	me->alloc_calls++;
	if (p)
		me->allocs++;
	return p;
}

static void xirq_free(struct xirq_cpu *me, void *p)
{
	int ret;

	xirq_set_in_call(me, true);
	ret = pgclass_free(me->x->f->pool, p);
	xirq_set_in_call(me, false);
	me->free_calls++;
	if (ret)
		me->free_err++;
	else
		me->frees++;
}

/* Hand a new block to @to's timer if its ring has room. */
static void xirq_hand_over(struct xirq_cpu *me, struct xirq_cpu *to)
{
	unsigned long head = to->head;
	void *p;

	/* pairs with the timer's release: it read the entry it took */
	if (head - smp_load_acquire(&to->tail) >= XIRQ_RING ||
	    head >= XIRQ_SERIALS)
		return;
	p = xirq_alloc(me, xirq_size(head));
	if (!p)
		return;
	xirq_mark(p, head);
	to->ring[head % XIRQ_RING] = p;
	/* the entry and the block's mark before the timer sees them */
	smp_store_release(&to->head, head + 1);
	me->handed++;
}

/* Give @to's timer two blocks of one page to free, one of them twice. */
static void xirq_hand_pair(struct xirq_cpu *me, struct xirq_cpu *to)
{
	size_t size = xirq_dfree_size[to->idx];
	struct pgct_fixture *f = me->x->f;
	void *a, *b;

	/* pairs with the timer's release: it is done with the last pair */
	if (smp_load_acquire(&to->dfree[0]))
		return;
	a = xirq_alloc(me, size);
	b = xirq_alloc(me, size);
	if (a && b && pgct_page_of(f, a) == pgct_page_of(f, b)) {
		to->dfree[1] = b;
		/* dfree[1] before the timer sees dfree[0] */
		smp_store_release(&to->dfree[0], a);
		return;
	}
	me->split_pairs++;
	if (a)
		xirq_free(me, a);
	if (b)
		xirq_free(me, b);
}

static void xirq_thread_fn(struct pc_thread *t)
{
	struct xirq *x = t->run->arg;
	struct xirq_cpu *me = &x->c[t->idx];
	struct xirq_cpu *to = x->cross ? &x->c[!me->idx] : me;
	void *live[XIRQ_LIVE] = { };
	ktime_t end;
	unsigned long i;
	unsigned int k;

	end = ktime_add_ms(ktime_get(), XIRQ_RUN_MS);
	hrtimer_start(&me->timer, ns_to_ktime(XIRQ_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	for (i = 0; ; i++) {
		k = i % XIRQ_LIVE;
		if (live[k])
			xirq_free(me, live[k]);
		live[k] = xirq_alloc(me, xirq_sizes[i % ARRAY_SIZE(xirq_sizes)]);
		xirq_hand_over(me, to);
		if (!(i % 16))
			xirq_hand_pair(me, to);
		if (i % 256)
			continue;
		if (atomic_read(&t->run->abort) ||
		    ktime_after(ktime_get(), end))
			break;
		cond_resched();
	}
	WRITE_ONCE(me->stop, true);
	hrtimer_cancel(&me->timer);
	for (k = 0; k < XIRQ_LIVE; k++)
		if (live[k])
			xirq_free(me, live[k]);
}

static void xirq_free_state(void *data)
{
	kvfree(data);
}

/*
 * Start a kthread on each of @cpu and wait for both, XIRQ_TIMEOUT at most.
 * Returns 0, an error if a kthread could not be made (the case has
 * failed), or -ETIMEDOUT if one is still running: the case then leaks
 * what they use rather than free it under them.
 */
static int xirq_run(struct kunit *test, struct xirq *x,
		    const unsigned int cpu[2])
{
	unsigned long timeout = msecs_to_jiffies(XIRQ_RUN_MS) + XIRQ_TIMEOUT;
	struct pc_run *r = &x->run;
	unsigned int i;
	int err;

	pc_run_init(r, xirq_thread_fn, x, x->t, 2);
	err = pc_run_start(test, r, cpu);
	if (!pc_run_wait(r, jiffies + timeout)) {
		KUNIT_FAIL(test, "the kthreads did not finish in %u s; stopping them",
			   jiffies_to_msecs(timeout) / 1000);
		atomic_set(&r->abort, 1);
		for (i = 0; i < r->made; i++) {
			WRITE_ONCE(x->c[i].stop, true);
			hrtimer_cancel(&x->c[i].timer);
		}
		if (!pc_run_wait(r, jiffies + XIRQ_GRACE)) {
			KUNIT_FAIL(test, "kthread on CPU %u stuck; leaking the pool",
				   r->t[r->waited].cpu);
			return -ETIMEDOUT;
		}
	}
	pc_run_reap(test, r);
	return err;
}

/*
 * Free, from the test's thread, what is left in @c's ring, and the pair
 * its timer did not take (in *@pair, the frees).  Returns the ring's.
 */
static unsigned long xirq_drain(struct kunit *test, struct xirq *x,
				struct xirq_cpu *c, unsigned long *pair)
{
	struct pgclass_pool *pool = x->f->pool;
	unsigned long n = 0;
	u32 serial;
	void *p;

	for (; c->tail != c->head; c->tail++) {
		p = c->ring[c->tail % XIRQ_RING];
		serial = xirq_serial(p);
		KUNIT_EXPECT_LT_MSG(test, serial, XIRQ_SERIALS,
				    "a handed-over block was overwritten");
		if (serial == XIRQ_SERIALS)
			continue;
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(pool, p));
		c->freed[serial]++;
		n++;
	}
	*pair = 0;
	if (c->dfree[0]) {
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(pool, c->dfree[0]));
		KUNIT_EXPECT_EQ(test, 0, pgclass_free(pool, c->dfree[1]));
		*pair = 2;
	}
	return n;
}

static void xirq_desc(const bool *cross, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
		 *cross ? "the other CPU's blocks" :
			  "the own CPU's blocks, nested");
}

static const bool xirq_cross[] = { true, false };
KUNIT_ARRAY_PARAM(xirq, xirq_cross, xirq_desc);

static void test_percpu_hardirq_cross_free(struct kunit *test)
{
	bool cross = *(const bool *)test->param_value;
	unsigned long alloc_calls = 0, free_calls = 0, refused = 0;
	unsigned long irq_frees = 0, drained, pair;
	struct pgct_fixture *f;
	struct pgclass_stats st;
	unsigned int cpu[2], i;
	struct xirq *x;
	int err;
	u32 s;

	pc_two_cpus(test, cpu);
	f = pgct_fixture(test, 256, 12);
	pc_expect_slots(test, f, cpu, 2);
	x = kvzalloc(sizeof(*x), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, xirq_free_state, x));
	x->f = f;
	x->cross = cross;
	for (i = 0; i < 2; i++) {
		struct xirq_cpu *c = &x->c[i];

		c->x = x;
		c->idx = i;
		c->cpu = cpu[i];
		hrtimer_init(&c->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		c->timer.function = xirq_timer_fn;
	}
	err = xirq_run(test, x, cpu);
	if (err == -ETIMEDOUT) {
		kunit_remove_action(test, xirq_free_state, x);
		pgct_fixture_forget(test, f);
	}
	if (err)
		return;

	for (i = 0; i < 2; i++) {
		struct xirq_cpu *c = &x->c[i];
		struct xirq_cpu *feeder = xirq_feeder(c);
		unsigned long twice = 0, never = 0;

		drained = xirq_drain(test, x, c, &pair);
		for (s = 0; s < c->head; s++) {
			if (!c->freed[s])
				never++;
			else if (c->freed[s] > 1)
				twice++;
		}
		kunit_info(test, "CPU %u: %lu timer runs freed %lu of %lu blocks made on CPU %u (%lu while its thread was in a call, %lu not counted by its slot), refused %lu of %lu double frees (%lu pairs not on one page)",
			   c->cpu, c->fires, c->irq_frees, feeder->handed,
			   feeder->cpu, c->irq_in_call, c->irq_shared,
			   c->dfree_refused, c->dfrees, feeder->split_pairs);
		KUNIT_EXPECT_GT(test, c->fires, 0UL);
		KUNIT_EXPECT_EQ(test, c->wrong_cpu, 0UL);
		KUNIT_EXPECT_EQ(test, c->not_hardirq, 0UL);
		KUNIT_EXPECT_EQ(test, c->alloc_calls, c->allocs);
		KUNIT_EXPECT_EQ(test, c->free_err, 0UL);
		KUNIT_EXPECT_EQ(test, c->irq_free_err, 0UL);
		KUNIT_EXPECT_EQ(test, c->irq_corrupt, 0UL);
		KUNIT_EXPECT_EQ(test, c->dfree_err, 0UL);
		KUNIT_EXPECT_EQ_MSG(test, c->dfree_taken, 0UL,
				    "double frees that succeeded");
		KUNIT_EXPECT_EQ(test, c->dfree_refused, c->dfrees);
		KUNIT_EXPECT_GT(test, c->dfrees, 0UL);
		KUNIT_EXPECT_GT_MSG(test, c->irq_frees, 0UL,
				    "the timer on CPU %u freed nothing", c->cpu);
		KUNIT_EXPECT_GT_MSG(test, c->irq_in_call, 0UL,
				    "no free on CPU %u landed while the thread of CPU %u was in a call",
				    c->cpu, feeder->cpu);
		/* every handed-over block freed exactly once */
		KUNIT_EXPECT_EQ(test, c->head, feeder->handed);
		KUNIT_EXPECT_EQ(test, never, 0UL);
		KUNIT_EXPECT_EQ(test, twice, 0UL);
		KUNIT_EXPECT_EQ(test, c->irq_frees + drained, feeder->handed);
		alloc_calls += c->alloc_calls;
		free_calls += c->free_calls + c->irq_free_calls + drained + pair;
		refused += c->dfree_refused;
		irq_frees += c->irq_frees;
	}
	kunit_info(test, "%lu frees from hard-IRQ context in all", irq_frees);

	pgct_check(test, f);
	pc_expect_all_freed(test, f, &st, alloc_calls, free_calls, refused);
	pgclass_drain(f->pool);
	pgct_expect_pristine(test, f);
}

/*
 * Reclaim of another CPU's caches.  The second CPU allocates blocks of
 * every small class and frees them: its slot keeps a page of each class,
 * empty.  The first CPU then asks for one block the size of the whole
 * data area: it must get it, the second CPU's pages taken back.
 */

struct reclaim {
	struct pgct_fixture *f;
	unsigned int alloc_fail;
	unsigned int free_err;
};

static void reclaim_cache_fn(struct pc_thread *t)
{
	struct reclaim *rc = t->run->arg;
	struct pgclass_pool *pool = rc->f->pool;
	size_t bs;
	void *a, *b;

	for (bs = 16; bs <= rc->f->page / 2; bs *= 2) {
		a = pgclass_alloc(pool, bs);
		b = pgclass_alloc(pool, bs);
		rc->alloc_fail += !a + !b;
		if (a && pgclass_free(pool, a))
			rc->free_err++;
		if (b && pgclass_free(pool, b))
			rc->free_err++;
	}
}

static void test_percpu_reclaim_other_cpu(struct kunit *test)
{
	unsigned int shift = pgct_param_shift(test);
	struct pgclass_cpu_stats cs0, cs1, after;
	unsigned int cpu[2], c, nr_small;
	struct pgct_fixture *f;
	struct pgclass_stats st;
	struct reclaim *rc;
	u64 blocks = 0;
	size_t data;
	u8 *big;

	pc_two_cpus(test, cpu);
	/* at 512 B pages, 64 pages leave room for one slot only */
	f = pgct_fixture(test, shift < 12 ? 512 : 64, shift);
	pc_expect_slots(test, f, cpu, 2);
	nr_small = pgct_class_page(f);
	data = pgct_data_pages(f) * f->page;
	rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rc);
	rc->f = f;
	pc_on_cpu(test, cpu[1], reclaim_cache_fn, rc);
	KUNIT_ASSERT_EQ(test, rc->alloc_fail, 0U);
	KUNIT_ASSERT_EQ(test, rc->free_err, 0U);

	/* the second CPU's slot owns one empty page per small class */
	for (c = 0; c < nr_small; c++)
		blocks += f->page >> (c + PGCLASS_MIN_BLOCK_SHIFT);
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	pc_cpu_stats(test, f, cpu[0], &cs0);
	pc_cpu_stats(test, f, cpu[1], &cs1);
	KUNIT_EXPECT_EQ(test, st.blocks, 0ULL);
	KUNIT_EXPECT_GT(test, st.cached_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, st.cached_pages, (u64)nr_small);
	KUNIT_EXPECT_EQ(test, st.cached_blocks, blocks);
	KUNIT_EXPECT_EQ(test, cs1.cached_pages, (u64)nr_small);
	KUNIT_EXPECT_EQ(test, cs0.cached_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, st.used_pages, nr_small);

	/* the whole data area, asked for on the first CPU */
	big = pc_alloc_on(test, f, cpu[0], data);
	KUNIT_ASSERT_NOT_NULL_MSG(test, big,
				  "%zu bytes with %u pages cached on CPU %u",
				  data, nr_small, cpu[1]);
	KUNIT_EXPECT_PTR_EQ(test, big, pgct_data_start(f));
	KUNIT_EXPECT_EQ(test, data, pgclass_usable_size(f->pool, big));
	pgct_check(test, f);
	pgclass_get_stats(f->pool, &st);
	pc_cpu_stats(test, f, cpu[1], &after);
	KUNIT_EXPECT_EQ(test, st.cached_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, st.free_pages, 0U);
	KUNIT_EXPECT_EQ(test, st.cache_busy_failures, 0ULL);
	KUNIT_EXPECT_EQ(test, st.failed_calls, 0ULL);
	KUNIT_EXPECT_GT(test, after.flushes, cs1.flushes);

	KUNIT_EXPECT_EQ(test, 0, pc_free_on(test, f, cpu[0], big));
	pgct_expect_pristine(test, f);
}

/*
 * Pools made for 1 and for 64 CPUs.  Slots for at most that many CPUs,
 * all of them on a large enough pool; metadata within the budget the
 * descriptors leave and within 1% of the region at 4 KiB pages; and
 * alloc/free from every online CPU works, on the shared path for CPUs
 * without a slot.
 */

/* At 4 KiB pages this pool has room for 64 slots within 1%. */
#define PC_BIG_POOL	65536UL
/* Pools up to this many pages get the full snapshot check. */
#define PC_CHECKED_POOL	4096UL
#define CPUS_ROUNDS	64

struct cpus_param {
	unsigned long nr_pages;
	unsigned int cpus;
};

static const struct cpus_param cpus_params[] = {
	{ 1024, 1 }, { 1024, 64 },
	{ 4096, 1 }, { 4096, 64 },
	{ PC_BIG_POOL, 1 }, { PC_BIG_POOL, 64 },
};

static void cpus_desc(const struct cpus_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%lu pages for %u CPU%s",
		 p->nr_pages, p->cpus, p->cpus == 1 ? "" : "s");
}

KUNIT_ARRAY_PARAM(cpus, cpus_params, cpus_desc);

struct cpus_thread {
	unsigned long small_allocs;
	unsigned long allocs;
	unsigned long alloc_fail;
	unsigned long frees;
	unsigned long free_err;
	unsigned long corrupt;
};

struct cpus_work {
	struct pgct_fixture *f;
	struct cpus_thread th[];	/* one per thread */
};

static void cpus_fn(struct pc_thread *t)
{
	struct cpus_work *w = t->run->arg;
	struct cpus_thread *me = &w->th[t->idx];
	struct pgclass_pool *pool = w->f->pool;
	size_t page = w->f->page;
	const size_t sizes[] = { 16, 40, 100, 300, 1000, page / 2, page,
				 2 * page + 1 };
	void *p[ARRAY_SIZE(sizes)];
	unsigned int round, i;

	for (round = 0; round < CPUS_ROUNDS && !pc_stop(t); round++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			p[i] = pgclass_alloc(pool, sizes[i]);
			if (!p[i]) {
				me->alloc_fail++;
				continue;
			}
			me->allocs++;
			if (sizes[i] <= page / 2)
				me->small_allocs++;
			pgct_fill(p[i], sizes[i], round + i);
		}
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			if (!p[i])
				continue;
			if (pgct_verify(p[i], sizes[i], round + i) != sizes[i])
				me->corrupt++;
			if (pgclass_free(pool, p[i]))
				me->free_err++;
			else
				me->frees++;
		}
		cond_resched();
	}
}

static void test_percpu_pool_cpus(struct kunit *test)
{
	const struct cpus_param *p = test->param_value;
	struct pgct_fixture *f = pgct_fixture_mem(test, p->nr_pages, 12);
	unsigned long allocs = 0, frees = 0;
	struct pgclass_stats st0, st;
	struct pgclass_cpu_stats cs;
	unsigned int *cpus, nr, i, k;
	struct pgclass_pool *pool;
	struct cpus_work *w;

	/* the same region without slots: what the descriptors need */
	pool = pgclass_pool_create_cpus(f->base, f->size, f->shift, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	KUNIT_EXPECT_EQ(test, pgclass_nr_cpu_slots(pool), 0U);
	pgclass_get_stats(pool, &st0);
	KUNIT_EXPECT_EQ(test, 0UL, pgclass_pool_destroy(pool));

	f->cpus = p->cpus;
	f->cpus_set = true;
	if (p->nr_pages <= PC_CHECKED_POOL) {
		pgct_pool_new(test, f);
	} else {
		/* too many pages for a snapshot: the counters alone */
		f->pool = pgclass_pool_create_cpus(f->base, f->size, f->shift,
						   f->cpus);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(f->pool));
		f->nr_slots = pgclass_nr_cpu_slots(f->pool);
		pgclass_get_stats(f->pool, &f->init);
	}
	st = f->init;
	kunit_info(test, "%u slots, %u metadata pages (%u without slots)",
		   f->nr_slots, st.meta_pages, st0.meta_pages);
	KUNIT_EXPECT_LE(test, f->nr_slots, p->cpus);
	if (p->nr_pages >= PC_BIG_POOL)
		KUNIT_EXPECT_EQ(test, f->nr_slots, p->cpus);
	KUNIT_EXPECT_EQ(test, st.nr_pages, (u32)p->nr_pages);
	KUNIT_EXPECT_EQ(test, st.meta_pages + st.free_pages, st.nr_pages);
	KUNIT_EXPECT_EQ(test, st.cached_pages, 0ULL);
	KUNIT_EXPECT_LE_MSG(test, (u64)st.meta_pages * 100, (u64)st.nr_pages,
			    "%u metadata pages of %u", st.meta_pages,
			    st.nr_pages);
	KUNIT_EXPECT_LE(test, st.meta_pages,
			max(st0.meta_pages, st.nr_pages / 100));
	for (k = 0; k < f->nr_slots; k++) {
		KUNIT_ASSERT_EQ(test, 0,
				pgclass_get_cpu_stats(f->pool, k, &cs));
		KUNIT_EXPECT_EQ(test, cs.alloc_calls, 0ULL);
		KUNIT_EXPECT_EQ(test, cs.cached_pages, 0ULL);
	}
	KUNIT_EXPECT_EQ(test, -EINVAL,
			pgclass_get_cpu_stats(f->pool, f->nr_slots, &cs));

	cpus = pc_online_cpus(test, &nr);
	w = kunit_kzalloc(test, struct_size(w, th, nr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->f = f;
	pc_run(test, cpus_fn, w, cpus, nr);

	for (i = 0; i < nr; i++) {
		struct cpus_thread *th = &w->th[i];
		int ret = pgclass_get_cpu_stats(f->pool, cpus[i], &cs);

		KUNIT_EXPECT_EQ_MSG(test, th->alloc_fail, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_EQ_MSG(test, th->free_err, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_EQ_MSG(test, th->corrupt, 0UL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_EQ_MSG(test, th->allocs,
				    CPUS_ROUNDS * 8UL, "CPU %u", cpus[i]);
		allocs += th->allocs + th->alloc_fail;
		frees += th->frees + th->free_err;
		if (cpus[i] >= f->nr_slots) {
			/* no slot: the shared path served it */
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "CPU %u", cpus[i]);
			continue;
		}
		/*
		 * A CPU with a slot allocates small blocks through it, but for
		 * the moments another CPU holds it to free into its pages
		 * (a page with that CPU's blocks on it may have become this
		 * slot's): those calls take the shared path.
		 */
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "CPU %u", cpus[i]);
		KUNIT_EXPECT_GT_MSG(test, cs.alloc_calls, 0ULL, "CPU %u", cpus[i]);
		KUNIT_EXPECT_LE_MSG(test, cs.alloc_calls, (u64)th->small_allocs,
				    "CPU %u", cpus[i]);
	}
	pc_expect_all_freed(test, f, &st, allocs, frees, 0);
	if (p->nr_pages <= PC_CHECKED_POOL)
		pgct_check(test, f);

	pgclass_drain(f->pool);
	pgclass_get_stats(f->pool, &st);
	KUNIT_EXPECT_EQ(test, st.cached_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, st.used_pages, 0U);
	KUNIT_EXPECT_EQ(test, st.free_pages, f->init.free_pages);
	if (p->nr_pages <= PC_CHECKED_POOL)
		pgct_expect_pristine(test, f);
}

PGCT_SUITE(percpu,
	   KUNIT_CASE_PARAM(test_percpu_cross_cpu_free, xfree_gen_params),
	   KUNIT_CASE(test_percpu_double_free_storm),
	   KUNIT_CASE(test_percpu_double_free_cached),
	   KUNIT_CASE(test_percpu_churn),
	   KUNIT_CASE(test_percpu_hardirq_in_fast_path),
	   KUNIT_CASE_PARAM(test_percpu_hardirq_cross_free, xirq_gen_params),
	   KUNIT_CASE_PARAM(test_percpu_reclaim_other_cpu, pgct_shift_gen_params),
	   KUNIT_CASE_PARAM(test_percpu_pool_cpus, cpus_gen_params));
