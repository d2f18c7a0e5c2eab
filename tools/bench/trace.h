/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Operation traces shared by the user-space and the in-kernel benchmarks.
 *
 * A trace is an array of operations on numbered slots, generated from a
 * fixed seed before any timing starts, so that every allocator, in user
 * space and in the kernel, runs exactly the same calls in the same order
 * and the timed loop does nothing but replay them.  Every trace ends with
 * all its slots freed, so one allocator state serves many replays.
 *
 * This file and trace.c build in the kernel and, against the shims of
 * tools/testing/user/include, in user space: they need only <linux/types.h>.
 */
#ifndef _PGCLASS_BENCH_TRACE_H
#define _PGCLASS_BENCH_TRACE_H

#include <linux/types.h>

enum bench_op_kind {
	BENCH_ALLOC,	/* slot = alloc(size) */
	BENCH_FREE,	/* free(slot) */
	BENCH_REALLOC,	/* slot = realloc(slot, size) */
};

struct bench_op {
	u32 kind;
	u32 slot;
	u32 size;
};

enum bench_trace_id {
	BENCH_PAIR,	/* alloc(param) then free, reps times */
	BENCH_CHURN,	/* reps random steps over param slots, mixed sizes */
	BENCH_LAB,	/* the lab's 10, 33, 69, 100 x 5, 560, then free */
	BENCH_REGROW,	/* realloc from 16 B past 64 KiB by 1.25x, reps times */
};

/**
 * struct bench_trace_spec - what to generate
 * @id: the kind of trace
 * @param: BENCH_PAIR: the block size; BENCH_CHURN: the number of slots
 * @reps: pairs, churn steps, lab sequences or realloc chains
 * @seed: BENCH_CHURN's random stream
 */
struct bench_trace_spec {
	enum bench_trace_id id;
	u32 param;
	u32 reps;
	u64 seed;
};

/* An initializer of a struct with a @name and a @spec: a named trace. */
#define BENCH_TRACE(n, i, p, r, s) \
	{ .name = n, .spec = { .id = i, .param = p, .reps = r, .seed = s } }

/* A realloc chain grows until it reaches this (its last size: 70 KiB). */
#define BENCH_MAX_SIZE		65536U
/* The lab's example: blocks allocated, and which one it frees first. */
#define BENCH_LAB_BLOCKS	9
#define BENCH_LAB_FIRST_FREE	1

u32 bench_trace_slots(const struct bench_trace_spec *spec);
u32 bench_trace_max_ops(const struct bench_trace_spec *spec);
u32 bench_trace_build(const struct bench_trace_spec *spec,
		      struct bench_op *ops, u8 *live);
u64 bench_rand(u64 *state);
int bench_cmp_u64(const void *a, const void *b);
u32 bench_rand_below(u64 *state, u32 n);
u32 bench_mix_size(u64 *state);

#endif /* _PGCLASS_BENCH_TRACE_H */
