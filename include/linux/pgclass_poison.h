/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclass internals, not part of the API: the two hooks through which
 * src/core.c tells a memory checker which bytes of a pool are a live block.
 *
 * The core calls pgc_unpoison() on a block's usable bytes when it hands
 * the block out (or grows it in place), and pgc_poison() on them when it
 * takes them back (free, a move, a shrink in place); a new pool's free
 * data pages start poisoned, and pgclass_pool_destroy() unpoisons the
 * data area again.  So a user of the in-kernel API that touches a freed
 * block, or any free page of a pool, gets a KASAN use-after-free report,
 * as with kmalloc()ed memory.  Only KASAN's shadow memory is written: the
 * data pages themselves stay untouched, as the core promises.  The usable
 * size is what is unpoisoned, not the size asked for, because
 * pgclass_usable_size() gives all of it to the caller (as ksize() does).
 *
 * Why hooks, and why in a header of their own: src/core.c builds unchanged
 * in user space, where a shim of this header (in tools/testing/user/include)
 * implements the same two hooks with AddressSanitizer's manual poisoning.
 * The user-space tests and the fuzzer thus run exactly these calls, check
 * the poison after each step and catch a use-after-free in ASan's way;
 * core.c needs no #ifdef, and this file only the one below.
 *
 * Here: generic KASAN, through kasan_poison(), which mm/kasan exports
 * (EXPORT_SYMBOL in 6.1, EXPORT_SYMBOL_GPL from 6.8) but declares only in
 * its internal mm/kasan/kasan.h.  Without KASAN (Debian's kernels) or with
 * the tag-based modes, the hooks do nothing.
 *
 * Where there is no shadow to write, nothing is poisoned: without
 * CONFIG_KASAN_VMALLOC, all of vmalloc space (vmap() included, so the
 * module's own arena) shares one read-only zero shadow page, and writing
 * it would fault.  The direct map (kmalloc(), alloc_pages()) and the
 * kernel image always have shadow.
 *
 * Every call is under the pool's lock, so that the shadow changes together
 * with the metadata.  It costs O(size / 8) bytes of shadow writes, as
 * KASAN's own poisoning of kmalloc() and the page allocator does.
 */
#ifndef _LINUX_PGCLASS_POISON_H
#define _LINUX_PGCLASS_POISON_H

#include <linux/types.h>

#ifdef CONFIG_KASAN_GENERIC

#include <linux/align.h>
#include <linux/bits.h>
#include <linux/kasan.h>
#include <linux/mm.h>

/* mm/kasan/shadow.c; @addr and @size must be multiples of the granule. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

/* KASAN_GRANULE_SIZE of mm/kasan/kasan.h: bytes per shadow byte. */
#define PGC_SHADOW_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)
/* KASAN_PAGE_FREE of mm/kasan/kasan.h: reported as use-after-free. */
#define PGC_SHADOW_FREE		0xFF

static inline bool pgc_has_shadow(const void *addr)
{
	return IS_ENABLED(CONFIG_KASAN_VMALLOC) || !is_vmalloc_addr(addr);
}

/* Make the whole granules of [@addr, @addr + @size) inaccessible. */
static inline void pgc_poison(const void *addr, size_t size)
{
	unsigned long start = ALIGN((unsigned long)addr, PGC_SHADOW_GRANULE);
	unsigned long end = ALIGN_DOWN((unsigned long)addr + size,
				       PGC_SHADOW_GRANULE);

	if (start < end && pgc_has_shadow(addr))
		kasan_poison((void *)start, end - start, PGC_SHADOW_FREE,
			     false);
}

/*
 * Make [@addr, @addr + @size) accessible; @addr starts a granule.  A
 * partial last granule gets the count of its accessible bytes, as KASAN
 * writes it for a kmalloc() of an odd size.
 */
static inline void pgc_unpoison(const void *addr, size_t size)
{
	size_t whole = ALIGN_DOWN(size, PGC_SHADOW_GRANULE);

	if (!IS_ALIGNED((unsigned long)addr, PGC_SHADOW_GRANULE) ||
	    !pgc_has_shadow(addr))
		return;
	if (whole)
		kasan_poison(addr, whole, 0, false);
	if (size > whole)
		*(u8 *)kasan_mem_to_shadow((const u8 *)addr + whole) =
			size - whole;
}

#else

static inline void pgc_poison(const void *addr, size_t size)
{
}

static inline void pgc_unpoison(const void *addr, size_t size)
{
}

#endif

#endif /* _LINUX_PGCLASS_POISON_H */
