// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the user-space tests of src/core.c and reports them as TAP 13, one
 * line per test case.  Exit status 1 if any failed.  Each program links
 * its own table of suites (suites.c for pgclass_test, tsan.c for
 * pgclass_tsan).
 *
 *   pgclass_test [-s SEED] [-n OPS] [-t SECONDS] [-l] [-v] [SUBSTRING...]
 *
 * -s seeds the differential tests, -n sets their operation count, -t ends
 * a case that runs longer (default 600 s; 0: never), -l lists the cases,
 * -v prints the allocator's messages (as TAP comments on stderr), and
 * SUBSTRINGs run only the cases whose names contain one.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "page_shifts.h"
#include "shim.h"
#include "test.h"

unsigned long long test_seed = 20261127;
unsigned long test_ops;
static unsigned int timeout_s = 600;
static bool verbose;

/* A failed check ends the child process that runs the case. */
void test_abort(void)
{
	fflush(stdout);
	fflush(stderr);
	_exit(1);
}

/*
 * Each case runs in a child process, as in the kernel's kselftest harness:
 * a crash (a sanitizer report, a SIGSEGV from an mprotect()ed page) fails
 * that case only, and the next one starts from a clean process.  So does
 * a hang (threads that deadlock, say): SIGALRM ends it after timeout_s.
 */
static int run_one(const struct test_case *tc)
{
	int status, ret;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid) {
		shim_warnings = 0;
		shim_last_warning[0] = 0;
		shim_quiet = !verbose;
		alarm(timeout_s);
		ret = tc->fn(tc);
		test_free_regions();
		fflush(stdout);
		_exit(ret ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		printf("# timed out after %u s\n", timeout_s);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d\n", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status) != 0;
}

/* A case as it runs: EACH_SHIFT cases run once per page shift. */
struct run {
	struct test_case tc;
	char name[160];
};

/* The cases to run, in order; returns how many. */
static size_t expand(struct run *runs, size_t max)
{
	size_t t, i, k, n = 0;

	for (t = 0; t < nr_test_suites; t++) {
		for (i = 0; i < *test_suites[t].nr; i++) {
			const struct test_case *tc = &test_suites[t].cases[i];
			bool each = tc->page_shift == EACH_SHIFT;
			size_t reps = each ? ARRAY_SIZE(test_page_shifts) : 1;

			for (k = 0; k < reps; k++) {
				struct run *r = &runs[n++];

				if (n > max)
					abort();
				r->tc = *tc;
				if (each) {
					r->tc.page_shift = test_page_shifts[k];
					snprintf(r->name, sizeof(r->name),
						 "%s, page_shift=%u", tc->name,
						 test_page_shifts[k]);
				} else {
					snprintf(r->name, sizeof(r->name), "%s",
						 tc->name);
				}
				r->tc.name = r->name;
			}
		}
	}
	return n;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (optind >= argc)
		return true;
	for (i = optind; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static struct run runs[256];
	unsigned int total = 0, n = 0, failed = 0;
	size_t nr_runs, i;
	bool list = false;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:lv")) != -1) {
		switch (opt) {
		case 's':
			test_seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			test_ops = strtoul(optarg, NULL, 0);
			break;
		case 't':
			timeout_s = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			list = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-s seed] [-n ops] [-t seconds] [-l] [-v] [substring...]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	nr_runs = expand(runs, ARRAY_SIZE(runs));
	for (i = 0; i < nr_runs; i++) {
		if (!selected(runs[i].name, argc, argv))
			continue;
		if (list)
			printf("%s\n", runs[i].name);
		total++;
	}
	if (list)
		return 0;
	printf("TAP version 13\n1..%u\n", total);
	printf("# seed %llu\n", test_seed);
	for (i = 0; i < nr_runs; i++) {
		int ret;

		if (!selected(runs[i].name, argc, argv))
			continue;
		ret = run_one(&runs[i].tc);
		n++;
		printf("%sok %u - %s\n", ret ? "not " : "", n, runs[i].name);
		failed += !!ret;
	}
	printf("# %u passed, %u failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
