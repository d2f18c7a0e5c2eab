// SPDX-License-Identifier: GPL-2.0
/*
 * A threaded malloc stress in the manner of mimalloc's test-stress: each
 * thread keeps a set of blocks of random sizes (mostly small, a few of
 * many pages), replaces, grows and shrinks them at random, and swaps some
 * with a shared transfer array, so that blocks are freed and reallocated
 * on threads other than the one that allocated them.  Every block carries
 * a pattern derived from its identity, checked before each free and
 * realloc: a block handed out twice, or moved without its contents, is
 * found.  It calls only the C library's malloc family: run it on
 * libpgclass-malloc.so (LD_PRELOAD), or on anything else for comparison.
 *
 *	stress [THREADS [ROUNDS]]	(defaults 8 and 20)
 *	stress fork [FORKS]		(default 300)
 *
 * Prints "stress: ok" and exits 0, or names the first bad block and
 * exits 1.  The fork mode forks while three threads allocate and free
 * blocks of a page and more, which take the allocator's locks: each
 * child allocates and must exit within 10 seconds.  A child that
 * inherited a lock held at the fork hangs, and SIGALRM tells.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITEMS		2000
#define TRANSFERS	1000
#define STEPS		20000

struct block {
	uint64_t id;		/* identity: the pattern's seed */
	size_t words;		/* payload words after the header */
	uint64_t data[];
};

static struct block *transfer[TRANSFERS];
static int nr_threads = 8, rounds = 20;
static int failed;

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mostly small, sometimes a page or two, rarely up to 64 pages. */
static size_t pick_words(uint64_t *rng)
{
	uint64_t r = next_rand(rng) % 1000;

	if (r < 900)
		return next_rand(rng) % 64;
	if (r < 995)
		return next_rand(rng) % 1024;
	return next_rand(rng) % 32768;
}

static uint64_t pattern(uint64_t id, size_t i)
{
	return id * 0x9e3779b97f4a7c15ULL + i;
}

static struct block *make(uint64_t *rng, uint64_t id)
{
	size_t words = pick_words(rng), i;
	struct block *b = malloc(sizeof(*b) + words * sizeof(uint64_t));

	if (!b) {
		fprintf(stderr, "stress: malloc of %zu words failed\n", words);
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	b->id = id;
	b->words = words;
	for (i = 0; i < words; i++)
		b->data[i] = pattern(id, i);
	return b;
}

static int check(const struct block *b, const char *when)
{
	size_t i;

	for (i = 0; i < b->words; i++) {
		if (b->data[i] != pattern(b->id, i)) {
			fprintf(stderr,
				"stress: block %p (id %llu, %zu words) word %zu wrong %s\n",
				(void *)b, (unsigned long long)b->id, b->words,
				i, when);
			__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
			return -1;
		}
	}
	return 0;
}

static void drop(struct block *b)
{
	if (b && !check(b, "at free"))
		free(b);
}

/* Grow or shrink @b with realloc(); what it kept must be intact. */
static struct block *resize(uint64_t *rng, struct block *b)
{
	size_t words = pick_words(rng), i, keep;
	struct block *n;

	if (check(b, "before realloc"))
		return b;
	n = realloc(b, sizeof(*n) + words * sizeof(uint64_t));
	if (!n) {
		fprintf(stderr, "stress: realloc to %zu words failed\n", words);
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
		return b;
	}
	keep = n->words < words ? n->words : words;
	for (i = 0; i < keep; i++) {
		if (n->data[i] != pattern(n->id, i)) {
			fprintf(stderr, "stress: realloc lost word %zu\n", i);
			__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
			return n;
		}
	}
	for (i = keep; i < words; i++)
		n->data[i] = pattern(n->id, i);
	n->words = words;
	return n;
}

static void *run(void *arg)
{
	uint64_t tid = (uintptr_t)arg, rng = tid * 2654435761ULL + 1, id;
	struct block **items = calloc(ITEMS, sizeof(*items));
	int r, s, k, j;

	if (!items) {
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	id = tid << 40;
	for (r = 0; r < rounds && !__atomic_load_n(&failed, __ATOMIC_RELAXED);
	     r++) {
		for (s = 0; s < STEPS; s++) {
			uint64_t op = next_rand(&rng) % 100;

			k = next_rand(&rng) % ITEMS;
			if (op < 50) {
				drop(items[k]);
				items[k] = make(&rng, ++id);
			} else if (op < 65) {
				if (items[k])
					items[k] = resize(&rng, items[k]);
			} else if (op < 80) {
				/* Give a block away, take another's. */
				j = next_rand(&rng) % TRANSFERS;
				items[k] = __atomic_exchange_n(&transfer[j],
							       items[k],
							       __ATOMIC_ACQ_REL);
			} else {
				drop(items[k]);
				items[k] = NULL;
			}
		}
	}
	for (k = 0; k < ITEMS; k++)
		drop(items[k]);
	free(items);
	return NULL;
}

static int stop_churn;

static void *churn(void *arg)
{
	uint64_t rng = (uintptr_t)arg;
	void *p[16] = { NULL };
	int k;

	while (!__atomic_load_n(&stop_churn, __ATOMIC_RELAXED)) {
		k = next_rand(&rng) % 16;
		free(p[k]);
		p[k] = malloc(2049 + next_rand(&rng) % 20000);
	}
	for (k = 0; k < 16; k++)
		free(p[k]);
	return NULL;
}

static int fork_test(int forks)
{
	pthread_t threads[3];
	int t, bad = 0, status;
	pid_t pid;

	for (t = 0; t < 3; t++)
		if (pthread_create(&threads[t], NULL, churn,
				   (void *)(uintptr_t)(t + 1)))
			return 1;
	for (t = 0; t < forks; t++) {
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			void *a, *b;

			alarm(10);
			a = malloc(5000);
			b = malloc(100);
			free(a);
			free(b);
			_exit(a && b ? 0 : 1);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "stress: child %d of %d: %s %d\n", t,
				forks, WIFSIGNALED(status) ? "signal" : "status",
				WIFSIGNALED(status) ? WTERMSIG(status) :
				WEXITSTATUS(status));
			bad++;
		}
	}
	__atomic_store_n(&stop_churn, 1, __ATOMIC_RELAXED);
	for (t = 0; t < 3; t++)
		pthread_join(threads[t], NULL);
	if (bad)
		return 1;
	printf("stress: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t *threads;
	int t;

	if (argc > 1 && !strcmp(argv[1], "fork"))
		return fork_test(argc > 2 ? atoi(argv[2]) : 300);

	if (argc > 1)
		nr_threads = atoi(argv[1]);
	if (argc > 2)
		rounds = atoi(argv[2]);
	if (nr_threads < 1 || rounds < 1) {
		fprintf(stderr, "usage: stress [THREADS [ROUNDS]]\n");
		return 2;
	}
	threads = calloc(nr_threads, sizeof(*threads));
	if (!threads)
		return 1;
	for (t = 0; t < nr_threads; t++)
		if (pthread_create(&threads[t], NULL, run,
				   (void *)(uintptr_t)(t + 1)))
			return 1;
	for (t = 0; t < nr_threads; t++)
		pthread_join(threads[t], NULL);
	for (t = 0; t < TRANSFERS; t++)
		drop(transfer[t]);
	free(threads);
	if (failed)
		return 1;
	printf("stress: ok\n");
	return 0;
}
