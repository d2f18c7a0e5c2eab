// SPDX-License-Identifier: GPL-2.0
/*
 * The torture's invalid calls: bad sizes, READ and WRITE out of bounds
 * or through bad buffers, non-zero reserved fields, handles that are
 * not the open's, unknown commands, and arguments that cannot be read
 * or written back.  Each one must fail with the errno the ABI documents
 * and change nothing.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "torture.h"

/*
 * A user pointer that the kernel's copy through must fault on: NULL, the
 * first page, a PROT_NONE page, a guard page, kernel-like addresses and,
 * when @for_read_target (READ copies into it), a read-only page.
 */
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

void tt_op_alloc_bad_size(struct tctx *t)
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

/* READ and WRITE past the block, or with offset + len overflowing. */
void tt_op_rw_bounds(struct tctx *t)
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
void tt_op_rw_badbuf(struct tctx *t)
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
void tt_op_reserved(struct tctx *t)
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
void tt_op_foreign(struct tctx *t)
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

void tt_op_stale(struct tctx *t)
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

void tt_op_made_up(struct tctx *t)
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

void tt_op_unknown(struct tctx *t)
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
void tt_op_bad_arg(struct tctx *t)
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
void tt_op_read_only_arg(struct tctx *t)
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
