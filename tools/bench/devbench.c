// SPDX-License-Identifier: GPL-2.0
/*
 * devbench: round trips through /dev/pgclass, run in the guest.  One
 * round trip is PGCLASS_IOC_ALLOC of 64 bytes then PGCLASS_IOC_FREE of the
 * handle.  Beside it, as a yardstick from the same boot, two getppid()
 * calls: the cost of two system calls that do nothing.  Rounds alternate
 * the two; the median of each is printed, in CSV:
 *
 *   dev,KIND,CALLS_PER_ROUND,MEDIAN_NS,MIN_NS,MAX_NS
 *
 * Static (the guest has no libc) and built against the ioctl ABI alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/pgclass.h>

#define DB_ROUNDS	7
#define DB_PER_ROUND	20000

static unsigned long long db_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int db_cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* ns per round trip, in thousandths; -1 on a failed call. */
static long long db_device(int fd)
{
	struct pgclass_ioc_alloc al;
	struct pgclass_ioc_free fr;
	unsigned long long t0 = db_now();
	int i;

	for (i = 0; i < DB_PER_ROUND; i++) {
		memset(&al, 0, sizeof(al));
		al.size = 64;
		if (ioctl(fd, PGCLASS_IOC_ALLOC, &al))
			return -1;
		memset(&fr, 0, sizeof(fr));
		fr.handle = al.handle;
		if (ioctl(fd, PGCLASS_IOC_FREE, &fr))
			return -1;
	}
	return (db_now() - t0) * 1000 / DB_PER_ROUND;
}

static long long db_syscalls(void)
{
	unsigned long long t0 = db_now();
	int i;

	for (i = 0; i < DB_PER_ROUND; i++) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
	}
	return (db_now() - t0) * 1000 / DB_PER_ROUND;
}

static void db_print(const char *kind, unsigned long long *v)
{
	qsort(v, DB_ROUNDS, sizeof(*v), db_cmp);
	printf("dev,%s,%d,%llu.%03llu,%llu.%03llu,%llu.%03llu\n", kind,
	       DB_PER_ROUND, v[DB_ROUNDS / 2] / 1000, v[DB_ROUNDS / 2] % 1000,
	       v[0] / 1000, v[0] % 1000, v[DB_ROUNDS - 1] / 1000,
	       v[DB_ROUNDS - 1] % 1000);
}

int main(void)
{
	unsigned long long dev[DB_ROUNDS], sys[DB_ROUNDS];
	int fd = open("/dev/pgclass", O_RDWR);
	long long v;
	int r;

	if (fd < 0) {
		fprintf(stderr, "devbench: /dev/pgclass: %s\n", strerror(errno));
		return 1;
	}
	for (r = 0; r < DB_ROUNDS; r++) {
		v = db_device(fd);
		if (v < 0) {
			fprintf(stderr, "devbench: ioctl: %s\n", strerror(errno));
			return 1;
		}
		dev[r] = v;
		sys[r] = db_syscalls();
	}
	close(fd);
	db_print("alloc64+free", dev);
	db_print("2xgetppid", sys);
	return fflush(stdout) ? 1 : 0;
}
