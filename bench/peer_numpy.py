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
import subprocess
import sys
import tempfile
import time

import numpy as np

BAND_EDGE_SLACK = 1e-6  # host/sweep.c
LN6 = 1.791759469228055  # kernels/point_math.h


def axis(lo, hi, count):
    """Log-spaced axis exactly as sg_axis_point computes it. The 1-D axes
    and terms use Python's math (the C library's exp and pow, as scalegrid
    does): numpy's own vectorised exp and power round differently in the
    last bit, and the peer must select the same points. The grid itself,
    where the time goes, is all numpy."""
    ln_lo = math.log(lo)
    step = (math.log(hi) - ln_lo) / (count - 1)
    logs = ln_lo + np.arange(count, dtype=np.float64) * step
    values = np.array([math.exp(x) for x in logs])
    values[0], values[-1] = lo, hi
    return values, logs


def power(values, exponent):
    return np.array([math.pow(x, exponent) for x in values])


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
