// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation on the paths of /dev/pgclass fails in turn, with
 * /proc/thread-self/fail-nth: fail the first fault point a call passes,
 * then the second, and so on until the call passes fewer points than
 * the one armed.  Each time, the call must fail with the errno the ABI
 * gives (ENOMEM; EFAULT where the kernel could not fault in the user's
 * buffer) and change nothing, or succeed and work: an allocation the
 * kernel can do without (kmemleak's or KASAN's bookkeeping) may fail
 * without the call failing.  Each path prints how many fault points it
 * has and how many of them made the call fail.
 *
 * mmap and munmap are here too: the module allocates nothing for them,
 * but the kernel's VMA and page-table allocations may fail under them.
 * The loading path of the module is pgclass_module_test's.  Needs
 * fail-nth, failslab and fail_page_alloc (skipped where the kernel has
 * none), pgclass.ko loaded and nobody else holding blocks.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

/* More fault points than any path here passes. */
#define MAX_NTH		200UL

FIXTURE(fault)
{
	int fd;
	struct pgclass_ioc_info info;
	uint64_t page;
	struct pgc_fault f;
	int started;
};

FIXTURE_SETUP(fault)
{
	struct pgclass_ioc_stats st;

	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, pgc_info(self->fd, &self->info));
	self->page = self->info.page_size;
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	ASSERT_EQ(0ULL, st.blocks) TH_LOG("someone else holds blocks");
	if (pgc_fault_start(&self->f))
		SKIP(return, "no fail-nth, failslab or fail_page_alloc");
	self->started = 1;
}

/*
 * In the parent, so that the fault injection knobs get their old values
 * back even if the test died: a later test, or the program that runs
 * next in the guest, must find them as they were.
 */
FIXTURE_TEARDOWN_PARENT(fault)
{
	int i;

	if (!self->started)
		return;
	for (i = 0; i < PGC_FI_KNOBS; i++)
		if (self->f.old[i][0])
			pgc_knob_set(pgc_fi_knobs[i][0], self->f.old[i], NULL);
}

/*
 * What one path does, with the nth fault point armed around call().
 * struct _test_data_fault is FIXTURE_DATA(fault), spelt out.
 */
struct path {
	const char *name;
	/* Before arming: sets the stage. */
	void (*prepare)(struct __test_metadata *_metadata,
			struct _test_data_fault *self, void *ctx);
	/* The call under test: 0 or -errno. */
	int (*call)(struct _test_data_fault *self, void *ctx);
	/* After disarming: judges @ret and cleans up. */
	void (*check)(struct __test_metadata *_metadata,
		      struct _test_data_fault *self, void *ctx, int ret,
		      int struck);
};

/* The counters that say what the pool holds. */
static void expect_same_holdings(struct __test_metadata *_metadata,
				 const struct pgclass_ioc_stats *a,
				 const struct pgclass_ioc_stats *b)
{
	EXPECT_EQ(a->blocks, b->blocks);
	EXPECT_EQ(a->bytes_allocated, b->bytes_allocated);
	EXPECT_EQ(a->bytes_requested, b->bytes_requested);
	EXPECT_EQ(a->free_pages, b->free_pages);
	EXPECT_EQ(a->used_pages, b->used_pages);
}

/*
 * Fails the 1st, 2nd, ... fault point of @p's call until the call
 * passes fewer; prints how many points there were.
 */
static void every_fault(struct __test_metadata *_metadata,
			struct _test_data_fault *self, const struct path *p,
			void *ctx)
{
	unsigned int sites = 0, failed = 0;
	struct pgclass_ioc_stats st;
	unsigned long nth, left;
	int ret;

	for (nth = 1; nth <= MAX_NTH; nth++) {
		p->prepare(_metadata, self, ctx);
		ASSERT_EQ(0, pgc_fault_arm(&self->f, nth));
		ret = p->call(self, ctx);
		left = pgc_fault_disarm(&self->f);
		p->check(_metadata, self, ctx, ret, !left);
		if (left)
			break;	/* fewer than nth points: all were failed */
		sites++;
		failed += ret != 0;
	}
	EXPECT_GE(MAX_NTH, nth) TH_LOG("%s: no end to its fault points", p->name);
	/* Whatever happened, nothing is left behind. */
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.blocks) TH_LOG("%s", p->name);
	EXPECT_EQ(0ULL, st.bytes_requested) TH_LOG("%s", p->name);
	pgc_diag("%s: %u fault points, %u of them failed the call", p->name,
		 sites, failed);
}

/* A byte pattern that depends on the offset and a seed. */
static void pattern(unsigned char *p, uint64_t len, unsigned int seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 131 + seed * 7 + 1) | 1;
}

/* ---- ALLOC ---- */

struct alloc_ctx {
	uint64_t size;
	uint64_t h;
	uint64_t usable;
	struct pgclass_ioc_stats before;
};

static void alloc_prepare(struct __test_metadata *_metadata,
			  struct _test_data_fault *self, void *ctx)
{
	struct alloc_ctx *c = ctx;

	ASSERT_EQ(0, pgc_stats(self->fd, &c->before));
}

static int alloc_call(struct _test_data_fault *self, void *ctx)
{
	struct alloc_ctx *c = ctx;

	return pgc_alloc(self->fd, c->size, &c->h, &c->usable);
}

static void alloc_check(struct __test_metadata *_metadata,
			struct _test_data_fault *self, void *ctx, int ret,
			int struck)
{
	struct alloc_ctx *c = ctx;
	struct pgclass_ioc_stats st;
	unsigned char *buf;

	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	if (ret) {
		EXPECT_EQ(-ENOMEM, ret);
		EXPECT_TRUE(struck) TH_LOG("ALLOC failed with no fault");
		/* Nothing changed; the allocator was not even asked. */
		expect_same_holdings(_metadata, &c->before, &st);
		EXPECT_EQ(c->before.alloc_calls, st.alloc_calls);
		EXPECT_EQ(c->before.failed_calls, st.failed_calls);
		return;
	}
	/* It did without what failed: the block is whole and zeroed. */
	EXPECT_EQ(pgc_usable_for(self->page, c->size), c->usable);
	EXPECT_EQ(c->before.blocks + 1, st.blocks);
	buf = malloc(c->usable);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, pgc_read(self->fd, c->h, 0, buf, c->usable));
	EXPECT_TRUE(pgc_all(buf, c->usable, 0));
	pattern(buf, c->usable, 3);
	ASSERT_EQ(0, pgc_write(self->fd, c->h, 0, buf, c->usable));
	free(buf);
	ASSERT_EQ(0, pgc_free(self->fd, c->h));
}

TEST_F_TIMEOUT(fault, alloc, 300)
{
	const struct path p = { "ALLOC", alloc_prepare, alloc_call,
				alloc_check };
	uint64_t pg = self->page;
	const uint64_t sizes[] = { 1, 100, pg / 2 + 1, pg, 3 * pg + 1 };
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct alloc_ctx c = { .size = sizes[i] };
		struct path named = p;

		snprintf(name, sizeof(name), "ALLOC %llu bytes",
			 (unsigned long long)sizes[i]);
		named.name = name;
		every_fault(_metadata, self, &named, &c);
	}
}

/* ---- REALLOC ---- */

struct realloc_ctx {
	uint64_t from, to;
	uint64_t h, usable;
	uint64_t nh, nusable;
	unsigned char *old;
	struct pgclass_ioc_stats before;
};

static void realloc_prepare(struct __test_metadata *_metadata,
			    struct _test_data_fault *self, void *ctx)
{
	struct realloc_ctx *c = ctx;

	ASSERT_EQ(0, pgc_alloc(self->fd, c->from, &c->h, &c->usable));
	free(c->old);
	c->old = malloc(c->usable);
	ASSERT_NE(NULL, c->old);
	pattern(c->old, c->usable, c->from);
	ASSERT_EQ(0, pgc_write(self->fd, c->h, 0, c->old, c->usable));
	ASSERT_EQ(0, pgc_stats(self->fd, &c->before));
}

static int realloc_call(struct _test_data_fault *self, void *ctx)
{
	struct realloc_ctx *c = ctx;

	return pgc_realloc(self->fd, c->h, c->to, &c->nh, &c->nusable);
}

static void realloc_check(struct __test_metadata *_metadata,
			  struct _test_data_fault *self, void *ctx, int ret,
			  int struck)
{
	struct realloc_ctx *c = ctx;
	uint64_t keep = c->usable < c->to ? c->usable : c->to;
	struct pgclass_ioc_stats st;
	unsigned char *buf;

	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	if (ret) {
		/* The old block is there as it was. */
		EXPECT_EQ(-ENOMEM, ret);
		EXPECT_TRUE(struck) TH_LOG("REALLOC failed with no fault");
		expect_same_holdings(_metadata, &c->before, &st);
		buf = malloc(c->usable);
		ASSERT_NE(NULL, buf);
		ASSERT_EQ(0, pgc_read(self->fd, c->h, 0, buf, c->usable));
		EXPECT_EQ(0, memcmp(c->old, buf, c->usable));
		EXPECT_EQ(-EINVAL, pgc_read(self->fd, c->h, c->usable, buf, 1));
		free(buf);
		ASSERT_EQ(0, pgc_free(self->fd, c->h));
		return;
	}
	EXPECT_EQ(pgc_usable_for(self->page, c->to), c->nusable);
	EXPECT_EQ(c->before.blocks, st.blocks);
	buf = malloc(c->nusable);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, pgc_read(self->fd, c->nh, 0, buf, c->nusable));
	EXPECT_EQ(0, memcmp(c->old, buf, keep));
	EXPECT_TRUE(pgc_all(buf + keep, c->nusable - keep, 0));
	free(buf);
	if (c->nh != c->h)
		EXPECT_EQ(-EINVAL, pgc_free(self->fd, c->h));
	ASSERT_EQ(0, pgc_free(self->fd, c->nh));
}

TEST_F_TIMEOUT(fault, realloc, 300)
{
	uint64_t pg = self->page;
	const uint64_t steps[][2] = {
		{ 16, 17 },		/* to the next class: moves */
		{ 100, 120 },		/* same class: stays */
		{ pg / 2 + 1, pg },	/* a whole page still: stays */
		{ 100, 3 * pg },	/* small to several pages */
		{ 3 * pg, 5 * pg },	/* grows in place */
		{ 5 * pg, 2 * pg },	/* shrinks in place */
		{ 2 * pg, 100 },	/* several pages to small */
	};
	const struct path p = { "REALLOC", realloc_prepare, realloc_call,
				realloc_check };
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		struct realloc_ctx c = { .from = steps[i][0],
					 .to = steps[i][1] };
		struct path named = p;

		snprintf(name, sizeof(name), "REALLOC %llu to %llu bytes",
			 (unsigned long long)c.from, (unsigned long long)c.to);
		named.name = name;
		every_fault(_metadata, self, &named, &c);
		free(c.old);
	}
}

/* ---- READ and WRITE ---- */

struct rw_ctx {
	int write;
	int fresh;		/* a buffer never touched: its pages fault in */
	uint64_t h, usable;
	unsigned char *old;	/* the block before the call */
	unsigned char *buf;
	size_t map_len;
};

static void rw_prepare(struct __test_metadata *_metadata,
		       struct _test_data_fault *self, void *ctx)
{
	struct rw_ctx *c = ctx;

	ASSERT_EQ(0, pgc_alloc(self->fd, 3 * self->page, &c->h, &c->usable));
	free(c->old);
	c->old = malloc(c->usable);
	ASSERT_NE(NULL, c->old);
	pattern(c->old, c->usable, 5);
	ASSERT_EQ(0, pgc_write(self->fd, c->h, 0, c->old, c->usable));
	c->map_len = c->usable;
	c->buf = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c->buf);
	if (!c->fresh)
		pattern(c->buf, c->usable, 9);
}

static int rw_call(struct _test_data_fault *self, void *ctx)
{
	struct rw_ctx *c = ctx;

	if (c->write)
		return pgc_write(self->fd, c->h, 0, c->buf, c->usable);
	return pgc_read(self->fd, c->h, 0, c->buf, c->usable);
}

static void rw_check(struct __test_metadata *_metadata,
		     struct _test_data_fault *self, void *ctx, int ret, int struck)
{
	struct rw_ctx *c = ctx;
	unsigned char *got = malloc(c->usable), *src = malloc(c->usable);
	uint64_t i;

	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, src);
	/* What a WRITE copied from: zeros if the buffer was never touched. */
	memset(src, 0, c->usable);
	if (!c->fresh)
		pattern(src, c->usable, 9);
	if (ret) {
		/* Only faulting the user's pages in can fail here. */
		EXPECT_EQ(-EFAULT, ret);
		EXPECT_TRUE(struck) TH_LOG("failed with no fault");
	}
	ASSERT_EQ(0, pgc_read(self->fd, c->h, 0, got, c->usable));
	if (!c->write) {
		/* READ changes no block; what it gave is the block's. */
		EXPECT_EQ(0, memcmp(c->old, got, c->usable));
		if (!ret)
			EXPECT_EQ(0, memcmp(c->old, c->buf, c->usable));
	} else if (!ret) {
		EXPECT_EQ(0, memcmp(src, got, c->usable));
	} else {
		/* A prefix of what was written, then what was there. */
		for (i = 0; i < c->usable && got[i] == src[i]; i++)
			;
		EXPECT_EQ(0, memcmp(c->old + i, got + i, c->usable - i))
			TH_LOG("a failed WRITE changed the block past byte %llu",
			       (unsigned long long)i);
	}
	free(got);
	free(src);
	munmap(c->buf, c->map_len);
	ASSERT_EQ(0, pgc_free(self->fd, c->h));
}

TEST_F_TIMEOUT(fault, read_write, 300)
{
	const struct path p = { NULL, rw_prepare, rw_call, rw_check };
	static const char * const names[] = {
		"READ to a buffer in memory", "WRITE from a buffer in memory",
		"READ to a buffer never touched", "WRITE from a buffer never touched",
	};
	int i;

	for (i = 0; i < 4; i++) {
		struct rw_ctx c = { .write = i & 1, .fresh = i >> 1 };
		struct path named = p;

		named.name = names[i];
		every_fault(_metadata, self, &named, &c);
		free(c.old);
	}
}

/* ---- open, close, FREE, INFO, STATS ---- */

struct misc_ctx {
	int which;
	int fd;
	uint64_t h;
	struct pgclass_ioc_stats before;
	union {
		struct pgclass_ioc_info info;
		struct pgclass_ioc_stats st;
	} out;
};

enum { M_OPEN, M_CLOSE, M_FREE, M_INFO, M_STATS };

static void misc_prepare(struct __test_metadata *_metadata,
			 struct _test_data_fault *self, void *ctx)
{
	struct misc_ctx *c = ctx;
	int i;

	c->fd = -1;
	if (c->which == M_CLOSE) {
		/* An open with blocks in it, which closing frees. */
		c->fd = pgc_open();
		ASSERT_LE(0, c->fd);
		for (i = 0; i < 5; i++)
			ASSERT_EQ(0, pgc_alloc(c->fd, 1 + i * self->page,
					       NULL, NULL));
	} else if (c->which == M_FREE) {
		ASSERT_EQ(0, pgc_alloc(self->fd, 100, &c->h, NULL));
	}
	ASSERT_EQ(0, pgc_stats(self->fd, &c->before));
}

static int misc_call(struct _test_data_fault *self, void *ctx)
{
	struct misc_ctx *c = ctx;

	switch (c->which) {
	case M_OPEN:
		c->fd = pgc_open();
		return c->fd < 0 ? -errno : 0;
	case M_CLOSE:
		return close(c->fd) ? -errno : 0;
	case M_FREE:
		return pgc_free(self->fd, c->h);
	case M_INFO:
		return pgc_info(self->fd, &c->out.info);
	default:
		return pgc_stats(self->fd, &c->out.st);
	}
}

static void misc_check(struct __test_metadata *_metadata,
		       struct _test_data_fault *self, void *ctx, int ret,
		       int struck)
{
	struct misc_ctx *c = ctx;
	struct pgclass_ioc_stats st;

	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	switch (c->which) {
	case M_OPEN:
		if (ret) {
			EXPECT_EQ(-ENOMEM, ret);
			EXPECT_TRUE(struck);
		} else {
			/* It works, and closing it gives everything back. */
			ASSERT_EQ(0, pgc_alloc(c->fd, 100, NULL, NULL));
			close(c->fd);
		}
		expect_same_holdings(_metadata, &c->before, &st);
		break;
	case M_CLOSE:
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0ULL, st.blocks);
		break;
	case M_FREE:
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0ULL, st.blocks);
		EXPECT_EQ(-EINVAL, pgc_free(self->fd, c->h));
		break;
	case M_INFO:
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0, memcmp(&self->info, &c->out.info,
				    sizeof(self->info)));
		break;
	default:
		EXPECT_EQ(0, ret);
		EXPECT_EQ(st.blocks, c->out.st.blocks);
		break;
	}
}

TEST_F_TIMEOUT(fault, open_close_free_info_stats, 300)
{
	static const char * const names[] = {
		"open", "close with 5 blocks", "FREE", "INFO", "STATS",
	};
	const struct path p = { NULL, misc_prepare, misc_call, misc_check };
	int i;

	for (i = M_OPEN; i <= M_STATS; i++) {
		struct misc_ctx c = { .which = i };
		struct path named = p;

		named.name = names[i];
		every_fault(_metadata, self, &named, &c);
	}
}

/* ---- mmap and munmap ---- */

/*
 * mmap allocates nothing of its own: the kernel's VMA and page tables
 * are what can fail, and each failure must leave the block unmapped and
 * counted so (FREE works).  A partial munmap splits the VMA; where that
 * fails the mapping stays whole and the block mapped, and the count the
 * VMAs' open and close keep still drops to zero at the last munmap.
 */
struct mmap_ctx {
	int partial;		/* munmap the middle page, not mmap */
	uint64_t h;
	unsigned char *old;
	unsigned char *map;
};

static void mmap_prepare(struct __test_metadata *_metadata,
			 struct _test_data_fault *self, void *ctx)
{
	struct mmap_ctx *c = ctx;
	uint64_t len = 3 * self->page;

	ASSERT_EQ(0, pgc_alloc(self->fd, len, &c->h, NULL));
	free(c->old);
	c->old = malloc(len);
	ASSERT_NE(NULL, c->old);
	pattern(c->old, len, 3);
	ASSERT_EQ(0, pgc_write(self->fd, c->h, 0, c->old, len));
	c->map = MAP_FAILED;
	if (c->partial) {
		c->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			      self->fd, c->h);
		ASSERT_NE(MAP_FAILED, c->map);
	}
}

static int mmap_call(struct _test_data_fault *self, void *ctx)
{
	struct mmap_ctx *c = ctx;

	if (c->partial)
		return munmap(c->map + self->page, self->page) ? -errno : 0;
	c->map = mmap(NULL, 3 * self->page, PROT_READ | PROT_WRITE,
		      MAP_SHARED, self->fd, c->h);
	return c->map == MAP_FAILED ? -errno : 0;
}

static void mmap_check(struct __test_metadata *_metadata,
		       struct _test_data_fault *self, void *ctx, int ret,
		       int struck)
{
	struct mmap_ctx *c = ctx;
	uint64_t pg = self->page;

	if (ret) {
		EXPECT_EQ(-ENOMEM, ret);
		EXPECT_TRUE(struck) TH_LOG("failed with no fault");
	}
	if (!c->partial) {
		if (!ret) {
			EXPECT_EQ(1, pgc_mapped_count(c->h));
			EXPECT_EQ(0, memcmp(c->old, c->map, 3 * pg));
			EXPECT_EQ(-EBUSY, pgc_free(self->fd, c->h));
			ASSERT_EQ(0, munmap(c->map, 3 * pg));
		}
	} else if (!ret) {
		/* Two mappings left, the first and the last page. */
		EXPECT_EQ(2, pgc_mapped_count(c->h));
		EXPECT_EQ(0, memcmp(c->old, c->map, pg));
		EXPECT_EQ(0, memcmp(c->old + 2 * pg, c->map + 2 * pg, pg));
		ASSERT_EQ(0, munmap(c->map, 3 * pg));
	} else {
		/* Still mapped, all of it (perhaps split in two). */
		EXPECT_LE(1, pgc_mapped_count(c->h));
		EXPECT_EQ(0, memcmp(c->old, c->map, 3 * pg));
		EXPECT_EQ(-EBUSY, pgc_free(self->fd, c->h));
		ASSERT_EQ(0, munmap(c->map, 3 * pg));
	}
	/* However it went, nothing maps the block now. */
	EXPECT_EQ(0, pgc_mapped_count(c->h));
	EXPECT_EQ(0, pgc_free(self->fd, c->h));
}

TEST_F_TIMEOUT(fault, mmap_munmap, 300)
{
	const struct path p = { NULL, mmap_prepare, mmap_call, mmap_check };
	static const char * const names[] = {
		"mmap of three pages", "munmap of the middle page",
	};
	int i;

	for (i = 0; i < 2; i++) {
		struct mmap_ctx c = { .partial = i };
		struct path named = p;

		named.name = names[i];
		every_fault(_metadata, self, &named, &c);
		free(c.old);
	}
}

TEST_HARNESS_MAIN
