/*
 * Compute-optimal points: the least loss for a budget C = 6 N D, and the
 * least compute reaching a target loss.
 *
 * Closed forms (laws.md):
 *  - Chinchilla eq. 4: N = G (C/6)^a, D = (C/6)^b / G, and its inverse
 *    through the reducible loss K (C/6)^(-alpha beta/(alpha+beta)).
 *  - Kaplan eq. 1.5 with x = (Nc/N)^(aN/aD), y = Dc/D: both optima satisfy
 *    y = (aN/aD) x (the iso-loss optimum; under fixed C the same condition
 *    gives N^(1+p) = p Nc^p C / (6 Dc)).
 * Numeric: the optimum is where the loss's log-derivatives in N and D agree
 * (d L/d ln N = d L/d ln D), found by bisection in u = ln N to double
 * precision (well below the 1e-12 relative the API promises). It needs no
 * closed form, so it serves laws without one and cross-checks those with one.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#define LN6 1.791759469228055
/* Half-width of the bisection bracket in ln N: N over a factor e^300. */
#define BRACKET_HALF_WIDTH 150.0
#define BISECTION_STEPS 200

const char *sg_method_name(sg_method method)
{
    switch (method) {
    case SG_METHOD_CLOSED_FORM: return "closed-form";
    case SG_METHOD_NUMERIC: return "numeric";
    default: return "auto";
    }
}

sg_status sg_chinchilla_allocation(const sg_law *law, double *G, double *a,
                                   double *b, sg_error *err)
{
    if (law->form != SG_FORM_CHINCHILLA)
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' is not of the Chinchilla form", law->name);
    double sum = law->alpha + law->beta;
    *G = pow(law->alpha * law->A / (law->beta * law->B), 1.0 / sum);
    *a = law->beta / sum;
    *b = law->alpha / sum;
    return SG_OK;
}

static sg_status finish(const sg_law *law, double params, double tokens,
                        sg_method method, sg_optimum *out, sg_error *err)
{
    if (!isfinite(params) || !isfinite(tokens) || params <= 0 || tokens <= 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "the optimum of law '%s' lies outside double range "
                       "(N = %g, D = %g)",
                       law->name, params, tokens);
    out->params = params;
    out->tokens = tokens;
    out->flops = sg_flops(params, tokens);
    out->inference_flops = 0.0;
    out->total_flops = out->flops;
    out->loss = sg_law_loss(law, params, tokens);
    out->method = method;
    return SG_OK;
}

/* The optimum of a budget: reported at the budget itself (6 N D equals it
 * but for rounding in the last bit). */
static sg_status finish_for_flops(const sg_law *law, double flops,
                                  double params, sg_method method,
                                  sg_optimum *out, sg_error *err)
{
    SG_TRY(finish(law, params, flops / (6.0 * params), method, out, err));
    out->flops = out->total_flops = flops;
    return SG_OK;
}


/* ------------------------------------------------------- closed forms */

static sg_status chinchilla_for_flops(const sg_law *law, double flops,
                                      sg_optimum *out, sg_error *err)
{
    double G = 0, a = 0, b = 0;
    SG_TRY(sg_chinchilla_allocation(law, &G, &a, &b, err));
    (void)b; /* D = C / (6N) = (C/6)^b / G */
    return finish_for_flops(law, flops, G * pow(flops / 6.0, a),
                            SG_METHOD_CLOSED_FORM, out, err);
}

static sg_status chinchilla_for_loss(const sg_law *law, double loss,
                                     sg_optimum *out, sg_error *err)
{
    double G = 0, a = 0, b = 0;
    SG_TRY(sg_chinchilla_allocation(law, &G, &a, &b, err));
    double K = law->A * pow(G, -law->alpha) + law->B * pow(G, law->beta);
    double exponent = law->alpha * law->beta / (law->alpha + law->beta);
    /* reducible = K (C/6)^-exponent  =>  C/6 = (reducible / K)^(-1/exponent) */
    double c6 = pow((loss - law->E) / K, -1.0 / exponent);
    return finish(law, G * pow(c6, a), pow(c6, b) / G, SG_METHOD_CLOSED_FORM,
                  out, err);
}

static double kaplan_p(const sg_law *law)
{
    return law->aN / law->aD;
}

static sg_status kaplan_for_flops(const sg_law *law, double flops,
                                  sg_optimum *out, sg_error *err)
{
    double p = kaplan_p(law);
    double ln_n = (log(p) + p * log(law->Nc) + log(flops) - LN6 -
                   log(law->Dc)) / (1.0 + p);
    return finish_for_flops(law, flops, exp(ln_n), SG_METHOD_CLOSED_FORM, out,
                            err);
}

static sg_status kaplan_for_loss(const sg_law *law, double loss,
                                 sg_optimum *out, sg_error *err)
{
    double p = kaplan_p(law);
    double s = pow(loss, 1.0 / law->aD);
    double x = s / (1.0 + p);
    double y = s - x;
    return finish(law, law->Nc * pow(x, -1.0 / p), law->Dc / y,
                  SG_METHOD_CLOSED_FORM, out, err);
}

/* ------------------------------------------------------------ numeric */

/*
 * Stationarity of the loss along a constraint, as a function of u = ln N:
 * proportional to d L/d ln D - d L/d ln N with a positive factor dropped.
 * Negative while N is too small, positive once N is too large.
 *   Chinchilla: d L/d ln N = -alpha f, d L/d ln D = -beta g with
 *               f = A N^-alpha, g = B D^-beta.
 *   Kaplan:     both carry the factor aD S^(aD-1) > 0; what remains is
 *               -p x and -y with x = (Nc/N)^p, y = Dc/D.
 */
static double stationarity(const sg_law *law, double n_term, double d_term)
{
    if (law->form == SG_FORM_KAPLAN)
        return d_term - kaplan_p(law) * n_term;
    return law->beta * d_term - law->alpha * n_term;
}

static double n_term_at(const sg_law *law, double ln_params)
{
    if (law->form == SG_FORM_KAPLAN)
        return exp(kaplan_p(law) * (log(law->Nc) - ln_params));
    return law->A * exp(-law->alpha * ln_params);
}

/* D's term on the iso-FLOP line D = C / (6N). */
static double d_term_for_flops(const sg_law *law, double ln_flops,
                               double ln_params)
{
    double ln_tokens = ln_flops - LN6 - ln_params;
    if (law->form == SG_FORM_KAPLAN)
        return law->Dc * exp(-ln_tokens);
    return law->B * exp(-law->beta * ln_tokens);
}

/* D's term on the iso-loss contour L(N, D) = loss: what the loss leaves. */
static double d_term_for_loss(const sg_law *law, double loss, double n_term)
{
    if (law->form == SG_FORM_KAPLAN)
        return pow(loss, 1.0 / law->aD) - n_term;
    return loss - law->E - n_term;
}

static double tokens_from_d_term(const sg_law *law, double d_term)
{
    if (law->form == SG_FORM_KAPLAN)
        return law->Dc / d_term;
    return pow(law->B / d_term, 1.0 / law->beta);
}

typedef struct {
    const sg_law *law;
    int for_loss;  /* 1: iso-loss contour, 0: iso-FLOP line */
    double target; /* loss, or ln C */
} constraint;

static double constrained_stationarity(const constraint *c, double u)
{
    double n_term = n_term_at(c->law, u);
    double d_term = c->for_loss ? d_term_for_loss(c->law, c->target, n_term)
                                : d_term_for_flops(c->law, c->target, u);
    return stationarity(c->law, n_term, d_term);
}

static double bisect(const constraint *c, double lo, double hi)
{
    for (int i = 0; i < BISECTION_STEPS && hi - lo > 1e-15 * fabs(lo); i++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (constrained_stationarity(c, mid) < 0)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static sg_status numeric_for_flops(const sg_law *law, double flops,
                                   sg_optimum *out, sg_error *err)
{
    constraint c = {law, 0, log(flops)};
    double mid = 0.5 * (c.target - LN6);
    double lo = mid - BRACKET_HALF_WIDTH, hi = mid + BRACKET_HALF_WIDTH;
    if (!(constrained_stationarity(&c, lo) < 0 &&
          constrained_stationarity(&c, hi) > 0))
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' has no interior optimum at %g FLOPs",
                       law->name, flops);
    double u = bisect(&c, lo, hi);
    return finish_for_flops(law, flops, exp(u), SG_METHOD_NUMERIC, out, err);
}

/* Smallest ln N at which the contour L = loss still has a finite D. */
static double contour_min_ln_params(const sg_law *law, double loss)
{
    if (law->form == SG_FORM_KAPLAN)
        return log(law->Nc) - log(pow(loss, 1.0 / law->aD)) / kaplan_p(law);
    return (log(law->A) - log(loss - law->E)) / law->alpha;
}

static sg_status numeric_for_loss(const sg_law *law, double loss,
                                  sg_optimum *out, sg_error *err)
{
    constraint c = {law, 1, loss};
    double edge = contour_min_ln_params(law, loss);
    /* Just inside the contour's edge D is huge and its term ~0 (too small
     * an N); far beyond it the N term vanishes (too large an N). */
    double lo = edge + 1e-9 * fmax(1.0, fabs(edge));
    double hi = edge + 2 * BRACKET_HALF_WIDTH;
    if (!(constrained_stationarity(&c, lo) < 0 &&
          constrained_stationarity(&c, hi) > 0))
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' has no interior optimum at loss %g",
                       law->name, loss);
    double u = bisect(&c, lo, hi);
    double n_term = n_term_at(law, u);
    double tokens = tokens_from_d_term(law, d_term_for_loss(law, loss, n_term));
    return finish(law, exp(u), tokens, SG_METHOD_NUMERIC, out, err);
}

/* ------------------------------------------------------------ 1-D search */

/*
 * Any law under any FLOP count: along the constraint (a total budget, or the
 * iso-loss contour), the objective (loss, or total cost) is a function of
 * u = ln N alone. A scan of SEARCH_POINTS values of u finds the best
 * bracket; golden-section search then narrows it to SEARCH_TOLERANCE. The
 * scan guards against the kinks of the Muennighoff form (where D reaches U
 * or N reaches D_to_N(U_D)), which can defeat a derivative-based search.
 */
#define SEARCH_POINTS 512
#define SEARCH_TOLERANCE 1e-10 /* in ln N */
/* The iso-loss search looks this far (in ln N) beyond the contour's edge:
 * a factor e^40 = 2e17 in N, where cost-optimal points lie within ~e^5. */
#define CONTOUR_SPAN 40.0
/* Tokens beyond which a law no longer changes in double precision. */
#define LN_TOKENS_MAX 92.0 /* e^92 ~ 1e40 */
#define GOLDEN 0.6180339887498949

typedef struct {
    const sg_law *law;
    sg_point_law point_law;
    sg_flop_count count;
    int for_loss;  /* 1: least cost reaching a loss; 0: least loss of a budget */
    double target; /* the loss, or the total budget in FLOPs */
} search;

/* On the budget line: D = C / m(N) - T/3 (NaN when nothing is left). */
static double budget_tokens(const search *s, double params)
{
    double d = s->target / sg_flops_per_token(&s->count, params) -
               s->count.inference_tokens / 3.0;
    return d > 0 ? d : NAN;
}

/* Least D with L(N, D) <= loss, by bisection in ln D (L never rises with
 * D); NaN when even D -> infinity does not reach it. */
static double contour_tokens_bisect(const search *s, double params)
{
    double lo = 0.0, hi = LN_TOKENS_MAX;
    if (!(sg_point_loss(&s->point_law, params, exp(hi)) <= s->target))
        return NAN;
    for (int i = 0; i < BISECTION_STEPS && hi - lo > 1e-14 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (sg_point_loss(&s->point_law, params, exp(mid)) <= s->target)
            hi = mid;
        else
            lo = mid;
    }
    return exp(hi);
}

/* On the contour L(N, D) = loss: closed form for separable laws. */
static double contour_tokens(const search *s, double params)
{
    if (s->law->form == SG_FORM_MUENNIGHOFF)
        return contour_tokens_bisect(s, params);
    double d_term =
        d_term_for_loss(s->law, s->target, n_term_at(s->law, log(params)));
    return d_term > 0 ? tokens_from_d_term(s->law, d_term) : NAN;
}

static double search_tokens(const search *s, double u)
{
    double params = exp(u);
    return s->for_loss ? contour_tokens(s, params) : budget_tokens(s, params);
}

/* What is minimised at u: the loss, or the total cost; +inf off the
 * constraint. */
static double objective(const search *s, double u)
{
    double tokens = search_tokens(s, u);
    if (!(tokens > 0) || !isfinite(tokens))
        return INFINITY;
    double params = exp(u);
    if (s->for_loss)
        return sg_cost_at(&s->count, params, tokens).total;
    return sg_point_loss(&s->point_law, params, tokens);
}

static double golden_section(const search *s, double a, double b)
{
    double c = b - GOLDEN * (b - a), d = a + GOLDEN * (b - a);
    double fc = objective(s, c), fd = objective(s, d);
    while (b - a > SEARCH_TOLERANCE) {
        if (fc <= fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - GOLDEN * (b - a);
            fc = objective(s, c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + GOLDEN * (b - a);
            fd = objective(s, d);
        }
    }
    return fc <= fd ? c : d;
}

/* The minimum over [lo, hi]; SG_ERR_INPUT when it sits on the range's
 * edge (no interior optimum) or nothing in the range is feasible. */
static sg_status scan_and_refine(const search *s, double lo, double hi,
                                 double *best_u, sg_error *err)
{
    double step = (hi - lo) / (SEARCH_POINTS - 1);
    int best = -1;
    double best_value = INFINITY;
    for (int k = 0; k < SEARCH_POINTS; k++) {
        double value = objective(s, lo + k * step);
        if (value < best_value) {
            best_value = value;
            best = k;
        }
    }
    if (best <= 0 || best >= SEARCH_POINTS - 1)
        return sg_fail(err, SG_ERR_INPUT,
                       "law '%s' has no interior optimum %s %g",
                       s->law->name, s->for_loss ? "at loss" : "for a budget of",
                       s->target);
    *best_u = golden_section(s, lo + (best - 1) * step, lo + (best + 1) * step);
    return SG_OK;
}

static sg_status finish_search(const search *s, double u, sg_optimum *out,
                               sg_error *err)
{
    double params = exp(u), tokens = search_tokens(s, u);
    if (!(tokens > 0) || !isfinite(tokens))
        return sg_fail(err, SG_ERR_INPUT,
                       "the optimum of law '%s' lies outside double range",
                       s->law->name);
    sg_cost cost = sg_cost_at(&s->count, params, tokens);
    out->params = params;
    out->tokens = tokens;
    out->flops = cost.training;
    out->inference_flops = cost.inference;
    out->total_flops = s->for_loss ? cost.total : s->target;
    out->loss = sg_point_loss(&s->point_law, params, tokens);
    out->method = SG_METHOD_NUMERIC;
    return SG_OK;
}

/* ln N where the budget leaves one token to train on (m(N) >= 6 N). */
static double budget_max_ln_params(const search *s)
{
    double tokens = 1.0 + s->count.inference_tokens / 3.0;
    return log(s->target / (6.0 * tokens));
}

static sg_status search_for_flops(search *s, sg_optimum *out, sg_error *err)
{
    double hi = budget_max_ln_params(s);
    if (!(hi > 0))
        return sg_fail(err, SG_ERR_INPUT,
                       "a budget of %g FLOPs does not cover one parameter "
                       "trained on one token%s",
                       s->target,
                       s->count.inference_tokens > 0 ? " plus the inference"
                                                     : "");
    double u;
    SG_TRY(scan_and_refine(s, 0.0, hi, &u, err));
    return finish_search(s, u, out, err);
}

/* Smallest ln N whose contour L = loss has a finite D, by bisection
 * (L(N, D) at the largest D never rises with N). */
static double contour_edge_ln_params(const search *s)
{
    if (s->law->form != SG_FORM_MUENNIGHOFF)
        return contour_min_ln_params(s->law, s->target);
    double lo = 0.0, hi = LN_TOKENS_MAX, d = exp(LN_TOKENS_MAX);
    for (int i = 0; i < BISECTION_STEPS && hi - lo > 1e-14 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (sg_point_loss(&s->point_law, exp(mid), d) <= s->target)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

static sg_status search_for_loss(search *s, sg_optimum *out, sg_error *err)
{
    double edge = contour_edge_ln_params(s);
    double u;
    SG_TRY(scan_and_refine(s, edge, edge + CONTOUR_SPAN, &u, err));
    return finish_search(s, u, out, err);
}

/* ------------------------------------------------------------- public */

static sg_status check_loss_target(const sg_law *law, double loss,
                                   sg_error *err)
{
    if (!isfinite(loss))
        return sg_fail(err, SG_ERR_INPUT, "target loss must be finite");
    double floor_loss = sg_law_floor(law);
    if (loss > floor_loss)
        return SG_OK;
    if (law->form == SG_FORM_MUENNIGHOFF)
        return sg_fail(err, SG_ERR_INPUT,
                       "target loss %g is unreachable with %g unique tokens: "
                       "law '%s' cannot go below %.6g however large N and D",
                       loss, law->unique_tokens, law->name, floor_loss);
    return sg_fail(err, SG_ERR_INPUT,
                   "target loss %g is unreachable: it is at or below the "
                   "floor of law '%s' (%s = %g)",
                   loss, law->name,
                   law->form == SG_FORM_KAPLAN ? "L as N, D -> infinity" : "E",
                   floor_loss);
}

/* Whether a closed form answers: the law has one and the count is 6 N D. */
static sg_status use_closed_form(const sg_law *law, const sg_flop_count *count,
                                 sg_method method, int *closed, sg_error *err)
{
    int available = law->form != SG_FORM_MUENNIGHOFF &&
                    (!count || sg_flop_count_plain(count));
    if (method == SG_METHOD_CLOSED_FORM && !available)
        return sg_fail(err, SG_ERR_INPUT,
                       "no closed form for law '%s' under this FLOP count; "
                       "use method auto or numeric",
                       law->name);
    *closed = available && method != SG_METHOD_NUMERIC;
    return SG_OK;
}

static void start_search(search *s, const sg_law *law,
                         const sg_flop_count *count, int for_loss,
                         double target)
{
    memset(s, 0, sizeof *s);
    s->law = law;
    s->point_law = sg_point_law_of(law);
    if (count)
        s->count = *count;
    s->for_loss = for_loss;
    s->target = target;
}

sg_status sg_optimal_for_flops_counted(const sg_law *law,
                                       const sg_flop_count *count,
                                       double flops, sg_method method,
                                       sg_optimum *out, sg_error *err)
{
    SG_TRY(sg_law_validate(law, err));
    if (count)
        SG_TRY(sg_flop_count_validate(count, err));
    if (!isfinite(flops) || flops <= 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "compute budget must be a positive number of FLOPs "
                       "(got %g)",
                       flops);
    int closed;
    SG_TRY(use_closed_form(law, count, method, &closed, err));
    if (closed)
        return law->form == SG_FORM_KAPLAN
                   ? kaplan_for_flops(law, flops, out, err)
                   : chinchilla_for_flops(law, flops, out, err);
    if (law->form != SG_FORM_MUENNIGHOFF && (!count || sg_flop_count_plain(count)))
        return numeric_for_flops(law, flops, out, err);
    search s;
    start_search(&s, law, count, 0, flops);
    return search_for_flops(&s, out, err);
}

sg_status sg_optimal_for_loss_counted(const sg_law *law,
                                      const sg_flop_count *count, double loss,
                                      sg_method method, sg_optimum *out,
                                      sg_error *err)
{
    SG_TRY(sg_law_validate(law, err));
    if (count)
        SG_TRY(sg_flop_count_validate(count, err));
    SG_TRY(check_loss_target(law, loss, err));
    int closed;
    SG_TRY(use_closed_form(law, count, method, &closed, err));
    if (closed)
        return law->form == SG_FORM_KAPLAN
                   ? kaplan_for_loss(law, loss, out, err)
                   : chinchilla_for_loss(law, loss, out, err);
    if (law->form != SG_FORM_MUENNIGHOFF && (!count || sg_flop_count_plain(count)))
        return numeric_for_loss(law, loss, out, err);
    search s;
    start_search(&s, law, count, 1, loss);
    return search_for_loss(&s, out, err);
}

sg_status sg_optimal_for_flops(const sg_law *law, double flops,
                               sg_method method, sg_optimum *out,
                               sg_error *err)
{
    return sg_optimal_for_flops_counted(law, NULL, flops, method, out, err);
}

sg_status sg_optimal_for_loss(const sg_law *law, double loss, sg_method method,
                              sg_optimum *out, sg_error *err)
{
    return sg_optimal_for_loss_counted(law, NULL, loss, method, out, err);
}
