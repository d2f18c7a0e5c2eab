// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line parts of tools/testing/user/include's shims, for the
 * benchmarks.  The test suite's own shim.c checks lock ownership on every
 * call, which a kernel spinlock does not do; here spin_lock() is a bare
 * pthread spinlock (one atomic to take, one store to drop), the closest
 * user-space match of the kernel's uncontended lock, so that timings pay
 * for real locking and nothing more.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/printk.h>
#include <linux/spinlock.h>

__thread int shim_lock_depth;

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

void shim_spin_init(spinlock_t *l)
{
	if (pthread_spin_init(&l->lock, PTHREAD_PROCESS_PRIVATE))
		abort();
}

void shim_spin_lock(spinlock_t *l)
{
	pthread_spin_lock(&l->lock);
}

void shim_spin_unlock(spinlock_t *l)
{
	pthread_spin_unlock(&l->lock);
}
