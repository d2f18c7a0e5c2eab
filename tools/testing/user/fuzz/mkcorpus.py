#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Writes the fuzzer's seed corpus (tools/testing/user/fuzz/corpus/), one
small input per scenario, in the input format fuzz.c describes.  The
output is deterministic: run it again after changing the format, and
commit the result.

  tools/testing/user/fuzz/mkcorpus.py [DIR]
"""
import os
import sys

MIN_SHIFT = 9
OPS = dict(alloc=0, aligned=1, free=2, realloc=3, realloc_null=4,
           realloc_zero=5, bad=6, usable=7, free_all=8, check=9, null=10,
           destroy=0xff)
BAD = dict(inside=0, freed=1, any=2, granule=3, page=4, outside=5, tail=6,
           empty=7)
EDGES = ['1', '15', '16', '17', 'p/4', 'p/2-1', 'p/2', 'p/2+1', 'p-1', 'p',
         'p+1', '2p', '2p+1', 'data-p', 'data', 'data+1']


def pool(shift, pages, partial=0, bad_shift=None):
    b0 = shift - MIN_SHIFT
    if bad_shift is not None:
        hi = bad_shift if bad_shift < 9 else bad_shift - 8
        b0 |= 8 | hi << 4
    return bytes([b0, pages, partial])


def size(rng, v=0):
    """rng 0..7 as op_size() reads them; v is the 13-bit value."""
    return bytes([rng | (v >> 8) << 3, v & 0xff])


def small(n):
    """n bytes, n <= 8 KiB and at most half a page: range 0 or 1."""
    if n <= 64:
        return size(0, n - 1)
    k = (n - 1).bit_length() - 4		# class of 16 << k bytes
    off = n - (8 << k) - 1
    assert 0 <= off < 512
    return size(1, k << 9 | off)


def edge(name):
    return size(2, EDGES.index(name))


def pages(n, extra=1):
    """n pages + extra bytes, -128 <= extra < 128: range 4."""
    return size(4, (n - 1) << 8 | (extra + 128))


def op(name, *args):
    return bytes([OPS[name]]) + b''.join(args)


def blk(i):
    return bytes([i])


def bad(kind, realloc=False, a=0, b=0, sz=None):
    k = BAD[kind] | (0x80 if realloc else 0)
    return op('bad', bytes([k, a & 0xff, b & 0xff, (b >> 8) & 0xff,
                            (b >> 32) & 0xff]), sz or small(100))


def seeds():
    # The lab's example at 4 KiB pages, then the 33-byte block freed.
    lab = pool(12, 64) + b''.join(op('alloc', small(n)) for n in
                                  (10, 33, 69, 100, 100, 100, 100, 100, 560))
    yield 'lab', lab + op('free', blk(1)) + op('check')

    # A block reallocated up and down across every kind, 512 B pages.
    yield 'realloc-classes', pool(9, 64) + op('alloc', small(10)) + b''.join(
        op('realloc', blk(0), s) for s in
        (small(33), small(200), edge('p/2+1'), edge('p'), edge('p+1'),
         pages(3), pages(2), edge('p'), small(16), edge('1'))) + \
        op('usable', blk(0)) + op('check')

    # Multi-page blocks grown and shrunk in place, 64 KiB pages.
    yield 'multi-in-place', pool(16, 16, partial=128) + \
        op('alloc', edge('p')) + op('realloc', blk(0), pages(4)) + \
        op('realloc', blk(0), edge('p+1')) + op('realloc', blk(0), edge('p')) + \
        op('alloc', pages(2)) + op('realloc', blk(0), pages(3)) + \
        op('free', blk(1)) + op('realloc', blk(0), pages(5, -1)) + op('check')

    # Every kind of bad pointer, freed and reallocated, 1 KiB pages.
    body = op('alloc', small(40)) + op('alloc', small(40)) + \
        op('alloc', edge('p')) + op('alloc', pages(3)) + \
        op('alloc', small(16)) + op('free', blk(4))
    for i, kind in enumerate(BAD):
        body += bad(kind, a=i, b=0x0100000013 * (i + 1))
        body += bad(kind, realloc=True, a=i + 1, b=0x0200000007 * (i + 1),
                    sz=edge('p+1'))
    yield 'bad-pointers', pool(10, 48) + body + op('check')

    # Exhaustion: the whole data area, nothing more, then all back.
    yield 'exhaustion', pool(13, 32) + op('alloc', edge('data')) + \
        op('alloc', edge('1')) + op('alloc', edge('data+1')) + \
        op('free_all') + b''.join(op('alloc', edge('p')) for _ in range(40)) + \
        op('realloc_zero', blk(3)) + op('free_all') + op('check')

    # Aligned allocations, good and bad alignments, 8 KiB pages.
    body = b''
    for a in (0, 3, 4, 7, 9, 13, 14, 15, 0x80, 0x83, 0x90):
        body += op('aligned', small(24), bytes([a]))
    yield 'aligned', pool(13, 16) + body + op('check')

    # Pools that must be refused: a bad page shift, then one page only.
    yield 'refused-pool', pool(11, 1, bad_shift=17) + op('alloc', edge('1'))
    yield 'bad-shift', pool(14, 8, bad_shift=3) + op('alloc', small(100))

    # free(NULL), then the pool destroyed with blocks still in it.
    yield 'destroy-leaks', pool(12, 8) + op('alloc', small(100)) + \
        op('null') + op('alloc', pages(2)) + op('destroy') + op('alloc', edge('1'))

    # Sizes past the data area and near SIZE_MAX; realloc(NULL), (p, 0).
    yield 'huge', pool(12, 16) + op('alloc', size(6, 1)) + \
        op('alloc', size(6, 8191)) + op('realloc_null', size(6, 5)) + \
        op('alloc', small(300)) + op('realloc', blk(0), size(6, 2)) + \
        op('realloc', blk(0), size(7)) + op('realloc_null', small(64)) + \
        op('realloc_zero', blk(0)) + op('alloc', size(7)) + op('check')

    # An out-of-band pool, its range mapped nowhere: each kind of block,
    # reallocs that cannot move (grows fail, shrinks stay), a bad pointer.
    yield 'out-of-band', pool(12, 32, partial=0xff) + \
        op('alloc', small(100)) + op('alloc', edge('p')) + \
        op('alloc', pages(3)) + op('realloc', blk(0), small(300)) + \
        op('realloc', blk(0), small(20)) + op('realloc', blk(2), small(10)) + \
        op('realloc', blk(1), pages(4)) + bad('inside', a=1, b=5) + \
        op('free_all') + op('check')

    # Free runs of 9 and 8 pages in one TLSF list, the 8 at its head: the
    # 9-page request only the last-resort scan finds (4 KiB pages).
    yield 'fit-scan', pool(12, 64) + op('alloc', pages(9, 0)) + \
        op('alloc', edge('p')) + op('alloc', pages(8, 0)) + \
        op('alloc', edge('p')) + op('alloc', pages(32, 0)) + \
        op('alloc', pages(12, 0)) + op('free', blk(0)) + \
        op('free', blk(2)) + op('alloc', pages(9, 0)) + op('check')

    # Random-ish churn of small blocks, 2 KiB pages.
    body = b''
    x = 12345
    for i in range(120):
        x = (x * 1103515245 + 12345) & 0x7fffffff
        body += bytes([x >> 16 & 0xff, x >> 8 & 0xff, x & 0xff])
    yield 'churn', pool(11, 40) + body


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


main()
