/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmarks' atomics: tools/testing/user's, but for cmpxchg_local(),
 * which here is what the kernel's is on x86-64 (__cmpxchg_local() in
 * arch/x86/include/asm/cmpxchg.h): a cmpxchg without the lock prefix.
 * The tests' shim makes it a C11 compare-and-swap, a locked cmpxchg on
 * x86, which costs as much as the slot lock itself; core.c sets or clears
 * a block's bit with it on every fast-path call, so the native figures
 * would pay for an atomic the kernel does not execute.  In user space it
 * is as correct as in the kernel: a thread is a CPU, and the bits of an
 * owned page change only under its slot's lock (there are no interrupts
 * to nest).
 */
#ifndef _BENCH_LINUX_ATOMIC_H
#define _BENCH_LINUX_ATOMIC_H

#include_next <linux/atomic.h>

#if defined(__x86_64__)
#undef cmpxchg_local
#define cmpxchg_local(p, o, n) ({					\
	__typeof__(p) __p = (p);					\
	__typeof__(*__p) __ret, __new = (n), __old = (o);		\
	__asm__ __volatile__("cmpxchg %2, %1"				\
			     : "=a"(__ret), "+m"(*__p)			\
			     : "r"(__new), "0"(__old)			\
			     : "memory", "cc");				\
	__ret;								\
})
#endif

#endif
