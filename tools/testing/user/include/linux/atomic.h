/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the few atomics the core uses, as C11 atomics with the
 * kernel's orderings.  cmpxchg_local() is atomic against an interrupt on
 * the same CPU in the kernel; threads have no interrupts, and a slot is
 * used by one thread at a time, so a relaxed compare-and-swap is its match.
 */
#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H

#include <linux/compiler.h>

#define shim_cmpxchg(p, o, n, order) ({				\
	__typeof__(*(p)) __old = (o);					\
	__atomic_compare_exchange_n((p), &__old, (n), false,		\
				    (order), __ATOMIC_RELAXED);		\
	__old;								\
})

#define cmpxchg(p, o, n)	shim_cmpxchg(p, o, n, __ATOMIC_SEQ_CST)
#define cmpxchg_acquire(p, o, n) shim_cmpxchg(p, o, n, __ATOMIC_ACQUIRE)
#define cmpxchg_local(p, o, n)	shim_cmpxchg(p, o, n, __ATOMIC_RELAXED)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
