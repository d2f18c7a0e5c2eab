#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge test output on the host, and keep the run's tally.

    verdict.py tap NAME FILE COUNTS      a TAP/KTAP stream (user-space tests)
    verdict.py guest RUNDIR KSRC COUNTS [check|smoke|run]
                                         a guest run made by tools/testing/vm/boot.sh
    verdict.py total COUNTS              the closing line; exit 1 on a failure

Each judged item prints one line, `ok   NAME`, `FAIL NAME: why` or
`skip NAME`, and adds itself to COUNTS, a file of such lines that
`total` sums up.  A guest run is red on: a failed or crashed KUnit case
(each suite parsed on its own by the kernel's kunit.py), a failed TAP
test or a program that died before its plan was met, a kernel splat on
the console, a taint other than the module and test ones, lockdep
switched off, a kmemleak report, a missing pass signal, or the timeout.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

# The console lines that mean the kernel found a bug.  Anything here in
# a run turns it red, even when every test passed: KUnit does not see
# lockdep reports or WARNs, and a selftest cannot see a KASAN report.
SPLATS = [
    r'BUG:',
    r'WARNING:',
    r'UBSAN:',
    r'\bKASAN\b',
    r'Kernel panic',
    r'general protection fault',
    r'\bOops\b',
    r'possible circular locking dependency',
    r'possible recursive locking',
    r'inconsistent lock state',
    r'possible irq lock inversion',
    r'suspicious RCU usage',
    r'DEBUG_LOCKS_WARN_ON',
    r'INFO: task .* blocked for more than',
    r'rcu: INFO: .* detected stalls',
    r'kernel BUG at',
    r'Unable to handle kernel',
]
SPLAT_RE = re.compile('|'.join(SPLATS))

# Taint bits a good run may set: O (out-of-tree module), E (unsigned
# module) and N (KUnit tests ran: lib/kunit/test.c taints on purpose).
TAINT_LETTERS = 'PFSRMBUDAWCIOELKXTN'
TAINT_ALLOWED = (1 << 12) | (1 << 13) | (1 << 18)

PASS_WORD = 'PGCLASS-PASS'


class Tally:
    """Prints each result and appends it to the counts file."""

    def __init__(self, path, prefix=''):
        self.path = path
        self.prefix = prefix

    def add(self, status, name, why=''):
        name = self.prefix + name
        if status == 'ok':
            line = f'ok   {name}'
        elif status == 'skip':
            line = f'skip {name}' + (f': {why}' if why else '')
        else:
            line = f'FAIL {name}' + (f': {why}' if why else '')
        print(line, flush=True)
        with open(self.path, 'a') as f:
            f.write(line + '\n')

    def check(self, good, name, why):
        self.add('ok' if good else 'fail', name, '' if good else why)


RESULT_RE = re.compile(
    r'^(\s*)(ok|not ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$')
PLAN_RE = re.compile(r'^(\s*)1\.\.(\d+)')


def parse_tap(lines):
    """Leaf results of a TAP 13 or KTAP stream, and its plan problems.

    Returns (results, problems): results lists (status, name, why) for
    every leaf test, named parent/leaf where KTAP nests them; problems
    lists what makes the stream itself bad: no plan, fewer or more
    top-level results than planned (a program that died half-way), a
    bail-out.
    """
    entries = []
    plans = []
    problems = []
    for raw in lines:
        line = raw.rstrip('\r\n')
        if line.lstrip().startswith('Bail out!'):
            problems.append(line.strip())
            continue
        m = PLAN_RE.match(line)
        if m:
            plans.append((len(m.group(1)), int(m.group(2))))
            continue
        m = RESULT_RE.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        name = m.group(4).strip() or f'test {m.group(3)}'
        directive = (m.group(5) or '').strip()
        if directive.upper().startswith('SKIP'):
            status = 'skip'
        elif m.group(2) == 'ok' or directive.upper().startswith('TODO'):
            status = 'ok'
        else:
            status = 'fail'
        # The deeper results just before this one are its subtests.
        kids = []
        i = len(entries) - 1
        while i >= 0 and entries[i]['indent'] > indent:
            kids.append(entries[i])
            i -= 1
        for kid in kids:
            kid['name'] = f'{name}/{kid["name"]}'
        entry = {'status': status, 'name': name, 'why': directive,
                 'indent': indent, 'leaf': not kids}
        # A failed parent whose subtests all passed (a crashed suite)
        # still counts as one failure.
        if kids and status == 'fail' and \
                not any(k['leaf'] and k['status'] == 'fail' for k in kids):
            entry['leaf'] = True
            entry['why'] = directive or 'failed after its subtests'
        entries.append(entry)
    top = min([e['indent'] for e in entries] + [p[0] for p in plans],
              default=0)
    top_plans = [n for ind, n in plans if ind == top]
    seen = sum(1 for e in entries if e['indent'] == top)
    if not top_plans:
        problems.append('no TAP plan')
    elif seen != top_plans[0]:
        problems.append(f'planned {top_plans[0]} tests, saw {seen}')
    return ([(e['status'], e['name'], e['why'])
             for e in entries if e['leaf']], problems)


def judge_tap(tally, prefix, lines, exit_code=None):
    """Tally a TAP stream under prefix/; return True if it was green."""
    results, problems = parse_tap(lines)
    green = True
    for status, name, why in results:
        tally.add(status, f'{prefix}/{name}', why)
        green &= status != 'fail'
    for p in problems:
        tally.add('fail', prefix, p)
        green = False
    if not results and not problems:
        tally.add('fail', prefix, 'no test results')
        green = False
    # kselftest exits 4 when everything was skipped.
    if exit_code not in (None, 0, 4) and green:
        tally.add('fail', prefix, f'exit status {exit_code}')
        green = False
    return green


def flatten_kunit(group, path):
    """(status, name) of every case in kunit.py's JSON, params included."""
    for sub in group.get('sub_groups', []):
        yield from flatten_kunit(sub, f'{path}/{sub["name"]}')
    for case in group.get('test_cases', []):
        yield case['status'], f'{path}/{case["name"]}'


def judge_kunit_suite(tally, ksrc, suite, text):
    """Parse one suite's KTAP with the kernel's own kunit.py."""
    kunit_py = os.path.join(ksrc, 'tools/testing/kunit/kunit.py')
    with tempfile.TemporaryDirectory() as tmp:
        ktap = os.path.join(tmp, f'{suite}.ktap')
        out = os.path.join(tmp, f'{suite}.json')
        with open(ktap, 'w') as f:
            f.write(text)
        proc = subprocess.run(
            [sys.executable, kunit_py, 'parse', f'--json={out}', ktap],
            capture_output=True, text=True, cwd=tmp)
        try:
            with open(out) as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}
    cases = list(flatten_kunit(data, 'kunit'))
    failed = False
    for status, name in cases:
        if status == 'PASS':
            tally.add('ok', name)
        elif status == 'SKIP':
            tally.add('skip', name)
        else:
            tally.add('fail', name, status.lower())
            failed = True
    if not cases:
        tally.add('fail', f'kunit/{suite}', 'no test cases parsed')
    elif proc.returncode != 0 and not failed:
        tally.add('fail', f'kunit/{suite}',
                  f'kunit.py parse exited {proc.returncode}')


def read_sections(path):
    """Split results.log into (kind, argument, lines) sections."""
    sections = []
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except OSError:
        return sections
    for line in text.replace('\r', '').split('\n'):
        if line.startswith('=== '):
            head = line[4:].split(' ', 1)
            sections.append([head[0], head[1] if len(head) > 1 else '', []])
        elif sections:
            sections[-1][2].append(line)
    return sections


def judge_console(tally, rundir):
    path = os.path.join(rundir, 'console.log')
    try:
        with open(path, errors='replace') as f:
            lines = [ln.rstrip('\r\n') for ln in f]
    except OSError:
        tally.add('fail', 'console', 'no console log')
        return
    splats = [ln for ln in lines if SPLAT_RE.search(ln)]
    if not splats:
        tally.add('ok', 'console: no kernel splat')
        return
    for ln in splats[:20]:
        tally.add('fail', 'console', ln.strip())
    if len(splats) > 20:
        tally.add('fail', 'console', f'... and {len(splats) - 20} more')


def judge_guest(rundir, ksrc, counts, mode='check'):
    """Judge a guest run.  mode: check (the debug kernel: KUnit and
    kmemleak must have reported), smoke (a stock kernel, which has
    neither; results are named stock/...), run (make run: the
    sessions' output is shown) or bench (the BENCH section is saved
    as RUNDIR/bench.out)."""
    tally = Tally(counts, 'stock/' if mode == 'smoke' else '')
    sections = read_sections(os.path.join(rundir, 'results.log'))
    exits = {}
    for kind, arg, _ in sections:
        if kind == 'EXIT':
            name, _, code = arg.rpartition(' ')
            exits[name] = int(code) if code.lstrip('-').isdigit() else None
    suites = 0
    kmemleak = None
    taint = None
    lockdep = None
    for kind, arg, lines in sections:
        if kind == 'RESULT':
            status, _, rest = arg.partition(' ')
            name, _, why = rest.partition('  ')
            tally.add('ok' if status == 'OK' else 'fail', f'guest/{name}',
                      why)
        elif kind == 'KTAP':
            suites += 1
            judge_kunit_suite(tally, ksrc, arg, '\n'.join(lines) + '\n')
        elif kind == 'TAP':
            judge_tap(tally, arg, lines, exits.get(arg))
        elif kind == 'RUN':
            if mode == 'run':
                for ln in lines:
                    print(ln)
            code = exits.get(arg)
            tally.check(code == 0, f'run {os.path.basename(arg)}',
                        f'pgclassctl exit status {code}')
        elif kind == 'FILE':
            # A file the guest made (make run's SVG maps): keep it.
            name = os.path.basename(arg)
            with open(os.path.join(rundir, name), 'w') as f:
                f.write('\n'.join(lines))
        elif kind == 'BENCH':
            with open(os.path.join(rundir, 'bench.out'), 'w') as f:
                f.write('\n'.join(lines))
            code = exits.get('bench')
            tally.check(code == 0, 'bench', f'bench run exit status {code}')
        elif kind == 'KMEMLEAK':
            kmemleak = [ln for ln in lines if ln.strip()]
        elif kind == 'TAINT':
            taint = int(arg) if arg.strip().isdigit() else None
        elif kind == 'LOCKDEP':
            lockdep = arg.strip()
    if mode == 'check':
        tally.check(suites > 0, 'kunit', 'no KUnit suite reported results')
        if kmemleak is None:
            tally.add('fail', 'kmemleak', 'no kmemleak report from the guest')
        else:
            tally.check(not kmemleak, 'kmemleak: no leak',
                        '; '.join(kmemleak[:6]))
    if taint is None:
        tally.add('fail', 'taint', 'the guest did not report its taint')
    else:
        bad = taint & ~TAINT_ALLOWED
        letters = ''.join(TAINT_LETTERS[i] for i in range(len(TAINT_LETTERS))
                          if bad & (1 << i))
        tally.check(not bad, 'taint: only module and test bits',
                    f'tainted {taint} (bad flags: {letters or bad})')
    if lockdep is not None:
        tally.check(lockdep == '1', 'lockdep: still on',
                    f'debug_locks is {lockdep}: lockdep turned itself off')
    judge_console(tally, rundir)
    try:
        with open(os.path.join(rundir, 'status')) as f:
            status = int(f.read().strip() or '0')
    except (OSError, ValueError):
        status = None
    if status in (124, 137):
        try:
            with open(os.path.join(rundir, 'timeout')) as f:
                limit = f.read().strip()
        except OSError:
            limit = '?'
        tally.add('fail', 'guest: timeout', f'killed after {limit} s')
    with open(os.path.join(rundir, 'nonce')) as f:
        nonce = f.read().strip()
    with open(os.path.join(rundir, 'signal.log'), errors='replace') as f:
        signal = f.read()
    tally.check(f'{PASS_WORD} {nonce}' in signal, 'guest: pass signal',
                'no pass signal: the guest did not finish every step')


def total(counts):
    n = {'ok': 0, 'FAIL': 0, 'skip': 0}
    failed = []
    with open(counts) as f:
        for line in f:
            word = line.split(' ', 1)[0]
            if word in n:
                n[word] += 1
            if word == 'FAIL':
                failed.append(line.rstrip('\n'))
    if failed:
        print(f'\n{len(failed)} failure(s):')
        for line in failed:
            print(f'  {line}')
    tail = f', {n["skip"]} skipped' if n['skip'] else ''
    print(f'{n["ok"]} passed, {n["FAIL"]} failed{tail}')
    return 1 if n['FAIL'] or not n['ok'] else 0


def main(argv):
    if len(argv) == 5 and argv[1] == 'tap':
        with open(argv[3], errors='replace') as f:
            lines = f.readlines()
        return 0 if judge_tap(Tally(argv[4]), argv[2], lines) else 1
    if len(argv) in (5, 6) and argv[1] == 'guest':
        mode = argv[5] if len(argv) == 6 else 'check'
        judge_guest(argv[2], argv[3], argv[4], mode)
        return 0
    if len(argv) == 3 and argv[1] == 'total':
        return total(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
