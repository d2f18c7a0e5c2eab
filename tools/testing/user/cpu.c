// SPDX-License-Identifier: GPL-2.0
/*
 * A thread is a CPU (linux/smp.h): the numbers, for every user-space build
 * of the core (the tests, the fuzzer, the benchmarks, the LD_PRELOAD
 * malloc).  A thread's first get_cpu() takes the lowest free number below
 * SHIM_MAX_CPUS and keeps it until the thread exits; then shim_cpu_exit,
 * if set, is called with it (a test drains the thread's slot there) and
 * the number is free again.  Each build's shim sets nr_cpu_ids, which
 * sizes a new pool's slots.
 */
#include <pthread.h>
#include <stdlib.h>

#include <linux/smp.h>

__thread unsigned int shim_cpu_id;
void (*shim_cpu_exit)(unsigned int cpu);

static unsigned long shim_cpus_taken[SHIM_MAX_CPUS / (8 * sizeof(long))];
static unsigned int shim_cpus_extra;
static pthread_key_t shim_cpu_key;
static pthread_once_t shim_cpu_once = PTHREAD_ONCE_INIT;

/*
 * A number of its own above every slot, never given back, for a thread
 * that has none.  Not one number for all such threads: the core tells a
 * slot lock held by an interrupted context on its own CPU by the CPU
 * number in it, and two threads sharing one would each take the other's
 * lock for their own.
 */
static unsigned int shim_extra_cpu(void)
{
	return SHIM_NO_CPU + __atomic_fetch_add(&shim_cpus_extra, 1,
						__ATOMIC_RELAXED);
}

/* A thread exits: its CPU number is free again, its caches drained. */
static void shim_cpu_release(void *arg)
{
	unsigned int cpu = (unsigned int)(unsigned long)arg - 1;

	if (shim_cpu_exit)
		shim_cpu_exit(cpu);
	__atomic_fetch_and(&shim_cpus_taken[cpu / (8 * sizeof(long))],
			   ~(1UL << (cpu % (8 * sizeof(long)))),
			   __ATOMIC_RELEASE);
	/*
	 * Destructors that run after this one (other keys', the C
	 * library's) may still free: not through the number just given
	 * back, which another thread may hold already.
	 */
	shim_cpu_id = shim_extra_cpu() + 1;
}

static void shim_cpu_key_init(void)
{
	if (pthread_key_create(&shim_cpu_key, shim_cpu_release))
		abort();
}

unsigned int shim_cpu_take(void)
{
	const unsigned int bpl = 8 * sizeof(long);
	unsigned int cpu;

	pthread_once(&shim_cpu_once, shim_cpu_key_init);
	for (cpu = 0; cpu < SHIM_MAX_CPUS; cpu++) {
		unsigned long bit = 1UL << (cpu % bpl);

		if (__atomic_fetch_or(&shim_cpus_taken[cpu / bpl], bit,
				      __ATOMIC_ACQUIRE) & bit)
			continue;
		shim_cpu_id = cpu + 1;
		pthread_setspecific(shim_cpu_key, (void *)(unsigned long)(cpu + 1));
		return cpu;
	}
	/* None free: a number of its own (shim_extra_cpu()). */
	cpu = shim_extra_cpu();
	shim_cpu_id = cpu + 1;
	return cpu;
}
