// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line parts of tools/testing/user/include's shims, for the
 * benchmarks and the LD_PRELOAD malloc (tools/testing/user/malloc), both
 * built optimised.  The test suite's own shim.c checks lock ownership on every
 * call, which a kernel spinlock does not do; here spin_lock() is a bare
 * pthread spinlock (one atomic to take, one store to drop), the closest
 * user-space match of the kernel's uncontended lock, so that timings pay
 * for real locking and nothing more.
 *
 * A thread is a CPU, as in the tests (tools/testing/user/cpu.c).  Here
 * nr_cpu_ids, which sizes a new pool's slots, is the machine's CPU count,
 * as the kernel's is (the malloc sets its own before it makes its pool);
 * the benchmarks pin each of their threads to a CPU of its own.  A thread
 * that exits leaves its slot's pages in place, as a CPU that goes idle
 * does: the next thread to take the number uses them.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <linux/cpumask.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#include "lockstat.h"

__thread int shim_lock_depth;
/* The core's tracepoints are off, as in a kernel nobody traces. */
bool shim_trace_on;

unsigned int nr_cpu_ids = 1;

static __attribute__((constructor)) void bench_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	nr_cpu_ids = n > 0 && n < SHIM_MAX_CPUS ? (unsigned int)n : 1;
}

static void bench_vprint(int level, const char *fmt, va_list ap)
{
	fprintf(stderr, "<%d>", level);
	vfprintf(stderr, fmt, ap);
}

int shim_printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_vprint(level, fmt, ap);
	va_end(ap);
	return 0;
}

/* A benchmark never frees a bad pointer: print every message. */
int shim_printk_ratelimited(struct shim_ratelimit *rs, int level,
			    const char *fmt, ...)
{
	va_list ap;

	(void)rs;
	va_start(ap, fmt);
	bench_vprint(level, fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * The first locks shim_spin_init() made, for the LD_PRELOAD malloc
 * (tools/testing/user/malloc), which holds them across fork(): a child
 * must not inherit a pool lock that another thread of its parent held
 * at that instant, with the pool half changed under it.  The malloc makes
 * one pool, and so one lock; the benchmarks never fork.
 *
 * The thread that holds them for fork() still allocates: fork handlers
 * registered before the malloc's run after its prepare handler, and the
 * child's before its child handler, and they may call malloc().  For
 * that thread, taking and dropping one of them is a no-op meanwhile, as
 * the C library takes its own malloc's locks after every handler has run.
 */
#define SHIM_FORK_LOCKS	8
static spinlock_t *shim_locks[SHIM_FORK_LOCKS];
static unsigned int shim_nr_locks;
static __thread bool shim_fork_holder;

void shim_spin_init(spinlock_t *l)
{
	unsigned int k;

	if (pthread_spin_init(&l->lock, PTHREAD_PROCESS_PRIVATE))
		abort();
	k = __atomic_fetch_add(&shim_nr_locks, 1, __ATOMIC_RELAXED);
	if (k < SHIM_FORK_LOCKS)
		__atomic_store_n(&shim_locks[k], l, __ATOMIC_RELEASE);
}

static inline struct shim_spinlock *shim_fork_lock(unsigned int k)
{
	return __atomic_load_n(&shim_locks[k], __ATOMIC_ACQUIRE);
}

/* Take every recorded lock, in the order they were made. */
void shim_lock_all(void)
{
	unsigned int k;

	for (k = 0; k < SHIM_FORK_LOCKS; k++)
		if (shim_fork_lock(k))
			pthread_spin_lock(&shim_fork_lock(k)->lock);
	shim_fork_holder = true;
}

/* Drop them: in the parent after fork(), and in the child. */
void shim_unlock_all(void)
{
	unsigned int k;

	shim_fork_holder = false;
	for (k = SHIM_FORK_LOCKS; k-- > 0;)
		if (shim_fork_lock(k))
			pthread_spin_unlock(&shim_fork_lock(k)->lock);
}

/*
 * walkhold's lock timing: off for every other benchmark, which pays one
 * predictable branch.  One thread at a time sets it.
 */
bool shim_time_locks;
unsigned long long shim_lock_holds, shim_hold_max_ns, shim_hold_total_ns;
static __thread unsigned long long shim_hold_start;

static unsigned long long shim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void shim_spin_lock(spinlock_t *l)
{
	if (shim_fork_holder)
		return;
	pthread_spin_lock(&l->lock);
	if (shim_time_locks)
		shim_hold_start = shim_now();
}

void shim_spin_unlock(spinlock_t *l)
{
	if (shim_time_locks && shim_hold_start) {
		unsigned long long held = shim_now() - shim_hold_start;

		shim_lock_holds++;
		shim_hold_total_ns += held;
		if (held > shim_hold_max_ns)
			shim_hold_max_ns = held;
		shim_hold_start = 0;
	}
	if (!shim_fork_holder)
		pthread_spin_unlock(&l->lock);
}
