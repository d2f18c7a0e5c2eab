// SPDX-License-Identifier: GPL-2.0
/*
 * devbench: round trips through /dev/pgclass, run in the guest.  One
 * round trip is PGCLASS_IOC_ALLOC of 64 bytes then PGCLASS_IOC_FREE of the
 * handle.  Beside it, as yardsticks from the same boot: two getppid()
 * calls, the cost of two system calls that do nothing; two ioctls on
 * /dev/pgclass of a command it does not know (ENOTTY), the floor of any
 * ioctl on the device (the file looked up, the LSM hook, the dispatch to
 * the driver and its switch); and two PGCLASS_IOC_INFO, the cheapest
 * command that does something (the pool's counters read, 56 bytes copied
 * out).  Rounds alternate the four; the median of each is printed, in CSV:
 *
 *   dev,KIND,CALLS_PER_ROUND,MEDIAN_NS,MIN_NS,MAX_NS
 *
 * KIND: alloc64+free, 2xgetppid, 2xioctl-enotty, 2xinfo.
 *
 * Then the same two loops in 1 and in 2 processes at once, each pinned to
 * a CPU of its own (CPU 0, CPU 1) and, for the device, with an open of
 * its own; a run is timed from a common start to the last process's end,
 * and the row gives the nanoseconds per round trip over all processes
 * (throughput is its inverse):
 *
 *   devscale,KIND,PROCESSES,ROUND_TRIPS,MEDIAN_NS,MIN_NS,MAX_NS
 *
 * Then the bytes of one 1 MiB block (a multi-page block, mappable),
 * moved between the block and a buffer of the program's, both ways: by
 * PGCLASS_IOC_READ and PGCLASS_IOC_WRITE of the whole block, and by
 * memcpy() through an mmap() of the block made once beforehand (the
 * zero-copy path: no system call, the program's own copy); as a
 * yardstick, pread() and pwrite() of as many bytes of a tmpfs file in
 * /tmp, the kernel's own copy to and from user space; beside them, the
 * cost of a mapping: mmap() of the whole block, a store to each of its
 * CPU pages, munmap().  Rounds alternate the seven, after a warm-up
 * round; the median of each, in ns per operation (one transfer of
 * BYTES, or one map, touch and unmap of BYTES):
 *
 *   devmmap,KIND,BYTES,OPS_PER_ROUND,MEDIAN_NS,MIN_NS,MAX_NS
 *
 * KIND: ioctl-read, mmap-read, tmpfs-pread (to the buffer), ioctl-write,
 * mmap-write, tmpfs-pwrite (from it), map+touch+unmap.
 *
 * Static (the guest has no libc) and built against the ioctl ABI alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/pgclass.h>

#define DB_ROUNDS	7
#define DB_PER_ROUND	20000
#define DB_PROCS	2
#define DB_MMAP_BYTES	(1024UL * 1024)
#define DB_MMAP_OPS	16
#define DB_MMAP_KINDS	7
#define DB_TMPFS_FILE	"/tmp/devbench.dat"
/* A command /dev/pgclass does not know: the driver answers ENOTTY. */
#define DB_IOC_UNKNOWN	_IO(PGCLASS_IOC_MAGIC, 0xff)

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

/* ns per round trip of @n, in thousandths; -1 on a failed call. */
static long long db_device(int fd, int n)
{
	struct pgclass_ioc_alloc al;
	struct pgclass_ioc_free fr;
	unsigned long long t0 = db_now();
	int i;

	for (i = 0; i < n; i++) {
		memset(&al, 0, sizeof(al));
		al.size = 64;
		if (ioctl(fd, PGCLASS_IOC_ALLOC, &al))
			return -1;
		memset(&fr, 0, sizeof(fr));
		fr.handle = al.handle;
		if (ioctl(fd, PGCLASS_IOC_FREE, &fr))
			return -1;
	}
	return (db_now() - t0) * 1000 / n;
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

/*
 * ns per two ioctls on @fd, in thousandths; -1 on a failed call.  @info:
 * PGCLASS_IOC_INFO, which must succeed; else the unknown command, which
 * must fail with ENOTTY.
 */
static long long db_ioctls(int fd, int info)
{
	struct pgclass_ioc_info in;
	unsigned long long t0 = db_now();
	int i;

	for (i = 0; i < DB_PER_ROUND; i++) {
		if (info) {
			if (ioctl(fd, PGCLASS_IOC_INFO, &in) ||
			    ioctl(fd, PGCLASS_IOC_INFO, &in))
				return -1;
		} else if (ioctl(fd, DB_IOC_UNKNOWN) != -1 || errno != ENOTTY ||
			   ioctl(fd, DB_IOC_UNKNOWN) != -1 || errno != ENOTTY) {
			return -1;
		}
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

/* Shared by the processes of one run: the common start and the ends. */
struct db_shared {
	int procs;
	int ready;
	int go;
	unsigned long long t0;
	unsigned long long end[DB_PROCS];
};

static struct db_shared *db_sh;

/* A child: pin, open, warm up, wait for the start, loop, record the end. */
static int db_child(int i, int device)
{
	struct pgclass_ioc_alloc al;
	struct pgclass_ioc_free fr;
	cpu_set_t set;
	int fd = -1, k;

	CPU_ZERO(&set);
	CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "devbench: CPU %d: %s\n", i, strerror(errno));
		return 1;
	}
	if (device) {
		fd = open("/dev/pgclass", O_RDWR);
		if (fd < 0 || db_device(fd, 64) < 0) {
			fprintf(stderr, "devbench: /dev/pgclass: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if (__atomic_add_fetch(&db_sh->ready, 1, __ATOMIC_ACQ_REL) ==
	    db_sh->procs) {
		db_sh->t0 = db_now();
		__atomic_store_n(&db_sh->go, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&db_sh->go, __ATOMIC_ACQUIRE))
			;
	}
	for (k = 0; k < DB_PER_ROUND; k++) {
		if (!device) {
			syscall(SYS_getppid);
			syscall(SYS_getppid);
			continue;
		}
		memset(&al, 0, sizeof(al));
		al.size = 64;
		if (ioctl(fd, PGCLASS_IOC_ALLOC, &al))
			return 1;
		memset(&fr, 0, sizeof(fr));
		fr.handle = al.handle;
		if (ioctl(fd, PGCLASS_IOC_FREE, &fr))
			return 1;
	}
	db_sh->end[i] = db_now();
	return 0;
}

/* ns per round trip over all processes, in thousandths; -1 on failure. */
static long long db_scale(int procs, int device)
{
	unsigned long long end = 0;
	int i, status, failed = 0;
	pid_t pid[DB_PROCS];

	memset(db_sh, 0, sizeof(*db_sh));
	db_sh->procs = procs;
	for (i = 0; i < procs; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			return -1;
		if (!pid[i])
			_exit(db_child(i, device));
	}
	for (i = 0; i < procs; i++) {
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
		if (db_sh->end[i] > end)
			end = db_sh->end[i];
	}
	if (failed)
		return -1;
	return (end - db_sh->t0) * 1000 / ((unsigned long long)procs *
					   DB_PER_ROUND);
}

static void db_print_scale(const char *kind, int procs, unsigned long long *v)
{
	qsort(v, DB_ROUNDS, sizeof(*v), db_cmp);
	printf("devscale,%s,%d,%d,%llu.%03llu,%llu.%03llu,%llu.%03llu\n",
	       kind, procs, procs * DB_PER_ROUND, v[DB_ROUNDS / 2] / 1000,
	       v[DB_ROUNDS / 2] % 1000, v[0] / 1000, v[0] % 1000,
	       v[DB_ROUNDS - 1] / 1000, v[DB_ROUNDS - 1] % 1000);
}

static int db_scales(void)
{
	static const char * const kinds[] = { "2xgetppid", "alloc64+free" };
	unsigned long long v[2][DB_PROCS][DB_ROUNDS];
	long long ns;
	int r, k, p;

	db_sh = mmap(NULL, sizeof(*db_sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (db_sh == MAP_FAILED)
		return 1;
	for (r = 0; r < DB_ROUNDS; r++) {
		for (k = 0; k < 2; k++) {
			for (p = 1; p <= DB_PROCS; p++) {
				ns = db_scale(p, k);
				if (ns < 0) {
					fprintf(stderr,
						"devbench: %s in %d processes failed\n",
						kinds[k], p);
					return 1;
				}
				v[k][p - 1][r] = ns;
			}
		}
	}
	for (k = 0; k < 2; k++)
		for (p = 1; p <= DB_PROCS; p++)
			db_print_scale(kinds[k], p, v[k][p - 1]);
	return 0;
}

static const char * const db_mmap_kinds[DB_MMAP_KINDS] = {
	"ioctl-read", "mmap-read", "tmpfs-pread", "ioctl-write", "mmap-write",
	"tmpfs-pwrite", "map+touch+unmap",
};

/* READ (@write 0) or WRITE of all of block @handle from or to @buf. */
static int db_rw(int fd, __u64 handle, void *buf, int write)
{
	struct pgclass_ioc_rw rw;

	memset(&rw, 0, sizeof(rw));
	rw.handle = handle;
	rw.len = DB_MMAP_BYTES;
	rw.buf = (__u64)(unsigned long)buf;
	return ioctl(fd, write ? PGCLASS_IOC_WRITE : PGCLASS_IOC_READ, &rw);
}

/* mmap() of all of block @handle, a store to each CPU page, munmap(). */
static int db_map_touch_unmap(int fd, __u64 handle, long page)
{
	unsigned char *p;
	unsigned long off;

	p = mmap(NULL, DB_MMAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 handle);
	if (p == MAP_FAILED)
		return -1;
	for (off = 0; off < DB_MMAP_BYTES; off += page) {
		p[off] = (unsigned char)off;
		/* Each store made, in turn, before the munmap(). */
		asm volatile("" : : "r"(p + off) : "memory");
	}
	return munmap(p, DB_MMAP_BYTES);
}

/* ns per operation of kind @k, in thousandths; -1 on a failed call. */
static long long db_mmap_kind(int k, int fd, __u64 handle, int tfd,
			      unsigned char *map, unsigned char *buf, long page)
{
	unsigned long long t0 = db_now();
	int i, ret = 0;

	for (i = 0; i < DB_MMAP_OPS && !ret; i++) {
		switch (k) {
		case 0:
			ret = db_rw(fd, handle, buf, 0);
			break;
		case 1:
			memcpy(buf, map, DB_MMAP_BYTES);
			break;
		case 2:
			if (pread(tfd, buf, DB_MMAP_BYTES, 0) != DB_MMAP_BYTES)
				ret = -1;
			break;
		case 3:
			ret = db_rw(fd, handle, buf, 1);
			break;
		case 4:
			memcpy(map, buf, DB_MMAP_BYTES);
			break;
		case 5:
			if (pwrite(tfd, buf, DB_MMAP_BYTES, 0) != DB_MMAP_BYTES)
				ret = -1;
			break;
		default:
			ret = db_map_touch_unmap(fd, handle, page);
		}
		/* The copies are made, each one, where the loop says. */
		asm volatile("" : : : "memory");
	}
	if (ret)
		return -1;
	return (db_now() - t0) * 1000 / DB_MMAP_OPS;
}

/*
 * One 1 MiB block, mapped once for the memcpy() kinds; a check at the
 * end that the mapping and the ioctls saw the same bytes, so that a
 * mapping of the wrong memory cannot pass for a fast one.
 */
static int db_mmap(void)
{
	unsigned long long v[DB_MMAP_KINDS][DB_ROUNDS];
	struct pgclass_ioc_alloc al;
	struct pgclass_ioc_free fr;
	unsigned char *map, *buf;
	long page = sysconf(_SC_PAGESIZE);
	long long ns;
	int fd, tfd, r, k, bad;
	size_t i;

	tfd = open(DB_TMPFS_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (tfd < 0) {
		fprintf(stderr, "devbench: %s: %s\n", DB_TMPFS_FILE,
			strerror(errno));
		return 1;
	}
	fd = open("/dev/pgclass", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "devbench: /dev/pgclass: %s\n", strerror(errno));
		return 1;
	}
	memset(&al, 0, sizeof(al));
	al.size = DB_MMAP_BYTES;
	if (ioctl(fd, PGCLASS_IOC_ALLOC, &al) ||
	    al.usable_size != DB_MMAP_BYTES) {
		fprintf(stderr, "devbench: a 1 MiB block: %s\n", strerror(errno));
		return 1;
	}
	map = mmap(NULL, DB_MMAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   al.handle);
	buf = mmap(NULL, DB_MMAP_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (map == MAP_FAILED || buf == MAP_FAILED) {
		fprintf(stderr, "devbench: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(buf, 0x5a, DB_MMAP_BYTES);
	if (pwrite(tfd, buf, DB_MMAP_BYTES, 0) != DB_MMAP_BYTES) {
		fprintf(stderr, "devbench: %s: %s\n", DB_TMPFS_FILE,
			strerror(errno));
		return 1;
	}
	/* A warm-up round, untimed; then the rounds, each kind in turn. */
	for (r = -1; r < DB_ROUNDS; r++) {
		for (k = 0; k < DB_MMAP_KINDS; k++) {
			ns = db_mmap_kind(k, fd, al.handle, tfd, map, buf,
					  page);
			if (ns < 0) {
				fprintf(stderr, "devbench: %s: %s\n",
					db_mmap_kinds[k], strerror(errno));
				return 1;
			}
			if (r >= 0)
				v[k][r] = ns;
		}
	}
	for (i = 0; i < DB_MMAP_BYTES; i++)
		buf[i] = (unsigned char)(i * 151 + 1);
	bad = db_rw(fd, al.handle, buf, 1) ||
	      memcmp(map, buf, DB_MMAP_BYTES);
	memset(map, 0xa5, DB_MMAP_BYTES);
	bad = bad || db_rw(fd, al.handle, buf, 0);
	for (i = 0; !bad && i < DB_MMAP_BYTES; i++)
		bad = buf[i] != 0xa5;
	if (bad) {
		fprintf(stderr, "devbench: the mapping and READ/WRITE differ\n");
		return 1;
	}
	munmap(buf, DB_MMAP_BYTES);
	if (munmap(map, DB_MMAP_BYTES))
		return 1;
	memset(&fr, 0, sizeof(fr));
	fr.handle = al.handle;
	if (ioctl(fd, PGCLASS_IOC_FREE, &fr)) {
		fprintf(stderr, "devbench: FREE: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	close(tfd);
	unlink(DB_TMPFS_FILE);
	for (k = 0; k < DB_MMAP_KINDS; k++) {
		qsort(v[k], DB_ROUNDS, sizeof(v[k][0]), db_cmp);
		printf("devmmap,%s,%lu,%d,%llu.%03llu,%llu.%03llu,%llu.%03llu\n",
		       db_mmap_kinds[k], DB_MMAP_BYTES, DB_MMAP_OPS,
		       v[k][DB_ROUNDS / 2] / 1000, v[k][DB_ROUNDS / 2] % 1000,
		       v[k][0] / 1000, v[k][0] % 1000,
		       v[k][DB_ROUNDS - 1] / 1000, v[k][DB_ROUNDS - 1] % 1000);
	}
	return 0;
}

int main(void)
{
	unsigned long long dev[DB_ROUNDS], sys[DB_ROUNDS];
	unsigned long long nop[DB_ROUNDS], info[DB_ROUNDS];
	int fd = open("/dev/pgclass", O_RDWR);
	long long v;
	int r;

	if (fd < 0) {
		fprintf(stderr, "devbench: /dev/pgclass: %s\n", strerror(errno));
		return 1;
	}
	for (r = 0; r < DB_ROUNDS; r++) {
		v = db_device(fd, DB_PER_ROUND);
		if (v < 0) {
			fprintf(stderr, "devbench: ioctl: %s\n", strerror(errno));
			return 1;
		}
		dev[r] = v;
		sys[r] = db_syscalls();
		v = db_ioctls(fd, 0);
		if (v < 0) {
			fprintf(stderr, "devbench: unknown ioctl: %s\n",
				strerror(errno));
			return 1;
		}
		nop[r] = v;
		v = db_ioctls(fd, 1);
		if (v < 0) {
			fprintf(stderr, "devbench: INFO: %s\n", strerror(errno));
			return 1;
		}
		info[r] = v;
	}
	close(fd);
	db_print("alloc64+free", dev);
	db_print("2xgetppid", sys);
	db_print("2xioctl-enotty", nop);
	db_print("2xinfo", info);
	fflush(stdout);
	if (db_scales())
		return 1;
	fflush(stdout);
	if (db_mmap())
		return 1;
	return fflush(stdout) ? 1 : 0;
}
