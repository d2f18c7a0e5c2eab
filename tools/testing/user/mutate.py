#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Mutation check for the user-space tests: each mutation below breaks
src/core.c in one specific way; the tests must fail for every one.

  tools/testing/user/mutate.py [NAME-SUBSTRING...]
  TESTS="differential" tools/testing/user/mutate.py   # only some cases

Each mutant is built in a temporary copy of the tree; prints CAUGHT or
MISSED per mutation and exits 1 if any was missed.  A mutation whose text
no longer matches core.c is reported as NOT APPLICABLE (update it).
"""
import subprocess, shutil, os, sys, tempfile
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), '../../..'))
muts = [
 ("release keeps block kind", "\tpgc_init(pgc_desc(pool, s), PGC_FREE, 0);\n\tif (e < pool->nr_pages) {", "\tif (e < pool->nr_pages) {"),
 ("no own-list fallback", "\tpgc_mapping(n, &row, &col);\n\tif (row >= pool->nr_rows)\n\t\treturn PGC_NIL;", "\treturn PGC_NIL;\n\tpgc_mapping(n, &row, &col);\n\tif (row >= pool->nr_rows)\n\t\treturn PGC_NIL;"),
 ("no spare kept", "\tif (!(pool->spare_mask & BIT(c))) {\n\t\tpgc_part_add(pool, c, i, true);", "\tif (0) {\n\t\tpgc_part_add(pool, c, i, true);"),
 ("empty pages never returned", "\tcl->pages--;\n\tpgc_release(pool, i, 1);\n}", "\tpgc_part_add(pool, c, i, true);\n}"),
 ("no bit check on free", "\t\tif (!test_bit(r->bit, d->map))\n\t\t\treturn PGC_BAD_UNUSED;", ""),
 ("no alignment check in small page", "\t\tif (in & (BIT(bshift) - 1))\n\t\t\treturn PGC_BAD_START;\n\t\tr->bit", "\t\tr->bit"),
 ("TAIL accepted as block", "\tdefault:\t/* FREE or TAIL: not the first page of a block */", "\tcase PGC_TAIL:\n\t\tr->size = BIT(shift);\n\t\treturn PGC_OK;\n\tdefault:"),
 ("multi never shrinks in place", "\tif (m < r->pages) {\n\t\t/* The new", "\tif (m < r->pages && 0) {\n\t\t/* The new"),
 ("grow off by one", "d->map[0] < m - n)", "d->map[0] <= m - n)"),
 ("bad free not counted failed", "\tif (bad)\n\t\tpool->failed_calls++;\n\telse\n\t\tpgc_free_ref(pool, &r);", "\tif (!bad)\n\t\tpgc_free_ref(pool, &r);"),
 ("no warning", "\tpgc_warn(pool, \"free\", ptr, bad);\n\treturn -EINVAL;", "\treturn -EINVAL;"),
 ("no right coalescing", "\t\tif (pgc_kind(d) == PGC_FREE) {\n\t\t\tlen += d->map[0];", "\t\tif (0) {\n\t\t\tlen += d->map[0];"),
 ("no left coalescing", "\t\tif (pgc_kind(d) == PGC_FREE) {\n\t\t\tu32 l = d->map[0];", "\t\tif (0) {\n\t\t\tu32 l = d->map[0];"),
 ("class_of off by one", "return fls((unsigned int)(size - 1)) - PGCLASS_MIN_BLOCK_SHIFT;", "return fls((unsigned int)size) - PGCLASS_MIN_BLOCK_SHIFT;"),
 ("multi rounded to power of two", "\tn = DIV_ROUND_UP(size, BIT(shift));\n\ti = pgc_get_pages(pool, n);", "\tn = 1U << fls(DIV_ROUND_UP(size, BIT(shift)) - 1);\n\tif (n > pool->nr_pages - pool->meta_pages)\n\t\treturn NULL;\n\ti = pgc_get_pages(pool, n);"),
 ("spares never reclaimed", "\tif (!s && pool->spare_mask) {", "\tif (0) {"),
 ("realloc copies one byte short", "memcpy(p, ptr, min(r.size, size));", "memcpy(p, ptr, min(r.size, size) - 1);"),
 ("peak not tracked", "if (used > pool->peak_used)", "if (used > pool->peak_used && 0)"),
 ("whole page counter leaks", "\tcase PGC_WHOLE:\n\t\tpool->whole_pages--;\n\t\tpgc_release", "\tcase PGC_WHOLE:\n\t\tpgc_release"),
 ("alloc_aligned ignores align", "size ? max(size, align) : 0, valid", "size, valid"),
 ("full page stays on list check wrong", "\tif (pgc_map_full(d, nw))\n\t\tpgc_part_del(pool, c, i);", "\tif (pgc_map_full(d, nw) && nw > 1)\n\t\tpgc_part_del(pool, c, i);"),
 ("destroy silent", "\tif (blocks)\n\t\tpr_warn(\"pool destroyed", "\tif (0)\n\t\tpr_warn(\"pool destroyed"),
 ("walk used miscounted", "ext->used = used - hweight_long(pgc_preset(nb));", "ext->used = used;"),
 ("realloc frees old before alloc", "\tp = pgc_alloc_locked(pool, size);\n\tif (!p)\n\t\tpool->failed_calls++;\n\tspin_unlock_irqrestore(&pool->lock, flags);\n\tif (!p)\n\t\treturn NULL;", "\tpgc_free_ref(pool, &r);\n\tp = pgc_alloc_locked(pool, size);\n\tif (!p)\n\t\tpool->failed_calls++;\n\tspin_unlock_irqrestore(&pool->lock, flags);\n\tif (!p)\n\t\treturn NULL;\n\tspin_lock_irqsave(&pool->lock, flags);\n\tpgc_lookup(pool, p, &r);\n\tspin_unlock_irqrestore(&pool->lock, flags);\n\treturn p;"),
 ("spare not cleared when used", "\t\t\tpool->spare_mask &= ~BIT(c);\n\t}", "\t\t\tpool->spare_mask |= 0;\n\t}"),
 ("TLSF search ignores sl bits", "\t\tbits = sl[row] & (~0U << col);", "\t\tbits = 0;"),
 ("meta one page bigger", "\tif (meta >= nr)\n\t\treturn NULL;\n\tdata", "\tmeta++;\n\tif (meta >= nr)\n\t\treturn NULL;\n\tdata"),
 ("shrink to whole kept multi", "\t\tif (r->kind != PGC_HEAD)\n\t\t\treturn false;\n\t\tpgc_init", "\t\tif (r->kind != PGC_HEAD || 1)\n\t\t\treturn false;\n\t\tpgc_init"),
 ("whole never grows in place", "\tif (r->kind == PGC_WHOLE) {\n\t\tif (!pgc_grow", "\tif (r->kind == PGC_WHOLE) {\n\t\tif (1 || !pgc_grow"),
 ("small realloc same class moves", "return r->kind == PGC_SMALL && pgc_class_of(size) == r->class;", "return false;"),
 ("freed block not poisoned", "\tpgc_poison((char *)pgc_addr(pool, r->page) + (size_t)r->bit * r->size,\n\t\t   r->size);\n", ""),
 ("small block not unpoisoned", "\t\tif (p)\n\t\t\tpgc_unpoison(p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT));", ""),
 ("small block unpoisoned short", "pgc_unpoison(p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT));", "pgc_unpoison(p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT) - 8);"),
 ("multi block not unpoisoned", "\tpgc_unpoison(pgc_addr(pool, i), (size_t)n << shift);", ""),
 ("new pool's pages not poisoned", "\tpgc_poison(pgc_addr(pool, meta), (size_t)data << page_shift);", ""),
 ("shrunk tail not poisoned", "\t\tpgc_poison(pgc_addr(pool, r->page + m),\n\t\t\t   (size_t)(r->pages - m) << shift);", ""),
 ("grown pages not unpoisoned", "\tpgc_unpoison(pgc_addr(pool, r->page + r->pages),\n\t\t     (size_t)(m - r->pages) << shift);", ""),
 ("destroy leaves pages poisoned", "\tpgc_unpoison(pgc_addr(pool, pool->meta_pages), pgc_data_bytes(pool));\n", ""),
]
core = open(SRC+'/src/core.c').read()
sel = sys.argv[1:] 
missed = 0
tmp = tempfile.mkdtemp(prefix='pgclass-mutate-')
for name, old, new in muts:
    if sel and not any(s in name for s in sel): continue
    if core.count(old) != 1:
        print("MUTATION NOT APPLICABLE:", name, core.count(old)); continue
    d = tmp + '/tree'
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d+'/src'); os.makedirs(d+'/tools/testing')
    shutil.copytree(SRC+'/include', d+'/include')
    shutil.copytree(SRC+'/tools/testing/user', d+'/tools/testing/user', ignore=shutil.ignore_patterns('*.o','pgclass_test'))
    open(d+'/src/core.c','w').write(core.replace(old,new))
    b = subprocess.run(['make','-s','-C',d+'/tools/testing/user'],capture_output=True,text=True)
    if b.returncode:
        print("BUILD FAIL", name, b.stderr[-500:]); continue
    r = subprocess.run(['timeout','300',d+'/tools/testing/user/pgclass_test','-n','30000']+os.environ.get('TESTS','').split(),capture_output=True,text=True)
    fails = [l for l in r.stdout.splitlines() if l.startswith('not ok')]
    crash = 'ERROR: AddressSanitizer' in r.stderr or 'runtime error' in r.stderr
    status = 'CAUGHT' if (r.returncode != 0) else 'MISSED'
    missed += status == 'MISSED'
    print(f"{status:7} {name}: rc={r.returncode} {len(fails)} failing{' +sanitizer' if crash else ''}; e.g. {fails[:2]}", flush=True)
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if missed else 0)
