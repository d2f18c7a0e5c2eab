// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pgclass: the arena's blocks for user space, one owner per block.
 *
 * Each open file owns the blocks it allocated and may touch no other.  A
 * block is named by its handle, its offset in the arena: user space never
 * sees a kernel address.  Every block handed out is in one tree, keyed by
 * handle, and on its owner's list: the tree answers "whose is this
 * handle", the list lets close() free what the file still owns.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pgclass.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/pgclass.h>

#include "internal.h"

/**
 * struct pgclass_file - one open of /dev/pgclass
 * @dev: the device
 * @lock: serialises the file's ioctls (see below)
 * @blocks: the blocks this file owns (struct pgclass_block.link)
 * @pid: thread group of the task that opened the file
 * @serial: this open's number since the module was loaded
 */
struct pgclass_file {
	struct pgclass_dev *dev;
	/*
	 * Serialises the file's ioctls.  A block can be freed or moved only
	 * by its owner, so while this is held the file's blocks stay where
	 * they are: a block's data can be copied to and from user space
	 * (which may fault and sleep) without pgclass_dev.lock.  The list
	 * below is changed under pgclass_dev.lock, which debugfs also takes.
	 */
	struct mutex lock;
	struct list_head blocks;
	pid_t pid;
	unsigned int serial;
};

/**
 * struct pgclass_block - a block handed out through /dev/pgclass
 * @node: in pgclass_dev.blocks
 * @link: in the owner's pgclass_file.blocks
 * @owner: the file that allocated it
 * @handle: its offset in the arena
 * @requested: the size asked for
 * @usable: its size as the allocator gave it
 *
 * Changed only under pgclass_dev.lock.  The owner, holding its file's
 * lock, may read them without: nobody else changes them.
 */
struct pgclass_block {
	struct rb_node node;
	struct list_head link;
	struct pgclass_file *owner;
	unsigned long handle;
	size_t requested;
	size_t usable;
};

static void *pgclass_block_ptr(struct pgclass_dev *dev,
			       const struct pgclass_block *blk)
{
	return dev->base + blk->handle;
}

static void pgclass_tree_insert(struct pgclass_dev *dev,
				struct pgclass_block *blk)
{
	struct rb_node **link = &dev->blocks.rb_node, *parent = NULL;

	while (*link) {
		struct pgclass_block *cur;

		parent = *link;
		cur = rb_entry(parent, struct pgclass_block, node);
		link = blk->handle < cur->handle ?
		       &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&blk->node, parent, link);
	rb_insert_color(&blk->node, &dev->blocks);
}

/* The block @handle if @pf owns it, else NULL.  Under dev->lock. */
static struct pgclass_block *pgclass_lookup(struct pgclass_file *pf,
					    u64 handle)
{
	struct rb_node *node = pf->dev->blocks.rb_node;

	lockdep_assert_held(&pf->dev->lock);
	while (node) {
		struct pgclass_block *blk;

		blk = rb_entry(node, struct pgclass_block, node);
		if (handle < blk->handle) {
			node = node->rb_left;
		} else if (handle > blk->handle) {
			node = node->rb_right;
		} else {
			/* Another file's block is as good as none. */
			return blk->owner == pf ? blk : NULL;
		}
	}
	return NULL;
}

/* Forgets @blk and gives it back to the pool.  Under dev->lock. */
static void pgclass_block_release(struct pgclass_dev *dev,
				  struct pgclass_block *blk)
{
	lockdep_assert_held(&dev->lock);
	rb_erase(&blk->node, &dev->blocks);
	list_del(&blk->link);
	dev->bytes_requested -= blk->requested;
	/* The tree mirrors the pool: a refusal here would be a bug in it. */
	if (pgclass_free(dev->pool, pgclass_block_ptr(dev, blk)))
		pr_err("block at %#lx was in the tree but not allocated\n",
		       blk->handle);
	kfree(blk);
}

/* Rejects sizes that no arena this large could ever hold. */
static int pgclass_check_size(struct pgclass_dev *dev, u64 size)
{
	return size && size <= dev->size ? 0 : -EINVAL;
}

static long pgclass_ioc_info(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_ioc_info info = { };
	struct pgclass_stats st;

	pgclass_get_stats(dev->pool, &st);
	info.abi_version = PGCLASS_ABI_VERSION;
	info.page_size = st.page_size;
	info.page_shift = dev->page_shift;
	info.nr_pages = st.nr_pages;
	info.meta_pages = st.meta_pages;
	info.nr_classes = pgclass_nr_classes(dev->pool);
	info.arena_size = dev->size;
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long pgclass_ioc_stats(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_ioc_stats out = { };
	struct pgclass_stats st;

	pgclass_get_stats(dev->pool, &st);
	out.page_size = st.page_size;
	out.nr_pages = st.nr_pages;
	out.meta_pages = st.meta_pages;
	out.free_pages = st.free_pages;
	out.used_pages = st.used_pages;
	out.blocks = st.blocks;
	out.bytes_allocated = st.bytes_allocated;
	out.bytes_requested = pgclass_chardev_bytes_requested(dev);
	out.peak_used_pages = st.peak_used_pages;
	out.alloc_calls = st.alloc_calls;
	out.free_calls = st.free_calls;
	out.realloc_calls = st.realloc_calls;
	out.failed_calls = st.failed_calls;
	return copy_to_user(arg, &out, sizeof(out)) ? -EFAULT : 0;
}

/* Under pf->lock. */
static long pgclass_ioc_alloc(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_ioc_alloc req;
	struct pgclass_block *blk;
	void *ptr;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1] ||
	    pgclass_check_size(dev, req.size))
		return -EINVAL;

	/* Allocated first, so that the bookkeeping cannot fail later. */
	blk = kzalloc(sizeof(*blk), GFP_KERNEL_ACCOUNT);
	if (!blk)
		return -ENOMEM;

	mutex_lock(&dev->lock);
	ptr = pgclass_alloc(dev->pool, req.size);
	if (!ptr) {
		mutex_unlock(&dev->lock);
		kfree(blk);
		return -ENOMEM;
	}
	blk->owner = pf;
	blk->handle = ptr - dev->base;
	blk->requested = req.size;
	blk->usable = pgclass_usable_size(dev->pool, ptr);
	pgclass_tree_insert(dev, blk);
	list_add_tail(&blk->link, &pf->blocks);
	dev->bytes_requested += blk->requested;
	mutex_unlock(&dev->lock);

	/* The last owner's data must not leak; only pf can reach the block. */
	memset(ptr, 0, blk->usable);

	req.handle = blk->handle;
	req.usable_size = blk->usable;
	if (copy_to_user(arg, &req, sizeof(req))) {
		mutex_lock(&dev->lock);
		pgclass_block_release(dev, blk);
		mutex_unlock(&dev->lock);
		return -EFAULT;
	}
	return 0;
}

/* Under pf->lock. */
static long pgclass_ioc_free(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_ioc_free req;
	struct pgclass_block *blk;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;

	mutex_lock(&dev->lock);
	blk = pgclass_lookup(pf, req.handle);
	if (blk)
		pgclass_block_release(dev, blk);
	mutex_unlock(&dev->lock);
	return blk ? 0 : -EINVAL;
}

/* Under pf->lock. */
static long pgclass_ioc_realloc(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_ioc_realloc req;
	struct pgclass_block *blk;
	size_t old_usable, keep;
	void *ptr;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1] ||
	    pgclass_check_size(dev, req.size))
		return -EINVAL;

	mutex_lock(&dev->lock);
	blk = pgclass_lookup(pf, req.handle);
	if (!blk) {
		mutex_unlock(&dev->lock);
		return -EINVAL;
	}
	ptr = pgclass_realloc(dev->pool, pgclass_block_ptr(dev, blk), req.size);
	if (!ptr) {
		mutex_unlock(&dev->lock);
		return -ENOMEM;
	}
	if (ptr != pgclass_block_ptr(dev, blk)) {
		rb_erase(&blk->node, &dev->blocks);
		blk->handle = ptr - dev->base;
		pgclass_tree_insert(dev, blk);
	}
	old_usable = blk->usable;
	blk->usable = pgclass_usable_size(dev->pool, ptr);
	dev->bytes_requested += req.size - blk->requested;
	blk->requested = req.size;
	mutex_unlock(&dev->lock);

	/*
	 * Whatever the allocator moved or kept, the first min(old usable,
	 * new size) bytes are the file's own; the rest may be an earlier
	 * owner's, or what the file wrote past its new size.
	 */
	keep = min_t(size_t, old_usable, req.size);
	if (blk->usable > keep)
		memset(ptr + keep, 0, blk->usable - keep);

	req.new_handle = blk->handle;
	req.usable_size = blk->usable;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

/*
 * READ and WRITE.  Under pf->lock, which keeps the block from being freed
 * or moved while its bytes are copied.
 */
static long pgclass_ioc_rw(struct pgclass_file *pf, void __user *arg,
			   bool write)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_block *blk;
	struct pgclass_ioc_rw req;
	void __user *ubuf;
	void *ptr;
	u64 end;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1])
		return -EINVAL;

	mutex_lock(&dev->lock);
	blk = pgclass_lookup(pf, req.handle);
	mutex_unlock(&dev->lock);
	if (!blk)
		return -EINVAL;
	if (check_add_overflow(req.offset, req.len, &end) || end > blk->usable)
		return -EINVAL;

	ubuf = u64_to_user_ptr(req.buf);
	ptr = pgclass_block_ptr(dev, blk) + req.offset;
	if (write) {
		/*
		 * Not copy_from_user(): where the copy faults, it zeroes the
		 * rest of the destination, which here is the caller's block.
		 * A WRITE that fails stores the bytes before the fault and
		 * leaves the rest of the block as it was.
		 */
		if (!access_ok(ubuf, req.len) ||
		    __copy_from_user(ptr, ubuf, req.len))
			return -EFAULT;
	} else {
		if (copy_to_user(ubuf, ptr, req.len))
			return -EFAULT;
	}
	return 0;
}

static long pgclass_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct pgclass_file *pf = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	/* INFO and STATS read counters under the pool's own lock. */
	switch (cmd) {
	case PGCLASS_IOC_INFO:
		return pgclass_ioc_info(pf, uarg);
	case PGCLASS_IOC_STATS:
		return pgclass_ioc_stats(pf, uarg);
	}

	mutex_lock(&pf->lock);
	switch (cmd) {
	case PGCLASS_IOC_ALLOC:
		ret = pgclass_ioc_alloc(pf, uarg);
		break;
	case PGCLASS_IOC_FREE:
		ret = pgclass_ioc_free(pf, uarg);
		break;
	case PGCLASS_IOC_REALLOC:
		ret = pgclass_ioc_realloc(pf, uarg);
		break;
	case PGCLASS_IOC_READ:
		ret = pgclass_ioc_rw(pf, uarg, false);
		break;
	case PGCLASS_IOC_WRITE:
		ret = pgclass_ioc_rw(pf, uarg, true);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&pf->lock);
	return ret;
}

static int pgclass_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice here. */
	struct pgclass_dev *dev = container_of(file->private_data,
					       struct pgclass_dev, misc);
	struct pgclass_file *pf;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL_ACCOUNT);
	if (!pf)
		return -ENOMEM;
	pf->dev = dev;
	mutex_init(&pf->lock);
	INIT_LIST_HEAD(&pf->blocks);
	pf->pid = task_tgid_nr(current);

	mutex_lock(&dev->lock);
	pf->serial = ++dev->next_serial;
	mutex_unlock(&dev->lock);

	file->private_data = pf;
	return nonseekable_open(inode, file);
}

static int pgclass_release(struct inode *inode, struct file *file)
{
	struct pgclass_file *pf = file->private_data;
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_block *blk, *next;

	mutex_lock(&dev->lock);
	list_for_each_entry_safe(blk, next, &pf->blocks, link)
		pgclass_block_release(dev, blk);
	mutex_unlock(&dev->lock);

	mutex_destroy(&pf->lock);
	kfree(pf);
	return 0;
}

static const struct file_operations pgclass_fops = {
	.owner		= THIS_MODULE,
	.open		= pgclass_open,
	.release	= pgclass_release,
	.unlocked_ioctl	= pgclass_ioctl,
	/* Every struct has one layout for 32- and 64-bit user space. */
	.compat_ioctl	= compat_ptr_ioctl,
};

/**
 * pgclass_chardev_bytes_requested() - bytes asked for the blocks out now
 * @dev: the device
 *
 * The allocator knows only the sizes it rounded up to; the device keeps
 * the sizes user space asked for.
 *
 * Context: process context; takes @dev->lock.
 * Return: the sum of the requested sizes of every block handed out.
 */
u64 pgclass_chardev_bytes_requested(struct pgclass_dev *dev)
{
	u64 bytes;

	mutex_lock(&dev->lock);
	bytes = dev->bytes_requested;
	mutex_unlock(&dev->lock);
	return bytes;
}

/**
 * pgclass_chardev_show_blocks() - print the blocks handed out, in order
 * @dev: the device
 * @m: where to print
 *
 * One line per block, by offset: offset, usable size, class and owner.
 * The owner is "pid:<opener's pid>/<open serial number>", so that two
 * opens by one process stay apart.
 *
 * Context: process context; takes @dev->lock.
 */
void pgclass_chardev_show_blocks(struct pgclass_dev *dev, struct seq_file *m)
{
	struct rb_node *node;
	char class[PGCLASS_NAME_LEN];

	mutex_lock(&dev->lock);
	for (node = rb_first(&dev->blocks); node; node = rb_next(node)) {
		struct pgclass_block *blk;

		blk = rb_entry(node, struct pgclass_block, node);
		seq_printf(m, "0x%-8lx %10zu %6s pid:%d/%u\n", blk->handle,
			   blk->usable,
			   pgclass_class_name(dev, blk->usable, class,
					      sizeof(class)),
			   blk->owner->pid, blk->owner->serial);
	}
	mutex_unlock(&dev->lock);
}

/**
 * pgclass_chardev_init() - register /dev/pgclass
 * @dev: the device, with its pool built
 *
 * Return: 0 or a negative errno from misc_register().
 */
int pgclass_chardev_init(struct pgclass_dev *dev)
{
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = KBUILD_MODNAME;
	dev->misc.mode = 0600;
	dev->misc.fops = &pgclass_fops;
	return misc_register(&dev->misc);
}

/**
 * pgclass_chardev_exit() - unregister /dev/pgclass
 * @dev: the device
 *
 * The module cannot be unloaded while the device is open (the file
 * operations hold a reference to it), so no block is left.
 */
void pgclass_chardev_exit(struct pgclass_dev *dev)
{
	misc_deregister(&dev->misc);
}
