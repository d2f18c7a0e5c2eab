/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the poison hooks of src/core.c (see the kernel's
 * version in the top include/linux/) with AddressSanitizer's manual
 * poisoning, so that the tests catch a use-after-free of a pool's block as
 * KASAN does in the kernel, and can check the poison after each call.
 *
 * Without AddressSanitizer they do nothing, and need no sanitizer header:
 * the benchmarks build core.c without sanitizers, and the ThreadSanitizer
 * build (make tsan) cannot have ASan.  GCC says -fsanitize=address with
 * __SANITIZE_ADDRESS__; clang before 16 (the fuzzer's) only through
 * __has_feature(address_sanitizer).
 */
#ifndef _SHIM_LINUX_PGCLASS_POISON_H
#define _SHIM_LINUX_PGCLASS_POISON_H

#include <stddef.h>
#include <linux/compiler_attributes.h>

#if defined(__SANITIZE_ADDRESS__)
#define SHIM_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHIM_ASAN	1
#endif
#endif

#ifdef SHIM_ASAN

#include <sanitizer/asan_interface.h>

static inline void pgc_poison(const void *addr, size_t size)
{
	ASAN_POISON_MEMORY_REGION(addr, size);
}

static inline void pgc_unpoison(const void *addr, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(addr, size);
}

#else

static inline void pgc_poison(const void *addr __maybe_unused,
			      size_t size __maybe_unused)
{
}

static inline void pgc_unpoison(const void *addr __maybe_unused,
				size_t size __maybe_unused)
{
}

#endif

#endif
