/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the unit and differential tests. */
#ifndef _PGCLASS_TEST_COMMON_H
#define _PGCLASS_TEST_COMMON_H

#include "test.h"

/* EINVAL, without pulling the C library's errno.h into the tests. */
#define EINVAL_ 22

/*
 * A pool and its region.  An out-of-band pool (@oob) keeps its metadata in
 * @meta_mem, and its range at @base is mapped with no access at all: a touch
 * of it by the core faults.
 */
struct ctx {
	struct pgclass_pool *pool;
	char *base;
	bool oob;
	void *meta_mem;
	unsigned int shift;
	size_t page;
	unsigned long nr_pages;
	unsigned long meta;
	unsigned long data_pages;
};

/* A pool of @nr_pages pages of 2^@shift bytes in a fresh region. */
int ctx_new(struct ctx *c, unsigned long nr_pages, unsigned int shift);
/* An out-of-band pool of @nr_pages pages over a range mapped PROT_NONE. */
int ctx_new_oob(struct ctx *c, unsigned long nr_pages, unsigned int shift);
/* An out-of-band pool over @size bytes at @base, metadata at @meta. */
int ctx_attach_oob(struct ctx *c, void *meta, size_t meta_size, char *base,
		   size_t size, unsigned int shift);
/* A pool over @size bytes at @base, which must be accepted. */
int ctx_attach(struct ctx *c, char *base, size_t size, unsigned int shift);
/* A pool for @cpus CPUs (threads): 0 makes every call take the pool lock. */
int ctx_new_cpus(struct ctx *c, unsigned long nr_pages, unsigned int shift,
		 unsigned int cpus);
/* The core's internal create with a CPU count (VISIBLE_IF_KUNIT). */
struct pgclass_pool *pgclass_pool_create_cpus(void *base, size_t size,
					      unsigned int page_shift,
					      unsigned int nr_cpus);

/* The pool's counters, and class @k's (which must exist). */
struct pgclass_stats ctx_stats(const struct ctx *c);
struct pgclass_class_stats ctx_cstats(const struct ctx *c, unsigned int k);

/* Page index of an address in the pool. */
static inline unsigned long ctx_page(const struct ctx *c, const void *p)
{
	return (unsigned long)((const char *)p - c->base) >> c->shift;
}

static inline char *ctx_addr(const struct ctx *c, unsigned long page)
{
	return c->base + (page << c->shift);
}

/* The pool's state as the API shows it. */
struct snap {
	struct pgclass_stats st;
	struct pgclass_class_stats cs[PGCLASS_MAX_CLASSES];
	unsigned int nr_classes;
	size_t nr_ext;
	struct pgclass_extent *ext;
	unsigned long (*maps)[64];	/* SMALL extents' bitmaps */
};

struct snap *snap_take(const struct ctx *c);
void snap_free(struct snap *s);
/* Same layout and counters, the call counters aside. */
int snap_same(const struct snap *a, const struct snap *b);

/*
 * Check every invariant the API lets us see: the extents tile the pool in
 * order, free runs are maximal, the counters agree with the extents, and a
 * class has at most one empty (spare) page.
 */
int check_pool(const struct ctx *c);

/* The extent state of page @page (a HEAD's later pages say TAIL). */
int page_state(const struct ctx *c, unsigned long page);

/* Fill and verify a block with a pattern derived from @id. */
void fill(void *p, size_t len, unsigned long id);
/* Returns the offset of the first wrong byte, or @len. */
size_t verify(const void *p, size_t len, unsigned long id);

/* Class index of a request, as the design says. */
unsigned int class_of(const struct ctx *c, size_t size);
/* Usable size of a request, as the design says. */
size_t usable_of(const struct ctx *c, size_t size);

#endif
