/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: what KUnit builds make visible is visible here. */
#ifndef _SHIM_KUNIT_VISIBILITY_H
#define _SHIM_KUNIT_VISIBILITY_H

#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(symbol)

#endif
