// SPDX-License-Identifier: GPL-2.0
/*
 * Which open file of /dev/pgclass owns which block.
 *
 * Each open file keeps the blocks it owns in a tree of its own, keyed by
 * handle (the block's offset in the arena), under a lock of its own.
 * Files meet nowhere but in the pool, which locks for itself, so files
 * on different CPUs allocate and free at once.  The device keeps only the
 * list of its open files, for debugfs and the statistics; that list
 * changes at open and release, and no pool call is made under its lock.
 *
 * A block is copied to and from user space (READ, WRITE) with no lock
 * held, since the copy may fault and sleep.  It is held meanwhile by a
 * count of the copies in flight: FREE and REALLOC of it wait, killably,
 * for that count to drop to zero, so the pool never gets back a block
 * that is being copied, and READ and WRITE never see a block half
 * resized.
 *
 * A block may also be mapped into user space (mmap).  Each VMA that maps
 * it counts once in the block's map count, kept by the VMAs' open and
 * close: while it is non-zero, FREE and REALLOC of the block fail with
 * -EBUSY at once rather than wait, since an munmap may never come.  The
 * VMAs hold a reference to the file, so release, which frees every block
 * left, runs only after the last munmap: no mapped block is ever freed.
 * mmap runs under mmap_lock and never waits (a REALLOC waits for copies,
 * and a copy may fault and want that mmap_lock).
 *
 * Lock order: the numbered list in internal.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgclass.h>
#include <linux/rbtree.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <uapi/linux/pgclass.h>

#include "internal.h"

/* Blocks release frees between two chances for others to run. */
#define PGCLASS_RELEASE_BATCH	64

/**
 * enum pgclass_block_state - where a block is in its life
 * @PGCLASS_BLOCK_LIVE: in its file's tree, found by every call
 * @PGCLASS_BLOCK_RESIZING: a REALLOC has it to itself, on its file's
 *	resizing list; a call naming its handle waits for the REALLOC to end
 * @PGCLASS_BLOCK_FREEING: a FREE has taken it out of the tree and waits
 *	for the copies in flight to end before it gives it back to the pool
 * @PGCLASS_BLOCK_ORPHAN: that FREE was killed while waiting: the last
 *	copy gives the block back
 */
enum pgclass_block_state {
	PGCLASS_BLOCK_LIVE,
	PGCLASS_BLOCK_RESIZING,
	PGCLASS_BLOCK_FREEING,
	PGCLASS_BLOCK_ORPHAN,
};

/**
 * struct pgclass_block - a block handed out through /dev/pgclass
 * @node: in the owner's tree, while @state is PGCLASS_BLOCK_LIVE
 * @resizing: on the owner's resizing list, while PGCLASS_BLOCK_RESIZING
 * @handle: its offset in the arena
 * @requested: the size asked for
 * @usable: its size as the allocator gave it
 * @copies: READ and WRITE copies in flight
 * @maps: VMAs that map (part of) the block; only a live block gets one
 * @state: see enum pgclass_block_state
 *
 * All under the owner's lock.  Only the call that moved a block out of
 * the tree (FREE, REALLOC) changes @handle, @requested and @usable, and
 * only once @copies is zero, so a copy may use what it read under the
 * lock when it took its count.
 */
struct pgclass_block {
	struct rb_node node;
	struct list_head resizing;
	unsigned long handle;
	size_t requested;
	size_t usable;
	unsigned int copies;
	unsigned int maps;
	enum pgclass_block_state state;
};

/**
 * struct pgclass_file - one open of /dev/pgclass and the blocks it owns
 * @dev: the device
 * @node: in pgclass_dev.files
 * @rcu: frees the file after those who sum its counter without
 *	pgclass_dev.files_lock are done with it
 * @pid: thread group of the task that opened the file
 * @serial: this open's number since the module was loaded
 * @lock: protects the fields below it (see there)
 * @blocks: the blocks the file owns that are not being resized or freed
 * @resizing: the blocks a REALLOC is working on
 * @bytes_requested: the sizes asked for the blocks the file owns, summed
 * @events: counts the ends of resizes and of copies that someone waits
 *	for; a waiter sleeps until it changes
 * @wait: where FREE, REALLOC, READ and WRITE wait for those events
 */
struct pgclass_file {
	struct pgclass_dev *dev;
	struct list_head node;
	struct rcu_head rcu;
	pid_t pid;
	unsigned int serial;

	/*
	 * Protects @blocks, @resizing, @bytes_requested, @events and every
	 * field of the file's blocks.  A spinlock held for a tree lookup,
	 * insertion or removal and a few counters; never across a copy to
	 * or from user space, a pool call, zeroing or a wait: a block out
	 * of the tree is its caller's alone.  Its place in the lock order:
	 * internal.h.
	 */
	spinlock_t lock;
	struct rb_root blocks;
	struct list_head resizing;
	u64 bytes_requested;
	unsigned long events;
	wait_queue_head_t wait;
};

static void *pgclass_block_ptr(struct pgclass_dev *dev, unsigned long handle)
{
	return dev->base + handle;
}

/*
 * The live block with the lowest handle at or above @off if @above, else
 * the one with the highest handle at or below @off; NULL if none.
 */
static struct pgclass_block *pgclass_tree_nearest(struct pgclass_file *pf,
						  u64 off, bool above)
{
	struct rb_node *node = pf->blocks.rb_node;
	struct pgclass_block *best = NULL;

	lockdep_assert_held(&pf->lock);
	while (node) {
		struct pgclass_block *blk;
		bool past;

		blk = rb_entry(node, struct pgclass_block, node);
		if (blk->handle == off)
			return blk;
		/* On @off's wanted side: a candidate, look for a closer one. */
		past = blk->handle > off;
		if (past == above) {
			best = blk;
			node = above ? node->rb_left : node->rb_right;
		} else {
			node = above ? node->rb_right : node->rb_left;
		}
	}
	return best;
}

/* The live block at @handle, or NULL. */
static struct pgclass_block *pgclass_tree_find(struct pgclass_file *pf,
					       u64 handle)
{
	struct pgclass_block *blk = pgclass_tree_nearest(pf, handle, true);

	return blk && blk->handle == handle ? blk : NULL;
}

static void pgclass_tree_insert(struct pgclass_file *pf,
				struct pgclass_block *blk)
{
	struct rb_node **link = &pf->blocks.rb_node, *parent = NULL;

	lockdep_assert_held(&pf->lock);
	while (*link) {
		struct pgclass_block *cur;

		parent = *link;
		cur = rb_entry(parent, struct pgclass_block, node);
		link = blk->handle < cur->handle ?
		       &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&blk->node, parent, link);
	rb_insert_color(&blk->node, &pf->blocks);
	blk->state = PGCLASS_BLOCK_LIVE;
}

static bool pgclass_is_resizing(struct pgclass_file *pf, u64 handle)
{
	struct pgclass_block *blk;

	lockdep_assert_held(&pf->lock);
	list_for_each_entry(blk, &pf->resizing, resizing)
		if (blk->handle == handle)
			return true;
	return false;
}

/*
 * Something a waiter may wait for happened.  The caller wakes pf->wait
 * once it has dropped the lock.
 */
static void pgclass_event(struct pgclass_file *pf)
{
	lockdep_assert_held(&pf->lock);
	WRITE_ONCE(pf->events, pf->events + 1);
}

/*
 * Drops pf->lock until the next event, or a fatal signal: -EINTR.
 * Ordinary signals do not interrupt it: what it waits for ends without
 * user space's help, and a restarted FREE would find the block gone.
 */
static int pgclass_wait(struct pgclass_file *pf)
	__must_hold(&pf->lock)
{
	unsigned long seen = pf->events;
	int ret;

	lockdep_assert_held(&pf->lock);
	spin_unlock(&pf->lock);
	ret = wait_event_killable(pf->wait, READ_ONCE(pf->events) != seen);
	spin_lock(&pf->lock);
	return ret ? -EINTR : 0;
}

/*
 * The block the file owns at @handle; ERR_PTR(-EINVAL) if none,
 * ERR_PTR(-EINTR) if killed.  A block being resized is waited for: the
 * REALLOC may leave it where it is, and a call that came meanwhile must
 * then find it.
 */
static struct pgclass_block *pgclass_lookup(struct pgclass_file *pf,
					    u64 handle)
	__must_hold(&pf->lock)
{
	lockdep_assert_held(&pf->lock);
	for (;;) {
		struct pgclass_block *blk = pgclass_tree_find(pf, handle);
		int ret;

		/* A live block found first is newer than one being moved. */
		if (blk)
			return blk;
		if (!pgclass_is_resizing(pf, handle))
			return ERR_PTR(-EINVAL);
		ret = pgclass_wait(pf);
		if (ret)
			return ERR_PTR(ret);
	}
}

/*
 * For a FREE or REALLOC: the block @pf owns at @handle, taken out of the
 * tree and put in @state, or an error as from pgclass_lookup().  From
 * here on no new copy of it starts, and a second FREE or REALLOC of it
 * does not find it live.  A mapped block is ERR_PTR(-EBUSY): the mapping
 * would keep the old place, or lose the bytes past a new size.
 */
static struct pgclass_block *pgclass_take_out(struct pgclass_file *pf,
					      u64 handle,
					      enum pgclass_block_state state)
	__must_hold(&pf->lock)
{
	struct pgclass_block *blk = pgclass_lookup(pf, handle);

	if (IS_ERR(blk))
		return blk;
	if (blk->maps)
		return ERR_PTR(-EBUSY);
	rb_erase(&blk->node, &pf->blocks);
	blk->state = state;
	return blk;
}

/* Waits until no copy of @blk, which is out of the tree, is in flight. */
static int pgclass_wait_copies(struct pgclass_file *pf,
			       struct pgclass_block *blk)
	__must_hold(&pf->lock)
{
	lockdep_assert_held(&pf->lock);
	while (blk->copies)
		if (pgclass_wait(pf) && blk->copies)
			return -EINTR;
	return 0;
}

/* Gives @blk, which nobody can reach any more, back to the pool. */
static void pgclass_block_destroy(struct pgclass_dev *dev,
				  struct pgclass_block *blk)
{
	/* The trees mirror the pool: a refusal here would be a bug in it. */
	if (pgclass_free(dev->pool, pgclass_block_ptr(dev, blk->handle)))
		pr_err("block at %#lx was owned but not allocated\n",
		       blk->handle);
	kfree(blk);
}

/*
 * Blocks reach user space zeroed.  A block may be as large as the arena:
 * clear it a page at a time, and let others run in between.
 */
static void pgclass_zero(void *ptr, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(ptr));

		memset(ptr, 0, n);
		ptr += n;
		len -= n;
		cond_resched();
	}
}

/**
 * pgclass_file_open() - the state of a new open of /dev/pgclass
 * @dev: the device
 *
 * Context: process context; takes @dev->files_lock.
 * Return: the new file, owning no block, or NULL if out of memory.
 */
struct pgclass_file *pgclass_file_open(struct pgclass_dev *dev)
{
	struct pgclass_file *pf;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL_ACCOUNT);
	if (!pf)
		return NULL;
	pf->dev = dev;
	pf->pid = task_tgid_nr(current);
	spin_lock_init(&pf->lock);
	pf->blocks = RB_ROOT;
	INIT_LIST_HEAD(&pf->resizing);
	init_waitqueue_head(&pf->wait);

	mutex_lock(&dev->files_lock);
	pf->serial = ++dev->next_serial;
	list_add_tail_rcu(&pf->node, &dev->files);
	mutex_unlock(&dev->files_lock);
	return pf;
}

/**
 * pgclass_file_release() - free every block of a file, and the file
 * @pf: the file, which no call uses any more
 *
 * A file that owns many blocks frees them in batches, with a chance for
 * others to run between two batches.
 *
 * Context: process context; takes @pf->dev->files_lock.
 */
void pgclass_file_release(struct pgclass_file *pf)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_block *blk, *next;
	unsigned long n = 0;

	mutex_lock(&dev->files_lock);
	list_del_rcu(&pf->node);
	mutex_unlock(&dev->files_lock);

	/*
	 * No call is in flight on a file being released, so no block is
	 * being resized, freed or copied; and off the list, debugfs cannot
	 * find the file: its tree is ours alone.
	 */
	rbtree_postorder_for_each_entry_safe(blk, next, &pf->blocks, node) {
		/* A VMA holds the file: none can be left. */
		if (blk->maps)
			pr_err("block at %#lx freed while mapped %u times\n",
			       blk->handle, blk->maps);
		pgclass_block_destroy(dev, blk);
		if (!(++n % PGCLASS_RELEASE_BATCH))
			cond_resched();
	}
	pf->blocks = RB_ROOT;
	/* pgclass_blocks_bytes_requested() may still be reading it. */
	kfree_rcu(pf, rcu);
}

/**
 * pgclass_file_dev() - the device a file is an open of
 * @pf: the file
 *
 * Return: its device.
 */
struct pgclass_dev *pgclass_file_dev(struct pgclass_file *pf)
{
	return pf->dev;
}

/**
 * pgclass_blocks_alloc() - allocate a zeroed block, not yet the file's
 * @pf: the file that will own it
 * @size: bytes asked for, 1 to the arena's size
 * @handle: out: the block's handle
 * @usable: out: the block's size as the allocator gave it
 *
 * The block is zeroed over its whole usable size.  No call on @pf can
 * find it until pgclass_blocks_publish(), so the caller can tell user
 * space about it first, and give it back with pgclass_blocks_discard() if
 * that fails.
 *
 * Context: process context; may sleep.
 * Return: the block, or ERR_PTR(-ENOMEM) if the kernel has no memory for
 * its bookkeeping (then the pool was not asked) or no free space fits.
 */
struct pgclass_block *pgclass_blocks_alloc(struct pgclass_file *pf, u64 size,
					   u64 *handle, u64 *usable)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_block *blk;
	void *ptr;

	/* Allocated first, so that the pool is asked only when it can stay. */
	blk = kzalloc(sizeof(*blk), GFP_KERNEL_ACCOUNT);
	if (!blk)
		return ERR_PTR(-ENOMEM);
	ptr = pgclass_alloc(dev->pool, size);
	if (!ptr) {
		kfree(blk);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&blk->resizing);
	blk->handle = ptr - dev->base;
	blk->requested = size;
	blk->usable = pgclass_usable_size(dev->pool, ptr);
	/* The last owner's data must not leak; nobody else can reach it. */
	pgclass_zero(ptr, blk->usable);

	*handle = blk->handle;
	*usable = blk->usable;
	return blk;
}

/**
 * pgclass_blocks_publish() - give a block from pgclass_blocks_alloc() to its file
 * @pf: the file
 * @blk: the block
 *
 * From now on every call on @pf finds it, and release frees it.
 *
 * Context: process context; takes @pf->lock.
 */
void pgclass_blocks_publish(struct pgclass_file *pf, struct pgclass_block *blk)
{
	spin_lock(&pf->lock);
	pgclass_tree_insert(pf, blk);
	pf->bytes_requested += blk->requested;
	spin_unlock(&pf->lock);
}

/**
 * pgclass_blocks_discard() - give back a block from pgclass_blocks_alloc()
 * @pf: the file it was for
 * @blk: the block, never published
 */
void pgclass_blocks_discard(struct pgclass_file *pf, struct pgclass_block *blk)
{
	pgclass_block_destroy(pf->dev, blk);
}

/**
 * pgclass_blocks_free() - free a block of a file
 * @pf: the file
 * @handle: the block's handle
 *
 * If another thread is copying the block (READ, WRITE), waits for the
 * copy to end; if a REALLOC is resizing it, waits for that, then frees
 * the block if it is still at @handle.  A fatal signal ends the wait:
 * the block is then no longer the file's, and the last copy frees it.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL if @pf owns no block at @handle; -EBUSY if the
 * block is mapped; -EINTR if killed.
 */
int pgclass_blocks_free(struct pgclass_file *pf, u64 handle)
{
	struct pgclass_block *blk;

	spin_lock(&pf->lock);
	blk = pgclass_take_out(pf, handle, PGCLASS_BLOCK_FREEING);
	if (IS_ERR(blk)) {
		spin_unlock(&pf->lock);
		return PTR_ERR(blk);
	}
	pf->bytes_requested -= blk->requested;
	if (pgclass_wait_copies(pf, blk)) {
		blk->state = PGCLASS_BLOCK_ORPHAN;
		spin_unlock(&pf->lock);
		return -EINTR;
	}
	spin_unlock(&pf->lock);

	pgclass_block_destroy(pf->dev, blk);
	return 0;
}

/* Puts a block back after a REALLOC, moved or not; wakes who waits. */
static void pgclass_resize_end(struct pgclass_file *pf,
			       struct pgclass_block *blk)
{
	lockdep_assert_held(&pf->lock);
	list_del_init(&blk->resizing);
	pgclass_tree_insert(pf, blk);
	pgclass_event(pf);
}

/**
 * pgclass_blocks_realloc() - resize a block of a file
 * @pf: the file
 * @handle: the block's handle
 * @size: its new size, 1 to the arena's size
 * @new_handle: out: the block's handle now
 * @usable: out: its usable size now
 *
 * The first min(old usable size, @size) bytes keep their contents; the
 * rest reads as zero.  Calls on the block wait until this one ends;
 * this one waits for copies in flight first.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL if @pf owns no block at @handle; -EBUSY if the
 * block is mapped; -ENOMEM if it cannot grow and nothing fits (the block
 * is left as it was); -EINTR if killed while waiting (the block is left
 * as it was).
 */
int pgclass_blocks_realloc(struct pgclass_file *pf, u64 handle, u64 size,
			   u64 *new_handle, u64 *usable)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_block *blk;
	size_t new_usable = 0, keep;
	void *ptr;
	int ret;

	spin_lock(&pf->lock);
	/*
	 * Out of the tree while the pool works on it: if the block moves,
	 * its old place is free at once and may come back to this very
	 * file, under the same handle, before this call is done.
	 */
	blk = pgclass_take_out(pf, handle, PGCLASS_BLOCK_RESIZING);
	if (IS_ERR(blk)) {
		spin_unlock(&pf->lock);
		return PTR_ERR(blk);
	}
	list_add(&blk->resizing, &pf->resizing);
	ret = pgclass_wait_copies(pf, blk);
	if (ret) {
		pgclass_resize_end(pf, blk);
		spin_unlock(&pf->lock);
		wake_up_all(&pf->wait);
		return ret;
	}
	spin_unlock(&pf->lock);

	/* The pool copies a block it moves: not under the lock. */
	ptr = pgclass_realloc(dev->pool, pgclass_block_ptr(dev, blk->handle),
			      size);
	if (ptr) {
		/*
		 * Whatever the allocator moved or kept, the first min(old
		 * usable, new size) bytes are the file's own; the rest may be
		 * an earlier owner's, or what the file wrote past its new size.
		 */
		new_usable = pgclass_usable_size(dev->pool, ptr);
		keep = min_t(size_t, blk->usable, size);
		if (new_usable > keep)
			pgclass_zero(ptr + keep, new_usable - keep);
	}

	spin_lock(&pf->lock);
	if (ptr) {
		blk->handle = ptr - dev->base;
		blk->usable = new_usable;
		pf->bytes_requested += size - blk->requested;
		blk->requested = size;
	}
	pgclass_resize_end(pf, blk);
	*new_handle = blk->handle;
	*usable = blk->usable;
	spin_unlock(&pf->lock);
	wake_up_all(&pf->wait);
	return ptr ? 0 : -ENOMEM;
}

/**
 * pgclass_blocks_get() - hold a block of a file for a copy
 * @pf: the file
 * @handle: the block's handle
 * @ref: out: the block, its data and its usable size
 *
 * While held, the block is neither freed nor resized: FREE and REALLOC
 * of it wait for pgclass_blocks_put().  A block being resized is waited
 * for.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL if @pf owns no block at @handle; -EINTR if killed.
 */
int pgclass_blocks_get(struct pgclass_file *pf, u64 handle,
		       struct pgclass_block_ref *ref)
{
	struct pgclass_block *blk;

	spin_lock(&pf->lock);
	blk = pgclass_lookup(pf, handle);
	if (IS_ERR(blk)) {
		spin_unlock(&pf->lock);
		return PTR_ERR(blk);
	}
	blk->copies++;
	ref->blk = blk;
	ref->data = pgclass_block_ptr(pf->dev, blk->handle);
	ref->usable = blk->usable;
	spin_unlock(&pf->lock);
	return 0;
}

/**
 * pgclass_blocks_put() - end a copy begun with pgclass_blocks_get()
 * @pf: the file
 * @ref: what pgclass_blocks_get() gave
 *
 * Context: process context; takes @pf->lock.
 */
void pgclass_blocks_put(struct pgclass_file *pf, struct pgclass_block_ref *ref)
{
	struct pgclass_block *blk = ref->blk;
	bool wake = false, orphan = false;

	spin_lock(&pf->lock);
	if (!--blk->copies) {
		switch (blk->state) {
		case PGCLASS_BLOCK_LIVE:
			break;
		case PGCLASS_BLOCK_ORPHAN:
			orphan = true;
			break;
		default:
			/* A FREE or a REALLOC waits for this. */
			pgclass_event(pf);
			wake = true;
			break;
		}
	}
	spin_unlock(&pf->lock);
	if (wake)
		wake_up_all(&pf->wait);
	if (orphan)
		pgclass_block_destroy(pf->dev, blk);
	ref->blk = NULL;
}

/* True if a block being resized covers @off. */
static bool pgclass_resizing_covers(struct pgclass_file *pf, u64 off)
{
	struct pgclass_block *blk;

	lockdep_assert_held(&pf->lock);
	list_for_each_entry(blk, &pf->resizing, resizing)
		if (off >= blk->handle && off - blk->handle < blk->usable)
			return true;
	return false;
}

/**
 * pgclass_blocks_map() - count a new mapping of part of a block
 * @pf: the file
 * @off: offset in the arena of the mapping's first byte, page-aligned
 * @len: the mapping's length, a whole number of CPU pages
 * @ref: out: the block and the kernel address of @off
 *
 * [@off, @off + @len) must lie inside one whole-page or multi-page block
 * that @pf owns: a small block shares its allocator page with other
 * blocks, and a CPU page that is partly outside the block would show
 * what is around it.  From now on FREE and REALLOC of the block fail with
 * -EBUSY, until pgclass_blocks_unmap() has been called as many times as
 * this and pgclass_blocks_map_again().  Never waits: the caller holds
 * mmap_lock, which a copy that a REALLOC waits for may need.
 *
 * Context: process context, under mmap_lock; takes @pf->lock.
 * Return: 0; -EINVAL if no such block contains the range; -EBUSY if a
 * REALLOC of the block at @off is in flight.
 */
int pgclass_blocks_map(struct pgclass_file *pf, u64 off, u64 len,
		       struct pgclass_block_ref *ref)
{
	struct pgclass_dev *dev = pf->dev;
	struct pgclass_block *blk;
	int ret = -EINVAL;

	if (!len || off >= dev->size || len > dev->size - off)
		return -EINVAL;
	spin_lock(&pf->lock);
	blk = pgclass_tree_nearest(pf, off, false);
	if (blk && off + len <= blk->handle + blk->usable &&
	    blk->usable >= (1UL << dev->page_shift)) {
		blk->maps++;
		ref->blk = blk;
		ref->data = pgclass_block_ptr(dev, off);
		ref->usable = blk->usable;
		ret = 0;
	} else if ((!blk || off - blk->handle >= blk->usable) &&
		   pgclass_resizing_covers(pf, off)) {
		ret = -EBUSY;
	}
	spin_unlock(&pf->lock);
	return ret;
}

/**
 * pgclass_blocks_map_again() - count one more mapping of a mapped block
 * @pf: the file
 * @blk: a block it has mapped (a VMA being copied at fork, or split)
 *
 * Context: process context, under mmap_lock; takes @pf->lock.
 */
void pgclass_blocks_map_again(struct pgclass_file *pf,
			      struct pgclass_block *blk)
{
	spin_lock(&pf->lock);
	blk->maps++;
	spin_unlock(&pf->lock);
}

/**
 * pgclass_blocks_unmap() - a mapping of a block is gone
 * @pf: the file
 * @blk: the block it mapped
 *
 * Context: process context, under mmap_lock; takes @pf->lock.
 */
void pgclass_blocks_unmap(struct pgclass_file *pf, struct pgclass_block *blk)
{
	spin_lock(&pf->lock);
	blk->maps--;
	spin_unlock(&pf->lock);
}

/*
 * The sizes user space asked for the blocks out now: the allocator knows
 * only the sizes it rounded up to, and each file keeps the sizes asked
 * of it.  Exact when no call is in flight.
 */
static u64 pgclass_blocks_bytes_requested(struct pgclass_dev *dev)
{
	struct pgclass_file *pf;
	u64 bytes = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(pf, &dev->files, node) {
		spin_lock(&pf->lock);
		bytes += pf->bytes_requested;
		spin_unlock(&pf->lock);
	}
	rcu_read_unlock();
	return bytes;
}

/**
 * pgclass_blocks_stats() - the device's counters
 * @dev: the device
 * @out: filled in: the pool's counters, and the bytes the open files asked
 *	 for their blocks
 *
 * One source for the STATS ioctl and the debugfs stats file, which have
 * the same keys.  The pool's counters are one snapshot; bytes_requested
 * is summed over the files after it.
 *
 * Context: process context; takes each open file's lock in turn.
 */
void pgclass_blocks_stats(struct pgclass_dev *dev,
			  struct pgclass_ioc_stats *out)
{
	struct pgclass_stats st;

	pgclass_get_stats(dev->pool, &st);
	*out = (struct pgclass_ioc_stats) {
		.page_size = st.page_size,
		.nr_pages = st.nr_pages,
		.meta_pages = st.meta_pages,
		.free_pages = st.free_pages,
		.used_pages = st.used_pages,
		.blocks = st.blocks,
		.bytes_allocated = st.bytes_allocated,
		.bytes_requested = pgclass_blocks_bytes_requested(dev),
		.peak_used_pages = st.peak_used_pages,
		.alloc_calls = st.alloc_calls,
		.free_calls = st.free_calls,
		.realloc_calls = st.realloc_calls,
		.failed_calls = st.failed_calls,
		.cached_blocks = st.cached_blocks,
		.cached_pages = st.cached_pages,
		.cache_busy_failures = st.cache_busy_failures,
		.fit_scans = st.fit_scans,
	};
}

/**
 * pgclass_blocks_walk_begin() - begin a walk of every file's blocks
 * @dev: the device
 *
 * Holds off open and release until pgclass_blocks_walk_end(); calls on
 * open files go on.
 *
 * Context: process context; takes @dev->files_lock.
 */
void pgclass_blocks_walk_begin(struct pgclass_dev *dev)
{
	mutex_lock(&dev->files_lock);
}

/**
 * pgclass_blocks_walk_end() - end a walk begun with pgclass_blocks_walk_begin()
 * @dev: the device
 */
void pgclass_blocks_walk_end(struct pgclass_dev *dev)
{
	mutex_unlock(&dev->files_lock);
}

/**
 * pgclass_blocks_find() - the block of any file with the lowest handle at or above @from
 * @dev: the device
 * @from: the lowest handle wanted
 * @info: out: the block's handle, usable size and owner
 *
 * Walking up from 0, each time from one more than the handle found last,
 * visits every block by offset, each once; blocks that come and go
 * meanwhile may or may not be seen, and a block being resized is not.
 * Costs one tree lookup per open file.
 *
 * Context: between pgclass_blocks_walk_begin() and pgclass_blocks_walk_end().
 * Return: true if a block was found.
 */
bool pgclass_blocks_find(struct pgclass_dev *dev, u64 from,
			 struct pgclass_block_info *info)
{
	struct pgclass_file *pf;
	bool found = false;

	lockdep_assert_held(&dev->files_lock);
	list_for_each_entry(pf, &dev->files, node) {
		struct pgclass_block *blk;

		spin_lock(&pf->lock);
		blk = pgclass_tree_nearest(pf, from, true);
		if (blk && (!found || blk->handle < info->handle)) {
			info->handle = blk->handle;
			info->usable = blk->usable;
			info->maps = blk->maps;
			info->pid = pf->pid;
			info->serial = pf->serial;
			found = true;
		}
		spin_unlock(&pf->lock);
	}
	return found;
}
