// SPDX-License-Identifier: GPL-2.0
/*
 * The torture's model and what every call goes through: its random
 * numbers, its reports, the blocks each thread believes it owns and
 * their checks, which open a call goes to, and the sizes it asks for.
 */
#define _GNU_SOURCE

#include "torture.h"

/* ---- random numbers: splitmix64 to seed, xorshift64* to run ---- */

uint64_t tt_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t tt_rnd(struct tctx *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n); 0 if n is 0. */
uint64_t tt_below(struct tctx *t, uint64_t n)
{
	return n ? tt_rnd(t) % n : 0;
}

int tt_one_in(struct tctx *t, unsigned int n)
{
	return tt_below(t, n) == 0;
}

/* ---- reporting ---- */

__printf(2, 3) void tt_fail(struct tctx *t, const char *fmt, ...)
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

const char *tt_errname(int ret)
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
int tt_ioctl(struct tctx *t, int fd, unsigned long cmd, void *arg)
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
int tt_expect(struct tctx *t, int got, int want)
{
	if (got == want)
		return 1;
	tt_fail(t, "got %s, want %s", tt_errname(got), tt_errname(want));
	return 0;
}

/* ---- the model ---- */

int tt_owner_of(unsigned char c)
{
	return c ? (c >> 4) - 1 : -1;
}

/* Which thread's pattern byte @c is, for a message. */
const char *tt_whose(struct tctx *t, unsigned char c, char *buf,
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
int tt_compare(struct tctx *t, struct mblock *b, uint64_t off,
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

int tt_rw(struct tctx *t, int fd, unsigned long cmd, uint64_t h,
	  uint64_t off, const void *buf, uint64_t len)
{
	struct pgclass_ioc_rw io = {
		.handle = h, .offset = off, .len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	return tt_ioctl(t, fd, cmd, &io);
}

int tt_do_free(struct tctx *t, struct use *u, uint64_t h)
{
	struct pgclass_ioc_free f = { .handle = h };

	return tt_ioctl(t, u->fd, PGCLASS_IOC_FREE, &f);
}

/* Reads [off, off + len) of @b and checks it. */
int tt_verify_range(struct tctx *t, int fd, struct mblock *b,
		    uint64_t off, uint64_t len)
{
	int ret = tt_rw(t, fd, PGCLASS_IOC_READ, b->h, off, t->buf, len);

	if (!tt_expect(t, ret, 0))
		return 0;
	return tt_compare(t, b, off, t->buf, len);
}

/* The whole block if it is small or @full, else samples of it. */
int tt_verify(struct tctx *t, int fd, struct mblock *b, int full)
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

void tt_fill(struct tctx *t, unsigned char *p, uint64_t len)
{
	uint64_t i, r = 0;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			r = tt_rnd(t);
		p[i] = T_TAG(t->gid) | (r & 0x0f);
		r >>= 8;
	}
}

void tt_publish(struct tctx *t, uint64_t h)
{
	__atomic_store_n(&tt_g.sh->pub[t->gid][tt_below(t, T_PUB)], h,
			 __ATOMIC_RELAXED);
}

void tt_remember_stale(struct tctx *t, uint64_t h)
{
	t->stale[t->nr_stale++ % T_STALE] = h;
}

struct mblock *tt_find(struct bset *s, uint64_t h)
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

void tt_drop(struct bset *s, struct mblock *b)
{
	free(b->shadow);
	*b = s->b[--s->nr];
}

void tt_drop_all(struct tctx *t, struct bset *s)
{
	while (s->nr) {
		tt_remember_stale(t, s->b[0].h);
		tt_drop(s, &s->b[0]);
	}
}

int tt_add_block(struct tctx *t, struct use *u, uint64_t h,
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
int tt_check_result(struct tctx *t, struct use *u, uint64_t size,
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

/* ---- which open: this thread's, or the shared one ---- */

struct use tt_take(struct tctx *t, int kind, int excl)
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

void tt_give(struct tctx *t, struct use *u)
{
	if (u->kind == SHARED)
		pthread_rwlock_unlock(&t->w->slock);
}

/* Either open, the thread's own more often. */
struct use tt_take_any(struct tctx *t, int excl)
{
	return tt_take(t, tt_one_in(t, 3) ? SHARED : OWN, excl);
}

/*
 * 1 if the open of @u owns @h.  The own open's blocks are all this
 * thread's; the shared one's are both threads', so @u must be exclusive.
 */
int tt_file_owns(struct tctx *t, struct use *u, uint64_t h)
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
struct mblock *tt_pick(struct tctx *t, struct use *u)
{
	return u->set->nr ? &u->set->b[tt_below(t, u->set->nr)] : NULL;
}

/* ---- sizes ---- */

/* A size that ALLOC and REALLOC accept: small ones far more often. */
uint64_t tt_valid_size(struct tctx *t)
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
uint64_t tt_invalid_size(struct tctx *t, int *err)
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
