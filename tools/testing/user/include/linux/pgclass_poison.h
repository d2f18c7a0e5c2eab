/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the poison hooks of src/core.c (see the kernel's
 * version in the top include/linux/) with AddressSanitizer's manual
 * poisoning, so that the tests catch a use-after-free of a pool's block as
 * KASAN does in the kernel, and can check the poison after each call.
 * Without -fsanitize=address (the benchmarks) they do nothing.
 */
#ifndef _SHIM_LINUX_PGCLASS_POISON_H
#define _SHIM_LINUX_PGCLASS_POISON_H

#include <stddef.h>
#include <sanitizer/asan_interface.h>

static inline void pgc_poison(const void *addr, size_t size)
{
	ASAN_POISON_MEMORY_REGION(addr, size);
}

static inline void pgc_unpoison(const void *addr, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(addr, size);
}

#endif
