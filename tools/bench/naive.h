/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BASELINE, not pgclass: the lab's page allocator as its text describes it,
 * written only to be measured against pgclass (see naive.c).
 */
#ifndef _PGCLASS_BENCH_NAIVE_H
#define _PGCLASS_BENCH_NAIVE_H

#include <linux/types.h>

struct naive_pool;

struct naive_pool *naive_create(void *base, size_t size);
void *naive_alloc(struct naive_pool *pool, size_t size);
void naive_free(struct naive_pool *pool, void *ptr);
void *naive_realloc(struct naive_pool *pool, void *ptr, size_t size);
u32 naive_meta_pages(struct naive_pool *pool);
u32 naive_used_pages(struct naive_pool *pool);

#endif /* _PGCLASS_BENCH_NAIVE_H */
