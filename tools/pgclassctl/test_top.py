#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pgclassctl top, on the host: the plain frame when standard output is
not a terminal, the live view on a pseudo-terminal (redrawn, deltas, the
window's size, colour and NO_COLOR), and the terminal put back as it was
on q, ^C, SIGTERM and a debugfs file gone.  TAP output.

    test_top.py PGCLASSCTL TESTDATA

The debugfs files come from TESTDATA/lab-example1 (saved from the
guest), copied to a directory of our own that the live tests change
under top's feet.
"""
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

TOOL = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
CSI = re.compile(rb'\x1b\[[0-9;?]*[@-~]')
SGR_COLOUR = b'\x1b[38;5;'
ENTER = b'\x1b[?1049h\x1b[?25l'
LEAVE = b'\x1b[?25h\x1b[?1049l'

results = []


def check(ok, name, why=''):
    results.append(ok)
    print('%s %d - %s' % ('ok' if ok else 'not ok', len(results), name))
    if not ok and why:
        for line in str(why).splitlines()[:30]:
            print('# ' + line)


def env(**kw):
    e = {k: v for k, v in os.environ.items()
         if k not in ('NO_COLOR', 'PGCLASS_DEV', 'PGCLASS_DEBUGFS')}
    e['TERM'] = 'xterm'
    e.update(kw)
    return e


def data(f):
    with open(os.path.join(DATA, 'lab-example1', f), 'rb') as fh:
        return fh.read()


def stats_of(text):
    return [tuple(line.split(': ')) for line in text.decode().splitlines()]


def run(args, **kw):
    p = subprocess.run([TOOL, 'top'] + args, capture_output=True,
                       stdin=subprocess.DEVNULL, env=env(**kw), timeout=30)
    return p.returncode, p.stdout, p.stderr


class Pty:
    """pgclassctl top on a pseudo-terminal that is its controlling
    terminal, standard input and output, as a shell would start it."""

    def __init__(self, args, rows=40, cols=100, **kw):
        self.master, self.slave = pty.openpty()
        self.resize(rows, cols)
        self.before = termios.tcgetattr(self.slave)

        def setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.p = subprocess.Popen([TOOL, 'top'] + args, stdin=self.slave,
                                  stdout=self.slave, stderr=subprocess.PIPE,
                                  env=env(**kw), preexec_fn=setup)
        self.out = b''

    def resize(self, rows, cols):
        fcntl.ioctl(self.master, termios.TIOCSWINSZ,
                    struct.pack('HHHH', rows, cols, 0, 0))

    def read_until(self, want, timeout=10):
        """Reads until @want (bytes) shows after what was read before."""
        start = len(self.out)
        end = time.time() + timeout
        while want not in self.out[start:] and time.time() < end:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.out += chunk
        return self.out[start:]

    def key(self, b):
        os.write(self.master, b)

    def wait(self, timeout=10):
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = 'timeout'
        self.read_until(b'\0', 0.2)
        self.err = self.p.stderr.read()
        return rc

    def restored(self):
        """The terminal's modes as before, the screen given back."""
        return (termios.tcgetattr(self.slave) == self.before and
                self.out.endswith(LEAVE) and self.out.count(ENTER) ==
                self.out.count(LEAVE))

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        os.close(self.master)
        os.close(self.slave)


def frames(out):
    """Each redraw (from row 1) as a list of rows, escapes removed."""
    got = []
    for chunk in re.split(rb'\x1b\[1;1H', out)[1:]:
        rows = {}
        for m in re.finditer(rb'\x1b\[(\d+);1H((?:(?!\x1b\[\d+;1H).)*)',
                             b'\x1b[1;1H' + chunk, re.S):
            rows[int(m.group(1))] = CSI.sub(b'', m.group(2)).decode()
        got.append([rows[i] for i in sorted(rows)])
    return got


def put(path, text):
    """Replaces @path with @text at once, as debugfs changes."""
    with open(path + '.new', 'wb') as fh:
        fh.write(text)
    os.rename(path + '.new', path)


# --- not on a terminal ----------------------------------------------------

def test_plain(d):
    rc, out, err = run([], PGCLASS_DEBUGFS=d)
    text = out.decode()
    check(rc == 0 and not err and b'\x1b' not in out,
          'top to a pipe: status 0, no escape codes', (rc, err, out[:200]))
    check(text.startswith('pages: 128 of 4096 B, 2 meta, 4 used, 122 free, '
                          '4 at peak\nblocks: 9, 1872 B allocated, '
                          '1172 B requested\n\nstats:\n'),
          'top to a pipe: the summary, then every stat', text[:300])
    section = text.split('stats:\n', 1)[1].split('\n\n', 1)[0]
    cells = re.findall(r'(\w+) +(\d+)', section)
    check(cells and sorted(cells) == sorted(stats_of(data('stats'))) and
          all(len(line) < 80 for line in section.splitlines()),
          'top to a pipe: each stat with its value, once, in 80 columns',
          section)
    check(out.endswith(b'\n\n' + data('classes') + b'\n' + data('map')),
          'top to a pipe: the classes and the map, byte for byte, last',
          text)
    one = out
    for args, kw, name in (([], {'NO_COLOR': '1'}, 'NO_COLOR=1'),
                           (['--color=never'], {}, '--color=never'),
                           (['-d', '5'], {}, '-d 5')):
        rc, out, err = run(args, PGCLASS_DEBUGFS=d, **kw)
        check(rc == 0 and out == one, 'top %s to a pipe: the same frame' % name)
    rc, out, err = run(['--color=always'], PGCLASS_DEBUGFS=d, NO_COLOR='1')
    check(rc == 0 and SGR_COLOUR in out and CSI.sub(b'', out) == one,
          'top --color=always to a pipe, NO_COLOR=1: the map in colour '
          '(the option wins, as no-color.org says)')

    # A terminal that can do nothing gets the plain frame too.
    t = Pty([], PGCLASS_DEBUGFS=d, TERM='dumb')
    rc = t.wait()
    out = t.out.replace(b'\r\n', b'\n')
    check(rc == 0 and out == one and termios.tcgetattr(t.slave) == t.before,
          'top with TERM=dumb: the plain frame once, the terminal untouched',
          (rc, out[:300]))
    t.close()

    rc, out, err = run([], PGCLASS_DEBUGFS='/nonexistent/pgclass')
    check(rc == 1 and not out and b'/nonexistent/pgclass/stats' in err,
          'top without debugfs: the path on stderr, status 1', err)


# --- on a terminal ------------------------------------------------------

def test_live(d):
    stats = os.path.join(d, 'stats')
    orig = data('stats')
    t = Pty(['-d', '0.2'], PGCLASS_DEBUGFS=d)
    first = t.read_until(b'\x1b[J')
    f = frames(first)
    check(first.startswith(ENTER) and f and
          f[0][0].startswith('pgclassctl top ') and 'every 0.2 s' in f[0][0]
          and 'q quits' in f[0][0],
          'top on a terminal: the alternate screen, a title with the delay',
          first[:300])
    check(f and 'stats:' in f[0] and
          all(any(re.search(r'\b%s +%s\b' % kv, row) for row in f[0])
              for kv in stats_of(orig)),
          'top: the first frame lists every stat', f[:1])
    rows = f[0][f[0].index('stats:') + 1:] if f and 'stats:' in f[0] else []
    rows = rows[:rows.index('')] if '' in rows else []
    check(rows and all(len(row) < 100 for row in f[0]) and
          [len(re.findall(r'[a-z_]+ +\d+', row)) for row in rows] ==
          [3] * 5 + [2],
          'top: the stats in as many columns as the window holds (3 in 100)',
          f[:1])
    check(SGR_COLOUR in first, 'top on a terminal: the map in colour')

    put(stats, orig.replace(b'alloc_calls: 9', b'alloc_calls: 12')
        .replace(b'blocks: 9', b'blocks: 7'))
    seen = t.read_until(b'+3', 5) + t.read_until(b'\x1b[J', 5)
    rows = ([f for f in frames(seen) if '+3' in ''.join(f)] or [[]])[0]
    changed = [r for r in rows if 'alloc_calls' in r]
    check(any(r.startswith('changed in the last ') for r in rows) and
          changed and re.search(r'alloc_calls +12 +\+3\b', changed[0]) and
          any(re.search(r'\bblocks +7 +-2\b', r) for r in rows) and
          not any('page_size' in r for r in rows),
          'top: the stats that changed, with their deltas, and no other',
          rows)
    put(stats, orig)
    t.read_until(b'\x1b[J', 5)
    seen = t.read_until(b'\x1b[J', 5)
    f = frames(seen)
    check(f and any(r.endswith('s: nothing') for r in f[-1]),
          'top: a refresh where nothing changed says so', f[-1:])

    t.resize(12, 40)
    seen = t.read_until(b'\x1b[J', 5) + t.read_until(b'\x1b[J', 5)
    f = frames(seen)
    rows_used = [int(n) for n in re.findall(rb'\x1b\[(\d+);1H', seen)]
    check(f and max(rows_used) <= 12 and
          all(len(r) <= 39 for r in f[-1]),
          'top: the frame clipped to the window when it shrinks',
          (max(rows_used) if rows_used else None, f[-1:]))

    t.key(b'q')
    rc = t.wait()
    check(rc == 0 and t.restored() and not t.err,
          'top: q quits, status 0, the terminal as it was',
          (rc, t.out[-60:], t.err))
    t.close()

    t = Pty(['-d', '60'], PGCLASS_DEBUGFS=d)
    t.read_until(b'\x1b[J')
    t.key(b' ')
    got = t.read_until(b'\x1b[J', 3)
    t.key(b'Q')
    rc = t.wait()
    check(b'\x1b[J' in got and b'changed in the last' in got and rc == 0 and
          t.restored(), 'top -d 60: another key refreshes at once, Q quits',
          (rc, got[:100]))
    t.close()

    for kw, colour, name in (({'NO_COLOR': '1'}, False, 'NO_COLOR=1: no colour'),
                             ({'NO_COLOR': ''}, True,
                              'NO_COLOR empty: colour'),
                             ({}, False, '--color=never: no colour')):
        args = ['--color=never'] if not kw else []
        t = Pty(args, PGCLASS_DEBUGFS=d, **kw)
        out = t.read_until(b'\x1b[J')
        t.key(b'q')
        rc = t.wait()
        check(rc == 0 and (SGR_COLOUR in out) == colour and ENTER in out and
              t.restored(), 'top on a terminal, %s' % name, out[:200])
        t.close()


def test_narrow(d):
    t = Pty(['-d', '60'], rows=50, cols=80, PGCLASS_DEBUGFS=d)
    f = frames(t.read_until(b'\x1b[J'))
    t.key(b'q')
    rc = t.wait()
    legend, body = data('map').decode().split('\n', 1)
    rows = f[0] if f else []
    i = rows.index('H= multi-page run') if 'H= multi-page run' in rows else 0
    check(rc == 0 and i and rows[i - 1] == legend[:legend.index('  H=')] and
          '\n'.join(rows[i + 1:]).rstrip('\n') == body.rstrip('\n'),
          'top in 80 columns: the legend wrapped between its groups, '
          'the map whole', rows[-6:])
    t.close()


def test_exits(d):
    t = Pty(['-d', '0.2'], PGCLASS_DEBUGFS=d)
    t.read_until(b'\x1b[J')
    t.key(b'\x03')
    rc = t.wait()
    check(rc == 0 and t.restored(), '^C: status 0, the terminal as it was',
          (rc, t.out[-60:]))
    t.close()

    t = Pty(['-d', '0.2'], PGCLASS_DEBUGFS=d)
    t.read_until(b'\x1b[J')
    t.p.send_signal(signal.SIGTERM)
    rc = t.wait()
    check(rc == -signal.SIGTERM and t.restored(),
          'SIGTERM: the terminal as it was, then killed by SIGTERM',
          (rc, t.out[-60:]))
    t.close()

    # Standard input not a terminal: no keys, ^C still ends it.
    master, slave = pty.openpty()
    p = subprocess.Popen([TOOL, 'top', '-d', '0.2'], stdin=subprocess.DEVNULL,
                         stdout=slave, stderr=subprocess.PIPE,
                         env=env(PGCLASS_DEBUGFS=d))
    out = b''
    while b'\x1b[J' not in out:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        out += os.read(master, 65536)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = 'timeout'
    r, _, _ = select.select([master], [], [], 1)
    out += os.read(master, 65536) if r else b''
    check(rc == 0 and out.endswith(LEAVE),
          'stdin not a terminal: live all the same, SIGINT quits, status 0',
          (rc, out[-60:]))
    os.close(master)
    os.close(slave)

    gone = tempfile.mkdtemp()
    try:
        for f in ('stats', 'classes', 'map'):
            shutil.copy(os.path.join(d, f), gone)
        t = Pty(['-d', '0.2'], PGCLASS_DEBUGFS=gone)
        t.read_until(b'\x1b[J')
        os.unlink(os.path.join(gone, 'map'))
        rc = t.wait()
        check(rc == 1 and t.restored() and
              t.err.startswith(b'pgclassctl: %s/map: ' % gone.encode()),
              'a debugfs file gone: the terminal as it was, status 1, '
              'the file on stderr', (rc, t.out[-60:], t.err))
        t.close()
    finally:
        shutil.rmtree(gone)


def test_usage():
    for args, msg in ((['-d'], 'top: -d needs SECONDS'),
                      (['-d', '0'], 'top: -d takes seconds from 0.1 to 86400, not "0"'),
                      (['-d', '0.05'], 'top: -d takes seconds from 0.1 to 86400, not "0.05"'),
                      (['--delay=abc'], 'top: -d takes seconds from 0.1 to 86400, not "abc"'),
                      (['-d', 'nan'], 'top: -d takes seconds from 0.1 to 86400, not "nan"'),
                      (['--color=sometimes'], 'top: --color takes auto, always or never, not "sometimes"'),
                      (['--svg', 'x'], 'top: unknown option "--svg"'),
                      (['extra'], 'top: unexpected argument "extra"')):
        rc, out, err = run(args)
        check(rc == 2 and not out and
              err.decode().startswith('pgclassctl: ' + msg) and
              b'usage: pgclassctl top' in err,
              'top %s: status 2, stderr says %s' % (' '.join(args), msg),
              (rc, out, err))
    d = os.path.join(DATA, 'lab-example1')
    for args in (['-d0.5'], ['--delay', '2'], ['--delay=0.1'], ['-d', '86400']):
        rc, out, err = run(args, PGCLASS_DEBUGFS=d)
        check(rc == 0 and not err, 'top %s: accepted' % ' '.join(args), err)
    p = subprocess.run([TOOL, 'help', 'top'], capture_output=True, timeout=30)
    text = p.stdout.decode()
    check(p.returncode == 0 and
          all(w in text for w in ('-d, --delay SECONDS', 'default 1', 'q quits',
                                  'not a terminal', 'NO_COLOR',
                                  'PGCLASS_DEBUGFS', 'Exit status')),
          'help top: -d, q, the plain frame, NO_COLOR, the files', text)


def main():
    print('TAP version 13')
    d = tempfile.mkdtemp()
    try:
        for f in ('stats', 'classes', 'map'):
            shutil.copy(os.path.join(DATA, 'lab-example1', f), d)
        test_usage()
        test_plain(d)
        test_live(d)
        test_narrow(d)
        test_exits(d)
    finally:
        shutil.rmtree(d)
    print('1..%d' % len(results))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
