/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the few atomics the core uses, as C11 atomics with the
 * kernel's orderings.
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
/*
 * Only the holder of a slot's lock changes that slot's pages, and a thread
 * has no interrupts: a compare and a store do, without the lock prefix that
 * a C11 compare-and-swap costs on x86 (the kernel's cmpxchg_local() has
 * none either).  Relaxed atomics, so that ThreadSanitizer sees the marked
 * accesses the kernel's are.
 */
#define cmpxchg_local(p, o, n) ({					\
	__typeof__(*(p)) __cur = __atomic_load_n((p), __ATOMIC_RELAXED);	\
	if (__cur == (o))						\
		__atomic_store_n((p), (n), __ATOMIC_RELAXED);		\
	__cur;								\
})
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
