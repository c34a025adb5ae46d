/*
 * Plots of a sweep with cairo: contours.<ext>, frontier.<ext>,
 * compare.<ext> in SVG, PNG and PDF.
 *
 * Each figure is prepared once (loss field, contour lines, frontier arrays,
 * closed forms) and then drawn by one function per figure onto whichever
 * cairo surface a format needs, so the three formats show the same picture.
 * All coordinates handed to the drawing helpers are log10 of the quantity
 * (FLOPs, parameters, tokens, tokens per parameter); canvas units are px
 * (SVG), points (PDF) or pixels (PNG), all the same number.
 *
 * Files are staged under temporary names in the output directory and
 * renamed only after every file of the call was written (see host/output.c).
 */
#include "plot.h"
#include "internal.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FONT_FAMILY "DejaVu Sans"
/* M_PI is not in strict C11. */
#define PI 3.14159265358979323846
/* Closed-form curves are sampled at this many log-spaced budgets. */
#define CLOSED_SAMPLES 241
/* Chinchilla's rule of thumb (Hoffmann et al. 2022). */
#define CHINCHILLA_TOKENS_PER_PARAM 20.0
/* At most this many tick labels per 100 px of axis. */
#define X_LABELS_PER_100PX 1.6
#define Y_LABELS_PER_100PX 2.4

/* ================================================================ formats */

static const struct {
    unsigned bit;
    const char *ext;
} format_table[] = {
    {SG_PLOT_SVG, "svg"}, {SG_PLOT_PNG, "png"}, {SG_PLOT_PDF, "pdf"}};
#define N_FORMATS (sizeof format_table / sizeof format_table[0])

const char *sg_plot_format_ext(unsigned format)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (format_table[i].bit == format)
            return format_table[i].ext;
    return NULL;
}

static sg_status parse_one_format(const char *name, size_t len,
                                  unsigned *mask, sg_error *err)
{
    if (len == 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "plot formats: empty name (expected e.g. svg,png,pdf)");
    unsigned bit = 0;
    if (len == 3 && strncasecmp(name, "all", 3) == 0)
        bit = SG_PLOT_ALL_FORMATS;
    for (size_t i = 0; i < N_FORMATS && !bit; i++)
        if (len == 3 && strncasecmp(name, format_table[i].ext, 3) == 0)
            bit = format_table[i].bit;
    if (!bit)
        return sg_fail(err, SG_ERR_INPUT,
                       "plot formats: unknown format '%.*s' (expected svg, "
                       "png, pdf or all)", (int)(len > 32 ? 32 : len), name);
    if (*mask & bit)
        return sg_fail(err, SG_ERR_INPUT,
                       "plot formats: '%.*s' is given twice", (int)len, name);
    *mask |= bit;
    return SG_OK;
}

sg_status sg_plot_parse_formats(const char *text, unsigned *out,
                                sg_error *err)
{
    if (!text)
        return sg_fail(err, SG_ERR_INPUT, "plot formats: none given");
    unsigned mask = 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        SG_TRY(parse_one_format(p, len, &mask, err));
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = mask;
    return SG_OK;
}

/* ============================================================ loss field */

sg_status sg_loss_field_build(const sg_sweep_config *config, size_t rows,
                              size_t cols, sg_loss_field *out, sg_error *err)
{
    memset(out, 0, sizeof *out);
    if (rows < 2 || cols < 2 || rows > 100000 || cols > 100000)
        return sg_fail(err, SG_ERR_INPUT,
                       "loss field: %zu x %zu points (2 to 100000 each)",
                       rows, cols);
    const sg_axis *n = &config->params, *d = &config->tokens;
    SG_TRY(sg_axis_validate(n, "params", err));
    SG_TRY(sg_axis_validate(d, "tokens", err));
    out->loss = malloc(rows * cols * sizeof *out->loss);
    if (!out->loss)
        return sg_fail(err, SG_ERR_RUNTIME, "loss field: out of memory");
    out->rows = rows;
    out->cols = cols;
    out->log_params_lo = log10(n->lo);
    out->log_params_hi = log10(n->hi);
    out->log_flops_lo = log10(sg_flops(n->lo, d->lo));
    out->log_flops_hi = log10(sg_flops(n->hi, d->hi));
    out->log_tokens_lo = log10(d->lo);
    out->log_tokens_hi = log10(d->hi);
    for (size_t r = 0; r < rows; r++) {
        double params = pow(10.0, sg_loss_field_log_params(out, (double)r));
        for (size_t c = 0; c < cols; c++) {
            double flops = pow(10.0, sg_loss_field_log_flops(out, (double)c));
            double tokens = flops / (SG_FLOPS_PER_PARAM_TOKEN * params);
            out->loss[r * cols + c] = sg_law_loss(&config->law, params, tokens);
        }
    }
    return SG_OK;
}

void sg_loss_field_free(sg_loss_field *field)
{
    if (!field)
        return;
    free(field->loss);
    memset(field, 0, sizeof *field);
}

double sg_loss_field_log_flops(const sg_loss_field *f, double x)
{
    return f->log_flops_lo +
           x * (f->log_flops_hi - f->log_flops_lo) / (double)(f->cols - 1);
}

double sg_loss_field_log_params(const sg_loss_field *f, double y)
{
    return f->log_params_lo +
           y * (f->log_params_hi - f->log_params_lo) / (double)(f->rows - 1);
}

int sg_loss_field_inside(const sg_loss_field *f, double x, double y)
{
    /* slack: points on the axis's own border, rounded in the last bits */
    const double slack = 1e-9;
    double log_tokens = sg_loss_field_log_flops(f, x) -
                        sg_loss_field_log_params(f, y) -
                        log10(SG_FLOPS_PER_PARAM_TOKEN);
    return log_tokens >= f->log_tokens_lo - slack &&
           log_tokens <= f->log_tokens_hi + slack;
}

/* ======================================================== contour levels */

/* The non-empty iso-loss row whose level is nearest to `loss`. */
static uint32_t nearest_filled_level(const sg_sweep_result *r, double loss)
{
    uint32_t best = UINT32_MAX;
    double best_distance = INFINITY;
    for (uint32_t k = 0; k < r->loss_levels.count; k++) {
        double distance = fabs(r->iso_loss[k].level - loss);
        if (!r->iso_loss[k].empty && distance < best_distance) {
            best = k;
            best_distance = distance;
        }
    }
    return best;
}

/* Rounds a target loss to a step a few times finer than the spacing of
 * the targets around it (0.01 where contours are 0.03 apart), so that the
 * drawn levels are near round numbers. */
static double round_target(double loss, double spacing)
{
    double step = pow(10.0, floor(log10(spacing / 2.0)));
    return round(loss / step) * step;
}

size_t sg_plot_contour_levels(const sg_sweep_config *config,
                              const sg_sweep_result *result,
                              uint32_t *indices, size_t max)
{
    double floor_loss = sg_law_floor(&config->law);
    double lo = INFINITY, hi = -INFINITY;
    for (uint32_t k = 0; k < result->loss_levels.count; k++)
        if (!result->iso_loss[k].empty) {
            lo = fmin(lo, result->iso_loss[k].level);
            hi = fmax(hi, result->iso_loss[k].level);
        }
    if (max == 0 || !(lo <= hi) || !(lo > floor_loss))
        return 0;
    /* Evenly spaced in log reducible loss: the contours of a power law then
     * sit evenly across the log-log plane. Targets are inset by half a step
     * from both ends, where contours shrink into the grid's corners. */
    double ratio = (hi - floor_loss) / (lo - floor_loss);
    size_t n = 0;
    for (size_t i = 0; i < max; i++) {
        double u = ((double)i + 0.5) / (double)max;
        double reducible = (lo - floor_loss) * pow(ratio, u);
        double spacing = reducible * (pow(ratio, 1.0 / (double)max) - 1.0);
        double target = round_target(floor_loss + reducible, spacing);
        uint32_t k = nearest_filled_level(result, target);
        if (k != UINT32_MAX && (n == 0 || k > indices[n - 1]))
            indices[n++] = k;
    }
    return n;
}

/* ================================================================ colours */

typedef struct {
    double r, g, b;
} rgb;

static const rgb black = {0.1, 0.1, 0.1};
static const rgb grey_text = {0.35, 0.35, 0.35};
static const rgb grid_grey = {0.88, 0.88, 0.88};
static const rgb outside_grey = {0.93, 0.93, 0.93};
static const rgb frontier_red = {0.84, 0.15, 0.16};
static const rgb params_blue = {0.0, 0.447, 0.698};
static const rgb tokens_orange = {0.835, 0.369, 0.0};
static const rgb rule_green = {0.0, 0.55, 0.38};
static const rgb overfit_red = {0.80, 0.20, 0.20};

/* Viridis (matplotlib, CC0) sampled at t = 0, 0.1, ..., 1 (entries 0, 25,
 * 51, ..., 255 of its 256); linear in between is within a few 1/255 of
 * the full table. */
static rgb viridis(double t)
{
    static const rgb table[11] = {
        {0.267004, 0.004874, 0.329415}, {0.282623, 0.140926, 0.457517},
        {0.253935, 0.265254, 0.529983}, {0.206756, 0.371758, 0.553117},
        {0.163625, 0.471133, 0.558148}, {0.127568, 0.566949, 0.550556},
        {0.134692, 0.658636, 0.517649}, {0.266941, 0.748751, 0.440573},
        {0.477504, 0.821444, 0.318195}, {0.741388, 0.873449, 0.149561},
        {0.993248, 0.906157, 0.143936}};
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double x = t * 10.0;
    int i = x >= 10.0 ? 9 : (int)x;
    double f = x - i;
    return (rgb){table[i].r + f * (table[i + 1].r - table[i].r),
                 table[i].g + f * (table[i + 1].g - table[i].g),
                 table[i].b + f * (table[i + 1].b - table[i].b)};
}

/* Colour of contour k of n: viridis up to 0.9, since its last tenth is too
 * pale to read as a thin line on white. Low loss is dark. */
static rgb contour_colour(size_t k, size_t n)
{
    return viridis(n > 1 ? 0.9 * (double)k / (double)(n - 1) : 0.0);
}

/* Okabe-Ito colours (distinguishable with colour-blindness), for laws. */
static rgb law_colour(size_t i)
{
    static const rgb palette[SG_PLOT_MAX_LAWS] = {
        {0.0, 0.447, 0.698},   {0.835, 0.369, 0.0}, {0.0, 0.620, 0.451},
        {0.8, 0.475, 0.655},   {0.902, 0.624, 0.0}, {0.337, 0.706, 0.914},
        {0.1, 0.1, 0.1},       {0.6, 0.6, 0.2}};
    return palette[i % SG_PLOT_MAX_LAWS];
}

/* =========================================================== primitives */

enum { LINE_SOLID, LINE_DASHED, LINE_DOTTED };

static void set_colour(cairo_t *cr, rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

static void set_line(cairo_t *cr, rgb c, double width, int style)
{
    static const double dashed[] = {7.0, 4.0};
    static const double dotted[] = {0.1, 3.5};
    set_colour(cr, c, 1.0);
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, style == LINE_DOTTED ? CAIRO_LINE_CAP_ROUND
                                                : CAIRO_LINE_CAP_BUTT);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    if (style == LINE_DASHED)
        cairo_set_dash(cr, dashed, 2, 0);
    else if (style == LINE_DOTTED)
        cairo_set_dash(cr, dotted, 2, 0);
    else
        cairo_set_dash(cr, NULL, 0, 0);
}

static void set_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD
                                : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Text with its baseline at y; halign 0 = left, 0.5 = centred, 1 = right. */
static void text_at(cairo_t *cr, double x, double y, double halign,
                    const char *s)
{
    cairo_move_to(cr, x - halign * text_width(cr, s), y);
    cairo_show_text(cr, s);
}

/* Baseline that centres digits and capitals vertically on y. */
static double middle_baseline(double y, double font_size)
{
    return y + 0.36 * font_size;
}

/* Shrinks the font (down to min_size) until `s` fits in max_width, then
 * cuts it with an ellipsis if it still does not; draws at baseline y. */
static void text_fitted(cairo_t *cr, double x, double y, double halign,
                        const char *s, double max_width, double size,
                        double min_size, int bold)
{
    set_font(cr, size, bold);
    while (size > min_size && text_width(cr, s) > max_width) {
        size -= 0.5;
        set_font(cr, size, bold);
    }
    char buf[600];
    snprintf(buf, sizeof buf, "%s", s);
    size_t len = strlen(buf);
    while (len > 4 && text_width(cr, buf) > max_width) {
        len--;
        while (len > 0 && ((unsigned char)buf[len - 1] & 0xC0) == 0x80)
            len--; /* keep UTF-8 sequences whole */
        if (len > 0 && ((unsigned char)buf[len - 1] & 0xC0) == 0xC0)
            len--;
        memcpy(buf + len, "\xE2\x80\xA6", 4); /* "…" */
    }
    text_at(cr, x, y, halign, buf);
}

static void text_vertical(cairo_t *cr, double x, double y, const char *s)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -PI / 2);
    text_at(cr, 0, 0, 0.5, s);
    cairo_restore(cr);
}

static void fill_rgb(cairo_t *cr, rgb c, double alpha)
{
    set_colour(cr, c, alpha);
    cairo_fill(cr);
}

static void dot(cairo_t *cr, double x, double y, double radius, rgb fill,
                rgb ring)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, radius, 0, 2 * PI);
    set_colour(cr, fill, 1.0);
    cairo_fill_preserve(cr);
    set_line(cr, ring, 1.0, LINE_SOLID);
    cairo_stroke(cr);
}

/* ============================================================= log axes */

/* A plotting area: its box on the canvas and the log10 range it shows. */
typedef struct {
    double x, y, w, h;
    double xlo, xhi, ylo, yhi;
} panel;

static double px(const panel *p, double lx)
{
    return p->x + (lx - p->xlo) / (p->xhi - p->xlo) * p->w;
}

static double py(const panel *p, double ly)
{
    return p->y + p->h - (ly - p->ylo) / (p->yhi - p->ylo) * p->h;
}

static void clip_to(cairo_t *cr, const panel *p)
{
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_clip(cr);
}

/* Appends a polyline of log10 coordinates to the path, breaking it at
 * non-finite values. */
static void path_polyline(cairo_t *cr, const panel *p, const double *lx,
                          const double *ly, size_t n)
{
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(lx[i]) || !isfinite(ly[i])) {
            open = 0;
            continue;
        }
        if (open)
            cairo_line_to(cr, px(p, lx[i]), py(p, ly[i]));
        else
            cairo_move_to(cr, px(p, lx[i]), py(p, ly[i]));
        open = 1;
    }
}

typedef struct {
    double at;    /* log10 of the value */
    int mantissa; /* value = mantissa * 10^exponent */
    int exponent;
    int labelled;
} tick;

#define MAX_TICKS 160

static size_t add_tick(tick *t, size_t n, double lo, double hi, int m, int e,
                       int labelled)
{
    double at = log10((double)m) + e;
    if (n >= MAX_TICKS || at < lo - 1e-9 || at > hi + 1e-9)
        return n;
    t[n] = (tick){at, m, e, labelled};
    return n + 1;
}

/* Ticks of a log axis over [lo, hi] (log10), at most max_labels labelled.
 * Whole decades when the range spans a few; 1-2-5 steps on short ranges;
 * 2..9 unlabelled minor ticks where they have room. */
static size_t log_ticks(double lo, double hi, int max_labels, tick *t)
{
    int e0 = (int)floor(lo), e1 = (int)ceil(hi);
    int decades = (int)floor(hi + 1e-9) - (int)ceil(lo - 1e-9) + 1;
    size_t n = 0;
    if (max_labels < 2)
        max_labels = 2;
    if (decades >= 3 || (decades == 2 && hi - lo > 1.6)) {
        int step = (decades + max_labels - 1) / max_labels;
        for (int e = e0; e <= e1; e++) {
            /* labels on multiples of step, so 10^0 would be one */
            int labelled = ((e % step) + step) % step == 0;
            n = add_tick(t, n, lo, hi, 1, e, labelled);
            if (step == 1 && hi - lo <= 8)
                for (int m = 2; m <= 9; m++)
                    n = add_tick(t, n, lo, hi, m, e, 0);
        }
        return n;
    }
    static const int steps[3][9] = {{1, 2, 5, 0}, {1, 2, 3, 5, 0},
                                    {1, 2, 3, 4, 5, 6, 7, 8, 9}};
    for (int s = 0; s < 3; s++) {
        n = 0;
        int labels = 0;
        for (int e = e0; e <= e1; e++)
            for (int m = 1; m <= 9; m++) {
                int labelled = 0;
                for (int k = 0; k < 9 && steps[s][k]; k++)
                    labelled |= steps[s][k] == m;
                size_t before = n;
                n = add_tick(t, n, lo, hi, m, e, labelled);
                labels += n > before && labelled;
            }
        if (labels >= 3 || s == 2)
            break;
    }
    return n;
}

/* Labels: plain numbers for moderate values when the axis asks, else
 * 10 with a superscript exponent (and "m×" in front when m > 1). */
typedef struct {
    double size;
    int plain; /* plain numbers for 1e-2 .. 1e5 */
} label_style;

static void exponent_text(char *buf, size_t size, int e)
{
    if (e < 0)
        snprintf(buf, size, "\xE2\x88\x92%d", -e); /* U+2212 minus */
    else
        snprintf(buf, size, "%d", e);
}

static int label_is_plain(const label_style *s, const tick *t)
{
    return s->plain && t->exponent >= -2 && t->exponent <= 4;
}

static void plain_text(char *buf, size_t size, const tick *t)
{
    snprintf(buf, size, "%g", t->mantissa * pow(10.0, t->exponent));
}

/* Width of a tick label, and the label drawn with its baseline at y. */
static double tick_label(cairo_t *cr, const label_style *s, const tick *t,
                         double x, double y, double halign, int draw)
{
    char head[32], sup[16];
    if (label_is_plain(s, t)) {
        plain_text(head, sizeof head, t);
        sup[0] = '\0';
    } else {
        if (t->mantissa == 1)
            snprintf(head, sizeof head, "10");
        else
            snprintf(head, sizeof head, "%d\xC3\x97" "10", t->mantissa);
        exponent_text(sup, sizeof sup, t->exponent);
    }
    set_font(cr, s->size, 0);
    double w_head = text_width(cr, head);
    set_font(cr, s->size * 0.72, 0);
    double w_sup = sup[0] ? text_width(cr, sup) + 1.0 : 0.0;
    double w = w_head + w_sup;
    if (draw) {
        double left = x - halign * w;
        set_font(cr, s->size, 0);
        text_at(cr, left, y, 0, head);
        if (sup[0]) {
            set_font(cr, s->size * 0.72, 0);
            text_at(cr, left + w_head + 1.0, y - 0.42 * s->size, 0, sup);
        }
    }
    return w;
}

static void grid_lines(cairo_t *cr, const panel *p, const tick *xt, size_t nx,
                       const tick *yt, size_t ny)
{
    set_line(cr, grid_grey, 0.8, LINE_SOLID);
    for (size_t i = 0; i < nx; i++)
        if (xt[i].mantissa == 1) {
            cairo_move_to(cr, px(p, xt[i].at), p->y);
            cairo_line_to(cr, px(p, xt[i].at), p->y + p->h);
        }
    for (size_t i = 0; i < ny; i++)
        if (yt[i].mantissa == 1 || yt[i].labelled) {
            cairo_move_to(cr, p->x, py(p, yt[i].at));
            cairo_line_to(cr, p->x + p->w, py(p, yt[i].at));
        }
    cairo_stroke(cr);
}

static void x_axis(cairo_t *cr, const panel *p, const tick *t, size_t n,
                   const label_style *s, const char *label)
{
    set_line(cr, black, 1.0, LINE_SOLID);
    double bottom = p->y + p->h;
    for (size_t i = 0; i < n; i++) {
        double x = px(p, t[i].at);
        cairo_move_to(cr, x, bottom);
        cairo_line_to(cr, x, bottom + (t[i].labelled ? 6 : 3));
    }
    cairo_stroke(cr);
    set_colour(cr, black, 1.0);
    for (size_t i = 0; i < n; i++)
        if (t[i].labelled)
            tick_label(cr, s, &t[i], px(p, t[i].at), bottom + 8 + s->size,
                       0.5, 1);
    set_font(cr, 13, 0);
    text_at(cr, p->x + p->w / 2, bottom + 26 + 2 * s->size, 0.5, label);
}

static void y_axis(cairo_t *cr, const panel *p, const tick *t, size_t n,
                   const label_style *s, const char *label)
{
    set_line(cr, black, 1.0, LINE_SOLID);
    for (size_t i = 0; i < n; i++) {
        double y = py(p, t[i].at);
        cairo_move_to(cr, p->x, y);
        cairo_line_to(cr, p->x - (t[i].labelled ? 6 : 3), y);
    }
    cairo_stroke(cr);
    set_colour(cr, black, 1.0);
    double widest = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i].labelled)
            widest = fmax(widest,
                          tick_label(cr, s, &t[i], p->x - 9,
                                     middle_baseline(py(p, t[i].at), s->size),
                                     1.0, 1));
    set_font(cr, 13, 0);
    text_vertical(cr, p->x - widest - 18, p->y + p->h / 2, label);
}

static void frame(cairo_t *cr, const panel *p)
{
    set_line(cr, black, 1.0, LINE_SOLID);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_stroke(cr);
}

/* On a plain-number axis with few labels (two or three decades), 2 and 5
 * get labels too: "20" and "50" help read tokens per parameter. */
static void label_twos_and_fives(tick *t, size_t n)
{
    size_t labelled = 0;
    for (size_t i = 0; i < n; i++)
        labelled += (size_t)t[i].labelled;
    if (labelled >= 4)
        return;
    for (size_t i = 0; i < n; i++)
        if (t[i].mantissa == 2 || t[i].mantissa == 5)
            t[i].labelled = 1;
}

/* Grid lines, ticks, labels and frame of a log-log panel. */
static void axes(cairo_t *cr, const panel *p, const char *xlabel,
                 const char *ylabel, int plain_y)
{
    tick xt[MAX_TICKS], yt[MAX_TICKS];
    size_t nx = log_ticks(p->xlo, p->xhi,
                          (int)(p->w / 100.0 * X_LABELS_PER_100PX), xt);
    size_t ny = log_ticks(p->ylo, p->yhi,
                          (int)(p->h / 100.0 * Y_LABELS_PER_100PX), yt);
    if (plain_y)
        label_twos_and_fives(yt, ny);
    label_style xs = {12, 0}, ys = {12, plain_y};
    x_axis(cr, p, xt, nx, &xs, xlabel);
    y_axis(cr, p, yt, ny, &ys, ylabel);
    frame(cr, p);
}

static void background_grid(cairo_t *cr, const panel *p)
{
    tick xt[MAX_TICKS], yt[MAX_TICKS];
    size_t nx = log_ticks(p->xlo, p->xhi,
                          (int)(p->w / 100.0 * X_LABELS_PER_100PX), xt);
    size_t ny = log_ticks(p->ylo, p->yhi,
                          (int)(p->h / 100.0 * Y_LABELS_PER_100PX), yt);
    grid_lines(cr, p, xt, nx, yt, ny);
}

/* =============================================================== legend */

enum { KEY_LINE, KEY_LINE_DOT, KEY_DOT, KEY_SWATCH };

typedef struct {
    const char *text;
    rgb colour;
    int kind;
    int style;    /* LINE_* for lines */
    double alpha; /* for swatches */
} legend_entry;

#define LEGEND_FONT 11.5
#define LEGEND_ROW 17.0
#define LEGEND_KEY 26.0

static void legend_key(cairo_t *cr, const legend_entry *e, double x, double y)
{
    switch (e->kind) {
    case KEY_SWATCH:
        cairo_rectangle(cr, x, y - 5, LEGEND_KEY, 10);
        fill_rgb(cr, e->colour, e->alpha);
        break;
    case KEY_DOT:
        dot(cr, x + LEGEND_KEY / 2, y, 3.5, e->colour, (rgb){1, 1, 1});
        break;
    default:
        set_line(cr, e->colour, 2.0, e->style);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + LEGEND_KEY, y);
        cairo_stroke(cr);
        if (e->kind == KEY_LINE_DOT)
            dot(cr, x + LEGEND_KEY / 2, y, 3.5, e->colour, (rgb){1, 1, 1});
    }
}

/* A boxed legend whose corner (ax, ay in 0..1: 0,0 = top-left) is at
 * (x, y). Text longer than max_text is shrunk or cut to fit. */
static void legend(cairo_t *cr, const legend_entry *e, size_t n, double x,
                   double y, double ax, double ay, double max_text)
{
    set_font(cr, LEGEND_FONT, 0);
    double text_w = 0;
    for (size_t i = 0; i < n; i++)
        text_w = fmax(text_w, text_width(cr, e[i].text));
    text_w = fmin(text_w, max_text);
    double w = 8 + LEGEND_KEY + 7 + text_w + 8;
    double h = 6 + LEGEND_ROW * (double)n + 4;
    double left = x - ax * w, top = y - ay * h;
    cairo_rectangle(cr, left, top, w, h);
    set_colour(cr, (rgb){1, 1, 1}, 0.92);
    cairo_fill_preserve(cr);
    set_line(cr, (rgb){0.7, 0.7, 0.7}, 0.8, LINE_SOLID);
    cairo_stroke(cr);
    for (size_t i = 0; i < n; i++) {
        double row = top + 6 + LEGEND_ROW * ((double)i + 0.5);
        legend_key(cr, &e[i], left + 8, row);
        set_colour(cr, black, 1.0);
        text_fitted(cr, left + 8 + LEGEND_KEY + 7,
                    middle_baseline(row, LEGEND_FONT), 0, e[i].text, text_w,
                    LEGEND_FONT, 9, 0);
    }
}

/* ============================================================ page parts */

static void page(cairo_t *cr)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
}

static void title(cairo_t *cr, double width, const char *head,
                  const char *sub)
{
    set_colour(cr, black, 1.0);
    text_fitted(cr, width / 2, 28, 0.5, head, width - 40, 17, 11, 1);
    set_colour(cr, grey_text, 1.0);
    text_fitted(cr, width / 2, 50, 0.5, sub, width - 40, 12, 8, 0);
}

/* "chinchilla (Hoffmann et al. 2022, eq. 10 ...)" */
static void law_caption(char *buf, size_t size, const sg_law *law)
{
    snprintf(buf, size, "%s: L = %s; constants: %s", law->name,
             sg_law_formula(law), law->source);
}

static const char *params_label(const sg_law *law)
{
    return law->convention == SG_COUNT_NON_EMBEDDING
               ? "parameters N (non-embedding)"
               : "parameters N";
}

static const char *flops_label(const sg_law *law)
{
    return law->convention == SG_COUNT_NON_EMBEDDING
               ? "training compute C = 6ND (non-embedding FLOPs)"
               : "training compute C = 6ND (FLOPs)";
}

static const char *closed_form_name(const sg_law *law)
{
    return law->form == SG_FORM_CHINCHILLA
               ? "closed form (Hoffmann et al. eq. 4)"
               : "closed form (optimum of Kaplan eq. 1.5)";
}

/* The closed-form compute-optimal (N, D) at `samples` budgets spread over
 * [lx_lo, lx_hi] (log10 FLOPs); NaN where the law has none (Muennighoff's,
 * or any law under a cost other than 6 N D). Returns how many points
 * succeeded. */
static size_t closed_form_curve(const sg_law *law, const sg_flop_count *count,
                                double lx_lo, double lx_hi, size_t samples,
                                double *lx, double *ln, double *ld)
{
    size_t ok = 0;
    for (size_t i = 0; i < samples; i++) {
        lx[i] = lx_lo + (lx_hi - lx_lo) * (double)i / (double)(samples - 1);
        sg_optimum opt;
        if (sg_optimal_for_flops_counted(law, count, pow(10.0, lx[i]),
                                         SG_METHOD_CLOSED_FORM, &opt,
                                         NULL) == SG_OK) {
            ln[i] = log10(opt.params);
            ld[i] = log10(opt.tokens);
            ok++;
        } else {
            ln[i] = ld[i] = NAN;
        }
    }
    return ok;
}

static void range_add(double *lo, double *hi, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = fmin(*lo, v[i]);
            *hi = fmax(*hi, v[i]);
        }
}

/* Widens [lo, hi] by a margin and to at least one decade. */
static void range_pad(double *lo, double *hi, double margin)
{
    if (!(*lo <= *hi)) {
        *lo = 0;
        *hi = 1;
    }
    double mid = (*lo + *hi) / 2;
    if (*hi - *lo < 1.0) {
        *lo = mid - 0.5;
        *hi = mid + 0.5;
    }
    double span = *hi - *lo;
    *lo -= margin * span;
    *hi += margin * span;
}

/* ======================================================= contours figure */

typedef struct {
    const sg_sweep_config *config;
    const sg_sweep_result *result;
    sg_loss_field field;
    size_t n_levels;
    uint32_t level_index[SG_PLOT_MAX_CONTOURS];
    sg_contour lines[SG_PLOT_MAX_CONTOURS];
    size_t n_closed; /* closed-form frontier points that exist */
    double closed_x[CLOSED_SAMPLES], closed_n[CLOSED_SAMPLES],
        closed_d[CLOSED_SAMPLES];
} contours_figure;

static void contours_figure_free(contours_figure *f)
{
    for (size_t k = 0; k < SG_PLOT_MAX_CONTOURS; k++)
        sg_contour_free(&f->lines[k]);
    sg_loss_field_free(&f->field);
}

static sg_status contours_figure_prepare(contours_figure *f,
                                         const sg_sweep_config *config,
                                         const sg_sweep_result *result,
                                         sg_error *err)
{
    memset(f, 0, sizeof *f);
    f->config = config;
    f->result = result;
    SG_TRY(sg_loss_field_build(config, SG_PLOT_FIELD_ROWS, SG_PLOT_FIELD_COLS,
                               &f->field, err));
    f->n_levels = sg_plot_contour_levels(config, result, f->level_index,
                                         SG_PLOT_MAX_CONTOURS);
    for (size_t k = 0; k < f->n_levels; k++) {
        double level = result->iso_loss[f->level_index[k]].level;
        sg_status st = sg_contour_lines(f->field.loss, f->field.rows,
                                        f->field.cols, level, &f->lines[k],
                                        err);
        if (st != SG_OK) {
            contours_figure_free(f);
            return st;
        }
    }
    f->n_closed = closed_form_curve(&config->law, &config->flop_count,
                                    f->field.log_flops_lo,
                                    f->field.log_flops_hi, CLOSED_SAMPLES,
                                    f->closed_x, f->closed_n, f->closed_d);
    return SG_OK;
}

/* The swept region of the (C, N) box: D = C / (6N) on the token axis, a
 * band between the lines log C = log N + log(6 D_lo) and log(6 D_hi). */
static void path_swept(cairo_t *cr, const panel *p, const sg_sweep_config *c)
{
    double l6 = log10(SG_FLOPS_PER_PARAM_TOKEN);
    double dlo = log10(c->tokens.lo), dhi = log10(c->tokens.hi);
    cairo_move_to(cr, px(p, p->ylo + l6 + dlo), py(p, p->ylo));
    cairo_line_to(cr, px(p, p->ylo + l6 + dhi), py(p, p->ylo));
    cairo_line_to(cr, px(p, p->yhi + l6 + dhi), py(p, p->yhi));
    cairo_line_to(cr, px(p, p->yhi + l6 + dlo), py(p, p->yhi));
    cairo_close_path(cr);
}

/* Grey outside the swept region (the panel minus the band). */
static void outside_grid(cairo_t *cr, const panel *p, const sg_sweep_config *c)
{
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    path_swept(cr, p, c);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    fill_rgb(cr, outside_grey, 1.0);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
}

static void contour_paths(cairo_t *cr, const panel *p,
                          const contours_figure *f)
{
    for (size_t k = 0; k < f->n_levels; k++) {
        const sg_contour *c = &f->lines[k];
        for (size_t i = 0; i < c->n_lines; i++)
            for (size_t j = c->starts[i]; j < c->starts[i + 1]; j++) {
                double x = px(p, sg_loss_field_log_flops(&f->field,
                                                         c->points[j].x));
                double y = py(p, sg_loss_field_log_params(&f->field,
                                                          c->points[j].y));
                if (j == c->starts[i])
                    cairo_move_to(cr, x, y);
                else
                    cairo_line_to(cr, x, y);
            }
        set_line(cr, contour_colour(k, f->n_levels), 1.6, LINE_SOLID);
        cairo_stroke(cr);
    }
}

/* The sweep's efficient frontier: every filled loss level's least-FLOPs
 * point, in order of level; dots on the drawn contours' points. */
static void sweep_frontier(cairo_t *cr, const panel *p,
                           const contours_figure *f)
{
    const sg_sweep_result *r = f->result;
    int open = 0;
    for (uint32_t k = r->loss_levels.count; k-- > 0;) {
        const sg_frontier_row *row = &r->iso_loss[k];
        if (row->empty)
            continue;
        double x = px(p, log10(row->total_flops)), y = py(p, log10(row->params));
        if (open)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        open = 1;
    }
    set_line(cr, frontier_red, 1.5, LINE_SOLID);
    cairo_stroke(cr);
    for (size_t k = 0; k < f->n_levels; k++) {
        const sg_frontier_row *row = &r->iso_loss[f->level_index[k]];
        dot(cr, px(p, log10(row->total_flops)), py(p, log10(row->params)), 3.8,
            frontier_red, (rgb){1, 1, 1});
    }
}

/* Vertical lines at powers of ten of FLOPs, at most six, labelled at the
 * top of the panel. */
static void iso_flop_lines(cairo_t *cr, const panel *p)
{
    int e0 = (int)ceil(p->xlo + 0.3), e1 = (int)floor(p->xhi - 0.3);
    if (e1 < e0)
        return;
    int step = (e1 - e0) / 6 + 1;
    label_style s = {10.5, 0};
    for (int e = e0; e <= e1; e++) {
        if (((e % step) + step) % step != 0)
            continue;
        double x = px(p, e);
        set_line(cr, (rgb){0.45, 0.45, 0.45}, 1.0, LINE_DASHED);
        cairo_move_to(cr, x, p->y);
        cairo_line_to(cr, x, p->y + p->h);
        cairo_stroke(cr);
        tick t = {(double)e, 1, e, 1};
        char head[16];
        snprintf(head, sizeof head, "C = ");
        set_font(cr, s.size, 0);
        double wh = text_width(cr, head);
        double wl = tick_label(cr, &s, &t, 0, 0, 0, 0);
        cairo_save(cr);
        cairo_translate(cr, x - 4, p->y + 8);
        cairo_rotate(cr, -PI / 2);
        /* reads upwards, its end 8 px below the panel's top */
        double left = -(wh + wl);
        cairo_rectangle(cr, left - 2, -s.size - 1, wh + wl + 4, s.size + 5);
        set_colour(cr, (rgb){1, 1, 1}, 0.85);
        cairo_fill(cr);
        set_colour(cr, grey_text, 1.0);
        set_font(cr, s.size, 0);
        text_at(cr, left, 0, 0, head);
        tick_label(cr, &s, &t, left + wh, 0, 0, 1);
        cairo_restore(cr);
    }
}

/* Discrete colour bar: one swatch per drawn contour, low loss at the
 * bottom, each labelled with its level. */
static void colour_bar(cairo_t *cr, const panel *p, const contours_figure *f)
{
    size_t n = f->n_levels;
    if (n == 0)
        return;
    double x = p->x + p->w + 28, w = 18;
    double row = fmin(34.0, p->h / (double)n);
    double top = p->y + (p->h - row * (double)n) / 2;
    for (size_t k = 0; k < n; k++) {
        double y = top + row * (double)(n - 1 - k);
        cairo_rectangle(cr, x, y, w, row);
        fill_rgb(cr, contour_colour(k, n), 1.0);
        char label[32];
        snprintf(label, sizeof label, "%.3f",
                 f->result->iso_loss[f->level_index[k]].level);
        set_colour(cr, black, 1.0);
        set_font(cr, 11.5, 0);
        text_at(cr, x + w + 6, middle_baseline(y + row / 2, 11.5), 0, label);
    }
    set_line(cr, black, 0.8, LINE_SOLID);
    cairo_rectangle(cr, x, top, w, row * (double)n);
    cairo_stroke(cr);
    set_font(cr, 13, 0);
    text_vertical(cr, x + w + 62, p->y + p->h / 2,
                  "loss of each contour (nats/token)");
}

static void contours_legend(cairo_t *cr, const panel *p,
                            const contours_figure *f)
{
    char outside[128], lo[32], hi[32];
    sg_format_sci(lo, sizeof lo, f->config->tokens.lo);
    sg_format_sci(hi, sizeof hi, f->config->tokens.hi);
    snprintf(outside, sizeof outside, "not swept (D < %s or D > %s)", lo,
             hi);
    legend_entry e[5] = {
        {"efficient frontier (sweep)", frontier_red, KEY_LINE, LINE_SOLID, 1},
        {"least-FLOPs point of a drawn contour", frontier_red, KEY_DOT, 0, 1},
        {closed_form_name(&f->config->law), black, KEY_LINE, LINE_DASHED, 1},
        {"iso-FLOP line", (rgb){0.45, 0.45, 0.45}, KEY_LINE, LINE_DASHED, 1},
        {outside, outside_grey, KEY_SWATCH, 0, 1}};
    legend_entry kept[5];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++)
        if (i != 2 || f->n_closed > 0)
            kept[n++] = e[i];
    legend(cr, kept, n, p->x + p->w - 8, p->y + p->h - 8, 1, 1,
           p->w * 0.45);
}

/* The law, its constants' source and the sweep's grid, in one line. */
static void sweep_caption(char *buf, size_t size, const sg_sweep_config *c)
{
    char caption[400], n0[32], n1[32], d0[32], d1[32];
    law_caption(caption, sizeof caption, &c->law);
    sg_format_sci(n0, sizeof n0, c->params.lo);
    sg_format_sci(n1, sizeof n1, c->params.hi);
    sg_format_sci(d0, sizeof d0, c->tokens.lo);
    sg_format_sci(d1, sizeof d1, c->tokens.hi);
    snprintf(buf, size, "%s. Sweep: N %s..%s x D %s..%s, %llu x %llu points",
             caption, n0, n1, d0, d1, (unsigned long long)c->params.count,
             (unsigned long long)c->tokens.count);
}

static void contours_title(cairo_t *cr, double width, const contours_figure *f)
{
    char head[256], sub[600];
    snprintf(head, sizeof head,
             "Iso-loss contours and the efficient frontier: %s",
             f->config->law.name);
    sweep_caption(sub, sizeof sub, f->config);
    title(cr, width, head, sub);
}

static void draw_contours(cairo_t *cr, const void *data)
{
    const contours_figure *f = data;
    panel p = {100, 78, 720, 500, f->field.log_flops_lo, f->field.log_flops_hi,
               f->field.log_params_lo, f->field.log_params_hi};
    page(cr);
    cairo_save(cr);
    clip_to(cr, &p);
    outside_grid(cr, &p, f->config);
    background_grid(cr, &p);
    cairo_save(cr);
    path_swept(cr, &p, f->config);
    cairo_clip(cr);
    contour_paths(cr, &p, f);
    cairo_restore(cr);
    iso_flop_lines(cr, &p);
    if (f->n_closed > 0) {
        path_polyline(cr, &p, f->closed_x, f->closed_n, CLOSED_SAMPLES);
        set_line(cr, black, 1.6, LINE_DASHED);
        cairo_stroke(cr);
    }
    sweep_frontier(cr, &p, f);
    cairo_restore(cr);
    axes(cr, &p, flops_label(&f->config->law), params_label(&f->config->law),
         0);
    colour_bar(cr, &p, f);
    contours_legend(cr, &p, f);
    contours_title(cr, SG_PLOT_CONTOURS_WIDTH, f);
}

/* ======================================================= frontier figure */

typedef struct {
    const sg_sweep_config *config;
    size_t n; /* filled compute levels */
    double *x, *ln, *ld, *ltpp; /* log10 of FLOPs, N, D, D/N; owned */
    size_t n_closed;
    double closed_x[CLOSED_SAMPLES], closed_n[CLOSED_SAMPLES],
        closed_d[CLOSED_SAMPLES], closed_tpp[CLOSED_SAMPLES];
    /* D/N of Kaplan's threshold 5e3 N^0.74 at the frontier's N */
    double overfit_tpp[CLOSED_SAMPLES];
    double xlo, xhi;
} frontier_figure;

static void frontier_figure_free(frontier_figure *f)
{
    free(f->x);
    free(f->ln);
    free(f->ld);
    free(f->ltpp);
    f->x = f->ln = f->ld = f->ltpp = NULL;
}

static sg_status frontier_points(frontier_figure *f, const sg_sweep_result *r,
                                 sg_error *err)
{
    size_t count = r->flops_levels.count ? r->flops_levels.count : 1;
    f->x = malloc(count * sizeof *f->x);
    f->ln = malloc(count * sizeof *f->ln);
    f->ld = malloc(count * sizeof *f->ld);
    f->ltpp = malloc(count * sizeof *f->ltpp);
    if (!f->x || !f->ln || !f->ld || !f->ltpp) {
        frontier_figure_free(f);
        return sg_fail(err, SG_ERR_RUNTIME, "plot: out of memory");
    }
    for (uint32_t k = 0; k < r->flops_levels.count; k++) {
        const sg_frontier_row *row = &r->iso_flops[k];
        if (row->empty)
            continue;
        f->x[f->n] = log10(row->total_flops);
        f->ln[f->n] = log10(row->params);
        f->ld[f->n] = log10(row->tokens);
        f->ltpp[f->n] = log10(row->tokens / row->params);
        f->n++;
    }
    return SG_OK;
}

/* Kaplan's threshold as tokens per parameter, at the closed-form N where
 * there is one (else NaN: the sweep's points carry their own). */
static void overfit_curve(frontier_figure *f)
{
    for (size_t i = 0; i < CLOSED_SAMPLES; i++) {
        double n = pow(10.0, f->closed_n[i]);
        f->overfit_tpp[i] = isfinite(f->closed_n[i])
                                ? log10(sg_overfit_threshold_tokens(n) / n)
                                : NAN;
        f->closed_tpp[i] = f->closed_d[i] - f->closed_n[i];
    }
}

static sg_status frontier_figure_prepare(frontier_figure *f,
                                         const sg_sweep_config *config,
                                         const sg_sweep_result *result,
                                         sg_error *err)
{
    memset(f, 0, sizeof *f);
    f->config = config;
    SG_TRY(frontier_points(f, result, err));
    /* The x range: the compute levels the sweep resolved. */
    f->xlo = log10(result->flops_levels.lo);
    f->xhi = log10(result->flops_levels.hi);
    range_add(&f->xlo, &f->xhi, f->x, f->n);
    if (!(f->xhi > f->xlo) || !isfinite(f->xlo) || !isfinite(f->xhi)) {
        frontier_figure_free(f);
        return sg_fail(err, SG_ERR_INPUT,
                       "plot: the sweep's compute levels have no range");
    }
    f->n_closed = closed_form_curve(&config->law, &config->flop_count, f->xlo,
                                    f->xhi,
                                    CLOSED_SAMPLES, f->closed_x, f->closed_n,
                                    f->closed_d);
    overfit_curve(f);
    return SG_OK;
}

/* Shades the budgets whose closed-form optimum lies off the sweep's axes:
 * there the sweep's best point sits on the grid's border instead. */
static void off_grid_budgets(cairo_t *cr, const panel *p,
                             const frontier_figure *f)
{
    const sg_sweep_config *c = f->config;
    double n0 = log10(c->params.lo), n1 = log10(c->params.hi);
    double d0 = log10(c->tokens.lo), d1 = log10(c->tokens.hi);
    double half = (f->closed_x[1] - f->closed_x[0]) / 2;
    for (size_t i = 0; i < CLOSED_SAMPLES; i++) {
        double n = f->closed_n[i], d = f->closed_d[i];
        if (!isfinite(n) || (n >= n0 && n <= n1 && d >= d0 && d <= d1))
            continue;
        double a = px(p, f->closed_x[i] - half), b = px(p, f->closed_x[i] + half);
        cairo_rectangle(cr, a, p->y, b - a, p->h);
    }
    fill_rgb(cr, outside_grey, 1.0);
}

static void sweep_line(cairo_t *cr, const panel *p, const double *x,
                       const double *y, size_t n, rgb colour)
{
    path_polyline(cr, p, x, y, n);
    set_line(cr, colour, 2.0, LINE_SOLID);
    cairo_stroke(cr);
    if (n <= 64)
        for (size_t i = 0; i < n; i++)
            dot(cr, px(p, x[i]), py(p, y[i]), 2.6, colour, colour);
}

static void dashed_curve(cairo_t *cr, const panel *p, const double *x,
                         const double *y, rgb colour)
{
    path_polyline(cr, p, x, y, CLOSED_SAMPLES);
    set_line(cr, colour, 1.6, LINE_DASHED);
    cairo_stroke(cr);
}

static void allocation_panel(cairo_t *cr, const panel *p,
                             const frontier_figure *f)
{
    cairo_save(cr);
    clip_to(cr, p);
    if (f->n_closed)
        off_grid_budgets(cr, p, f);
    background_grid(cr, p);
    if (f->n_closed) {
        dashed_curve(cr, p, f->closed_x, f->closed_n, black);
        dashed_curve(cr, p, f->closed_x, f->closed_d, black);
    }
    sweep_line(cr, p, f->x, f->ln, f->n, params_blue);
    sweep_line(cr, p, f->x, f->ld, f->n, tokens_orange);
    cairo_restore(cr);
    axes(cr, p, flops_label(&f->config->law),
         "compute-optimal parameters N, tokens D", 0);
    legend_entry e[4] = {
        {"tokens D_opt (sweep)", tokens_orange, KEY_LINE, LINE_SOLID, 1},
        {"parameters N_opt (sweep)", params_blue, KEY_LINE, LINE_SOLID, 1},
        {closed_form_name(&f->config->law), black, KEY_LINE, LINE_DASHED, 1},
        {"closed-form optimum off the swept grid", outside_grey, KEY_SWATCH,
         0, 1}};
    legend(cr, e, f->n_closed ? 4 : 2, p->x + 8, p->y + 8, 0, 0,
           p->w * 0.75);
}

/* Tokens-per-parameter range: the data, the 20 rule and the threshold. */
static void tpp_range(const frontier_figure *f, double *lo, double *hi)
{
    *lo = log10(CHINCHILLA_TOKENS_PER_PARAM);
    *hi = *lo;
    range_add(lo, hi, f->ltpp, f->n);
    range_add(lo, hi, f->closed_tpp, CLOSED_SAMPLES);
    range_add(lo, hi, f->overfit_tpp, CLOSED_SAMPLES);
    range_pad(lo, hi, 0.08);
}

static void tokens_per_param_panel(cairo_t *cr, const panel *p,
                                   const frontier_figure *f)
{
    cairo_save(cr);
    clip_to(cr, p);
    if (f->n_closed)
        off_grid_budgets(cr, p, f);
    if (f->n_closed) {
        /* below Kaplan's threshold: the overfitting penalty exceeds ~2% */
        path_polyline(cr, p, f->closed_x, f->overfit_tpp, CLOSED_SAMPLES);
        cairo_line_to(cr, p->x + p->w, p->y + p->h);
        cairo_line_to(cr, p->x, p->y + p->h);
        cairo_close_path(cr);
        fill_rgb(cr, overfit_red, 0.08);
    }
    background_grid(cr, p);
    double rule = log10(CHINCHILLA_TOKENS_PER_PARAM);
    set_line(cr, rule_green, 1.6, LINE_DOTTED);
    cairo_move_to(cr, p->x, py(p, rule));
    cairo_line_to(cr, p->x + p->w, py(p, rule));
    cairo_stroke(cr);
    if (f->n_closed) {
        path_polyline(cr, p, f->closed_x, f->overfit_tpp, CLOSED_SAMPLES);
        set_line(cr, overfit_red, 1.6, LINE_SOLID);
        cairo_stroke(cr);
        dashed_curve(cr, p, f->closed_x, f->closed_tpp, black);
    }
    sweep_line(cr, p, f->x, f->ltpp, f->n, params_blue);
    cairo_restore(cr);
    axes(cr, p, flops_label(&f->config->law),
         "tokens per parameter D/N at the optimum", 1);
    legend_entry e[5] = {
        {"D/N of the sweep's optimum", params_blue, KEY_LINE, LINE_SOLID, 1},
        {"closed form", black, KEY_LINE, LINE_DASHED, 1},
        {"20 tokens per parameter (Chinchilla rule of thumb)", rule_green,
         KEY_LINE, LINE_DOTTED, 1},
        {"Kaplan eq. 4.4: D = 5e3 N^0.74, at the optimal N", overfit_red,
         KEY_LINE, LINE_SOLID, 1},
        {"below it: overfitting penalty above ~2%", overfit_red, KEY_SWATCH,
         0, 0.18}};
    legend_entry kept[5];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++)
        if (f->n_closed || i == 0 || i == 2)
            kept[n++] = e[i];
    legend(cr, kept, n, p->x + 8, p->y + 8, 0, 0, p->w - 60);
}

static void draw_frontier(cairo_t *cr, const void *data)
{
    const frontier_figure *f = data;
    double ylo = INFINITY, yhi = -INFINITY;
    range_add(&ylo, &yhi, f->ln, f->n);
    range_add(&ylo, &yhi, f->ld, f->n);
    range_add(&ylo, &yhi, f->closed_n, CLOSED_SAMPLES);
    range_add(&ylo, &yhi, f->closed_d, CLOSED_SAMPLES);
    range_pad(&ylo, &yhi, 0.04);
    /* room above the data for the legend */
    yhi += 0.22 * (yhi - ylo);
    panel left = {95, 80, 440, 400, f->xlo, f->xhi, ylo, yhi};
    double tlo, thi;
    tpp_range(f, &tlo, &thi);
    thi += 0.35 * (thi - tlo);
    panel right = {650, 80, 440, 400, f->xlo, f->xhi, tlo, thi};
    page(cr);
    allocation_panel(cr, &left, f);
    tokens_per_param_panel(cr, &right, f);
    char head[256], sub[600];
    snprintf(head, sizeof head,
             "Compute-optimal allocation against compute: %s",
             f->config->law.name);
    sweep_caption(sub, sizeof sub, f->config);
    title(cr, SG_PLOT_FRONTIER_WIDTH, head, sub);
}

/* ======================================================== compare figure */

typedef struct {
    const sg_law *laws;
    size_t n_laws, n_budgets;
    double xlo, xhi;
    double *x, *ln, *ld, *ltpp; /* n_laws x n_budgets, NaN where none */
} compare_figure;

static void compare_figure_free(compare_figure *f)
{
    free(f->x);
    free(f->ln);
    free(f->ld);
    free(f->ltpp);
}

static sg_status check_compare_input(const sg_law *laws, size_t n_laws,
                                     const double *budgets, size_t n_budgets,
                                     sg_error *err)
{
    if (!laws || n_laws == 0)
        return sg_fail(err, SG_ERR_INPUT, "plot compare: no laws given");
    if (n_laws > SG_PLOT_MAX_LAWS)
        return sg_fail(err, SG_ERR_INPUT,
                       "plot compare: %zu laws (at most %d, one colour each)",
                       n_laws, SG_PLOT_MAX_LAWS);
    if (!budgets || n_budgets < 2 || n_budgets > 100000)
        return sg_fail(err, SG_ERR_INPUT,
                       "plot compare: needs 2 to 100000 budgets (got %zu)",
                       n_budgets);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n_budgets; i++) {
        if (!isfinite(budgets[i]) || budgets[i] <= 0)
            return sg_fail(err, SG_ERR_INPUT,
                           "plot compare: budget %g FLOPs is not positive "
                           "and finite", budgets[i]);
        lo = fmin(lo, budgets[i]);
        hi = fmax(hi, budgets[i]);
    }
    if (!(hi > lo))
        return sg_fail(err, SG_ERR_INPUT,
                       "plot compare: the budgets are all equal");
    for (size_t i = 0; i < n_laws; i++)
        SG_TRY(sg_law_validate(&laws[i], err));
    return SG_OK;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static sg_status compare_figure_prepare(compare_figure *f, const sg_law *laws,
                                        size_t n_laws, const double *budgets,
                                        size_t n_budgets, sg_error *err)
{
    memset(f, 0, sizeof *f);
    f->laws = laws;
    f->n_laws = n_laws;
    f->n_budgets = n_budgets;
    size_t total = n_laws * n_budgets;
    f->x = malloc(total * sizeof *f->x);
    f->ln = malloc(total * sizeof *f->ln);
    f->ld = malloc(total * sizeof *f->ld);
    f->ltpp = malloc(total * sizeof *f->ltpp);
    if (!f->x || !f->ln || !f->ld || !f->ltpp) {
        compare_figure_free(f);
        return sg_fail(err, SG_ERR_RUNTIME, "plot: out of memory");
    }
    /* the budgets in increasing order, so each law's curve runs left to
     * right whatever order the caller gave */
    for (size_t j = 0; j < n_budgets; j++)
        f->x[j] = budgets[j];
    qsort(f->x, n_budgets, sizeof *f->x, compare_doubles);
    for (size_t j = 0; j < n_budgets; j++)
        f->x[j] = log10(f->x[j]);
    f->xlo = f->x[0];
    f->xhi = f->x[n_budgets - 1];
    for (size_t i = 0; i < n_laws; i++)
        for (size_t j = 0; j < n_budgets; j++) {
            size_t at = i * n_budgets + j;
            sg_optimum opt;
            f->x[at] = f->x[j];
            int ok = sg_optimal_for_flops(&laws[i], pow(10.0, f->x[j]),
                                          SG_METHOD_AUTO, &opt,
                                          NULL) == SG_OK;
            f->ln[at] = ok ? log10(opt.params) : NAN;
            f->ld[at] = ok ? log10(opt.tokens) : NAN;
            f->ltpp[at] = ok ? log10(opt.tokens / opt.params) : NAN;
        }
    return SG_OK;
}

static void law_curves(cairo_t *cr, const panel *p, const compare_figure *f,
                       const double *y, int style)
{
    for (size_t i = 0; i < f->n_laws; i++) {
        const double *xi = f->x + i * f->n_budgets;
        const double *yi = y + i * f->n_budgets;
        path_polyline(cr, p, xi, yi, f->n_budgets);
        set_line(cr, law_colour(i), 2.0, style);
        cairo_stroke(cr);
    }
}

static void compare_legend(cairo_t *cr, const compare_figure *f, double x,
                           double y, double width)
{
    legend_entry e[SG_PLOT_MAX_LAWS];
    char text[SG_PLOT_MAX_LAWS][320];
    for (size_t i = 0; i < f->n_laws; i++) {
        const sg_law *law = &f->laws[i];
        snprintf(text[i], sizeof text[i], "%s: %s%s", law->name, law->source,
                 law->convention == SG_COUNT_NON_EMBEDDING
                     ? " (non-embedding N and C)"
                     : "");
        e[i] = (legend_entry){text[i], law_colour(i), KEY_LINE, LINE_SOLID, 1};
    }
    legend(cr, e, f->n_laws, x, y, 0, 0, width);
}

static void compare_allocation_panel(cairo_t *cr, const panel *p,
                                     const compare_figure *f)
{
    cairo_save(cr);
    clip_to(cr, p);
    background_grid(cr, p);
    law_curves(cr, p, f, f->ln, LINE_SOLID);
    law_curves(cr, p, f, f->ld, LINE_DASHED);
    cairo_restore(cr);
    axes(cr, p, "training compute C = 6ND (FLOPs; each law's convention)",
         "compute-optimal parameters N, tokens D", 0);
    legend_entry style[2] = {
        {"parameters N_opt", black, KEY_LINE, LINE_SOLID, 1},
        {"tokens D_opt", black, KEY_LINE, LINE_DASHED, 1}};
    legend(cr, style, 2, p->x + 8, p->y + 8, 0, 0, p->w);
}

static void compare_ratio_panel(cairo_t *cr, const panel *p,
                                const compare_figure *f)
{
    double rule = log10(CHINCHILLA_TOKENS_PER_PARAM);
    cairo_save(cr);
    clip_to(cr, p);
    background_grid(cr, p);
    set_line(cr, rule_green, 1.6, LINE_DOTTED);
    cairo_move_to(cr, p->x, py(p, rule));
    cairo_line_to(cr, p->x + p->w, py(p, rule));
    cairo_stroke(cr);
    law_curves(cr, p, f, f->ltpp, LINE_SOLID);
    cairo_restore(cr);
    axes(cr, p, "training compute C = 6ND (FLOPs; each law's convention)",
         "tokens per parameter D/N at the optimum", 1);
    legend_entry rule_key = {"20 tokens per parameter (Chinchilla rule)",
                             rule_green, KEY_LINE, LINE_DOTTED, 1};
    legend(cr, &rule_key, 1, p->x + 8, p->y + 8, 0, 0, p->w);
}

static void draw_compare(cairo_t *cr, const void *data)
{
    const compare_figure *f = data;
    size_t total = f->n_laws * f->n_budgets;
    double ylo = INFINITY, yhi = -INFINITY, tlo = INFINITY, thi = -INFINITY;
    range_add(&ylo, &yhi, f->ln, total);
    range_add(&ylo, &yhi, f->ld, total);
    range_pad(&ylo, &yhi, 0.04);
    yhi += 0.14 * (yhi - ylo); /* room for the legend */
    double rule = log10(CHINCHILLA_TOKENS_PER_PARAM);
    range_add(&tlo, &thi, f->ltpp, total);
    range_add(&tlo, &thi, &rule, 1);
    range_pad(&tlo, &thi, 0.06);
    thi += 0.14 * (thi - tlo);
    /* Below the panels: their axis labels (62 px), then one legend row per
     * law; the panels give up the height the legend needs. */
    double legend_h = 10 + LEGEND_ROW * (double)f->n_laws;
    double panel_h = SG_PLOT_COMPARE_HEIGHT - 80 - 62 - legend_h - 20;
    panel left = {95, 80, 440, panel_h, f->xlo, f->xhi, ylo, yhi};
    panel right = {650, 80, 440, panel_h, f->xlo, f->xhi, tlo, thi};
    page(cr);
    compare_allocation_panel(cr, &left, f);
    compare_ratio_panel(cr, &right, f);
    compare_legend(cr, f, left.x - 60, left.y + panel_h + 62,
                   SG_PLOT_COMPARE_WIDTH - left.x - 20);
    title(cr, SG_PLOT_COMPARE_WIDTH,
          "Compute-optimal allocation by law (closed forms)",
          "N_opt, D_opt and D/N that minimise each law's L(N, D) at C = 6ND; "
          "Kaplan's laws count non-embedding parameters and compute");
}

/* ========================================================== file output */

typedef void (*draw_fn)(cairo_t *cr, const void *figure);

typedef struct {
    const char *name; /* file name without extension */
    int width, height;
    draw_fn draw;
    const void *figure;
} plot_job;

static cairo_status_t write_stream(void *closure, const unsigned char *data,
                                   unsigned int length)
{
    FILE *f = closure;
    return fwrite(data, 1, length, f) == length ? CAIRO_STATUS_SUCCESS
                                                : CAIRO_STATUS_WRITE_ERROR;
}

static cairo_surface_t *create_surface(unsigned format, FILE *f, int width,
                                       int height)
{
    cairo_surface_t *s;
    switch (format) {
    case SG_PLOT_SVG:
        s = cairo_svg_surface_create_for_stream(write_stream, f, width,
                                                height);
        /* px, so that an SVG renderer at 96 dpi draws exactly the PNG's
         * size (cairo's default unit is pt: 4/3 larger) */
        cairo_svg_surface_set_document_unit(s, CAIRO_SVG_UNIT_PX);
        return s;
    case SG_PLOT_PDF:
        s = cairo_pdf_surface_create_for_stream(write_stream, f, width,
                                                height);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR,
                                       "scalegrid " SG_VERSION);
        return s;
    default:
        return cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    }
}

/* Draws the job onto a surface of the format, streaming into f. */
static sg_status render(const plot_job *job, unsigned format, FILE *f,
                        const char *path, sg_error *err)
{
    cairo_surface_t *surface =
        create_surface(format, f, job->width, job->height);
    cairo_t *cr = cairo_create(surface);
    job->draw(cr, job->figure);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    if (cs == CAIRO_STATUS_SUCCESS && format == SG_PLOT_PNG)
        cs = cairo_surface_write_to_png_stream(surface, write_stream, f);
    cairo_surface_finish(surface); /* SVG and PDF write their ends here */
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (cs != CAIRO_STATUS_SUCCESS)
        return sg_fail(err, SG_ERR_RUNTIME, "drawing '%s' failed: %s", path,
                       cairo_status_to_string(cs));
    return SG_OK;
}

static sg_status check_formats(unsigned formats, sg_error *err)
{
    if (formats == 0 || (formats & ~(unsigned)SG_PLOT_ALL_FORMATS))
        return sg_fail(err, SG_ERR_INPUT,
                       "plot formats: mask 0x%x is empty or has unknown bits",
                       formats);
    return SG_OK;
}

/* sg_plot_sweep's two figures */
#define MAX_JOBS 2

/* Writes every job in every format, all or nothing. */
static sg_status write_plots(const char *dir, const plot_job *jobs,
                             size_t n_jobs, unsigned formats, sg_error *err)
{
    SG_TRY(check_formats(formats, err));
    SG_TRY(sg_check_output_dir(dir, err));
    sg_staged_file files[MAX_JOBS * N_FORMATS];
    memset(files, 0, sizeof files);
    size_t n = 0;
    sg_status st = SG_OK;
    for (size_t j = 0; j < n_jobs && j < MAX_JOBS && st == SG_OK; j++)
        for (size_t k = 0; k < N_FORMATS && st == SG_OK; k++) {
            unsigned format = format_table[k].bit;
            if (!(formats & format))
                continue;
            char name[64];
            snprintf(name, sizeof name, "%s.%s", jobs[j].name,
                     format_table[k].ext);
            FILE *f;
            st = sg_stage_open(&files[n], dir, name, &f, err);
            n++;
            if (st != SG_OK)
                break;
            sg_status drawn =
                render(&jobs[j], format, f, files[n - 1].final_path, err);
            /* a failed drawing's message says more than the close's */
            sg_error close_err;
            sg_status closed = sg_stage_close(
                &files[n - 1], f, drawn == SG_OK ? err : &close_err);
            st = drawn != SG_OK ? drawn : closed;
        }
    if (st == SG_OK)
        return sg_staged_commit(files, n, err);
    sg_staged_discard(files, n);
    return st;
}

/* ========================================================== public API */

static sg_status check_sweep_input(const sg_sweep_config *config,
                                   const sg_sweep_result *result,
                                   sg_error *err)
{
    if (!config || !result || !result->iso_loss || !result->iso_flops)
        return sg_fail(err, SG_ERR_INPUT, "plot: no sweep result to draw");
    SG_TRY(sg_law_validate(&config->law, err));
    SG_TRY(sg_axis_validate(&config->params, "params", err));
    return sg_axis_validate(&config->tokens, "tokens", err);
}

sg_status sg_plot_sweep(const char *dir, const sg_sweep_config *config,
                        const sg_sweep_result *result, unsigned formats,
                        sg_error *err)
{
    SG_TRY(check_formats(formats, err));
    SG_TRY(check_sweep_input(config, result, err));
    contours_figure *contours = malloc(sizeof *contours);
    frontier_figure *frontier = malloc(sizeof *frontier);
    sg_status st = SG_OK;
    if (!contours || !frontier) {
        free(contours);
        free(frontier);
        return sg_fail(err, SG_ERR_RUNTIME, "plot: out of memory");
    }
    st = contours_figure_prepare(contours, config, result, err);
    if (st == SG_OK) {
        st = frontier_figure_prepare(frontier, config, result, err);
        if (st == SG_OK) {
            plot_job jobs[2] = {
                {"contours", SG_PLOT_CONTOURS_WIDTH, SG_PLOT_CONTOURS_HEIGHT,
                 draw_contours, contours},
                {"frontier", SG_PLOT_FRONTIER_WIDTH, SG_PLOT_FRONTIER_HEIGHT,
                 draw_frontier, frontier}};
            st = write_plots(dir, jobs, 2, formats, err);
            frontier_figure_free(frontier);
        }
        contours_figure_free(contours);
    }
    free(contours);
    free(frontier);
    return st;
}

sg_status sg_plot_remove_stale(const char *dir, unsigned drawn,
                               sg_error *err)
{
    static const char *const names[] = {"contours", "frontier"};
    static const unsigned formats[] = {SG_PLOT_SVG, SG_PLOT_PNG, SG_PLOT_PDF};
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        if (drawn & formats[f])
            continue;
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
            char path[PATH_MAX];
            if (snprintf(path, sizeof path, "%s/%s.%s", dir, names[n],
                         sg_plot_format_ext(formats[f])) >= (int)sizeof path)
                return sg_fail(err, SG_ERR_INPUT, "path too long in '%s'",
                               dir);
            if (unlink(path) != 0 && errno != ENOENT)
                return sg_fail(err, SG_ERR_RUNTIME,
                               "cannot remove the earlier run's %s: %s", path,
                               strerror(errno));
        }
    }
    return SG_OK;
}

sg_status sg_plot_compare(const char *dir, const sg_law *laws, size_t n_laws,
                          const double *budgets, size_t n_budgets,
                          unsigned formats, sg_error *err)
{
    SG_TRY(check_formats(formats, err));
    SG_TRY(check_compare_input(laws, n_laws, budgets, n_budgets, err));
    compare_figure figure;
    SG_TRY(compare_figure_prepare(&figure, laws, n_laws, budgets, n_budgets,
                                  err));
    plot_job job = {"compare", SG_PLOT_COMPARE_WIDTH, SG_PLOT_COMPARE_HEIGHT,
                    draw_compare, &figure};
    sg_status st = write_plots(dir, &job, 1, formats, err);
    compare_figure_free(&figure);
    return st;
}

void sg_plot_release_caches(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
