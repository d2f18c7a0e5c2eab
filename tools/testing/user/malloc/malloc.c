// SPDX-License-Identifier: GPL-2.0
/*
 * libpgclass-malloc.so: malloc() and its family on src/core.c, built in
 * user space, so that real programs run on the allocator:
 *
 *	LD_PRELOAD=build/malloc/libpgclass-malloc.so python3 ...
 *
 * One pool serves the whole process.  Its region is reserved at the first
 * call with mmap(MAP_NORESERVE): 16 GiB of address space by default
 * (PGCLASS_MALLOC_SIZE=bytes to change it), of which the kernel backs only
 * what is touched.  The memory is zero, so the pool is made with
 * pgclass_pool_create_zeroed(): its 1% of descriptors are not written
 * until their pages are used.  Nothing goes back to the kernel.
 *
 * A thread is a CPU (tools/testing/user/cpu.c, as in every user-space
 * build): its first call takes the lowest free number and a slot with it,
 * up to SHIM_MAX_CPUS threads at once; more run through the pool lock.  The
 * pool has a slot for each number, not only for each CPU, since threads
 * outnumber CPUs and are not pinned.
 *
 * What glibc leaves to the allocator, this does as glibc does: malloc(0)
 * returns a block of its own, realloc(p, 0) frees and returns NULL,
 * memalign() takes any alignment and rounds it up to a power of two,
 * posix_memalign() refuses one that is not a power of two times a
 * pointer's size, failures set errno to ENOMEM.  Unlike glibc, a bad free
 * is always caught (the core's exact check): the message names the
 * pointer and the program aborts, as glibc does for the bad frees it
 * notices.  A pointer outside the region is no block of this allocator
 * (the dynamic linker's own early allocations): free() leaves it alone.
 *
 * Alignments above the pool's 4 KiB pages cannot be met: the core aligns
 * a block to its class size or to its page, and a pointer into the middle
 * of a larger block could not be freed.  Such requests fail with ENOMEM,
 * which the C library allows; so do valloc() and pvalloc() where the
 * system's pages are larger.
 *
 * fork(): the pool lock is held across it (pthread_atfork()), so that the
 * child never inherits it taken; the forking thread may still allocate
 * meanwhile, in other libraries' fork handlers (tools/bench/shim.c).  A
 * slot that another thread of the parent was using at that instant stays
 * taken in the child: its pages are lost to the child's reclaim, and only
 * they.
 *
 * PGCLASS_MALLOC_STATS=1 prints the pool's counters to stderr at exit,
 * with the program's name, through a copy of the descriptor taken at
 * start (many programs close their stderr before they exit: gnulib's
 * close_stdout()), numbered high, out of the way of a program that
 * counts on its own low ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/cpumask.h>
#include <linux/pgclass.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#define PM_EXPORT	__attribute__((visibility("default")))
#define PM_PAGE_SHIFT	12
#define PM_PAGE_SIZE	4096UL		/* 2^PM_PAGE_SHIFT */
#define PM_MIN_ALIGN	16		/* every block's, its class's at least */
#define PM_STATS_FD	1000
#define PM_DEFAULT_SIZE	(16UL << 30)
#define PM_MIN_SIZE	(64UL << 20)

static struct pgclass_pool *pm_pool;
static char *pm_base;
static size_t pm_size;
static pthread_mutex_t pm_init_lock = PTHREAD_MUTEX_INITIALIZER;
static int pm_stats_fd = -1;

/* Write a message without stdio's buffers, which may allocate. */
static void pm_say(const char *fn, const char *what, const void *ptr)
{
	char buf[160];
	int n;

	if (ptr)
		n = snprintf(buf, sizeof(buf), "pgclass-malloc: %s(): %s %p\n",
			     fn, what, ptr);
	else
		n = snprintf(buf, sizeof(buf), "pgclass-malloc: %s(): %s\n",
			     fn, what);
	if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) < 0)
		return;
}

static size_t pm_region_size(void)
{
	const char *env = getenv("PGCLASS_MALLOC_SIZE");
	unsigned long long v;
	char *end;

	if (!env || !*env)
		return PM_DEFAULT_SIZE;
	errno = 0;
	v = strtoull(env, &end, 0);
	if (errno || *end || v < PM_MIN_SIZE)
		return PM_DEFAULT_SIZE;
	return (size_t)v & ~(PM_PAGE_SIZE - 1);
}

/*
 * Make the pool at the first call.  A smaller region is tried where the
 * system refuses the address space (ulimit -v, strict overcommit).
 */
static struct pgclass_pool *pm_make_pool(void)
{
	struct pgclass_pool *pool;
	size_t size;
	void *base;

	pthread_mutex_lock(&pm_init_lock);
	pool = __atomic_load_n(&pm_pool, __ATOMIC_ACQUIRE);
	if (pool)
		goto out;
	for (size = pm_region_size(); size >= PM_MIN_SIZE; size /= 2) {
		base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED)
			continue;
		nr_cpu_ids = SHIM_MAX_CPUS;
		pool = pgclass_pool_create_zeroed(base, size, PM_PAGE_SHIFT);
		if (pool) {
			pm_base = base;
			pm_size = size;
			__atomic_store_n(&pm_pool, pool, __ATOMIC_RELEASE);
			break;
		}
		munmap(base, size);
	}
	if (!pool) {
		pm_say(__func__, "cannot reserve a region for the pool", NULL);
		abort();
	}
out:
	pthread_mutex_unlock(&pm_init_lock);
	return pool;
}

static inline struct pgclass_pool *pm_get_pool(void)
{
	struct pgclass_pool *pool = __atomic_load_n(&pm_pool, __ATOMIC_ACQUIRE);

	return pool ? pool : pm_make_pool();
}

static inline bool pm_ours(const void *p)
{
	return (const char *)p >= pm_base && (const char *)p < pm_base + pm_size;
}

static void *pm_fail(void)
{
	errno = ENOMEM;
	return NULL;
}

PM_EXPORT void *malloc(size_t size)
{
	void *p = pgclass_alloc(pm_get_pool(), size ? size : 1);

	return p ? p : pm_fail();
}

PM_EXPORT void free(void *ptr)
{
	if (!ptr || !pm_ours(ptr))
		return;
	if (pgclass_free(pm_pool, ptr)) {
		pm_say(__func__, "not an allocated block:", ptr);
		abort();
	}
}

PM_EXPORT void *calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return pm_fail();
	p = malloc(bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

PM_EXPORT void *realloc(void *ptr, size_t size)
{
	void *p;

	if (ptr && !pm_ours(ptr)) {
		pm_say(__func__, "not a block of this allocator:", ptr);
		abort();
	}
	if (!ptr)
		return malloc(size);
	if (!size) {
		free(ptr);
		return NULL;
	}
	p = pgclass_realloc(pm_pool, ptr, size);
	if (p)
		return p;
	/*
	 * The core refuses a bad pointer with NULL, as it does for no room:
	 * only a failed call pays for a second look.
	 */
	if (!pgclass_usable_size(pm_pool, ptr)) {
		pm_say(__func__, "not an allocated block:", ptr);
		abort();
	}
	return pm_fail();
}

PM_EXPORT void *reallocarray(void *ptr, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return pm_fail();
	return realloc(ptr, bytes);
}

PM_EXPORT void *memalign(size_t align, size_t size)
{
	void *p;

	if (align <= PM_MIN_ALIGN)
		return malloc(size);
	if (align > PM_PAGE_SIZE)
		return pm_fail();
	/* As glibc: an alignment that is no power of two is rounded up. */
	if (align & (align - 1))
		align = 1UL << (64 - __builtin_clzl(align));
	p = pgclass_alloc_aligned(pm_get_pool(), size ? size : 1, align);
	return p ? p : pm_fail();
}

PM_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int err = 0;	/* POSIX: the error itself, positive */
	void *p;

	if (!align || align % sizeof(void *) || (align & (align - 1))) {
		err = EINVAL;
	} else if (align > PM_PAGE_SIZE) {
		err = ENOMEM;
	} else {
		p = pgclass_alloc_aligned(pm_get_pool(), size ? size : 1,
					  align);
		if (p)
			*out = p;
		else
			err = ENOMEM;
	}
	return err;
}

PM_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

/* The system's page, which valloc() and pvalloc() align to. */
static size_t pm_sys_page(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : PM_PAGE_SIZE;
}

PM_EXPORT void *valloc(size_t size)
{
	return memalign(pm_sys_page(), size);
}

PM_EXPORT void *pvalloc(size_t size)
{
	size_t page = pm_sys_page(), bytes;

	if (__builtin_add_overflow(size, page - 1, &bytes))
		return pm_fail();
	return memalign(page, bytes & ~(page - 1));
}

PM_EXPORT size_t malloc_usable_size(void *ptr)
{
	return ptr && pm_ours(ptr) ? pgclass_usable_size(pm_pool, ptr) : 0;
}

static void pm_fork_prepare(void)
{
	if (__atomic_load_n(&pm_pool, __ATOMIC_ACQUIRE))
		shim_lock_all();
}

static void pm_fork_done(void)
{
	if (__atomic_load_n(&pm_pool, __ATOMIC_ACQUIRE))
		shim_unlock_all();
}

static void pm_print_stats(void)
{
	struct pgclass_stats st;
	char buf[320];
	int n;

	pgclass_get_stats(pm_pool, &st);
	n = snprintf(buf, sizeof(buf),
		     "pgclass-malloc: pid %d %s, %zu MiB region, %u slots: alloc_calls %llu free_calls %llu realloc_calls %llu failed_calls %llu blocks %llu peak_used_pages %u cache_busy_failures %llu\n",
		     (int)getpid(), program_invocation_short_name,
		     pm_size >> 20,
		     pgclass_nr_cpu_slots(pm_pool),
		     (unsigned long long)st.alloc_calls,
		     (unsigned long long)st.free_calls,
		     (unsigned long long)st.realloc_calls,
		     (unsigned long long)st.failed_calls,
		     (unsigned long long)st.blocks, st.peak_used_pages,
		     (unsigned long long)st.cache_busy_failures);
	if (n > 0 && write(pm_stats_fd, buf, (size_t)n) < 0)
		return;
}

static __attribute__((destructor)) void pm_exit(void)
{
	if (pm_stats_fd >= 0)
		pm_print_stats();
}

static __attribute__((constructor)) void pm_init(void)
{
	const char *env = getenv("PGCLASS_MALLOC_STATS");

	if (env && !strcmp(env, "1"))
		pm_stats_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, PM_STATS_FD);
	pm_get_pool();
	/*
	 * The thread's number now, and with it the key that gives numbers
	 * back at thread exit: made early, its index is low, and glibc's
	 * pthread_setspecific() allocates for keys from 32 up.
	 */
	get_cpu();
	put_cpu();
	if (pthread_atfork(pm_fork_prepare, pm_fork_done, pm_fork_done)) {
		pm_say(__func__, "cannot hold the pool lock across fork()",
		       NULL);
		abort();
	}
}
