/*
 * What a configuration costs: training FLOPs per token under a convention
 * (6 N, or DeepSeek's M), lifetime inference FLOPs, and FLOPs turned into
 * accelerator-hours and money.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- FLOP count */

static const char *const convention_names[] = {"6N", "deepseek"};
#define CONVENTION_COUNT (sizeof convention_names / sizeof convention_names[0])

const char *sg_flops_convention_name(sg_flops_convention convention)
{
    return (size_t)convention < CONVENTION_COUNT ? convention_names[convention]
                                                 : "6N";
}

sg_status sg_flops_convention_from_name(const char *name,
                                        sg_flops_convention *out,
                                        sg_error *err)
{
    for (size_t i = 0; i < CONVENTION_COUNT; i++)
        if (strcasecmp(name, convention_names[i]) == 0) {
            *out = (sg_flops_convention)i;
            return SG_OK;
        }
    return sg_fail(err, SG_ERR_INPUT,
                   "unknown FLOPs-per-token convention '%s' (known: 6N, "
                   "deepseek)",
                   name);
}

static int positive_finite(double x)
{
    return isfinite(x) && x > 0;
}

sg_status sg_flop_count_validate(const sg_flop_count *count, sg_error *err)
{
    if ((size_t)count->convention >= CONVENTION_COUNT)
        return sg_fail(err, SG_ERR_INPUT, "unknown FLOPs-per-token convention");
    if (!(count->inference_tokens >= 0) || !isfinite(count->inference_tokens))
        return sg_fail(err, SG_ERR_INPUT,
                       "inference tokens must be a non-negative number (got "
                       "%g)",
                       count->inference_tokens);
    if (count->convention == SG_FLOPS_6N) {
        if (count->seq_len != 0 || count->aspect_ratio != 0)
            return sg_fail(err, SG_ERR_INPUT,
                           "sequence length and aspect ratio shape the "
                           "deepseek FLOP count only (--flops-per-token "
                           "deepseek)");
        return SG_OK;
    }
    if (!positive_finite(count->seq_len))
        return sg_fail(err, SG_ERR_INPUT,
                       "the deepseek FLOP count needs the sequence length "
                       "(--seq-len, a positive number of tokens; got %g)",
                       count->seq_len);
    if (count->seq_len != floor(count->seq_len))
        return sg_fail(err, SG_ERR_INPUT,
                       "the sequence length is a whole number of tokens "
                       "(got %g)",
                       count->seq_len);
    if (!positive_finite(count->aspect_ratio))
        return sg_fail(err, SG_ERR_INPUT,
                       "the deepseek FLOP count needs the aspect ratio "
                       "d_model / n_layer (--aspect-ratio, positive; got %g)",
                       count->aspect_ratio);
    return SG_OK;
}

int sg_flop_count_plain(const sg_flop_count *count)
{
    return count->convention == SG_FLOPS_6N && count->inference_tokens == 0;
}

void sg_flop_count_describe(const sg_flop_count *count, char *buf,
                            size_t size)
{
    int n;
    if (count->convention == SG_FLOPS_DEEPSEEK)
        n = snprintf(buf, size,
                     "deepseek: M = 72 n_layer d^2 + 12 n_layer d l_seq "
                     "FLOPs per token (l_seq %g, d/n_layer %g)",
                     count->seq_len, count->aspect_ratio);
    else
        n = snprintf(buf, size, "6N: 6 N FLOPs per training token");
    if (n >= 0 && (size_t)n < size && count->inference_tokens > 0)
        snprintf(buf + n, size - (size_t)n,
                 "; plus %.6g inference tokens at a third of that each (%s)",
                 count->inference_tokens,
                 count->convention == SG_FLOPS_DEEPSEEK ? "M/3" : "2 N");
}

sg_point_cost sg_point_cost_of_count(const sg_flop_count *count)
{
    sg_point_cost c;
    memset(&c, 0, sizeof c);
    c.kind = count->convention == SG_FLOPS_DEEPSEEK ? SG_PM_FLOPS_DEEPSEEK
                                                    : SG_PM_FLOPS_6N;
    c.seq_len = count->seq_len;
    c.aspect_ratio = count->aspect_ratio;
    c.extra_tokens = count->inference_tokens / 3.0;
    c.plain = sg_flop_count_plain(count);
    return c;
}

double sg_flops_per_token(const sg_flop_count *count, double params)
{
    sg_point_cost c = sg_point_cost_of_count(count);
    return sg_point_flops_per_token(&c, params);
}

double sg_deepseek_flops_per_token(double layers, double d_model,
                                   double seq_len)
{
    return 72.0 * layers * d_model * d_model +
           12.0 * layers * d_model * seq_len;
}

/* Exactly the kernels' arithmetic: the total is the key they rank by. */
sg_cost sg_cost_at(const sg_flop_count *count, double params, double tokens)
{
    sg_point_cost c = sg_point_cost_of_count(count);
    double per_token = sg_point_flops_per_token(&c, params);
    sg_cost cost;
    cost.training = per_token * tokens;
    cost.inference = per_token / 3.0 * count->inference_tokens;
    cost.total = sg_point_cost_of(per_token, sg_cost_tokens(&c, tokens));
    if (count->inference_tokens == 0)
        cost.training = cost.total; /* (6 N) D: the same bits */
    return cost;
}

/* ------------------------------------------------------ hours and money */

int sg_cost_model_given(const sg_cost_model *cost)
{
    return cost->gpu_flops > 0;
}

sg_status sg_cost_model_validate(const sg_cost_model *cost, sg_error *err)
{
    if (!(cost->gpu_flops >= 0) || !isfinite(cost->gpu_flops))
        return sg_fail(err, SG_ERR_INPUT,
                       "accelerator FLOP/s must be a positive number (got %g)",
                       cost->gpu_flops);
    if (!(cost->price >= 0) || !isfinite(cost->price))
        return sg_fail(err, SG_ERR_INPUT,
                       "price per accelerator-hour must be a non-negative "
                       "number (got %g)",
                       cost->price);
    if (cost->gpu_flops == 0) {
        if (cost->mfu != 0 || cost->price != 0)
            return sg_fail(err, SG_ERR_INPUT,
                           "utilisation and price need the accelerator's "
                           "FLOP/s (--gpu-flops)");
        return SG_OK;
    }
    if (!(cost->mfu > 0 && cost->mfu <= 1))
        return sg_fail(err, SG_ERR_INPUT,
                       "utilisation (MFU) must be in (0, 1] (got %g)",
                       cost->mfu);
    return SG_OK;
}

double sg_gpu_hours(const sg_cost_model *cost, double flops)
{
    if (!sg_cost_model_given(cost))
        return NAN;
    return flops / (cost->gpu_flops * cost->mfu) / 3600.0;
}
