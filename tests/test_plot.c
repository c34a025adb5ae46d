/*
 * Plots: marching squares on fields with known contours, every plot in
 * every format (the SVG parses and renders to the expected size, the PNG
 * has it, nothing temporary is left, a failed run leaves no file), and the
 * contour plot's geometry: each drawn contour's least-FLOPs point lies on
 * the sweep's efficient frontier.
 *
 * The SVG checks run xmllint and rsvg-convert when they are installed
 * (Debian: libxml2-utils, librsvg2-bin) and say so when they are not.
 */
#include "test_util.h"
#include "file_util.h"

#include "plot.h"

#include <cairo.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- helpers */

/* Width and height from a PNG's IHDR chunk (big-endian, bytes 16..23);
 * 0 when the file is not a PNG. */
static int png_size(const char *path, uint32_t *width, uint32_t *height)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G',
                                               '\r', '\n', 0x1a, '\n'};
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(b, 1, sizeof b, f);
    fclose(f);
    if (got != sizeof b || memcmp(b, signature, 8) != 0 ||
        memcmp(b + 12, "IHDR", 4) != 0)
        return 0;
    *width = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 |
             (uint32_t)b[18] << 8 | b[19];
    *height = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 |
              (uint32_t)b[22] << 8 | b[23];
    return 1;
}

static void assert_png_size(const char *path, uint32_t width, uint32_t height)
{
    uint32_t w = 0, h = 0;
    if (!png_size(path, &w, &h))
        fail_msg("%s is not a PNG", path);
    if (w != width || h != height)
        fail_msg("%s is %u x %u, expected %u x %u", path, w, h, width,
                 height);
}

static int have_tool(const char *name)
{
    char command[128];
    snprintf(command, sizeof command, "command -v %s >/dev/null 2>&1", name);
    return system(command) == 0;
}

/* The default ranges (N 1e7..1e13, D 1e8..1e14) at a small resolution. */
static sg_sweep_config default_ranges(uint64_t points, uint32_t loss_levels)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = points;
    c.tokens.count = points;
    c.loss_levels.count = loss_levels;
    c.flops_levels.count = 48;
    return c;
}

/* ---------------------------------------------------- marching squares */

static void formats_parse_in_any_order_and_refuse_unknown_names(void **state)
{
    (void)state;
    unsigned mask = 0;
    sg_error err;
    assert_ok(sg_plot_parse_formats("svg,png,pdf", &mask, &err), err);
    assert_int_equal(mask, SG_PLOT_ALL_FORMATS);
    assert_ok(sg_plot_parse_formats("PDF,svg", &mask, &err), err);
    assert_int_equal(mask, SG_PLOT_PDF | SG_PLOT_SVG);
    assert_ok(sg_plot_parse_formats("all", &mask, &err), err);
    assert_int_equal(mask, SG_PLOT_ALL_FORMATS);
    assert_input_error(sg_plot_parse_formats("svg,jpg", &mask, &err), err,
                       "unknown format 'jpg'");
    assert_input_error(sg_plot_parse_formats("", &mask, &err), err, "empty");
    assert_input_error(sg_plot_parse_formats("svg,,png", &mask, &err), err,
                       "empty");
    assert_input_error(sg_plot_parse_formats("png,png", &mask, &err), err,
                       "twice");
    assert_string_equal(sg_plot_format_ext(SG_PLOT_PNG), "png");
    assert_null(sg_plot_format_ext(SG_PLOT_PNG | SG_PLOT_SVG));
}

/* distance from (cx, cy): the contour at level r is a circle of radius r */
static double *circle_field(size_t rows, size_t cols, double cx, double cy)
{
    double *v = malloc(rows * cols * sizeof *v);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            v[r * cols + c] = hypot((double)c - cx, (double)r - cy);
    return v;
}

static void circle_contour_has_the_right_radius(void **state)
{
    (void)state;
    const size_t rows = 81, cols = 101;
    const double cx = 50.3, cy = 40.7, radius = 30.0;
    double *v = circle_field(rows, cols, cx, cy);
    sg_contour line;
    sg_error err;
    assert_ok(sg_contour_lines(v, rows, cols, radius, &line, &err), err);
    assert_int_equal(line.n_lines, 1);
    size_t n = line.starts[1];
    assert_true(n > 100); /* one point per crossed edge, ~4 per unit of r */
    /* closed: the first point is repeated at the end */
    assert_true(line.points[0].x == line.points[n - 1].x &&
                line.points[0].y == line.points[n - 1].y);
    double area = 0;
    for (size_t i = 0; i < n; i++) {
        double d = hypot(line.points[i].x - cx, line.points[i].y - cy);
        /* linear interpolation of |p| along an edge at distance r: the
         * error is below 1 / (2 r) grid units */
        assert_true(fabs(d - radius) < 1.0 / (2 * radius));
        if (i + 1 < n)
            area += line.points[i].x * line.points[i + 1].y -
                    line.points[i + 1].x * line.points[i].y;
    }
    assert_rel(fabs(area) / 2, acos(-1.0) * radius * radius, 2e-3);
    sg_contour_free(&line);

    sg_segment *segs;
    size_t count;
    assert_ok(sg_contour_segments(v, rows, cols, radius, &segs, &count, &err),
              err);
    assert_int_equal(count, n - 1); /* the loop's segments, one each */
    for (size_t i = 0; i < count; i++) {
        assert_true(fabs(hypot(segs[i].a.x - cx, segs[i].a.y - cy) - radius) <
                    1.0 / (2 * radius));
        assert_true(fabs(hypot(segs[i].b.x - cx, segs[i].b.y - cy) - radius) <
                    1.0 / (2 * radius));
    }
    free(segs);
    free(v);
}

static void linear_field_gives_a_straight_line(void **state)
{
    (void)state;
    const size_t rows = 40, cols = 50;
    double *v = malloc(rows * cols * sizeof *v);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            v[r * cols + c] = 2.0 * (double)c + 3.0 * (double)r;
    sg_contour line;
    sg_error err;
    assert_ok(sg_contour_lines(v, rows, cols, 60.5, &line, &err), err);
    assert_int_equal(line.n_lines, 1);
    for (size_t i = 0; i < line.n_points; i++)
        assert_true(fabs(2 * line.points[i].x + 3 * line.points[i].y - 60.5) <
                    1e-12);
    /* open, from border to border: (30.25, 0) and (0, 20.1667) */
    sg_point2 a = line.points[0], b = line.points[line.n_points - 1];
    if (a.y > b.y) {
        sg_point2 t = a;
        a = b;
        b = t;
    }
    assert_rel(a.x, 30.25, 1e-12);
    assert_true(a.y == 0.0);
    assert_true(b.x == 0.0);
    assert_rel(b.y, 60.5 / 3, 1e-12);
    sg_contour_free(&line);

    /* A level outside the field's range has no contour. */
    assert_ok(sg_contour_lines(v, rows, cols, 1000, &line, &err), err);
    assert_int_equal(line.n_lines, 0);
    sg_contour_free(&line);
    free(v);
}

/* NaN corners stop a line (the cells around them draw nothing), two
 * separate hills give two loops, and a bad grid is refused. */
static void lines_stop_at_missing_values_and_loops_stay_separate(void **state)
{
    (void)state;
    const size_t rows = 40, cols = 50;
    double *v = malloc(rows * cols * sizeof *v);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            v[r * cols + c] = c == 25 ? NAN : (double)r;
    sg_contour line;
    sg_error err;
    assert_ok(sg_contour_lines(v, rows, cols, 10.5, &line, &err), err);
    assert_int_equal(line.n_lines, 2); /* y = 10.5, cut at column 25 */
    sg_contour_free(&line);

    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            v[r * cols + c] =
                fmin(hypot((double)c - 12, (double)r - 20),
                     hypot((double)c - 37, (double)r - 20));
    assert_ok(sg_contour_lines(v, rows, cols, 8, &line, &err), err);
    assert_int_equal(line.n_lines, 2);
    for (size_t i = 0; i < 2; i++) {
        sg_point2 first = line.points[line.starts[i]];
        sg_point2 last = line.points[line.starts[i + 1] - 1];
        assert_true(first.x == last.x && first.y == last.y);
    }
    sg_contour_free(&line);

    assert_input_error(sg_contour_lines(v, 1, cols, 8, &line, &err), err,
                       "at least 2 x 2");
    free(v);
}

/* ----------------------------------------------------------- rendering */

static void check_svg(const char *path, const char *scratch, uint32_t width,
                      uint32_t height)
{
    char command[1400];
    if (have_tool("xmllint")) {
        snprintf(command, sizeof command, "xmllint --noout '%s'", path);
        if (system(command) != 0)
            fail_msg("%s is not well-formed XML", path);
    } else {
        printf("skipped: xmllint not installed (Debian: libxml2-utils)\n");
    }
    if (!have_tool("rsvg-convert")) {
        printf("skipped: rsvg-convert not installed (Debian: librsvg2-bin), "
               "%s not rendered\n", path);
        return;
    }
    snprintf(command, sizeof command, "rsvg-convert -o '%s' '%s'", scratch,
             path);
    if (system(command) != 0)
        fail_msg("rsvg-convert could not render %s", path);
    assert_png_size(scratch, width, height);
    unlink(scratch);
}

static void check_pdf(const char *path)
{
    size_t n = 0;
    char *pdf = read_file(path, &n);
    assert_non_null(pdf);
    assert_true(n > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
    const char *tail = pdf + n - 7;
    assert_non_null(strstr(tail, "%%EOF"));
    free(pdf);
}

/* Checks <dir>/<name>.{svg,png,pdf}. */
static void check_plot(const char *dir, const char *scratch, const char *name,
                       uint32_t width, uint32_t height)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    assert_png_size(path, width, height);
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    check_svg(path, scratch, width, height);
    snprintf(path, sizeof path, "%s/%s.pdf", dir, name);
    check_pdf(path);
}

static void every_plot_renders_in_every_format(void **state)
{
    (void)state;
    char dir[] = "/tmp/scalegrid-plot-XXXXXX";
    char scratch_dir[] = "/tmp/scalegrid-plot-render-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_non_null(mkdtemp(scratch_dir));
    char scratch[600];
    snprintf(scratch, sizeof scratch, "%s/rendered.png", scratch_dir);

    sg_sweep_config c = default_ranges(200, 128);
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    assert_ok(sg_plot_sweep(dir, &c, &r, SG_PLOT_ALL_FORMATS, &err), err);
    sg_law laws[8];
    size_t n_laws = sg_law_preset_count();
    for (size_t i = 0; i < n_laws && i < 8; i++)
        laws[i] = test_preset_at(i);
    double budgets[40];
    for (int i = 0; i < 40; i++)
        budgets[39 - i] = pow(10.0, 18 + 8.0 * i / 39); /* any order */
    assert_ok(sg_plot_compare(dir, laws, n_laws, budgets, 40,
                              SG_PLOT_ALL_FORMATS, &err),
              err);
    assert_int_equal(count_entries(dir), 9); /* no temporaries left */

    check_plot(dir, scratch, "contours", SG_PLOT_CONTOURS_WIDTH,
               SG_PLOT_CONTOURS_HEIGHT);
    check_plot(dir, scratch, "frontier", SG_PLOT_FRONTIER_WIDTH,
               SG_PLOT_FRONTIER_HEIGHT);
    check_plot(dir, scratch, "compare", SG_PLOT_COMPARE_WIDTH,
               SG_PLOT_COMPARE_HEIGHT);

    /* One format only: just that file is (re)written. */
    remove_dir(dir);
    assert_ok(sg_plot_sweep(dir, &c, &r, SG_PLOT_PNG, &err), err);
    assert_int_equal(count_entries(dir), 2);
    sg_sweep_result_free(&r);
    remove_dir(dir);
    rmdir(scratch_dir);
}

/* A Kaplan-form law sweeps and plots too (its floor is 0, its parameters
 * non-embedding). */
static void kaplan_sweeps_plot_too(void **state)
{
    (void)state;
    char dir[] = "/tmp/scalegrid-plot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    sg_sweep_config c = default_ranges(120, 64);
    sg_error err;
    assert_ok(sg_law_preset("kaplan", &c.law, &err), err);
    sg_sweep_result r;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    assert_ok(sg_plot_sweep(dir, &c, &r, SG_PLOT_PNG | SG_PLOT_SVG, &err),
              err);
    assert_int_equal(count_entries(dir), 4);
    uint32_t levels[SG_PLOT_MAX_CONTOURS];
    assert_true(sg_plot_contour_levels(&c, &r, levels, SG_PLOT_MAX_CONTOURS) >=
                6);
    sg_sweep_result_free(&r);
    remove_dir(dir);
}

/* ------------------------------------------------------------ failures */

static void unwritable_directories_give_an_error_and_no_files(void **state)
{
    (void)state;
    sg_sweep_config c = default_ranges(64, 32);
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    assert_input_error(sg_plot_sweep("/proc/scalegrid-plot", &c, &r,
                                     SG_PLOT_ALL_FORMATS, &err),
                       err, "cannot create output directory");
    char file[] = "/tmp/scalegrid-plot-file-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    assert_input_error(
        sg_plot_sweep(file, &c, &r, SG_PLOT_ALL_FORMATS, &err), err,
        "not a directory");
    unlink(file);

    char dir[] = "/tmp/scalegrid-plot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_input_error(sg_plot_sweep(dir, &c, &r, 0, &err), err, "mask");
    assert_input_error(sg_plot_sweep(dir, &c, &r, 1u << 7, &err), err, "mask");
    if (geteuid() != 0) { /* root writes through permissions */
        chmod(dir, 0555);
        assert_input_error(
            sg_plot_sweep(dir, &c, &r, SG_PLOT_ALL_FORMATS, &err), err,
            "cannot write");
        chmod(dir, 0755);
    }
    assert_int_equal(count_entries(dir), 0);
    sg_sweep_result_free(&r);
    remove_dir(dir);
}

/* Writes that fail part-way (here: a 20 kB file size limit, which every
 * plot exceeds) leave neither the temporaries nor any finished file. */
static void a_write_failing_half_way_leaves_no_files(void **state)
{
    (void)state;
    sg_sweep_config c = default_ranges(64, 32);
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    char dir[] = "/tmp/scalegrid-plot-XXXXXX";
    assert_non_null(mkdtemp(dir));

    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 20000;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    sg_status st = sg_plot_sweep(dir, &c, &r, SG_PLOT_ALL_FORMATS, &err);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(st, SG_ERR_RUNTIME);
    assert_non_null(strstr(err.message, "contours"));
    assert_int_equal(count_entries(dir), 0);
    sg_sweep_result_free(&r);
    remove_dir(dir);
}

static void compare_refuses_bad_input(void **state)
{
    (void)state;
    sg_error err;
    const sg_law *law = sg_law_preset_at(0);
    double budgets[3] = {1e20, 1e21, -1};
    assert_input_error(sg_plot_compare("/tmp", law, 0, budgets, 2,
                                       SG_PLOT_PNG, &err),
                       err, "no laws");
    assert_input_error(sg_plot_compare("/tmp", law, 1, budgets, 1,
                                       SG_PLOT_PNG, &err),
                       err, "budgets");
    assert_input_error(sg_plot_compare("/tmp", law, 1, budgets, 3,
                                       SG_PLOT_PNG, &err),
                       err, "not positive");
    budgets[1] = 1e20;
    assert_input_error(sg_plot_compare("/tmp", law, 1, budgets, 2,
                                       SG_PLOT_PNG, &err),
                       err, "all equal");
    budgets[1] = 1e21;
    sg_law many[SG_PLOT_MAX_LAWS + 1];
    for (size_t i = 0; i <= SG_PLOT_MAX_LAWS; i++)
        many[i] = *law;
    assert_input_error(sg_plot_compare("/tmp", many, SG_PLOT_MAX_LAWS + 1,
                                       budgets, 2, SG_PLOT_PNG, &err),
                       err, "at most");
}

/* ------------------------------------------------------------- geometry */

/* The drawn part of a contour: its points inside the swept region. */
typedef struct {
    double log_flops, log_params;
} plane_point;

static size_t swept_points(const sg_loss_field *field, const sg_contour *line,
                           plane_point *out)
{
    size_t n = 0;
    for (size_t i = 0; i < line->n_points; i++) {
        sg_point2 p = line->points[i];
        if (!sg_loss_field_inside(field, p.x, p.y))
            continue;
        out[n++] = (plane_point){sg_loss_field_log_flops(field, p.x),
                                 sg_loss_field_log_params(field, p.y)};
    }
    return n;
}

/*
 * For each contour the plot draws (from the same field and levels), its
 * least-FLOPs point agrees with the sweep's frontier point of that level:
 *  - in FLOPs: the grid's point reaches the level, so it costs at least the
 *    contour's minimum, and at most one step of the sweep's grid in N and
 *    in D more (log C = log N + log D + log 6). Below: by a plot column at
 *    most, where the minimum sits on the grid's border and the drawn
 *    contour's last point inside stops within one cell of it.
 *  - in N: the contour is flat at its minimum (C grows with the square of
 *    the distance in log N), so the sweep's N is checked against the part
 *    of the contour within one grid step of its least FLOPs, widened by one
 *    plot row.
 * A neighbouring sweep level is more than ten grid steps away in FLOPs at
 * these settings, so the check tells levels apart.
 */
static void contour_minima_lie_on_the_frontier(void **state)
{
    (void)state;
    sg_sweep_config c = default_ranges(1024, 256);
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    sg_loss_field field;
    assert_ok(sg_loss_field_build(&c, SG_PLOT_FIELD_ROWS, SG_PLOT_FIELD_COLS,
                                  &field, &err),
              err);
    uint32_t levels[SG_PLOT_MAX_CONTOURS];
    size_t n_levels =
        sg_plot_contour_levels(&c, &r, levels, SG_PLOT_MAX_CONTOURS);
    assert_true(n_levels >= 10);

    double column = (field.log_flops_hi - field.log_flops_lo) /
                    (double)(field.cols - 1);
    double row_step = (field.log_params_hi - field.log_params_lo) /
                      (double)(field.rows - 1);
    double grid_step = log10(c.params.hi / c.params.lo) /
                           (double)(c.params.count - 1) +
                       log10(c.tokens.hi / c.tokens.lo) /
                           (double)(c.tokens.count - 1);
    plane_point *pts = malloc(4 * field.rows * field.cols * sizeof *pts);
    for (size_t k = 0; k < n_levels; k++) {
        const sg_frontier_row *row = &r.iso_loss[levels[k]];
        assert_false(row->empty);
        sg_contour line;
        assert_ok(sg_contour_lines(field.loss, field.rows, field.cols,
                                   row->level, &line, &err),
                  err);
        size_t n = swept_points(&field, &line, pts);
        assert_true(n > 0);
        double min_flops = INFINITY;
        for (size_t i = 0; i < n; i++)
            min_flops = fmin(min_flops, pts[i].log_flops);
        double lo_n = INFINITY, hi_n = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (pts[i].log_flops <= min_flops + grid_step) {
                lo_n = fmin(lo_n, pts[i].log_params);
                hi_n = fmax(hi_n, pts[i].log_params);
            }
        double sweep_flops = log10(row->flops);
        double sweep_params = log10(row->params);
        double above = sweep_flops - min_flops;
        if (above < -column || above > grid_step + 0.1 * column ||
            sweep_params < lo_n - row_step || sweep_params > hi_n + row_step)
            fail_msg("level %.5f: contour minimum at C = 10^%.4f (N from "
                     "10^%.4f to 10^%.4f), sweep's frontier point at C = "
                     "10^%.4f, N = 10^%.4f",
                     row->level, min_flops, lo_n, hi_n, sweep_flops,
                     sweep_params);
        sg_contour_free(&line);
    }
    free(pts);
    sg_loss_field_free(&field);
    sg_sweep_result_free(&r);
}

/* The contour plot's levels are sweep levels, increasing, spread across
 * the range the sweep filled. */
static void contour_levels_are_filled_sweep_levels(void **state)
{
    (void)state;
    sg_sweep_config c = default_ranges(200, 128);
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    uint32_t levels[SG_PLOT_MAX_CONTOURS];
    size_t n = sg_plot_contour_levels(&c, &r, levels, SG_PLOT_MAX_CONTOURS);
    assert_true(n >= 10 && n <= SG_PLOT_MAX_CONTOURS);
    for (size_t k = 0; k < n; k++) {
        assert_true(levels[k] < r.loss_levels.count);
        assert_false(r.iso_loss[levels[k]].empty);
        if (k > 0)
            assert_true(levels[k] > levels[k - 1]);
    }
    assert_int_equal(sg_plot_contour_levels(&c, &r, levels, 3), 3);
    sg_sweep_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_parse_in_any_order_and_refuse_unknown_names),
        cmocka_unit_test(circle_contour_has_the_right_radius),
        cmocka_unit_test(linear_field_gives_a_straight_line),
        cmocka_unit_test(lines_stop_at_missing_values_and_loops_stay_separate),
        cmocka_unit_test(every_plot_renders_in_every_format),
        cmocka_unit_test(kaplan_sweeps_plot_too),
        cmocka_unit_test(unwritable_directories_give_an_error_and_no_files),
        cmocka_unit_test(a_write_failing_half_way_leaves_no_files),
        cmocka_unit_test(compare_refuses_bad_input),
        cmocka_unit_test(contour_minima_lie_on_the_frontier),
        cmocka_unit_test(contour_levels_are_filled_sweep_levels),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    sg_plot_release_caches();
    return failed;
}
