/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the few atomics the core uses, as C11 atomics with the
 * kernel's orderings.
 */
#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H

#include <linux/compiler.h>

#define shim_cmpxchg(p, o, n, order) ({					\
	__typeof__(p) __p = (p);					\
	__typeof__(*__p) __old = (o);					\
	__atomic_compare_exchange_n(__p, &__old, (n), false,		\
				    (order), __ATOMIC_RELAXED);		\
	__old;								\
})

#define cmpxchg(p, o, n)	shim_cmpxchg(p, o, n, __ATOMIC_SEQ_CST)
#define cmpxchg_acquire(p, o, n) shim_cmpxchg(p, o, n, __ATOMIC_ACQUIRE)
/* As spinlock_t: a struct named through a macro, not a new typedef. */
struct shim_atomic {
	int counter;
};

#define atomic_t		struct shim_atomic

#define ATOMIC_INIT(i)		{ (i) }
#define atomic_inc_return(v)	__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)

/* Releases what was written before it to an acquiring reader. */
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#endif
