/*
 * The number and range syntax shared by the command line and JSON configs:
 * numbers in scientific notation with optional K/M/B/T suffixes, axes as
 * LO:HI:COUNT, levels as LO:HI:COUNT or COUNT.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Largest count an axis may have: its per-point arrays stay addressable and
 * rows * cols stays far inside 64-bit flat indices. */
#define MAX_AXIS_COUNT (UINT64_C(1) << 32)
/* Largest level count: bins are per thread, 16 bytes per level. */
#define MAX_LEVEL_COUNT (1u << 22)
/* Adjacent axis points must differ by at least this relative amount so that
 * double precision keeps them strictly increasing. */
#define MIN_AXIS_LOG_STEP 1e-12

static double suffix_scale(char c)
{
    switch (c) {
    case 'K': case 'k': return 1e3;
    case 'M': case 'm': return 1e6;
    case 'B': case 'b': return 1e9;
    case 'T': case 't': return 1e12;
    default: return 0;
    }
}

sg_status sg_parse_number(const char *text, double *out, sg_error *err)
{
    if (!text || !*text)
        return sg_fail(err, SG_ERR_INPUT, "empty number");
    if (!(text[0] == '-' || text[0] == '+' || text[0] == '.' ||
          (text[0] >= '0' && text[0] <= '9')))
        return sg_fail(err, SG_ERR_INPUT, "'%s' is not a number", text);
    /* strtod also reads C's hexadecimal floats (0x10, 0x1p4): not numbers
     * anyone writes for a model size, and too easy to mistype. */
    if (strstr(text, "0x") || strstr(text, "0X"))
        return sg_fail(err, SG_ERR_INPUT,
                       "'%s' is not a decimal number (hexadecimal is not "
                       "accepted)",
                       text);
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text)
        return sg_fail(err, SG_ERR_INPUT, "'%s' is not a number", text);
    if (errno == ERANGE && fabs(value) > 1.0)
        return sg_fail(err, SG_ERR_INPUT, "'%s' is out of range", text);
    if (*end) {
        double scale = suffix_scale(*end);
        if (scale == 0 || end[1] != '\0')
            return sg_fail(err, SG_ERR_INPUT,
                           "'%s' is not a number (suffixes: K, M, B, T)",
                           text);
        value *= scale;
    }
    if (!isfinite(value))
        return sg_fail(err, SG_ERR_INPUT, "'%s' is not a finite number",
                       text);
    *out = value;
    return SG_OK;
}

/* Splits "a:b:c" into exactly `want` parts (1 or 3 allowed by callers). */
static int split_colons(char *buf, char **parts, int max_parts)
{
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == max_parts)
            return -1;
        parts[n++] = p;
        char *colon = strchr(p, ':');
        if (!colon)
            return n;
        *colon = '\0';
        p = colon + 1;
    }
}

static sg_status parse_count(const char *text, uint64_t min, uint64_t max,
                             uint64_t *out, sg_error *err)
{
    double value = 0;
    SG_TRY(sg_parse_number(text, &value, err));
    if (value != floor(value))
        return sg_fail(err, SG_ERR_INPUT, "count '%s' is not a whole number",
                       text);
    if (value < (double)min)
        return sg_fail(err, SG_ERR_INPUT, "count '%s' must be at least %llu",
                       text, (unsigned long long)min);
    if (value > (double)max)
        return sg_fail(err, SG_ERR_INPUT,
                       "count '%s' is too large (at most %llu)", text,
                       (unsigned long long)max);
    *out = (uint64_t)value;
    return SG_OK;
}

static sg_status parse_range(const char *text, double *lo, double *hi,
                             uint64_t *count, uint64_t min_count,
                             uint64_t max_count, int allow_count_only, int *count_only,
                             sg_error *err)
{
    char buf[256];
    if (strlen(text) >= sizeof buf)
        return sg_fail(err, SG_ERR_INPUT, "range '%.40s...' is too long",
                       text);
    strcpy(buf, text);
    char *parts[3];
    int n = split_colons(buf, parts, 3);
    if (n == 1 && allow_count_only) {
        *count_only = 1;
        return parse_count(parts[0], min_count, max_count, count, err);
    }
    if (n != 3)
        return sg_fail(err, SG_ERR_INPUT,
                       "range '%s' is not LO:HI:COUNT%s", text,
                       allow_count_only ? " or COUNT" : "");
    if (count_only)
        *count_only = 0;
    sg_status st = sg_parse_number(parts[0], lo, err);
    if (st == SG_OK)
        st = sg_parse_number(parts[1], hi, err);
    if (st == SG_OK)
        st = parse_count(parts[2], min_count, max_count, count, err);
    if (st != SG_OK)
        return sg_prefix(err, st, "range '%s': ", text);
    return SG_OK;
}

sg_status sg_parse_axis(const char *text, sg_axis *out, sg_error *err)
{
    sg_axis axis;
    SG_TRY(parse_range(text, &axis.lo, &axis.hi, &axis.count, 1,
                       MAX_AXIS_COUNT, 0, NULL, err));
    *out = axis;
    return SG_OK;
}

sg_status sg_parse_levels(const char *text, sg_levels *out, sg_error *err)
{
    sg_levels levels = {0};
    uint64_t count;
    int count_only = 0;
    /* Levels are band edges: two at least make one band. */
    SG_TRY(parse_range(text, &levels.lo, &levels.hi, &count, 2,
                       MAX_LEVEL_COUNT, 1, &count_only, err));
    levels.count = (uint32_t)count;
    levels.span_grid = count_only;
    *out = levels;
    return SG_OK;
}

sg_status sg_axis_validate(const sg_axis *axis, const char *what,
                           sg_error *err)
{
    if (!isfinite(axis->lo) || !isfinite(axis->hi))
        return sg_fail(err, SG_ERR_INPUT, "%s range must be finite", what);
    if (axis->lo <= 0 || axis->hi <= 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s range must be positive (got %g:%g): the axis is "
                       "log-spaced",
                       what, axis->lo, axis->hi);
    if (axis->count < 1)
        return sg_fail(err, SG_ERR_INPUT, "%s count must be at least 1",
                       what);
    if (axis->count > MAX_AXIS_COUNT)
        return sg_fail(err, SG_ERR_INPUT, "%s count %llu is too large (at "
                       "most 2^32)", what, (unsigned long long)axis->count);
    if (axis->lo > axis->hi)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s range is reversed (%g > %g): give LO:HI with LO < HI",
                       what, axis->lo, axis->hi);
    if (axis->count == 1) {
        if (axis->lo != axis->hi)
            return sg_fail(err, SG_ERR_INPUT,
                           "%s has one point but LO != HI (%g:%g)", what,
                           axis->lo, axis->hi);
        return SG_OK;
    }
    if (axis->lo == axis->hi)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s range is empty (LO == HI == %g) with %llu points",
                       what, axis->lo, (unsigned long long)axis->count);
    double step = (log(axis->hi) - log(axis->lo)) / (double)(axis->count - 1);
    if (!(step >= MIN_AXIS_LOG_STEP))
        return sg_fail(err, SG_ERR_INPUT,
                       "%s has %llu points on %g:%g, closer than double "
                       "precision can keep apart",
                       what, (unsigned long long)axis->count, axis->lo,
                       axis->hi);
    return SG_OK;
}

sg_status sg_levels_validate(const sg_levels *levels, const char *what,
                             sg_error *err)
{
    if (levels->count < 2)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s count must be at least 2 (got %u)", what,
                       levels->count);
    if (levels->count > MAX_LEVEL_COUNT)
        return sg_fail(err, SG_ERR_INPUT, "%s count %u is too large (at most "
                       "%u)", what, levels->count, MAX_LEVEL_COUNT);
    if (levels->span_grid)
        return SG_OK;
    if (!isfinite(levels->lo) || !isfinite(levels->hi))
        return sg_fail(err, SG_ERR_INPUT, "%s must be finite", what);
    if (levels->lo <= 0 || levels->hi <= 0)
        return sg_fail(err, SG_ERR_INPUT, "%s must be positive (got %g:%g)",
                       what, levels->lo, levels->hi);
    if (levels->lo >= levels->hi)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s range is %s (%g:%g): give LO:HI with LO < HI", what,
                       levels->lo > levels->hi ? "reversed" : "empty",
                       levels->lo, levels->hi);
    return SG_OK;
}

double sg_axis_value(const sg_axis *axis, uint64_t index)
{
    double ln_lo = log(axis->lo);
    double step = axis->count > 1
                      ? (log(axis->hi) - ln_lo) / (double)(axis->count - 1)
                      : 0.0;
    return sg_axis_point(axis->lo, axis->hi, axis->count, ln_lo, step, index);
}
