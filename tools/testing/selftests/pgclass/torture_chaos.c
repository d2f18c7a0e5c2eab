// SPDX-License-Identifier: GPL-2.0
/*
 * The torture's chaos process: two threads on one descriptor, one of
 * which swaps the open file under the other (dup2) while it is in use.
 * It checks only errnos, and that it reads nothing but its own pattern
 * or zero.
 */
#define _GNU_SOURCE

#include "torture.h"

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

void tt_chaos_process(int idx, uint64_t budget)
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
