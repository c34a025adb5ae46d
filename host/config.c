/*
 * JSON configs (cJSON). A config sets any of:
 *
 *   {
 *     "law": "chinchilla"
 *          | {"preset": "epoch2024", "alpha": 0.35}
 *          | {"form": "chinchilla", "name": "my-fit", "source": "...",
 *             "E": 1.8, "A": 482, "B": 2085, "alpha": 0.35, "beta": 0.37},
 *     "params": "1e7:1e13:16384" | {"lo": 1e7, "hi": "10T", "count": 16384},
 *     "tokens": ...,
 *     "loss_levels": 1024 | "1.8:4:1024" | {"lo": 1.8, "hi": 4, "count": 1024},
 *     "flops_levels": ...,
 *     "backend": "auto", "strategy": "auto", "precision": "f64",
 *     "threads": 0,
 *     "out": "scalegrid-out", "max_seconds": 3600,
 *     "flop_count": {"per_token": "6N" | "deepseek", "seq_len": 4096,
 *                    "aspect_ratio": 128, "inference_tokens": "2T"},
 *     "cost_model": {"gpu_flops": "989T", "mfu": 0.4, "price": 2.5},
 *     "unique_tokens": "25B"
 *   }
 *
 * Unknown or repeated keys, wrong types and impossible values are errors
 * that name the file, the key and the problem.
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest config file read (a config is a few hundred bytes). */
#define MAX_CONFIG_BYTES (1 << 20)

typedef struct {
    const char *origin; /* file name for messages */
    sg_error *err;
} ctx;

static sg_status bad(const ctx *c, const char *key, const char *problem)
{
    return sg_fail(c->err, SG_ERR_INPUT, "%s: \"%s\": %s", c->origin, key,
                   problem);
}

static sg_status check_keys(const ctx *c, const cJSON *object,
                            const char *where, const char *const *known,
                            int allow_other)
{
    for (const cJSON *a = object->child; a; a = a->next) {
        for (const cJSON *b = object->child; b != a; b = b->next)
            if (strcmp(a->string, b->string) == 0)
                return sg_fail(c->err, SG_ERR_INPUT,
                               "%s: %s: key \"%s\" appears twice", c->origin,
                               where, a->string);
        int found = allow_other;
        for (const char *const *k = known; *k && !found; k++)
            found = strcmp(*k, a->string) == 0;
        if (!found)
            return sg_fail(c->err, SG_ERR_INPUT, "%s: %s: unknown key \"%s\"",
                           c->origin, where, a->string);
    }
    return SG_OK;
}

static sg_status number_of(const ctx *c, const cJSON *item, const char *key,
                           double *out)
{
    if (cJSON_IsNumber(item)) {
        if (!isfinite(item->valuedouble))
            return bad(c, key, "is not a finite number");
        *out = item->valuedouble;
        return SG_OK;
    }
    if (cJSON_IsString(item)) {
        sg_status st = sg_parse_number(item->valuestring, out, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: \"%s\": ", c->origin, key);
        return SG_OK;
    }
    return bad(c, key, "expected a number");
}

static sg_status string_of(const ctx *c, const cJSON *item, const char *key,
                           const char **out)
{
    if (!cJSON_IsString(item))
        return bad(c, key, "expected a string");
    *out = item->valuestring;
    return SG_OK;
}

static sg_status copy_string(const ctx *c, const cJSON *item, const char *key,
                             char *dst, size_t size)
{
    const char *s = NULL;
    SG_TRY(string_of(c, item, key, &s));
    if (strlen(s) >= size)
        return bad(c, key, "is too long");
    strcpy(dst, s);
    return SG_OK;
}

/* ----------------------------------------------------------------- law */

static sg_status law_base(const ctx *c, const cJSON *object, sg_law *law,
                          int *from_preset)
{
    const cJSON *preset = cJSON_GetObjectItemCaseSensitive(object, "preset");
    const cJSON *form = cJSON_GetObjectItemCaseSensitive(object, "form");
    if (preset) {
        const char *name = NULL;
        SG_TRY(string_of(c, preset, "law.preset", &name));
        sg_status st = sg_law_preset(name, law, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: \"law.preset\": ", c->origin);
        if (form && !(cJSON_IsString(form) &&
                      strcmp(form->valuestring, sg_form_name(law->form)) == 0))
            return bad(c, "law.form", "does not match the preset's form");
        *from_preset = 1;
        return SG_OK;
    }
    if (!form)
        return sg_fail(c->err, SG_ERR_INPUT,
                       "%s: \"law\" needs \"preset\" or \"form\"", c->origin);
    const char *form_name = NULL;
    SG_TRY(string_of(c, form, "law.form", &form_name));
    memset(law, 0, sizeof *law);
    sg_status st = sg_form_from_name(form_name, &law->form, c->err);
    if (st != SG_OK)
        return sg_prefix(c->err, st, "%s: \"law.form\": ", c->origin);
    strcpy(law->name, "custom");
    strcpy(law->source, "user-supplied constants");
    law->convention = law->form == SG_FORM_KAPLAN ? SG_COUNT_NON_EMBEDDING
                                                  : SG_COUNT_ALL_PARAMS;
    *from_preset = 0;
    return SG_OK;
}

static int is_meta_key(const char *key)
{
    static const char *const meta[] = {"preset", "form", "name", "source",
                                       "convention", NULL};
    for (const char *const *m = meta; *m; m++)
        if (strcmp(*m, key) == 0)
            return 1;
    return 0;
}

static sg_status law_meta(const ctx *c, const cJSON *object, sg_law *law)
{
    const cJSON *item;
    if ((item = cJSON_GetObjectItemCaseSensitive(object, "name")))
        SG_TRY(copy_string(c, item, "law.name", law->name, sizeof law->name));
    if ((item = cJSON_GetObjectItemCaseSensitive(object, "source")))
        SG_TRY(copy_string(c, item, "law.source", law->source,
                           sizeof law->source));
    if ((item = cJSON_GetObjectItemCaseSensitive(object, "convention"))) {
        const char *s = NULL;
        SG_TRY(string_of(c, item, "law.convention", &s));
        if (strcmp(s, "all-params") == 0)
            law->convention = SG_COUNT_ALL_PARAMS;
        else if (strcmp(s, "non-embedding") == 0)
            law->convention = SG_COUNT_NON_EMBEDDING;
        else
            return bad(c, "law.convention",
                       "must be \"all-params\" or \"non-embedding\"");
    }
    return SG_OK;
}

static sg_status law_constants(const ctx *c, const cJSON *object, sg_law *law,
                               int from_preset)
{
    size_t count = sg_law_constant_count(law);
    int modified = 0;
    for (const cJSON *item = object->child; item; item = item->next) {
        if (is_meta_key(item->string))
            continue;
        char key[96];
        snprintf(key, sizeof key, "law.%s", item->string);
        double value = 0;
        SG_TRY(number_of(c, item, key, &value));
        sg_status st = sg_law_set_constant(law, item->string, value, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: ", c->origin);
        modified = 1;
    }
    if (from_preset && modified &&
        !cJSON_GetObjectItemCaseSensitive(object, "name"))
        sg_law_mark_modified(law);
    if (from_preset)
        return SG_OK;
    for (size_t i = 0; i < count; i++) {
        const char *name = sg_law_constant_name(law, i);
        if (!cJSON_GetObjectItemCaseSensitive(object, name))
            return sg_fail(c->err, SG_ERR_INPUT,
                           "%s: \"law\": constant \"%s\" is missing for form "
                           "%s",
                           c->origin, name, sg_form_name(law->form));
    }
    return SG_OK;
}

static sg_status parse_law(const ctx *c, const cJSON *item, sg_law *law)
{
    if (cJSON_IsString(item)) {
        sg_status st = sg_law_preset(item->valuestring, law, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: \"law\": ", c->origin);
        return SG_OK;
    }
    if (!cJSON_IsObject(item))
        return bad(c, "law", "expected a preset name or an object");
    int from_preset = 0;
    SG_TRY(check_keys(c, item, "\"law\"", (const char *const[]){NULL}, 1));
    SG_TRY(law_base(c, item, law, &from_preset));
    SG_TRY(law_meta(c, item, law));
    SG_TRY(law_constants(c, item, law, from_preset));
    /* U is a top-level key ("unique_tokens"), checked with the sweep. */
    sg_status st = sg_law_validate_constants(law, c->err);
    if (st != SG_OK)
        return sg_prefix(c->err, st, "%s: ", c->origin);
    return SG_OK;
}

/* ------------------------------------------------------- axes, levels */

static sg_status count_of(const ctx *c, const cJSON *item, const char *key,
                          double max, uint64_t *out)
{
    double value = 0;
    SG_TRY(number_of(c, item, key, &value));
    if (value != floor(value) || value < 1)
        return bad(c, key, "count must be a whole number >= 1");
    if (value > max)
        return bad(c, key, "count is too large");
    *out = (uint64_t)value;
    return SG_OK;
}

/* {"lo": ..., "hi": ..., "count": ...}; lo and hi may be left out together
 * when `lo_hi_optional` (then *has_lo_hi is 0). */
static sg_status range_object(const ctx *c, const cJSON *item, const char *key,
                              double max_count, int lo_hi_optional,
                              double *lo, double *hi, int *has_lo_hi,
                              uint64_t *count)
{
    static const char *const known[] = {"lo", "hi", "count", NULL};
    char where[64];
    snprintf(where, sizeof where, "\"%s\"", key);
    SG_TRY(check_keys(c, item, where, known, 0));
    const cJSON *lo_item = cJSON_GetObjectItemCaseSensitive(item, "lo");
    const cJSON *hi_item = cJSON_GetObjectItemCaseSensitive(item, "hi");
    const cJSON *count_item = cJSON_GetObjectItemCaseSensitive(item, "count");
    if (!count_item || (!lo_hi_optional && (!lo_item || !hi_item)))
        return bad(c, key, lo_hi_optional ? "needs count"
                                          : "needs lo, hi and count");
    if (!lo_item != !hi_item)
        return bad(c, key, "give both lo and hi, or neither");
    SG_TRY(count_of(c, count_item, key, max_count, count));
    *has_lo_hi = lo_item != NULL;
    if (lo_item) {
        SG_TRY(number_of(c, lo_item, key, lo));
        SG_TRY(number_of(c, hi_item, key, hi));
    }
    return SG_OK;
}

static sg_status parse_axis_item(const ctx *c, const cJSON *item,
                                 const char *key, sg_axis *out)
{
    if (cJSON_IsString(item)) {
        sg_status st = sg_parse_axis(item->valuestring, out, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: \"%s\": ", c->origin, key);
        return SG_OK;
    }
    if (!cJSON_IsObject(item))
        return bad(c, key, "expected \"LO:HI:COUNT\" or {lo, hi, count}");
    int has_lo_hi;
    return range_object(c, item, key, 4294967296.0, 0, &out->lo, &out->hi,
                        &has_lo_hi, &out->count);
}

static sg_status parse_levels_item(const ctx *c, const cJSON *item,
                                   const char *key, sg_levels *out)
{
    if (cJSON_IsString(item)) {
        sg_status st = sg_parse_levels(item->valuestring, out, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: \"%s\": ", c->origin, key);
        return SG_OK;
    }
    sg_levels levels = {0};
    uint64_t count = 0;
    int has_lo_hi = 0;
    if (cJSON_IsNumber(item))
        SG_TRY(count_of(c, item, key, 4194304.0, &count));
    else if (cJSON_IsObject(item))
        SG_TRY(range_object(c, item, key, 4194304.0, 1, &levels.lo, &levels.hi,
                            &has_lo_hi, &count));
    else
        return bad(c, key,
                   "expected COUNT, \"LO:HI:COUNT\" or {lo, hi, count}");
    levels.count = (uint32_t)count;
    levels.span_grid = !has_lo_hi;
    *out = levels;
    return SG_OK;
}

/* ----------------------------------------------------------- top level */

/* The keys whose value is a name. */
typedef enum { NAMED_BACKEND, NAMED_STRATEGY, NAMED_PRECISION } named_key;

static sg_status parse_named(const ctx *c, const cJSON *item, const char *key,
                             named_key which, sg_sweep_config *config)
{
    const char *name = NULL;
    SG_TRY(string_of(c, item, key, &name));
    sg_status st =
        which == NAMED_BACKEND
            ? sg_backend_from_name(name, &config->backend, c->err)
        : which == NAMED_STRATEGY
            ? sg_strategy_from_name(name, &config->strategy, c->err)
            : sg_precision_from_name(name, &config->precision, c->err);
    if (st != SG_OK)
        return sg_prefix(c->err, st, "%s: \"%s\": ", c->origin, key);
    return SG_OK;
}

static sg_status parse_threads(const ctx *c, const cJSON *item, int *out)
{
    if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) ||
        item->valuedouble < 0 || item->valuedouble > 4096)
        return bad(c, "threads", "expected a whole number from 0 to 4096");
    *out = (int)item->valuedouble;
    return SG_OK;
}

/* "flop_count": {"per_token", "seq_len", "aspect_ratio",
 * "inference_tokens"}; what is left out keeps its value. */
static sg_status parse_flop_count(const ctx *c, const cJSON *item,
                                  sg_flop_count *out)
{
    static const char *const known[] = {"per_token", "seq_len", "aspect_ratio",
                                        "inference_tokens", NULL};
    if (!cJSON_IsObject(item))
        return bad(c, "flop_count", "expected an object");
    SG_TRY(check_keys(c, item, "\"flop_count\"", known, 0));
    sg_flop_count f = *out;
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "per_token"))) {
        const char *name = NULL;
        SG_TRY(string_of(c, v, "flop_count.per_token", &name));
        sg_status st = sg_flops_convention_from_name(name, &f.convention, c->err);
        if (st != SG_OK)
            return sg_prefix(c->err, st, "%s: \"flop_count.per_token\": ",
                             c->origin);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "seq_len")))
        SG_TRY(number_of(c, v, "flop_count.seq_len", &f.seq_len));
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "aspect_ratio")))
        SG_TRY(number_of(c, v, "flop_count.aspect_ratio", &f.aspect_ratio));
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "inference_tokens")))
        SG_TRY(number_of(c, v, "flop_count.inference_tokens",
                         &f.inference_tokens));
    sg_status st = sg_flop_count_validate(&f, c->err);
    if (st != SG_OK)
        return sg_prefix(c->err, st, "%s: \"flop_count\": ", c->origin);
    *out = f;
    return SG_OK;
}

/* "cost_model": {"gpu_flops", "mfu", "price"}: hours and money columns. */
static sg_status parse_cost_model(const ctx *c, const cJSON *item,
                                  sg_cost_model *out)
{
    static const char *const known[] = {"gpu_flops", "mfu", "price", NULL};
    if (!cJSON_IsObject(item))
        return bad(c, "cost_model", "expected an object");
    SG_TRY(check_keys(c, item, "\"cost_model\"", known, 0));
    sg_cost_model m = {0, 0, 0};
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "gpu_flops")))
        SG_TRY(number_of(c, v, "cost_model.gpu_flops", &m.gpu_flops));
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "mfu")))
        SG_TRY(number_of(c, v, "cost_model.mfu", &m.mfu));
    if ((v = cJSON_GetObjectItemCaseSensitive(item, "price")))
        SG_TRY(number_of(c, v, "cost_model.price", &m.price));
    if (!(m.gpu_flops > 0))
        return bad(c, "cost_model", "needs gpu_flops, a positive FLOP/s");
    sg_status st = sg_cost_model_validate(&m, c->err);
    if (st != SG_OK)
        return sg_prefix(c->err, st, "%s: \"cost_model\": ", c->origin);
    *out = m;
    return SG_OK;
}

/* "unique_tokens": the data-constrained law's budget U (after "law"). */
static sg_status parse_unique_tokens(const ctx *c, const cJSON *item,
                                     sg_law *law)
{
    double value = 0;
    SG_TRY(number_of(c, item, "unique_tokens", &value));
    sg_status st = sg_law_set_unique_tokens(law, value, c->err);
    if (st != SG_OK)
        return sg_prefix(c->err, st, "%s: \"unique_tokens\": ", c->origin);
    return SG_OK;
}

/* The top-level keys, their flags (scalegrid.h) and parsers, in the order
 * they are applied ("unique_tokens" needs the law). */
typedef enum {
    KEY_LAW, KEY_PARAMS, KEY_TOKENS, KEY_LOSS_LEVELS, KEY_FLOPS_LEVELS,
    KEY_BACKEND, KEY_STRATEGY, KEY_THREADS, KEY_OUT, KEY_MAX_SECONDS,
    KEY_FLOP_COUNT, KEY_COST_MODEL, KEY_UNIQUE_TOKENS, KEY_PRECISION,
    KEY_COUNT
} top_key;

_Static_assert(SG_CONFIG_HAS_LAW == 1u << KEY_LAW &&
                   SG_CONFIG_HAS_FLOPS_LEVELS == 1u << KEY_FLOPS_LEVELS &&
                   SG_CONFIG_HAS_OUT == 1u << KEY_OUT &&
                   SG_CONFIG_HAS_MAX_SECONDS == 1u << KEY_MAX_SECONDS &&
                   SG_CONFIG_HAS_FLOP_COUNT == 1u << KEY_FLOP_COUNT &&
                   SG_CONFIG_HAS_COST_MODEL == 1u << KEY_COST_MODEL &&
                   SG_CONFIG_HAS_UNIQUE_TOKENS == 1u << KEY_UNIQUE_TOKENS &&
                   SG_CONFIG_HAS_PRECISION == 1u << KEY_PRECISION,
               "SG_CONFIG_HAS_* flags follow the top-level key order");

static const char *const top_key_names[KEY_COUNT + 1] = {
    "law",        "params",     "tokens",        "loss_levels", "flops_levels",
    "backend",    "strategy",   "threads",       "out",         "max_seconds",
    "flop_count", "cost_model", "unique_tokens", "precision", NULL};

static sg_status parse_out(const ctx *c, const cJSON *item, char *out_dir,
                           size_t out_dir_size)
{
    if (!out_dir)
        return bad(c, "out", "is not used by this command");
    SG_TRY(copy_string(c, item, "out", out_dir, out_dir_size));
    if (!*out_dir)
        return bad(c, "out", "must not be empty");
    return SG_OK;
}

static sg_status parse_max_seconds(const ctx *c, const cJSON *item,
                                   double *out)
{
    double value;
    SG_TRY(number_of(c, item, "max_seconds", &value));
    if (!(value > 0))
        return bad(c, "max_seconds", "must be a positive number of seconds");
    *out = value;
    return SG_OK;
}

static sg_status parse_top_key(const ctx *c, top_key key, const cJSON *item,
                               sg_sweep_config *cfg, char *out_dir,
                               size_t out_dir_size)
{
    const char *name = top_key_names[key];
    switch (key) {
    case KEY_LAW: return parse_law(c, item, &cfg->law);
    case KEY_PARAMS: return parse_axis_item(c, item, name, &cfg->params);
    case KEY_TOKENS: return parse_axis_item(c, item, name, &cfg->tokens);
    case KEY_LOSS_LEVELS:
        return parse_levels_item(c, item, name, &cfg->loss_levels);
    case KEY_FLOPS_LEVELS:
        return parse_levels_item(c, item, name, &cfg->flops_levels);
    case KEY_BACKEND: return parse_named(c, item, name, NAMED_BACKEND, cfg);
    case KEY_STRATEGY: return parse_named(c, item, name, NAMED_STRATEGY, cfg);
    case KEY_PRECISION:
        return parse_named(c, item, name, NAMED_PRECISION, cfg);
    case KEY_THREADS: return parse_threads(c, item, &cfg->threads);
    case KEY_OUT: return parse_out(c, item, out_dir, out_dir_size);
    case KEY_MAX_SECONDS: return parse_max_seconds(c, item, &cfg->max_seconds);
    case KEY_FLOP_COUNT: return parse_flop_count(c, item, &cfg->flop_count);
    case KEY_COST_MODEL: return parse_cost_model(c, item, &cfg->cost_model);
    case KEY_UNIQUE_TOKENS: return parse_unique_tokens(c, item, &cfg->law);
    default: return bad(c, name, "is not handled");
    }
}

static sg_status parse_top(const ctx *c, const cJSON *root,
                           sg_sweep_config *config, unsigned *set,
                           char *out_dir, size_t out_dir_size)
{
    SG_TRY(check_keys(c, root, "config", top_key_names, 0));
    unsigned fields = 0;
    sg_sweep_config cfg = *config;
    for (int key = 0; key < KEY_COUNT; key++) {
        const cJSON *item =
            cJSON_GetObjectItemCaseSensitive(root, top_key_names[key]);
        if (!item)
            continue;
        SG_TRY(parse_top_key(c, (top_key)key, item, &cfg, out_dir,
                             out_dir_size));
        fields |= 1u << key; /* SG_CONFIG_HAS_* follow the same order */
    }
    *config = cfg;
    if (set)
        *set = fields;
    return SG_OK;
}

/* Line and column of a byte offset, for messages about malformed JSON. */
static void position_of(const char *text, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

sg_status sg_config_parse(const char *json_text, const char *origin,
                          sg_sweep_config *config, unsigned *fields_set,
                          char *out_dir, size_t out_dir_size, sg_error *err)
{
    ctx c = {origin ? origin : "config", err};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json_text, &end, 1);
    if (!root) {
        int line, col;
        size_t offset = end && end >= json_text ? (size_t)(end - json_text) : 0;
        position_of(json_text, offset, &line, &col);
        return sg_fail(err, SG_ERR_INPUT, "%s:%d:%d: malformed JSON", c.origin,
                       line, col);
    }
    sg_status st = cJSON_IsObject(root)
                       ? parse_top(&c, root, config, fields_set, out_dir,
                                   out_dir_size)
                       : sg_fail(err, SG_ERR_INPUT,
                                 "%s: a config must be a JSON object",
                                 c.origin);
    cJSON_Delete(root);
    return st;
}

static sg_status read_file(const char *path, char **text, sg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sg_fail(err, SG_ERR_INPUT, "cannot open config '%s': %s", path,
                       strerror(errno));
    char *buf = malloc(MAX_CONFIG_BYTES + 1);
    if (!buf) {
        fclose(f);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory reading '%s'", path);
    }
    size_t n = fread(buf, 1, MAX_CONFIG_BYTES + 1, f);
    int failed = ferror(f);
    fclose(f);
    sg_status st = SG_OK;
    if (failed)
        st = sg_fail(err, SG_ERR_INPUT, "cannot read config '%s'", path);
    else if (n > MAX_CONFIG_BYTES)
        st = sg_fail(err, SG_ERR_INPUT, "config '%s' is larger than 1 MiB",
                     path);
    else if (memchr(buf, '\0', n))
        st = sg_fail(err, SG_ERR_INPUT, "config '%s' is not text", path);
    if (st != SG_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    return SG_OK;
}

sg_status sg_config_load(const char *path, sg_sweep_config *config,
                         unsigned *fields_set, char *out_dir,
                         size_t out_dir_size, sg_error *err)
{
    char *text;
    SG_TRY(read_file(path, &text, err));
    sg_status st = sg_config_parse(text, path, config, fields_set, out_dir,
                                   out_dir_size, err);
    free(text);
    return st;
}
