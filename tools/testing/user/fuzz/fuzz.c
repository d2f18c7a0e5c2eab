// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: src/core.c in user space (ASan, UBSan) against the
 * reference model of model.h, the one the differential test uses.  Run it
 * with `make fuzz` (tools/testing/user/fuzz/fuzz.sh).
 *
 * Each input makes one pool and plays operations on it:
 *
 *   byte 0   page_shift = 9 + (b & 7); if b & 8, pool_create() must first
 *            refuse the bad page shift (b >> 4 < 9 ? b >> 4 : 8 + (b >> 4)),
 *            a NULL base and one misaligned by 16 << (b >> 5) bytes (mod
 *            half a page)
 *   byte 1   pages: b % (max_pages(page_shift) + 1); fewer than 2 must
 *            be refused, and that ends the input
 *   byte 2   0xff: an out-of-band pool (metadata apart, its range mapped
 *            with no access, so that a touch by the core faults);
 *            otherwise a partial last page of b * page / 256 bytes,
 *            which the pool must leave alone
 *   then     operations, an opcode byte each (see op(); 0xff destroys the
 *            pool, with its blocks) and the operand bytes it reads (a
 *            missing byte reads as 0), until the input or MAX_OPS runs out
 *
 * A size operand is two bytes: the low three bits of the first pick a
 * range (see op_size()), the other 13 bits a value in it; a block operand
 * is one byte, indexing the live blocks.  fuzz/mkcorpus.py writes the seed
 * corpus in this format.
 *
 * After every operation the model checks the call's result and the
 * counters; every 64 operations and at the end, the whole pool (layout,
 * contents, poison).  Then every block is freed, the whole data area
 * allocated once, and the pool destroyed (an operation may also destroy it
 * with its blocks, which ends the input): the partial last page must still
 * hold the caller's bytes and the region be addressable again.
 *
 * A failed check aborts, so libFuzzer keeps the input as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>

#include "../model.h"
#include "../shim.h"

/* Regions of up to 512 KiB, and at most 256 pages, keep each input fast. */
#define MAX_REGION	(512 * 1024UL)
#define MAX_OPS		256
#define CHECK_EVERY	64

/* One region for every input, aligned for the largest pages. */
static char region[2 * MAX_REGION] __aligned(1 << PGCLASS_MAX_PAGE_SHIFT);
/* For out-of-band pools: metadata, and a range no access is allowed to. */
static char oob_meta[MAX_REGION / 2] __aligned(64);
static char *oob_range;

struct input {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static uint8_t next(struct input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static bool more(const struct input *in)
{
	return in->pos < in->size;
}

void test_abort(void)
{
	fflush(stdout);
	abort();
}

/* A request size: a range picked by the low bits, a value in it. */
static size_t op_size(const struct model *m, struct input *in)
{
	const struct ctx *c = &m->c;
	size_t page = c->page, data = c->data_pages * page;
	uint8_t b0 = next(in), b1 = next(in);
	size_t v = (size_t)(b0 >> 3) << 8 | b1;	/* 0 .. 8191 */
	size_t cls = 8UL << (v >> 9) % m->nr_small;
	long n = 1 + (v >> 8), delta = (long)(v & 0xff) - 128;
	const size_t edges[] = {
		1, 15, 16, 17, page / 4, page / 2 - 1, page / 2, page / 2 + 1,
		page - 1, page, page + 1, 2 * page, 2 * page + 1, data - page,
		data, data + 1,
	};

	switch (b0 & 7) {
	case 0:		/* 1 .. 64 bytes */
		return 1 + v % 64;
	case 1:		/* a small class, picked by the top bits */
		return cls + 1 + (v & 511) % cls;
	case 2:		/* a class's edges, the data area's size */
		return edges[v % ARRAY_SIZE(edges)];
	case 3:		/* a whole page */
		return page / 2 + 1 + v * (page / 2 - 1) / 8191;
	case 4:		/* 1 .. 32 pages, give or take 128 bytes */
		return n * page + delta > 0 ? n * page + delta : 1;
	case 5:		/* up to the whole data area */
		return 1 + v * data / 8191;
	case 6:		/* too large, up to what overflows arithmetic */
		return v & 1 ? SIZE_MAX - v / 2 : data + 1 + v;
	default:
		return 0;
	}
}

static unsigned long op_block(const struct model *m, struct input *in)
{
	return next(in) % m->nb;
}

/* An alignment: a power of two up to twice the page, or a bad one. */
static size_t op_align(const struct model *m, struct input *in)
{
	uint8_t b = next(in);

	if (b & 0x80)
		return b & 0x7f;	/* 0, or mostly not a power of two */
	return (size_t)1 << (b % (m->c.shift + 2));
}

/*
 * A pointer of a kind (low 7 bits of the first byte), chosen by the next
 * four bytes, freed or (top bit) reallocated to the size that follows.
 */
static void op_bad(struct model *m, struct input *in)
{
	uint8_t k = next(in);
	uint64_t a = next(in), b = next(in);
	size_t size;
	char *p;

	b |= (uint64_t)next(in) << 8;
	b |= (uint64_t)next(in) << 32;
	size = op_size(m, in);
	p = model_bad_ptr(m, (k & 0x7f) % MODEL_NR_BAD, a, b);
	if (!p)
		return;
	if (model_live_start(m, p)) {
		T_ASSERT(pgclass_usable_size(m->c.pool, p) >= 16);
		return;
	}
	model_refuse(m, p, k & 0x80, size);
}

static const char * const op_names[] = {
	"alloc", "alloc_aligned", "free", "realloc", "realloc(NULL)",
	"realloc(p, 0)", "bad pointer", "usable_size", "free all", "check",
	"free(NULL)", "destroy",
};

#define OP_DESTROY	11

/* PGCLASS_FUZZ_TRACE=1 in the environment: print each operation. */
static bool trace;

/* One operation; false if it destroyed the pool. */
static bool op(struct model *m, struct input *in)
{
	uint8_t b = next(in);
	/* 0xff destroys the pool with its blocks, which ends the input. */
	unsigned int code = b == 0xff ? OP_DESTROY : b % OP_DESTROY;
	struct pgclass_stats st;

	/* The operations on a block allocate one if there is none. */
	if (!m->nb && (code == 2 || code == 3 || code == 5 || code == 7))
		code = 0;
	if (trace) {
		pgclass_get_stats(m->c.pool, &st);
		fprintf(stderr, "step %lu: %s (%lu blocks, %u pages free)\n",
			m->step, op_names[code], m->nb, st.free_pages);
	}
	switch (code) {
	case 0:
		model_alloc(m, op_size(m, in));
		break;
	case 1: {
		size_t size = op_size(m, in);

		model_alloc_aligned(m, size, op_align(m, in));
		break;
	}
	case 2:
		model_free(m, op_block(m, in));
		break;
	case 3: {
		unsigned long i = op_block(m, in);

		model_realloc(m, i, op_size(m, in));
		break;
	}
	case 4:
		model_realloc_null(m, op_size(m, in));
		break;
	case 5:
		model_realloc_zero(m, op_block(m, in));
		break;
	case 6:
		op_bad(m, in);
		break;
	case 7:
		model_usable_size(m, op_block(m, in));
		break;
	case 8:
		model_free_all(m);
		break;
	case 9:
		model_full_check(m);
		break;
	case 10:
		model_null(m);
		break;
	default:
		model_destroy(m);
		return false;
	}
	return true;
}

static unsigned long max_pages(unsigned int shift)
{
	return MAX_REGION >> shift < 256 ? MAX_REGION >> shift : 256;
}

/*
 * pool_create() refuses what it must; returns the pool's page count, and
 * in *@oob whether the pool is to be out of band.
 */
static unsigned long pool_geometry(struct input *in, unsigned int *shift,
				   size_t *size, bool *oob)
{
	uint8_t b0 = next(in), b1 = next(in), b2 = next(in);
	unsigned int bad = b0 >> 4 < 9 ? b0 >> 4 : 8 + (b0 >> 4);
	unsigned long nr;

	*shift = PGCLASS_MIN_PAGE_SHIFT + (b0 & 7);
	nr = b1 % (max_pages(*shift) + 1);
	*oob = b2 == 0xff;
	*size = (nr << *shift) + (*oob ? 0 : ((size_t)b2 << *shift) >> 8);
	if (b0 & 8) {
		T_ASSERT(!pgclass_pool_create(region, *size, bad));
		T_ASSERT(!pgclass_pool_create(NULL, *size, *shift));
		T_ASSERT(!pgclass_pool_create(region +
					      (16 << (b0 >> 5) % (*shift - 4)),
					      *size, *shift));
	}
	if (nr < 2)
		T_ASSERT(!pgclass_pool_create(region, *size, *shift));
	return nr;
}

/*
 * libFuzzer's entry points have fixed names, LLVMFuzzerInitialize() and
 * LLVMFuzzerTestOneInput(), which checkpatch refuses as CamelCase: the
 * Makefile binds them to these two at link time (--defsym).
 */
int pgc_fuzz_init(int *argc __always_unused, char ***argv __always_unused)
{
	const char *t = getenv("PGCLASS_FUZZ_TRACE");

	trace = t && *t && *t != '0';
	oob_range = mmap(NULL, 2 * MAX_REGION, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (oob_range == MAP_FAILED)
		abort();
	/* Aligned for the largest pages: MAX_REGION is a multiple of them. */
	oob_range += -(unsigned long)oob_range & (MAX_REGION - 1);
	return 0;
}

int pgc_fuzz_one(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	struct model m;
	unsigned int shift, ops;
	size_t bytes, tail, meta;
	bool oob;

	shim_quiet = true;
	memset(&m, 0, sizeof(m));
	if (pool_geometry(&in, &shift, &bytes, &oob) < 2)
		return 0;
	if (oob) {
		meta = pgclass_meta_size(bytes, shift);
		T_ASSERT(meta && meta <= sizeof(oob_meta));
		/* Not zero, and nothing past what it needs is the pool's. */
		memset(oob_meta, 0xa5, meta);
		ASAN_POISON_MEMORY_REGION(oob_meta + meta,
					  sizeof(oob_meta) - meta);
		T_OK(ctx_attach_oob(&m.c, oob_meta, meta, oob_range, bytes,
				    shift));
		goto play;
	}
	/* The caller's memory is not zero, and nothing past it is ours. */
	memset(region, 0xa5, bytes);
	ASAN_POISON_MEMORY_REGION(region + bytes, sizeof(region) - bytes);
	T_OK(ctx_attach(&m.c, region, bytes, shift));
play:
	model_init(&m);
	if (trace)
		fprintf(stderr, "pool: %lu pages of %zu B, %lu of metadata, %zu B more\n",
			m.c.nr_pages, m.c.page, m.c.meta,
			bytes - (m.c.nr_pages << shift));
	for (ops = 0; more(&in) && ops < MAX_OPS; ops++) {
		m.step = ops + 1;
		if (!op(&m, &in))
			goto out;
		model_check_stats(&m);
		if (m.step % CHECK_EVERY == 0)
			model_full_check(&m);
	}
	model_full_check(&m);
	model_free_all(&m);
	model_check_stats(&m);
	model_destroy(&m);
out:
	model_fini(&m);
	if (oob) {
		ASAN_UNPOISON_MEMORY_REGION(oob_meta, sizeof(oob_meta));
		return 0;
	}
	T_ASSERT(!__asan_region_is_poisoned(region, bytes));
	for (tail = m.c.nr_pages << shift; tail < bytes; tail++)
		T_EQ((uint8_t)region[tail], 0xa5);
	ASAN_UNPOISON_MEMORY_REGION(region, sizeof(region));
	return 0;
}
