#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pgclassctl's command line, on the host: help, usage errors and exit
statuses, the map plain or in colour, the SVG picture parsed as XML, and
a session's pictures (PGCLASS_SVG_DIR).  TAP output.

    test_cli.py PGCLASSCTL TESTDATA

TESTDATA holds debugfs files saved from the test bed's guest: lab-*,
the lab's scenario (lab.pgc) on a 128-page arena, after example 1 and
after the realloc to 10000 bytes; wrap, multi-page blocks across the
ends of the picture's rows; arena-1024, a module loaded with the default
1024 pages.  PGCLASS_DEBUGFS points pgclassctl at them; a session runs against
PGCLASS_DEV=/dev/null, which is enough for the commands that only read
debugfs.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TOOL = os.path.abspath(sys.argv[1])
DATA = os.path.abspath(sys.argv[2])
NS = '{http://www.w3.org/2000/svg}'
COMMANDS = ['info', 'stats', 'classes', 'pages', 'blocks', 'cpus', 'map',
            'run', 'top', 'help']
ESC = re.compile(r'\x1b\[[0-9;]*m')

results = []


def check(ok, name, why=''):
    results.append(ok)
    print('%s %d - %s' % ('ok' if ok else 'not ok', len(results), name))
    if not ok and why:
        for line in str(why).splitlines()[:20]:
            print('# ' + line)


def env(**kw):
    e = {k: v for k, v in os.environ.items()
         if k not in ('NO_COLOR', 'PGCLASS_SVG_DIR', 'PGCLASS_DEV',
                      'PGCLASS_DEBUGFS')}
    e['TERM'] = 'xterm'
    e.update(kw)
    return e


def run(args, stdin=b'', **kw):
    p = subprocess.run([TOOL] + args, input=stdin, capture_output=True,
                       env=env(**kw), timeout=30)
    return p.returncode, p.stdout, p.stderr


def run_pty(args, **kw):
    """Runs with standard output on a terminal; returns (status, output)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([TOOL] + args, stdout=slave, stderr=slave,
                         stdin=subprocess.DEVNULL, env=env(**kw))
    os.close(slave)
    out = b''
    while True:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(timeout=10), out.replace(b'\r\n', b'\n')


def data(name, f):
    with open(os.path.join(DATA, name, f), 'rb') as fh:
        return fh.read()


# --- help ---------------------------------------------------------------

def test_help():
    rc, out, err = run(['--help'])
    text = out.decode()
    check(rc == 0 and not err and text.startswith('usage: pgclassctl'),
          '--help: usage on stdout, status 0', (rc, err))
    check(all(re.search(r'^  %s ' % c, text, re.M) for c in COMMANDS),
          '--help: every command listed', text)
    check(all(w in text for w in ('PGCLASS_DEV', 'PGCLASS_DEBUGFS',
                                  'PGCLASS_SVG_DIR', 'NO_COLOR',
                                  'Exit status')),
          '--help: environment and exit statuses', text)
    check(run(['-h']) == (rc, out, err), '-h is --help')
    for c in COMMANDS:
        rc, out, err = run(['help', c])
        text = out.decode()
        same = (run([c, '--help']) == (rc, out, err) and
                run([c, '-h']) == (rc, out, err))
        check(rc == 0 and not err and
              text.startswith('usage: pgclassctl %s' % c) and
              'Exit status' in text and same,
              'help %s, %s --help and %s -h: its usage, status 0' % (c, c, c),
              text)
    text = run(['help', 'map'])[1].decode()
    check(all(w in text for w in ('--color', 'auto', 'always', 'never',
                                  '--svg FILE', 'NO_COLOR', 'PGCLASS_DEBUGFS')),
          'help map: --color, --svg, NO_COLOR, the files', text)
    text = run(['help', 'run'])[1].decode()
    check(all(w in text for w in ('PGCLASS_SVG_DIR', 'NN-map.svg',
                                  'map [--svg FILE]', 'PGCLASS_DEV')),
          'help run: the session grammar, PGCLASS_SVG_DIR', text)
    for c in ('info', 'stats'):
        check('PGCLASS_DEV' in run(['help', c])[1].decode(),
              'help %s: the device and PGCLASS_DEV' % c)


def test_usage_errors():
    cases = [
        ([], 'no command'),
        (['frob'], 'unknown command "frob"'),
        (['--frob'], 'unknown option "--frob"'),
        (['map', '--frob'], 'map: unknown option "--frob"'),
        (['map', '--color=sometimes'], 'map: --color takes auto, always or never, not "sometimes"'),
        (['map', '--svg'], 'map: --svg needs a FILE'),
        (['map', '--svg='], 'map: --svg needs a FILE'),
        (['map', 'extra'], 'map: unexpected argument "extra"'),
        (['info', 'extra'], 'info: unexpected argument "extra"'),
        (['stats', '--color'], 'stats: unknown option "--color"'),
        (['pages', '--svg', 'x'], 'pages: unknown option "--svg"'),
        (['run', 'a', 'b'], 'run: unexpected argument "b"'),
        (['help', 'frob'], 'help: unknown command "frob"'),
        (['help', 'map', 'run'], 'help: too many arguments'),
    ]
    for args, msg in cases:
        rc, out, err = run(args)
        err = err.decode()
        check(rc == 2 and not out and err.startswith('pgclassctl: ' + msg) and
              'usage:' in err,
              'pgclassctl %s: status 2, stderr says %s' %
              (' '.join(args) or '(no arguments)', msg),
              (rc, out, err))


# --- plain and coloured map ---------------------------------------------

def test_plain():
    d = os.path.join(DATA, 'lab-example1')
    for what in ('map', 'pages', 'blocks', 'classes', 'cpus'):
        rc, out, err = run([what], PGCLASS_DEBUGFS=d)
        check(rc == 0 and out == data('lab-example1', what) and not err,
              '%s: the debugfs file, byte for byte' % what, (rc, err))
    plain = data('lab-example1', 'map')
    for args, kw in ((['--color=never'], {}), (['--color=auto'], {}),
                     (['--color=never'], {'NO_COLOR': ''})):
        rc, out, _ = run(['map'] + args, PGCLASS_DEBUGFS=d, **kw)
        check(rc == 0 and out == plain,
              'map %s%s to a pipe: plain' %
              (' '.join(args), ' NO_COLOR=' if kw else ''))
    rc, out, err = run(['map'], PGCLASS_DEBUGFS='/nonexistent/pgclass')
    check(rc == 1 and not out and '/nonexistent/pgclass/map' in err.decode(),
          'map without debugfs: the path on stderr, status 1', err)


def xterm_rgb(idx):
    if idx >= 232:
        v = 8 + 10 * (idx - 232)
        return (v, v, v)
    idx -= 16
    lv = [0, 95, 135, 175, 215, 255]
    return (lv[idx // 36], lv[idx // 6 % 6], lv[idx % 6])


def color_of(text, sym):
    """The xterm background of the first map line character @sym."""
    for line in text.split('\n')[1:]:
        for m in re.finditer(r'\x1b\[38;5;(\d+);48;5;(\d+)m([^\x1b]+)', line):
            if sym in m.group(3):
                return int(m.group(2))
    return None


def test_color():
    d = os.path.join(DATA, 'lab-realloc')
    plain = data('lab-realloc', 'map').decode()
    for args, kw in ((['--color=always'], {}), (['--color'], {}),
                     (['--color=always'], {'NO_COLOR': '1'})):
        rc, out, _ = run(['map'] + args, PGCLASS_DEBUGFS=d, **kw)
        out = out.decode()
        check(rc == 0 and '\x1b[' in out and ESC.sub('', out) == plain,
              'map %s%s: in colour, the same text under it' %
              (' '.join(args), ' NO_COLOR=1' if kw else ''))
    for kw, want, name in (({}, True, 'colour'),
                           ({'NO_COLOR': '1'}, False, 'plain with NO_COLOR=1'),
                           ({'NO_COLOR': ''}, True, 'colour with NO_COLOR empty'),
                           ({'TERM': 'dumb'}, False, 'plain with TERM=dumb')):
        rc, out = run_pty(['map'], PGCLASS_DEBUGFS=d, **kw)
        out = out.decode()
        ok = rc == 0 and (b'\x1b[' in out.encode()) == want
        ok = ok and ESC.sub('', out) == plain
        check(ok, 'map on a terminal: ' + name, out[:300])
    rc, out = run_pty(['map', '--color=never'], PGCLASS_DEBUGFS=d)
    check(rc == 0 and out.decode() == plain,
          'map --color=never on a terminal: plain')

    # A session's maps follow the same rule.
    fd, script = tempfile.mkstemp(suffix='.pgc')
    os.write(fd, b'map\n')
    os.close(fd)
    try:
        for kw, want, name in (({}, True, 'colour'),
                               ({'NO_COLOR': '1'}, False,
                                'plain with NO_COLOR=1'),
                               ({'TERM': 'dumb'}, False,
                                'plain with TERM=dumb')):
            rc, out = run_pty(['run', script], PGCLASS_DEV='/dev/null',
                              PGCLASS_DEBUGFS=d, **kw)
            out = out.decode()
            check(rc == 0 and ('\x1b[' in out) == want and
                  ESC.sub('', out) == '> map\n' + plain + 'ok\n',
                  'run on a terminal: ' + name, out[:300])
        rc, out, _ = run(['run', script], PGCLASS_DEV='/dev/null',
                         PGCLASS_DEBUGFS=d)
        check(rc == 0 and out.decode() == '> map\n' + plain + 'ok\n',
              'run to a pipe: plain')
    finally:
        os.unlink(script)


# --- SVG ----------------------------------------------------------------

def parse_pages(name):
    pages = []
    for line in data(name, 'pages').decode().splitlines()[1:]:
        idx, off, state, cls, used, total = line.split()
        pages.append(dict(idx=int(idx), off=int(off, 16), state=state,
                          cls=cls, used=used, total=total))
    return pages


def parse_blocks(name):
    """The blocks file: a header line, then one line per block."""
    blocks = {}
    for line in data(name, 'blocks').decode().splitlines()[1:]:
        w = line.split()
        blocks[int(w[0], 16)] = w
    return blocks


def svg_of(name, tmp):
    path = os.path.join(tmp, name + '.svg')
    rc, out, err = run(['map', '--svg', path],
                       PGCLASS_DEBUGFS=os.path.join(DATA, name))
    if rc or out or err:
        return None, (rc, out, err)
    try:
        return ET.parse(path).getroot(), None
    except ET.ParseError as e:
        return None, e


def classes(el):
    return el.get('class', '').split()


def title(el):
    t = el.find(NS + 'title')
    return t.text if t is not None else None


def css_fill(root, selector):
    style = root.find(NS + 'style').text
    m = re.search(re.escape(selector) + r'\{fill:(#[0-9a-f]{6})', style)
    return m.group(1) if m else None


def test_svg_lab(tmp):
    name = 'lab-realloc'
    root, err = svg_of(name, tmp)
    check(root is not None and root.tag == NS + 'svg' and
          root.get('version') == '1.1',
          'map --svg: an SVG 1.1 document that parses as XML', err)
    if root is None:
        return
    pages = parse_pages(name)
    blocks = parse_blocks(name)
    texts = [t.text or '' for t in root.iter(NS + 'text')]
    check('pgclass page map' in texts and
          any(t.startswith('128 pages of 4 KiB (512 KiB)') for t in texts),
          'svg: a title with the page size and number of pages', texts[:3])

    groups = [g for g in root.iter(NS + 'g') if 'page' in classes(g)]
    runs = [g for g in root.iter(NS + 'g') if 'run' in classes(g)]
    heads = [p for p in pages if p['state'] == 'head']
    single = [p for p in pages if p['state'] not in ('head', 'tail')]
    check(len(groups) == len(single),
          'svg: a cell per page (%d)' % len(single), len(groups))
    check(all(('0x%x' % p['off']) in title(g) and
              title(g).startswith('page %d ' % p['idx'])
              for g, p in zip(groups, single)),
          'svg: each cell titled with its page index and offset')
    check(len(runs) == len(heads) == 1 and
          len(runs[0].findall(NS + 'path[@class="seg"]')) == 1 and
          title(runs[0]).startswith('pages %d-%d ' %
                                    (heads[0]['idx'],
                                     heads[0]['idx'] + int(heads[0]['total']) - 1)),
          'svg: a multi-page block is one shape over its pages',
          [title(r) for r in runs])

    bad = []
    for g, p in zip(groups, single):
        if p['state'] != 'small':
            continue
        used = [r for r in g.iter(NS + 'rect') if 'used' in classes(r)]
        offs = sorted(int(title(r).split()[1], 16) for r in used)
        want = sorted(o for o in blocks
                      if p['off'] <= o < p['off'] + 4096)
        if len(used) != int(p['used']) or offs != want:
            bad.append((p['idx'], len(used), p['used'], offs, want))
    check(not bad, 'svg: a small page shows its used blocks, at their offsets',
          bad)
    bad = [(g, p) for g, p in zip(groups, single)
           if p['state'] == 'small' and int(p['total']) <= 64 and
           len([r for r in g.iter(NS + 'rect') if 'fb' in classes(r)]) !=
           int(p['total']) - int(p['used'])]
    check(not bad, 'svg: and its free blocks, outlined')

    legend = [g for g in root.iter(NS + 'g') if 'legend' in classes(g)]
    lt = [t.text for t in legend[0].iter(NS + 'text')] if legend else []
    check(lt[:8] == ['16 B', '32 B', '64 B', '128 B', '256 B', '512 B',
                     '1 KiB', '2 KiB'] and
          all(w in lt for w in ('whole page', 'multi-page block', 'metadata',
                                'free page', 'block used / free')),
          'svg: a legend of the classes, whole, multi-page, meta, free', lt)

    # The terminal's colours are the picture's.
    rc, out, _ = run(['map', '--color=always'],
                     PGCLASS_DEBUGFS=os.path.join(DATA, name))
    out = out.decode()
    bad = []
    for sym, sel in (('a', '.k0.used'), ('c', '.k2.used'), ('d', '.k3.used'),
                     ('g', '.k6.used'), ('H', '.seg,.cont'),
                     ('b', '.k1.used'), ('e', '.k4.used')):
        idx = color_of(out, sym)
        want = '#%02x%02x%02x' % xterm_rgb(idx) if idx else None
        if not want or css_fill(root, sel) != want:
            bad.append((sym, idx, want, css_fill(root, sel)))
    check(not bad, 'svg: each class in the colour the terminal map gives it',
          bad)


def test_svg_wrap(tmp):
    root, err = svg_of('wrap', tmp)
    check(root is not None, 'svg of wrap: parses', err)
    if root is None:
        return
    runs = [g for g in root.iter(NS + 'g') if 'run' in classes(g)]
    segs = [len(r.findall(NS + 'path[@class="seg"]')) for r in runs]
    conts = [len(r.findall(NS + 'path[@class="cont"]')) for r in runs]
    check([title(r).split()[1] for r in runs] == ['15-19', '20-39'] and
          segs == [2, 2] and conts == [2, 2],
          'svg: a block across row ends, one shape per row, joined by arrows',
          (segs, conts, [title(r) for r in runs]))
    used = [r for g in root.iter(NS + 'g') if 'page' in classes(g)
            for r in g.iter(NS + 'rect') if 'used' in classes(r)]
    want = sum(int(p['used']) for p in parse_pages('wrap')
               if p['state'] == 'small')
    check(len(used) == want == 5, 'svg: every used small block drawn',
          (len(used), want))


def test_svg_fold(tmp):
    root, err = svg_of('arena-1024', tmp)
    check(root is not None, 'svg of a 1024-page arena: parses', err)
    if root is None:
        return
    folds = [g for g in root.iter(NS + 'g') if 'fold' in classes(g)]
    groups = [g for g in root.iter(NS + 'g') if 'page' in classes(g)]
    check(len(folds) == 1 and title(folds[0]).startswith('pages 32-1023 ') and
          len(groups) < 40 and int(root.get('height')) < 600,
          'svg: rows of free pages folded into one band',
          ([title(f) for f in folds], len(groups), root.get('height')))


def test_svg_stdout():
    rc, out, err = run(['map', '--svg', '-'],
                       PGCLASS_DEBUGFS=os.path.join(DATA, 'lab-example1'))
    ok = rc == 0 and not err
    try:
        ET.fromstring(out)
    except ET.ParseError:
        ok = False
    check(ok, 'map --svg -: the picture on stdout', err)
    rc, out, err = run(['map', '--svg', '/nonexistent/x.svg'],
                       PGCLASS_DEBUGFS=os.path.join(DATA, 'lab-example1'))
    check(rc == 1 and b'/nonexistent/x.svg' in err,
          'map --svg into a missing directory: status 1, the path', err)
    tmp = tempfile.mkdtemp()
    try:
        with open(os.path.join(tmp, 'pages'), 'w') as f:
            f.write('index offset state\n0 0x0 meta\n')
        rc, out, err = run(['map', '--svg', os.path.join(tmp, 'x.svg')],
                           PGCLASS_DEBUGFS=tmp)
        check(rc == 1 and b'pages: line 2 is not in the pages format' in err,
              'map --svg of a pages file not in the format: status 1, the line',
              err)
        shutil.copy(os.path.join(DATA, 'lab-example1', 'pages'), tmp)
        rc, out, err = run(['map', '--svg', os.path.join(tmp, 'x.svg')],
                           PGCLASS_DEBUGFS=tmp)
        text = open(os.path.join(tmp, 'x.svg')).read() if rc == 0 else ''
        check(rc == 0 and 'no blocks file' in text,
              'map --svg without a blocks file: drawn, and says so')
    finally:
        shutil.rmtree(tmp)


# --- a session's pictures -----------------------------------------------

def test_session(tmp):
    d = os.path.join(DATA, 'lab-example1')
    plain = data('lab-example1', 'map')
    svgdir = os.path.join(tmp, 'maps')
    os.mkdir(svgdir)
    one = os.path.join(tmp, 'one.svg')
    script = ('## Example 1: allocate\nmap\n## Example 2 <&>\n'
              'map --svg %s\nmap\n' % one).encode()
    rc, out, err = run(['run'], stdin=script, PGCLASS_DEV='/dev/null',
                       PGCLASS_DEBUGFS=d, PGCLASS_SVG_DIR=svgdir)
    want = (b'## Example 1: allocate\n> map\n' + plain + b'ok\n'
            b'\n## Example 2 <&>\n> map --svg ' + one.encode() + b'\nok ' +
            one.encode() + b'\n> map\n' + plain + b'ok\n')
    check(rc == 0 and out == want and not err,
          'run with PGCLASS_SVG_DIR: the output unchanged', (rc, out, err))
    files = sorted(os.listdir(svgdir))
    check(files == ['01-map.svg', '02-map.svg', '03-map.svg'] and
          os.path.exists(one),
          'run: every map drawn as NN-map.svg, map --svg into its FILE',
          files)
    caps = []
    for f in files + [one]:
        try:
            root = ET.parse(os.path.join(svgdir, f)).getroot()
            caps.append([t.text for t in root.iter(NS + 'text')
                         if 'cap' in classes(t)])
        except (ET.ParseError, OSError) as e:
            caps.append(str(e))
    check(caps == [['Example 1: allocate'], ['Example 2 <&>'],
                   ['Example 2 <&>'], ['Example 2 <&>']],
          'run: each picture captioned with the heading above it', caps)

    rc, out, err = run(['run', '--color=always'], stdin=b'map\n',
                       PGCLASS_DEV='/dev/null', PGCLASS_DEBUGFS=d)
    check(rc == 0 and b'\x1b[' in out and
          ESC.sub('', out.decode()) == '> map\n' + plain.decode() + 'ok\n',
          'run --color=always: the map in colour')
    rc, out, err = run(['run'], stdin=b'map\n', PGCLASS_DEV='/dev/null',
                       PGCLASS_DEBUGFS=d,
                       PGCLASS_SVG_DIR=os.path.join(tmp, 'missing'))
    check(rc == 1 and b'error: line 1: map: ENOENT (cannot draw' in out,
          'run: a picture that cannot be written is an error line, status 1',
          out)
    rc, out, err = run(['run', os.path.join(tmp, 'no.pgc')],
                       PGCLASS_DEV='/dev/null')
    check(rc == 2 and b'no.pgc' in err, 'run of a missing FILE: status 2')
    rc, out, err = run(['run'], stdin=b'', PGCLASS_DEV='/nonexistent/dev')
    check(rc == 2 and b'/nonexistent/dev' in err,
          'run without the device: status 2')


def main():
    print('TAP version 13')
    tmp = tempfile.mkdtemp()
    try:
        test_help()
        test_usage_errors()
        test_plain()
        test_color()
        test_svg_lab(tmp)
        test_svg_wrap(tmp)
        test_svg_fold(tmp)
        test_svg_stdout()
        test_session(tmp)
    finally:
        shutil.rmtree(tmp)
    print('1..%d' % len(results))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
