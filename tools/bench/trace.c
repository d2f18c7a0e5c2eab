// SPDX-License-Identifier: GPL-2.0
/*
 * Operation traces shared by the user-space and the in-kernel benchmarks
 * (see trace.h).  No allocation, no library call: the caller provides the
 * arrays, so the same file builds in both worlds.
 */
#include "trace.h"

static const u32 bench_lab_sizes[BENCH_LAB_BLOCKS] = {
	10, 33, 69, 100, 100, 100, 100, 100, 560,
};

/* xorshift64*: fast, and the same stream on every machine. */
/* For sort() and qsort(): u64s in ascending order (the rounds' median). */
int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

u64 bench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

u32 bench_rand_below(u64 *state, u32 n)
{
	return (u32)(bench_rand(state) >> 32) % n;
}

/*
 * The size mix of the churn trace and of the pool fills, drawn
 * log-uniformly within each band so that every class gets its share:
 * 70% small (9..512 B), 15% up to half a 4 KiB page, 10% more than half
 * a page (a whole page), 5% multi-page (4 KiB + 1 .. 16 KiB).
 */
u32 bench_mix_size(u64 *state)
{
	u32 r = bench_rand_below(state, 100);
	u32 bits, lo;

	if (r < 70)
		bits = 4 + bench_rand_below(state, 6);
	else if (r < 85)
		bits = 10 + bench_rand_below(state, 2);
	else if (r < 95)
		bits = 12;
	else
		bits = 13 + bench_rand_below(state, 2);
	lo = 1U << (bits - 1);
	return lo + 1 + bench_rand_below(state, lo);
}

u32 bench_trace_slots(const struct bench_trace_spec *spec)
{
	switch (spec->id) {
	case BENCH_CHURN:
		return spec->param;
	case BENCH_LAB:
		return BENCH_LAB_BLOCKS;
	default:
		return 1;
	}
}

/* A realloc chain: alloc 16 B, grow by a quarter until 64 KiB, free. */
static u32 bench_regrow_len(void)
{
	u32 size = 16, n = 2;

	while (size < BENCH_MAX_SIZE) {
		size += size / 4;
		n++;
	}
	return n;
}

u32 bench_trace_max_ops(const struct bench_trace_spec *spec)
{
	switch (spec->id) {
	case BENCH_PAIR:
		return 2 * spec->reps;
	case BENCH_CHURN:
		/* Each step is one op; the slots still live are freed last. */
		return spec->reps + spec->param;
	case BENCH_LAB:
		return 2 * BENCH_LAB_BLOCKS * spec->reps;
	case BENCH_REGROW:
		return bench_regrow_len() * spec->reps;
	}
	return 0;
}

static struct bench_op *bench_put(struct bench_op *op, u32 kind, u32 slot,
				  u32 size)
{
	op->kind = kind;
	op->slot = slot;
	op->size = size;
	return op + 1;
}

/**
 * bench_trace_build() - generate a trace
 * @spec: what to generate
 * @ops: room for bench_trace_max_ops() operations
 * @live: BENCH_CHURN's scratch, bench_trace_slots() bytes; else unused
 *
 * Return: the number of operations written.
 */
u32 bench_trace_build(const struct bench_trace_spec *spec,
		      struct bench_op *ops, u8 *live)
{
	struct bench_op *op = ops;
	u64 state = spec->seed | 1;
	u32 i, s, size;

	switch (spec->id) {
	case BENCH_PAIR:
		for (i = 0; i < spec->reps; i++) {
			op = bench_put(op, BENCH_ALLOC, 0, spec->param);
			op = bench_put(op, BENCH_FREE, 0, 0);
		}
		break;
	case BENCH_CHURN:
		for (s = 0; s < spec->param; s++)
			live[s] = 0;
		for (i = 0; i < spec->reps; i++) {
			s = bench_rand_below(&state, spec->param);
			if (live[s])
				op = bench_put(op, BENCH_FREE, s, 0);
			else
				op = bench_put(op, BENCH_ALLOC, s,
					       bench_mix_size(&state));
			live[s] = !live[s];
		}
		for (s = 0; s < spec->param; s++)
			if (live[s])
				op = bench_put(op, BENCH_FREE, s, 0);
		break;
	case BENCH_LAB:
		for (i = 0; i < spec->reps; i++) {
			for (s = 0; s < BENCH_LAB_BLOCKS; s++)
				op = bench_put(op, BENCH_ALLOC, s,
					       bench_lab_sizes[s]);
			/* As in the lab: the 33-byte block goes first. */
			op = bench_put(op, BENCH_FREE, BENCH_LAB_FIRST_FREE, 0);
			for (s = 0; s < BENCH_LAB_BLOCKS; s++)
				if (s != BENCH_LAB_FIRST_FREE)
					op = bench_put(op, BENCH_FREE, s, 0);
		}
		break;
	case BENCH_REGROW:
		for (i = 0; i < spec->reps; i++) {
			size = 16;
			op = bench_put(op, BENCH_ALLOC, 0, size);
			while (size < BENCH_MAX_SIZE) {
				size += size / 4;
				op = bench_put(op, BENCH_REALLOC, 0, size);
			}
			op = bench_put(op, BENCH_FREE, 0, 0);
		}
		break;
	}
	return op - ops;
}
