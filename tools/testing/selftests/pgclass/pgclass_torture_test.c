// SPDX-License-Identifier: GPL-2.0
/*
 * Torture /dev/pgclass: several processes, each with threads, make random
 * valid and invalid ioctl calls at once, and every result is checked
 * against a model.
 *
 * Each model thread owns one open of its own and shares a second one
 * with the other thread of its process.  It keeps every block it owns
 * (handle, usable size, a shadow of the contents) and checks each call:
 * a valid call on its own block succeeds and reads back exactly what the
 * shadow says (a block's bytes are the thread's own pattern or zero,
 * never another thread's); an invalid one fails with the errno the ABI
 * documents and changes nothing.  Invalid calls: unknown and mis-sized
 * commands, sizes from 0 to 2^64-1, bad pointers (NULL, unmapped, kernel
 * addresses, read-only pages for READ, structures that run into a hole),
 * other threads' handles taken from shared memory, stale handles, double
 * frees, READ and WRITE past the block or overflowing, non-zero reserved
 * fields.  Opens are closed and reopened with blocks in them.  Blocks
 * are mapped, used through the mapping and unmapped, and now and then
 * an open is closed while one of its blocks is mapped.
 *
 * A chaos process has two threads on one descriptor, one of which swaps
 * the open file under the other (dup2) while it is in use: it checks
 * only errnos and that it reads nothing but its own pattern or zero.
 *
 * The parent reads the debugfs files all along, looking for kernel
 * addresses.  Afterwards the pool must hold no block, lockdep must still
 * be on and the kernel no more tainted than before.
 *
 * PGCLASS_TORTURE_SEED and PGCLASS_TORTURE_CALLS (ioctl calls in all)
 * change the seed and the length.  Needs pgclass.ko loaded and nobody
 * else holding blocks.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "pgclass_util.h"

#define T_WORKERS	4	/* model processes */
#define T_THREADS	2	/* model threads in each */
#define T_PROCS		(T_WORKERS + 1)	/* and the chaos process */
#define T_MAX_BLOCKS	20	/* blocks a thread holds on one open */
#define T_PUB		32	/* handles a thread publishes */
#define T_STALE		64	/* stale handles a thread remembers */
#define T_MSGS		16	/* error messages kept per process */
#define T_TRACE		256	/* calls a thread remembers */
#define T_MSG_LEN	240
#define T_CALLS		40000	/* default ioctl calls in all */
#define T_SEED		0x70c7u	/* default seed */
#define T_CHAOS_TAG	(T_WORKERS * T_THREADS)

/* Verify whole blocks up to this many pages, sample larger ones. */
#define T_FULL_PAGES	8

/* The pattern bytes of thread @gid: 0x10..0x1f for 0, 0x20.. for 1... */
#define T_TAG(gid)	((unsigned char)(((gid) + 1) << 4))

/* What the processes share with the test. */
struct t_shared {
	uint64_t pub[T_PROCS * T_THREADS][T_PUB];
	uint64_t calls[T_PROCS][T_THREADS];
	uint64_t failed[T_PROCS][T_THREADS];	/* as expected */
	uint64_t reopens[T_PROCS][T_THREADS];
	uint32_t nr_errors[T_PROCS];
	char msg[T_PROCS][T_MSGS][T_MSG_LEN];
};

/* The arena's geometry; set before the fork, read-only after. */
static struct {
	struct pgclass_ioc_info info;
	uint64_t page;		/* allocator page */
	uint64_t arena;		/* arena size */
	uint64_t data;		/* bytes in the data pages */
	uint64_t first;		/* the first data byte's offset */
	size_t sys_page;
	unsigned char *none;	/* two inaccessible pages */
	struct t_shared *sh;
	uint64_t seed;
} tt_g;

struct mblock {
	uint64_t h;
	uint64_t usable;
	unsigned char *shadow;
};

/* The blocks of one open that one thread owns. */
struct bset {
	struct mblock b[T_MAX_BLOCKS];
	int nr;
};

struct wctx;

/* A call, for the story of a handle when something goes wrong. */
struct trace {
	uint64_t op;
	const char *what;
	unsigned long cmd;
	int fd;
	int ret;
	uint64_t h;
	uint64_t size;
	uint64_t out;
};

struct tctx {
	struct wctx *w;
	int tid;		/* in the process */
	int gid;		/* in the test: the pattern's tag */
	uint64_t rng;
	int fd;			/* this thread's own open */
	struct bset own;	/* on fd */
	struct bset shr;	/* on w->sfd */
	uint64_t stale[T_STALE];
	unsigned int nr_stale;
	unsigned char *buf;	/* scratch, tt_g.data bytes */
	unsigned char *ro;	/* a read-only page of the pattern */
	unsigned char *guard;	/* a writable page, then an inaccessible one */
	uint64_t budget;
	uint64_t op;
	const char *what;
	struct trace trace[T_TRACE];
	unsigned int nr_trace;
	int bad_arg;		/* the argument is not to be read */
};

struct wctx {
	int idx;
	int sfd;		/* the open both threads share */
	/* Read-held for calls on one's own blocks there, write-held for
	 * calls with handles that may be the other thread's, and to reopen.
	 */
	pthread_rwlock_t slock;
	struct tctx t[T_THREADS];
};

/* ---- random numbers: splitmix64 to seed, xorshift64* to run ---- */

static uint64_t tt_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t tt_rnd(struct tctx *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n); 0 if n is 0. */
static uint64_t tt_below(struct tctx *t, uint64_t n)
{
	return n ? tt_rnd(t) % n : 0;
}

static int tt_one_in(struct tctx *t, unsigned int n)
{
	return tt_below(t, n) == 0;
}

/* ---- reporting ---- */

static __printf(2, 3) void tt_fail(struct tctx *t, const char *fmt, ...)
{
	int proc = t->w->idx;
	uint32_t n = __atomic_fetch_add(&tt_g.sh->nr_errors[proc], 1,
					__ATOMIC_RELAXED);
	char *m;
	va_list ap;
	int len;

	if (n >= T_MSGS)
		return;
	m = tt_g.sh->msg[proc][n];
	len = snprintf(m, T_MSG_LEN, "proc %d thread %d op %llu (%s): ",
		       proc, t->tid, (unsigned long long)t->op, t->what);
	va_start(ap, fmt);
	vsnprintf(m + len, T_MSG_LEN - len, fmt, ap);
	va_end(ap);
}

static const char *tt_errname(int ret)
{
	switch (ret) {
	case 0:
		return "success";
	case -EINVAL:
		return "EINVAL";
	case -EFAULT:
		return "EFAULT";
	case -ENOTTY:
		return "ENOTTY";
	case -ENOMEM:
		return "ENOMEM";
	case -EBADF:
		return "EBADF";
	case -EBUSY:
		return "EBUSY";
	default:
		return strerror(-ret);
	}
}

/* One ioctl, counted and remembered; 0 or -errno. */
static int tt_ioctl(struct tctx *t, int fd, unsigned long cmd, void *arg)
{
	struct trace *tr = &t->trace[t->nr_trace++ % T_TRACE];
	int ret = ioctl(fd, cmd, arg) ? -errno : 0;
	uint64_t *u = arg;

	tt_g.sh->calls[t->w->idx][t->tid]++;
	if (ret)
		tt_g.sh->failed[t->w->idx][t->tid]++;
	*tr = (struct trace){ .op = t->op, .what = t->what, .cmd = cmd,
			      .fd = fd, .ret = ret };
	/* The handle, size and result of the commands that have them. */
	if (t->bad_arg) {
		tr->h = UINT64_MAX;
	} else if (cmd == PGCLASS_IOC_ALLOC) {
		tr->size = u[0];
		tr->out = u[1];
	} else if (cmd == PGCLASS_IOC_REALLOC) {
		tr->h = u[0];
		tr->size = u[1];
		tr->out = u[2];
	} else if (cmd == PGCLASS_IOC_FREE || cmd == PGCLASS_IOC_READ ||
		   cmd == PGCLASS_IOC_WRITE) {
		tr->h = u[0];
	}
	return ret;
}

/*
 * Prints this thread's last calls that named [h, h + len), and what
 * debugfs says is there.
 */
static void story(struct tctx *t, uint64_t h, uint64_t len)
{
	unsigned int i = t->nr_trace > T_TRACE ? t->nr_trace - T_TRACE : 0;
	char *text = pgc_slurp("blocks"), *line, *save = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t b = strtoull(line, NULL, 16);

		if (b >= h && b < h + len)
			fprintf(stderr, "# debugfs blocks: %s\n", line);
	}
	free(text);

	for (; i < t->nr_trace; i++) {
		struct trace *tr = &t->trace[i % T_TRACE];

		if ((tr->h < h || tr->h >= h + len) &&
		    (tr->out < h || tr->out >= h + len))
			continue;
		fprintf(stderr,
			"# proc %d thread %d op %llu (%s) fd %d cmd 0x%lx handle 0x%llx size %llu: %s, 0x%llx\n",
			t->w->idx, t->tid, (unsigned long long)tr->op,
			tr->what, tr->fd, tr->cmd, (unsigned long long)tr->h,
			(unsigned long long)tr->size, tt_errname(tr->ret),
			(unsigned long long)tr->out);
	}
}

/* 1 if @got is @want; else reports it. */
static int tt_expect(struct tctx *t, int got, int want)
{
	if (got == want)
		return 1;
	tt_fail(t, "got %s, want %s", tt_errname(got), tt_errname(want));
	return 0;
}

/* ---- the model ---- */

static int tt_owner_of(unsigned char c)
{
	return c ? (c >> 4) - 1 : -1;
}

/* Which thread's pattern byte @c is, for a message. */
static const char *tt_whose(struct tctx *t, unsigned char c, char *buf,
			    size_t len)
{
	int g = tt_owner_of(c);

	if (g == t->gid)
		snprintf(buf, len, "this thread's pattern");
	else if (g == T_CHAOS_TAG)
		snprintf(buf, len, "THE CHAOS PROCESS'S PATTERN");
	else if (g >= 0 && g < T_CHAOS_TAG)
		snprintf(buf, len, "ANOTHER THREAD'S PATTERN (process %d thread %d)",
			 g / T_THREADS, g % T_THREADS);
	else
		snprintf(buf, len, "nobody's pattern");
	return buf;
}

/* Compares @len bytes read at @off of block @b with its shadow. */
static int tt_compare(struct tctx *t, struct mblock *b, uint64_t off,
		      const unsigned char *got, uint64_t len)
{
	char w[80];
	uint64_t i;

	for (i = 0; i < len; i++) {
		if (got[i] == b->shadow[off + i])
			continue;
		tt_fail(t, "block 0x%llx+%llu reads 0x%02x, want 0x%02x: %s",
			(unsigned long long)b->h, (unsigned long long)(off + i),
			got[i], b->shadow[off + i],
			tt_whose(t, got[i], w, sizeof(w)));
		return 0;
	}
	return 1;
}

static int tt_rw(struct tctx *t, int fd, unsigned long cmd, uint64_t h,
		 uint64_t off, const void *buf, uint64_t len)
{
	struct pgclass_ioc_rw io = {
		.handle = h, .offset = off, .len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	return tt_ioctl(t, fd, cmd, &io);
}

/* Reads [off, off + len) of @b and checks it. */
static int tt_verify_range(struct tctx *t, int fd, struct mblock *b,
			   uint64_t off, uint64_t len)
{
	int ret = tt_rw(t, fd, PGCLASS_IOC_READ, b->h, off, t->buf, len);

	if (!tt_expect(t, ret, 0))
		return 0;
	return tt_compare(t, b, off, t->buf, len);
}

/* The whole block if it is small or @full, else samples of it. */
static int tt_verify(struct tctx *t, int fd, struct mblock *b, int full)
{
	uint64_t off, len;
	int i;

	if (full || b->usable <= T_FULL_PAGES * tt_g.page)
		return tt_verify_range(t, fd, b, 0, b->usable);
	if (!tt_verify_range(t, fd, b, 0, 64) ||
	    !tt_verify_range(t, fd, b, b->usable - 64, 64))
		return 0;
	for (i = 0; i < 3; i++) {
		len = 1 + tt_below(t, tt_g.page);
		off = tt_below(t, b->usable - len + 1);
		if (!tt_verify_range(t, fd, b, off, len))
			return 0;
	}
	return 1;
}

static void tt_fill(struct tctx *t, unsigned char *p, uint64_t len)
{
	uint64_t i, r = 0;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			r = tt_rnd(t);
		p[i] = T_TAG(t->gid) | (r & 0x0f);
		r >>= 8;
	}
}

static void tt_publish(struct tctx *t, uint64_t h)
{
	__atomic_store_n(&tt_g.sh->pub[t->gid][tt_below(t, T_PUB)], h,
			 __ATOMIC_RELAXED);
}

static void tt_remember_stale(struct tctx *t, uint64_t h)
{
	t->stale[t->nr_stale++ % T_STALE] = h;
}

static struct mblock *tt_find(struct bset *s, uint64_t h)
{
	int i;

	for (i = 0; i < s->nr; i++)
		if (s->b[i].h == h)
			return &s->b[i];
	return NULL;
}

/* A block of @s, not @self, that overlaps [h, h + len), or NULL. */
static struct mblock *overlaps(struct bset *s, uint64_t h, uint64_t len,
			       const struct mblock *self)
{
	int i;

	for (i = 0; i < s->nr; i++) {
		struct mblock *b = &s->b[i];

		if (b != self && h < b->h + b->usable && b->h < h + len)
			return b;
	}
	return NULL;
}

static void tt_drop(struct bset *s, struct mblock *b)
{
	free(b->shadow);
	*b = s->b[--s->nr];
}

static void tt_drop_all(struct tctx *t, struct bset *s)
{
	while (s->nr) {
		tt_remember_stale(t, s->b[0].h);
		tt_drop(s, &s->b[0]);
	}
}

/* ---- which open: this thread's, or the shared one ---- */

enum { OWN, SHARED };

struct use {
	int kind;
	int fd;
	struct bset *set;
	int excl;
};

static struct use tt_take(struct tctx *t, int kind, int excl)
{
	struct use u = { .kind = kind, .excl = excl };

	if (kind == SHARED) {
		if (excl)
			pthread_rwlock_wrlock(&t->w->slock);
		else
			pthread_rwlock_rdlock(&t->w->slock);
		u.fd = t->w->sfd;
		u.set = &t->shr;
	} else {
		u.fd = t->fd;
		u.set = &t->own;
	}
	return u;
}

static void tt_give(struct tctx *t, struct use *u)
{
	if (u->kind == SHARED)
		pthread_rwlock_unlock(&t->w->slock);
}

/* Either open, the thread's own more often. */
static struct use tt_take_any(struct tctx *t, int excl)
{
	return tt_take(t, tt_one_in(t, 3) ? SHARED : OWN, excl);
}

/*
 * 1 if the open of @u owns @h.  The own open's blocks are all this
 * thread's; the shared one's are both threads', so @u must be exclusive.
 */
static int tt_file_owns(struct tctx *t, struct use *u, uint64_t h)
{
	int i;

	if (u->kind == OWN)
		return !!tt_find(&t->own, h);
	for (i = 0; i < T_THREADS; i++)
		if (tt_find(&t->w->t[i].shr, h))
			return 1;
	return 0;
}

/* A block of the open of @u, or NULL if it has none. */
static struct mblock *tt_pick(struct tctx *t, struct use *u)
{
	return u->set->nr ? &u->set->b[tt_below(t, u->set->nr)] : NULL;
}

/* ---- sizes ---- */

/* A size that ALLOC and REALLOC accept: small ones far more often. */
static uint64_t tt_valid_size(struct tctx *t)
{
	uint64_t p = tt_g.page;
	const uint64_t edge[] = { 1, 15, 16, 17, 31, 32, 33, p / 2 - 1, p / 2,
				  p / 2 + 1, p - 1, p, p + 1, 2 * p, 3 * p + 5 };

	switch (tt_below(t, 20)) {
	case 0 ... 7:
		return 1 + tt_below(t,
				    (16ULL << tt_below(t, tt_g.info.page_shift - 4)));
	case 8 ... 11:
		return edge[tt_below(t, ARRAY_SIZE(edge))];
	case 12 ... 16:
		return 1 + tt_below(t, 4 * p);
	case 17 ... 18:
		return 4 * p + tt_below(t, 12 * p);
	default:
		/* Large: often more than what is left. */
		return tt_g.data / 16 + tt_below(t, tt_g.data / 2);
	}
}

/* A size that ALLOC and REALLOC reject, and the errno they give. */
static uint64_t tt_invalid_size(struct tctx *t, int *err)
{
	const uint64_t einval[] = {
		0, tt_g.arena + 1, tt_g.arena + tt_g.page, (1ULL << 32) + 16,
		1ULL << 63, UINT64_MAX, UINT64_MAX - 15, UINT64_MAX - tt_g.page,
		(uint64_t)-1 << 20, tt_g.arena * 2,
	};

	/* More than the data pages hold, within the arena: no room. */
	if (tt_one_in(t, 3)) {
		*err = -ENOMEM;
		switch (tt_below(t, 3)) {
		case 0:
			return tt_g.arena;
		case 1:
			return tt_g.data + 1;
		default:
			return tt_g.data + 1 +
			       tt_below(t, tt_g.arena - tt_g.data);
		}
	}
	*err = -EINVAL;
	return einval[tt_below(t, ARRAY_SIZE(einval))];
}

/* ---- bad pointers ---- */

/* A user pointer that no access through succeeds, for @len bytes. */
static void *bad_ptr(struct tctx *t, int for_read_target)
{
	uintptr_t kernelish[] = {
		0xffff888000000000UL, 0xffffffff81000000UL,
		0xffffc90000000000UL, (uintptr_t)-4096, (uintptr_t)-1,
		1UL << 47, 1UL << 63,
	};

	switch (tt_below(t, for_read_target ? 6 : 5)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(16 + tt_below(t, 4080));
	case 2:
		return tt_g.none + tt_below(t, tt_g.sys_page);
	case 3:
		return t->guard + tt_g.sys_page +
		       tt_below(t, tt_g.sys_page - 64);
	case 4:
		return (void *)kernelish[tt_below(t, ARRAY_SIZE(kernelish))];
	default:
		/* Readable, not writable: only READ fails. */
		return t->ro + tt_below(t, tt_g.sys_page / 2);
	}
}

/* ---- the operations ---- */

static int tt_add_block(struct tctx *t, struct use *u, uint64_t h,
			uint64_t usable)
{
	struct mblock *b = &u->set->b[u->set->nr];

	b->shadow = calloc(1, usable);
	if (!b->shadow) {
		tt_fail(t, "out of memory for a shadow of %llu bytes",
			(unsigned long long)usable);
		return -1;
	}
	b->h = h;
	b->usable = usable;
	u->set->nr++;
	tt_publish(t, h);
	return 0;
}

/*
 * Checks what ALLOC or REALLOC on the open of @u returned for @size: no
 * block of this thread's may overlap it.  The other thread changes this
 * one's blocks on the shared open when it reopens it, so those are
 * looked at under the lock.
 */
static int tt_check_result(struct tctx *t, struct use *u, uint64_t size,
			   uint64_t h, uint64_t usable, const struct mblock *self)
{
	uint64_t want = pgc_usable_for(tt_g.page, size);
	struct mblock *o;

	if (usable != want) {
		tt_fail(t, "size %llu: usable %llu, want %llu",
			(unsigned long long)size, (unsigned long long)usable,
			(unsigned long long)want);
		return 0;
	}
	if (h < tt_g.first || h >= tt_g.arena || tt_g.arena - h < usable ||
	    h % (want < tt_g.page ? want : tt_g.page)) {
		tt_fail(t, "size %llu: handle 0x%llx outside the data pages or misaligned",
			(unsigned long long)size, (unsigned long long)h);
		return 0;
	}
	if (u->kind == OWN)
		pthread_rwlock_rdlock(&t->w->slock);
	o = overlaps(&t->shr, h, usable, self);
	if (!o)
		o = overlaps(&t->own, h, usable, self);
	if (o) {
		tt_fail(t, "new block 0x%llx+%llu overlaps this thread's 0x%llx+%llu",
			(unsigned long long)h, (unsigned long long)usable,
			(unsigned long long)o->h,
			(unsigned long long)o->usable);
		story(t, o->h, o->usable);
	}
	if (u->kind == OWN)
		pthread_rwlock_unlock(&t->w->slock);
	return !o;
}

static void tt_op_alloc(struct tctx *t)
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

static void tt_op_alloc_bad_size(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct pgclass_ioc_alloc a = { };
	int err;

	t->what = "ALLOC of a bad size";
	a.size = tt_invalid_size(t, &err);
	if (!tt_expect(t, tt_ioctl(t, u.fd, PGCLASS_IOC_ALLOC, &a), err))
		tt_fail(t, "size was %llu", (unsigned long long)a.size);
	tt_give(t, &u);
}

static int tt_do_free(struct tctx *t, struct use *u, uint64_t h)
{
	struct pgclass_ioc_free f = { .handle = h };

	return tt_ioctl(t, u->fd, PGCLASS_IOC_FREE, &f);
}

static void tt_op_free(struct tctx *t)
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

static void tt_op_realloc(struct tctx *t)
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

static void tt_op_read(struct tctx *t)
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

static void tt_op_write(struct tctx *t)
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

/* READ and WRITE past the block, or with offset + len overflowing. */
static void tt_op_rw_bounds(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	int write = tt_one_in(t, 2);
	uint64_t off, len;

	t->what = write ? "WRITE out of bounds" : "READ out of bounds";
	if (!b)
		goto out;
	switch (tt_below(t, 8)) {
	case 0:
		off = b->usable, len = 1;
		break;
	case 1:
		off = b->usable + 1, len = 0;
		break;
	case 2:
		off = 0, len = b->usable + 1;
		break;
	case 3:
		off = UINT64_MAX, len = 2;
		break;
	case 4:
		off = 1 + tt_below(t, b->usable), len = UINT64_MAX;
		break;
	case 5:
		off = 1ULL << 63, len = 1ULL << 63;
		break;
	case 6:
		off = b->usable - 1 - tt_below(t, b->usable);
		len = b->usable - off + 1 + tt_below(t, 4096);
		break;
	default:
		off = b->usable + 1 + tt_below(t, UINT64_MAX - b->usable - 1);
		len = tt_below(t, 64);
		break;
	}
	tt_fill(t, t->buf, 256);
	if (!tt_expect(t, tt_rw(t, u.fd,
				write ? PGCLASS_IOC_WRITE : PGCLASS_IOC_READ,
				b->h, off, t->buf, len), -EINVAL))
		tt_fail(t, "offset %llu len %llu on a block of %llu",
			(unsigned long long)off, (unsigned long long)len,
			(unsigned long long)b->usable);
	if (write && tt_one_in(t, 2))
		tt_verify(t, u.fd, b, 0);
out:
	tt_give(t, &u);
}

/*
 * READ and WRITE with a buffer that cannot be reached, or that runs
 * into a hole.  A WRITE may have stored the part before the hole, and
 * must have left the rest of the block as it was.
 */
static void tt_op_rw_badbuf(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	int write = tt_one_in(t, 2), partial = tt_one_in(t, 3);
	unsigned char *buf, *got = NULL, *want = NULL;
	uint64_t off, len, k = 0, i;
	int ret;

	t->what = write ? "WRITE from a bad buffer" : "READ to a bad buffer";
	if (!b || b->usable < 2)
		goto out;
	len = 1 + tt_below(t, b->usable < 512 ? b->usable : 512);
	off = tt_below(t, b->usable - len + 1);
	if (partial && len > 1) {
		/* The first k bytes are in the guard's good page. */
		k = 1 + tt_below(t, len - 1);
		buf = t->guard + tt_g.sys_page - k;
		if (write)
			tt_fill(t, buf, k);
		else
			memset(buf, 0xee, k);
	} else {
		buf = bad_ptr(t, !write);
	}
	ret = tt_rw(t, u.fd, write ? PGCLASS_IOC_WRITE : PGCLASS_IOC_READ,
		    b->h, off, buf, len);
	if (!tt_expect(t, ret, -EFAULT)) {
		tt_fail(t, "buf %p, len %llu", buf, (unsigned long long)len);
		goto out;
	}
	if (!write) {
		/* What did reach the buffer is the block's. */
		for (i = 0; i < k && buf[i] != 0xee; i++)
			if (buf[i] != b->shadow[off + i])
				break;
		for (; i < k; i++)
			if (buf[i] != 0xee)
				break;
		if (i < k)
			tt_fail(t, "a failed READ put byte %llu = 0x%02x in the buffer",
				(unsigned long long)i, buf[i]);
		goto out;
	}
	/* The block: a prefix of what was written, then what was there. */
	got = malloc(len);
	want = malloc(len);
	if (!got || !want)
		goto out;
	ret = tt_rw(t, u.fd, PGCLASS_IOC_READ, b->h, off, got, len);
	if (!tt_expect(t, ret, 0))
		goto out;
	memcpy(want, b->shadow + off, len);
	for (i = 0; i < k && got[i] == buf[i]; i++)
		;
	if (memcmp(got + i, want + i, len - i)) {
		for (; got[i] == want[i]; i++)
			;
		tt_fail(t,
			"a failed WRITE of %llu bytes (%llu reachable) changed byte %llu: 0x%02x, was 0x%02x",
			(unsigned long long)len, (unsigned long long)k,
			(unsigned long long)i, got[i], want[i]);
	}
	/* Whatever it was, the model follows the block. */
	memcpy(b->shadow + off, got, len);
	for (i = 0; i < len; i++) {
		if (got[i] && tt_owner_of(got[i]) != t->gid) {
			tt_fail(t, "block holds a byte 0x%02x that is not this thread's",
				got[i]);
			break;
		}
	}
out:
	free(got);
	free(want);
	tt_give(t, &u);
}

/* Non-zero reserved fields: EINVAL, and the block stays. */
static void tt_op_reserved(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);
	uint64_t junk = 1ULL << tt_below(t, 64);
	int slot = tt_below(t, 2), ret;

	t->what = "non-zero reserved";
	switch (tt_below(t, 4)) {
	case 0: {
		struct pgclass_ioc_alloc a = { .size = 16 };

		a.reserved[slot] = junk;
		ret = tt_ioctl(t, u.fd, PGCLASS_IOC_ALLOC, &a);
		break;
	}
	case 1: {
		struct pgclass_ioc_free f = { .reserved = junk };

		f.handle = b ? b->h : 0;
		ret = tt_ioctl(t, u.fd, PGCLASS_IOC_FREE, &f);
		break;
	}
	case 2: {
		struct pgclass_ioc_realloc r = {
			.size = 1 + tt_below(t, 3 * tt_g.page)
		};

		r.handle = b ? b->h : 0;
		r.reserved[slot] = junk;
		ret = tt_ioctl(t, u.fd, PGCLASS_IOC_REALLOC, &r);
		break;
	}
	default: {
		struct pgclass_ioc_rw io = { .len = 1, .buf = (uintptr_t)t->buf };

		io.handle = b ? b->h : 0;
		io.reserved[slot] = junk;
		t->buf[0] = T_TAG(t->gid);
		ret = tt_ioctl(t, u.fd, tt_one_in(t, 2) ? PGCLASS_IOC_READ :
			       PGCLASS_IOC_WRITE, &io);
		break;
	}
	}
	tt_expect(t, ret, -EINVAL);
	if (b && tt_one_in(t, 2))
		tt_verify(t, u.fd, b, 0);
	tt_give(t, &u);
}

/* FREE, REALLOC, READ or WRITE on @h, which the open does not own. */
static void not_mine(struct tctx *t, struct use *u, uint64_t h)
{
	int ret;

	if (tt_file_owns(t, u, h))
		return;
	switch (tt_below(t, 4)) {
	case 0:
		ret = tt_do_free(t, u, h);
		break;
	case 1: {
		struct pgclass_ioc_realloc r = { .handle = h };

		r.size = tt_valid_size(t);
		ret = tt_ioctl(t, u->fd, PGCLASS_IOC_REALLOC, &r);
		break;
	}
	case 2:
		ret = tt_rw(t, u->fd, PGCLASS_IOC_READ, h, 0, t->buf,
			    tt_below(t, 64));
		break;
	default:
		/* If this got through, the owner would read our pattern. */
		tt_fill(t, t->buf, 64);
		ret = tt_rw(t, u->fd, PGCLASS_IOC_WRITE, h, 0, t->buf,
			    tt_below(t, 64));
		break;
	}
	if (!tt_expect(t, ret, -EINVAL))
		tt_fail(t, "handle 0x%llx is not this open's",
			(unsigned long long)h);
}

/* Another thread's handle, of this process or another. */
static void tt_op_foreign(struct tctx *t)
{
	int gid = tt_below(t, T_PROCS * T_THREADS);
	uint64_t h = __atomic_load_n(&tt_g.sh->pub[gid][tt_below(t, T_PUB)],
				     __ATOMIC_RELAXED);
	struct use u;

	t->what = "foreign handle";
	if (gid == t->gid || !h)
		return;
	u = tt_take_any(t, 1);
	not_mine(t, &u, h);
	tt_give(t, &u);
}

static void tt_op_stale(struct tctx *t)
{
	unsigned int n = t->nr_stale < T_STALE ? t->nr_stale : T_STALE;
	struct use u;

	t->what = "stale handle";
	if (!n)
		return;
	u = tt_take_any(t, 1);
	not_mine(t, &u, t->stale[tt_below(t, n)]);
	tt_give(t, &u);
}

static void tt_op_made_up(struct tctx *t)
{
	struct use u = tt_take_any(t, 1);
	struct mblock *b = tt_pick(t, &u);
	const uint64_t any[] = {
		0, 1, 16, tt_g.arena, tt_g.arena - 16, UINT64_MAX, 1ULL << 63,
		tt_g.first - 16, tt_below(t, tt_g.arena), tt_rnd(t),
		(1ULL << 32) + (b ? b->h : 0),
	};
	uint64_t h = any[tt_below(t, ARRAY_SIZE(any))];

	t->what = "made-up handle";
	/* Inside a block of one's own is not a block. */
	if (b && tt_one_in(t, 2))
		h = b->h + 1 + tt_below(t, b->usable - 1);
	not_mine(t, &u, h);
	tt_give(t, &u);
}

/* The commands, right and wrong, and their argument sizes. */
static const unsigned long known_cmds[] = {
	PGCLASS_IOC_INFO, PGCLASS_IOC_ALLOC, PGCLASS_IOC_FREE,
	PGCLASS_IOC_REALLOC, PGCLASS_IOC_READ, PGCLASS_IOC_WRITE,
	PGCLASS_IOC_STATS,
};

/* Types that the VFS answers itself for any file: not ours to test. */
static int vfs_type(unsigned int type)
{
	return type == 0 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94 || type == 0x15 || type == 'x';
}

static unsigned long unknown_cmd(struct tctx *t)
{
	unsigned long cmd;
	size_t i;

	for (;;) {
		switch (tt_below(t, 4)) {
		case 0:	/* our type, any number, direction and size */
			cmd = _IOC(tt_below(t, 4), PGCLASS_IOC_MAGIC,
				   tt_below(t, 256),
				   tt_below(t, 1 << _IOC_SIZEBITS));
			break;
		case 1:	/* a known command with another size */
			cmd = known_cmds[tt_below(t, ARRAY_SIZE(known_cmds))];
			cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
				   (_IOC_SIZE(cmd) + 1 + tt_below(t, 64)) &
				   ((1 << _IOC_SIZEBITS) - 1));
			break;
		case 2:	/* a known command with another direction */
			cmd = known_cmds[tt_below(t, ARRAY_SIZE(known_cmds))];
			cmd = _IOC(tt_below(t, 4), _IOC_TYPE(cmd), _IOC_NR(cmd),
				   _IOC_SIZE(cmd));
			break;
		default:
			cmd = (uint32_t)tt_rnd(t);
			break;
		}
		if (vfs_type(_IOC_TYPE(cmd)))
			continue;
		for (i = 0; i < ARRAY_SIZE(known_cmds); i++)
			if (cmd == known_cmds[i])
				break;
		if (i == ARRAY_SIZE(known_cmds))
			return cmd;
	}
}

static void tt_op_unknown(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	unsigned long cmd = unknown_cmd(t);
	void *arg = tt_one_in(t, 2) ? (void *)t->buf : bad_ptr(t, 0);
	int ret;

	t->what = "unknown command";
	memset(t->buf, 0, 256);
	ret = tt_ioctl(t, u.fd, cmd, arg);
	if (!tt_expect(t, ret, -ENOTTY))
		tt_fail(t, "command 0x%lx", cmd);
	tt_give(t, &u);
}

/* A known command whose argument cannot be read or written back. */
static void tt_op_bad_arg(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	unsigned long cmd = known_cmds[tt_below(t, ARRAY_SIZE(known_cmds))];
	size_t size = _IOC_SIZE(cmd);
	void *arg;
	int ret;

	t->what = "bad argument pointer";
	if (tt_one_in(t, 3)) {
		/* Runs into the hole after the guard's good page. */
		arg = t->guard + tt_g.sys_page - size +
		      8 * (1 + tt_below(t, size / 8));
		/* A FREE that can read its handle and not the rest. */
		memset(t->guard + tt_g.sys_page - size, 0, size);
	} else {
		arg = bad_ptr(t, 0);
	}
	t->bad_arg = 1;
	ret = tt_ioctl(t, u.fd, cmd, arg);
	t->bad_arg = 0;
	if (!tt_expect(t, ret, -EFAULT))
		tt_fail(t, "command 0x%lx, argument %p", cmd, arg);
	tt_give(t, &u);
}

/*
 * Commands whose argument lies in a read-only page: the ones that only
 * read it work, the ones that write back fail with EFAULT.  A REALLOC
 * whose result cannot be written back has happened all the same, so
 * its open is then closed and reopened.
 */
static void tt_reopen_own(struct tctx *t);

static void tt_op_read_only_arg(struct tctx *t)
{
	struct use u = tt_take(t, OWN, 0);
	struct mblock *b = tt_pick(t, &u);
	void *page = t->ro + tt_g.sys_page;	/* the second read-only page */
	unsigned long cmd;
	int ret, want;

	t->what = "read-only argument";
	switch (tt_below(t, 5)) {
	case 0:
		cmd = tt_one_in(t, 2) ? PGCLASS_IOC_INFO : PGCLASS_IOC_STATS;
		want = -EFAULT;
		break;
	case 1: {
		struct pgclass_ioc_alloc a = {
			.size = 1 + tt_below(t, 2 * tt_g.page)
		};

		if (mprotect(page, tt_g.sys_page, PROT_READ | PROT_WRITE))
			return;
		memcpy(page, &a, sizeof(a));
		/* The block is freed again when the result cannot be given. */
		cmd = PGCLASS_IOC_ALLOC;
		want = -EFAULT;
		break;
	}
	case 2: {
		struct pgclass_ioc_rw io = { .len = 1, .buf = (uintptr_t)t->buf };

		if (!b || mprotect(page, tt_g.sys_page, PROT_READ | PROT_WRITE))
			return;
		io.handle = b->h;
		io.offset = tt_below(t, b->usable);
		memcpy(page, &io, sizeof(io));
		cmd = PGCLASS_IOC_READ;
		want = 0;
		break;
	}
	case 3: {
		struct pgclass_ioc_free f = { };

		if (!b || mprotect(page, tt_g.sys_page, PROT_READ | PROT_WRITE))
			return;
		f.handle = b->h;
		memcpy(page, &f, sizeof(f));
		cmd = PGCLASS_IOC_FREE;
		want = 0;
		break;
	}
	default: {
		struct pgclass_ioc_realloc r = { };

		if (!b || mprotect(page, tt_g.sys_page, PROT_READ | PROT_WRITE))
			return;
		r.handle = b->h;
		r.size = tt_valid_size(t);
		memcpy(page, &r, sizeof(r));
		cmd = PGCLASS_IOC_REALLOC;
		want = -EFAULT;
		break;
	}
	}
	if (mprotect(page, tt_g.sys_page, PROT_READ)) {
		tt_fail(t, "mprotect: %s", strerror(errno));
		return;
	}
	ret = tt_ioctl(t, u.fd, cmd, page);
	if (cmd == PGCLASS_IOC_REALLOC) {
		/* Moved, resized, or no room: the model cannot tell. */
		if (ret != -ENOMEM)
			tt_expect(t, ret, want);
		tt_reopen_own(t);
		return;
	}
	/* Other threads may hold the whole arena just now. */
	if (cmd == PGCLASS_IOC_ALLOC && ret == -ENOMEM)
		return;
	if (!tt_expect(t, ret, want))
		tt_fail(t, "command 0x%lx", cmd);
	if (cmd == PGCLASS_IOC_READ && !ret) {
		const struct pgclass_ioc_rw *io = page;

		tt_compare(t, b, io->offset, t->buf, 1);
	} else if (cmd == PGCLASS_IOC_FREE && !ret) {
		tt_remember_stale(t, b->h);
		tt_drop(u.set, b);
	}
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

static void tt_op_info_stats(struct tctx *t)
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

static void tt_op_verify(struct tctx *t)
{
	struct use u = tt_take_any(t, 0);
	struct mblock *b = tt_pick(t, &u);

	t->what = "verify";
	if (b)
		tt_verify(t, u.fd, b, 1);
	tt_give(t, &u);
}

/* Closes this thread's own open, blocks and all, and opens anew. */
static void tt_reopen_own(struct tctx *t)
{
	t->what = "reopen";
	close(t->fd);
	tt_drop_all(t, &t->own);
	t->fd = pgc_open();
	if (t->fd < 0)
		tt_fail(t, "open: %s", strerror(errno));
	tt_g.sh->reopens[t->w->idx][t->tid]++;
}

static void tt_op_reopen(struct tctx *t)
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
static void tt_op_mmap(struct tctx *t)
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

struct op {
	void (*fn)(struct tctx *t);
	unsigned int weight;
};

static const struct op ops[] = {
	{ tt_op_alloc, 150 },
	{ tt_op_alloc_bad_size, 25 },
	{ tt_op_free, 90 },
	{ tt_op_realloc, 100 },
	{ tt_op_read, 110 },
	{ tt_op_write, 120 },
	{ tt_op_rw_bounds, 45 },
	{ tt_op_rw_badbuf, 45 },
	{ tt_op_reserved, 25 },
	{ tt_op_foreign, 60 },
	{ tt_op_stale, 30 },
	{ tt_op_made_up, 25 },
	{ tt_op_unknown, 30 },
	{ tt_op_bad_arg, 35 },
	{ tt_op_read_only_arg, 12 },
	{ tt_op_info_stats, 20 },
	{ tt_op_verify, 20 },
	{ tt_op_reopen, 5 },
	{ tt_op_mmap, 40 },
};

static void one_op(struct tctx *t)
{
	unsigned int total = 0, r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;
	r = tt_below(t, total);
	for (i = 0; r >= ops[i].weight; i++)
		r -= ops[i].weight;
	t->op++;
	ops[i].fn(t);
}

static void *model_thread(void *arg)
{
	struct tctx *t = arg;
	uint64_t *calls = &tt_g.sh->calls[t->w->idx][t->tid];
	int i;

	while (*calls < t->budget)
		one_op(t);

	/* Everything must still read back, on both opens. */
	t->what = "final check";
	for (i = 0; i < t->own.nr; i++)
		tt_verify(t, t->fd, &t->own.b[i], 0);
	pthread_rwlock_rdlock(&t->w->slock);
	for (i = 0; i < t->shr.nr; i++)
		tt_verify(t, t->w->sfd, &t->shr.b[i], 0);
	pthread_rwlock_unlock(&t->w->slock);
	/* Free some; closing frees the rest. */
	t->what = "final free";
	while (t->own.nr && !tt_one_in(t, 3)) {
		struct use u = tt_take(t, OWN, 0);

		if (tt_expect(t, tt_do_free(t, &u, t->own.b[0].h), 0))
			tt_drop(&t->own, &t->own.b[0]);
		else
			break;
	}
	return NULL;
}

/*
 * The blocks debugfs says this process's opens own must be exactly the
 * ones its threads think they own.
 */
static void check_debugfs_blocks(struct wctx *w)
{
	char *text = pgc_slurp("blocks"), *line, *save = NULL;
	char owner[32];
	int listed = 0, known = 0, i, k;
	struct tctx *t = &w->t[0];

	t->what = "debugfs blocks";
	if (!text)
		return;	/* no debugfs: nothing to compare */
	snprintf(owner, sizeof(owner), "pid:%d/", getpid());
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long h, size;
		struct mblock *b = NULL;
		long mapped;

		if (!strstr(line, owner))
			continue;
		listed++;
		if (sscanf(line, "%llx %llu %*s %*s %ld", &h, &size,
			   &mapped) != 3) {
			tt_fail(t, "cannot parse \"%s\"", line);
			continue;
		}
		/* Every mapping was unmapped before the threads ended. */
		if (mapped)
			tt_fail(t, "debugfs says block 0x%llx is mapped %ld times",
				h, mapped);
		for (i = 0; i < T_THREADS && !b; i++) {
			b = tt_find(&w->t[i].own, h);
			if (!b)
				b = tt_find(&w->t[i].shr, h);
		}
		if (!b)
			tt_fail(t, "debugfs lists block 0x%llx, which no thread owns",
				h);
		else if (b->usable != size)
			tt_fail(t, "debugfs says block 0x%llx has %llu bytes, not %llu",
				h, size, (unsigned long long)b->usable);
	}
	for (i = 0; i < T_THREADS; i++)
		known += w->t[i].own.nr + w->t[i].shr.nr;
	if (listed != known)
		tt_fail(t, "debugfs lists %d blocks of this process, its threads own %d",
			listed, known);
	for (i = 0; i < T_THREADS; i++)
		for (k = 0; k < 2; k++)
			tt_drop_all(&w->t[i], k ? &w->t[i].shr : &w->t[i].own);
	free(text);
}

static int thread_init(struct wctx *w, int tid, uint64_t budget)
{
	struct tctx *t = &w->t[tid];
	uint64_t s = tt_g.seed ^ ((uint64_t)(w->idx * T_THREADS + tid) << 32);

	t->w = w;
	t->tid = tid;
	t->gid = w->idx * T_THREADS + tid;
	t->rng = tt_splitmix(&s) | 1;
	t->budget = budget;
	t->what = "setup";
	t->fd = pgc_open();
	t->buf = malloc(tt_g.data + tt_g.page);
	t->ro = mmap(NULL, 2 * tt_g.sys_page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->guard = mmap(NULL, 2 * tt_g.sys_page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->fd < 0 || !t->buf || t->ro == MAP_FAILED ||
	    t->guard == MAP_FAILED)
		return -1;
	tt_fill(t, t->ro, 2 * tt_g.sys_page);
	if (mprotect(t->ro, 2 * tt_g.sys_page, PROT_READ) ||
	    mprotect(t->guard + tt_g.sys_page, tt_g.sys_page, PROT_NONE))
		return -1;
	return 0;
}

static void model_process(int idx, uint64_t budget)
{
	static struct wctx w;
	pthread_rwlockattr_t attr;
	pthread_t th[T_THREADS];
	int i;

	w.idx = idx;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&w.slock, &attr);
	w.sfd = pgc_open();
	for (i = 0; i < T_THREADS; i++) {
		w.t[i].w = &w;
		if (w.sfd < 0 || thread_init(&w, i, budget)) {
			tt_fail(&w.t[i], "setup: %s", strerror(errno));
			_exit(1);
		}
	}
	for (i = 0; i < T_THREADS; i++)
		if (pthread_create(&th[i], NULL, model_thread, &w.t[i]))
			_exit(1);
	for (i = 0; i < T_THREADS; i++)
		pthread_join(th[i], NULL);
	check_debugfs_blocks(&w);
	for (i = 0; i < T_THREADS; i++)
		close(w.t[i].fd);
	close(w.sfd);
	_exit(0);
}

/* ---- chaos: two threads, one descriptor, its file swapped under them ---- */

#define CHAOS_FD	100

static int chaos_read_ok(struct tctx *t, const unsigned char *p, uint64_t len)
{
	char w[80];
	uint64_t i;

	for (i = 0; i < len; i++) {
		if (p[i] && tt_owner_of(p[i]) != T_CHAOS_TAG) {
			tt_fail(t, "read byte 0x%02x at %llu: %s", p[i],
				(unsigned long long)i,
				tt_whose(t, p[i], w, sizeof(w)));
			return 0;
		}
	}
	return 1;
}

static void chaos_expect(struct tctx *t, int ret, int ok1, int ok2)
{
	if (ret && ret != ok1 && ret != ok2)
		tt_fail(t, "got %s", tt_errname(ret));
}

static void *chaos_thread(void *arg)
{
	struct tctx *t = arg;
	uint64_t h[16] = { 0 }, *calls = &tt_g.sh->calls[t->w->idx][t->tid];
	struct pgclass_ioc_alloc a;
	struct pgclass_ioc_realloc r;
	struct pgclass_ioc_free f;
	uint64_t len;
	int i, ret, fd;

	while (*calls < t->budget) {
		i = tt_below(t, 16);
		t->op++;
		switch (tt_below(t, 8)) {
		case 0:
		case 1:
			t->what = "chaos ALLOC";
			a = (struct pgclass_ioc_alloc){
				.size = tt_valid_size(t)
			};
			if (a.size > 8 * tt_g.page)
				a.size = 1 + tt_below(t, 8 * tt_g.page);
			ret = tt_ioctl(t, CHAOS_FD, PGCLASS_IOC_ALLOC, &a);
			chaos_expect(t, ret, -ENOMEM, 0);
			if (!ret &&
			    (a.usable_size != pgc_usable_for(tt_g.page, a.size) ||
			     a.handle < tt_g.first || a.handle >= tt_g.arena))
				tt_fail(t, "ALLOC %llu gave 0x%llx+%llu",
					(unsigned long long)a.size,
					(unsigned long long)a.handle,
					(unsigned long long)a.usable_size);
			if (!ret) {
				h[i] = a.handle;
				tt_publish(t, a.handle);
			}
			break;
		case 2:
			t->what = "chaos FREE";
			f = (struct pgclass_ioc_free){ .handle = h[i] };
			ret = tt_ioctl(t, CHAOS_FD, PGCLASS_IOC_FREE, &f);
			chaos_expect(t, ret, -EINVAL, 0);
			break;
		case 3:
			t->what = "chaos REALLOC";
			r = (struct pgclass_ioc_realloc){ .handle = h[i] };
			r.size = 1 + tt_below(t, 4 * tt_g.page);
			ret = tt_ioctl(t, CHAOS_FD, PGCLASS_IOC_REALLOC, &r);
			chaos_expect(t, ret, -EINVAL, -ENOMEM);
			if (!ret)
				h[i] = r.new_handle;
			break;
		case 4:
			t->what = "chaos WRITE";
			len = tt_below(t, 2 * tt_g.page);
			tt_fill(t, t->buf, len);
			ret = tt_rw(t, CHAOS_FD, PGCLASS_IOC_WRITE, h[i],
				    tt_below(t, 64), t->buf, len);
			chaos_expect(t, ret, -EINVAL, 0);
			break;
		case 5:
		case 6:
			t->what = "chaos READ";
			len = tt_below(t, 2 * tt_g.page);
			memset(t->buf, 0, len);
			ret = tt_rw(t, CHAOS_FD, PGCLASS_IOC_READ, h[i],
				    tt_below(t, 64), t->buf, len);
			chaos_expect(t, ret, -EINVAL, 0);
			if (!ret)
				chaos_read_ok(t, t->buf, len);
			break;
		default:
			/* Swap the open file under the other thread. */
			t->what = "chaos swap";
			if (t->tid || !tt_one_in(t, 4))
				break;
			fd = pgc_open();
			if (fd < 0 || dup2(fd, CHAOS_FD) != CHAOS_FD)
				tt_fail(t, "open or dup2: %s", strerror(errno));
			close(fd);
			tt_g.sh->reopens[t->w->idx][t->tid]++;
			break;
		}
	}
	return NULL;
}

static void tt_chaos_process(int idx, uint64_t budget)
{
	static struct wctx w;
	pthread_t th[T_THREADS];
	int i, fd = pgc_open();

	w.idx = idx;
	if (fd < 0 || dup2(fd, CHAOS_FD) != CHAOS_FD)
		_exit(1);
	close(fd);
	for (i = 0; i < T_THREADS; i++) {
		struct tctx *t = &w.t[i];
		uint64_t s = tt_g.seed ^
			     ((uint64_t)(idx * T_THREADS + i) << 32);

		t->w = &w;
		t->tid = i;
		t->gid = T_CHAOS_TAG;
		t->rng = tt_splitmix(&s) | 1;
		t->budget = budget;
		t->buf = malloc(2 * tt_g.page);
		if (!t->buf || pthread_create(&th[i], NULL, chaos_thread, t))
			_exit(1);
	}
	for (i = 0; i < T_THREADS; i++)
		pthread_join(th[i], NULL);
	close(CHAOS_FD);
	_exit(0);
}

/* ---- the test ---- */

FIXTURE(torture)
{
	int fd;
};

FIXTURE_SETUP(torture)
{
	self->fd = pgc_open();
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, PGC_DEV " missing: is pgclass.ko loaded?");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(torture)
{
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* Reads a debugfs file and looks for kernel addresses in it. */
static int scan_debugfs(struct __test_metadata *_metadata, const char *name)
{
	char *text = pgc_slurp(name);
	const char *bad;

	if (!text)
		return 0;
	bad = pgc_debugfs_kernel_address(name, text);
	EXPECT_EQ(NULL, bad) TH_LOG("debugfs %s: \"%.40s\"", name, bad);
	free(text);
	return 1;
}

TEST_F_TIMEOUT(torture, random_ioctls, 900)
{
	static const char * const files[] = { "stats", "blocks", "classes",
					      "pages", "map" };
	uint64_t calls = env_u64("PGCLASS_TORTURE_CALLS", T_CALLS);
	uint64_t total = 0, failed = 0, reopens = 0, budget;
	unsigned long reads = 0;
	struct pgclass_ioc_stats st;
	long long taint = pgc_taint();
	struct timespec t0, t1;
	pid_t pid[T_PROCS];
	int i, k, alive, status, lockdep;
	char *text;

	tt_g.seed = env_u64("PGCLASS_TORTURE_SEED", T_SEED);
	tt_g.sys_page = getpagesize();
	ASSERT_EQ(0, pgc_info(self->fd, &tt_g.info));
	tt_g.page = tt_g.info.page_size;
	tt_g.arena = tt_g.info.arena_size;
	tt_g.first = (uint64_t)tt_g.info.meta_pages * tt_g.page;
	tt_g.data = tt_g.arena - tt_g.first;
	tt_g.sh = mmap(NULL, sizeof(*tt_g.sh), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, tt_g.sh);
	tt_g.none = mmap(NULL, 2 * tt_g.sys_page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, tt_g.none);
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	ASSERT_EQ(0ULL, st.blocks) TH_LOG("someone else holds blocks");

	/* Each model thread a tenth, the two chaos threads a tenth each. */
	budget = calls / (T_WORKERS * T_THREADS + T_THREADS);
	pgc_diag("torture: seed 0x%llx, %llu calls, %d processes of %d threads, a chaos process",
		 (unsigned long long)tt_g.seed, (unsigned long long)calls,
		 T_WORKERS, T_THREADS);
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < T_PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			if (i < T_WORKERS)
				model_process(i, budget);
			tt_chaos_process(i, budget);
		}
	}

	/* Read debugfs all along; nothing in it may be a kernel address. */
	for (alive = T_PROCS; alive;) {
		scan_debugfs(_metadata, files[reads++ % ARRAY_SIZE(files)]);
		usleep(2000);
		for (i = 0; i < T_PROCS; i++) {
			if (pid[i] <= 0 || waitpid(pid[i], &status, WNOHANG) <= 0)
				continue;
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
				TH_LOG("process %d: status 0x%x", i, status);
			pid[i] = 0;
			alive--;
		}
	}

	for (i = 0; i < T_PROCS; i++) {
		uint32_t n = tt_g.sh->nr_errors[i];

		for (k = 0; k < T_THREADS; k++) {
			total += tt_g.sh->calls[i][k];
			failed += tt_g.sh->failed[i][k];
			reopens += tt_g.sh->reopens[i][k];
		}
		for (k = 0; k < (int)n && k < T_MSGS; k++)
			TH_LOG("%s", tt_g.sh->msg[i][k]);
		EXPECT_EQ(0U, n) TH_LOG("process %d: %u errors", i, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pgc_diag("torture: %llu ioctl calls (%llu failed as they must), %llu reopens, %lu reads",
		 (unsigned long long)total, (unsigned long long)failed,
		 (unsigned long long)reopens, reads);
	pgc_diag("torture: %ld s", (long)(t1.tv_sec - t0.tv_sec));
	EXPECT_LE(budget * T_PROCS * T_THREADS, total);

	/* Everything closed: nothing is left. */
	ASSERT_EQ(0, pgc_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.blocks);
	EXPECT_EQ(0ULL, st.bytes_allocated);
	EXPECT_EQ(0ULL, st.bytes_requested);
	EXPECT_EQ(st.nr_pages, st.meta_pages + st.free_pages + st.used_pages);
	text = pgc_slurp("stats");
	if (text) {
		EXPECT_EQ(0LL, pgc_debugfs_stat("blocks"));
		EXPECT_NE(NULL, strstr(text, "\nblocks: 0\n"));
		free(text);
	}
	text = pgc_slurp("blocks");
	if (text) {
		/* Not a block's line, whose owner is "pid:...". */
		EXPECT_EQ(NULL, strstr(text, "pid:"))
			TH_LOG("debugfs blocks still lists:\n%s", text);
		free(text);
	}

	lockdep = pgc_lockdep_on();
	/* 1 where lockdep is on, -1 where there is none, never 0. */
	if (lockdep < 0)
		pgc_diag("torture: no /proc/lockdep_stats, lockdep not checked");
	EXPECT_NE(0, lockdep) TH_LOG("lockdep turned itself off");
	if (taint >= 0)
		taint = (pgc_taint() & ~taint) & ~PGC_TAINT_OK;
	EXPECT_LE(taint, 0LL) TH_LOG("the kernel got taint bits 0x%llx", taint);
	munmap(tt_g.sh, sizeof(*tt_g.sh));
}

TEST_HARNESS_MAIN
