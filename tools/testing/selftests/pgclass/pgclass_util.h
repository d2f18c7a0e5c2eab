/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pgclass selftests: the ioctls as functions that
 * return 0 or -errno, and reading debugfs files.
 */
#ifndef PGCLASS_SELFTEST_UTIL_H
#define PGCLASS_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/pgclass.h>

#include "kselftest.h"

#define PGC_DEV		"/dev/pgclass"
#define PGC_DEBUGFS	"/sys/kernel/debug/pgclass"
#define PGC_KO_DEFAULT	"/modules/pgclass.ko"

static inline int pgc_open(void)
{
	return open(PGC_DEV, O_RDWR | O_CLOEXEC);
}

static inline int pgc_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int pgc_info(int fd, struct pgclass_ioc_info *info)
{
	return pgc_ioctl(fd, PGCLASS_IOC_INFO, info);
}

static inline int pgc_stats(int fd, struct pgclass_ioc_stats *st)
{
	return pgc_ioctl(fd, PGCLASS_IOC_STATS, st);
}

static inline int pgc_alloc(int fd, uint64_t size, uint64_t *handle,
			    uint64_t *usable)
{
	struct pgclass_ioc_alloc a = { .size = size };
	int ret = pgc_ioctl(fd, PGCLASS_IOC_ALLOC, &a);

	if (handle)
		*handle = a.handle;
	if (usable)
		*usable = a.usable_size;
	return ret;
}

static inline int pgc_free(int fd, uint64_t handle)
{
	struct pgclass_ioc_free f = { .handle = handle };

	return pgc_ioctl(fd, PGCLASS_IOC_FREE, &f);
}

static inline int pgc_realloc(int fd, uint64_t handle, uint64_t size,
			      uint64_t *new_handle, uint64_t *usable)
{
	struct pgclass_ioc_realloc r = { .handle = handle, .size = size };
	int ret = pgc_ioctl(fd, PGCLASS_IOC_REALLOC, &r);

	if (new_handle)
		*new_handle = r.new_handle;
	if (usable)
		*usable = r.usable_size;
	return ret;
}

static inline int pgc_rw(int fd, unsigned long cmd, uint64_t handle,
			 uint64_t offset, void *buf, uint64_t len)
{
	struct pgclass_ioc_rw io = {
		.handle = handle, .offset = offset, .len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	return pgc_ioctl(fd, cmd, &io);
}

static inline int pgc_read(int fd, uint64_t handle, uint64_t offset,
			   void *buf, uint64_t len)
{
	return pgc_rw(fd, PGCLASS_IOC_READ, handle, offset, buf, len);
}

static inline int pgc_write(int fd, uint64_t handle, uint64_t offset,
			    const void *buf, uint64_t len)
{
	return pgc_rw(fd, PGCLASS_IOC_WRITE, handle, offset, (void *)buf, len);
}

/* 1 if @len bytes at @buf all equal @c. */
static inline int pgc_all(const void *buf, size_t len, unsigned char c)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* A debugfs file's whole contents, NUL-terminated; free() it. */
static inline char *pgc_slurp(const char *name)
{
	char path[256], *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", PGC_DEBUGFS, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nbuf = realloc(buf, cap = cap * 2 + 65536);

			if (!nbuf) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* The mapped column of @handle's line in debugfs blocks, or -1. */
static inline long pgc_mapped_count(uint64_t handle)
{
	char *text = pgc_slurp("blocks"), *line, *save = NULL;
	long n = -1;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long h;
		long m;

		if (sscanf(line, "0x%llx %*s %*s %*s %ld", &h, &m) == 2 &&
		    h == handle) {
			n = m;
			break;
		}
	}
	free(text);
	return n;
}

/* The value of "key: value" line @key in debugfs stats, or -1. */
static inline long long pgc_debugfs_stat(const char *key)
{
	char *buf = pgc_slurp("stats"), *line, *save = NULL;
	size_t klen = strlen(key);
	long long val = -1;

	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	free(buf);
	return val;
}

/* What ALLOC gives for @size bytes with allocator pages of @page bytes. */
static inline uint64_t pgc_usable_for(uint64_t page, uint64_t size)
{
	uint64_t b = 16;

	if (size > page)
		return (size + page - 1) / page * page;
	if (size > page / 2)
		return page;
	while (b < size)
		b <<= 1;
	return b;
}

/* A TAP diagnostic line, "# ...", out at once (tests fork). */
__printf(1, 2) static inline void pgc_diag(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * Kernel addresses in results.  No field of an ioctl result is ever
 * near 2^47: handles and sizes are below the arena's size, counters are
 * small.  x86-64 puts the kernel at 0xffff8000_00000000 and up.
 */
#define PGC_USER_TOP	0x800000000000ULL

static inline int pgc_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * The first thing in @text that looks like a kernel address: a run of
 * 16 or more hex digits with a decimal digit or "ffff" among them, or a
 * decimal number of at least 2^47.  NULL if there is none.
 */
static inline const char *pgc_find_kernel_address(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *q = p;
		int digit = 0, dec = 1;

		while (pgc_is_hex(*q)) {
			digit |= *q >= '0' && *q <= '9';
			dec &= *q >= '0' && *q <= '9';
			q++;
		}
		if (q - p >= 16 && (digit || !strncasecmp(p, "ffff", 4)))
			return p;
		if (q > p && dec && (q - p > 15 ||
				     strtoull(p, NULL, 10) >= PGC_USER_TOP))
			return p;
		p = q > p ? q : p + 1;
	}
	return NULL;
}

/*
 * The first kernel address in debugfs file @name, whose text is @text,
 * or NULL.  The lines of "map" after its legend are one letter per page
 * ("ffff..." is sixteen pages of 512-byte blocks, not an address): they
 * may hold nothing but the map's letters, and a line that does is
 * returned as it is.
 */
static inline const char *pgc_debugfs_kernel_address(const char *name,
						     const char *text)
{
	const char *nl = strchr(text, '\n'), *p;
	char legend[512];

	if (strcmp(name, "map") || !nl)
		return pgc_find_kernel_address(text);
	for (p = nl + 1; *p; p++)
		if (!strchr("M.abcdefghijklPH=\n", *p))
			return p;
	snprintf(legend, sizeof(legend), "%.*s", (int)(nl - text), text);
	p = pgc_find_kernel_address(legend);
	return p ? text + (p - legend) : NULL;
}

/* /proc/lockdep_stats' debug_locks: 1 or 0, or -1 without lockdep. */
static inline int pgc_lockdep_on(void)
{
	FILE *f = fopen("/proc/lockdep_stats", "re");
	char line[256];
	int on = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *k = strstr(line, "debug_locks:");

		if (k)
			on = atoi(k + strlen("debug_locks:"));
	}
	fclose(f);
	return on;
}

/* /proc/sys/kernel/tainted, or -1. */
static inline long long pgc_taint(void)
{
	FILE *f = fopen("/proc/sys/kernel/tainted", "re");
	long long t = -1;

	if (f) {
		if (fscanf(f, "%lld", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t;
}

/* Taints a good run may add: O, E (our module) and N (KUnit). */
#define PGC_TAINT_OK	((1LL << 12) | (1LL << 13) | (1LL << 18))

/* Module (un)loading, for the tests that reload pgclass.ko. */
static inline const char *pgc_ko_path(void)
{
	const char *p = getenv("PGCLASS_KO");

	return p && *p ? p : PGC_KO_DEFAULT;
}

static inline int pgc_module_load(const char *params)
{
	int fd = open(pgc_ko_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline int pgc_module_unload(void)
{
	return syscall(__NR_delete_module, "pgclass", O_NONBLOCK) ? -errno : 0;
}

static inline int pgc_module_loaded(void)
{
	return access("/sys/module/pgclass", F_OK) == 0;
}

/*
 * Fault injection with /proc/thread-self/fail-nth: arm N, make one call,
 * disarm.  Needs CONFIG_FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC
 * with their debugfs files.
 */
#define PGC_FI "/sys/kernel/debug/"
#define PGC_FI_KNOBS	5

struct pgc_fault {
	int fd;
	char old[PGC_FI_KNOBS][32];
};

/* The settings: sleeping allocations fail too, of any order, quietly. */
static const char * const pgc_fi_knobs[PGC_FI_KNOBS][2] = {
	{ PGC_FI "failslab/ignore-gfp-wait", "N" },
	{ PGC_FI "failslab/verbose", "0" },
	{ PGC_FI "fail_page_alloc/ignore-gfp-wait", "N" },
	{ PGC_FI "fail_page_alloc/min-order", "0" },
	{ PGC_FI "fail_page_alloc/verbose", "0" },
};

/* Puts @val in @path, keeping the old value in @old if given. */
static inline int pgc_knob_set(const char *path, const char *val, char *old)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	if (old) {
		n = read(fd, old, 31);
		old[n > 0 ? n : 0] = '\0';
		old[strcspn(old, "\n")] = '\0';
	}
	/* Not pwrite(): some of these files are not seekable. */
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* 0, or -1 if this kernel cannot inject faults. */
static inline int pgc_fault_start(struct pgc_fault *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (f->fd < 0)
		return -1;
	for (i = 0; i < PGC_FI_KNOBS; i++) {
		if (pgc_knob_set(pgc_fi_knobs[i][0], pgc_fi_knobs[i][1],
				 f->old[i])) {
			close(f->fd);
			return -1;
		}
	}
	return 0;
}

static inline void pgc_fault_stop(struct pgc_fault *f)
{
	int i;

	for (i = 0; i < PGC_FI_KNOBS; i++)
		if (f->old[i][0])
			pgc_knob_set(pgc_fi_knobs[i][0], f->old[i], NULL);
	close(f->fd);
}

/* The @nth fault point this thread passes from now on fails. */
static inline int pgc_fault_arm(struct pgc_fault *f, unsigned long nth)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", nth);
	return pwrite(f->fd, buf, strlen(buf), 0) < 0 ? -errno : 0;
}

/* Disarms; returns the points left before the fault, 0 if it struck. */
static inline unsigned long pgc_fault_disarm(struct pgc_fault *f)
{
	char buf[32];
	ssize_t n = pread(f->fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	if (pwrite(f->fd, "0", 1, 0) < 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

#endif /* PGCLASS_SELFTEST_UTIL_H */
