/*
 * Pictures of a sweep: iso-loss contours with the efficient frontier
 * (Chinchilla, Figure 4), the compute-optimal allocation against compute,
 * and several laws compared. Drawn with cairo, once per format: SVG, PNG,
 * PDF.
 *
 * Every function that writes files stages them under temporary names in
 * the output directory and renames them into place only after all were
 * written without error (as host/output.c does), so a failed run leaves no
 * file that looks complete.
 *
 * The contour lines are not drawn from a formula: the law is evaluated with
 * sg_law_loss on a dense grid in (log10 C, log10 N), D = C / (6 N), and the
 * lines are traced through that grid by marching squares
 * (sg_contour_lines, host/contour.c), which is exposed here for tests.
 */
#ifndef SG_PLOT_H
#define SG_PLOT_H

#include "scalegrid.h"

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- formats */

enum {
    SG_PLOT_SVG = 1u << 0,
    SG_PLOT_PNG = 1u << 1,
    SG_PLOT_PDF = 1u << 2,
    SG_PLOT_ALL_FORMATS = SG_PLOT_SVG | SG_PLOT_PNG | SG_PLOT_PDF
};

/* "svg,png,pdf" (any subset, any order, case-insensitive) or "all" into a
 * mask of SG_PLOT_*; SG_ERR_INPUT for an empty, unknown or repeated name. */
sg_status sg_plot_parse_formats(const char *text, unsigned *out,
                                sg_error *err);
/* File extension of one SG_PLOT_* bit ("svg"); NULL for anything else. */
const char *sg_plot_format_ext(unsigned format);

/* Canvas sizes. SVG and PDF are drawn in these units (SVG in px, PDF in
 * points); the PNG has exactly this many pixels. */
#define SG_PLOT_CONTOURS_WIDTH 1000
#define SG_PLOT_CONTOURS_HEIGHT 660
#define SG_PLOT_FRONTIER_WIDTH 1120
#define SG_PLOT_FRONTIER_HEIGHT 560
#define SG_PLOT_COMPARE_WIDTH 1120
#define SG_PLOT_COMPARE_HEIGHT 640

/* Resolution of the loss field the contour plot traces: rows along
 * log10 N, columns along log10 C. */
#define SG_PLOT_FIELD_ROWS 300
#define SG_PLOT_FIELD_COLS 300
/* At most this many iso-loss contours are drawn. */
#define SG_PLOT_MAX_CONTOURS 14

/* --------------------------------------------------------------- plots */

/* Writes in dir (created if missing), for each format in `formats`:
 *  - contours.<ext>: iso-loss contours of config->law in the plane of
 *    training compute C (x, log) and parameters N (y, log), coloured by
 *    loss, the sweep's efficient frontier (result->iso_loss), the closed-form
 *    frontier (dashed) and iso-FLOP lines at powers of ten;
 *  - frontier.<ext>: N_opt and D_opt against compute (result->iso_flops,
 *    closed forms dashed) and tokens per parameter against compute, with the
 *    20-tokens-per-parameter rule and Kaplan's overfitting threshold.
 * `result` must come from sg_sweep_run(config). SG_ERR_INPUT for a bad
 * format mask or directory, SG_ERR_RUNTIME for drawing or I/O failures. */
sg_status sg_plot_sweep(const char *dir, const sg_sweep_config *config,
                        const sg_sweep_result *result, unsigned formats,
                        sg_error *err);

/* Removes from dir the sweep plots (contours.<ext>, frontier.<ext>) of
 * the formats not in `drawn` (0: all of them), left by an earlier run: a
 * plot next to tables it was not drawn from would look like theirs.
 * SG_ERR_RUNTIME when one exists and cannot be removed. */
sg_status sg_plot_remove_stale(const char *dir, unsigned drawn,
                               sg_error *err);

/* At most this many laws in one comparison (one colour each). */
#define SG_PLOT_MAX_LAWS 8

/* Writes compare.<ext> in dir: the closed-form compute-optimal N, D and
 * tokens per parameter of each law (sg_optimal_for_flops) at each budget
 * (FLOPs, positive, at least two distinct, any order), one colour per law,
 * 1 to SG_PLOT_MAX_LAWS laws. */
sg_status sg_plot_compare(const char *dir, const sg_law *laws, size_t n_laws,
                          const double *budgets, size_t n_budgets,
                          unsigned formats, sg_error *err);

/* Frees the font caches cairo and fontconfig keep for the life of the
 * process, so leak checkers (valgrind, LeakSanitizer) see only scalegrid's
 * own memory. Call once, at exit, after the last plot. */
void sg_plot_release_caches(void);

/* ----------------------------------------------- the contour plot's data */

/* L(N, D = C / (6 N)) on a grid: row r is log10 N = log_params_lo + r *
 * (log_params_hi - log_params_lo) / (rows - 1), column c likewise in
 * log10 C. The law is evaluated at every point, also where D falls outside
 * the sweep's token axis (the two corner triangles of the (C, N) box, where
 * the sweep never looked): the plot clips its lines there, and
 * sg_loss_field_inside tells the two apart. */
typedef struct {
    size_t rows, cols;
    double log_flops_lo, log_flops_hi;   /* log10 FLOPs */
    double log_params_lo, log_params_hi; /* log10 parameters */
    double log_tokens_lo, log_tokens_hi; /* log10 tokens: the sweep's axis */
    double *loss; /* rows * cols, row-major, nats/token; owned */
} sg_loss_field;

/* Evaluates config->law over the sweep's (C, N) range: C from
 * 6 N_lo D_lo to 6 N_hi D_hi, N over the params axis. rows, cols >= 2.
 * Free with sg_loss_field_free. */
sg_status sg_loss_field_build(const sg_sweep_config *config, size_t rows,
                              size_t cols, sg_loss_field *out, sg_error *err);
void sg_loss_field_free(sg_loss_field *field);

/* Log10 C and log10 N of a point of the field given in grid units (x =
 * fractional column, y = fractional row), as sg_contour_lines returns them. */
double sg_loss_field_log_flops(const sg_loss_field *field, double x);
double sg_loss_field_log_params(const sg_loss_field *field, double y);
/* Whether D = C / (6 N) at grid point (x, y) lies on the sweep's token axis
 * (within 1e-9 of a decade, for points on its border). */
int sg_loss_field_inside(const sg_loss_field *field, double x, double y);

/* The loss levels the contour plot draws, as indices into result->iso_loss
 * (each a non-empty row, so every drawn contour has a frontier point),
 * increasing in loss, at most `max`. They are spread evenly in log
 * reducible loss (L - floor) across the levels the sweep filled and lie
 * exactly on sweep levels. Returns how many were written. */
size_t sg_plot_contour_levels(const sg_sweep_config *config,
                              const sg_sweep_result *result,
                              uint32_t *indices, size_t max);

/* ------------------------------------------------------ marching squares */

/* A point in grid units: x = fractional column, y = fractional row. */
typedef struct {
    double x, y;
} sg_point2;

typedef struct {
    sg_point2 a, b;
} sg_segment;

/* Segments of the iso-line values == level through a rows x cols row-major
 * grid (value (r, c) at x = c, y = r). A corner counts as inside when
 * value >= level; a cell with a NaN or infinite corner yields nothing;
 * saddles are resolved by the mean of the cell's corners. Crossings are
 * interpolated linearly along cell edges, and a crossing shared by two
 * cells has bit-identical coordinates in both. On success *out (free())
 * holds *count segments (NULL when none). */
sg_status sg_contour_segments(const double *values, size_t rows, size_t cols,
                              double level, sg_segment **out, size_t *count,
                              sg_error *err);

/* The same segments chained into polylines: line i is points[starts[i]]
 * .. points[starts[i + 1] - 1]; a closed line repeats its first point at
 * its end. Open lines end at the grid's border or at non-finite values. */
typedef struct {
    sg_point2 *points;
    size_t n_points;
    size_t *starts; /* n_lines + 1 entries */
    size_t n_lines;
} sg_contour;

sg_status sg_contour_lines(const double *values, size_t rows, size_t cols,
                           double level, sg_contour *out, sg_error *err);
void sg_contour_free(sg_contour *contour);

#endif /* SG_PLOT_H */
