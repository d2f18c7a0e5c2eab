/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclass.ko: what module.c, chardev.c and debugfs.c share.  The
 * allocator itself (core.c) knows none of this.
 */
#ifndef _PGCLASS_INTERNAL_H
#define _PGCLASS_INTERNAL_H

#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>

struct dentry;
struct pgclass_pool;
struct seq_file;

/**
 * struct pgclass_dev - the module's one arena and its users
 * @pool: the allocator over [@base, @base + @size)
 * @base: the arena, aligned to the allocator page size
 * @size: the arena's size in bytes, @nr_pages << @page_shift
 * @page_shift: log2 of the allocator page size
 * @nr_pages: allocator pages in the arena
 * @misc: /dev/pgclass
 * @debugfs: the debugfs directory, or an error pointer
 * @lock: protects the fields below it (see there)
 * @blocks: every block handed out through /dev/pgclass, keyed by handle
 * @bytes_requested: the sum of the sizes asked for those blocks
 * @next_serial: the serial number the last open file got
 */
struct pgclass_dev {
	struct pgclass_pool *pool;
	void *base;
	size_t size;
	unsigned int page_shift;
	unsigned int nr_pages;
	struct miscdevice misc;
	struct dentry *debugfs;

	/*
	 * Protects @blocks, @bytes_requested, @next_serial and each open
	 * file's list of blocks.  Pool calls that create, move or destroy a
	 * block are made under it too, so that @blocks always matches the
	 * pool and no file is handed a handle still in the tree.  Nests
	 * inside an open file's lock and outside the pool's spinlock.
	 */
	struct mutex lock;
	struct rb_root blocks;
	u64 bytes_requested;
	unsigned int next_serial;
};

int pgclass_chardev_init(struct pgclass_dev *dev);
void pgclass_chardev_exit(struct pgclass_dev *dev);
u64 pgclass_chardev_bytes_requested(struct pgclass_dev *dev);
void pgclass_chardev_show_blocks(struct pgclass_dev *dev, struct seq_file *m);

void pgclass_debugfs_init(struct pgclass_dev *dev);
void pgclass_debugfs_exit(struct pgclass_dev *dev);

/* Room for a class name or any number printed in a debugfs column. */
#define PGCLASS_NAME_LEN	24

const char *pgclass_class_name(struct pgclass_dev *dev, size_t block_size,
			       char *buf, size_t len);

#endif /* _PGCLASS_INTERNAL_H */
