// SPDX-License-Identifier: GPL-2.0
/*
 * ubench: the native user-space benchmark driver.  It replays the traces of
 * trace.c through one allocator, chosen when it is compiled:
 *
 *   -DUB_PGCLASS   src/core.c built in user space, with its spinlock
 *   -DUB_GLIBC     glibc's malloc, free and realloc
 *   -DUB_JEMALLOC  the same calls, linked with -ljemalloc (Debian's
 *                  jemalloc has no je_ prefix: it replaces malloc)
 *   -DUB_MIMALLOC  mi_malloc, mi_free and mi_realloc
 *
 * so each allocator is its own process and bench.sh interleaves the
 * processes, round after round.  Modes, each printing CSV rows:
 *
 *   ubench time [INNER]   every timing trace: one warm-up replay, then the
 *                         median of INNER (default 5) timed replays; for
 *                         pgclass also what its locks cost alone: the
 *                         pool's pthread spinlock ("lock-only"), the slot
 *                         lock's cmpxchg and release store ("slot-lock")
 *                         and a cmpxchg on a bitmap word ("cmpxchg-local")
 *   ubench scale [INNER]  threads, each pinned to a CPU of its own
 *                         (pthread_setaffinity_np), on one allocator (for
 *                         pgclass one shared pool): 64 B pairs on 1 and on
 *                         2 threads ("pairs"), and 64 B blocks allocated
 *                         on one CPU, passed through a ring and freed on
 *                         the other ("xfree"); the median of INNER
 *                         (default 5) runs after a warm-up run, in wall
 *                         time from a common start to the last thread's
 *                         end; for pgclass also the ring alone
 *                         ("ring-only") and which calls its slots served
 *   ubench footprint T    trace T, writing every block: the peak of the
 *                         live bytes, and, sampled every 16th alloc or
 *                         realloc, the peaks of the pages that hold live
 *                         blocks and of the process's resident memory
 *   ubench sweep ROUNDS   (pgclass) the same traces over pools of 4 MiB to
 *                         1 GiB, empty, half and 90% full, all alive at
 *                         once and visited in a rotating order
 *   ubench meta           (pgclass) new pools of 4 MiB to 1 GiB for 2 and
 *                         for 64 CPUs (pgclass_pool_create_cpus()): meta
 *                         pages, slots, metadata bytes, and the bytes one
 *                         more slot costs
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/compiler.h>
#include <linux/processor.h>

#include "trace.h"

#if defined(UB_PGCLASS)
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/kconfig.h>	/* CONFIG_KUNIT: pgclass_pool_create_cpus() */
#include <linux/pgclass.h>
#include <linux/spinlock.h>
#define UB_NAME "pgclass"
#elif defined(UB_GLIBC)
#define UB_NAME "glibc"
#elif defined(UB_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define UB_NAME "jemalloc"
#elif defined(UB_MIMALLOC)
#include <mimalloc.h>
#define UB_NAME "mimalloc"
#else
#error "define one of UB_PGCLASS, UB_GLIBC, UB_JEMALLOC, UB_MIMALLOC"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define UB_PAGE_SHIFT	12
#define UB_MIB		(1024UL * 1024)
/* The pool of the time and footprint modes: ample for churn-big. */
#define UB_POOL_MIB	64
#define UB_SAMPLE_EVERY	16

struct ub_trace {
	const char *name;
	struct bench_trace_spec spec;
	struct bench_op *ops;
	u32 nr_ops;
	u32 nr_slots;
};

/* ~500,000 operations each: milliseconds per replay natively. */
static struct ub_trace ub_traces[] = {
	BENCH_TRACE("pair-16", BENCH_PAIR, 16, 250000, 0),
	BENCH_TRACE("pair-32", BENCH_PAIR, 32, 250000, 0),
	BENCH_TRACE("pair-64", BENCH_PAIR, 64, 250000, 0),
	BENCH_TRACE("pair-128", BENCH_PAIR, 128, 250000, 0),
	BENCH_TRACE("pair-256", BENCH_PAIR, 256, 250000, 0),
	BENCH_TRACE("pair-512", BENCH_PAIR, 512, 250000, 0),
	BENCH_TRACE("pair-1024", BENCH_PAIR, 1024, 250000, 0),
	BENCH_TRACE("pair-2048", BENCH_PAIR, 2048, 250000, 0),
	BENCH_TRACE("churn", BENCH_CHURN, 128, 500000, 0x5eed0001),
	BENCH_TRACE("churn-big", BENCH_CHURN, 4096, 500000, 0x5eed0002),
	BENCH_TRACE("lab", BENCH_LAB, 0, 25000, 0),
	BENCH_TRACE("regrow", BENCH_REGROW, 0, 12500, 0),
};

static void *ub_slot[4096];
static u32 ub_size[4096];

/* Keep a value alive, and memory written, as far as the compiler knows. */
static inline void barrier_data(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static noreturn void ub_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ubench(" UB_NAME "): ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Memory that no allocator under test knows of. */
static void *ub_map(size_t bytes, bool populate)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       (populate ? MAP_POPULATE : 0), -1, 0);

	if (p == MAP_FAILED)
		ub_die("mmap %zu bytes: %s", bytes, strerror(errno));
	return p;
}

#ifdef UB_PGCLASS
static struct pgclass_pool *ub_pool;

static inline void *ub_alloc(size_t n)
{
	return pgclass_alloc(ub_pool, n);
}

static inline void ub_free(void *p, size_t n)
{
	(void)n;
	pgclass_free(ub_pool, p);
}

static inline void *ub_realloc(void *p, size_t o, size_t n)
{
	(void)o;
	return pgclass_realloc(ub_pool, p, n);
}

static struct pgclass_pool *ub_pool_new(size_t mib, bool populate)
{
	void *mem = ub_map(mib * UB_MIB, populate);
	struct pgclass_pool *pool;

	pool = pgclass_pool_create(mem, mib * UB_MIB, UB_PAGE_SHIFT);
	if (!pool)
		ub_die("pgclass_pool_create(%zu MiB) failed", mib);
	return pool;
}

/* Timings want the pool's pages present, as vmalloc()'s are. */
static void ub_setup(bool populate)
{
	ub_pool = ub_pool_new(UB_POOL_MIB, populate);
}

#elif defined(UB_MIMALLOC)
static inline void *ub_alloc(size_t n)
{
	return mi_malloc(n);
}

static inline void ub_free(void *p, size_t n)
{
	(void)n;
	mi_free(p);
}

static inline void *ub_realloc(void *p, size_t o, size_t n)
{
	(void)o;
	return mi_realloc(p, n);
}

static void ub_setup(bool populate)
{
	(void)populate;
}

#else	/* glibc, or jemalloc behind the same names */
static inline void *ub_alloc(size_t n)
{
	return malloc(n);
}

static inline void ub_free(void *p, size_t n)
{
	(void)n;
	free(p);
}

static inline void *ub_realloc(void *p, size_t o, size_t n)
{
	(void)o;
	return realloc(p, n);
}

#ifdef UB_JEMALLOC
/* Make sure malloc() is jemalloc's: its per-thread counter must move. */
static void ub_setup(bool populate)
{
	u64 before, after;
	size_t len = sizeof(before);
	void *p;

	if (mallctl("thread.allocated", &before, &len, NULL, 0))
		ub_die("mallctl thread.allocated failed");
	p = malloc(1000);
	/* Or the compiler drops a malloc() whose block is only freed. */
	barrier_data(p);
	if (mallctl("thread.allocated", &after, &len, NULL, 0))
		ub_die("mallctl thread.allocated failed");
	free(p);
	if (after - before < 1000)
		ub_die("malloc() is not jemalloc's");
	(void)populate;
}
#else
static void ub_setup(bool populate)
{
	(void)populate;
}
#endif
#endif

/*
 * The thread's CPU time, not the wall clock: on a machine shared with other
 * work, time spent descheduled is not the allocator's.  (It still pays for
 * caches and a hyperthread shared with others.)
 */
static u64 ub_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void ub_build(struct ub_trace *t)
{
	u32 max = bench_trace_max_ops(&t->spec);
	u8 live[4096];

	t->nr_slots = bench_trace_slots(&t->spec);
	if (t->nr_slots > ARRAY_SIZE(ub_slot))
		ub_die("%s: too many slots", t->name);
	t->ops = ub_map((size_t)max * sizeof(*t->ops), true);
	t->nr_ops = bench_trace_build(&t->spec, t->ops, live);
}

static noreturn void ub_failed(const struct ub_trace *t,
			       const struct bench_op *op)
{
	ub_die("%s: op %td (size %u) failed", t->name, op - t->ops, op->size);
}

/* The timed loop: replay the trace, nothing else. */
static void ub_replay(const struct ub_trace *t)
{
	const struct bench_op *op, *end = t->ops + t->nr_ops;
	void *p;

	for (op = t->ops; op < end; op++) {
		switch (op->kind) {
		case BENCH_ALLOC:
			p = ub_alloc(op->size);
			if (!p)
				ub_failed(t, op);
			ub_slot[op->slot] = p;
			ub_size[op->slot] = op->size;
			break;
		case BENCH_FREE:
			ub_free(ub_slot[op->slot], ub_size[op->slot]);
			break;
		default:
			p = ub_realloc(ub_slot[op->slot], ub_size[op->slot],
				       op->size);
			if (!p)
				ub_failed(t, op);
			ub_slot[op->slot] = p;
			ub_size[op->slot] = op->size;
			break;
		}
	}
}

/* Median of @inner timed replays after a warm-up, in ns per op x 1000. */
static u64 ub_time(const struct ub_trace *t, int inner)
{
	u64 v[32], t0;
	int i;

	ub_replay(t);
	for (i = 0; i < inner; i++) {
		t0 = ub_now_ns();
		ub_replay(t);
		v[i] = (ub_now_ns() - t0) * 1000 / t->nr_ops;
	}
	qsort(v, inner, sizeof(v[0]), bench_cmp_u64);
	return v[inner / 2];
}

static void ub_print_ns(u64 ps)
{
	printf("%llu.%03llu", (unsigned long long)(ps / 1000),
	       (unsigned long long)(ps % 1000));
}

#ifdef UB_PGCLASS
/*
 * pgclass's lock alone, taken and dropped as every pgclass call does: the
 * part of its time that no other allocator here pays on these
 * single-threaded traces (their fast paths use no atomic instruction).
 */
static void ub_time_lock(int inner)
{
	const u32 n = 500000;
	unsigned long flags;
	spinlock_t lock;	/* uncontended: this thread alone takes it */
	u64 v[32], t0;
	int i;
	u32 k;

	spin_lock_init(&lock);
	for (i = -1; i < inner; i++) {
		t0 = ub_now_ns();
		for (k = 0; k < n; k++) {
			spin_lock_irqsave(&lock, flags);
			barrier_data(&lock);
			spin_unlock_irqrestore(&lock, flags);
		}
		if (i >= 0)
			v[i] = (ub_now_ns() - t0) * 1000 / n;
	}
	qsort(v, inner, sizeof(v[0]), bench_cmp_u64);
	printf("time,pgclass,lock-only,%u,", n);
	ub_print_ns(v[inner / 2]);
	putchar('\n');
}

/*
 * What the fast path's atomics cost alone, per call, on a line only this
 * thread writes: "slot-lock" is the slot lock as core.c takes and drops
 * it (cmpxchg_acquire of 0 to the CPU + 1, a locked cmpxchg on x86, then
 * smp_store_release of 0, a plain store); "cmpxchg-local" is one
 * cmpxchg() on a bitmap word, with which core.c sets or clears a block's
 * bit in an owned page (a locked cmpxchg on x86; the row keeps its old
 * name so that runs compare).  A small alloc+free pair on the fast path
 * does each twice.
 */
static void ub_time_atomics(int inner)
{
	static u32 word __aligned(64);
	static unsigned long bits __aligned(64);
	const u32 n = 500000;
	u64 v[32], w[32], t0;
	unsigned long old;
	int i;
	u32 k;

	for (i = -1; i < inner; i++) {
		t0 = ub_now_ns();
		for (k = 0; k < n; k++) {
			if (cmpxchg_acquire(&word, 0, 1) != 0)
				ub_die("slot-lock: word taken");
			barrier_data(&word);
			/* As pgc_slot_unlock(): release the slot's state. */
			smp_store_release(&word, 0);
		}
		if (i >= 0)
			v[i] = (ub_now_ns() - t0) * 1000 / n;
		t0 = ub_now_ns();
		for (k = 0; k < n; k++) {
			old = READ_ONCE(bits);
			cmpxchg(&bits, old, old ^ 1);
			barrier_data(&bits);
		}
		if (i >= 0)
			w[i] = (ub_now_ns() - t0) * 1000 / n;
	}
	qsort(v, inner, sizeof(v[0]), bench_cmp_u64);
	qsort(w, inner, sizeof(w[0]), bench_cmp_u64);
	printf("time,pgclass,slot-lock,%u,", n);
	ub_print_ns(v[inner / 2]);
	printf("\ntime,pgclass,cmpxchg-local,%u,", n);
	ub_print_ns(w[inner / 2]);
	putchar('\n');
}
#endif

static void ub_mode_time(int inner)
{
	size_t i;
	u64 ps;

	for (i = 0; i < ARRAY_SIZE(ub_traces); i++) {
		ps = ub_time(&ub_traces[i], inner);
		printf("time,%s,%s,%u,", UB_NAME, ub_traces[i].name,
		       ub_traces[i].nr_ops);
		ub_print_ns(ps);
		putchar('\n');
	}
#ifdef UB_PGCLASS
	ub_time_lock(inner);
	ub_time_atomics(inner);
#endif
}

/*
 * Threads.  Each is pinned to a CPU of its own before its first call, warms
 * its allocator's per-thread state up (for pgclass: takes a CPU number, and
 * so a slot, and its slot's page), then waits at a common start: the last
 * to arrive reads the clock and lets all go.  A run's time is from that
 * start to the last thread's end, in wall time (CLOCK_MONOTONIC): two
 * threads that got in each other's way, or shared a core with other work,
 * show it.  Each thread's CPU time of the timed part is kept beside it.
 */
#define UB_SC_PAIRS	1000000U	/* 64 B pairs per thread and run */
#define UB_SC_BLOCKS	250000U	/* blocks through the ring per run */
#define UB_SC_SIZE	64
#define UB_RING		1024UL		/* ring entries, a power of two */
#define UB_SC_THREADS	2

enum ub_sc_kind {
	UB_SC_PAIRS_K,		/* UB_SC_SIZE pairs */
	UB_SC_PRODUCE,		/* alloc, then into the ring */
	UB_SC_CONSUME,		/* out of the ring, then free */
	UB_SC_RING_PRODUCE,	/* the ring alone: a token in ... */
	UB_SC_RING_CONSUME,	/* ... and out */
};

/* Single producer, single consumer; each index on a line of its own. */
struct ub_ring {
	unsigned long head __aligned(64);
	unsigned long tail __aligned(64);
	void *slot[UB_RING] __aligned(64);
};

struct ub_worker {
	pthread_t tid;
	int cpu;
	enum ub_sc_kind kind;
	u32 n;
	struct ub_ring *ring;
	u64 end_ns;
	u64 cpu_ns;
} __aligned(64);

static struct {
	int ready __aligned(64);
	int go __aligned(64);
	int threads;
	u64 t0;
} ub_start;

static int ub_cpus[UB_SC_THREADS];

static u64 ub_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void ub_sc_pairs(u32 n)
{
	void *p;
	u32 k;

	for (k = 0; k < n; k++) {
		p = ub_alloc(UB_SC_SIZE);
		if (!p)
			ub_die("scale: allocation failed");
		barrier_data(p);
		ub_free(p, UB_SC_SIZE);
	}
}

static void ub_sc_produce(struct ub_ring *r, u32 n, bool alloc)
{
	static char token;
	unsigned long i, tail = 0;
	void *p;

	for (i = 0; i < n; i++) {
		p = alloc ? ub_alloc(UB_SC_SIZE) : &token;
		if (!p)
			ub_die("xfree: allocation failed");
		while (i - tail >= UB_RING) {
			tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
			if (i - tail >= UB_RING)
				cpu_relax();
		}
		r->slot[i & (UB_RING - 1)] = p;
		__atomic_store_n(&r->head, i + 1, __ATOMIC_RELEASE);
	}
}

static void ub_sc_consume(struct ub_ring *r, u32 n, bool free)
{
	unsigned long i, head = 0;
	void *p;

	for (i = 0; i < n; i++) {
		while (head <= i) {
			head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
			if (head <= i)
				cpu_relax();
		}
		p = r->slot[i & (UB_RING - 1)];
		if (free)
			ub_free(p, UB_SC_SIZE);
		else
			barrier_data(p);
		__atomic_store_n(&r->tail, i + 1, __ATOMIC_RELEASE);
	}
}

static void *ub_sc_thread(void *arg)
{
	struct ub_worker *w = arg;
	cpu_set_t set;
	u64 c0;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		ub_die("pthread_setaffinity_np(CPU %d) failed", w->cpu);
	/* Per-thread state (a tcache, a heap, a pgclass slot) set up. */
	ub_sc_pairs(64);
	if (__atomic_add_fetch(&ub_start.ready, 1, __ATOMIC_ACQ_REL) ==
	    ub_start.threads) {
		ub_start.t0 = ub_mono_ns();
		__atomic_store_n(&ub_start.go, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&ub_start.go, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
	c0 = ub_now_ns();
	switch (w->kind) {
	case UB_SC_PAIRS_K:
		ub_sc_pairs(w->n);
		break;
	case UB_SC_PRODUCE:
	case UB_SC_RING_PRODUCE:
		ub_sc_produce(w->ring, w->n, w->kind == UB_SC_PRODUCE);
		break;
	case UB_SC_CONSUME:
	case UB_SC_RING_CONSUME:
		ub_sc_consume(w->ring, w->n, w->kind == UB_SC_CONSUME);
		break;
	}
	w->end_ns = ub_mono_ns();
	w->cpu_ns = ub_now_ns() - c0;
	return NULL;
}

/*
 * One run of @nr threads of the given kinds, each doing @n iterations; the
 * wall time and the threads' summed CPU time come back in ns.
 */
static void ub_sc_run(int nr, const enum ub_sc_kind *kinds, u32 n,
		      u64 *wall, u64 *cpu)
{
	static struct ub_ring ring;
	struct ub_worker w[UB_SC_THREADS];
	u64 end = 0;
	int i;

	memset(w, 0, sizeof(w));
	ring.head = 0;
	ring.tail = 0;
	ub_start.threads = nr;
	ub_start.ready = 0;
	ub_start.go = 0;
	for (i = 0; i < nr; i++) {
		w[i].cpu = ub_cpus[i];
		w[i].kind = kinds[i];
		w[i].n = n;
		w[i].ring = &ring;
		if (pthread_create(&w[i].tid, NULL, ub_sc_thread, &w[i]))
			ub_die("pthread_create failed");
	}
	*cpu = 0;
	for (i = 0; i < nr; i++) {
		pthread_join(w[i].tid, NULL);
		end = w[i].end_ns > end ? w[i].end_ns : end;
		*cpu += w[i].cpu_ns;
	}
	*wall = end - ub_start.t0;
}

/* The first UB_SC_THREADS CPUs this process may run on. */
static void ub_sc_cpus(void)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		ub_die("sched_getaffinity: %s", strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE && n < UB_SC_THREADS; cpu++)
		if (CPU_ISSET(cpu, &set))
			ub_cpus[n++] = cpu;
	if (n < UB_SC_THREADS)
		ub_die("scale: needs %d CPUs, may use %d", UB_SC_THREADS, n);
}

struct ub_sc_case {
	const char *name;
	int threads;
	enum ub_sc_kind kinds[UB_SC_THREADS];
	u32 n;		/* per thread */
	u32 ops;	/* per thread: pairs are two calls, a block is one */
	bool pgclass_only;
};

static const struct ub_sc_case ub_sc_cases[] = {
	{ "pairs", 1, { UB_SC_PAIRS_K }, UB_SC_PAIRS, 2 * UB_SC_PAIRS, false },
	{ "pairs", 2, { UB_SC_PAIRS_K, UB_SC_PAIRS_K }, UB_SC_PAIRS,
	  2 * UB_SC_PAIRS, false },
	{ "xfree", 2, { UB_SC_PRODUCE, UB_SC_CONSUME }, UB_SC_BLOCKS, 0,
	  false },
	{ "ring-only", 2, { UB_SC_RING_PRODUCE, UB_SC_RING_CONSUME },
	  UB_SC_BLOCKS, 0, true },
};

#ifdef UB_PGCLASS
/* Which calls the pool's slots served: the check that they are in use. */
static void ub_sc_slots(void)
{
	struct pgclass_cpu_stats cs;
	struct pgclass_stats st;
	u64 sa = 0, sf = 0, rf = 0;
	unsigned int k, n = pgclass_nr_cpu_slots(ub_pool);

	pgclass_get_stats(ub_pool, &st);
	for (k = 0; k < n; k++) {
		if (pgclass_get_cpu_stats(ub_pool, k, &cs))
			ub_die("pgclass_get_cpu_stats(%u) failed", k);
		sa += cs.alloc_calls;
		sf += cs.free_calls;
		rf += cs.remote_frees;
	}
	printf("slots,pgclass,%u,%u,%llu,%llu,%llu,%llu,%llu\n", nr_cpu_ids, n,
	       (unsigned long long)sa, (unsigned long long)st.alloc_calls,
	       (unsigned long long)sf, (unsigned long long)st.free_calls,
	       (unsigned long long)rf);
}
#endif

/*
 * Rows "scale,ALLOC,CASE,THREADS,OPS,WALL,CPU": OPS calls (pairs: two per
 * pair; xfree and ring-only: one per block) over all threads, WALL and CPU
 * in ns per op (the median run's), so throughput is 1 / WALL.
 */
static void ub_mode_scale(int inner)
{
	const size_t nc = ARRAY_SIZE(ub_sc_cases);
	u64 wall[ARRAY_SIZE(ub_sc_cases)][32], cpu[ARRAY_SIZE(ub_sc_cases)][32];
	u64 ops, wl, cp, sorted[32];
	size_t c;
	int i, j;

	ub_sc_cpus();
	for (i = -1; i < inner; i++) {
		for (c = 0; c < nc; c++) {
			const struct ub_sc_case *sc = &ub_sc_cases[c];

#ifndef UB_PGCLASS
			if (sc->pgclass_only)
				continue;
#endif
			ub_sc_run(sc->threads, sc->kinds, sc->n, &wl, &cp);
			if (i < 0)
				continue;
			ops = sc->ops ? (u64)sc->ops * sc->threads : sc->n;
			wall[c][i] = wl * 1000 / ops;
			cpu[c][i] = cp * 1000 / ops;
		}
	}
	for (c = 0; c < nc; c++) {
		const struct ub_sc_case *sc = &ub_sc_cases[c];

#ifndef UB_PGCLASS
		if (sc->pgclass_only)
			continue;
#endif
		ops = sc->ops ? (u64)sc->ops * sc->threads : sc->n;
		printf("scale,%s,%s,%d,%llu,", UB_NAME, sc->name, sc->threads,
		       (unsigned long long)ops);
		for (j = 0; j < 2; j++) {
			memcpy(sorted, j ? cpu[c] : wall[c],
			       inner * sizeof(u64));
			qsort(sorted, inner, sizeof(u64), bench_cmp_u64);
			ub_print_ns(sorted[inner / 2]);
			putchar(j ? '\n' : ',');
		}
	}
#ifdef UB_PGCLASS
	ub_sc_slots();
#endif
}

static int ub_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Distinct 4 KiB pages that hold a byte of a live block. */
static size_t ub_live_pages(u32 nr_slots, const u8 *live,
			    unsigned long *pages, size_t room)
{
	size_t n = 0, distinct = 0, i;
	unsigned long a, b;
	u32 s;

	for (s = 0; s < nr_slots; s++) {
		if (!live[s])
			continue;
		a = (unsigned long)ub_slot[s] >> UB_PAGE_SHIFT;
		b = ((unsigned long)ub_slot[s] + ub_size[s] - 1) >>
		    UB_PAGE_SHIFT;
		for (; a <= b; a++) {
			if (n == room)
				ub_die("page sample overflow");
			pages[n++] = a;
		}
	}
	qsort(pages, n, sizeof(*pages), ub_cmp_ulong);
	for (i = 0; i < n; i++)
		distinct += !i || pages[i] != pages[i - 1];
	return distinct;
}

/* Resident pages of the whole process, from /proc/self/statm. */
static size_t ub_rss(int fd)
{
	unsigned long size, resident;
	char buf[128];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		ub_die("reading /proc/self/statm: %s", strerror(errno));
	buf[n] = 0;
	if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
		ub_die("bad /proc/self/statm");
	return resident;
}

/* Write every 4 KiB page of a block, as the program that asked would. */
static void ub_touch(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 1UL << UB_PAGE_SHIFT)
		p[i] = 1;
	p[n - 1] = 1;
	barrier_data(p);
}

/*
 * Replay @t once, untimed, writing each block as it is allocated: the peak
 * of the live requested bytes, and, sampled every UB_SAMPLE_EVERY-th alloc
 * or realloc, the peaks of the pages that hold live blocks and of the
 * process's resident pages above their number before the replay (memory
 * the allocator took and kept, its metadata included).
 */
static void ub_footprint(const struct ub_trace *t)
{
	size_t live_bytes = 0, peak_live = 0, peak_pages = 0, peak_rss = 0;
	size_t room = 1 << 20, rss, base, pages, n = 0;
	unsigned long *buf = ub_map(room * sizeof(long), true);
	int fd = open("/proc/self/statm", O_RDONLY);
	const struct bench_op *op;
	static u8 live[4096];
	void *p;

	if (fd < 0)
		ub_die("/proc/self/statm: %s", strerror(errno));
	base = ub_rss(fd);
	for (op = t->ops; op < t->ops + t->nr_ops; op++) {
		switch (op->kind) {
		case BENCH_ALLOC:
			p = ub_alloc(op->size);
			if (!p)
				ub_failed(t, op);
			live[op->slot] = 1;
			live_bytes += op->size;
			break;
		case BENCH_FREE:
			ub_free(ub_slot[op->slot], ub_size[op->slot]);
			live[op->slot] = 0;
			live_bytes -= ub_size[op->slot];
			continue;
		default:
			p = ub_realloc(ub_slot[op->slot], ub_size[op->slot],
				       op->size);
			if (!p)
				ub_failed(t, op);
			live_bytes += op->size - ub_size[op->slot];
			break;
		}
		ub_touch(p, op->size);
		ub_slot[op->slot] = p;
		ub_size[op->slot] = op->size;
		if (live_bytes > peak_live)
			peak_live = live_bytes;
		if (n++ % UB_SAMPLE_EVERY)
			continue;
		pages = ub_live_pages(t->nr_slots, live, buf, room);
		if (pages > peak_pages)
			peak_pages = pages;
		rss = ub_rss(fd);
		if (rss > base && rss - base > peak_rss)
			peak_rss = rss - base;
	}
	close(fd);
	printf("footprint,%s,%s,%zu,%zu,%zu\n", UB_NAME, t->name, peak_live,
	       peak_pages << UB_PAGE_SHIFT, peak_rss << UB_PAGE_SHIFT);
	munmap(buf, room * sizeof(long));
}

static struct ub_trace *ub_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ub_traces); i++)
		if (!strcmp(ub_traces[i].name, name))
			return &ub_traces[i];
	ub_die("no trace %s", name);
}

#ifdef UB_PGCLASS
static const size_t ub_sweep_mib[] = { 4, 16, 64, 256, 1024 };
static const u32 ub_sweep_fill[] = { 0, 50, 90 };

/* Allocate the fill mix until @pct% of the data pages are in use. */
static unsigned long ub_fill(struct pgclass_pool *pool, u32 pct, u64 seed)
{
	struct pgclass_stats st;
	unsigned long n = 0;
	u64 state = seed;

	pgclass_get_stats(pool, &st);
	while ((u64)st.used_pages * 100 <
	       (u64)(st.nr_pages - st.meta_pages) * pct) {
		if (!pgclass_alloc(pool, bench_mix_size(&state)))
			ub_die("fill to %u%% failed", pct);
		n++;
		pgclass_get_stats(pool, &st);
	}
	return n;
}

static void ub_mode_sweep(int rounds)
{
	const size_t nm = ARRAY_SIZE(ub_sweep_mib);
	const size_t nf = ARRAY_SIZE(ub_sweep_fill);
	struct pgclass_pool *pools[ARRAY_SIZE(ub_sweep_mib) *
				   ARRAY_SIZE(ub_sweep_fill)];
	static const char * const names[] = { "churn", "pair-64" };
	struct pgclass_stats st;
	size_t i, k, j;
	int r;
	u64 ps;

	for (i = 0; i < nm * nf; i++) {
		pools[i] = ub_pool_new(ub_sweep_mib[i / nf], false);
		pgclass_get_stats(pools[i], &st);
		ub_fill(pools[i], ub_sweep_fill[i % nf], 0xf111 + i);
		if (ub_sweep_fill[i % nf])
			continue;
		printf("meta,user,%zu,%u,%u,%u\n", ub_sweep_mib[i / nf],
		       st.page_size, st.nr_pages, st.meta_pages);
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < nm * nf; k++) {
			i = (k + r) % (nm * nf);
			ub_pool = pools[i];
			for (j = 0; j < ARRAY_SIZE(names); j++) {
				ps = ub_time(ub_find(names[j]), 3);
				printf("sweep,pgclass,%zu,%u,%s,%d,",
				       ub_sweep_mib[i / nf],
				       ub_sweep_fill[i % nf], names[j], r);
				ub_print_ns(ps);
				putchar('\n');
			}
		}
		fflush(stdout);
	}
}
#endif

#ifdef UB_PGCLASS
static const unsigned int ub_meta_cpus[] = { 2, 64 };
#define UB_SENTINEL	0xa5

/*
 * The metadata bytes a new pool wrote: pgclass_pool_create_cpus() zeroes
 * its header, slots and descriptors, which end with the last data page's
 * descriptor (a free run's tail tag, whose last word is 0), so the last
 * byte below the data pages that is not the sentinel ends them.
 */
static size_t ub_meta_bytes(const u8 *mem, u32 meta_pages)
{
	size_t n = (size_t)meta_pages << UB_PAGE_SHIFT;

	while (n && mem[n - 1] == UB_SENTINEL)
		n--;
	return n;
}

static struct pgclass_pool *ub_meta_pool(size_t mib, unsigned int cpus,
					 u8 **mem, size_t *bytes)
{
	size_t size = mib * UB_MIB;
	struct pgclass_pool *pool;
	struct pgclass_stats st;

	*mem = ub_map(size, false);
	/* Metadata stays far below 2% of the pool (or 16 pages). */
	memset(*mem, UB_SENTINEL, size / 50 + (16UL << UB_PAGE_SHIFT));
	pool = pgclass_pool_create_cpus(*mem, size, UB_PAGE_SHIFT, cpus);
	if (!pool)
		ub_die("pgclass_pool_create_cpus(%zu MiB, %u CPUs) failed",
		       mib, cpus);
	pgclass_get_stats(pool, &st);
	*bytes = ub_meta_bytes(*mem, st.meta_pages);
	return pool;
}

/*
 * Rows "umeta,CPUS,MIB,PAGE,PAGES,META_PAGES,SLOTS,META_BYTES", and
 * "uslot,BYTES": what one slot costs, the difference between the metadata
 * of two pools of 64 MiB for 1 and for 2 CPUs that both got every slot
 * and the same meta pages (so the same descriptors).
 */
static void ub_mode_meta(void)
{
	size_t i, j, bytes, b1, b2;
	struct pgclass_pool *pool, *p1, *p2;
	struct pgclass_stats st, s1, s2;
	u8 *mem, *m1, *m2;

	for (j = 0; j < ARRAY_SIZE(ub_meta_cpus); j++) {
		for (i = 0; i < ARRAY_SIZE(ub_sweep_mib); i++) {
			pool = ub_meta_pool(ub_sweep_mib[i], ub_meta_cpus[j],
					    &mem, &bytes);
			pgclass_get_stats(pool, &st);
			printf("umeta,%u,%zu,%u,%u,%u,%u,%zu\n",
			       ub_meta_cpus[j], ub_sweep_mib[i], st.page_size,
			       st.nr_pages, st.meta_pages,
			       pgclass_nr_cpu_slots(pool), bytes);
			pgclass_pool_destroy(pool);
			munmap(mem, ub_sweep_mib[i] * UB_MIB);
		}
	}
	p1 = ub_meta_pool(64, 1, &m1, &b1);
	p2 = ub_meta_pool(64, 2, &m2, &b2);
	pgclass_get_stats(p1, &s1);
	pgclass_get_stats(p2, &s2);
	if (pgclass_nr_cpu_slots(p1) != 1 || pgclass_nr_cpu_slots(p2) != 2 ||
	    s1.meta_pages != s2.meta_pages || b2 <= b1)
		ub_die("meta: the 64 MiB pools for 1 and 2 CPUs do not compare");
	printf("uslot,%zu\n", b2 - b1);
	pgclass_pool_destroy(p1);
	pgclass_pool_destroy(p2);
	munmap(m1, 64 * UB_MIB);
	munmap(m2, 64 * UB_MIB);
}
#endif

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "time";
	int arg = argc > 2 ? atoi(argv[2]) : 0;
	size_t i;

	ub_setup(!strcmp(mode, "time") || !strcmp(mode, "scale"));
	for (i = 0; i < ARRAY_SIZE(ub_traces); i++)
		ub_build(&ub_traces[i]);
	if (!strcmp(mode, "time")) {
		ub_mode_time(arg > 0 && arg <= 32 ? arg : 5);
	} else if (!strcmp(mode, "scale")) {
		ub_mode_scale(arg > 0 && arg <= 32 ? arg : 5);
	} else if (!strcmp(mode, "footprint") && argc > 2) {
		ub_footprint(ub_find(argv[2]));
#ifdef UB_PGCLASS
	} else if (!strcmp(mode, "sweep")) {
		ub_mode_sweep(arg > 0 ? arg : 5);
	} else if (!strcmp(mode, "meta")) {
		ub_mode_meta();
#endif
	} else {
		ub_die("unknown mode %s", mode);
	}
	return fflush(stdout) ? 1 : 0;
}
