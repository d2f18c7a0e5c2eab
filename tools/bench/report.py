#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn build/bench/raw/*.csv into tables.

    report.py OUT [--no-guest] [--pool-only]

Reads OUT/raw/ (what bench.sh collected), writes OUT/*.csv and OUT/*.md
(one pair per table), OUT/summary.md (all of them, with the targets and
the machine), and OUT/*.dat for plot.gp; prints summary.md.  With
--pool-only, only the pool sections (tools/bench/poolbench.sh).  Exits 1 if a
result is missing: every table must be complete.  A target's status is
computed from the figures, never written by hand.
"""
import csv
import os
import statistics
import sys

ALLOCS = ['pgclass', 'glibc', 'jemalloc', 'mimalloc']
PEERS = ALLOCS[1:]
TRACES = ['pair-16', 'pair-32', 'pair-64', 'pair-128', 'pair-256',
          'pair-512', 'pair-1024', 'pair-2048', 'churn', 'churn-big',
          'lab', 'regrow']
KTRACES = [t for t in TRACES if t != 'churn-big']
KALLOCS = ['pgclass', 'kmalloc', 'gen_pool']
FILLS = [0, 50, 90]
SWEEP_MIB = [4, 16, 64, 256, 1024]
SMALL_KINDS = ['alloc-small', 'free-small']
META_CPUS = [2, 64]
# Two threads can at most double one thread's throughput.
SCALE_LIMIT = 2.0
# pgclass_poolbench.ko's alloc+free pairs per timed run (PB_PAIRS).
PAIRS_POOL = 512


class Missing(Exception):
    pass


def rows(path, kind=None):
    try:
        with open(path, newline='') as f:
            out = [r for r in csv.reader(f) if r]
    except OSError as e:
        raise Missing(f'{path}: {e.strerror}')
    return [r for r in out if kind is None or r[0] == kind]


def fmt(v, nd=1):
    return f'{v:.{nd}f}'


def ratio(a, b):
    return a / b if b else float('inf')


def md_table(head, body):
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '|'.join(' --- ' if i == 0 else ' ---: '
                            for i in range(len(head))) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in body]
    return '\n'.join(lines)


class Report:
    def __init__(self, out, guest):
        self.out = out
        self.raw = os.path.join(out, 'raw')
        self.guest = guest
        self.sections = []
        self.targets = []
        self.env = {}
        for r in rows(os.path.join(self.raw, 'env.csv')):
            self.env[r[0] if r[0] != 'pkg' else 'pkg:' + r[1]] = \
                r[-1] if r[0] == 'pkg' else ','.join(r[1:])

    def write(self, name, title, intro, head, body, csv_head=None,
              csv_body=None):
        with open(os.path.join(self.out, name + '.csv'), 'w',
                  newline='') as f:
            w = csv.writer(f)
            w.writerow(csv_head or head)
            w.writerows(csv_body or body)
        text = f'### {title}\n\n{intro}\n\n{md_table(head, body)}\n'
        with open(os.path.join(self.out, name + '.md'), 'w') as f:
            f.write(text)
        self.sections.append(text)

    # The Targets table lists them in the order, whatever the
    # order in which the sections compute them.
    ORDER = ['guest 64 B', 'native pair-64', 'native churn',
             'native scaling', 'guest scaling', 'guest cross-CPU',
             'native cross-CPU', 'device: 2', 'device: one', '≤ 2 metadata',
             'metadata ≤ 1%', 'ns/op at 1 GiB', '≥ 100×',
             'tracepoints off']

    def target(self, what, value, met):
        self.targets.append([what, value, 'met' if met else '**not met**'])

    def sorted_targets(self):
        def key(t):
            for i, p in enumerate(self.ORDER):
                if t[0].startswith(p):
                    return i
            return len(self.ORDER)
        return sorted(self.targets, key=key)

    # 1. native timings -------------------------------------------------
    def native(self):
        runs = {}
        for r in rows(os.path.join(self.raw, 'native.csv')):
            _, kind, alloc, trace, _, ns = r
            runs.setdefault((alloc, trace), []).append(float(ns))
        med = {}
        body, cbody, dat = [], [], []
        for t in TRACES:
            row, crow = [t], [t]
            for a in ALLOCS:
                v = runs.get((a, t))
                if not v:
                    raise Missing(f'native: no {a} {t}')
                med[a, t] = statistics.median(v)
                row.append(f'{fmt(med[a, t])} ({fmt(min(v))}–{fmt(max(v))})')
                crow += [fmt(med[a, t], 3), fmt(min(v), 3), fmt(max(v), 3)]
            for p in PEERS:
                row.append(fmt(ratio(med['pgclass', t], med[p, t]), 2))
                crow.append(fmt(ratio(med['pgclass', t], med[p, t]), 3))
            body.append(row)
            cbody.append(crow)
            dat.append([t] + [fmt(med[a, t], 3) for a in ALLOCS])
        n = len(runs[('pgclass', 'pair-64')])
        lock = runs.get(('pgclass', 'lock-only'))
        if not lock:
            raise Missing('native: no pgclass lock-only')
        lk = statistics.median(lock)
        atom = {}
        for k in ('lock-only', 'slot-lock', 'cmpxchg-local'):
            v = runs.get(('pgclass', k))
            if not v:
                raise Missing(f'native: no pgclass {k}')
            atom[k] = (statistics.median(v), min(v), max(v))
            cbody.append([k, fmt(atom[k][0], 3), fmt(atom[k][1], 3),
                          fmt(atom[k][2], 3)])
        self.native_med = med
        self.atomics = atom
        self.write(
            'native', 'User space, native: ns per operation',
            f'Median over {n} rounds (each round: one process per '
            'allocator, in a rotating order; in each process the median of '
            '5 replays after a warm-up, timed in thread CPU time), with '
            'the rounds\' range in brackets.  An operation is one call (a pair is two).  The '
            'ratio columns are pgclass\'s time over the peer\'s from the '
            'same run: below 1, pgclass is faster.  What pgclass\'s '
            'locks cost alone is in the next table.',
            ['trace'] + ALLOCS + [f'pgclass/{p}' for p in PEERS], body,
            ['trace'] + [f'{a}_{s}' for a in ALLOCS
                         for s in ('median', 'min', 'max')] +
            [f'pgclass/{p}' for p in PEERS], cbody)
        with open(os.path.join(self.out, 'peers.dat'), 'w') as f:
            f.write('# trace ' + ' '.join(ALLOCS) + '\n')
            for d in dat:
                f.write(' '.join(d) + '\n')
        for t in ('pair-64', 'churn'):
            r = ratio(med['pgclass', t], med['jemalloc', t])
            self.target(f'native {t}: pgclass ≤ jemalloc\'s time',
                        f'{fmt(r, 2)}× jemalloc ({fmt(med["pgclass", t])} '
                        f'vs {fmt(med["jemalloc", t])} ns/op)', r <= 1.0)

    def atomics_table(self):
        a, med = self.atomics, self.native_med
        je = med['jemalloc', 'pair-64']
        pg = med['pgclass', 'pair-64']
        rows_ = [
            ('pool lock: pthread spinlock taken and dropped (the shared '
             'path\'s lock)', 'lock-only'),
            ('slot lock: locked cmpxchg_acquire + release store (the fast '
             'path\'s first atomic)', 'slot-lock'),
            ('cmpxchg() on a bitmap word (locked: the block bit, the '
             'fast path\'s second atomic)', 'cmpxchg-local'),
        ]
        body = []
        for what, k in rows_:
            m, lo, hi = a[k]
            body.append([what, f'{fmt(m, 2)} ({fmt(lo, 2)}–{fmt(hi, 2)})',
                         fmt(2 * m, 1), fmt(2 * m / (2 * je), 2)])
        body.append(['pgclass pair-64, for comparison', fmt(pg, 2),
                     fmt(2 * pg, 1), fmt(pg / je, 2)])
        body.append(['jemalloc pair-64, for comparison', fmt(je, 2),
                     fmt(2 * je, 1), '1.00'])
        self.write(
            'atomics', 'User space, native: what the locking rules cost '
            'alone',
            'Timed in the pgclass process of each round of the table above '
            '(median over the rounds, their range in brackets), each on a '
            'cache line only this thread writes: the cost of the '
            'instructions themselves, uncontended.  A 64 B alloc+free pair '
            'on pgclass\'s fast path takes and drops its slot lock twice '
            'and changes a bitmap word with a locked cmpxchg() twice; '
            'jemalloc\'s pair takes no lock and executes no atomic '
            'instruction.  *÷ jemalloc\'s pair*: the pair\'s cost over '
            'jemalloc\'s whole pair-64 pair from the same run.',
            ['what', 'ns per call', 'ns per pair (2 calls)',
             '÷ jemalloc\'s pair'], body)

    def scale(self):
        wall, cpu, slots = {}, {}, []
        for r in rows(os.path.join(self.raw, 'scale.csv')):
            if r[1] == 'scale':
                _, _, alloc, case, thr, _, w, c = r
                wall.setdefault((alloc, case, int(thr)), {})[r[0]] = \
                    float(w)
                cpu.setdefault((alloc, case, int(thr)), []).append(float(c))
            elif r[1] == 'slots':
                slots.append([int(x) for x in r[3:]])
        if not slots:
            raise Missing('scale: no pgclass slot counts')
        med, sc, body, cbody = {}, {}, [], []
        for a in ALLOCS:
            for k in (('pairs', 1), ('pairs', 2), ('xfree', 2)):
                if (a,) + k not in wall:
                    raise Missing(f'scale: no {a} {k[0]} {k[1]}')
                med[(a,) + k] = statistics.median(wall[(a,) + k].values())
            w1, w2 = wall[a, 'pairs', 1], wall[a, 'pairs', 2]
            per = [w1[r] / w2[r] for r in w1 if r in w2]
            sc[a] = (statistics.median(per), min(per), max(per))
        if ('pgclass', 'ring-only', 2) not in wall:
            raise Missing('scale: no ring-only')
        ring = statistics.median(wall['pgclass', 'ring-only', 2].values())
        je_x = med['jemalloc', 'xfree', 2]
        for a in ALLOCS:
            c1 = statistics.median(cpu[a, 'pairs', 1])
            c2 = statistics.median(cpu[a, 'pairs', 2])
            x = med[a, 'xfree', 2]
            body.append([a, fmt(med[a, 'pairs', 1], 2),
                         fmt(med[a, 'pairs', 2], 2),
                         f'{fmt(sc[a][0], 2)} ({fmt(sc[a][1], 2)}–'
                         f'{fmt(sc[a][2], 2)})', fmt(c1, 2), fmt(c2, 2),
                         fmt(x, 1), fmt(ratio(x, je_x), 2)])
            cbody.append([a, fmt(med[a, 'pairs', 1], 3),
                          fmt(med[a, 'pairs', 2], 3), fmt(sc[a][0], 3),
                          fmt(sc[a][1], 3), fmt(sc[a][2], 3), fmt(c1, 3),
                          fmt(c2, 3), fmt(x, 3), fmt(ratio(x, je_x), 3)])
        ncpu, nslot, sa, ta, sf, tf, rf = slots[-1]
        n = len(wall['pgclass', 'pairs', 1])
        self.write(
            'scale', 'User space, native: two threads, and frees on '
            'another CPU',
            f'`ubench-ALLOC scale 5`, in each of the {n} rounds of the '
            'first table (its own process per allocator, rotating '
            'order): threads pinned to CPUs of their own with '
            'pthread_setaffinity_np, on one allocator (pgclass: one shared '
            '64 MiB pool).  *pairs*: each thread does 1,000,000 64 B '
            'alloc+free pairs; ns per call over both threads, in wall time '
            'from a common start to the last thread\'s end (its inverse is '
            'the throughput); in each process the median of 5 runs after a '
            'warm-up run, then the median over the rounds.  *2 ÷ 1*: the '
            'throughput of 2 threads over that of 1, the median of the '
            'rounds\' ratios (range in brackets); 2.00 is perfect '
            'scaling.  *CPU*: the threads\' CPU time per call (time '
            'descheduled left out: where wall ≫ CPU, the threads waited '
            'for a core).  *cross-CPU*: 250,000 64 B blocks allocated by a '
            'thread on CPU 0 and passed through a ring of 1,024 entries to '
            'a thread on CPU 1 that frees them; wall ns per block.  The '
            f'ring alone (tokens, no allocator): {fmt(ring, 1)} ns per '
            f'block.  pgclass\'s pool: nr_cpu_ids {ncpu}, {nslot} slots; '
            f'its slots served {100 * sa / ta:.1f}% of the allocations and '
            f'{100 * sf / tf:.1f}% of the frees of the last round '
            f'({rf:,} frees of another CPU\'s block), the rest took the '
            'pool lock.',
            ['allocator', '1 thread ns/call', '2 threads ns/call',
             '2 ÷ 1 throughput', 'CPU ns/call, 1', 'CPU ns/call, 2',
             'cross-CPU ns/block', 'cross-CPU ÷ jemalloc'], body,
            ['allocator', 'wall_1', 'wall_2', 'scaling_median',
             'scaling_min', 'scaling_max', 'cpu_1', 'cpu_2', 'xfree',
             'xfree_over_jemalloc'], cbody)
        self.scale_slots = (ncpu, nslot, sa, ta, sf, tf, rf)
        pg, je = sc['pgclass'][0], sc['jemalloc'][0]
        bar = min(je, SCALE_LIMIT)
        why = ''
        if nslot < 2:
            why = f'; the pool has {nslot} slot(s) for 2 threads'
        self.target('native scaling: pgclass\'s 2-thread ÷ 1-thread '
                    'throughput ≥ jemalloc\'s in the same run (at most '
                    f'{SCALE_LIMIT:.1f}); 64 B pairs, pinned threads, one '
                    'pool',
                    f'pgclass {fmt(pg, 2)}, jemalloc {fmt(je, 2)} (glibc '
                    f'{fmt(sc["glibc"][0], 2)}, mimalloc '
                    f'{fmt(sc["mimalloc"][0], 2)}); pgclass\'s pool '
                    f'{nslot} slots, {100 * sa / ta:.0f}% of allocations '
                    f'on them{why}', pg >= bar)
        x = ratio(med['pgclass', 'xfree', 2], je_x)
        self.target('native cross-CPU frees: pgclass ≤ 1.5× jemalloc\'s '
                    'time per block (producer on CPU 0, ring, consumer '
                    'frees on CPU 1)',
                    f'{fmt(x, 2)}× jemalloc ({fmt(med["pgclass", "xfree", 2])}'
                    f' vs {fmt(je_x)} ns per block; the ring alone '
                    f'{fmt(ring)})', x <= 1.5)

    def footprint(self):
        got = {}
        for r in rows(os.path.join(self.raw, 'footprint.csv'), 'footprint'):
            got[r[1], r[2]] = [int(x) for x in r[3:6]]
        body, cbody = [], []
        for t in ('churn', 'churn-big'):
            for a in ALLOCS:
                if (a, t) not in got:
                    raise Missing(f'footprint: no {a} {t}')
                live, pages, rss = got[a, t]
                body.append([t, a, f'{live / 1024:.0f}',
                             f'{pages / 1024:.0f}', fmt(pages / live, 2),
                             f'{rss / 1024:.0f}', fmt(rss / live, 2)])
                cbody.append([t, a, live, pages, fmt(pages / live, 3), rss,
                              fmt(rss / live, 3)])
        self.write(
            'footprint', 'User space: peak footprint',
            'One untimed replay per allocator and trace, in a fresh '
            'process, writing every 4 KiB page of each block as it is '
            'allocated.  *live*: the peak of the requested bytes live; '
            '*pages*: the peak of the 4 KiB pages holding at least one '
            'live byte (sampled every 16th allocation); *resident*: the '
            'peak growth of the process\'s resident memory (the same '
            'samples): what the allocator took and kept, its in-band '
            'metadata included.  pgclass\'s out-of-band metadata (under '
            '1% of its pool, below) was resident before the replay and is '
            'not in *resident*.',
            ['trace', 'allocator', 'live KiB', 'pages KiB', 'pages/live',
             'resident KiB', 'resident/live'], body,
            ['trace', 'allocator', 'peak_live_bytes', 'peak_pages_bytes',
             'pages_over_live', 'peak_resident_bytes',
             'resident_over_live'], cbody)

    # 2. O(1) -----------------------------------------------------------
    def sweep(self):
        runs, meta = {}, {}
        for r in rows(os.path.join(self.raw, 'sweep.csv')):
            if r[0] == 'meta':
                meta[int(r[2])] = (int(r[3]), int(r[4]), int(r[5]))
            elif r[0] == 'sweep':
                runs.setdefault((int(r[2]), int(r[3]), r[4]),
                                []).append(float(r[6]))
        body, cbody, worst = [], [], (0, None)
        dat = {}
        for t in ('churn', 'pair-64'):
            for fill in FILLS:
                row = [t, f'{fill}%']
                m = []
                for mib in SWEEP_MIB:
                    v = runs.get((mib, fill, t))
                    if not v:
                        raise Missing(f'sweep: no {mib} MiB {fill}% {t}')
                    m.append(statistics.median(v))
                    row.append(fmt(m[-1]))
                    dat.setdefault((t, fill), []).append(m[-1])
                q = m[-1] / m[0]
                row.append(fmt(q, 2))
                body.append(row)
                cbody.append([t, fill] + [fmt(x, 3) for x in m] +
                             [fmt(q, 3)])
                if q > worst[0]:
                    worst = (q, f'{t} at {fill}%')
        n = len(runs[(4, 0, 'churn')])
        self.write(
            'sweep', 'O(1): pgclass ns per operation against pool size '
            '(user space, native)',
            f'Median over {n} rounds; all fifteen pools (five sizes, each '
            'empty, half and 90% full with the benchmarks\' size mix) are '
            'alive at once and visited in a rotating order; in each visit, '
            'the median of 3 replays after a warm-up, in thread CPU time.  '
            'Last column: '
            'ns/op at 1 GiB over ns/op at 4 MiB.',
            ['trace', 'fill'] + [f'{m} MiB' for m in SWEEP_MIB] +
            ['1 GiB / 4 MiB'], body,
            ['trace', 'fill'] + [f'{m}MiB' for m in SWEEP_MIB] +
            ['ratio_1GiB_4MiB'], cbody)
        with open(os.path.join(self.out, 'sweep.dat'), 'w') as f:
            f.write('# mib churn_0 churn_50 churn_90 pair64_0 pair64_50 '
                    'pair64_90\n')
            for i, mib in enumerate(SWEEP_MIB):
                f.write(f'{mib} ' + ' '.join(
                    fmt(dat[t, fl][i], 3) for t in ('churn', 'pair-64')
                    for fl in FILLS) + '\n')
        self.target('ns/op at 1 GiB ÷ ns/op at 4 MiB ≤ 1.2 (native)',
                    f'worst {fmt(worst[0], 2)} ({worst[1]})',
                    worst[0] <= 1.2)
        self.user_meta = meta

    # 3. pages and instructions -----------------------------------------
    def pages(self):
        pg = {(r[1], r[2]): r[3:] for r in
              rows(os.path.join(self.raw, 'pages.csv'), 'pages')}
        ins = {(r[1], r[2]): r[3:] for r in
               rows(os.path.join(self.raw, 'instr.csv'), 'instr')}
        kinds = []
        for a, k in pg:
            if k != 'null' and k not in kinds:
                kinds.append(k)
        order = ['alloc-small', 'free-small', 'alloc-page', 'free-page',
                 'alloc-multi', 'free-multi']
        kinds.sort(key=lambda k: (order.index(k) if k in order else 99, k))
        body, cbody = [], []
        for k in kinds:
            for a in ('pgclass', 'naive'):
                if (a, k) not in pg or (a, k) not in ins:
                    if k in SMALL_KINDS:
                        raise Missing(f'pages: no {a} {k}')
                    continue
                p, i = pg[a, k], ins[a, k]
                name = a if a == 'pgclass' else 'naive (baseline)'
                body.append([k, name, p[0], f'{p[1]} / {p[2]}',
                             f'{p[3]} / {p[4]}', f'{p[5]} / {p[6]}',
                             f'{p[7]} / {p[8]}', f'{i[1]} / {i[2]}'])
                cbody.append([k, a] + p[:9] + i[1:3] + p[11:13])
        self.write(
            'pages', 'The lab\'s metric: distinct pages touched per '
            'operation, and instructions',
            'valgrind lackey\'s memory trace of each call, between '
            'markers, on a 16 MiB pool of 4 KiB pages half full '
            '(`pagetrace`; 16 MiB so that the pool gets per-CPU slots: a '
            '4 MiB pool gets none); mean / maximum over the operations of '
            'each kind.  *meta*: 4 KiB pages of the pool\'s metadata; '
            '*desc*: those other than the first, which holds the pool '
            'header (lock, class lists, counters), the per-CPU slots and '
            'the first descriptors; *data*: pages of blocks (a moving '
            'realloc copies: 2 or more is the copy); *other*: the thread\'s '
            'CPU number (a thread-local variable of the user-space shim, '
            'where the kernel reads a per-CPU one), the tracepoints\' '
            'static key (a global of the shim, where the kernel patches a '
            'jump), the program\'s '
            'read-only data (switch tables) and libc\'s memcpy dispatch; '
            'the stack is left out.  Instructions: '
            'callgrind, collection on only around the call, one dump per '
            'call, the markers\' own cost subtracted.  **naive** is the '
            'BASELINE written for this comparison (tools/bench/naive.c): '
            'the lab\'s algorithm as its text gives it, scanning the page '
            'table; it runs on a 4 MiB pool, where its scans are a quarter '
            'of what they would be at 16 MiB.',
            ['kind', 'allocator', 'ops', 'meta pages', 'desc pages',
             'data pages', 'other pages', 'instructions'], body,
            ['kind', 'allocator', 'ops', 'meta_mean', 'meta_max',
             'desc_mean', 'desc_max', 'data_mean', 'data_max', 'other_mean',
             'other_max', 'instr_mean', 'instr_max', 'lackey_instr_mean',
             'lackey_instr_max'], cbody)
        mmax = max(int(pg['pgclass', k][2]) for k in SMALL_KINDS)
        dmax = max(int(pg['pgclass', k][6]) for k in SMALL_KINDS)
        mmean = max(float(pg['pgclass', k][1]) for k in SMALL_KINDS)
        per = '; '.join(f'{k}: mean {pg["pgclass", k][1]}, max '
                        f'{pg["pgclass", k][2]}' for k in SMALL_KINDS)
        self.target('≤ 2 metadata pages (at most) and 0 data pages per '
                    'small alloc or free (valgrind lackey, 16 MiB pool '
                    'with a slot)',
                    f'metadata pages: {per}; data pages: max {dmax}',
                    mmax <= 2 and dmax == 0)

    # 4, 5. the guest ---------------------------------------------------
    def kernel(self):
        g = rows(os.path.join(self.raw, 'guest.csv'))
        err = [r for r in g if r[0] == 'kerror']
        if err:
            raise Missing('guest: ' + ','.join(err[0][1:]))
        info = [r for r in g if r[0] == 'guest']
        if not info:
            raise Missing('guest: no guest line')
        self.env['guest_kernel'] = info[0][1]
        self.env['guest_cpus'] = info[0][2]
        kinfo = [r for r in g if r[0] == 'kinfo']
        if not kinfo:
            raise Missing('guest: no kinfo line')
        rounds = int(kinfo[0][2])
        self.env['guest_nr_cpu_ids'] = kinfo[0][3]
        klock = [r for r in g if r[0] == 'klock']
        if not klock:
            raise Missing('guest: no klock line')
        self.klock = [float(x) for x in klock[0][1:4]]
        self.katomic = {r[1]: [float(x) for x in r[2:5]] for r in g
                        if r[0] == 'katomic'}
        if set(self.katomic) != {'slot-lock', 'cmpxchg-local'}:
            raise Missing('guest: no katomic lines')
        t = {}
        for r in g:
            if r[0] == 'ktime':
                t[int(r[1]), int(r[2]), r[3], r[4]] = \
                    [float(x) for x in r[6:9]]
        fills = {(int(r[1]), int(r[2]), r[3]): int(r[4]) for r in g
                 if r[0] == 'kfill'}
        self.kmeta = {int(r[1]): (int(r[2]), int(r[3]), int(r[4]),
                                  int(r[5]))
                      for r in g if r[0] == 'kmeta'}
        sizes = sorted({k[0] for k in t})
        if not {4, 64} <= set(sizes):
            raise Missing('guest: no 4 MiB or 64 MiB results')
        body, cbody = [], []
        for mib in sizes:
            for fill in FILLS:
                for tr in KTRACES:
                    v = [t.get((mib, fill, a, tr)) for a in KALLOCS]
                    if None in v:
                        raise Missing(f'guest: {mib} MiB {fill}% {tr}')
                    pg, km, gp = (x[0] for x in v)
                    body.append([f'{mib} MiB', f'{fill}%', tr, fmt(pg),
                                 fmt(km), fmt(gp), fmt(ratio(pg, km), 2),
                                 fmt(ratio(gp, pg), 1)])
                    cbody.append([mib, fill, tr] +
                                 [fmt(x, 3) for vv in v for x in vv] +
                                 [fmt(ratio(pg, km), 3),
                                  fmt(ratio(gp, pg), 3)])
        self.write(
            'kernel', 'In the kernel (QEMU TCG guest, Debian\'s stock '
            f'{info[0][1]}): ns per operation, for ratios only',
            f'pgclass_bench.ko, all in one boot: median over {rounds} '
            'rounds (after an untimed warm-up round), each replaying every '
            'trace once per allocator in a rotating order.  Each pool size and fill is a pgclass pool '
            'and a gen_pool (min_alloc_order 4, first fit) over their own '
            'vmalloc()ed regions of that size, filled with the same '
            'stream of sizes until the fill\'s share of the pool is in use '
            '(kmalloc gets as many blocks as pgclass).  The guest is '
            'emulated: the nanoseconds are not native ones, only their '
            'ratios mean something.  pgclass/kmalloc below 1: pgclass is '
            'faster; gen_pool/pgclass: how many times faster pgclass is.  '
            'Per-CPU slots: '
            + ', '.join(f'the {m} MiB pools got {v[3]}'
                        for m, v in sorted(self.kmeta.items()))
            + f' (nr_cpu_ids {kinfo[0][3]}); a pool without a slot for '
            'the CPU takes the pool lock on every call.  For scale, in the '
            'same boot (median over the rounds, per call): the pool lock, '
            'a spinlock taken and dropped with interrupts off, '
            f'{fmt(self.klock[0])} ns ({fmt(self.klock[1])}–'
            f'{fmt(self.klock[2])}); the slot lock, a locked '
            'cmpxchg_acquire() and a release store, '
            f'{fmt(self.katomic["slot-lock"][0])} ns; one '
            f'cmpxchg() on a bitmap word, '
            f'{fmt(self.katomic["cmpxchg-local"][0])} ns '
            '(kmalloc\'s fast path: one this_cpu_cmpxchg, no lock).',
            ['pool', 'fill', 'trace', 'pgclass', 'kmalloc', 'gen_pool',
             'pgclass/kmalloc', 'gen_pool/pgclass'], body,
            ['pool_mib', 'fill_pct', 'trace'] +
            [f'{a}_{s}' for a in KALLOCS for s in ('median', 'min', 'max')] +
            ['pgclass_over_kmalloc', 'gen_pool_over_pgclass'], cbody)
        fbody = [[f'{m} MiB', f'{f}%'] +
                 [fills.get((m, f, a), '?') for a in KALLOCS]
                 for m in sizes for f in FILLS]
        self.write('kernel-fill', 'In the kernel: blocks allocated by '
                   'each fill', 'The same size stream for all three; '
                   'pgclass and gen_pool stop at their own fill level.',
                   ['pool', 'fill'] + KALLOCS, fbody)
        with open(os.path.join(self.out, 'kernel.dat'), 'w') as f:
            f.write('# mib ' + ' '.join(f'{a}_{fl}' for fl in FILLS
                                        for a in KALLOCS) + '\n')
            for mib in sizes:
                f.write(f'{mib} ' + ' '.join(
                    fmt(t[mib, fl, a, 'churn'][0], 3) for fl in FILLS
                    for a in KALLOCS) + '\n')
        # Targets.
        pair = [ratio(t[m, fl, 'pgclass', 'pair-64'][0],
                      t[m, fl, 'kmalloc', 'pair-64'][0])
                for m in sizes for fl in FILLS]
        r0 = pair[0]
        r64 = ratio(t[64, 0, 'pgclass', 'pair-64'][0],
                    t[64, 0, 'kmalloc', 'pair-64'][0])
        self.target('guest 64 B alloc+free pair ≤ 1.0× kmalloc/kfree, '
                    'same boot',
                    f'{fmt(r0, 2)}× at 4 MiB empty ({self.kmeta[4][3]} '
                    f'slots); {fmt(r64, 2)}× at 64 MiB empty '
                    f'({self.kmeta[64][3]} slots); all pools and fills: '
                    f'{fmt(min(pair), 2)}–{fmt(max(pair), 2)}×', r0 <= 1.0)
        sp = {tr: ratio(t[64, 90, 'gen_pool', tr][0],
                        t[64, 90, 'pgclass', tr][0]) for tr in KTRACES}
        worst = min(sp, key=sp.get)
        self.target('≥ 100× faster than gen_pool at 64 MiB, 90% full',
                    f'pair-64 {fmt(sp["pair-64"], 0)}×, churn '
                    f'{fmt(sp["churn"], 0)}×; least {fmt(sp[worst], 0)}× '
                    f'({worst})', sp[worst] >= 100)
        self.rounds_guest = rounds
        self.ktime = t

    def kernel_smp(self):
        g = rows(os.path.join(self.raw, 'guest.csv'))
        t = {(r[1], r[2], int(r[3])): [float(x) for x in r[4:7]]
             for r in g if r[0] == 'ksmp'}
        sl = [r for r in g if r[0] == 'ksmpslots']
        need = [(k, a, n) for a in ('pgclass', 'kmalloc')
                for k, n in (('pairs', 1), ('pairs', 2), ('xfree', 2))]
        need += [('ring-only', 'none', 2), ('pairs', 'atomics', 1),
                 ('pairs', 'atomics', 2)]
        for k in need:
            if k not in t:
                raise Missing(f'guest: no ksmp {k}')
        if not sl:
            raise Missing('guest: no ksmpslots line')
        mib, nslot, sa, ta, sf, tf, rf = (int(x) for x in sl[0][1:8])
        sc = {a: ratio(t['pairs', a, 1][0], t['pairs', a, 2][0])
              for a in ('pgclass', 'kmalloc')}
        body, cbody = [], []
        for a in ('pgclass', 'kmalloc'):
            p1, p2, x = (t['pairs', a, 1], t['pairs', a, 2],
                         t['xfree', a, 2])
            body.append([a, fmt(p1[0]), fmt(p2[0]), fmt(sc[a], 2),
                         fmt(x[0]), fmt(ratio(x[0],
                                              t['xfree', 'kmalloc', 2][0]),
                                        2)])
            cbody.append([a] + [fmt(v, 3) for v in p1 + p2] +
                         [fmt(sc[a], 3)] + [fmt(v, 3) for v in x])
        # The fast path's locked instructions alone, in place of the calls.
        p1, p2 = t['pairs', 'atomics', 1], t['pairs', 'atomics', 2]
        sc_atom = ratio(p1[0], p2[0])
        body.append(['pgclass\'s fast-path atomics alone', fmt(p1[0]),
                     fmt(p2[0]), fmt(sc_atom, 2), '—', '—'])
        cbody.append(['atomics'] + [fmt(v, 3) for v in p1 + p2] +
                     [fmt(sc_atom, 3)] + ['', '', ''])
        ring = t['ring-only', 'none', 2][0]
        self.write(
            'kernel-smp', 'In the kernel: two CPUs (same guest boot)',
            'pgclass_bench.ko, after the tables above: kthreads bound to '
            'CPU 0 and CPU 1 (kthread_bind), one pgclass pool of '
            f'{mib} MiB (vmalloc) against kmalloc.  *pairs*: each kthread '
            'does 50,000 64 B alloc+free pairs; ns per call over both, '
            'from a common start to the last kthread\'s end (throughput '
            'is its inverse); *2 ÷ 1*: the throughput of two kthreads over '
            'that of one.  *cross-CPU*: 50,000 64 B blocks allocated on '
            'CPU 0, passed through a ring of 1,024 entries and freed on '
            f'CPU 1; ns per block.  Median over {self.rounds_guest} rounds '
            'in a rotating order after a warm-up round.  The ring alone: '
            f'{fmt(ring)} ns per block.  The pool got {nslot} slots; its '
            f'slots served {100 * sa / ta:.1f}% of its allocations and '
            f'{100 * sf / tf:.1f}% of its frees ({rf:,} frees of another '
            'CPU\'s block).  *pgclass\'s fast-path atomics alone*: the '
            'same pairs with, in place of each call, only the locked '
            'instructions a fast-path call executes (the slot lock\'s '
            'cmpxchg_acquire() and release store, a cmpxchg() on a bitmap '
            'word), each kthread on lines of its own.  Under TCG a vCPU is '
            'a host thread: two run at once only when the host has two '
            'cores free for them.',
            ['allocator', '1 kthread ns/call', '2 kthreads ns/call',
             '2 ÷ 1 throughput', 'cross-CPU ns/block',
             'cross-CPU ÷ kmalloc'], body,
            ['allocator', 'pairs1_median', 'pairs1_min', 'pairs1_max',
             'pairs2_median', 'pairs2_min', 'pairs2_max', 'scaling',
             'xfree_median', 'xfree_min', 'xfree_max'], cbody)
        why = f'; the pool has {nslot} slot(s)' if nslot < 2 else ''
        bar = min(sc['kmalloc'], SCALE_LIMIT)
        self.target('guest scaling: pgclass\'s 2-kthread ÷ 1-kthread '
                    'throughput ≥ kmalloc\'s, same boot (at most '
                    f'{SCALE_LIMIT:.1f}); 64 B pairs, kthreads bound to '
                    'CPU 0 and 1, one pool',
                    f'pgclass {fmt(sc["pgclass"], 2)}, kmalloc '
                    f'{fmt(sc["kmalloc"], 2)}; pool of {mib} MiB, {nslot} '
                    f'slots, {100 * sa / ta:.0f}% of allocations on them'
                    f'{why}; its fast path\'s atomics alone '
                    f'{fmt(sc_atom, 2)}', sc['pgclass'] >= bar)
        x = ratio(t['xfree', 'pgclass', 2][0], t['xfree', 'kmalloc', 2][0])
        self.target('guest cross-CPU frees: pgclass ≤ 1.5× kmalloc\'s '
                    'time per block, same boot',
                    f'{fmt(x, 2)}× kmalloc ({fmt(t["xfree", "pgclass", 2][0])}'
                    f' vs {fmt(t["xfree", "kmalloc", 2][0])} ns per block; '
                    f'the ring alone {fmt(ring)})', x <= 1.5)
        self.ksmp_slots = nslot

    def device(self):
        g = rows(os.path.join(self.raw, 'guest.csv'))
        d = {r[1]: [float(x) for x in r[3:6]] for r in g if r[0] == 'dev'}
        for k in ('alloc64+free', '2xgetppid', '2xioctl-enotty', '2xinfo'):
            if k not in d:
                raise Missing(f'guest: no device result {k}')
        ds = {(r[1], int(r[2])): [float(x) for x in r[4:7]] for r in g
              if r[0] == 'devscale'}
        for k in ('alloc64+free', '2xgetppid'):
            for n in (1, 2):
                if (k, n) not in ds:
                    raise Missing(f'guest: no devscale {k} {n}')
        pool = [r for r in g if r[0] == 'devpool']
        if not pool:
            raise Missing('guest: no devpool line')
        nr, meta, param = (int(x) for x in pool[0][1:4])
        dev, sysc = d['alloc64+free'][0], d['2xgetppid'][0]
        nop, info = d['2xioctl-enotty'][0], d['2xinfo'][0]
        kpair = 2 * self.ktime[4, 0, 'pgclass', 'pair-64'][0]
        body = [['ALLOC 64 B + FREE through /dev/pgclass', fmt(dev),
                 f'{1e9 / dev:,.0f}', '1.00', fmt(dev / sysc, 2),
                 fmt(dev / kpair, 1)],
                ['two getppid() calls', fmt(sysc), f'{1e9 / sysc:,.0f}',
                 fmt(sysc / dev, 2), '1.00', fmt(sysc / kpair, 1)],
                ['two ioctls on /dev/pgclass of an unknown command '
                 '(ENOTTY: the floor of any ioctl on it)', fmt(nop),
                 f'{1e9 / nop:,.0f}', fmt(nop / dev, 2), fmt(nop / sysc, 2),
                 fmt(nop / kpair, 1)],
                ['two PGCLASS_IOC_INFO', fmt(info), f'{1e9 / info:,.0f}',
                 fmt(info / dev, 2), fmt(info / sysc, 2),
                 fmt(info / kpair, 1)],
                ['pgclass_alloc + pgclass_free in the kernel (pair-64, '
                 '4 MiB, empty)', fmt(kpair), f'{1e9 / kpair:,.0f}',
                 fmt(kpair / dev, 2), fmt(kpair / sysc, 2), '1.00']]
        mib = nr * 4096 >> 20
        if mib in self.kmeta and self.kmeta[mib][1] == nr:
            slots = (f'a pool of its size got {self.kmeta[mib][3]} slots in '
                     f'this boot (the {mib} MiB pools above)')
            self.dev_slots = self.kmeta[mib][3]
        else:
            slots = 'its slots are not known (no pool of its size above)'
            self.dev_slots = None
        self.write(
            'device', 'Through the device (same guest boot)',
            'devbench, a static program in the guest: 7 rounds of 20,000 '
            'round trips, median; alternating with two getppid() calls '
            '(two system calls that do nothing) as a yardstick, and with '
            'two ioctls on /dev/pgclass: of a command it does not know '
            '(the file looked up, the LSM hook, the dispatch: what any '
            'ioctl on it costs) and PGCLASS_IOC_INFO.  Round '
            'trips per second are TCG-guest figures: compare the ratios.  '
            f'The arena: pgclass.ko loaded with nr_pages={param} '
            f'({nr} pages of 4 KiB, {meta} of them metadata; the default '
            '1024 pages leave no room for per-CPU slots); ' + slots + '.',
            ['round trip', 'ns (TCG)', 'per second (TCG)', '÷ device',
             '÷ 2 syscalls', '÷ in-kernel pair'], body)
        sc = {k: ratio(ds[k, 1][0], ds[k, 2][0])
              for k in ('alloc64+free', '2xgetppid')}
        sbody = []
        for k, what in (('alloc64+free', 'ALLOC 64 B + FREE'),
                        ('2xgetppid', 'two getppid() calls')):
            sbody.append([what, fmt(ds[k, 1][0]), fmt(ds[k, 2][0]),
                          fmt(sc[k], 2)])
        self.write(
            'device-scale', 'Through the device: two processes (same '
            'guest boot)',
            'devbench: the same loops in 1 and in 2 processes at once, '
            'each pinned to a CPU of its own (sched_setaffinity: CPU 0, '
            'CPU 1) and, for the device, with its own open of /dev/pgclass; '
            '7 rounds of 20,000 round trips per process, from a common '
            'start to the last process\'s end; ns per round trip over '
            'all processes (throughput is its inverse), median.  *2 ÷ 1*: '
            'the throughput of two processes over that of one.',
            ['loop', '1 process ns', '2 processes ns', '2 ÷ 1 throughput'],
            sbody)
        self.target('device: 2 processes\' ALLOC/FREE throughput ÷ 1 '
                    'process\'s ≥ the same ratio for an empty syscall, '
                    'same boot (CPUs 0 and 1, an open each; nr_pages='
                    f'{param})',
                    f'ALLOC+FREE {fmt(sc["alloc64+free"], 2)}, two '
                    f'getppid() {fmt(sc["2xgetppid"], 2)}',
                    sc['alloc64+free'] >= min(sc['2xgetppid'],
                                              SCALE_LIMIT))
        self.target('device: one ALLOC 64 B + FREE round trip ≤ 2.0× two '
                    'empty syscalls, same boot',
                    f'{fmt(dev / sysc, 2)}× ({fmt(dev)} vs {fmt(sysc)} ns, '
                    f'TCG; two ioctls that do nothing: {fmt(nop)} ns, '
                    f'{fmt(nop / sysc, 2)}×)', dev / sysc <= 2.0)

    def device_mmap(self):
        g = rows(os.path.join(self.raw, 'guest.csv'))
        m = {r[1]: (int(r[2]), int(r[3]), [float(x) for x in r[4:7]])
             for r in g if r[0] == 'devmmap'}
        kinds = ['ioctl-read', 'mmap-read', 'tmpfs-pread', 'ioctl-write',
                 'mmap-write', 'tmpfs-pwrite', 'map+touch+unmap']
        for k in kinds:
            if k not in m:
                raise Missing(f'guest: no devmmap {k}')
        size, ops = m['ioctl-read'][0], m['ioctl-read'][1]
        mib = size / (1 << 20)
        pages = size // 4096

        def ns(k):
            return m[k][2]

        what = {
            'ioctl-read': 'PGCLASS_IOC_READ, block → buffer',
            'mmap-read': 'memcpy() from the mapping, block → buffer',
            'tmpfs-pread': 'pread() of a tmpfs file → buffer (yardstick)',
            'ioctl-write': 'PGCLASS_IOC_WRITE, buffer → block',
            'mmap-write': 'memcpy() into the mapping, buffer → block',
            'tmpfs-pwrite': 'pwrite() of a tmpfs file ← buffer '
                            '(yardstick)',
        }
        body, cbody = [], []
        for k in kinds[:-1]:
            base = 'ioctl-read' if k in kinds[:3] else 'ioctl-write'
            med, lo, hi = (v / mib / 1000 for v in ns(k))
            body.append([what[k], f'{fmt(med)} ({fmt(lo)}–{fmt(hi)})',
                         fmt(size / ns(k)[0], 2),
                         fmt(ratio(ns(k)[0], ns(base)[0]), 2)])
            cbody.append([k, size, ops] + [fmt(v, 3) for v in ns(k)] +
                         [fmt(med * 1000, 3), fmt(size / ns(k)[0], 3),
                          fmt(ratio(ns(k)[0], ns(base)[0]), 3)])
        rd = ns('ioctl-read')[0]
        self.write(
            'device-mmap', 'Through the device: a 1 MiB block by READ and '
            'WRITE, and by mmap (same guest boot)',
            f'devbench: one block of {size >> 10} KiB (a multi-page '
            'block), its bytes moved between the block and a buffer of '
            'the program\'s: by one READ or WRITE ioctl of the whole '
            'block (the kernel copies, in chunks of 64 KiB), or by '
            'memcpy() through an mmap() of the block made once before '
            '(no system call: zero-copy, the program makes its own copy, '
            'and one that works on the bytes in place makes none); as a '
            'yardstick, pread() and pwrite() of as many bytes of a '
            'file in tmpfs, the kernel\'s own copy to and from user space '
            f'in the same boot.  {ops} transfers a round, the seven kinds '
            'of this and the next table in turn, 7 rounds after a '
            'warm-up round; median µs per MiB, the rounds\' range in '
            'brackets (GB/s: 10⁹ bytes per second, from the median).  '
            '*÷ the ioctl*: over READ\'s time for the rows above WRITE, '
            'over WRITE\'s for the others.  TCG-guest figures: compare '
            'the ratios.',
            ['1 MiB moved', 'µs per MiB (TCG)', 'GB/s (TCG)',
             '÷ the ioctl'], body,
            ['kind', 'bytes', 'ops_per_round', 'median_ns', 'min_ns',
             'max_ns', 'ns_per_mib', 'gb_per_s', 'over_ioctl'], cbody)
        mp = ns('map+touch+unmap')
        gain = (rd - ns('mmap-read')[0]) / size
        even = f'{mp[0] / gain / 1024:,.0f} KiB' if gain > 0 else 'never'
        self.write(
            'device-map', 'Through the device: what a mapping costs (same '
            'guest boot)',
            f'devbench, in the rounds of the table above: mmap() of the '
            f'whole {size >> 10} KiB block, one store to each of its '
            f'{pages} pages of 4 KiB (the first touch; mmap() maps '
            'every page with remap_pfn_range(), so no store faults), '
            'munmap().  '
            'Median µs per map and unmap, the rounds\' range in brackets.'
            '  *Pays for itself after*: the bytes read through the '
            'mapping, rather than by READ, that save what the mapping '
            'cost: this µs over (READ\'s time per byte − the mapping\'s '
            'memcpy() time per byte).',
            ['1 MiB block', 'µs (TCG)', '÷ one READ of 1 MiB',
             'pays for itself after'],
            [['mmap + a store to each page + munmap',
              f'{fmt(mp[0] / 1000, 1)} ({fmt(mp[1] / 1000, 1)}–'
              f'{fmt(mp[2] / 1000, 1)})', fmt(ratio(mp[0], rd), 2),
              even]],
            ['kind', 'bytes', 'ops_per_round', 'median_ns', 'min_ns',
             'max_ns', 'over_ioctl_read', 'break_even_bytes'],
            [['map+touch+unmap', size, ops] + [fmt(v, 3) for v in mp] +
             [fmt(ratio(mp[0], rd), 3),
              fmt(mp[0] / gain, 0) if gain > 0 else '']])

    def metadata(self):
        um = {}
        slot = None
        for r in rows(os.path.join(self.raw, 'meta.csv')):
            if r[0] == 'umeta':
                um[int(r[1]), int(r[2])] = [int(x) for x in r[3:8]]
            elif r[0] == 'uslot':
                slot = int(r[1])
        if slot is None:
            raise Missing('meta: no slot size')
        body, cbody, pct = [], [], {}
        kcpus = self.env.get('guest_nr_cpu_ids', '?')
        for mib, (page, nr, meta, slots) in sorted(
                getattr(self, 'kmeta', {}).items()):
            p = 100 * meta / nr
            pct.setdefault('kernel', []).append(p)
            body.append(['kernel (stock 6.12, its spinlock)', kcpus,
                         f'{mib} MiB', nr, meta, slots, '', fmt(p, 2)])
            cbody.append(['kernel', kcpus, mib, page, nr, meta, slots, '',
                          fmt(p, 3)])
        for cpus in META_CPUS:
            for mib in SWEEP_MIB:
                if (cpus, mib) not in um:
                    raise Missing(f'meta: no {mib} MiB for {cpus} CPUs')
                page, nr, meta, slots, nbytes = um[cpus, mib]
                p = 100 * meta / nr
                pct.setdefault(cpus, []).append(p)
                body.append(['user space (64-byte lock, as with lockdep)',
                             cpus, f'{mib} MiB', nr, meta, slots,
                             f'{nbytes:,}', fmt(p, 2)])
                cbody.append(['user', cpus, mib, page, nr, meta, slots,
                              nbytes, fmt(p, 3)])
        self.write(
            'metadata', 'Metadata share of the pool (4 KiB pages)',
            'A new pool: pgclass_get_stats()\'s meta pages (header, '
            'per-CPU slots, descriptors, whole pages) and '
            'pgclass_nr_cpu_slots().  User space: '
            'pgclass_pool_create_cpus() for 2 and for 64 possible CPUs; '
            '*bytes*: the metadata the pool wrote (its end found past a '
            'sentinel fill).  One slot, the per-CPU cost, is '
            f'{slot} bytes of metadata (the difference between pools of '
            '64 MiB for 1 and for 2 CPUs with the same descriptors); a '
            'pool gets a slot per CPU only as far as the pages its '
            'descriptors need, or 1% of the pool, whichever is more, '
            'leave room.  The kernel rows are the in-kernel benchmark\'s '
            f'pools in the guest (nr_cpu_ids {kcpus}).',
            ['build', 'CPUs', 'pool', 'pages', 'meta pages', 'slots',
             'bytes', '%'], body,
            ['build', 'cpus', 'pool_mib', 'page', 'pages', 'meta_pages',
             'slots', 'meta_bytes', 'pct'], cbody)
        self.slot_bytes = slot
        allp = [x for v in pct.values() for x in v]
        parts = [f'{c} CPUs {fmt(min(pct[c]), 2)}–{fmt(max(pct[c]), 2)}% '
                 f'({um[c, 4][3]}–{um[c, 1024][3]} slots)'
                 for c in META_CPUS]
        if 'kernel' in pct:
            parts.append(f'kernel ({kcpus} CPUs) at most '
                         f'{fmt(max(pct["kernel"]), 2)}%')
        self.target('metadata ≤ 1% of the pool at 4 KiB pages, with 2 and '
                    'with 64 possible CPUs (4 MiB to 1 GiB)',
                    '; '.join(parts) + f'; a slot costs {slot} bytes',
                    max(allp) <= 1.0)

    # 6. Pools: fragmentation, the fit scan, out-of-band, creation -------
    # (tools/bench/poolbench.sh; rows pc*/pf* natively, pb* in the guest)
    def pool_guest_rows(self):
        g = rows(os.path.join(self.raw, 'guest.csv'))
        err = [r for r in g if r[0] == 'pberror']
        if err:
            raise Missing('guest: pool benchmarks: ' + ','.join(err[0][1:]))
        info = [r for r in g if r[0] == 'pbinfo']
        if not info:
            raise Missing('guest: no pbinfo line')
        self.env.setdefault('guest_kernel', info[0][1])
        self.env.setdefault('guest_nr_cpu_ids', info[0][3])
        self.env.setdefault('guest_cpus', info[0][6])
        return g, int(info[0][2]), float(info[0][4])

    def pool_frag(self):
        g, rounds, clock = self.pool_guest_rows()
        fr = [r for r in g if r[0] == 'pbfrag']
        if not fr:
            raise Missing('guest: no pbfrag rows')
        res, fills = {}, []
        for r in fr:
            mib, pages, fill, a = int(r[1]), int(r[2]), int(r[3]), r[4]
            nops, fops, req, fail, fpages, ffit, calls = \
                (int(x) for x in r[5:12])
            res[fill, a] = dict(mib=mib, pages=pages, nops=nops, fops=fops,
                                req=req, fail=fail, fpages=fpages,
                                ffit=ffit, calls=calls,
                                t=[float(x) for x in r[12:15]])
            if fill not in fills:
                fills.append(fill)
        allocs = ['pgclass', 'gen_pool-first-fit', 'gen_pool-best-fit']
        body, cbody = [], []
        for fill in fills:
            for a in allocs:
                if (fill, a) not in res:
                    raise Missing(f'guest: no pbfrag {fill}% {a}')
                x, pg = res[fill, a], res[fill, 'pgclass']
                body.append([f'{fill}%', a, f'{x["req"]:,}',
                             f'{x["fail"]:,} ({100 * x["fail"] / x["req"]:.2f}%)',
                             x['ffit'], f'{x["fpages"]:,}',
                             f'{fmt(x["t"][0])} ({fmt(x["t"][1])}–'
                             f'{fmt(x["t"][2])})',
                             fmt(ratio(x['t'][0], pg['t'][0]), 2)])
                cbody.append([fill, a, x['req'], x['fail'], x['ffit'],
                              x['fpages'], x['calls']] +
                             [fmt(v, 3) for v in x['t']] +
                             [fmt(ratio(x['t'][0], pg['t'][0]), 3)])
        any_ = res[fills[0], 'pgclass']
        sc = {int(r[2]): r for r in g if r[0] == 'pbscan'}
        resc = ', '.join(f'{sc[f][4]} of {sc[f][3]} scans at {f}%'
                         for f in fills if f in sc)
        self.write(
            'pool-frag', 'In the kernel: fragmentation, against gen_pool '
            '(same guest boot)',
            'pgclass_poolbench.ko, in a kthread bound to CPU 0: one seeded '
            'random sequence of allocations of 1 to 40 pages (uniform) and '
            'frees of random live blocks, made by a model that counts '
            'pages only: it fills '
            f'{any_["pages"]:,} pages (pgclass\'s data area in a '
            f'{any_["mib"]} MiB in-band pool) to the fill, then makes '
            f'{any_["nops"] - any_["fops"]:,} more calls that keep it there '
            '(an allocation when the next request fits under the fill, '
            'else a free).  The same sequence goes to pgclass and to '
            'gen_pool with gen_pool_first_fit and with gen_pool_best_fit, '
            'each over the same number of pages at the same granularity '
            '(min_alloc_order = PAGE_SHIFT, on a range of numbers nothing '
            'touches).  A failed request is not retried and its later free '
            'is skipped, so the allocators run the same requests.  *fitting '
            'run*: failures where the allocator had a free run long enough '
            'all the same (checked after each failure, untimed: '
            'pgclass_walk(), the gen_pool chunk\'s bitmap); *pages*: the '
            'pages those failed requests asked for.  *ns/call*: the calls '
            'after the fill, timed as one, median over '
            f'{rounds} rounds in a rotating order (range in brackets), '
            'TCG-guest nanoseconds.  pgclass\'s last-resort fit scan '
            f'rescued {resc} (calls that TLSF\'s O(1) search alone would '
            'have failed).',
            ['fill', 'allocator', 'requests', 'failed', 'fitting run',
             'pages', 'ns/call (TCG)', '÷ pgclass'], body,
            ['fill_pct', 'allocator', 'requests', 'failed',
             'failed_with_fitting_run', 'failed_pages', 'timed_calls',
             'ns_median', 'ns_min', 'ns_max', 'over_pgclass'], cbody)
        false_ = sum(res[f, 'pgclass']['ffit'] for f in fills)
        fails = ', '.join(f'{res[f, "pgclass"]["fail"]} at {f}%'
                          for f in fills)
        self.target('no false failures: a pgclass allocation fails only '
                    'when no free run fits (fragmentation workload, '
                    'guest)',
                    f'{false_} failures with a fitting run (failures: '
                    f'{fails}; gen_pool best fit: ' +
                    ', '.join(f'{res[f, "gen_pool-best-fit"]["fail"]} at '
                              f'{f}%' for f in fills) + ')', false_ == 0)
        self.pool_fills = fills
        self.pool_clock = clock

    def pool_fitscan(self):
        nat = rows(os.path.join(self.raw, 'pool-native.csv'))
        clock_n = [float(r[1]) for r in nat if r[0] == 'pclock']
        worst = [('native', int(r[1]), int(r[2]),
                  [float(x) for x in r[4:7]])
                 for r in nat if r[0] == 'pfitworst']
        if not worst or not clock_n:
            raise Missing('native: no pfitworst rows')
        scans = []
        if self.guest:
            g, rounds, clock = self.pool_guest_rows()
            worst += [('guest', int(r[1]), int(r[2]),
                       [float(x) for x in r[4:7]])
                      for r in g if r[0] == 'pbworst']
            scans = [r for r in g if r[0] == 'pbscan']
            if not scans or not [w for w in worst if w[0] == 'guest']:
                raise Missing('guest: no pbworst or pbscan rows')
        base = {(w[0], w[1]): w[3][0] for w in worst if w[2] == 0}
        body, cbody = [], []
        for where, mib, k, t in worst:
            # Below a few hundred runs the clock's noise hides the scan.
            per = (t[0] - base[where, mib]) / k if k >= 256 else None
            us = t[0] / 1000
            body.append([where + (' (TCG)' if where == 'guest' else ''),
                         f'{mib:,} MiB', f'{k:,}',
                         f'{fmt(t[0], 0)} ({fmt(t[1], 0)}–{fmt(t[2], 0)})',
                         fmt(us, 1), fmt(per, 1) if per is not None else ''])
            cbody.append([where, mib, k] + [fmt(v, 1) for v in t] +
                         [fmt(per, 3) if per is not None else ''])
        self.write(
            'pool-fitscan', 'The fit scan\'s longest case: built on '
            'purpose',
            'One allocation of 9 pages, timed alone, in a pool laid out so '
            'that the list of free runs of 8 and 9 pages holds K runs of 8 '
            'pages (each between two allocated pages) and one run of 9 '
            'pages at its tail, and no other free run: the O(1) search '
            'finds nothing, checks the head, and the last-resort scan '
            'visits exactly K runs before it takes the tail (checked: the '
            'block is the tail\'s, fit_scans went from 0 to 1, a walk '
            'counted K + 1 runs on the list).  K = 0 is the same call found '
            'in O(1).  The largest K is the most runs that list can hold in '
            'the pool (one run of 8 and one allocated page for each): the '
            'longest scan the pool can make, since a list of runs of one '
            'length is never scanned (its head decides) and 8 is the '
            'shortest length that shares its list.  *native*: '
            '`poolbench fitworst`, src/core.c in user space, each round on '
            'a new pool (pgclass_pool_create_zeroed() over fresh memory), '
            'CLOCK_MONOTONIC around the call (two reads cost '
            f'{fmt(clock_n[0], 0)} ns); *guest*: pgclass_poolbench.ko, '
            'ktime_get_ns() (TCG-guest ns; two reads cost '
            f'{fmt(getattr(self, "pool_clock", 0), 0)} ns).  Median over '
            'the rounds (range in brackets); *ns per run*: (time − time at '
            'K = 0) ÷ K, from K = 256 up (below, the clock\'s noise is larger '
            'than the scan).  The guest times the call with interrupts off '
            '(no tick lands in it).  The call holds the pool\'s raw spinlock with '
            'interrupts off throughout.',
            ['where', 'pool', 'K runs visited', 'ns', 'µs',
             'ns per run'], body,
            ['where', 'pool_mib', 'k', 'ns_median', 'ns_min', 'ns_max',
             'ns_per_run'], cbody)
        self.pool_worst = worst
        if not scans:
            return
        sbody, scbody = [], []
        for r in scans:
            mib, fill, n, resc = (int(x) for x in r[1:5])
            mx, mpages, mlist, mok, lmax = (int(x) for x in r[5:10])
            smed, amed, raw = float(r[10]), float(r[11]), int(r[12])
            passes = int(r[13])
            sbody.append([f'{fill}%', f'{n:,}', f'{resc:,}',
                          f'{mx:,}', mpages, mlist,
                          'yes' if mok else 'no', lmax, fmt(smed, 0),
                          fmt(amed, 0), f'{raw:,}'])
            scbody.append([mib, fill, n, resc, mx, mpages, mlist, mok, lmax,
                           smed, amed, raw])
        self.write(
            'pool-scans', 'The fit scans of the fragmentation workload '
            '(same guest boot)',
            'The sequence of the fragmentation table, replayed '
            f'{passes} more times on pgclass, untimed as a whole: each '
            'allocation timed alone, with interrupts off (ktime_get_ns() '
            'around the call: two reads cost '
            f'{fmt(self.pool_clock, 0)} ns, in every figure here), '
            'pgclass_get_stats() read after it, outside the timed region; '
            'a call whose fit_scans went up is a scan.  The replays are '
            'identical (one CPU, the same calls: the scans came at the same '
            'calls, checked), and each call keeps its least time over '
            f'the {passes}: a vCPU thread that the host deschedules in the '
            'middle of a call does not make that call the longest (the '
            'last column is the longest single timing, which includes '
            'such stalls).  A last replay walks the pool before each scan '
            'and counts the free runs on the list the scan walks: it '
            'visits at most that many runs less one (the head is checked in '
            'O(1) first).  *found a run*: scans that rescued the call; '
            '*longest*: the scan with the most time, its request, the runs '
            'on its list, whether it found a run; *most runs*: the longest '
            'list any scan met.  TCG-guest ns.',
            ['fill', 'scans', 'found a run', 'longest ns', 'its pages',
             'runs on its list', 'found', 'most runs', 'median scan ns',
             'median other alloc ns', 'longest single timing ns'], sbody,
            ['pool_mib', 'fill_pct', 'scans', 'rescued', 'longest_ns',
             'longest_pages', 'longest_list_runs', 'longest_found',
             'most_list_runs', 'scan_median_ns', 'other_alloc_median_ns',
             'longest_single_ns'],
            scbody)

    def pool_oob(self):
        g, rounds, _ = self.pool_guest_rows()
        t = {(int(r[2]), int(r[3]), r[4]): [float(x) for x in r[5:8]]
             for r in g if r[0] == 'pboob'}
        blocks = {(int(r[2]), r[3]): int(r[4]) for r in g
                  if r[0] == 'pboobfill'}
        allocs = ['pgclass-oob', 'gen_pool-16B', 'gen_pool-page',
                  'pgclass-inband']
        mibs = {int(r[1]) for r in g if r[0] == 'pboob'}
        if not t or len(mibs) != 1:
            raise Missing('guest: no pboob rows')
        mib = mibs.pop()
        body, cbody = [], []
        for fill in sorted({k[0] for k in t}):
            for size in sorted({k[1] for k in t}):
                v = [t.get((fill, size, a)) for a in allocs]
                if None in v:
                    raise Missing(f'guest: pboob {fill}% {size}')
                oob = v[0][0]
                body.append([f'{fill}%', f'{size:,} B'] +
                             [fmt(x[0]) for x in v] +
                             [fmt(ratio(v[1][0], oob), 1),
                              fmt(ratio(v[2][0], oob), 1),
                              fmt(ratio(v[3][0], oob), 2)])
                cbody.append([fill, size] +
                             [fmt(x, 3) for vv in v for x in vv])
        fb = '; '.join(
            f'at {f}%: ' + ', '.join(f'{a} {blocks.get((f, a), "?"):,}'
                                     for a in allocs)
            for f in sorted({k[0] for k in blocks}))
        self.write(
            'pool-oob', 'In the kernel: an out-of-band pgclass pool against '
            f'gen_pool on one range of {mib} MiB (same guest boot)',
            'pgclass_pool_create_oob() with its metadata in vmalloc() '
            f'memory, managing [0x100000000, +{mib} MiB): a range of '
            'numbers, never read or written, as gen_pool_add() gets it for '
            'gen_pool (min_alloc_order 4, pgclass\'s least block, and '
            'PAGE_SHIFT); an in-band pgclass pool of the same size over '
            'vmalloc() memory for reference.  Each filled with the '
            'benchmarks\' size mix (the stream of pgclass_bench.ko\'s fill) '
            'to the fill (pgclass: of its pages; gen_pool: of its bytes, '
            'its blocks placed where its first fit would put them); blocks '
            f'it took {fb}.  Then {PAIRS_POOL} alloc+free pairs of one size, '
            'timed as one; ns per pair (two calls), median over '
            f'{rounds} rounds in a rotating order; TCG-guest ns.  The ÷ '
            'columns: gen_pool\'s time, and the in-band pool\'s, over the '
            'out-of-band pool\'s.',
            ['fill', 'request', 'pgclass oob ns/pair', 'gen_pool 16 B',
             'gen_pool page', 'pgclass in-band', 'gen_pool 16 B ÷ oob',
             'gen_pool page ÷ oob', 'in-band ÷ oob'], body,
            ['fill_pct', 'size'] + [f'{a}_{s}' for a in allocs
                                    for s in ('median', 'min', 'max')],
            cbody)

    def pool_create(self):
        nat = rows(os.path.join(self.raw, 'pool-native.csv'))
        cr = {(r[1], int(r[2])): ([float(x) for x in r[3:6]], int(r[6]))
              for r in nat if r[0] == 'pcreate'}
        kinds = ['create', 'create-warm', 'create_zeroed', 'create_oob',
                 'create_oob_zeroed', 'touch-2-pages']
        what = {
            'create': 'pgclass_pool_create(): clears all metadata',
            'create-warm': 'pgclass_pool_create(), metadata already '
                           'faulted in',
            'create_zeroed': 'pgclass_pool_create_zeroed()',
            'create_oob': 'pgclass_pool_create_oob(): clears all metadata',
            'create_oob_zeroed': 'pgclass_pool_create_oob_zeroed()',
            'touch-2-pages': 'no pool: a store to the first and the last '
                             'page of fresh metadata (page faults alone)',
        }
        mibs = sorted({k[1] for k in cr})
        if not mibs:
            raise Missing('native: no pcreate rows')
        body, cbody = [], []
        for k in kinds:
            row, crow = [what[k]], [k]
            for m in mibs:
                if (k, m) not in cr:
                    raise Missing(f'native: no pcreate {k} {m}')
                t, res = cr[k, m]
                row += [f'{fmt(t[0] / 1000, 1)} ({fmt(t[1] / 1000, 1)}–'
                        f'{fmt(t[2] / 1000, 1)})', f'{res:,}']
                crow += [m] + [fmt(x, 0) for x in t] + [res]
            body.append(row)
            cbody.append(crow)
        head = ['native']
        for m in mibs:
            head += [f'{m if m < 1024 else m // 1024} '
                     f'{"MiB" if m < 1024 else "GiB"}: µs', 'pages touched']
        self.write(
            'pool-create', 'Pool creation, native: before and after '
            'pgclass_pool_create_zeroed()',
            '`poolbench create`: src/core.c in user space, 4 KiB pages; '
            'each create over fresh anonymous memory (mmap MAP_NORESERVE: '
            'zero, and not faulted in until touched), its metadata, wall '
            'time (CLOCK_MONOTONIC, page faults included: they are most of '
            'the cost of a create that clears its metadata), median over '
            'the rounds with their range; out-of-band pools get their '
            'metadata (pgclass_meta_size() bytes) from such a mapping and '
            'manage a range of numbers.  *pages touched*: the pages of the '
            'mapping resident after the create (mincore()).  The last row '
            'is no pool at all: what the two page faults of a zeroed '
            'create cost on this machine.',
            head, body, None, cbody)
        if not self.guest:
            return
        g, rounds, _ = self.pool_guest_rows()
        gc = {(r[1], int(r[2])): [float(x) for x in r[3:6]]
              for r in g if r[0] == 'pbcreate'}
        if not gc:
            raise Missing('guest: no pbcreate rows')
        gbody = []
        for (k, m), t in gc.items():
            z = gc.get((k + '_zeroed', m)) if 'zeroed' not in k else None
            gbody.append([k, f'{m if m < 1024 else m // 1024} '
                          f'{"MiB" if m < 1024 else "GiB"}',
                          f'{fmt(t[0] / 1000, 1)} ({fmt(t[1] / 1000, 1)}–'
                          f'{fmt(t[2] / 1000, 1)})',
                          fmt(ratio(t[0], z[0]), 1) if z else ''])
        self.write(
            'pool-create-guest', 'Pool creation in the kernel (same guest '
            'boot)',
            'pgclass_poolbench.ko: each create over fresh vzalloc() memory '
            '(zeroed and mapped by vzalloc(), untimed: no page faults '
            'here), ktime_get_ns(), median over '
            f'{rounds} rounds (range); in-band pools over their region, '
            'out-of-band pools over a range of numbers with their '
            'metadata in vzalloc() memory (a 1 GiB guest has no 4 GiB '
            'region to give an in-band pool).  TCG-guest µs.  *÷ zeroed*: '
            'the clearing create\'s time over the zeroed one\'s.',
            ['create', 'pool', 'µs (TCG)', '÷ zeroed'], gbody)

    def dump_holds(self):
        w = {r[1]: r for r in rows(os.path.join(self.raw, 'walkhold.csv'),
                                   'walkhold')}
        for k in ('alternate', 'empty'):
            if k not in w:
                raise Missing(f'walkhold: no {k} row')
        what = {'alternate': 'every other page allocated (the most '
                             'extents)',
                'empty': 'empty (one free run)'}
        body, cbody = [], []
        for k in ('alternate', 'empty'):
            _, _, pages, ext, holds, longest, mean, walk = w[k]
            body.append([what[k], f'{int(ext):,}', f'{int(holds):,}',
                         longest, mean, fmt(float(walk) / 1000, 1)])
            cbody.append([k, pages, ext, holds, longest, mean, walk])
        self.write(
            'dump-holds', 'A debugfs dump and the pool lock (native)',
            'walkhold: a pool of 262,144 pages of 4 KiB (1 GiB) walked as '
            'debugfs `pages` walks it, a line formatted per extent, with '
            'the benchmark shim timing every hold of the pool\'s lock.  '
            'The walk takes the lock for at most 256 extents at a time '
            '(`pgclass_walk_from()`), so the *longest hold* is what '
            'another CPU calling the pool may wait for; before the walk '
            'resumed from a page index, one hold lasted the *whole walk* '
            '(and printed every page, not every extent).  In user space '
            'a thread may be preempted while it holds the lock, which '
            'the kernel\'s raw spinlock with interrupts off rules out: '
            'the longest hold carries that noise, the mean little.',
            ['pool', 'extents', 'lock holds', 'longest hold (µs)',
             'mean hold (µs)', 'whole walk (ms)'], body,
            ['state', 'pages', 'extents', 'lock_holds', 'longest_hold_us',
             'mean_hold_us', 'walk_us'], cbody)

    def tracecost(self):
        g = rows(os.path.join(self.raw, 'tracecost.csv'))
        ps = {}
        for r in g:
            if r[0] == 'tcost':
                ps.setdefault((r[1], r[2]), []).append(
                    [float(x) for x in r[4:7]])
        traces = ['pair-64', 'churn', 'lab']
        variants = ['none', 'off', 'on']
        for t in traces:
            for v in variants:
                if (v, t) not in ps:
                    raise Missing(f'guest: no tcost {v} {t}')
        body, cbody = [], []
        for t in traces:
            # The least of the loads' medians, judged; their median and
            # their greatest in brackets.  The guest runs under -icount,
            # so a load's figure counts instructions and the loads agree
            # to a fraction of one; what they add (a timer tick landing
            # in a round) only adds, so the least is what the code
            # costs.
            least = {}
            for v in variants:
                m = sorted(x[0] for x in ps[(v, t)])
                least[v] = m[0]
                mid, hi = m[len(m) // 2], m[-1]
                cbody.append([t, v, len(m), fmt(least[v] / 1000, 3),
                              fmt(mid / 1000, 3), fmt(hi / 1000, 3)])
                ps[(v, t)] = (least[v], mid, hi)
            row = [t]
            for v in variants:
                lo, mid, hi = ps[(v, t)]
                row.append(f'{fmt(lo / 1000)} ({fmt(mid / 1000)}, '
                           f'{fmt(hi / 1000)})')
            row += [fmt(ratio(least['off'], least['none']), 3),
                    fmt(ratio(least['on'], least['none']), 2)]
            body.append(row)
        # "Nothing measurable": within 2% of the build without them, in
        # instructions per call, on every trace.
        worst = max(ratio(ps[('off', t)][0], ps[('none', t)][0])
                    for t in traces)
        self.target('tracepoints off: within 2% of compiled out, every '
                    'trace (guest instructions, -icount)',
                    f'off ÷ compiled out ≤ {worst:.3f}', worst <= 1.02)
        self.write(
            'tracecost', 'What the tracepoints cost (guest instructions)',
            'pgclass_tracecost.ko replays three traces of the kernel '
            'table on a 16 MiB pool of its own through pgclass.ko, '
            'loaded again and again against three builds in turn: '
            '*compiled out* (a pgclass.ko built with the tracepoints '
            'replaced by empty ones, as on a kernel without '
            'CONFIG_TRACEPOINTS), *off* (the module users run: every '
            'tracepoint compiled in, its static key off) and *on* (all '
            'six events enabled, recorded into the ring buffer).  Each '
            'load times rounds of every trace after a warm-up round and '
            'gives its median ns per call; the figure is the least of '
            'the loads\' medians, their median and greatest in brackets.  '
            'The guest of this table runs under QEMU\'s -icount shift=0, '
            'where the guest\'s clock advances 1 ns per instruction: '
            'its nanoseconds are instructions per call, the same from '
            'one load to the next (with plain TCG timing, the loads of '
            'one build spread over a factor of 1.6, far more than the '
            'difference measured here).',
            ['trace', 'compiled out (instr/call)', 'off (instr/call)',
             'on (instr/call)', 'off ÷ compiled out', 'on ÷ compiled out'],
            body,
            ['trace', 'variant', 'loads', 'least_instr', 'median_instr',
             'max_instr'],
            cbody)

    def summary(self):
        e = self.env
        head = ['## Machine and software', '',
                f'- host CPU: {e.get("host_cpu", "?")}, '
                f'{e.get("host_cpus", "?")} CPUs; host kernel '
                f'{e.get("host_kernel", "?")}, {e.get("host_os", "?")} '
                '(native and valgrind figures)',
                f'- guest: QEMU {e.get("pkg:qemu-system-x86", "?")} TCG, '
                f'{e.get("guest_cpus", "?")} vCPUs (nr_cpu_ids '
                f'{e.get("guest_nr_cpu_ids", "?")}), 1 GiB, Debian kernel '
                f'{e.get("guest_kernel", "not run")} (package '
                f'linux-image-6.12-amd64 '
                f'{e.get("pkg:linux-image-6.12-amd64", "?")}; kernel and '
                'device figures)',
                f'- gcc {e.get("gcc", "?")}; glibc {e.get("pkg:libc6")}, '
                f'jemalloc {e.get("pkg:libjemalloc2")}, mimalloc '
                f'{e.get("pkg:libmimalloc2.0")}, valgrind '
                f'{e.get("pkg:valgrind")}',
                f'- run {e.get("date", "?")} at commit '
                f'{e.get("commit", "?")}; load average at the start '
                f'{e.get("load_start", "?")}, at the end of the native '
                f'part {e.get("load_native", "?")}', '']
        tgt = ['## Targets', '',
               md_table(['target', 'measured', 'status'],
                        self.sorted_targets()), '']
        text = '\n'.join(head + tgt) + '\n## Tables\n\n' + \
            '\n'.join(self.sections)
        with open(os.path.join(self.out, 'summary.md'), 'w') as f:
            f.write(text)
        with open(os.path.join(self.out, 'targets.csv'), 'w',
                  newline='') as f:
            csv.writer(f).writerows([['target', 'measured', 'status']] +
                                    self.sorted_targets())
        print(text)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    guest = '--no-guest' not in argv[2:]
    rep = Report(argv[1], guest)
    if '--pool-only' in argv[2:]:
        return pool_only(rep, guest)
    try:
        rep.native()
        rep.atomics_table()
        rep.scale()
        rep.footprint()
        rep.sweep()
        rep.pages()
        rep.dump_holds()
        if guest:
            rep.kernel()
            rep.kernel_smp()
            rep.device()
            rep.device_mmap()
            rep.tracecost()
        rep.metadata()
        pool(rep, guest)
    except Missing as e:
        print(f'report.py: missing result: {e}', file=sys.stderr)
        return 1
    rep.summary()
    return 0


def pool(rep, guest):
    """Section 6 (tools/bench/poolbench.sh): the pools."""
    if guest:
        rep.pool_frag()
    rep.pool_fitscan()
    if guest:
        rep.pool_oob()
    rep.pool_create()


def pool_only(rep, guest):
    """report.py OUT --pool-only: section 6 alone."""
    try:
        pool(rep, guest)
    except Missing as e:
        print(f'report.py: missing result: {e}', file=sys.stderr)
        return 1
    rep.summary()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
