// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/pgclass/: the arena as the allocator sees it.
 *
 *	stats	"key: value" lines, the counters of struct pgclass_stats
 *	classes	one row per size class, then a total row
 *	pages	one line per allocator page
 *	blocks	one line per block handed out through /dev/pgclass
 *	map	one character per allocator page, 64 per line
 *	cpus	what each CPU's slot holds and has done, then a total row
 *
 * Each file but blocks is one seq_file record: the page walk holds the
 * pool's lock, so such a file is a consistent snapshot.  A walk's
 * callback only prints into the seq_file buffer, which does not sleep; if
 * the buffer overflows, seq_file calls the show function again with a
 * larger one, and the large files are opened with a buffer sized for the
 * arena to begin with.  blocks is a record per block, read from each open
 * file in turn (see there).
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pgclass.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <uapi/linux/pgclass.h>

#include "internal.h"

#define PGCLASS_MAP_WIDTH	64

/* Room for a class name or any number printed in a column. */
#define PGCLASS_NAME_LEN	24

/* Printed sizes of a line of "pages", and of the header and legends. */
#define PGCLASS_PAGES_LINE	48
#define PGCLASS_SLACK		512

/* The stats file's keys, in order: the STATS ioctl's fields, same names. */
#define PGCLASS_STAT(f)	{ #f, offsetof(struct pgclass_ioc_stats, f) }
static const struct {
	const char *key;
	size_t offset;
} pgclass_stat_keys[] = {
	PGCLASS_STAT(page_size),
	PGCLASS_STAT(nr_pages),
	PGCLASS_STAT(meta_pages),
	PGCLASS_STAT(free_pages),
	PGCLASS_STAT(used_pages),
	PGCLASS_STAT(blocks),
	PGCLASS_STAT(bytes_allocated),
	PGCLASS_STAT(bytes_requested),
	PGCLASS_STAT(peak_used_pages),
	PGCLASS_STAT(alloc_calls),
	PGCLASS_STAT(free_calls),
	PGCLASS_STAT(realloc_calls),
	PGCLASS_STAT(failed_calls),
	PGCLASS_STAT(fit_scans),
	PGCLASS_STAT(cached_blocks),
	PGCLASS_STAT(cached_pages),
	PGCLASS_STAT(cache_busy_failures),
};

static int pgclass_stats_show(struct seq_file *m, void *v)
{
	struct pgclass_dev *dev = m->private;
	struct pgclass_ioc_stats st;
	unsigned int i;

	pgclass_blocks_stats(dev, &st);
	for (i = 0; i < ARRAY_SIZE(pgclass_stat_keys); i++)
		seq_printf(m, "%s: %llu\n", pgclass_stat_keys[i].key,
			   *(__u64 *)((char *)&st + pgclass_stat_keys[i].offset));
	return 0;
}

static void pgclass_cpus_row(struct seq_file *m, const char *name,
			     const struct pgclass_cpu_stats *cs)
{
	seq_printf(m, "%-6s %12llu %12llu %12llu %12llu %8llu %8llu %12llu %13llu\n",
		   name, cs->alloc_calls, cs->free_calls, cs->realloc_calls,
		   cs->remote_frees, cs->refills, cs->flushes,
		   cs->cached_pages, cs->cached_blocks);
}

/*
 * One row per CPU whose slot holds a page or has served a call, then the
 * sum.  Each row is read without the slot's lock: exact when idle.
 */
static int pgclass_cpus_show(struct seq_file *m, void *v)
{
	struct pgclass_dev *dev = m->private;
	unsigned int cpu, n = pgclass_nr_cpu_slots(dev->pool);
	struct pgclass_cpu_stats cs, total = { 0 };
	char name[PGCLASS_NAME_LEN];

	seq_printf(m, "%-6s %12s %12s %12s %12s %8s %8s %12s %13s\n", "cpu",
		   "alloc_calls", "free_calls", "realloc_calls",
		   "remote_frees", "refills", "flushes", "cached_pages",
		   "cached_blocks");
	for (cpu = 0; cpu < n; cpu++) {
		if (pgclass_get_cpu_stats(dev->pool, cpu, &cs))
			break;
		if (!cs.alloc_calls && !cs.free_calls && !cs.realloc_calls &&
		    !cs.refills && !cs.cached_pages)
			continue;
		snprintf(name, sizeof(name), "%u", cpu);
		pgclass_cpus_row(m, name, &cs);
		total.alloc_calls += cs.alloc_calls;
		total.free_calls += cs.free_calls;
		total.realloc_calls += cs.realloc_calls;
		total.remote_frees += cs.remote_frees;
		total.refills += cs.refills;
		total.flushes += cs.flushes;
		total.cached_pages += cs.cached_pages;
		total.cached_blocks += cs.cached_blocks;
	}
	pgclass_cpus_row(m, "total", &total);
	return 0;
}

static unsigned int pgclass_util_pct(u64 used, u64 total)
{
	return total ? div64_u64(used * 100, total) : 0;
}

static void pgclass_classes_row(struct seq_file *m, const char *name,
				const char *block_size, u64 pages, u64 used,
				u64 total)
{
	seq_printf(m, "%-6s %10s %8llu %12llu %12llu %8u\n", name, block_size,
		   pages, used, total, pgclass_util_pct(used, total));
}

static int pgclass_classes_show(struct seq_file *m, void *v)
{
	struct pgclass_class_stats all[PGCLASS_MAX_CLASSES];
	struct pgclass_dev *dev = m->private;
	u64 pages = 0, used = 0, total = 0;
	char name[PGCLASS_NAME_LEN], size[PGCLASS_NAME_LEN];
	const char *bs;
	int i, nr;

	/* One snapshot, so that the total row is the rows' sum. */
	nr = pgclass_get_classes(dev->pool, all, ARRAY_SIZE(all));
	seq_printf(m, "%-6s %10s %8s %12s %12s %8s\n", "class", "block_size",
		   "pages", "blocks_used", "blocks_total", "util_pct");
	for (i = 0; i < nr; i++) {
		const struct pgclass_class_stats cs = all[i];

		/* The "multi" class has no one block size. */
		bs = "-";
		if (cs.block_size) {
			snprintf(size, sizeof(size), "%u", cs.block_size);
			bs = size;
		}
		pgclass_classes_row(m, pgclass_class_name(dev, cs.block_size,
							  name, sizeof(name)),
				    bs, cs.pages, cs.blocks_used,
				    cs.blocks_total);
		pages += cs.pages;
		used += cs.blocks_used;
		total += cs.blocks_total;
	}
	pgclass_classes_row(m, "total", "-", pages, used, total);
	return 0;
}

#define PGCLASS_PAGES_FMT	"%7s %-10s %-5s %6s %5s %5s\n"

static void pgclass_pages_line(struct seq_file *m, struct pgclass_dev *dev,
			       unsigned long index, const char *state,
			       const char *class, const char *used,
			       const char *total)
{
	char idx[PGCLASS_NAME_LEN], off[PGCLASS_NAME_LEN];

	snprintf(idx, sizeof(idx), "%lu", index);
	snprintf(off, sizeof(off), "0x%lx", index << dev->page_shift);
	seq_printf(m, PGCLASS_PAGES_FMT, idx, off, state, class, used, total);
}

/*
 * pages and map print a line or a character per page, which for a free
 * run of a million pages is a lot of printing: they collect extents a
 * batch at a time under the pool's lock (pgclass_walk_from()) and print
 * them with no lock held.
 */
#define PGCLASS_WALK_BATCH	32

struct pgclass_walk_ctx {
	struct seq_file *m;
	struct pgclass_dev *dev;
	unsigned int col;
	unsigned int nr;
	struct pgclass_extent ext[PGCLASS_WALK_BATCH];
};

/* Called under the pool's spinlock: copies, then stops when full. */
static int pgclass_collect_extent(void *data, const struct pgclass_extent *ext)
{
	struct pgclass_walk_ctx *ctx = data;

	ctx->ext[ctx->nr] = *ext;
	ctx->ext[ctx->nr].map = NULL;	/* the walk's copy: not kept */
	return ++ctx->nr == PGCLASS_WALK_BATCH;
}

/*
 * The body of pages and map: walks the pool, calling @print for each
 * extent with no lock held, and ends a last line that @print left short.
 * The batch is too large for the stack.
 */
static int pgclass_print_extents(struct seq_file *m,
				 void (*print)(struct pgclass_walk_ctx *ctx,
					       const struct pgclass_extent *ext))
{
	struct pgclass_walk_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	unsigned long pos = 0;
	unsigned int i;
	int more;

	if (!ctx)
		return -ENOMEM;
	ctx->m = m;
	ctx->dev = m->private;
	do {
		ctx->nr = 0;
		more = pgclass_walk_from(ctx->dev->pool, &pos,
					 pgclass_collect_extent, ctx);
		for (i = 0; i < ctx->nr; i++)
			print(ctx, &ctx->ext[i]);
		/* seq_file will retry with a larger buffer: stop now. */
	} while (more && !seq_has_overflowed(m));
	if (ctx->col)
		seq_putc(m, '\n');
	kfree(ctx);
	return 0;
}

static void pgclass_pages_extent(struct pgclass_walk_ctx *ctx,
				 const struct pgclass_extent *ext)
{
	struct pgclass_dev *dev = ctx->dev;
	struct seq_file *m = ctx->m;
	char class[PGCLASS_NAME_LEN], used[PGCLASS_NAME_LEN];
	char total[PGCLASS_NAME_LEN];
	unsigned long i, end = ext->first + ext->nr_pages;

	switch (ext->state) {
	case PGCLASS_PAGE_META:
	case PGCLASS_PAGE_FREE:
		for (i = ext->first; i < end; i++)
			pgclass_pages_line(m, dev, i,
					   ext->state == PGCLASS_PAGE_META ?
					   "meta" : "free", "-", "-", "-");
		break;
	case PGCLASS_PAGE_SMALL:
	case PGCLASS_PAGE_WHOLE:
		snprintf(used, sizeof(used), "%u", ext->used);
		snprintf(total, sizeof(total), "%u", ext->total);
		pgclass_pages_line(m, dev, ext->first,
				   ext->state == PGCLASS_PAGE_SMALL ?
				   "small" : "whole",
				   pgclass_class_name(dev, ext->block_size,
						      class, sizeof(class)),
				   used, total);
		break;
	case PGCLASS_PAGE_HEAD:
	case PGCLASS_PAGE_TAIL:
		/*
		 * A head line gives the run's length as its total.  A TAIL
		 * extent is the rest of a block that the walk resumed in.
		 */
		i = ext->first;
		if (ext->state == PGCLASS_PAGE_HEAD) {
			snprintf(total, sizeof(total), "%lu", ext->nr_pages);
			pgclass_pages_line(m, dev, i++, "head", "multi", "1",
					   total);
		}
		for (; i < end; i++)
			pgclass_pages_line(m, dev, i, "tail", "multi", "-", "-");
		break;
	}
}

static int pgclass_pages_show(struct seq_file *m, void *v)
{
	seq_printf(m, PGCLASS_PAGES_FMT, "index", "offset", "state", "class",
		   "used", "total");
	return pgclass_print_extents(m, pgclass_pages_extent);
}

/*
 * blocks: a header line, then one line per block (docs/debugfs.md,
 * "blocks").
 *
 * The blocks are each open file's, under each file's own lock: the walk
 * goes up by offset, asking every file for its first block at or above
 * the offset after the one printed last.  Position 0 is the header;
 * position p stands for offset p - 1.  So between two reads nothing is
 * held, and no block is printed twice.
 */
struct pgclass_blocks_iter {
	struct pgclass_dev *dev;
	struct pgclass_block_info info;
};

static void *pgclass_blocks_at(struct seq_file *m, loff_t pos)
{
	struct pgclass_blocks_iter *it = m->private;

	if (!pos)
		return SEQ_START_TOKEN;
	return pgclass_blocks_find(it->dev, pos - 1, &it->info) ?
	       &it->info : NULL;
}

static void *pgclass_blocks_start(struct seq_file *m, loff_t *pos)
{
	struct pgclass_blocks_iter *it = m->private;

	pgclass_blocks_walk_begin(it->dev);
	return pgclass_blocks_at(m, *pos);
}

static void *pgclass_blocks_next(struct seq_file *m, void *v, loff_t *pos)
{
	const struct pgclass_block_info *info = v;

	*pos = v == SEQ_START_TOKEN ? 1 : info->handle + 2;
	return pgclass_blocks_at(m, *pos);
}

static void pgclass_blocks_stop(struct seq_file *m, void *v)
{
	struct pgclass_blocks_iter *it = m->private;

	pgclass_blocks_walk_end(it->dev);
}

/*
 * Offset, usable size, class, owner and mapped.  The owner is
 * "pid:<opener's pid>/<open serial number>", so that two opens by one
 * process stay apart; mapped is the number of VMAs mapping the block
 * (0 when it is not mapped), last so that readers of the four older
 * columns go on working.
 */
static int pgclass_blocks_show(struct seq_file *m, void *v)
{
	struct pgclass_blocks_iter *it = m->private;
	const struct pgclass_block_info *info = v;
	char class[PGCLASS_NAME_LEN], owner[32];

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%-10s %10s %6s %-16s %s\n", "offset", "size",
			   "class", "owner", "mapped");
		return 0;
	}
	snprintf(owner, sizeof(owner), "pid:%d/%u", info->pid, info->serial);
	seq_printf(m, "0x%-8lx %10zu %6s %-16s %u\n", info->handle,
		   info->usable,
		   pgclass_class_name(it->dev, info->usable, class,
				      sizeof(class)),
		   owner, info->maps);
	return 0;
}

static const struct seq_operations pgclass_blocks_seq_ops = {
	.start	= pgclass_blocks_start,
	.next	= pgclass_blocks_next,
	.stop	= pgclass_blocks_stop,
	.show	= pgclass_blocks_show,
};

static char pgclass_map_char(const struct pgclass_extent *ext,
			     unsigned long index)
{
	switch (ext->state) {
	case PGCLASS_PAGE_META:
		return 'M';
	case PGCLASS_PAGE_FREE:
		return '.';
	case PGCLASS_PAGE_SMALL:
		return 'a' + ext->class;
	case PGCLASS_PAGE_WHOLE:
		return 'P';
	default:
		return ext->state == PGCLASS_PAGE_HEAD && index == ext->first ?
		       'H' : '=';
	}
}

static void pgclass_map_extent(struct pgclass_walk_ctx *ctx,
			       const struct pgclass_extent *ext)
{
	unsigned long i;

	for (i = ext->first; i < ext->first + ext->nr_pages; i++) {
		seq_putc(ctx->m, pgclass_map_char(ext, i));
		if (++ctx->col == PGCLASS_MAP_WIDTH) {
			seq_putc(ctx->m, '\n');
			ctx->col = 0;
		}
	}
}

/* The legend names each small class's letter by its block size. */
static void pgclass_map_legend(struct seq_file *m, struct pgclass_dev *dev)
{
	unsigned int i, nr = pgclass_nr_classes(dev->pool);
	size_t page_size = 1UL << dev->page_shift;

	seq_puts(m, "M meta  . free ");
	for (i = 0; i < nr; i++) {
		struct pgclass_class_stats cs;

		if (pgclass_get_class_stats(dev->pool, i, &cs) ||
		    !cs.block_size || cs.block_size >= page_size)
			continue;
		seq_printf(m, " %c %u", 'a' + i, cs.block_size);
	}
	seq_puts(m, "  P page  H= multi-page run\n");
}

static int pgclass_map_show(struct seq_file *m, void *v)
{
	pgclass_map_legend(m, m->private);
	return pgclass_print_extents(m, pgclass_map_extent);
}

DEFINE_SHOW_ATTRIBUTE(pgclass_stats);
DEFINE_SHOW_ATTRIBUTE(pgclass_cpus);
DEFINE_SHOW_ATTRIBUTE(pgclass_classes);

static int pgclass_blocks_open(struct inode *inode, struct file *file)
{
	struct pgclass_blocks_iter *it;

	it = __seq_open_private(file, &pgclass_blocks_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->dev = inode->i_private;
	return 0;
}

static int pgclass_pages_open(struct inode *inode, struct file *file)
{
	struct pgclass_dev *dev = inode->i_private;
	size_t size = ((size_t)dev->nr_pages + 1) * PGCLASS_PAGES_LINE;

	return single_open_size(file, pgclass_pages_show, dev,
				size + PGCLASS_SLACK);
}

static int pgclass_map_open(struct inode *inode, struct file *file)
{
	struct pgclass_dev *dev = inode->i_private;
	size_t size = dev->nr_pages + dev->nr_pages / PGCLASS_MAP_WIDTH;

	return single_open_size(file, pgclass_map_show, dev,
				size + PGCLASS_SLACK);
}

/* pages and map: single_open_size(), for a buffer sized to the arena. */
#define PGCLASS_SIZED_FOPS(name)					\
static const struct file_operations pgclass_##name##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= pgclass_##name##_open,			\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}

PGCLASS_SIZED_FOPS(pages);
PGCLASS_SIZED_FOPS(map);

static const struct file_operations pgclass_blocks_fops = {
	.owner		= THIS_MODULE,
	.open		= pgclass_blocks_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

/**
 * pgclass_debugfs_init() - create /sys/kernel/debug/pgclass/
 * @dev: the device, with its pool built
 *
 * Like all debugfs users, carries on without it if it fails.
 */
void pgclass_debugfs_init(struct pgclass_dev *dev)
{
	struct dentry *dir = debugfs_create_dir(KBUILD_MODNAME, NULL);

	dev->debugfs = dir;
	debugfs_create_file("stats", 0400, dir, dev, &pgclass_stats_fops);
	debugfs_create_file("classes", 0400, dir, dev, &pgclass_classes_fops);
	debugfs_create_file("pages", 0400, dir, dev, &pgclass_pages_fops);
	debugfs_create_file("blocks", 0400, dir, dev, &pgclass_blocks_fops);
	debugfs_create_file("map", 0400, dir, dev, &pgclass_map_fops);
	debugfs_create_file("cpus", 0400, dir, dev, &pgclass_cpus_fops);
}

/**
 * pgclass_debugfs_exit() - remove /sys/kernel/debug/pgclass/
 * @dev: the device
 *
 * Waits for readers that are inside a show function to leave it.
 */
void pgclass_debugfs_exit(struct pgclass_dev *dev)
{
	debugfs_remove_recursive(dev->debugfs);
	dev->debugfs = NULL;
}
