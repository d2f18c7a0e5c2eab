// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the user-space tests of src/core.c and reports them as TAP 13, one
 * line per test case.  Exit status 1 if any failed.
 *
 *   pgclass_test [-s SEED] [-n OPS] [-l] [-v] [SUBSTRING...]
 *
 * -s seeds the differential tests, -n sets their operation count, -l lists
 * the cases, -v prints the allocator's messages (as TAP comments on
 * stderr), and SUBSTRINGs run only the cases whose names contain one.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"
#include "test.h"

unsigned long long test_seed = 20261127;
unsigned long test_ops;
static bool verbose;

struct region {
	void *mem;
	size_t size;
	bool mapped;
};

static struct region regions[64];
static unsigned int nr_regions;

void *test_region(size_t size, unsigned int page_shift)
{
	void *mem;

	if (nr_regions == sizeof(regions) / sizeof(regions[0]))
		abort();
	mem = aligned_alloc((size_t)1 << page_shift, size);
	if (!mem)
		abort();
	/* Not zero: the pool must not rely on the caller's memory. */
	memset(mem, 0xa5, size);
	regions[nr_regions++] = (struct region){ mem, size, false };
	return mem;
}

void *test_region_mmap(size_t size)
{
	void *mem;

	if (nr_regions == sizeof(regions) / sizeof(regions[0]))
		abort();
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		abort();
	regions[nr_regions++] = (struct region){ mem, size, true };
	return mem;
}

static void free_regions(void)
{
	while (nr_regions) {
		struct region *r = &regions[--nr_regions];

		if (r->mapped)
			munmap(r->mem, r->size);
		else
			free(r->mem);
	}
}

void test_fail(const char *file, int line, const char *what)
{
	printf("# %s:%d: check failed: %s\n", file, line, what);
	if (shim_last_warning[0])
		printf("# last warning: %s", shim_last_warning);
}

void test_fail_eq(const char *file, int line, const char *a, const char *b,
		  unsigned long long va, unsigned long long vb)
{
	printf("# %s:%d: check failed: %s == %s\n", file, line, a, b);
	printf("#   %s = %llu (%#llx)\n#   %s = %llu (%#llx)\n",
	       a, va, va, b, vb, vb);
}

/*
 * Each case runs in a child process, as in the kernel's kselftest harness:
 * a crash (a sanitizer report, a SIGSEGV from an mprotect()ed page) fails
 * that case only, and the next one starts from a clean process.
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
		ret = tc->fn(tc);
		free_regions();
		fflush(stdout);
		_exit(ret ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d\n", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status) != 0;
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
	const struct test_case *all[2] = { unit_tests, diff_tests };
	const size_t nr[2] = { nr_unit_tests, nr_diff_tests };
	unsigned int total = 0, n = 0, failed = 0;
	bool list = false;
	size_t t, i;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:lv")) != -1) {
		switch (opt) {
		case 's':
			test_seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			test_ops = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			list = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-s seed] [-n ops] [-l] [-v] [substring...]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = 0; t < 2; t++)
		for (i = 0; i < nr[t]; i++)
			if (selected(all[t][i].name, argc, argv))
				total++;
	if (list) {
		for (t = 0; t < 2; t++)
			for (i = 0; i < nr[t]; i++)
				if (selected(all[t][i].name, argc, argv))
					printf("%s\n", all[t][i].name);
		return 0;
	}
	printf("TAP version 13\n1..%u\n", total);
	printf("# seed %llu\n", test_seed);
	for (t = 0; t < 2; t++) {
		for (i = 0; i < nr[t]; i++) {
			const struct test_case *tc = &all[t][i];
			int ret;

			if (!selected(tc->name, argc, argv))
				continue;
			ret = run_one(tc);
			n++;
			printf("%sok %u - %s\n", ret ? "not " : "", n,
			       tc->name);
			failed += !!ret;
		}
	}
	printf("# %u passed, %u failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
