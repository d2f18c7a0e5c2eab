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

A mutation is (name, old, new), or (name, [(old, new), ...], 'tsan') for
one that changes several places and is run by the ThreadSanitizer test
too (pgclass_tsan, fewer operations): the per-CPU layer's, some of whose
faults only a data race shows.  It is CAUGHT if either test fails.
"""
import subprocess, shutil, os, sys, tempfile
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), '../../..'))
# A mutant that deadlocks must not stall the check: each case gets -t
# seconds (a TSan case takes a few at TSAN_OPS calls per thread).
CASE_TIMEOUT = '120'
TSAN_OPS = '6000'
TSAN_TIMEOUT = '30'
muts = [
 ("release keeps block kind", "\tpgc_init(pgc_desc(pool, s), PGC_FREE, 0);\n\tif (e < pool->nr_pages) {", "\tif (e < pool->nr_pages) {"),
 ("no own-list fallback", "\t/* No list where every run fits: the head of n's own list may. */\n\tpgc_run_list(n, &row, &col);", "\treturn PGC_NIL;\n\tpgc_run_list(n, &row, &col);"),
 ("no spare kept", "\tpgc_part_del(pool, c, i);\n\tpgc_spare_or_release(pool, c, i);", "\tpgc_part_del(pool, c, i);\n\tpgc_class_release(pool, c, i);"),
 ("empty pages never returned", "\t\treturn;\n\t}\n\tpgc_class_release(pool, c, i);\n}", "\t\treturn;\n\t}\n\tpgc_part_add(pool, c, i, true);\n}"),
 ("no bit check on free", "\tif (!(READ_ONCE(d->map[r->bit / BITS_PER_LONG]) &\n\t      BIT(r->bit % BITS_PER_LONG)))\n\t\treturn PGC_BAD_UNUSED;\n", "\t(void)d;\n"),
 ("no alignment check in small page", "\tif (in & (BIT(bshift) - 1))\n\t\treturn PGC_BAD_START;\n\tr->bit", "\tr->bit"),
 ("TAIL accepted as block", "\tdefault:\t/* FREE or TAIL: not the first page of a block */", "\tcase PGC_TAIL:\n\t\tr->size = BIT(shift);\n\t\treturn PGC_OK;\n\tdefault:"),
 ("multi never shrinks in place", "\tif (m < r->pages) {\n\t\t/* The new", "\tif (m < r->pages && 0) {\n\t\t/* The new"),
 ("grow off by one", "d->map[0] < m - n)", "d->map[0] <= m - n)"),
 ("bad free not counted failed", "\t\tpgc_count_call(pool, call);\n\t\tpool->failed_calls++;\n\t}\n}", "\t\tpgc_count_call(pool, call);\n\t}\n}"),
 ("no warning", "\tif (call == PGC_CALL_FREE)\n\t\tpgc_warn(pool, \"free\", ptr, bad);\n\telse if (call != PGC_CALL_NONE)\n\t\tpgc_warn(pool, \"realloc\", ptr, bad);\n", "\t(void)call;\n"),
 ("no right coalescing", "\t\tif (pgc_kind(d) == PGC_FREE) {\n\t\t\tlen += d->map[0];", "\t\tif (0) {\n\t\t\tlen += d->map[0];"),
 ("no left coalescing", "\t\tif (pgc_kind(d) == PGC_FREE) {\n\t\t\tu32 l = d->map[0];", "\t\tif (0) {\n\t\t\tu32 l = d->map[0];"),
 ("class_of off by one", "return fls((unsigned int)(size - 1)) - PGCLASS_MIN_BLOCK_SHIFT;", "return fls((unsigned int)size) - PGCLASS_MIN_BLOCK_SHIFT;"),
 ("multi rounded to power of two", "\t\tn = DIV_ROUND_UP(size, BIT(shift));\n\t\ti = pgc_get_pages(pool, n, held, busy);", "\t\tn = 1U << fls(DIV_ROUND_UP(size, BIT(shift)) - 1);\n\t\ti = n > pool->nr_pages - pool->meta_pages ? PGC_NIL :\n\t\t    pgc_get_pages(pool, n, held, busy);"),
 ("spares never reclaimed", "\tif (!s && pgc_reclaim_spares(pool))", "\tif (0)"),
 ("realloc copies one byte short", "memcpy(p, ptr, min(r.size, size));", "memcpy(p, ptr, min(r.size, size) - 1);"),
 ("peak not tracked", "if (used > pool->peak_used)", "if (used > pool->peak_used && 0)"),
 ("whole page counter leaks", "\tcase PGC_WHOLE:\n\t\tpool->whole_pages--;\n\t\tpgc_release", "\tcase PGC_WHOLE:\n\t\tpgc_release"),
 ("alloc_aligned ignores align", "\t\tsize = size ? max(size, align) : 0;\n", "\t\tsize = size ? size : 0;\n"),
 ("full page stays on list check wrong", "\tif (pgc_map_full(d, nw))\n\t\tpgc_part_del(pool, c, i);", "\tif (pgc_map_full(d, nw) && nw > 1)\n\t\tpgc_part_del(pool, c, i);"),
 ("destroy silent", "\tif (blocks)\n\t\tpr_warn(\"pool destroyed", "\tif (0)\n\t\tpr_warn(\"pool destroyed"),
 ("walk used miscounted", "ext->used = ext->total - pgc_free_blocks(pool, i, ext->class, map);", "ext->used = ext->total - pgc_free_blocks(pool, i, ext->class, map) +\n\t\t\t    hweight_long(pgc_preset(ext->total));"),
 ("realloc frees old before alloc", "\t\tp = pgc_alloc_call_ool(pool, size, shrink ? PGC_CALL_SHRINK :\n", "\t\tpgc_block_op(pool, ptr, &r, true, PGC_CALL_NONE, 0);\n\t\treturn pgc_alloc_call_ool(pool, size, PGC_CALL_REALLOC, 0);\n\t\tp = pgc_alloc_call_ool(pool, size, shrink ? PGC_CALL_SHRINK :\n"),
 ("spare looked for at the head", "\tt = pgc_prev(pgc_desc(pool, h));\n\treturn pgc_map_empty", "\tt = h;\n\treturn pgc_map_empty"),
 ("TLSF search ignores sl bits", "\t\tbits = col_map[row] & (~0U << col);", "\t\tbits = 0;"),
 ("meta one page bigger", "\tif (meta >= nr)\n\t\treturn NULL;\n\treturn pgc_pool_init(", "\tmeta++;\n\tif (meta >= nr)\n\t\treturn NULL;\n\treturn pgc_pool_init("),
 ("shrink to whole kept multi", "\t\tif (r->kind != PGC_HEAD)\n\t\t\treturn false;\n\t\tpgc_init", "\t\tif (r->kind != PGC_HEAD || 1)\n\t\t\treturn false;\n\t\tpgc_init"),
 ("whole never grows in place", "\tif (r->kind == PGC_WHOLE) {\n\t\tif (!pgc_grow", "\tif (r->kind == PGC_WHOLE) {\n\t\tif (1 || !pgc_grow"),
 ("small realloc same class moves", "\t} else if (small && pgc_class_of(size) == r->class) {", "\t} else if (0) {"),
 ("freed block not poisoned",
  [("\tpgc_pool_poison(pool, pgc_ref_addr(pool, r), r->size);\n\tswitch", "\tswitch"),
   ("\tpgc_pool_poison(pool, pgc_ref_addr(pool, r), r->size);\n\t/* Another free", "\t/* Another free")]),
 ("small block not unpoisoned", "\t\t\tif (p)\n\t\t\t\tpgc_pool_unpoison(pool, p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT));\n", ""),
 ("small block unpoisoned short", "pgc_pool_unpoison(pool, p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT));", "pgc_pool_unpoison(pool, p, BIT(c + PGCLASS_MIN_BLOCK_SHIFT) - 8);"),
 ("multi block not unpoisoned", "\tif (p)\n\t\tpgc_pool_unpoison(pool, p, pgc_usable(pool, size));", "\tif (p && size <= BIT(pool->page_shift))\n\t\tpgc_pool_unpoison(pool, p, pgc_usable(pool, size));"),
 ("new pool's pages not poisoned", "\tpgc_pool_poison(pool, pgc_addr(pool, first), (size_t)data << shift);", ""),
 ("shrunk tail not poisoned", "\t\tpgc_pool_poison(pool, pgc_addr(pool, r->page + m),\n\t\t\t\t(size_t)(r->pages - m) << shift);", ""),
 ("grown pages not unpoisoned", "\tpgc_pool_unpoison(pool, pgc_addr(pool, r->page + r->pages),\n\t\t\t  (size_t)(m - r->pages) << shift);", ""),
 ("destroy leaves pages poisoned", "\tpgc_pool_unpoison(pool, pgc_addr(pool, pool->meta_pages), pgc_data_bytes(pool));\n", ""),
 # The fit guarantee, shrinks, out-of-band and zeroed pools.
 ("no fit scan", "\tif (!s)\n\t\ts = pgc_fit_scan(pool, n);\n", "\tif (!s && !n)\n\t\ts = pgc_fit_scan(pool, n);\n"),
 ("fit scan wants more than n", "\t\tif (pgc_desc(pool, s)->map[0] >= n)\n\t\t\treturn s;\n\treturn PGC_NIL;", "\t\tif (pgc_desc(pool, s)->map[0] > n)\n\t\t\treturn s;\n\treturn PGC_NIL;"),
 ("fit scans not counted", "\tpool->fit_scans++;\n", ""),
 ("shrink fails when it cannot move", "\t\t} else if (shrink) {\n\t\t\t/* Counted already", "\t\t} else if (0) {\n\t\t\t/* Counted already"),
 ("kept multi-page block keeps all its pages", "\t\t\tif (r.kind == PGC_HEAD)\n\t\t\t\tpgc_shrink_to_page(pool, ptr);\n", "\t\t\tif (r.kind == PGC_HEAD && !ptr)\n\t\t\t\tpgc_shrink_to_page(pool, ptr);\n"),
 ("kept shrink counted failed", "\tif (call == PGC_CALL_SHRINK)\n\t\treturn;\n\tpool->failed_calls++;", "\tpool->failed_calls += (call != PGC_CALL_SHRINK) | 1;"),
 ("out-of-band realloc moves", "\tif (!bad && *how == PGC_REALLOC_MOVE && pgc_oob(pool))\n", "\tif (0)\n"),
 ("out-of-band range poisoned", "\tif (!pgc_oob(pool))\n\t\tpgc_poison(p, n);", "\tif (pool)\n\t\tpgc_poison(p, n);"),
 ("meta_size one descriptor short", "\t       (size_t)nr * pgc_desc_size(shift);\n}", "\t       (size_t)(nr - 1) * pgc_desc_size(shift);\n}"),
 ("metadata never cleared", "\tif (!zeroed)\n\t\tmemset", "\tif (!zeroed && 0)\n\t\tmemset"),
 ("multi pages miscounted", "\t\tn -= pool->cls[c].pages;\n", "\t\tn -= 0;\n"),
 # The per-CPU layer.
 ("owned-page lookup skips the bit check",
  [("\tif (!(READ_ONCE(d->map[r->bit / BITS_PER_LONG]) &",
    "\tif (r->kind != PGC_OWNED && !(READ_ONCE(d->map[r->bit / BITS_PER_LONG]) &")], 'tsan'),
 ("owned-page free skips the bit check",
  [("\tif (!(READ_ONCE(d->map[r->bit / BITS_PER_LONG]) &",
    "\tif (r->kind != PGC_OWNED && !(READ_ONCE(d->map[r->bit / BITS_PER_LONG]) &"),
   ("\t\told = READ_ONCE(*word);\n\t\tif (!(old & mask))\n\t\t\treturn false;\n",
    "\t\told = READ_ONCE(*word);\n")], 'tsan'),
 ("slot unlock dropped on the refill path",
  [("\t\t\t} else {\n\t\t\t\tp = pgc_refill(pool, s, cpu, c, call);\n\t\t\t}\n\t\t\tpgc_slot_unlock(s);",
    "\t\t\t\tpgc_slot_unlock(s);\n\t\t\t} else {\n\t\t\t\tp = pgc_refill(pool, s, cpu, c, call);\n\t\t\t}")], 'tsan'),
 ("reclaim skips flushing other slots",
  [("\t\tpgc_slot_flush(pool, k);\n\t\tpgc_slot_unlock(s);",
    "\t\tpgc_slot_unlock(s);")], 'tsan'),
 ("remote free counts in the freeing CPU's slot",
  [("\tWRITE_ONCE(s->used[r->class], s->used[r->class] - 1);\n\tif (k != cpu)",
    "\tif (cpu < pool->nr_slots)\n\t\tpgc_slot(pool, cpu)->used[r->class]--;\n\telse\n\t\ts->used[r->class]--;\n\tif (k != cpu)")], 'tsan'),
 # Slot locks are never waited for: a free that finds the owner's slot
 # taken must take the pool lock instead (pgc_owned_op()).
 ("free into a busy owner's slot skips the pool lock",
  [("\traw_spin_lock_irqsave(&pool->lock, flags);\n\tbad = pgc_owned_op_locked(pool, ptr, page, k, r, do_free, call, NULL,\n\t\t\t\t  cpu);\n\traw_spin_unlock_irqrestore(&pool->lock, flags);",
    "\t(void)flags;\n\tbad = pgc_owned_op_locked(pool, ptr, page, k, r, do_free, call, NULL,\n\t\t\t\t  cpu);")], 'tsan'),
 # Which page a freeing CPU adopts (pgc_adopt()).
 ("a freeing CPU adopts only into an empty slot page",
  "\tif (allocating && !pgc_map_empty(qd, nb))",
  "\tif (qd && !pgc_map_empty(qd, nb))"),
 ("an allocating CPU gives its page up to adopt",
  "\tif (allocating && !pgc_map_empty(qd, nb))",
  "\tif (allocating && !qd)"),
 # Where a refilling slot's page goes: not on another slot's descriptor line.
 ("a refill takes a listed page beside another CPU's",
  "\t\tif (!pgc_line_shared(pool, i, k))\n\t\t\treturn i;",
  "\t\tif (k != U32_MAX)\n\t\t\treturn i;"),
 ("a refill takes its run end beside another CPU's",
  "\tif (len > 1 && pgc_line_shared(pool, last ? s + len - 1 : s, k))",
  "\tif (len > 1 && !pool)"),
 # Adoption beside another CPU's page (pgc_adopt()), and the first
 # allocation from such a page (pgc_adopt_checked()).
 ("a freeing CPU refuses a page beside another CPU's",
  "\tif (shared && allocating)\n\t\tgoto out;",
  "\tif (shared)\n\t\tgoto out;"),
 ("a CPU gives up its allocating page for one beside another CPU's",
  "\tif (shared && allocating)\n\t\tgoto out;",
  "\tif (!pool)\n\t\tgoto out;"),
 ("a page adopted beside another CPU's is not marked",
  "\tif (shared)\n\t\tWRITE_ONCE(s->page[c], i | PGC_UNCHECKED);",
  "\tif (!pool)\n\t\tWRITE_ONCE(s->page[c], i | PGC_UNCHECKED);"),
 ("a refill keeps a marked page beside another CPU's",
  "\tif (!pgc_pages_to_spare(pool) || !pgc_line_shared(pool, i, k))",
  "\tif (pool)"),
 ("a refill gives up a marked page whose neighbour has gone",
  "\tif (!pgc_pages_to_spare(pool) || !pgc_line_shared(pool, i, k))",
  "\tif (!pgc_pages_to_spare(pool))"),
 ("a marked page is given up before another is found",
  "\tn = pgc_class_page(pool, c, k, busy);\n\tif (!n)\t\t/* none after all: keep it */\n\t\treturn;\n\tpgc_own(pool, n, c, k, false);\n\tWRITE_ONCE(s->refills, s->refills + 1);\n\tpgc_trace_cache(pool, true, k, c, n);\n\tpgc_unown(pool, k, c, i);",
  "\tpgc_slot_give(pool, k, c);\n\tn = pgc_class_page(pool, c, k, busy);\n\tif (!n)\n\t\treturn;\n\tpgc_own(pool, n, c, k, false);\n\tWRITE_ONCE(s->refills, s->refills + 1);\n\tpgc_trace_cache(pool, true, k, c, n);"),
 ("a marked page is given up before its replacement is owned",
  "\tpgc_own(pool, n, c, k, false);\n\tWRITE_ONCE(s->refills, s->refills + 1);\n\tpgc_trace_cache(pool, true, k, c, n);\n\tpgc_unown(pool, k, c, i);",
  "\tpgc_unown(pool, k, c, i);\n\tpgc_own(pool, n, c, k, false);\n\tWRITE_ONCE(s->refills, s->refills + 1);\n\tpgc_trace_cache(pool, true, k, c, n);"),
 ("near full, a marked page is given up all the same",
  "\tif (!pgc_pages_to_spare(pool) || !pgc_line_shared(pool, i, k))",
  "\tif (!pgc_line_shared(pool, i, k))"),
 # A grow in place over a cached page (pgc_resize_reclaim()).
 ("a grow in place takes back no cached page",
  "\tif (pgc_reclaim_spares(pool)) {\n\t\tif (pgc_resize(pool, r, size))\n\t\t\treturn true;\n\t\tif (!pgc_oob(pool) && pgc_find_run(pool, m))\n\t\t\treturn false;\n\t}\n\tif (!pool->slots_own)",
  "\tif (pool)"),
 ("a grow takes the caches back before a block in its way",
  "\tif (m <= n || e >= pool->nr_pages || !pgc_may_take_back(pool, e))",
  "\tif (m <= n || e >= pool->nr_pages)"),
 ("a grow in place takes back only the spares",
  "\tif (!pool->slots_own)\n\t\treturn false;\n\t*busy += pgc_reclaim_caches(pool, U32_MAX);",
  "\tif (pool)\n\t\treturn false;\n\t*busy += pgc_reclaim_caches(pool, U32_MAX);"),
 # Where a slot's page given up empty goes (pgc_unown()).
 ("a page given up empty goes to the free runs",
  "\tif (pgc_map_empty(d, nb))\n\t\tpgc_spare_or_release(pool, c, i);",
  "\tif (pgc_map_empty(d, nb))\n\t\tpgc_class_release(pool, c, i);"),
 ("a page given up empty is a second spare",
  "\tif (pgc_map_empty(d, nb))\n\t\tpgc_spare_or_release(pool, c, i);",
  "\tif (pgc_map_empty(d, nb))\n\t\tpgc_part_add(pool, c, i, true);"),
 ("a refill looks at the list's head only",
  "#define PGC_PICK_TRIES\t3", "#define PGC_PICK_TRIES\t1"),
 ("a refill spends the last free pages to avoid a line",
  "\treturn pool->free_pages >\n\t       (pool->nr_pages - pool->meta_pages) >> PGC_SPARE_SHIFT;",
  "\treturn pool->free_pages > 0;"),
 ("descriptor lines looked at: one short after",
  "\tu32 after = DIV_ROUND_UP(ALIGN(a + stride, PGC_LINE) - a, stride) - 1;",
  "\tu32 after = DIV_ROUND_UP(ALIGN(a + stride, PGC_LINE) - a, stride) - 2;"),
 ("descriptor lines looked at: none before",
  "\tfor (j = i - min(before, i - pool->meta_pages); j <= last; j++) {",
  "\tfor (j = i - min(before, 0U); j <= last; j++) {"),
]
core = open(SRC+'/src/core.c').read()
sel = sys.argv[1:]
missed = 0
tmp = tempfile.mkdtemp(prefix='pgclass-mutate-')


def run(cmd, env=None, first=False):
    """Run a test binary; (rc, its failing cases, a sanitizer report?).
    With first, stop at the first failing case: enough to catch."""
    err = tempfile.TemporaryFile(mode='w+')
    p = subprocess.Popen(['timeout', '600'] + cmd, stdout=subprocess.PIPE,
                         stderr=err, text=True, env=env,
                         start_new_session=True)
    fails, why = [], ''
    for l in p.stdout:
        if l.startswith('# ') and not fails and any(
                w in l for w in ('check failed', 'killed by', 'timed out')):
            why = l[2:].strip()
        if l.startswith('not ok'):
            fails.append(l.rstrip() + (f' ({why})' if why else ''))
            if first:
                os.killpg(p.pid, 9)
                break
    p.stdout.close()
    rc = p.wait()
    if first and fails:
        rc = 1
    err.seek(0)
    text = err.read()
    report = any(w in text for w in
                 ('ERROR: AddressSanitizer', 'runtime error',
                  'WARNING: ThreadSanitizer'))
    return rc, fails, report


for m in muts:
    name = m[0]
    pairs = m[1] if isinstance(m[1], list) else [(m[1], m[2])]
    tsan = 'tsan' in m[2:]
    if sel and not any(s in name for s in sel): continue
    bad = [core.count(old) for old, _ in pairs if core.count(old) != 1]
    if bad:
        print("MUTATION NOT APPLICABLE:", name, bad); continue
    mutant = core
    for old, new in pairs:
        mutant = mutant.replace(old, new)
    d = tmp + '/tree'
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d+'/src'); os.makedirs(d+'/tools/testing')
    shutil.copytree(SRC+'/include', d+'/include')
    # the test data the user-space tests share with KUnit (page_shifts.h, ...)
    shutil.copytree(SRC+'/kunit_tests', d+'/kunit_tests', ignore=shutil.ignore_patterns('*.c'))
    shutil.copytree(SRC+'/tools/testing/user', d+'/tools/testing/user', ignore=shutil.ignore_patterns('*.o','pgclass_test','pgclass_tsan','tsan-obj'))
    open(d+'/src/core.c','w').write(mutant)
    user = d+'/tools/testing/user'
    b = subprocess.run(['make','-s','-C',user],capture_output=True,text=True)
    if b.returncode:
        print("BUILD FAIL", name, b.stderr[-500:]); continue
    rc, fails, report = run([user+'/pgclass_test','-n','30000','-t',CASE_TIMEOUT]+os.environ.get('TESTS','').split())
    said = [f"asan rc={rc} {len(fails)} failing{' +sanitizer' if report else ''}; e.g. {fails[:2]}"]
    caught = rc != 0
    if tsan:
        b = subprocess.run(['make','-s','-C',user,'tsan'],capture_output=True,text=True)
        if b.returncode:
            print("BUILD FAIL (tsan)", name, b.stderr[-500:]); continue
        env = dict(os.environ, TSAN_OPTIONS='halt_on_error=1 exitcode=66')
        trc, tfails, treport = run([user+'/pgclass_tsan','-n',TSAN_OPS,'-t',TSAN_TIMEOUT], env, first=True)
        said.append(f"tsan rc={trc}, first failing: {tfails[:1]}{' +race' if treport else ''}")
        caught |= trc != 0
    status = 'CAUGHT' if caught else 'MISSED'
    missed += status == 'MISSED'
    print(f"{status:7} {name}: " + ' | '.join(said), flush=True)
shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if missed else 0)
