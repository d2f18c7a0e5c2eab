/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: a thread is a CPU.  Its first get_cpu() takes the
 * lowest free number below SHIM_MAX_CPUS and keeps it until the thread
 * exits; then shim_cpu_exit, if a test set it, is called (to drain the
 * thread's slot in its pools) and the number is free again.  A thread that
 * finds none free gets a number of its own from SHIM_NO_CPU up, above
 * every slot: it uses the pool lock, as a CPU without a slot does.  Never
 * one number for two threads at once: the core takes a slot lock that
 * holds its own CPU's number for an interrupted context's, and goes on
 * without it.  Preemption does not exist here: get_cpu() and put_cpu()
 * only name the CPU.
 */
#ifndef _SHIM_LINUX_SMP_H
#define _SHIM_LINUX_SMP_H

#define SHIM_MAX_CPUS	256
#define SHIM_NO_CPU	0x7fffffffU

extern __thread unsigned int shim_cpu_id;
unsigned int shim_cpu_take(void);
/* Called at the exit of a thread that had a CPU number, with it. */
extern void (*shim_cpu_exit)(unsigned int cpu);

static inline unsigned int shim_this_cpu(void)
{
	unsigned int cpu = shim_cpu_id;

	return cpu ? cpu - 1 : shim_cpu_take();
}

/*
 * The thread's number, or SHIM_NO_CPU if it has none yet: never takes one.
 * The core calls raw_smp_processor_id() under the pool lock, where taking
 * a number must not happen: pthread_setspecific() may allocate, and in the
 * LD_PRELOAD malloc an allocation is a call into the same pool.
 */
static inline unsigned int shim_peek_cpu(void)
{
	unsigned int cpu = shim_cpu_id;

	return cpu ? cpu - 1 : SHIM_NO_CPU;
}

#define get_cpu()		shim_this_cpu()
#define put_cpu()		do { } while (0)
#define smp_processor_id()	shim_this_cpu()
#define raw_smp_processor_id()	shim_peek_cpu()

#endif
