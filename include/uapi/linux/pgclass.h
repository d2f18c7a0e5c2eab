/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pgclass: the /dev/pgclass ioctl ABI.
 *
 * A process opens /dev/pgclass and allocates, resizes, reads, writes and
 * frees blocks of the module's arena through the ioctls below.  Each open
 * file owns the blocks it allocated; closing it frees them all.
 *
 * A block is named by its handle: the byte offset of the block from the
 * start of the arena, the same number debugfs prints.  Handle 0 is never a
 * block (the arena starts with the allocator's metadata).  A handle that
 * the file does not own (another file's, a made-up one, one freed or
 * moved away by REALLOC) is rejected with EINVAL by every call.
 *
 * Handles are reused, as file descriptors are.  A handle is an offset, so
 * the next block at that offset has the same handle, and the allocator
 * hands out the lowest free block of a page first: after FREE, or a
 * REALLOC that moved the block, the very next ALLOC or REALLOC may return
 * the same handle.  A freed handle is rejected only until then.  If this
 * file gets the offset again, the old handle names the new block and
 * calls with it act on that block; if another file gets it, the handle
 * stays EINVAL here.  So a program must not use a handle after FREE, nor
 * the old handle after a REALLOC that moved the block, any more than a
 * descriptor after close(): EINVAL for a stale handle is a help, not a
 * guarantee.
 *
 * Every block reaches user space zeroed: nothing written by an earlier
 * owner can be read back.
 *
 * Calls run at once, from different files and from threads sharing one.
 * Calls on the same block wait for each other rather than fail: FREE and
 * REALLOC of a block that another thread is copying (READ, WRITE) wait
 * until the copy is done, and a call naming a block that another thread
 * is resizing (REALLOC) waits for that to end.  Only a fatal signal cuts
 * such a wait short (EINTR).  A mapped block is another matter: FREE and
 * REALLOC of it fail at once with EBUSY, since nothing says when, or
 * whether, it will be unmapped.
 *
 * mmap (ABI version 2):
 *
 *	mmap(NULL, len, prot, MAP_SHARED, fd, handle + off)
 *
 * maps bytes [off, off + len) of a whole-page or multi-page block this
 * file owns; off is a multiple of the CPU's page size and len, rounded up
 * to one, must not pass the block's usable size.  Where the allocator's
 * page is smaller than the CPU's, only a range whose every CPU page lies
 * wholly inside the block maps.  EINVAL: a small block (its page holds
 * other blocks), a handle the file does not own, metadata, a range past
 * the block, MAP_PRIVATE.  EBUSY: the block is being resized (REALLOC) by
 * another thread at that moment.  The mapping never grows (mremap to a
 * larger size fails), is not in core dumps, and cannot be pinned by
 * get_user_pages(): O_DIRECT I/O, vmsplice() and the like on it fail.
 * It is shared with the children a fork makes.  While any mapping of a
 * block exists, FREE and REALLOC of it fail with EBUSY; closing the file
 * frees nothing while it is mapped: the file's blocks live until its last
 * descriptor and its last mapping are gone, and the module cannot be
 * unloaded meanwhile.
 *
 * All structures are made of __u64 and __u32 fields with explicit padding,
 * so they have one layout for 32- and 64-bit user space.  Fields named
 * reserved must be zero on input (EINVAL otherwise) and are returned as
 * zero, so that later versions can give them a meaning.
 *
 * Errors common to every command:
 *	ENOTTY	unknown command
 *	EFAULT	the argument, or a buffer it points to, is not accessible
 *	EINVAL	a bad argument or a non-zero reserved field
 *	ENOMEM	the arena, or the kernel, has no memory for the request
 *	EBUSY	FREE or REALLOC of a mapped block
 *
 * ioctl number: type 'J', numbers 0x00-0x1f.  'J' has no entry in
 * Documentation/userspace-api/ioctl/ioctl-number.rst (Linux 6.12) and no
 * _IO*('J', ...) use in that tree.
 */
#ifndef _UAPI_LINUX_PGCLASS_H
#define _UAPI_LINUX_PGCLASS_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * Bumped when the ABI changes in a way that user space can notice.
 * 2: mmap, and EBUSY from FREE and REALLOC of a mapped block.
 */
#define PGCLASS_ABI_VERSION	2

/**
 * struct pgclass_ioc_info - the arena's geometry (PGCLASS_IOC_INFO)
 * @abi_version: PGCLASS_ABI_VERSION of the running module
 * @page_size: allocator page size in bytes (2^@page_shift)
 * @page_shift: log2 of @page_size, 9 to 16
 * @nr_pages: allocator pages in the arena, metadata pages included
 * @meta_pages: pages at the start of the arena holding the allocator's
 *	metadata; blocks live in the other pages
 * @nr_classes: size classes: the small classes (16 bytes up to half a
 *	page, doubling), then "page" and "multi"
 * @arena_size: the arena's size in bytes (@nr_pages * @page_size); every
 *	handle is below it
 * @reserved: returned as zero
 */
struct pgclass_ioc_info {
	__u32 abi_version;
	__u32 page_size;
	__u32 page_shift;
	__u32 nr_pages;
	__u32 meta_pages;
	__u32 nr_classes;
	__u64 arena_size;
	__u64 reserved[4];
};

/**
 * struct pgclass_ioc_alloc - allocate a block (PGCLASS_IOC_ALLOC)
 * @size: in: bytes wanted, 1 to the arena's size
 * @handle: out: the new block's handle
 * @usable_size: out: the block's size (the class size, the page size or
 *	a whole number of pages), at least @size; all of it is zeroed and
 *	all of it can be read and written
 * @reserved: must be zero
 *
 * Errors: EINVAL if @size is 0 or larger than the arena, or @reserved is
 * not zero; ENOMEM if no free space fits.  On EFAULT when writing the
 * result back, the block is freed again: nothing changes.
 */
struct pgclass_ioc_alloc {
	__u64 size;
	__u64 handle;
	__u64 usable_size;
	__u64 reserved[2];
};

/**
 * struct pgclass_ioc_free - free a block (PGCLASS_IOC_FREE)
 * @handle: a block this file owns
 * @reserved: must be zero
 *
 * If another thread of the file is copying the block (READ, WRITE),
 * waits for the copy to end; the block is freed only then.
 *
 * Errors: EINVAL if @handle is not a block of this file (freeing a block
 * twice is EINVAL the second time, unless the file was given a new block
 * at that offset in between: handles are reused), or @reserved is not
 * zero; EBUSY if the block is mapped (nothing changes).
 */
struct pgclass_ioc_free {
	__u64 handle;
	__u64 reserved;
};

/**
 * struct pgclass_ioc_realloc - resize a block (PGCLASS_IOC_REALLOC)
 * @handle: in: a block this file owns
 * @size: in: its new size, 1 to the arena's size (use FREE to free)
 * @new_handle: out: the block's handle now; equal to @handle when it was
 *	resized in place, else @handle is stale (and may come back as the
 *	handle of a later block)
 * @usable_size: out: the block's new usable size
 * @reserved: must be zero
 *
 * The first min(old usable size, @size) bytes keep their contents; the
 * rest of the block reads as zero.  Waits for READ and WRITE of the block
 * by other threads to end first; calls naming @handle meanwhile wait for
 * this one.
 *
 * Errors: EINVAL for a bad @handle, a @size of 0 or larger than the
 * arena, or a non-zero @reserved; EBUSY if the block is mapped; ENOMEM
 * if the block cannot grow and no free space fits.  On EBUSY and ENOMEM
 * the block is left as it was.  EFAULT when writing
 * the result back comes after the resize: the block, still owned by the
 * file, may have moved.
 */
struct pgclass_ioc_realloc {
	__u64 handle;
	__u64 size;
	__u64 new_handle;
	__u64 usable_size;
	__u64 reserved[2];
};

/**
 * struct pgclass_ioc_rw - copy bytes out of or into a block
 *	(PGCLASS_IOC_READ, PGCLASS_IOC_WRITE)
 * @handle: a block this file owns
 * @offset: where in the block to start
 * @len: bytes to copy; 0 is allowed and copies nothing
 * @buf: user address of the buffer, cast through (__u64)(uintptr_t)
 * @reserved: must be zero
 *
 * @offset + @len must not exceed the block's usable size.
 *
 * Errors: EINVAL for a bad @handle, @offset + @len beyond the block (or
 * overflowing), or a non-zero @reserved; EFAULT if @buf is not accessible
 * for @len bytes (a WRITE may then have stored part of the data).
 */
struct pgclass_ioc_rw {
	__u64 handle;
	__u64 offset;
	__u64 len;
	__u64 buf;
	__u64 reserved[2];
};

/**
 * struct pgclass_ioc_stats - the arena's counters (PGCLASS_IOC_STATS)
 * @page_size: allocator page size in bytes
 * @nr_pages: allocator pages in the arena, metadata included
 * @meta_pages: pages holding the allocator's metadata
 * @free_pages: pages in free runs
 * @used_pages: pages neither metadata nor free (a size class's spare
 *	empty page counts here)
 * @blocks: blocks allocated now, by all open files
 * @bytes_allocated: bytes in those blocks (their usable sizes)
 * @bytes_requested: bytes asked for by ALLOC and REALLOC for those blocks
 * @peak_used_pages: the most @used_pages has been since load
 * @alloc_calls: allocations the allocator was asked for
 * @free_calls: frees the allocator was asked for, closing included
 * @realloc_calls: resizes the allocator was asked for
 * @failed_calls: allocator calls that failed (exhaustion, bad frees); a
 *	call that this device rejects (bad handle, bad size) never reaches
 *	the allocator and is not counted
 * @cached_blocks: free blocks on the pages the CPUs' caches own
 * @cached_pages: pages the CPUs' caches own (at most one per small class
 *	and CPU)
 * @cache_busy_failures: allocations that failed while a CPU's cache that
 *	might have held the space was in use by another call
 * @fit_scans: allocations that found no free run at once and scanned one
 *	list for it, the last resort before failing
 * @reserved: returned as zero, for counters to come
 *
 * The same numbers, with the same names, as debugfs pgclass/stats.  The
 * three before @fit_scans were reserved (returned as zero) before the
 * per-CPU caches.  @fit_scans and @reserved came later and made the struct,
 * and so the command, larger: the module still serves the 128-byte STATS
 * of older headers, up to @cache_busy_failures.
 */
struct pgclass_ioc_stats {
	__u64 page_size;
	__u64 nr_pages;
	__u64 meta_pages;
	__u64 free_pages;
	__u64 used_pages;
	__u64 blocks;
	__u64 bytes_allocated;
	__u64 bytes_requested;
	__u64 peak_used_pages;
	__u64 alloc_calls;
	__u64 free_calls;
	__u64 realloc_calls;
	__u64 failed_calls;
	__u64 cached_blocks;
	__u64 cached_pages;
	__u64 cache_busy_failures;
	__u64 fit_scans;
	__u64 reserved[7];
};

#define PGCLASS_IOC_MAGIC	'J'

/* Fills struct pgclass_ioc_info. */
#define PGCLASS_IOC_INFO	_IOR(PGCLASS_IOC_MAGIC, 0x00, struct pgclass_ioc_info)
/* Allocates a zeroed block. */
#define PGCLASS_IOC_ALLOC	_IOWR(PGCLASS_IOC_MAGIC, 0x01, struct pgclass_ioc_alloc)
/* Frees a block. */
#define PGCLASS_IOC_FREE	_IOW(PGCLASS_IOC_MAGIC, 0x02, struct pgclass_ioc_free)
/* Resizes a block, moving it if it must. */
#define PGCLASS_IOC_REALLOC	_IOWR(PGCLASS_IOC_MAGIC, 0x03, struct pgclass_ioc_realloc)
/* Copies @len bytes of a block, from @offset, to @buf. */
#define PGCLASS_IOC_READ	_IOW(PGCLASS_IOC_MAGIC, 0x04, struct pgclass_ioc_rw)
/* Copies @len bytes from @buf into a block, at @offset. */
#define PGCLASS_IOC_WRITE	_IOW(PGCLASS_IOC_MAGIC, 0x05, struct pgclass_ioc_rw)
/* Fills struct pgclass_ioc_stats. */
#define PGCLASS_IOC_STATS	_IOR(PGCLASS_IOC_MAGIC, 0x06, struct pgclass_ioc_stats)

#endif /* _UAPI_LINUX_PGCLASS_H */
