/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclass.ko: what module.c, chardev.c, blocks.c and debugfs.c share.
 * The allocator itself (core.c) knows none of this.
 *
 * Calls run one way: module -> chardev -> blocks -> core; debugfs reads
 * blocks and core and is called by nobody but module.c's init and exit.
 *
 * Lock order, outermost first: a lock may be taken while holding one of a
 * lower number, never one of a higher number.
 *
 *  1. mmap_lock (the mm's, held around mmap and the VMAs' open and close)
 *     or pgclass_dev.files_lock (a mutex: open, release, debugfs's walk of
 *     the blocks).  These two never nest: seq_file copies a debugfs
 *     record out after the walk has let files_lock go.
 *  2. pgclass_file.lock (blocks.c): a spinlock per open file, held for a
 *     tree lookup and a few counters.  Nothing that may fault on user
 *     memory or sleep runs under it; no pool call is made under it
 *     either, though one could be (the pool calls nothing back).
 *  3. a CPU slot's lock (core.c): only ever trylocked, so the pool may
 *     also try one while it holds 4.
 *  4. the pool's lock (core.c): a raw_spinlock_t, taken with interrupts
 *     off and held for bounded work; pgclass_walk_from() calls back
 *     with it held.
 *
 * 3 and 4 are the core's own and the same in user space; core.c's head
 * says why the core never waits for a slot.
 */
#ifndef _PGCLASS_INTERNAL_H
#define _PGCLASS_INTERNAL_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct dentry;
struct pgclass_block;
struct pgclass_file;
struct pgclass_pool;
struct pgclass_ioc_stats;

/**
 * struct pgclass_dev - the module's one arena and its users
 * @pool: the allocator over [@base, @base + @size)
 * @base: the arena, aligned to the allocator page size
 * @size: the arena's size in bytes, @nr_pages << @page_shift
 * @page_shift: log2 of the allocator page size
 * @nr_pages: allocator pages in the arena
 * @misc: /dev/pgclass
 * @debugfs: the debugfs directory, or an error pointer
 * @files_lock: protects the fields below it (see there)
 * @files: every open file of /dev/pgclass (struct pgclass_file, blocks.c)
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
	 * Protects @files and @next_serial.  Taken at open and release and
	 * by debugfs's walk of the blocks, never around a pool call or by
	 * an ioctl: each file's blocks are under that file's own lock (lock
	 * order: above).  @files is also read under RCU, to sum the files'
	 * counters.
	 */
	struct mutex files_lock;
	struct list_head files;
	unsigned int next_serial;
};

int pgclass_chardev_init(struct pgclass_dev *dev);
void pgclass_chardev_exit(struct pgclass_dev *dev);

/**
 * struct pgclass_block_ref - a block held for a copy (READ, WRITE) or mmap
 * @blk: the block
 * @data: its first byte (for mmap: the mapping's first byte)
 * @usable: its usable size
 */
struct pgclass_block_ref {
	struct pgclass_block *blk;
	void *data;
	size_t usable;
};

/**
 * struct pgclass_block_info - a block as debugfs shows it
 * @handle: its offset in the arena
 * @usable: its usable size
 * @maps: the VMAs that map it
 * @pid: the thread group that opened the file owning it
 * @serial: that open's number since the module was loaded
 */
struct pgclass_block_info {
	unsigned long handle;
	size_t usable;
	unsigned int maps;
	pid_t pid;
	unsigned int serial;
};

struct pgclass_file *pgclass_file_open(struct pgclass_dev *dev);
void pgclass_file_release(struct pgclass_file *pf);
struct pgclass_dev *pgclass_file_dev(struct pgclass_file *pf);
struct pgclass_block *pgclass_blocks_alloc(struct pgclass_file *pf, u64 size,
					   u64 *handle, u64 *usable);
void pgclass_blocks_publish(struct pgclass_file *pf, struct pgclass_block *blk);
void pgclass_blocks_discard(struct pgclass_file *pf, struct pgclass_block *blk);
int pgclass_blocks_free(struct pgclass_file *pf, u64 handle);
int pgclass_blocks_realloc(struct pgclass_file *pf, u64 handle, u64 size,
			   u64 *new_handle, u64 *usable);
int pgclass_blocks_get(struct pgclass_file *pf, u64 handle,
		       struct pgclass_block_ref *ref);
void pgclass_blocks_put(struct pgclass_file *pf, struct pgclass_block_ref *ref);
int pgclass_blocks_map(struct pgclass_file *pf, u64 off, u64 len,
		       struct pgclass_block_ref *ref);
void pgclass_blocks_map_again(struct pgclass_file *pf,
			      struct pgclass_block *blk);
void pgclass_blocks_unmap(struct pgclass_file *pf, struct pgclass_block *blk);
void pgclass_blocks_stats(struct pgclass_dev *dev,
			  struct pgclass_ioc_stats *out);
void pgclass_blocks_walk_begin(struct pgclass_dev *dev);
void pgclass_blocks_walk_end(struct pgclass_dev *dev);
bool pgclass_blocks_find(struct pgclass_dev *dev, u64 from,
			 struct pgclass_block_info *info);

/**
 * pgclass_class_name() - a size class's name
 * @dev: the device
 * @block_size: the class's block size, or a block's usable size; 0 is
 *	the "multi" class, as pgclass_get_class_stats() reports it
 * @buf: room for the name
 * @len: size of @buf
 *
 * Small classes are named by their block size ("16", "32", ...), then
 * come "page" and "multi", as debugfs shows them.
 *
 * Return: the name, in @buf or a constant string.
 */
static inline const char *pgclass_class_name(struct pgclass_dev *dev,
					     size_t block_size, char *buf,
					     size_t len)
{
	size_t page_size = 1UL << dev->page_shift;

	if (!block_size || block_size > page_size)
		return "multi";
	if (block_size == page_size)
		return "page";
	snprintf(buf, len, "%zu", block_size);
	return buf;
}

void pgclass_debugfs_init(struct pgclass_dev *dev);
void pgclass_debugfs_exit(struct pgclass_dev *dev);

#endif /* _PGCLASS_INTERNAL_H */
