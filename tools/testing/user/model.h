/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of one pool, shared by the differential test (diff.c,
 * random operations) and the fuzzer (fuzz/fuzz.c, operations decoded from
 * its input).  Each model_*() call makes one call to the allocator, checks
 * its result against the model and updates the model; a failed check ends
 * the test case (see test.h).
 *
 * The model knows the live blocks, their classes and which pages they
 * cover, and an owner per 16-byte granule.  A new or moved block must
 * overlap no live block, be aligned and have the class the design gives
 * its size; a failure is only accepted when no run of free pages (spare
 * and cached pages included, which the pool takes back) is long enough
 * for the request: the fit guarantee.  A shrink never fails: when it
 * cannot move, the block stays (a multi-page one keeps its first page).
 * Contents (a pattern derived from each block's id) are checked before
 * every free and after every realloc.  A refused
 * pointer must change nothing: same layout, counters and poison.
 *
 * Poison: the allocator marks a live block's usable bytes addressable and
 * the rest of the data area poisoned (ASan here, KASAN in the kernel).
 * The model checks that after each call for the blocks involved, and for
 * every granule of the pool in model_full_check().
 */
#ifndef _PGCLASS_TEST_MODEL_H
#define _PGCLASS_TEST_MODEL_H

#include "common.h"

/* Recently freed pointers kept for double frees. */
#define MODEL_FREED	64

struct mblock {
	char *p;
	size_t req;		/* bytes that hold the pattern */
	size_t usable;
	unsigned int cls;
	unsigned int id;
};

struct model {
	struct ctx c;
	unsigned int nr_small, nr_classes;
	struct mblock *b;	/* live blocks */
	unsigned long nb, cap;
	int *idx_of_id;		/* id -> index in b, or -1 */
	unsigned int next_id, max_ids;
	unsigned int *owner;	/* per 16-byte granule of the pool: id */
	unsigned int *occ;	/* per page: live blocks on it */
	unsigned int *small_cls;	/* per page with small blocks: class + 1 */
	char *freed[MODEL_FREED];
	unsigned int nfreed;
	/* expected counters */
	struct pgclass_stats st;
	unsigned long long cls_used[PGCLASS_MAX_CLASSES];
	unsigned long long cls_pages_multi;
	unsigned long occupied;	/* pages with a live block */
	unsigned long step;	/* reported with a failure */
	unsigned long stays, moves, kept, fails, bad;
};

/* Kinds of pointers that model_bad_ptr() makes. */
enum model_bad {
	MODEL_BAD_INSIDE,	/* inside a live block, not at its start */
	MODEL_BAD_FREED,	/* a recently freed block */
	MODEL_BAD_ANY,		/* anywhere in the pool, metadata included */
	MODEL_BAD_GRANULE,	/* any 16-byte granule of the data area */
	MODEL_BAD_PAGE,		/* the start of any data page */
	MODEL_BAD_OUTSIDE,	/* below or beyond the pool */
	MODEL_BAD_TAIL,		/* in a later page of a multi-page block */
	MODEL_BAD_EMPTY,	/* in a free run or a spare empty page */
	MODEL_NR_BAD,
};

/* Set up the model of the new pool @m->c (see ctx_new(), ctx_attach()). */
void model_init(struct model *m);
void model_fini(struct model *m);

/* One allocator call each, checked.  @i indexes the live blocks. */
void model_alloc(struct model *m, size_t size);
void model_alloc_aligned(struct model *m, size_t size, size_t align);
void model_free(struct model *m, unsigned long i);
void model_realloc(struct model *m, unsigned long i, size_t size);
void model_realloc_zero(struct model *m, unsigned long i);
void model_realloc_null(struct model *m, size_t size);
void model_usable_size(struct model *m, unsigned long i);
/* free(NULL) and usable_size(NULL): no-ops, not counted. */
void model_null(struct model *m);

/* Is @p the start of a live block? */
bool model_live_start(const struct model *m, const char *p);
/*
 * A pointer of @kind chosen by @a and @b (any numbers), or NULL if the
 * pool has none of that kind now.  It may happen to be a live block's
 * start (a freed block's space reused, a page start): check with
 * model_live_start().
 */
char *model_bad_ptr(struct model *m, enum model_bad kind, uint64_t a,
		    uint64_t b);
/*
 * Free @p, which is not a live block's start, or realloc it to @size if
 * @realloc: refused with a warning, and nothing changes.
 */
void model_refuse(struct model *m, char *p, bool realloc, size_t size);

/* Free every block, then allocate the whole data area once. */
void model_free_all(struct model *m);
/* Destroy the pool with its blocks: it counts and reports them. */
void model_destroy(struct model *m);
/* The counters, in O(classes). */
void model_check_stats(struct model *m);
/* The pool page by page against the model, every block, every granule. */
void model_full_check(struct model *m);

#endif
