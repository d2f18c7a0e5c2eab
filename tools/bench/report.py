#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn build/bench/raw/*.csv into tables.

    report.py OUT [--no-guest]

Reads OUT/raw/ (what bench.sh collected), writes OUT/*.csv and OUT/*.md
(one pair per table), OUT/summary.md (all of them, with the targets of
issue 6 and the machine), and OUT/*.dat for plot.gp; prints summary.md.
Exits 1 if a result is missing: every table must be complete.
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

    def target(self, what, value, met):
        self.targets.append([what, value, 'met' if met else '**not met**'])

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
        cbody.append(['lock-only', fmt(lk, 3), fmt(min(lock), 3),
                      fmt(max(lock), 3)])
        self.write(
            'native', 'User space, native: ns per operation',
            f'Median over {n} rounds (each round: one process per '
            'allocator, in a rotating order; in each process the median of '
            '5 replays after a warm-up, timed in thread CPU time), with '
            'the rounds\' range in brackets.  An operation is one call (a pair is two).  The '
            'ratio columns are pgclass\'s time over the peer\'s from the '
            'same run: below 1, pgclass is faster.  For scale, '
            'pgclass\'s lock alone (a pthread spinlock taken and dropped, '
            'as each pgclass call does; the peers\' single-threaded fast '
            f'paths take none): {fmt(lk)} ns per call '
            f'({fmt(min(lock))}–{fmt(max(lock))}), row lock-only of '
            'native.csv.',
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
            'markers, on a 4 MiB pool half full (`pagetrace`); mean / '
            'maximum over the operations of each kind.  *meta*: 4 KiB '
            'pages of the pool\'s metadata; *desc*: those other than the '
            'first, which holds the pool header (lock, class lists, '
            'counters) and the first descriptors; *data*: pages of blocks '
            '(a moving realloc copies: 2 or more is the copy); *other*: '
            'the program\'s read-only data (switch tables) and libc\'s '
            'memcpy dispatch; the stack is left out.  Instructions: '
            'callgrind, collection on only around the call, one dump per '
            'call, the markers\' own cost subtracted.  **naive** is the '
            'BASELINE written for this comparison (tools/bench/naive.c): '
            'the lab\'s algorithm as its text gives it, scanning the page '
            'table.',
            ['kind', 'allocator', 'ops', 'meta pages', 'desc pages',
             'data pages', 'other pages', 'instructions'], body,
            ['kind', 'allocator', 'ops', 'meta_mean', 'meta_max',
             'desc_mean', 'desc_max', 'data_mean', 'data_max', 'other_mean',
             'other_max', 'instr_mean', 'instr_max', 'lackey_instr_mean',
             'lackey_instr_max'], cbody)
        mmax = max(int(pg['pgclass', k][2]) for k in SMALL_KINDS)
        dmax = max(int(pg['pgclass', k][6]) for k in SMALL_KINDS)
        mmean = max(float(pg['pgclass', k][1]) for k in SMALL_KINDS)
        self.target('≤ 1 metadata page and 0 data pages per small alloc '
                    'or free', f'metadata pages: mean ≤ {fmt(mmean, 2)}, '
                    f'max {mmax}; data pages: max {dmax}',
                    mmax <= 1 and dmax == 0)

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
        klock = [r for r in g if r[0] == 'klock']
        if not klock:
            raise Missing('guest: no klock line')
        self.klock = [float(x) for x in klock[0][1:4]]
        t = {}
        for r in g:
            if r[0] == 'ktime':
                t[int(r[1]), int(r[2]), r[3], r[4]] = \
                    [float(x) for x in r[6:9]]
        fills = {(int(r[1]), int(r[2]), r[3]): int(r[4]) for r in g
                 if r[0] == 'kfill'}
        self.kmeta = {int(r[1]): (int(r[2]), int(r[3]), int(r[4]))
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
            'For scale, a spinlock taken and dropped with interrupts off, '
            'as every pgclass call does (kmalloc\'s fast path is lockless '
            f'per-CPU): {fmt(self.klock[0])} ns per call '
            f'({fmt(self.klock[1])}–{fmt(self.klock[2])}), same boot.',
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
        self.target('guest 64 B alloc+free pair ≤ 1.0× kmalloc/kfree',
                    f'{fmt(r0, 2)}× at 4 MiB empty (all pools and fills: '
                    f'{fmt(min(pair), 2)}–{fmt(max(pair), 2)}×)', r0 <= 1.0)
        sp = {tr: ratio(t[64, 90, 'gen_pool', tr][0],
                        t[64, 90, 'pgclass', tr][0]) for tr in KTRACES}
        worst = min(sp, key=sp.get)
        self.target('≥ 100× faster than gen_pool at 64 MiB, 90% full',
                    f'pair-64 {fmt(sp["pair-64"], 0)}×, churn '
                    f'{fmt(sp["churn"], 0)}×; least {fmt(sp[worst], 0)}× '
                    f'({worst})', sp[worst] >= 100)
        self.rounds_guest = rounds
        self.ktime = t

    def device(self):
        g = rows(os.path.join(self.raw, 'guest.csv'), 'dev')
        d = {r[1]: [float(x) for x in r[3:6]] for r in g}
        if 'alloc64+free' not in d or '2xgetppid' not in d:
            raise Missing('guest: no device results')
        dev, sysc = d['alloc64+free'][0], d['2xgetppid'][0]
        kpair = 2 * self.ktime[4, 0, 'pgclass', 'pair-64'][0]
        body = [['ALLOC 64 B + FREE through /dev/pgclass', fmt(dev),
                 f'{1e9 / dev:,.0f}', '1.00', fmt(dev / sysc, 2),
                 fmt(dev / kpair, 1)],
                ['two getppid() calls', fmt(sysc), f'{1e9 / sysc:,.0f}',
                 fmt(sysc / dev, 2), '1.00', fmt(sysc / kpair, 1)],
                ['pgclass_alloc + pgclass_free in the kernel (pair-64, '
                 '4 MiB, empty)', fmt(kpair), f'{1e9 / kpair:,.0f}',
                 fmt(kpair / dev, 2), fmt(kpair / sysc, 2), '1.00']]
        self.write(
            'device', 'Through the device (same guest boot)',
            'devbench, a static program in the guest: 7 rounds of 20,000 '
            'round trips, median; alternating with two getppid() calls '
            '(two system calls that do nothing) as a yardstick.  Round '
            'trips per second are TCG-guest figures: compare the ratios.',
            ['round trip', 'ns (TCG)', 'per second (TCG)', '÷ device',
             '÷ 2 syscalls', '÷ in-kernel pair'], body)

    def metadata(self):
        body = []
        ok = True
        src = [('kernel (stock 6.12, its spinlock)', m, v)
               for m, v in sorted(getattr(self, 'kmeta', {}).items())]
        src += [('user space (64-byte lock, as with lockdep)', m, v)
                for m, v in sorted(self.user_meta.items())]
        for where, mib, (page, nr, meta) in src:
            pct = 100 * meta / nr
            ok &= pct <= 1.0
            body.append([where, f'{mib} MiB', page, nr, meta, fmt(pct, 2)])
        if not src:
            raise Missing('no metadata figures')
        self.write('metadata', 'Metadata share of the pool (4 KiB pages)',
                   'pgclass_get_stats() of a new pool: pages holding the '
                   'header and the descriptors.', ['build', 'pool',
                   'page', 'pages', 'meta pages', '%'], body)
        worst = max(float(b[-1]) for b in body)
        self.target('metadata ≤ 1% of the pool at 4 KiB pages',
                    f'at most {fmt(worst, 2)}%', ok)

    def summary(self):
        e = self.env
        head = ['## Machine and software', '',
                f'- host CPU: {e.get("host_cpu", "?")}, '
                f'{e.get("host_cpus", "?")} CPUs; host kernel '
                f'{e.get("host_kernel", "?")} (native figures)',
                f'- guest: QEMU TCG, 2 vCPUs, 1 GiB, Debian kernel '
                f'{e.get("guest_kernel", "not run")} (kernel and device '
                'figures)',
                f'- gcc {e.get("gcc", "?")}; glibc {e.get("pkg:libc6")}, '
                f'jemalloc {e.get("pkg:libjemalloc2")}, mimalloc '
                f'{e.get("pkg:libmimalloc2.0")}, valgrind '
                f'{e.get("pkg:valgrind")}',
                f'- run {e.get("date", "?")} at commit '
                f'{e.get("commit", "?")}', '']
        tgt = ['## Targets (issue 6)', '',
               md_table(['target', 'measured', 'status'], self.targets), '']
        text = '\n'.join(head + tgt) + '\n## Tables\n\n' + \
            '\n'.join(self.sections)
        with open(os.path.join(self.out, 'summary.md'), 'w') as f:
            f.write(text)
        with open(os.path.join(self.out, 'targets.csv'), 'w',
                  newline='') as f:
            csv.writer(f).writerows([['target', 'measured', 'status']] +
                                    self.targets)
        print(text)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    guest = '--no-guest' not in argv[2:]
    rep = Report(argv[1], guest)
    try:
        rep.native()
        rep.footprint()
        rep.sweep()
        rep.pages()
        if guest:
            rep.kernel()
            rep.device()
        rep.metadata()
    except Missing as e:
        print(f'report.py: missing result: {e}', file=sys.stderr)
        return 1
    rep.summary()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
