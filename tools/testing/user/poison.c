// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the poison hooks (include/linux/pgclass_poison.h, here
 * ASan's manual poisoning): touching a freed block, the pages a shrink
 * gave up or a new pool's free page is an ASan report.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

enum uaf_kind {
	UAF_SMALL,
	UAF_WHOLE,
	UAF_MULTI,
	UAF_SHRUNK,
	UAF_NEVER,
};

/*
 * Read *@p in a child process, which ASan must stop with a report of a
 * use-after-poison: the hooks of pgclass_poison.h at work.
 */
static int expect_asan_report(const char *p)
{
	char buf[8192], drain[512];
	size_t len = 0;
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	T_EQ(pipe(fd), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		dup2(fd[1], STDERR_FILENO);
		/* The value is used, so the load stays. */
		_exit(*p == 1);
	}
	close(fd[1]);
	for (;;) {
		if (len < sizeof(buf) - 1)
			n = read(fd[0], buf + len, sizeof(buf) - 1 - len);
		else
			n = read(fd[0], drain, sizeof(drain));
		if (n <= 0)
			break;
		if (len < sizeof(buf) - 1)
			len += n;
	}
	close(fd[0]);
	buf[len] = 0;
	T_EQ(waitpid(pid, &status, 0), pid);
	T_ASSERT(strstr(buf, "AddressSanitizer: use-after-poison"));
	return 0;
}

static int t_use_after_free(const struct test_case *tc)
{
	char *p, *live;
	struct ctx c;
	size_t P;

	T_OK(ctx_new(&c, 32, tc->page_shift));
	P = c.page;
	switch (tc->arg) {
	case UAF_SMALL:		/* its neighbour in the page stays live */
		p = pgclass_alloc(c.pool, 40);
		live = pgclass_alloc(c.pool, 40);
		T_ASSERT(p && live && ctx_page(&c, p) == ctx_page(&c, live));
		memset(live, 1, 64);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(expect_asan_report(p + 20));
		break;
	case UAF_WHOLE:
		p = pgclass_alloc(c.pool, P);
		T_ASSERT(p);
		memset(p, 1, P);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(expect_asan_report(p + P - 1));
		break;
	case UAF_MULTI:
		p = pgclass_alloc(c.pool, 3 * P);
		T_ASSERT(p);
		memset(p, 1, 3 * P);
		T_EQ(pgclass_free(c.pool, p), 0);
		T_OK(expect_asan_report(p + 2 * P + 5));
		break;
	case UAF_SHRUNK:	/* the two pages given up, not the two kept */
		p = pgclass_alloc(c.pool, 4 * P);
		T_ASSERT(p);
		T_ASSERT(pgclass_realloc(c.pool, p, P + 1) == p);
		memset(p, 1, 2 * P);
		T_OK(expect_asan_report(p + 2 * P));
		T_OK(expect_asan_report(p + 4 * P - 1));
		break;
	case UAF_NEVER:		/* a free page of a new pool */
		T_OK(expect_asan_report(ctx_addr(&c, c.nr_pages - 1)));
		break;
	}
	T_OK(check_pool(&c));
	return 0;
}

const struct test_case poison_tests[] = {
	{ "use after free is an ASan report: small block", t_use_after_free,
	  EACH_SHIFT, UAF_SMALL },
	{ "use after free is an ASan report: whole page", t_use_after_free, 12,
	  UAF_WHOLE },
	{ "use after free is an ASan report: multi-page block", t_use_after_free,
	  12, UAF_MULTI },
	{ "use after free is an ASan report: pages given up by a shrink",
	  t_use_after_free, 12, UAF_SHRUNK },
	{ "use of a new pool's free page is an ASan report", t_use_after_free,
	  12, UAF_NEVER },
};

const size_t nr_poison_tests = ARRAY_SIZE(poison_tests);
