// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pgclass: the arena's blocks for user space, one owner per block.
 *
 * Each open file owns the blocks it allocated and may touch no other.  A
 * block is named by its handle, its offset in the arena: user space never
 * sees a kernel address.  This file checks the ioctls' arguments and
 * copies them in and out; which file owns which block, and the locking
 * that goes with it, are blocks.c's.  No lock is held here while user
 * memory is copied: READ and WRITE hold their block by a reference.
 *
 * mmap maps a whole-page or multi-page block, or a page-aligned part of
 * one, into user space as a PFN mapping: VM_PFNMAP keeps get_user_pages()
 * off it, so no pin (O_DIRECT, vmsplice, io_uring) can outlive the
 * mapping and reach the block once it is freed and handed out again.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pgclass.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/pgclass.h>

#include "internal.h"

/* Rejects sizes that no arena this large could ever hold. */
static int pgclass_check_size(struct pgclass_dev *dev, u64 size)
{
	return size && size <= dev->size ? 0 : -EINVAL;
}

static long pgclass_ioc_info(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_dev *dev = pgclass_file_dev(pf);
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

/*
 * STATS as headers before fit_scans had it: 16 counters.  The size is part
 * of the command, so programs built then still get what they knew.
 */
#define PGCLASS_IOC_STATS_16 \
	_IOC(_IOC_READ, PGCLASS_IOC_MAGIC, 0x06, \
	     offsetof(struct pgclass_ioc_stats, fit_scans))

static long pgclass_ioc_stats(struct pgclass_file *pf, void __user *arg,
			      size_t size)
{
	struct pgclass_dev *dev = pgclass_file_dev(pf);
	struct pgclass_ioc_stats out;

	pgclass_blocks_stats(dev, &out);
	return copy_to_user(arg, &out, size) ? -EFAULT : 0;
}

static long pgclass_ioc_alloc(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_ioc_alloc __user *uarg = arg;
	struct pgclass_ioc_alloc req;
	struct pgclass_block *blk;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1] ||
	    pgclass_check_size(pgclass_file_dev(pf), req.size))
		return -EINVAL;

	blk = pgclass_blocks_alloc(pf, req.size, &req.handle, &req.usable_size);
	if (IS_ERR(blk))
		return PTR_ERR(blk);
	/*
	 * The result goes out before the file owns the block: if it cannot,
	 * the block goes back to the pool, and no other thread of the file
	 * can have touched it (a handle it guessed meanwhile was EINVAL).
	 * Only the two fields it fills: the rest is what was read.
	 */
	BUILD_BUG_ON(offsetof(struct pgclass_ioc_alloc, usable_size) !=
		     offsetofend(struct pgclass_ioc_alloc, handle));
	if (copy_to_user(&uarg->handle, &req.handle,
			 sizeof(req.handle) + sizeof(req.usable_size))) {
		pgclass_blocks_discard(pf, blk);
		return -EFAULT;
	}
	pgclass_blocks_publish(pf, blk);
	return 0;
}

static long pgclass_ioc_free(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_ioc_free req;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;
	return pgclass_blocks_free(pf, req.handle);
}

static long pgclass_ioc_realloc(struct pgclass_file *pf, void __user *arg)
{
	struct pgclass_ioc_realloc req;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1] ||
	    pgclass_check_size(pgclass_file_dev(pf), req.size))
		return -EINVAL;

	ret = pgclass_blocks_realloc(pf, req.handle, req.size, &req.new_handle,
				     &req.usable_size);
	if (ret)
		return ret;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

/* A READ or WRITE copies this much between two chances to reschedule. */
#define PGCLASS_COPY_CHUNK	(64 * 1024)

/*
 * READ and WRITE.  The block is held by a reference, not a lock, while
 * its bytes are copied: a FREE or REALLOC of it by another thread waits
 * for the copy to end.
 */
static long pgclass_ioc_rw(struct pgclass_file *pf, void __user *arg,
			   bool write)
{
	struct pgclass_block_ref ref;
	struct pgclass_ioc_rw req;
	void __user *ubuf;
	u64 end, done;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1])
		return -EINVAL;

	ret = pgclass_blocks_get(pf, req.handle, &ref);
	if (ret)
		return ret;
	if (check_add_overflow(req.offset, req.len, &end) || end > ref.usable) {
		ret = -EINVAL;
		goto out;
	}

	ubuf = u64_to_user_ptr(req.buf);
	/*
	 * Not copy_from_user() for WRITE: where the copy faults, it zeroes
	 * the rest of the destination, which here is the caller's block.  A
	 * WRITE that fails stores the bytes before the fault and leaves the
	 * rest of the block as it was.
	 */
	if (write && !access_ok(ubuf, req.len)) {
		ret = -EFAULT;
		goto out;
	}
	/* A block may be as large as the arena: let others run meanwhile. */
	for (done = 0; done < req.len; done += PGCLASS_COPY_CHUNK) {
		size_t n = min_t(u64, req.len - done, PGCLASS_COPY_CHUNK);
		void *ptr = ref.data + req.offset + done;

		if (write ? __copy_from_user(ptr, ubuf + done, n) :
			    copy_to_user(ubuf + done, ptr, n)) {
			ret = -EFAULT;
			break;
		}
		cond_resched();
	}
out:
	pgclass_blocks_put(pf, &ref);
	return ret;
}

static long pgclass_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct pgclass_file *pf = file->private_data;
	void __user *uarg = (void __user *)arg;

	/*
	 * No lock here: calls of one file, as of different files, run at
	 * once; blocks.c orders those that touch the same block.
	 */
	switch (cmd) {
	case PGCLASS_IOC_INFO:
		return pgclass_ioc_info(pf, uarg);
	case PGCLASS_IOC_STATS:
		return pgclass_ioc_stats(pf, uarg, sizeof(struct pgclass_ioc_stats));
	case PGCLASS_IOC_STATS_16:
		return pgclass_ioc_stats(pf, uarg, _IOC_SIZE(cmd));
	case PGCLASS_IOC_ALLOC:
		return pgclass_ioc_alloc(pf, uarg);
	case PGCLASS_IOC_FREE:
		return pgclass_ioc_free(pf, uarg);
	case PGCLASS_IOC_REALLOC:
		return pgclass_ioc_realloc(pf, uarg);
	case PGCLASS_IOC_READ:
		return pgclass_ioc_rw(pf, uarg, false);
	case PGCLASS_IOC_WRITE:
		return pgclass_ioc_rw(pf, uarg, true);
	default:
		return -ENOTTY;
	}
}

/*
 * A VMA is copied (fork) or split (a partial munmap or mprotect): one
 * more mapping of its block.  The VMA's file is the one that owns it.
 */
static void pgclass_vm_open(struct vm_area_struct *vma)
{
	pgclass_blocks_map_again(vma->vm_file->private_data,
				 vma->vm_private_data);
}

static void pgclass_vm_close(struct vm_area_struct *vma)
{
	pgclass_blocks_unmap(vma->vm_file->private_data, vma->vm_private_data);
}

/*
 * No .fault: every page is mapped at mmap time, and stays so until
 * munmap (madvise(MADV_DONTNEED) refuses VM_PFNMAP); a PFN mapping has
 * no struct page to give a fault anyway.
 */
static const struct vm_operations_struct pgclass_vm_ops = {
	.open	= pgclass_vm_open,
	.close	= pgclass_vm_close,
};

/*
 * vm_flags became read-only, behind vm_flags_set(), in 6.3; Kbuild
 * defines PGCLASS_HAVE_VM_FLAGS_SET from the kernel's version.
 */
static void pgclass_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef PGCLASS_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * Maps @len bytes of the arena from @data at the VMA's start.  The arena
 * is vmap()ed from alloc_pages() pieces, so it is physically contiguous
 * only in runs: one remap_pfn_range() per run.  On failure the caller's
 * mmap fails and the kernel unmaps what was mapped.
 */
static int pgclass_remap(struct vm_area_struct *vma, void *data,
			 unsigned long len)
{
	unsigned long done, run;
	int ret;

	for (done = 0; done < len; done += run) {
		unsigned long pfn = vmalloc_to_pfn(data + done);

		for (run = PAGE_SIZE; done + run < len; run += PAGE_SIZE)
			if (vmalloc_to_pfn(data + done + run) !=
			    pfn + (run >> PAGE_SHIFT))
				break;
		ret = remap_pfn_range(vma, vma->vm_start + done, pfn, run,
				      vma->vm_page_prot);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

/*
 * mmap(NULL, len, prot, MAP_SHARED, fd, handle [+ a page-aligned part]).
 * The kernel has checked that the offset is page-aligned and made the
 * length a whole number of CPU pages; blocks.c checks that the range lies
 * inside one whole-page or multi-page block of this file, and counts the
 * mapping so that the block is neither freed nor moved under it.
 */
static int pgclass_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pgclass_file *pf = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	struct pgclass_block_ref ref;
	int ret;

	/* A private mapping would copy the block on write: not shared. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	ret = pgclass_blocks_map(pf, (u64)vma->vm_pgoff << PAGE_SHIFT, len,
				 &ref);
	if (ret)
		return ret;

	/*
	 * remap_pfn_range() sets these too; they are the mapping's
	 * contract: no GUP, no growing (mremap), not in core dumps.
	 */
	pgclass_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
			     VM_DONTDUMP);
	ret = pgclass_remap(vma, ref.data, len);
	if (ret) {
		/* vm_ops is not set yet: no close will come for this one. */
		pgclass_blocks_unmap(pf, ref.blk);
		return ret;
	}
	vma->vm_private_data = ref.blk;
	vma->vm_ops = &pgclass_vm_ops;
	return 0;
}

static int pgclass_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice here. */
	struct pgclass_dev *dev = container_of(file->private_data,
					       struct pgclass_dev, misc);
	struct pgclass_file *pf;

	pf = pgclass_file_open(dev);
	if (!pf)
		return -ENOMEM;
	file->private_data = pf;
	return nonseekable_open(inode, file);
}

/*
 * The last reference is gone: no ioctl is in flight on this file, and no
 * mapping is left (each VMA holds a reference).
 */
static int pgclass_release(struct inode *inode, struct file *file)
{
	pgclass_file_release(file->private_data);
	return 0;
}

static const struct file_operations pgclass_fops = {
	.owner		= THIS_MODULE,
	.open		= pgclass_open,
	.release	= pgclass_release,
	.unlocked_ioctl	= pgclass_ioctl,
	.mmap		= pgclass_mmap,
	/* Every struct has one layout for 32- and 64-bit user space. */
	.compat_ioctl	= compat_ptr_ioctl,
};

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
 * The module cannot be unloaded while the device is open or mapped (the
 * file operations hold a reference to it, and a mapping holds the
 * file), so no block is left.
 */
void pgclass_chardev_exit(struct pgclass_dev *dev)
{
	misc_deregister(&dev->misc);
}
