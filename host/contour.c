/*
 * Marching squares: iso-lines of a sampled field, as segments and as
 * chained polylines.
 *
 * Grid: rows x cols values, row-major; value (r, c) sits at x = c, y = r.
 * Cell (r, c) has corners 0 = (r, c), 1 = (r, c+1), 2 = (r+1, c+1),
 * 3 = (r+1, c) and edges 0 = bottom (corners 0-1), 1 = right (1-2),
 * 2 = top (3-2), 3 = left (0-3).
 *
 * Every crossing is computed from its edge alone (always from the edge's
 * lower-index end), so the two cells sharing an edge produce bit-identical
 * points, and polylines are chained by edge identity rather than by
 * comparing coordinates.
 */
#include "plot.h"
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An edge of the grid: horizontal from (r, c) to (r, c+1), or vertical from
 * (r, c) to (r+1, c). id = 2 (r cols + c) + vertical: unique per edge. */
typedef struct {
    size_t r, c;
    int vertical;
} grid_edge;

typedef struct {
    uint64_t edge[2]; /* edge ids of the two ends */
} edge_segment;

/* Edge pairs of the 16 corner cases (bit k set: corner k is inside); -1
 * ends a list. Cases 5 and 10 (saddles) are resolved separately. */
static const signed char case_edges[16][5] = {
    {-1, -1, -1, -1, -1}, {0, 3, -1, -1, -1}, {0, 1, -1, -1, -1},
    {3, 1, -1, -1, -1},   {1, 2, -1, -1, -1}, {-1, -1, -1, -1, -1},
    {0, 2, -1, -1, -1},   {3, 2, -1, -1, -1}, {3, 2, -1, -1, -1},
    {0, 2, -1, -1, -1},   {-1, -1, -1, -1, -1}, {1, 2, -1, -1, -1},
    {3, 1, -1, -1, -1},   {0, 1, -1, -1, -1}, {0, 3, -1, -1, -1},
    {-1, -1, -1, -1, -1}};

static grid_edge cell_edge(size_t r, size_t c, int which)
{
    switch (which) {
    case 0: return (grid_edge){r, c, 0};
    case 1: return (grid_edge){r, c + 1, 1};
    case 2: return (grid_edge){r + 1, c, 0};
    default: return (grid_edge){r, c, 1};
    }
}

static uint64_t edge_id(grid_edge e, size_t cols)
{
    return 2 * ((uint64_t)e.r * cols + e.c) + (uint64_t)e.vertical;
}

static grid_edge edge_of_id(uint64_t id, size_t cols)
{
    uint64_t cell = id / 2;
    return (grid_edge){(size_t)(cell / cols), (size_t)(cell % cols),
                       (int)(id % 2)};
}

/* Where the level crosses the edge, by linear interpolation from its
 * lower-index end. */
static sg_point2 crossing(const double *v, size_t cols, grid_edge e,
                          double level)
{
    size_t i0 = e.r * cols + e.c;
    size_t i1 = e.vertical ? i0 + cols : i0 + 1;
    double t = (level - v[i0]) / (v[i1] - v[i0]);
    if (!(t >= 0.0)) /* also NaN: equal corners never reach here */
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    return e.vertical ? (sg_point2){(double)e.c, (double)e.r + t}
                      : (sg_point2){(double)e.c + t, (double)e.r};
}

/* The cell's corner case and, for saddles, its two edge pairs. Returns the
 * number of segments (0, 1 or 2) written as edge pairs into pairs[4]. */
static int cell_pairs(const double *v, size_t cols, size_t r, size_t c,
                      double level, int pairs[4])
{
    double q[4] = {v[r * cols + c], v[r * cols + c + 1],
                   v[(r + 1) * cols + c + 1], v[(r + 1) * cols + c]};
    int index = 0;
    for (int k = 0; k < 4; k++) {
        if (!isfinite(q[k]))
            return 0;
        index |= (q[k] >= level) << k;
    }
    if (index == 5 || index == 10) {
        /* Centre inside: the inside corners connect through it, so the
         * lines cut off the two outside corners (and vice versa). */
        int centre_in = (q[0] + q[1] + q[2] + q[3]) / 4.0 >= level;
        int cut_odd = (index == 5) == centre_in; /* cut corners 1 and 3 */
        static const int around[4][2] = {{0, 3}, {0, 1}, {1, 2}, {3, 2}};
        int a = cut_odd ? 1 : 0, b = cut_odd ? 3 : 2;
        pairs[0] = around[a][0];
        pairs[1] = around[a][1];
        pairs[2] = around[b][0];
        pairs[3] = around[b][1];
        return 2;
    }
    if (case_edges[index][0] < 0)
        return 0;
    pairs[0] = case_edges[index][0];
    pairs[1] = case_edges[index][1];
    return 1;
}

static sg_status check_grid(const double *values, size_t rows, size_t cols,
                            double level, sg_error *err)
{
    if (!values || rows < 2 || cols < 2)
        return sg_fail(err, SG_ERR_INPUT,
                       "contour: the grid needs at least 2 x 2 values "
                       "(got %zu x %zu)", rows, cols);
    if (rows > SIZE_MAX / 4 / cols)
        return sg_fail(err, SG_ERR_INPUT, "contour: grid of %zu x %zu values "
                       "is too large", rows, cols);
    if (!isfinite(level))
        return sg_fail(err, SG_ERR_INPUT, "contour: level is not finite");
    return SG_OK;
}

/* All segments as edge pairs; *out (free()) may be NULL when none. */
static sg_status trace_edges(const double *v, size_t rows, size_t cols,
                             double level, edge_segment **out, size_t *count,
                             sg_error *err)
{
    size_t n = 0, cap = 0;
    edge_segment *segs = NULL;
    for (size_t r = 0; r + 1 < rows; r++)
        for (size_t c = 0; c + 1 < cols; c++) {
            int pairs[4];
            int k = cell_pairs(v, cols, r, c, level, pairs);
            for (int s = 0; s < k; s++) {
                if (n == cap) {
                    size_t grown = cap ? 2 * cap : 256;
                    edge_segment *p = realloc(segs, grown * sizeof *p);
                    if (!p) {
                        free(segs);
                        return sg_fail(err, SG_ERR_RUNTIME,
                                       "contour: out of memory");
                    }
                    segs = p;
                    cap = grown;
                }
                segs[n].edge[0] = edge_id(cell_edge(r, c, pairs[2 * s]), cols);
                segs[n].edge[1] =
                    edge_id(cell_edge(r, c, pairs[2 * s + 1]), cols);
                n++;
            }
        }
    *out = segs;
    *count = n;
    return SG_OK;
}

sg_status sg_contour_segments(const double *values, size_t rows, size_t cols,
                              double level, sg_segment **out, size_t *count,
                              sg_error *err)
{
    *out = NULL;
    *count = 0;
    SG_TRY(check_grid(values, rows, cols, level, err));
    edge_segment *segs;
    size_t n;
    SG_TRY(trace_edges(values, rows, cols, level, &segs, &n, err));
    if (n == 0)
        return SG_OK;
    sg_segment *result = malloc(n * sizeof *result);
    if (!result) {
        free(segs);
        return sg_fail(err, SG_ERR_RUNTIME, "contour: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        result[i].a =
            crossing(values, cols, edge_of_id(segs[i].edge[0], cols), level);
        result[i].b =
            crossing(values, cols, edge_of_id(segs[i].edge[1], cols), level);
    }
    free(segs);
    *out = result;
    *count = n;
    return SG_OK;
}

/* ------------------------------------------------------------- chaining */

/* One end of a segment: 2 * segment + end, keyed by its edge. */
typedef struct {
    uint64_t edge;
    size_t end;
} segment_end;

static int compare_ends(const void *a, const void *b)
{
    const segment_end *x = a, *y = b;
    if (x->edge != y->edge)
        return x->edge < y->edge ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* partner[e] = the other segment end on the same edge, or SIZE_MAX. Each
 * crossed edge belongs to at most two cells, each contributing one end. */
static sg_status link_ends(const edge_segment *segs, size_t n,
                           size_t *partner, sg_error *err)
{
    segment_end *ends = malloc(2 * n * sizeof *ends);
    if (!ends)
        return sg_fail(err, SG_ERR_RUNTIME, "contour: out of memory");
    for (size_t i = 0; i < 2 * n; i++) {
        ends[i] = (segment_end){segs[i / 2].edge[i % 2], i};
        partner[i] = SIZE_MAX;
    }
    qsort(ends, 2 * n, sizeof *ends, compare_ends);
    for (size_t i = 0; i + 1 < 2 * n; i++)
        if (ends[i].edge == ends[i + 1].edge) {
            partner[ends[i].end] = ends[i + 1].end;
            partner[ends[i + 1].end] = ends[i].end;
            i++;
        }
    free(ends);
    return SG_OK;
}

typedef struct {
    const double *values;
    size_t cols;
    double level;
    const edge_segment *segs;
    const size_t *partner;
    unsigned char *used;
    sg_contour *out;
} chain_state;

static void append_point(chain_state *s, uint64_t edge)
{
    s->out->points[s->out->n_points++] =
        crossing(s->values, s->cols, edge_of_id(edge, s->cols), s->level);
}

/* Walks from segment end `start` (the line's first point) along partners
 * until an open end or a segment already used. */
static void walk(chain_state *s, size_t start)
{
    sg_contour *o = s->out;
    o->starts[o->n_lines] = o->n_points;
    append_point(s, s->segs[start / 2].edge[start % 2]);
    size_t at = start;
    for (;;) {
        size_t seg = at / 2, other = at ^ 1;
        s->used[seg] = 1;
        append_point(s, s->segs[seg].edge[other % 2]);
        size_t next = s->partner[other];
        if (next == SIZE_MAX || s->used[next / 2])
            break;
        at = next;
    }
    o->n_lines++;
}

static sg_status chain(chain_state *s, size_t n, sg_error *err)
{
    sg_contour *o = s->out;
    /* A line has at most n + 1 points plus its repeated first; n lines at
     * most: n + n points bounds every arrangement. */
    o->points = malloc(2 * n * sizeof *o->points);
    o->starts = malloc((n + 1) * sizeof *o->starts);
    if (!o->points || !o->starts)
        return sg_fail(err, SG_ERR_RUNTIME, "contour: out of memory");
    /* Open lines first, from their free ends, then the closed loops. */
    for (size_t e = 0; e < 2 * n; e++)
        if (s->partner[e] == SIZE_MAX && !s->used[e / 2])
            walk(s, e);
    for (size_t seg = 0; seg < n; seg++)
        if (!s->used[seg])
            walk(s, 2 * seg);
    o->starts[o->n_lines] = o->n_points;
    return SG_OK;
}

sg_status sg_contour_lines(const double *values, size_t rows, size_t cols,
                           double level, sg_contour *out, sg_error *err)
{
    memset(out, 0, sizeof *out);
    SG_TRY(check_grid(values, rows, cols, level, err));
    edge_segment *segs;
    size_t n;
    SG_TRY(trace_edges(values, rows, cols, level, &segs, &n, err));
    if (n == 0)
        return SG_OK;
    size_t *partner = malloc(2 * n * sizeof *partner);
    unsigned char *used = calloc(n, 1);
    sg_status st = SG_OK;
    if (!partner || !used)
        st = sg_fail(err, SG_ERR_RUNTIME, "contour: out of memory");
    if (st == SG_OK)
        st = link_ends(segs, n, partner, err);
    if (st == SG_OK) {
        chain_state s = {values, cols, level, segs, partner, used, out};
        st = chain(&s, n, err);
    }
    free(partner);
    free(used);
    free(segs);
    if (st != SG_OK)
        sg_contour_free(out);
    return st;
}

void sg_contour_free(sg_contour *contour)
{
    if (!contour)
        return;
    free(contour->points);
    free(contour->starts);
    memset(contour, 0, sizeof *contour);
}
