// SPDX-License-Identifier: GPL-2.0
/* The out-of-line parts of the user-space shims. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <linux/cpumask.h>
#include <linux/lockdep.h>
#include <linux/printk.h>
#include <linux/spinlock.h>

#include "shim.h"

unsigned long shim_warnings;
char shim_last_warning[512];
bool shim_quiet;
/* The core's tracepoints count as on: their arguments are worked out. */
bool shim_trace_on = true;
__thread int shim_lock_depth;
__thread unsigned long shim_lock_count;
__thread void (*shim_unlock_hook)(void);

unsigned int nr_cpu_ids = 8;

/*
 * Threads warn at once (bad frees in the threaded tests): the counters,
 * the last message and each call site's rate limit are under one lock,
 * as the kernel's ___ratelimit() takes one.
 */
static pthread_mutex_t shim_print_lock = PTHREAD_MUTEX_INITIALIZER;

/* Under shim_print_lock. */
static void shim_vprint(int level, bool quiet, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (level <= LOGLEVEL_WARNING) {
		shim_warnings++;
		snprintf(shim_last_warning, sizeof(shim_last_warning), "%s",
			 buf);
	}
	if (!quiet)
		fprintf(stderr, "# <%d>%s", level, buf);
}

int shim_printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&shim_print_lock);
	shim_vprint(level, shim_quiet, fmt, ap);
	pthread_mutex_unlock(&shim_print_lock);
	va_end(ap);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int shim_printk_ratelimited(struct shim_ratelimit *rs, int level,
			    const char *fmt, ...)
{
	long long now = now_ms();
	bool quiet = shim_quiet;
	va_list ap;

	pthread_mutex_lock(&shim_print_lock);
	if (!rs->begin_ms || now - rs->begin_ms >= DEFAULT_RATELIMIT_INTERVAL_MS) {
		if (rs->missed && !shim_quiet)
			fprintf(stderr, "# %d callbacks suppressed\n",
				rs->missed);
		rs->begin_ms = now;
		rs->printed = 0;
		rs->missed = 0;
	}
	if (rs->printed < DEFAULT_RATELIMIT_BURST) {
		rs->printed++;
	} else {
		rs->missed++;
		quiet = true;	/* counted, not printed */
	}
	va_start(ap, fmt);
	shim_vprint(level, quiet, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&shim_print_lock);
	return 0;
}

void shim_spin_init(spinlock_t *l)
{
	memset(l, 0, sizeof(*l));
	if (pthread_spin_init(&l->lock, PTHREAD_PROCESS_PRIVATE))
		abort();
}

void shim_spin_lock(spinlock_t *l)
{
	/*
	 * Another thread may take the lock meanwhile: owner and held are
	 * read and written atomically, and only this thread's own values
	 * matter here.
	 */
	if (__atomic_load_n(&l->held, __ATOMIC_RELAXED) &&
	    pthread_equal(__atomic_load_n(&l->owner, __ATOMIC_RELAXED),
			  pthread_self())) {
		fprintf(stderr, "# BUG: spinlock recursion\n");
		abort();
	}
	pthread_spin_lock(&l->lock);
	shim_lock_count++;
	__atomic_store_n(&l->owner, pthread_self(), __ATOMIC_RELAXED);
	/* Release: who sees held set sees this owner (shim_spin_is_held()). */
	__atomic_store_n(&l->held, 1, __ATOMIC_RELEASE);
	shim_lock_depth++;
}

/* lockdep_is_held(): does this thread hold @l? */
bool shim_spin_is_held(spinlock_t *l)
{
	return __atomic_load_n(&l->held, __ATOMIC_ACQUIRE) &&
	       pthread_equal(__atomic_load_n(&l->owner, __ATOMIC_RELAXED),
			     pthread_self());
}

void shim_lockdep_fail(const char *cond, const char *file, int line,
		       const char *func)
{
	fprintf(stderr, "# BUG: lockdep assertion failed in %s() at %s:%d: %s\n",
		func, file, line, cond);
	abort();
}

void shim_spin_unlock(spinlock_t *l)
{
	if (!l->held || !pthread_equal(l->owner, pthread_self())) {
		fprintf(stderr, "# BUG: unlocking a spinlock not held\n");
		abort();
	}
	shim_lock_depth--;
	__atomic_store_n(&l->held, 0, __ATOMIC_RELAXED);
	pthread_spin_unlock(&l->lock);
	if (shim_unlock_hook && !shim_lock_depth) {
		void (*hook)(void) = shim_unlock_hook;

		shim_unlock_hook = NULL;
		hook();
	}
}
