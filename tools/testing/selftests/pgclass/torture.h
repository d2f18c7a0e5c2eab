/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of pgclass_torture_test share: its limits, the state
 * of its processes and threads, and the functions one file gives the
 * others.  See pgclass_torture_test.c for what the test does.
 */
#ifndef PGCLASS_TORTURE_H
#define PGCLASS_TORTURE_H

#include <pthread.h>

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
struct tt_global {
	struct pgclass_ioc_info info;
	uint64_t page;		/* allocator page */
	uint64_t arena;		/* arena size */
	uint64_t data;		/* bytes in the data pages */
	uint64_t first;		/* the first data byte's offset */
	size_t sys_page;
	unsigned char *none;	/* two inaccessible pages */
	struct t_shared *sh;
	uint64_t seed;
};

extern struct tt_global tt_g;

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

/* Which open a call goes to: this thread's, or the shared one. */
enum { OWN, SHARED };

struct use {
	int kind;
	int fd;
	struct bset *set;
	int excl;
};

/* torture_model.c: random numbers, reports, the model, opens, sizes */
uint64_t tt_splitmix(uint64_t *x);
uint64_t tt_rnd(struct tctx *t);
uint64_t tt_below(struct tctx *t, uint64_t n);
int tt_one_in(struct tctx *t, unsigned int n);
__printf(2, 3) void tt_fail(struct tctx *t, const char *fmt, ...);
const char *tt_errname(int ret);
int tt_ioctl(struct tctx *t, int fd, unsigned long cmd, void *arg);
int tt_expect(struct tctx *t, int got, int want);
int tt_owner_of(unsigned char c);
const char *tt_whose(struct tctx *t, unsigned char c, char *buf,
		     size_t len);
int tt_compare(struct tctx *t, struct mblock *b, uint64_t off,
	       const unsigned char *got, uint64_t len);
int tt_rw(struct tctx *t, int fd, unsigned long cmd, uint64_t h,
	  uint64_t off, const void *buf, uint64_t len);
int tt_do_free(struct tctx *t, struct use *u, uint64_t h);
int tt_verify_range(struct tctx *t, int fd, struct mblock *b,
		    uint64_t off, uint64_t len);
int tt_verify(struct tctx *t, int fd, struct mblock *b, int full);
void tt_fill(struct tctx *t, unsigned char *p, uint64_t len);
void tt_publish(struct tctx *t, uint64_t h);
void tt_remember_stale(struct tctx *t, uint64_t h);
struct mblock *tt_find(struct bset *s, uint64_t h);
void tt_drop(struct bset *s, struct mblock *b);
void tt_drop_all(struct tctx *t, struct bset *s);
int tt_add_block(struct tctx *t, struct use *u, uint64_t h,
		 uint64_t usable);
int tt_check_result(struct tctx *t, struct use *u, uint64_t size,
		    uint64_t h, uint64_t usable, const struct mblock *self);
struct use tt_take(struct tctx *t, int kind, int excl);
void tt_give(struct tctx *t, struct use *u);
struct use tt_take_any(struct tctx *t, int excl);
int tt_file_owns(struct tctx *t, struct use *u, uint64_t h);
struct mblock *tt_pick(struct tctx *t, struct use *u);
uint64_t tt_valid_size(struct tctx *t);
uint64_t tt_invalid_size(struct tctx *t, int *err);

/* torture_valid_ops.c: the valid calls */
void tt_op_alloc(struct tctx *t);
void tt_op_free(struct tctx *t);
void tt_op_realloc(struct tctx *t);
void tt_op_read(struct tctx *t);
void tt_op_write(struct tctx *t);
void tt_op_info_stats(struct tctx *t);
void tt_op_verify(struct tctx *t);
void tt_reopen_own(struct tctx *t);
void tt_op_reopen(struct tctx *t);
void tt_op_mmap(struct tctx *t);

/* torture_invalid_ops.c: the invalid calls */
void tt_op_alloc_bad_size(struct tctx *t);
void tt_op_rw_bounds(struct tctx *t);
void tt_op_rw_badbuf(struct tctx *t);
void tt_op_reserved(struct tctx *t);
void tt_op_foreign(struct tctx *t);
void tt_op_stale(struct tctx *t);
void tt_op_made_up(struct tctx *t);
void tt_op_unknown(struct tctx *t);
void tt_op_bad_arg(struct tctx *t);
void tt_op_read_only_arg(struct tctx *t);

/* torture_chaos.c */
void tt_chaos_process(int idx, uint64_t budget);

#endif /* PGCLASS_TORTURE_H */
