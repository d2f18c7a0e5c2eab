/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: lockdep's assertions, checked for real.  A spinlock
 * here records the thread that holds it (shim.c), so lockdep_is_held()
 * says whether the calling thread holds it, and an assertion that fails
 * aborts with its place, where the kernel's lockdep would WARN: a helper
 * called without the lock it needs fails the test that called it.
 */
#ifndef _SHIM_LINUX_LOCKDEP_H
#define _SHIM_LINUX_LOCKDEP_H

#include <linux/compiler_attributes.h>
#include <linux/spinlock.h>

bool shim_spin_is_held(spinlock_t *l);
__noreturn void shim_lockdep_fail(const char *cond, const char *file,
				  int line, const char *func);

#define lockdep_is_held(l)	shim_spin_is_held(l)
#ifdef NDEBUG
/*
 * As in a kernel without lockdep: nothing is checked (the benchmarks,
 * whose shim.c has no such bookkeeping), but the condition still names
 * what it would check, so no variable goes unused.
 */
#define lockdep_assert(cond)	((void)sizeof(cond))
#else
#define lockdep_assert(cond)						\
	do {								\
		if (!(cond))						\
			shim_lockdep_fail(#cond, __FILE__, __LINE__,	\
					  __func__);			\
	} while (0)
#endif
#define lockdep_assert_held(l)	lockdep_assert(lockdep_is_held(l))

#endif
