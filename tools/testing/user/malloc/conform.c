// SPDX-License-Identifier: GPL-2.0
/*
 * What libpgclass-malloc.so promises (malloc.c's header), call by call:
 * malloc(0), free(NULL), calloc's zeroing and overflow, realloc to and
 * from NULL and 0, reallocarray's overflow, the memalign family's
 * alignments and errors, errno, and every byte up to malloc_usable_size()
 * writable.  Run it with the library preloaded: some answers are the
 * library's own (an alignment above 4 KiB fails), not the C library's.
 *
 *	conform		prints "conform: ok", or each broken promise and
 *			exits 1
 *	conform twice	frees one block twice: prints "freed once PTR"
 *			first, and "freed twice" only if the second free
 *			returns
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int failures;

#define expect(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "conform: %s:%d: ", __func__,	\
				__LINE__);				\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			failures++;					\
		}							\
	} while (0)

static int aligned(const void *p, size_t align)
{
	return !((uintptr_t)p & (align - 1));
}

static void zero_sizes(void)
{
	void *a = malloc(0), *b = malloc(0);

	expect(a && b && a != b, "malloc(0) gave %p and %p", a, b);
	free(a);
	free(b);
	free(NULL);
	errno = 0;
	a = realloc(NULL, 100);
	expect(a, "realloc(NULL, 100) failed");
	expect(!realloc(a, 0), "realloc(p, 0) did not free");
}

static void calloc_zeroes(void)
{
	size_t n, k;
	char *p;

	for (n = 8; n <= 1 << 17; n *= 4) {
		p = malloc(n);
		if (!p)
			break;
		memset(p, 0xa5, n);
		free(p);
		p = calloc(n / 8, 8);
		expect(p, "calloc(%zu, 8) failed", n / 8);
		for (k = 0; p && k < n; k++)
			if (p[k])
				break;
		expect(p && k == n, "calloc(%zu, 8): byte %zu not zero",
		       n / 8, k);
		free(p);
	}
}

static void overflows(void)
{
	void *p;

	errno = 0;
	p = calloc(SIZE_MAX / 2, 4);
	expect(!p && errno == ENOMEM, "calloc overflow: %p, errno %d", p,
	       errno);
	errno = 0;
	p = malloc(SIZE_MAX / 2);
	expect(!p && errno == ENOMEM, "malloc(SIZE_MAX / 2): %p, errno %d",
	       p, errno);
	p = malloc(10);
	errno = 0;
	expect(!reallocarray(p, SIZE_MAX / 2, 4) && errno == ENOMEM,
	       "reallocarray overflow: errno %d", errno);
	free(p);
}

static void realloc_keeps(void)
{
	static const size_t sizes[] = { 10, 100, 3000, 10000, 70000, 50, 5 };
	unsigned char *p = NULL, *q;
	size_t prev = 0, i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		q = realloc(p, sizes[i]);
		expect(q, "realloc to %zu failed", sizes[i]);
		if (!q)
			break;
		for (k = 0; k < prev && k < sizes[i]; k++)
			if (q[k] != (unsigned char)(k * 7))
				break;
		expect(k == (prev < sizes[i] ? prev : sizes[i]),
		       "realloc %zu -> %zu lost byte %zu", prev, sizes[i], k);
		for (k = 0; k < sizes[i]; k++)
			q[k] = (unsigned char)(k * 7);
		p = q;
		prev = sizes[i];
	}
	free(p);
}

static void alignments(void)
{
	size_t align;
	void *p;
	int err;

	for (align = 1; align <= 4096; align *= 2) {
		p = memalign(align, 10);
		expect(p && aligned(p, align), "memalign(%zu): %p", align, p);
		free(p);
		p = aligned_alloc(align, 2 * align);
		expect(p && aligned(p, align), "aligned_alloc(%zu): %p", align,
		       p);
		free(p);
	}
	p = memalign(24, 10);
	expect(p && aligned(p, 32), "memalign(24) (rounded up to 32): %p", p);
	free(p);
	p = memalign(0, 10);
	expect(p, "memalign(0) failed");
	free(p);
	errno = 0;
	p = memalign(8192, 10);
	expect(!p && errno == ENOMEM, "memalign(8192): %p, errno %d", p,
	       errno);

	p = NULL;
	err = posix_memalign(&p, 4096, 10);
	expect(!err && aligned(p, 4096), "posix_memalign(4096): %d, %p", err,
	       p);
	free(p);
	expect(posix_memalign(&p, 0, 10) == EINVAL, "posix_memalign(0)");
	expect(posix_memalign(&p, 4, 10) == EINVAL, "posix_memalign(4)");
	expect(posix_memalign(&p, 24, 10) == EINVAL, "posix_memalign(24)");
	expect(posix_memalign(&p, 8192, 10) == ENOMEM,
	       "posix_memalign(8192)");

	p = valloc(10);
	expect(p && aligned(p, 4096), "valloc: %p", p);
	free(p);
	p = pvalloc(10);
	expect(p && aligned(p, 4096) && malloc_usable_size(p) >= 4096,
	       "pvalloc: %p", p);
	free(p);
}

static void usable_sizes(void)
{
	static const size_t sizes[] = { 1, 17, 100, 2047, 2049, 5000, 100000 };
	size_t i, n;
	char *p;

	expect(!malloc_usable_size(NULL), "malloc_usable_size(NULL)");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = malloc(sizes[i]);
		n = p ? malloc_usable_size(p) : 0;
		expect(n >= sizes[i], "malloc(%zu): usable %zu", sizes[i], n);
		if (p)
			memset(p, 0x5a, n);
		free(p);
	}
}

/* Nothing allocates between the frees: stdio's buffer could get the block. */
static int free_twice(void)
{
	void *p = malloc(40);
	char buf[64];
	int n;

	free(p);
	n = snprintf(buf, sizeof(buf), "freed once %p\n", p);
	if (write(STDOUT_FILENO, buf, n) != n)
		return 1;
	free(p);
	n = snprintf(buf, sizeof(buf), "freed twice\n");
	return write(STDOUT_FILENO, buf, n) != n;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "twice"))
		return free_twice();
	zero_sizes();
	calloc_zeroes();
	overflows();
	realloc_keeps();
	alignments();
	usable_sizes();
	if (failures)
		return 1;
	printf("conform: ok\n");
	return 0;
}
