// SPDX-License-Identifier: GPL-2.0
/*
 * BASELINE, not pgclass: the lab's page allocator done the way its text
 * describes, so that pgclass's trace (pages touched per operation) can be
 * compared with the design it replaces.  Same three cases and the same
 * 4 KiB pages and power-of-two classes as pgclass, metadata out of band
 * in a page table at the start of the region, but:
 *
 *  - alloc looks for a page of the class with a free block, or a free
 *    page, or a run of free pages, by scanning the page table from the
 *    start;
 *  - a class page is initialised by threading a free list through its
 *    blocks ("the page and block are initialized"), and blocks are taken
 *    from and given back to that list, which lives in the blocks;
 *  - free "searches for the block at the address by iterating over all
 *    pages and addresses";
 *  - realloc keeps a block that can hold the new size, and otherwise
 *    allocates, copies and frees.
 *
 * Single-threaded (no lock) and no checks beyond what the lab asks: it
 * exists to be traced by valgrind, never to be used.
 */
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/types.h>

#include "naive.h"

#define NAIVE_PAGE_SHIFT	12
#define NAIVE_PAGE		BIT(NAIVE_PAGE_SHIFT)
#define NAIVE_MIN_BLOCK		16

enum naive_state { NAIVE_FREE, NAIVE_SMALL, NAIVE_WHOLE, NAIVE_HEAD,
		   NAIVE_TAIL };

struct naive_page {
	u32 state;
	u32 block;	/* SMALL: block size; HEAD: pages in the block */
	u32 nfree;	/* SMALL: free blocks */
	u32 pad;
	void *list;	/* SMALL: first free block; each holds the next */
};

struct naive_pool {
	char *base;
	u32 nr_pages;
	u32 meta_pages;
	u32 used_pages;
	struct naive_page page[];
};

static char *naive_addr(struct naive_pool *pool, u32 i)
{
	return pool->base + ((size_t)i << NAIVE_PAGE_SHIFT);
}

struct naive_pool *naive_create(void *base, size_t size)
{
	struct naive_pool *pool = base;
	u32 nr = size >> NAIVE_PAGE_SHIFT, i;
	size_t meta = sizeof(*pool) + nr * sizeof(pool->page[0]);

	memset(pool, 0, meta);
	pool->base = base;
	pool->nr_pages = nr;
	pool->meta_pages = (meta + NAIVE_PAGE - 1) >> NAIVE_PAGE_SHIFT;
	for (i = 0; i < pool->meta_pages; i++)
		pool->page[i].state = NAIVE_WHOLE;
	return pool;
}

u32 naive_meta_pages(struct naive_pool *pool)
{
	return pool->meta_pages;
}

u32 naive_used_pages(struct naive_pool *pool)
{
	return pool->used_pages;
}

/* The first run of @n free pages, scanning from the start; 0 if none. */
static u32 naive_find_run(struct naive_pool *pool, u32 n)
{
	u32 i, len = 0;

	for (i = pool->meta_pages; i < pool->nr_pages; i++) {
		len = pool->page[i].state == NAIVE_FREE ? len + 1 : 0;
		if (len == n)
			return i + 1 - n;
	}
	return 0;
}

static void *naive_small(struct naive_pool *pool, u32 block)
{
	struct naive_page *pg;
	char *p, *end;
	void *b;
	u32 i;

	for (i = pool->meta_pages; i < pool->nr_pages; i++) {
		pg = &pool->page[i];
		if (pg->state == NAIVE_SMALL && pg->block == block && pg->nfree)
			goto take;
	}
	i = naive_find_run(pool, 1);
	if (!i)
		return NULL;
	pg = &pool->page[i];
	pg->state = NAIVE_SMALL;
	pg->block = block;
	pg->nfree = NAIVE_PAGE / block;
	pool->used_pages++;
	p = naive_addr(pool, i);
	end = p + NAIVE_PAGE;
	pg->list = p;
	for (; p + block < end; p += block)
		*(void **)p = p + block;
	*(void **)p = NULL;
take:
	b = pg->list;
	pg->list = *(void **)b;
	pg->nfree--;
	return b;
}

void *naive_alloc(struct naive_pool *pool, size_t size)
{
	u32 block = NAIVE_MIN_BLOCK, n, i;

	if (!size)
		return NULL;
	if (size <= NAIVE_PAGE / 2) {
		while (block < size)
			block <<= 1;
		return naive_small(pool, block);
	}
	n = (size + NAIVE_PAGE - 1) >> NAIVE_PAGE_SHIFT;
	i = naive_find_run(pool, n);
	if (!i)
		return NULL;
	pool->page[i].state = n == 1 ? NAIVE_WHOLE : NAIVE_HEAD;
	pool->page[i].block = n;
	while (--n)
		pool->page[i + n].state = NAIVE_TAIL;
	pool->used_pages += pool->page[i].block;
	return naive_addr(pool, i);
}

/* The page whose block starts at @ptr, found the lab's way; 0 if none. */
static u32 naive_find(struct naive_pool *pool, const char *ptr, u32 *block)
{
	struct naive_page *pg;
	char *start, *end, *b;
	u32 i;

	for (i = pool->meta_pages; i < pool->nr_pages; i++) {
		pg = &pool->page[i];
		start = naive_addr(pool, i);
		if (pg->state == NAIVE_FREE || pg->state == NAIVE_TAIL)
			continue;
		if (pg->state == NAIVE_SMALL) {
			if (ptr < start || ptr >= start + NAIVE_PAGE)
				continue;
			for (b = start; b < start + NAIVE_PAGE; b += pg->block)
				if (b == ptr) {
					*block = pg->block;
					return i;
				}
			return 0;
		}
		end = start + ((size_t)pg->block << NAIVE_PAGE_SHIFT);
		if (ptr >= start && ptr < end) {
			*block = pg->block << NAIVE_PAGE_SHIFT;
			return ptr == start ? i : 0;
		}
	}
	return 0;
}

void naive_free(struct naive_pool *pool, void *ptr)
{
	struct naive_page *pg;
	u32 i, block, n;

	if (!ptr)
		return;
	i = naive_find(pool, ptr, &block);
	if (!i)
		return;
	pg = &pool->page[i];
	if (pg->state != NAIVE_SMALL) {
		n = pg->block;
		pool->used_pages -= n;
		while (n--)
			pool->page[i + n].state = NAIVE_FREE;
		return;
	}
	*(void **)ptr = pg->list;
	pg->list = ptr;
	/* The only block in use: the page becomes free. */
	if (++pg->nfree == NAIVE_PAGE / block) {
		pg->state = NAIVE_FREE;
		pool->used_pages--;
	}
}

void *naive_realloc(struct naive_pool *pool, void *ptr, size_t size)
{
	u32 block;
	void *p;

	if (!ptr)
		return naive_alloc(pool, size);
	if (!size) {
		naive_free(pool, ptr);
		return NULL;
	}
	if (!naive_find(pool, ptr, &block))
		return NULL;
	if (size <= block)
		return ptr;
	p = naive_alloc(pool, size);
	if (!p)
		return NULL;
	memcpy(p, ptr, block);
	naive_free(pool, ptr);
	return p;
}
