// SPDX-License-Identifier: GPL-2.0
/*
 * A threaded malloc stress in the manner of mimalloc's test-stress: each
 * thread keeps a set of blocks of random sizes (mostly small, a few of
 * many pages), replaces, grows and shrinks them at random, and swaps some
 * with a shared transfer array, so that blocks are freed and reallocated
 * on threads other than the one that allocated them.  Every block carries
 * its identity and a pattern derived from it, checked before each free
 * and realloc against the identity its holder keeps apart: a block handed
 * out again while held (its new holder writes another identity), or moved
 * without its contents, is found.  It calls only the C library's malloc family: run it on
 * libpgclass-malloc.so (LD_PRELOAD), or on anything else for comparison.
 *
 *	stress [THREADS [ROUNDS]]	(defaults 8 and 20)
 *	stress fork [FORKS]		(default 300)
 *
 * Prints "stress: ok" and exits 0, or names the first bad block and
 * exits 1.  The fork mode forks while three threads allocate and free
 * small blocks and blocks of a page and more, which take the allocator's
 * locks: each child allocates both and must exit within 10 seconds.  A child that
 * inherited a lock held at the fork hangs, and SIGALRM tells.
 */
#include <linux/types.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ITEMS		2000
#define TRANSFERS	1000
#define STEPS		20000

struct block {
	u64 id;		/* identity: the pattern's seed */
	size_t words;		/* payload words after the header */
	u64 data[];
};

static struct block *transfer[TRANSFERS];
static int nr_threads = 8, rounds = 20;
static int failed;

static u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mostly small, sometimes a page or two, rarely up to 64 pages. */
static size_t pick_words(u64 *rng)
{
	u64 r = next_rand(rng) % 1000;

	if (r < 900)
		return next_rand(rng) % 64;
	if (r < 995)
		return next_rand(rng) % 1024;
	return next_rand(rng) % 32768;
}

static u64 pattern(u64 id, size_t i)
{
	return id * 0x9e3779b97f4a7c15ULL + i;
}

static struct block *make(u64 *rng, u64 id)
{
	size_t words = pick_words(rng), i;
	struct block *b = malloc(sizeof(*b) + words * sizeof(u64));

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

static int check(const struct block *b, u64 id, const char *when)
{
	size_t i;

	if (b->id != id) {
		fprintf(stderr, "stress: block %p is id %llu, not %llu, %s\n",
			(void *)b, (unsigned long long)b->id,
			(unsigned long long)id, when);
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
		return -1;
	}
	for (i = 0; i < b->words; i++) {
		if (b->data[i] != pattern(id, i)) {
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

static void drop(struct block *b, u64 id)
{
	if (b && !check(b, id, "at free"))
		free(b);
}

/* Grow or shrink @b with realloc(); what it kept must be intact. */
static struct block *resize(u64 *rng, struct block *b, u64 id)
{
	size_t words = pick_words(rng), i, keep;
	struct block *n;

	if (check(b, id, "before realloc"))
		return b;
	n = realloc(b, sizeof(*n) + words * sizeof(u64));
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
	u64 tid = (uintptr_t)arg, rng = tid * 2654435761ULL + 1, id;
	struct block **items = calloc(ITEMS, sizeof(*items));
	u64 *ids = calloc(ITEMS, sizeof(*ids));	/* what items[] are */
	int r, s, k, j;

	if (!items || !ids) {
		__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	id = tid << 40;
	for (r = 0; r < rounds && !__atomic_load_n(&failed, __ATOMIC_RELAXED);
	     r++) {
		for (s = 0; s < STEPS; s++) {
			u64 op = next_rand(&rng) % 100;

			k = next_rand(&rng) % ITEMS;
			if (op < 50) {
				drop(items[k], ids[k]);
				items[k] = make(&rng, ++id);
				ids[k] = id;
			} else if (op < 65) {
				if (items[k])
					items[k] = resize(&rng, items[k],
							  ids[k]);
			} else if (op < 80) {
				/* Give a block away, take another's. */
				j = next_rand(&rng) % TRANSFERS;
				items[k] = __atomic_exchange_n(&transfer[j],
							       items[k],
							       __ATOMIC_ACQ_REL);
				/* Taken on trust here, checked from now. */
				ids[k] = items[k] ? items[k]->id : 0;
			} else {
				drop(items[k], ids[k]);
				items[k] = NULL;
			}
		}
	}
	for (k = 0; k < ITEMS; k++)
		drop(items[k], ids[k]);
	free(items);
	free(ids);
	return NULL;
}

static int stop_churn;

static void *churn(void *arg)
{
	u64 rng = (uintptr_t)arg;
	void *p[16] = { NULL };
	int k;

	while (!__atomic_load_n(&stop_churn, __ATOMIC_RELAXED)) {
		k = next_rand(&rng) % 16;
		free(p[k]);
		/* Half small (slot locks), half a page or more (pool lock). */
		p[k] = malloc(k & 1 ? 2049 + next_rand(&rng) % 20000 :
				      1 + next_rand(&rng) % 2048);
	}
	for (k = 0; k < 16; k++)
		free(p[k]);
	return NULL;
}

static int fork_test(int forks)
{
	pthread_t threads[3];
	int t, bad = 0, status = 0;
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
			b = malloc(1 + t % 2048);
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
			break;	/* one hang is the answer: no need for more */
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
		if (transfer[t])
			drop(transfer[t], transfer[t]->id);
	free(threads);
	if (failed)
		return 1;
	printf("stress: ok\n");
	return 0;
}
