#!/usr/bin/env python3
"""The peer for `make bench`: the obvious vectorised numpy implementation of
scalegrid's sweep and reduction, on the same grid and levels.

For each chunk of rows it evaluates the Chinchilla law and C = 6ND on the
whole chunk x columns block, computes both band coordinates exactly as
kernels/point_math.h defines them (same operations in the same order, so the
same doubles), and reduces each band to its least (key, flat index) with a
lexicographic sort. Chunks keep memory bounded.

Before its time counts, its frontier is checked equal to scalegrid's: the
same grid point selected for every band of both frontiers, compared with the
`sweep.json` of a `scalegrid sweep --reproducible` run on the same grid.

    bench/peer_numpy.py --scalegrid ./scalegrid --side 4096 --levels 1024
Prints one JSON object: {"peer": "numpy", "rows", "cols", "levels",
"points", "seconds", "points_per_second", "same_frontier"}.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

BAND_EDGE_SLACK = 1e-6  # host/sweep.c
LN6 = 1.791759469228055  # kernels/point_math.h


# kernels/sg_math.h, operation for operation in Python floats (IEEE
# doubles): scalegrid's per-point exp, log and pow are its own, not the C
# library's, so the peer computes the 1-D axes and terms with the same
# arithmetic to select the same points. Only O(rows + cols) values: the
# grid itself, where the time goes, is all numpy.
LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
INV_LN2, EXP_MAGIC = 1.44269504088896338700e+00, 4503599627371519.0


def bits_of(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def double_of(u):
    return struct.unpack("<d", struct.pack("<Q", u & (2**64 - 1)))[0]


def pow2i(k):
    return double_of(bits_of(k + EXP_MAGIC) << 52)


def sg_exp(x):
    P1, P2 = 1.66666666666666019037e-01, -2.77777777770155933842e-03
    P3, P4 = 6.61375632143793436117e-05, -1.65339022054652515390e-06
    P5 = 4.13813679705723846039e-08
    xc = -1100.0 if x < -1100.0 else 1100.0 if x > 1100.0 else x
    k = float(math.floor(xc * INV_LN2 + 0.5))
    hi = xc - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    k1 = float(math.floor(k * 0.5))
    return y * pow2i(k1) * pow2i(k - k1)


def sg_log(x):
    Lg = (6.666666666666735130e-01, 3.999999999940941908e-01,
          2.857142874366239149e-01, 2.222219843214978396e-01,
          1.818357216161805012e-01, 1.531383769920937332e-01,
          1.479819860511658591e-01)
    subnormal = x < 2.2250738585072014e-308
    xs = x * 18014398509481984.0 if subnormal else x
    b = bits_of(xs)
    k = (double_of((b >> 52) | 0x4330000000000000) - 4503599627370496.0
         - 1023.0 - (54.0 if subnormal else 0.0))
    m = double_of((b & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    if m > 1.4142135623730951:
        m, k = m * 0.5, k + 1.0
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (Lg[1] + w * (Lg[3] + w * Lg[5]))
    t2 = z * (Lg[0] + w * (Lg[2] + w * (Lg[4] + w * Lg[6])))
    R = t2 + t1
    hfsq = 0.5 * f * f
    return k * LN2_HI - ((hfsq - (s * (hfsq + R) + k * LN2_LO)) - f)


def sg_pow(x, y):
    return sg_exp(y * sg_log(x))


def axis(lo, hi, count):
    """Log-spaced axis exactly as sg_axis_point computes it."""
    ln_lo = math.log(lo)
    step = (math.log(hi) - ln_lo) / (count - 1)
    logs = ln_lo + np.arange(count, dtype=np.float64) * step
    values = np.array([sg_exp(float(x)) for x in logs])
    values[0], values[-1] = lo, hi
    return values, logs


def power(values, exponent):
    return np.array([sg_pow(float(x), exponent) for x in values])


def band_of(s, count):
    """sg_band_of: band index, -1 above the top, count below the lowest."""
    out = np.full(s.shape, -1, dtype=np.int64)
    ok = s >= 0
    below = s >= count
    inside = ok & ~below
    out[inside] = count - 1 - np.floor(s[inside]).astype(np.int64)
    out[below] = count
    return out


def reduce_min(band, key, index, nbins, best_key, best_index):
    """Least (key, index) per band, merged into best_* (the numpy way: one
    lexicographic sort, first entry of each band)."""
    keep = (band >= 0) & (band < nbins)
    band, key, index = band[keep], key[keep], index[keep]
    if band.size == 0:
        return
    order = np.lexsort((index, key, band))
    band, key, index = band[order], key[order], index[order]
    first = np.ones(band.size, dtype=bool)
    first[1:] = band[1:] != band[:-1]
    b, k, i = band[first], key[first], index[first]
    better = (k < best_key[b]) | ((k == best_key[b]) & (i < best_index[b]))
    best_key[b[better]] = k[better]
    best_index[b[better]] = i[better]


def sweep(law, n_lo, n_hi, rows, d_lo, d_hi, cols, loss_count, flops_count,
          chunk_points=1 << 22):
    E, A, B, alpha, beta = law
    N, lnN = axis(n_lo, n_hi, rows)
    D, lnD = axis(d_lo, d_hi, cols)
    r = E + A * power(N, -alpha)     # sg_row_term
    c = B * power(D, -beta)          # sg_col_term
    # Loss levels span the grid (the ends combine the extreme terms).
    l_lo, l_hi = r.min() + c.min(), r.max() + c.max()
    w = (l_hi - l_lo) / (loss_count - 1)
    top, inv = l_hi + BAND_EDGE_SLACK * w, 1.0 / w
    u, v = (top - r) * inv, c * inv  # sg_loss_band_row / _col
    c_lo, c_hi = (6.0 * n_lo) * d_lo, (6.0 * n_hi) * d_hi
    wc = (math.log(c_hi) - math.log(c_lo)) / (flops_count - 1)
    ln_top, inv_c = math.log(c_hi) + BAND_EDGE_SLACK * wc, 1.0 / wc
    a = (ln_top - LN6 - lnN) * inv_c  # sg_flops_band_row
    e = lnD * inv_c                   # sg_flops_band_col
    six_n = 6.0 * N

    loss_key = np.full(loss_count + 1, np.inf)
    loss_index = np.full(loss_count + 1, np.iinfo(np.int64).max)
    flops_key = np.full(flops_count, np.inf)
    flops_index = np.full(flops_count, np.iinfo(np.int64).max)
    step = max(1, chunk_points // cols)
    for i0 in range(0, rows, step):
        i1 = min(rows, i0 + step)
        idx = (np.arange(i0, i1, dtype=np.int64)[:, None] * cols
               + np.arange(cols, dtype=np.int64)[None, :]).ravel()
        loss = (r[i0:i1, None] + c[None, :]).ravel()
        flops = (six_n[i0:i1, None] * D[None, :]).ravel()
        s = (u[i0:i1, None] - v[None, :]).ravel()
        reduce_min(band_of(s, loss_count), flops, idx, loss_count + 1,
                   loss_key, loss_index)
        sc = (a[i0:i1, None] - e[None, :]).ravel()
        finite = loss < np.inf
        reduce_min(np.where(finite, band_of(sc, flops_count), -1), loss, idx,
                   flops_count, flops_key, flops_index)
    return (N, D, loss_index[:loss_count], flops_index)


def scalegrid_frontier(exe, n, d, side, levels, flops_levels):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([exe, "sweep", "--params", f"{n[0]}:{n[1]}:{side}",
                        "--tokens", f"{d[0]}:{d[1]}:{side}",
                        "--loss-levels", str(levels),
                        "--flops-levels", str(flops_levels),
                        "--reproducible", "--quiet", "--no-plot",
                        "--out", out], check=True)
        with open(os.path.join(out, "sweep.json")) as f:
            return json.load(f)


def same(ours, N, D, index, cols):
    for row, k in zip(ours, index):
        if row["params"] is None:
            if k != np.iinfo(np.int64).max:
                return False
            continue
        if k == np.iinfo(np.int64).max:
            return False
        if row["params"] != N[k // cols] or row["tokens"] != D[k % cols]:
            return False
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scalegrid", default="./scalegrid")
    p.add_argument("--side", type=int, default=4096)
    p.add_argument("--levels", type=int, default=1024)
    p.add_argument("--flops-levels", type=int, default=256)
    args = p.parse_args()
    law = (1.69, 406.4, 410.7, 0.34, 0.28)  # chinchilla, as printed
    n, d = (1e7, 1e13), (1e8, 1e14)
    ours = scalegrid_frontier(args.scalegrid, n, d, args.side, args.levels,
                              args.flops_levels)
    t0 = time.perf_counter()
    N, D, loss_index, flops_index = sweep(law, n[0], n[1], args.side, d[0],
                                          d[1], args.side, args.levels,
                                          args.flops_levels)
    seconds = time.perf_counter() - t0
    equal = (same(ours["iso_loss"], N, D, loss_index, args.side)
             and same(ours["iso_flops"], N, D, flops_index, args.side))
    points = args.side * args.side
    print(json.dumps({"peer": "numpy " + np.__version__, "rows": args.side,
                      "cols": args.side, "levels": args.levels,
                      "points": points, "seconds": seconds,
                      "points_per_second": points / seconds,
                      "same_frontier": equal}))
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
