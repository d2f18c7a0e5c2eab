// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: random alloc, alloc_aligned, free, realloc, bad free
 * and usable_size calls (fixed seed, -s to change it), each checked against
 * the reference model of model.h.  After every step the statistics match
 * the model; every so often the whole pool is compared with the model page
 * by page, every live block verified and every granule's poison checked,
 * and all blocks are freed.
 */
#include <string.h>

#include "model.h"

struct diff {
	struct model m;
	struct rng r;
};

static size_t rand_size(struct diff *d)
{
	const struct ctx *c = &d->m.c;
	uint64_t x = rng_below(&d->r, 100);
	unsigned int k;

	if (x < 5)
		return 1 + rng_below(&d->r, 16);
	if (x < 55) {
		k = rng_below(&d->r, d->m.nr_small);
		return (8UL << k) + 1 + rng_below(&d->r, 8UL << k);
	}
	if (x < 70)
		return c->page / 2 + 1 + rng_below(&d->r, c->page / 2);
	if (x < 90)
		return c->page + 1 + rng_below(&d->r, 3 * c->page);
	if (x < 99)
		return c->page + 1 + rng_below(&d->r, 15 * c->page);
	return c->page + 1 + rng_below(&d->r, c->data_pages * c->page);
}

static void do_alloc(struct diff *d)
{
	size_t size = rand_size(d);

	if (rng_below(&d->r, 10) == 0)
		model_alloc_aligned(&d->m, size,
				    1UL << rng_below(&d->r, d->m.c.shift + 1));
	else
		model_alloc(&d->m, size);
}

static void do_realloc_edge(struct diff *d)
{
	if (d->m.nb && rng_below(&d->r, 2))
		model_realloc_zero(&d->m, rng_below(&d->r, d->m.nb));
	else
		model_realloc_null(&d->m, 100);
}

/* A pointer of a random kind that is not a block, freed or reallocated. */
static void do_bad_free(struct diff *d)
{
	struct model *m = &d->m;
	enum model_bad kind = rng_below(&d->r, MODEL_NR_BAD);
	uint64_t a = rng_next(&d->r), b = rng_next(&d->r);
	char *p = model_bad_ptr(m, kind, a, b);

	if (!p)
		return;
	if (model_live_start(m, p)) {
		T_EQ(pgclass_usable_size(m->c.pool, p),
		     m->b[m->idx_of_id[m->owner[(p - m->c.base) >> 4]]].usable);
		return;
	}
	if (rng_below(&d->r, 4))
		model_refuse(m, p, false, 0);
	else
		model_refuse(m, p, true, 1 + rng_below(&d->r, 5000));
}

/* One random step; the mix leans to frees when the pool is full. */
static void step(struct diff *d)
{
	struct model *m = &d->m;
	unsigned long fill_pct = m->occupied * 100 / m->c.data_pages;
	uint64_t x = rng_below(&d->r, 100);

	if (fill_pct > 75)
		x = x < 25 ? 0 : x < 75 ? 1 : x < 88 ? 2 : x < 93 ? 3 :
		    x < 96 ? 4 : 5;
	else
		x = x < 45 ? 0 : x < 70 ? 1 : x < 86 ? 2 : x < 90 ? 3 :
		    x < 95 ? 4 : 5;
	if (!m->nb && (x == 1 || x == 2 || x == 5))
		x = 0;
	switch (x) {
	case 0:
		do_alloc(d);
		break;
	case 1:
		model_free(m, rng_below(&d->r, m->nb));
		break;
	case 2:
		model_realloc(m, rng_below(&d->r, m->nb), rand_size(d));
		break;
	case 3:
		do_realloc_edge(d);
		break;
	case 4:
		do_bad_free(d);
		break;
	default:
		model_usable_size(m, rng_below(&d->r, m->nb));
		break;
	}
}

static int t_differential_oob(const struct test_case *tc);

static int t_differential(const struct test_case *tc)
{
	unsigned long ops = test_ops ? test_ops : tc->arg;
	unsigned long check_every = tc->page_shift <= 12 ? 2000 : 5000;
	struct pgclass_stats st;
	struct diff d;
	struct model *m = &d.m;

	memset(&d, 0, sizeof(d));
	if (tc->fn == t_differential_oob)
		T_OK(ctx_new_oob(&m->c, 256, tc->page_shift));
	else
		T_OK(ctx_new(&m->c, 256, tc->page_shift));
	model_init(m);
	rng_seed(&d.r, test_seed ^ ((uint64_t)tc->page_shift << 40));
	for (m->step = 1; m->step <= ops; m->step++) {
		step(&d);
		model_check_stats(m);
		if (m->step % check_every == 0)
			model_full_check(m);
		if (m->step % 50000 == 0)
			model_free_all(m);
	}
	model_full_check(m);
	pgclass_get_stats(m->c.pool, &st);
	model_free_all(m);
	model_check_stats(m);
	printf("# %lu ops: %lu reallocs moved, %lu in place, %lu shrinks kept, ",
	       ops, m->moves, m->stays, m->kept);
	printf("%lu failed (%llu fit scans), %lu bad pointers\n", m->fails,
	       (unsigned long long)st.fit_scans, m->bad);
	model_fini(m);
	return 0;
}

/* The same over a pool whose range is mapped nowhere: a touch faults. */
static int t_differential_oob(const struct test_case *tc)
{
	return t_differential(tc);
}

const struct test_case diff_tests[] = {
	{ "differential vs model, 256 pages of 512 B", t_differential, 9, 300000 },
	{ "differential vs model, 256 pages of 1 KiB", t_differential, 10, 150000 },
	{ "differential vs model, 256 pages of 4 KiB", t_differential, 12, 300000 },
	{ "differential vs model, 256 pages of 16 KiB", t_differential, 14, 150000 },
	{ "differential vs model, 256 pages of 64 KiB", t_differential, 16, 100000 },
	{ "differential vs model, out of band, 256 pages of 512 B",
	  t_differential_oob, 9, 100000 },
	{ "differential vs model, out of band, 256 pages of 4 KiB",
	  t_differential_oob, 12, 100000 },
	{ "differential vs model, out of band, 256 pages of 64 KiB",
	  t_differential_oob, 16, 50000 },
};

const size_t nr_diff_tests = ARRAY_SIZE(diff_tests);
