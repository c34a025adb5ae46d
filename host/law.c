/*
 * The law catalogue: presets with their constants, conventions and sources
 * (../shared/reference/laws.md), constant access by name, validation, and the
 * scalar double-precision evaluation every backend is checked against.
 */
#include "scalegrid.h"
#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const sg_law presets[] = {
    {
        .name = "chinchilla",
        .source = "Hoffmann et al. 2022, eq. 10 (constants rounded, as printed)",
        .form = SG_FORM_CHINCHILLA,
        .convention = SG_COUNT_ALL_PARAMS,
        .E = 1.69, .A = 406.4, .B = 410.7, .alpha = 0.34, .beta = 0.28,
    },
    {
        .name = "chinchilla-full",
        .source = "Hoffmann et al. 2022, full-precision constants from the "
                  "TeX source (quoted by Epoch AI's notebook)",
        .form = SG_FORM_CHINCHILLA,
        .convention = SG_COUNT_ALL_PARAMS,
        /* E = exp(0.5267228), A = exp(6.0073404), B = exp(6.0179186) */
        .E = 1.6933736809989528,
        .A = 406.4010175194737,
        .B = 410.7228269450398,
        .alpha = 0.33917084,
        .beta = 0.2849083,
    },
    {
        .name = "epoch2024",
        .source = "Besiroglu et al. 2024, Chinchilla Scaling: A replication "
                  "attempt, arXiv 2404.10102",
        .form = SG_FORM_CHINCHILLA,
        .convention = SG_COUNT_ALL_PARAMS,
        .E = 1.8172, .A = 482.01, .B = 2085.43, .alpha = 0.3478, .beta = 0.3658,
    },
    {
        .name = "kaplan",
        .source = "Kaplan et al. 2020, eq. 1.5 with Table 5 constants",
        .form = SG_FORM_KAPLAN,
        .convention = SG_COUNT_NON_EMBEDDING,
        .Nc = 8.8e13, .Dc = 5.4e13, .aN = 0.076, .aD = 0.095,
    },
    {
        .name = "kaplan-joint",
        .source = "Kaplan et al. 2020, eq. 1.5 with Table 2 constants (the "
                  "joint L(N, D) fit)",
        .form = SG_FORM_KAPLAN,
        .convention = SG_COUNT_NON_EMBEDDING,
        .Nc = 6.4e13, .Dc = 1.8e13, .aN = 0.076, .aD = 0.103,
    },
    {
        .name = "muennighoff",
        .source = "Muennighoff et al. 2023, Scaling Data-Constrained Language "
                  "Models (constants from the huggingface/datablations README)",
        .form = SG_FORM_MUENNIGHOFF,
        .convention = SG_COUNT_ALL_PARAMS,
        /* E = exp(0.6254804), A = exp(6.255414), B = exp(7.3049974) */
        .E = 1.8691436784054858,
        .A = 520.8249516599187,
        .B = 1487.716093782861,
        .alpha = 0.3526596,
        .beta = 0.3526596,
        .rd_star = 15.387756,
        .rn_star = 5.309743,
    },
};

/* Kaplan Table 5, eq. 1.3: L(Cmin) = (Cc_min / Cmin)^aC_min, Cmin in PF-days. */
#define KAPLAN_ALPHA_C_MIN 0.050
#define KAPLAN_C_C_MIN_PF_DAYS 3.1e8
/* Kaplan eq. 4.4: D >~ 5e3 N^0.74 keeps the overfitting penalty under ~2%. */
#define KAPLAN_OVERFIT_COEFF 5e3
#define KAPLAN_OVERFIT_EXPONENT 0.74

typedef struct {
    const char *name;
    size_t offset;
    int may_be_zero;
} constant_slot;

static const constant_slot chinchilla_slots[] = {
    {"E", offsetof(sg_law, E), 1},
    {"A", offsetof(sg_law, A), 0},
    {"B", offsetof(sg_law, B), 0},
    {"alpha", offsetof(sg_law, alpha), 0},
    {"beta", offsetof(sg_law, beta), 0},
};

static const constant_slot kaplan_slots[] = {
    {"Nc", offsetof(sg_law, Nc), 0},
    {"Dc", offsetof(sg_law, Dc), 0},
    {"aN", offsetof(sg_law, aN), 0},
    {"aD", offsetof(sg_law, aD), 0},
};

static const constant_slot muennighoff_slots[] = {
    {"E", offsetof(sg_law, E), 1},
    {"A", offsetof(sg_law, A), 0},
    {"B", offsetof(sg_law, B), 0},
    {"alpha", offsetof(sg_law, alpha), 0},
    {"beta", offsetof(sg_law, beta), 0},
    {"RD_star", offsetof(sg_law, rd_star), 0},
    {"RN_star", offsetof(sg_law, rn_star), 0},
};

static const constant_slot *slots_of(const sg_law *law, size_t *count)
{
    if (law->form == SG_FORM_MUENNIGHOFF) {
        *count = sizeof muennighoff_slots / sizeof muennighoff_slots[0];
        return muennighoff_slots;
    }
    if (law->form == SG_FORM_KAPLAN) {
        *count = sizeof kaplan_slots / sizeof kaplan_slots[0];
        return kaplan_slots;
    }
    *count = sizeof chinchilla_slots / sizeof chinchilla_slots[0];
    return chinchilla_slots;
}

static double *slot_ptr(sg_law *law, const constant_slot *slot)
{
    return (double *)((char *)law + slot->offset);
}

size_t sg_law_preset_count(void)
{
    return sizeof presets / sizeof presets[0];
}

const sg_law *sg_law_preset_at(size_t index)
{
    return index < sg_law_preset_count() ? &presets[index] : NULL;
}

static void append_preset_names(char *buf, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < sg_law_preset_count() && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         presets[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

sg_status sg_law_preset(const char *name, sg_law *out, sg_error *err)
{
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        if (strcmp(presets[i].name, name) == 0) {
            *out = presets[i];
            return SG_OK;
        }
    }
    char names[256];
    append_preset_names(names, sizeof names);
    return sg_fail(err, SG_ERR_INPUT, "unknown law '%s' (known: %s)", name,
                   names);
}

static const char *const form_names[] = {"chinchilla", "kaplan",
                                         "muennighoff"};
#define FORM_COUNT (sizeof form_names / sizeof form_names[0])

const char *sg_form_name(sg_form form)
{
    return (size_t)form < FORM_COUNT ? form_names[form] : "chinchilla";
}

sg_status sg_form_from_name(const char *name, sg_form *out, sg_error *err)
{
    for (size_t i = 0; i < FORM_COUNT; i++)
        if (strcmp(name, form_names[i]) == 0) {
            *out = (sg_form)i;
            return SG_OK;
        }
    return sg_fail(err, SG_ERR_INPUT,
                   "unknown law form '%s' (known: chinchilla, kaplan, "
                   "muennighoff)",
                   name);
}

const char *sg_convention_name(sg_convention convention)
{
    return convention == SG_COUNT_NON_EMBEDDING
               ? "non-embedding parameters and compute"
               : "all parameters (embeddings included)";
}

const char *sg_law_formula(const sg_law *law)
{
    switch (law->form) {
    case SG_FORM_KAPLAN: return "[(Nc/N)^(aN/aD) + Dc/D]^aD";
    case SG_FORM_MUENNIGHOFF:
        return "E + A/N'^alpha + B/D'^beta, D' = U_D + U_D RD_star "
               "(1 - exp(-R_D/RD_star)), N' alike with U_N, RN_star";
    default: return "E + A/N^alpha + B/D^beta";
    }
}

size_t sg_law_constant_count(const sg_law *law)
{
    size_t count;
    slots_of(law, &count);
    return count;
}

const char *sg_law_constant_name(const sg_law *law, size_t index)
{
    size_t count;
    const constant_slot *slots = slots_of(law, &count);
    return index < count ? slots[index].name : NULL;
}

double sg_law_constant_value(const sg_law *law, size_t index)
{
    size_t count;
    const constant_slot *slots = slots_of(law, &count);
    if (index >= count)
        return NAN;
    return *(const double *)((const char *)law + slots[index].offset);
}

static void append_constant_names(const sg_law *law, char *buf, size_t size)
{
    size_t count, used = 0;
    const constant_slot *slots = slots_of(law, &count);
    buf[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         slots[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

sg_status sg_law_set_constant(sg_law *law, const char *key, double value,
                              sg_error *err)
{
    size_t count;
    const constant_slot *slots = slots_of(law, &count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(slots[i].name, key) == 0) {
            *slot_ptr(law, &slots[i]) = value;
            return SG_OK;
        }
    }
    char names[128];
    append_constant_names(law, names, sizeof names);
    return sg_fail(err, SG_ERR_INPUT,
                   "law '%s' (%s form) has no constant '%s' (it has: %s)",
                   law->name, sg_form_name(law->form), key, names);
}

void sg_law_mark_modified(sg_law *law)
{
    static const char suffix[] = " (modified)";
    size_t len = strlen(law->name);
    if (len >= sizeof suffix - 1 &&
        strcmp(law->name + len - (sizeof suffix - 1), suffix) == 0)
        return;
    if (len + sizeof suffix <= sizeof law->name)
        memcpy(law->name + len, suffix, sizeof suffix);
}

sg_status sg_law_apply_settings(sg_law *law, const char *settings,
                                sg_error *err)
{
    char buf[1024];
    if (strlen(settings) >= sizeof buf)
        return sg_fail(err, SG_ERR_INPUT, "--set list is too long");
    strcpy(buf, settings);
    if (buf[0] == '\0')
        return sg_fail(err, SG_ERR_INPUT,
                       "--set needs key=value pairs, e.g. alpha=0.3,E=1.8");
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || eq[1] == '\0')
            return sg_fail(err, SG_ERR_INPUT,
                           "--set item '%s' is not key=value", item);
        *eq = '\0';
        double value;
        sg_status st = sg_parse_number(eq + 1, &value, err);
        if (st != SG_OK)
            return sg_prefix(err, st, "--set %s: ", item);
        SG_TRY(sg_law_set_constant(law, item, value, err));
    }
    sg_law_mark_modified(law);
    return SG_OK;
}

/* U is a scenario the Muennighoff form cannot do without, and means
 * nothing to the others. */
static sg_status check_unique_tokens(const sg_law *law, sg_error *err)
{
    if (law->form != SG_FORM_MUENNIGHOFF) {
        if (law->unique_tokens != 0)
            return sg_fail(err, SG_ERR_INPUT,
                           "unique tokens apply to the muennighoff law only "
                           "(law '%s' is of the %s form)",
                           law->name, sg_form_name(law->form));
        return SG_OK;
    }
    if (law->unique_tokens == 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' needs the unique-token budget U: give "
                       "--unique-tokens U (\"unique_tokens\" in a config)",
                       law->name);
    if (!isfinite(law->unique_tokens) || law->unique_tokens < 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "unique tokens must be a positive number (got %g)",
                       law->unique_tokens);
    return SG_OK;
}

sg_status sg_law_validate(const sg_law *law, sg_error *err)
{
    SG_TRY(sg_law_validate_constants(law, err));
    return check_unique_tokens(law, err);
}

sg_status sg_law_validate_constants(const sg_law *law, sg_error *err)
{
    size_t count;
    const constant_slot *slots = slots_of(law, &count);
    for (size_t i = 0; i < count; i++) {
        double v = *(const double *)((const char *)law + slots[i].offset);
        if (!isfinite(v))
            return sg_fail(err, SG_ERR_INPUT,
                           "law '%s': constant %s is not a finite number",
                           law->name, slots[i].name);
        if (v < 0 || (v == 0 && !slots[i].may_be_zero))
            return sg_fail(err, SG_ERR_INPUT,
                           "law '%s': constant %s must be %s (got %g)",
                           law->name, slots[i].name,
                           slots[i].may_be_zero ? "non-negative" : "positive",
                           v);
    }
    return SG_OK;
}

sg_status sg_law_set_unique_tokens(sg_law *law, double unique_tokens,
                                   sg_error *err)
{
    if (law->form != SG_FORM_MUENNIGHOFF)
        return sg_fail(err, SG_ERR_INPUT,
                       "unique tokens apply to the muennighoff law only "
                       "(law '%s' is of the %s form)",
                       law->name, sg_form_name(law->form));
    if (!isfinite(unique_tokens) || unique_tokens <= 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "unique tokens must be a positive number (got %g)",
                       unique_tokens);
    law->unique_tokens = unique_tokens;
    return SG_OK;
}

sg_data_constrained sg_law_data_constrained(const sg_law *law, double params,
                                            double tokens)
{
    sg_point_law p = sg_point_law_of(law);
    sg_data_constrained d;
    d.unique_tokens = fmin(law->unique_tokens, tokens);
    d.epochs = tokens / law->unique_tokens; /* < 1: part of the data */
    sg_muennighoff_effective(&p, params, tokens, &d.effective_params,
                             &d.effective_tokens);
    return d;
}

sg_point_law sg_point_law_of(const sg_law *law)
{
    sg_point_law p = {0};
    p.form = law->form == SG_FORM_KAPLAN        ? SG_PM_FORM_KAPLAN
             : law->form == SG_FORM_MUENNIGHOFF ? SG_PM_FORM_MUENNIGHOFF
                                                : SG_PM_FORM_CHINCHILLA;
    if (law->form == SG_FORM_MUENNIGHOFF) {
        /* D_to_N(x) = (x G)^(beta/alpha) G, G as in Chinchilla eq. 4 */
        p.unique_tokens = law->unique_tokens;
        p.rd_star = law->rd_star;
        p.rn_star = law->rn_star;
        p.G = pow(law->alpha * law->A / (law->beta * law->B),
                  1.0 / (law->alpha + law->beta));
        p.d_to_n_exponent = law->beta / law->alpha;
    }
    p.E = law->E;
    p.A = law->A;
    p.B = law->B;
    p.alpha = law->alpha;
    p.beta = law->beta;
    p.Nc = law->Nc;
    p.Dc = law->Dc;
    p.aD = law->aD;
    p.p = law->form == SG_FORM_KAPLAN ? law->aN / law->aD : 0.0;
    return p;
}

/* ((1 + z)^-a - 1) / z, q's target (-a at z = 0, its limit). */
static double power_poly_target(double a, double z)
{
    return z == 0.0 ? -a : expm1(-a * log1p(z)) / z;
}

/* q's coefficients, lowest degree first: the polynomial through q's
 * target at the Chebyshev nodes of [-Z_MAX, Z_MAX] (within a small factor
 * of the least maximum error), by divided differences turned into powers
 * of z, in double. */
static void power_poly_fit(double a, double coeffs[SG_F32_POWER_COEFFS])
{
    enum { n = SG_F32_POWER_COEFFS };
    const double pi = 3.14159265358979323846;
    double node[n], diff[n];
    for (int j = 0; j < n; j++) {
        node[j] = SG_F32_POWER_Z_MAX * cos((2 * j + 1) * pi / (2 * n));
        diff[j] = power_poly_target(a, node[j]);
    }
    for (int level = 1; level < n; level++) /* Newton's divided differences */
        for (int j = n - 1; j >= level; j--)
            diff[j] = (diff[j] - diff[j - 1]) / (node[j] - node[j - level]);
    /* Horner on the Newton form: c(z) = diff[n-1], then c(z) (z - node[j]) +
     * diff[j], each step on the coefficient vector */
    for (int j = 0; j < n; j++)
        coeffs[j] = 0.0;
    coeffs[0] = diff[n - 1];
    for (int j = n - 2; j >= 0; j--) {
        for (int d = n - 1; d >= 1; d--)
            coeffs[d] = coeffs[d - 1] - node[j] * coeffs[d];
        coeffs[0] = diff[j] - node[j] * coeffs[0];
    }
}

/* scale[k] = coef (2^e / inv_centre[i])^-exponent for table index k =
 * 4 (e + 127) + i, or NaN where x has no normal octave (e + 127 of 0 or
 * 255) or the power leaves float's normal range (no sweep reads those:
 * the host checks its grid's terms first). */
static float power_scale(double coef, double exponent, int k,
                         const float inv_centre[SG_F32_POWER_INTERVALS])
{
    int biased = k / SG_F32_POWER_INTERVALS;
    if (biased == 0 || biased == 255)
        return NAN;
    double log2_base = (double)(biased - 127) -
                       log2((double)inv_centre[k % SG_F32_POWER_INTERVALS]);
    double log2_scale = log2(coef) - exponent * log2_base;
    if (!(fabs(log2_scale) <= 125.0))
        return NAN;
    return (float)exp2(log2_scale);
}

/* The tables and coefficients of coef x^-exponent for sg_math_f32.h,
 * computed in double and rounded once. */
static void sg_power_f32_of(sg_power_f32 *pw, double coef, double exponent)
{
    const int intervals = SG_F32_POWER_INTERVALS;
    for (int i = 0; i < intervals; i++) {
        /* the centre of mantissa interval [1 + i/4, 1 + (i+1)/4) */
        double centre = SG_F32_CENTRE_SCALE * exp2((double)i / intervals);
        pw->inv_centre[i] = (float)(1.0 / centre);
    }
    double coeffs[SG_F32_POWER_COEFFS];
    power_poly_fit(exponent, coeffs);
    for (int j = 0; j < SG_F32_POWER_COEFFS; j++)
        pw->poly[j] = (float)coeffs[j];
    for (int k = 0; k < SG_F32_POWER_TABLE; k++)
        pw->scale[k] = power_scale(coef, exponent, k, pw->inv_centre);
}

sg_point_law_f32 sg_point_law_f32_of(const sg_law *law)
{
    sg_point_law_f32 p;
    p.E = (float)law->E;
    sg_power_f32_of(&p.row, law->A, law->alpha);
    sg_power_f32_of(&p.col, law->B, law->beta);
    return p;
}

double sg_law_loss(const sg_law *law, double params, double tokens)
{
    sg_point_law p = sg_point_law_of(law);
    return sg_point_loss(&p, params, tokens);
}

double sg_law_floor(const sg_law *law)
{
    if (law->form == SG_FORM_KAPLAN)
        return 0.0;
    if (law->form != SG_FORM_MUENNIGHOFF || !(law->unique_tokens > 0))
        return law->E;
    /* Data-constrained: D' <= U (1 + R_D*), N' <= D_to_N(U) (1 + R_N*). */
    sg_point_law p = sg_point_law_of(law);
    double base = pow(law->unique_tokens * p.G, p.d_to_n_exponent) * p.G;
    return law->E + law->A * pow(base * (1.0 + law->rn_star), -law->alpha) +
           law->B * pow(law->unique_tokens * (1.0 + law->rd_star), -law->beta);
}

double sg_kaplan_loss_params(const sg_law *law, double params)
{
    return pow(law->Nc / params, law->aN);
}

double sg_kaplan_loss_tokens(const sg_law *law, double tokens)
{
    return pow(law->Dc / tokens, law->aD);
}

double sg_kaplan_loss_compute(double pf_days)
{
    return pow(KAPLAN_C_C_MIN_PF_DAYS / pf_days, KAPLAN_ALPHA_C_MIN);
}

double sg_overfit_threshold_tokens(double params)
{
    return KAPLAN_OVERFIT_COEFF * pow(params, KAPLAN_OVERFIT_EXPONENT);
}

double sg_flops(double params, double tokens)
{
    return sg_point_flops(params, tokens);
}
