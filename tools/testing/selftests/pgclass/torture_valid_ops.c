// SPDX-License-Identifier: GPL-2.0
/*
 * The torture's valid calls: ALLOC, FREE, REALLOC, READ, WRITE, INFO
 * and STATS on a thread's own blocks, whole-block checks, reopens, and
 * mmap.  Each one must succeed (or find no room) and leave the block
 * as the model says.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "torture.h"

void tt_op_alloc(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct pgclass_ioc_alloc a = { .size = tt_valid_size(t) };
	int ret;

	t->what = "ALLOC";
	if (u.set->nr == T_MAX_BLOCKS) {
		tt_give(t, &u);
		return;
	}
	ret = tt_ioctl(t, u.fd, PGCLASS_IOC_ALLOC, &a);
	if (ret == -ENOMEM || !tt_expect(t, ret, 0))
		goto out;
	if (a.reserved[0] || a.reserved[1])
		tt_fail(t, "reserved fields came back non-zero");
	if (!tt_check_result(t, &u, a.size, a.handle, a.usable_size, NULL) ||
	    tt_add_block(t, &u, a.handle, a.usable_size))
		goto out;
	/* A new block is zeroed: its shadow is. */
	tt_verify(t, u.fd, &u.set->b[u.set->nr - 1], 0);
out:
	tt_give(t, &u);
}

void tt_op_free(struct tctx *t)
{
	/* A double free on the shared open needs it to oneself. */
	int twice = tt_one_in(t, 3);
	struct use u = tt_take_any(t, twice);
	struct mblock *b = tt_pick(t, &u);
	uint64_t h;

	t->what = twice ? "FREE twice" : "FREE";
	if (!b)
		goto out;
	h = b->h;
	if (tt_one_in(t, 4))
		tt_verify(t, u.fd, b, 0);
	if (!tt_expect(t, tt_do_free(t, &u, h), 0))
		goto out;
	tt_drop(u.set, b);
	tt_remember_stale(t, h);
	if (twice)
		tt_expect(t, tt_do_free(t, &u, h), -EINVAL);
out:
	tt_give(t, &u);
}

void tt_op_realloc(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	struct pgclass_ioc_realloc r = { };
	unsigned char *shadow;
	uint64_t keep;
	int err = 0, ret;

	t->what = "REALLOC";
	if (!b)
		goto out;
	r.handle = b->h;
	r.size = tt_one_in(t, 8) ? tt_invalid_size(t, &err) : tt_valid_size(t);
	ret = tt_ioctl(t, u.fd, PGCLASS_IOC_REALLOC, &r);
	if (err || ret == -ENOMEM) {
		if (err && !tt_expect(t, ret, err))
			tt_fail(t, "size was %llu", (unsigned long long)r.size);
		/* A failed REALLOC leaves the block as it was. */
		if (ret && tt_one_in(t, 2))
			tt_verify(t, u.fd, b, 0);
		goto out;
	}
	if (!tt_expect(t, ret, 0) ||
	    !tt_check_result(t, &u, r.size, r.new_handle, r.usable_size, b))
		goto out;
	if (r.reserved[0] || r.reserved[1])
		tt_fail(t, "reserved fields came back non-zero");
	shadow = calloc(1, r.usable_size);
	if (!shadow) {
		tt_fail(t, "out of memory for a shadow");
		goto out;
	}
	keep = b->usable < r.size ? b->usable : r.size;
	memcpy(shadow, b->shadow, keep);
	free(b->shadow);
	b->shadow = shadow;
	if (r.new_handle != b->h) {
		tt_remember_stale(t, b->h);
		tt_publish(t, r.new_handle);
		/* The old handle is not the file's any more. */
		if (u.kind == OWN && tt_one_in(t, 4))
			tt_expect(t, tt_rw(t, u.fd, PGCLASS_IOC_READ, b->h, 0,
					   t->buf, 1), -EINVAL);
	}
	b->h = r.new_handle;
	b->usable = r.usable_size;
	tt_verify(t, u.fd, b, 0);
out:
	tt_give(t, &u);
}

/* A random piece of a block: short ones mostly. */
static void piece(struct tctx *t, uint64_t usable, uint64_t *off,
		  uint64_t *len)
{
	uint64_t max = tt_one_in(t, 8) ? usable : usable < 256 ? usable : 256;

	*len = tt_below(t, max + 1);
	*off = tt_below(t, usable - *len + 1);
}

void tt_op_read(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	uint64_t off, len;

	t->what = "READ";
	if (b) {
		piece(t, b->usable, &off, &len);
		tt_verify_range(t, u.fd, b, off, len);
	}
	tt_give(t, &u);
}

void tt_op_write(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	uint64_t off, len;
	const unsigned char *src = t->buf;

	t->what = "WRITE";
	if (!b)
		goto out;
	piece(t, b->usable, &off, &len);
	if (len <= tt_g.sys_page / 2 && tt_one_in(t, 8)) {
		/* From a read-only page: only READ needs to write to it. */
		src = t->ro + tt_below(t, tt_g.sys_page / 2);
	} else {
		tt_fill(t, t->buf, len);
	}
	if (tt_expect(t, tt_rw(t, u.fd, PGCLASS_IOC_WRITE, b->h, off,
			       src, len), 0))
		memcpy(b->shadow + off, src, len);
	if (tt_one_in(t, 4))
		tt_verify(t, u.fd, b, 0);
out:
	tt_give(t, &u);
}

static void check_stats(struct tctx *t, const struct pgclass_ioc_stats *s)
{
	const uint64_t *f = (const uint64_t *)s;
	size_t i;

	for (i = 0; i < sizeof(*s) / sizeof(*f); i++)
		if (f[i] >= PGC_USER_TOP)
			tt_fail(t, "STATS field %zu is 0x%llx", i,
				(unsigned long long)f[i]);
	if (s->page_size != tt_g.page || s->nr_pages != tt_g.info.nr_pages ||
	    s->meta_pages != tt_g.info.meta_pages ||
	    s->meta_pages + s->free_pages + s->used_pages != s->nr_pages ||
	    s->peak_used_pages < s->used_pages ||
	    s->bytes_allocated > tt_g.data ||
	    s->cached_pages > s->used_pages ||
	    s->cache_busy_failures > s->failed_calls)
		tt_fail(t,
			"STATS: %llu meta + %llu free + %llu used of %llu, peak %llu, %llu bytes",
			(unsigned long long)s->meta_pages,
			(unsigned long long)s->free_pages,
			(unsigned long long)s->used_pages,
			(unsigned long long)s->nr_pages,
			(unsigned long long)s->peak_used_pages,
			(unsigned long long)s->bytes_allocated);
}

void tt_op_info_stats(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct pgclass_ioc_info info;
	struct pgclass_ioc_stats st;

	t->what = "INFO and STATS";
	memset(&info, 0xa5, sizeof(info));
	memset(&st, 0xa5, sizeof(st));
	if (tt_expect(t, tt_ioctl(t, u.fd, PGCLASS_IOC_INFO, &info), 0) &&
	    memcmp(&info, &tt_g.info, sizeof(info)))
		tt_fail(t, "INFO changed");
	if (tt_expect(t, tt_ioctl(t, u.fd, PGCLASS_IOC_STATS, &st), 0))
		check_stats(t, &st);
	tt_give(t, &u);
}

void tt_op_verify(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);

	t->what = "verify";
	if (b)
		tt_verify(t, u.fd, b, 1);
	tt_give(t, &u);
}

/* Closes this thread's own open, blocks and all, and opens anew. */
void tt_reopen_own(struct tctx *t)
{
	t->what = "reopen";
	close(t->fd);
	tt_drop_all(t, &t->own);
	t->fd = pgc_open();
	if (t->fd < 0)
		tt_fail(t, "open: %s", strerror(errno));
	tt_g.sh->reopens[t->w->idx][t->tid]++;
}

void tt_op_reopen(struct tctx *t)
{
	struct use u;
	int i;

	if (tt_one_in(t, 2)) {
		tt_reopen_own(t);
		return;
	}
	u = tt_take(t, SHARED, 1);
	t->what = "reopen shared";
	close(t->w->sfd);
	for (i = 0; i < T_THREADS; i++)
		tt_drop_all(t, &t->w->t[i].shr);
	t->w->sfd = pgc_open();
	if (t->w->sfd < 0)
		tt_fail(t, "open: %s", strerror(errno));
	tt_g.sh->reopens[t->w->idx][t->tid]++;
	tt_give(t, &u);
}

/*
 * mmap of one of this thread's blocks (nobody else calls on it while the
 * thread holds its open's lock, or owns the open): a small block is
 * refused; a part of a larger one maps and shows the shadow, a store
 * through the mapping is what READ gives, and FREE and REALLOC of it are
 * EBUSY until munmap.  Now and then the thread closes and reopens its
 * own open with the mapping still there: the old file and its blocks
 * live on until the munmap, which releases them while the other
 * processes call away.  So mmap, munmap, READ, WRITE and close race.
 */
void tt_op_mmap(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	uint64_t pages, first, off, len, o, l;
	unsigned char *p, *keep = NULL;
	int ret;

	t->what = "mmap";
	/* Written for the module's defaults, where the two pages agree. */
	if (!b || tt_g.page != tt_g.sys_page)
		goto out;
	if (b->usable < tt_g.page) {
		p = mmap(NULL, tt_g.sys_page, PROT_READ | PROT_WRITE,
			 MAP_SHARED, u.fd,
			 b->h & ~(uint64_t)(tt_g.sys_page - 1));
		if (p != MAP_FAILED) {
			tt_fail(t, "mmap of the small block 0x%llx worked",
				(unsigned long long)b->h);
			munmap(p, tt_g.sys_page);
		} else if (errno != EINVAL) {
			tt_fail(t, "mmap of a small block: %s", strerror(errno));
		}
		goto out;
	}
	pages = b->usable / tt_g.page;
	first = tt_below(t, pages);
	off = first * tt_g.page;
	len = (1 + tt_below(t, pages - first)) * tt_g.page;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, u.fd,
		 b->h + off);
	if (p == MAP_FAILED) {
		tt_fail(t, "mmap of 0x%llx+%llu, %llu bytes: %s",
			(unsigned long long)b->h, (unsigned long long)off,
			(unsigned long long)len, strerror(errno));
		goto out;
	}
	if (!tt_compare(t, b, off, p, len))
		goto unmap;
	piece(t, len, &o, &l);
	tt_fill(t, t->buf, l);
	memcpy(p + o, t->buf, l);
	memcpy(b->shadow + off + o, t->buf, l);
	if (!tt_verify_range(t, u.fd, b, off + o, l))
		goto unmap;
	if (tt_one_in(t, 2))
		tt_expect(t, tt_do_free(t, &u, b->h), -EBUSY);
	if (tt_one_in(t, 2)) {
		struct pgclass_ioc_realloc r = { .handle = b->h,
						 .size = tt_valid_size(t) };

		ret = tt_ioctl(t, u.fd, PGCLASS_IOC_REALLOC, &r);
		tt_expect(t, ret, -EBUSY);
	}
	if (u.kind == OWN && tt_one_in(t, 4)) {
		/* Closing drops the model's blocks: keep what to compare. */
		keep = malloc(len);
		if (!keep) {
			tt_fail(t, "out of memory");
			goto unmap;
		}
		memcpy(keep, b->shadow + off, len);
		tt_reopen_own(t);
		t->what = "mmap after close";
		if (memcmp(keep, p, len))
			tt_fail(t, "a mapping changed when its file was closed");
		/* Still the old file's block, still writable. */
		tt_fill(t, p, len);
	}
unmap:
	if (munmap(p, len))
		tt_fail(t, "munmap: %s", strerror(errno));
	free(keep);
out:
	tt_give(t, &u);
}
