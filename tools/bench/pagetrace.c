// SPDX-License-Identifier: GPL-2.0
/*
 * pagetrace: the lab's own metric.  Replays traces through pgclass (src/
 * core.c built in user space) or through the BASELINE of naive.c, one
 * operation at a time between markers that valgrind tools see:
 *
 *   valgrind --tool=lackey --trace-mem=yes   VALGRIND_PRINTF lines "PTB"
 *	before and "PTE" after each operation: every address touched in
 *	between belongs to it (pages.awk counts them); a line "PTK KIND"
 *	then names it;
 *   valgrind --tool=callgrind --collect-atstart=no --combine-dumps=yes
 *	collection is on only around the call, and a dump named KIND
 *	follows it: each dump's total is the call's instruction count.
 *
 * A few "null" operations (nothing between the same markers) measure what
 * the markers themselves cost, to be subtracted.
 *
 *   pagetrace pgclass|naive [MIB]
 *
 * The pool is 16 MiB of 4 KiB pages, filled to half its pages with the
 * benchmarks' size mix before the traced part, so that blocks and their
 * metadata are spread over the pool as in a pool in use.  16 MiB, not
 * less: a pool gets per-CPU slots only as far as the 1% metadata budget
 * allows, and a 4 MiB pool gets none (its calls would all take the pool
 * lock).  pgclass's run fails if its pool has no slot for this thread.
 * MIB chooses another size (bench.sh gives the naive baseline 4 MiB: its
 * scans grow with the pool, and lackey's trace of them with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <valgrind/valgrind.h>
#include <valgrind/callgrind.h>

#include <linux/pgclass.h>

#include "naive.h"
#include "trace.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PT_POOL_MIB	16
#define PT_PAGE		4096
#define PT_FILL_PCT	50
#define PT_NULL_OPS	32

struct pt_alloc {
	const char *name;
	void *(*alloc)(void *pool, size_t size);
	void (*free)(void *pool, void *ptr);
	void *(*realloc)(void *pool, void *ptr, size_t size);
	u32 (*used_pages)(void *pool);
	u32 (*meta_pages)(void *pool);
};

static void *pt_pg_alloc(void *pool, size_t size)
{
	return pgclass_alloc(pool, size);
}

static void pt_pg_free(void *pool, void *ptr)
{
	pgclass_free(pool, ptr);
}

static void *pt_pg_realloc(void *pool, void *ptr, size_t size)
{
	return pgclass_realloc(pool, ptr, size);
}

static u32 pt_pg_used(void *pool)
{
	struct pgclass_stats st;

	pgclass_get_stats(pool, &st);
	return st.used_pages;
}

static u32 pt_pg_meta(void *pool)
{
	struct pgclass_stats st;

	pgclass_get_stats(pool, &st);
	return st.meta_pages;
}

static void *pt_nv_alloc(void *pool, size_t size)
{
	return naive_alloc(pool, size);
}

static void pt_nv_free(void *pool, void *ptr)
{
	naive_free(pool, ptr);
}

static void *pt_nv_realloc(void *pool, void *ptr, size_t size)
{
	return naive_realloc(pool, ptr, size);
}

static u32 pt_nv_used(void *pool)
{
	return naive_used_pages(pool);
}

static u32 pt_nv_meta(void *pool)
{
	return naive_meta_pages(pool);
}

static const struct pt_alloc pt_allocs[] = {
	{ "pgclass", pt_pg_alloc, pt_pg_free, pt_pg_realloc, pt_pg_used,
	  pt_pg_meta },
	{ "naive", pt_nv_alloc, pt_nv_free, pt_nv_realloc, pt_nv_used,
	  pt_nv_meta },
};

/* The traced part: the benchmarks' traces, shorter. */
static const struct bench_trace_spec pt_specs[] = {
	{ .id = BENCH_CHURN, .param = 128, .reps = 2000, .seed = 0x5eed0001 },
	{ .id = BENCH_LAB, .reps = 20 },
	{ .id = BENCH_REGROW, .reps = 3 },
	{ .id = BENCH_PAIR, .param = 64, .reps = 50 },
};

static void *pt_slot[128];
static u32 pt_size[128];

static const char *pt_band(size_t size)
{
	if (size <= PT_PAGE / 2)
		return "small";
	return size <= PT_PAGE ? "page" : "multi";
}

static void pt_op(const struct pt_alloc *a, void *pool,
		  const struct bench_op *op)
{
	/*
	 * Everything the call needs is read into locals first: the markers
	 * clobber memory, and a load of the driver's own data between them
	 * would count as a page the allocator touched.
	 */
	void *(*alloc)(void *pool, size_t size) = a->alloc;
	void *(*realloc)(void *pool, void *ptr, size_t size) = a->realloc;
	void (*free)(void *pool, void *ptr) = a->free;
	void *p = NULL, *old = pt_slot[op->slot];
	u32 what = op->kind, size = op->size;
	char kind[32];

	VALGRIND_PRINTF("PTB\n");
	CALLGRIND_TOGGLE_COLLECT;
	if (what == BENCH_ALLOC)
		p = alloc(pool, size);
	else if (what == BENCH_FREE)
		free(pool, old);
	else
		p = realloc(pool, old, size);
	CALLGRIND_TOGGLE_COLLECT;
	VALGRIND_PRINTF("PTE\n");
	if (op->kind == BENCH_FREE) {
		snprintf(kind, sizeof(kind), "free-%s",
			 pt_band(pt_size[op->slot]));
	} else if (op->kind == BENCH_ALLOC) {
		snprintf(kind, sizeof(kind), "alloc-%s", pt_band(op->size));
	} else {
		snprintf(kind, sizeof(kind), "realloc-%s-%s",
			 pt_band(op->size), p == old ? "inplace" : "moved");
	}
	VALGRIND_PRINTF("PTK %s\n", kind);
	CALLGRIND_DUMP_STATS_AT(kind);
	if (op->kind != BENCH_FREE && !p) {
		fprintf(stderr, "pagetrace: %s: allocation of %u failed\n",
			a->name, op->size);
		exit(1);
	}
	pt_slot[op->slot] = p;
	pt_size[op->slot] = op->size;
}

static void pt_null_op(void *pool)
{
	VALGRIND_PRINTF("PTB\n");
	CALLGRIND_TOGGLE_COLLECT;
	__asm__ __volatile__("" : : "r"(pool) : "memory");
	CALLGRIND_TOGGLE_COLLECT;
	VALGRIND_PRINTF("PTE\n");
	VALGRIND_PRINTF("PTK null\n");
	CALLGRIND_DUMP_STATS_AT("null");
}

int main(int argc, char **argv)
{
	const struct pt_alloc *a = NULL;
	struct bench_op *ops;
	u64 state = 0xf111;
	size_t i, k;
	void *mem, *pool;
	u8 live[128];
	size_t pool_bytes = (size_t)PT_POOL_MIB << 20;
	u32 n, data;
	int marker;

	for (i = 0; argc > 1 && i < ARRAY_SIZE(pt_allocs); i++)
		if (!strcmp(argv[1], pt_allocs[i].name))
			a = &pt_allocs[i];
	if (argc > 2)
		pool_bytes = strtoul(argv[2], NULL, 0) << 20;
	if (!a || !pool_bytes) {
		fprintf(stderr, "usage: pagetrace pgclass|naive [MIB]\n");
		return 2;
	}
	mem = mmap(NULL, pool_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	pool = a == &pt_allocs[0] ?
	       (void *)pgclass_pool_create(mem, pool_bytes, 12) :
	       (void *)naive_create(mem, pool_bytes);
	if (!pool)
		return 1;
	if (a == &pt_allocs[0] && !pgclass_nr_cpu_slots(pool)) {
		fprintf(stderr, "pagetrace: the pool got no per-CPU slot\n");
		return 1;
	}
	data = pool_bytes / PT_PAGE - a->meta_pages(pool);
	while (a->used_pages(pool) * 100 < data * PT_FILL_PCT)
		if (!a->alloc(pool, bench_mix_size(&state)))
			return 1;

	/* Where things are, for the trace's reader: pool, metadata, stack. */
	VALGRIND_PRINTF("PTR %s %lx %lx %u %lx\n", a->name,
			(unsigned long)mem, pool_bytes, a->meta_pages(pool),
			(unsigned long)&marker);
	for (i = 0; i < PT_NULL_OPS; i++)
		pt_null_op(pool);
	for (k = 0; k < ARRAY_SIZE(pt_specs); k++) {
		ops = malloc(bench_trace_max_ops(&pt_specs[k]) * sizeof(*ops));
		if (!ops)
			return 1;
		n = bench_trace_build(&pt_specs[k], ops, live);
		for (i = 0; i < n; i++)
			pt_op(a, pool, &ops[i]);
		free(ops);
	}
	VALGRIND_PRINTF("PTX\n");
	return 0;
}
