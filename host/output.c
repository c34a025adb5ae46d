/*
 * Sweep outputs: frontier.csv, cumulative.csv, isoflop.csv and sweep.json.
 *
 * All files of a run are staged under temporary names in the output
 * directory and renamed into place only once every one of them was written
 * and closed without error; on any failure the temporaries are removed. A
 * reader therefore never finds a truncated file that looks complete.
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_FILES 4

/* ------------------------------------------------------------ sweep.json */

/* A number that reads back as the same double: cJSON's own printing keeps
 * 15 digits whenever they come within an epsilon of the value, losing the
 * last bit. Non-finite values become null (JSON has no infinities). */
static cJSON *exact_number(double value)
{
    if (!isfinite(value))
        return cJSON_CreateNull();
    char text[40];
    sg_format_double(text, sizeof text, value);
    return cJSON_CreateRaw(text);
}

static void add_number(cJSON *object, const char *key, double value)
{
    cJSON_AddItemToObject(object, key, exact_number(value));
}

static cJSON *axis_json(const sg_axis *axis)
{
    cJSON *o = cJSON_CreateObject();
    add_number(o, "lo", axis->lo);
    add_number(o, "hi", axis->hi);
    add_number(o, "count", (double)axis->count);
    return o;
}

static cJSON *levels_json(const sg_levels *levels)
{
    cJSON *o = cJSON_CreateObject();
    if (!levels->span_grid) {
        add_number(o, "lo", levels->lo);
        add_number(o, "hi", levels->hi);
    }
    add_number(o, "count", levels->count);
    return o;
}

/* The law as a config's "law" object: loadable by sg_config_parse. */
static cJSON *law_config_json(const sg_law *law)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "form", sg_form_name(law->form));
    cJSON_AddStringToObject(o, "name", law->name);
    cJSON_AddStringToObject(o, "source", law->source);
    cJSON_AddStringToObject(o, "convention",
                            law->convention == SG_COUNT_NON_EMBEDDING
                                ? "non-embedding"
                                : "all-params");
    for (size_t i = 0; i < sg_law_constant_count(law); i++)
        add_number(o, sg_law_constant_name(law, i),
                                sg_law_constant_value(law, i));
    return o;
}

/* The FLOP count as a config's "flop_count" object, named. */
static cJSON *flop_count_json(const sg_flop_count *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "per_token",
                            sg_flops_convention_name(f->convention));
    if (f->convention == SG_FLOPS_DEEPSEEK) {
        add_number(o, "seq_len", f->seq_len);
        add_number(o, "aspect_ratio", f->aspect_ratio);
    }
    add_number(o, "inference_tokens", f->inference_tokens);
    return o;
}

static cJSON *cost_model_json(const sg_cost_model *m)
{
    cJSON *o = cJSON_CreateObject();
    add_number(o, "gpu_flops", m->gpu_flops);
    add_number(o, "mfu", m->mfu);
    if (m->price > 0)
        add_number(o, "price", m->price);
    return o;
}

/* The config as given; how to run it (backend, strategy, threads) only
 * when the document need not be reproducible. */
static cJSON *config_json(const sg_sweep_config *c, int reproducible)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "law", law_config_json(&c->law));
    cJSON_AddItemToObject(o, "params", axis_json(&c->params));
    cJSON_AddItemToObject(o, "tokens", axis_json(&c->tokens));
    cJSON_AddItemToObject(o, "loss_levels", levels_json(&c->loss_levels));
    cJSON_AddItemToObject(o, "flops_levels", levels_json(&c->flops_levels));
    cJSON_AddItemToObject(o, "flop_count", flop_count_json(&c->flop_count));
    if (sg_cost_model_given(&c->cost_model))
        cJSON_AddItemToObject(o, "cost_model", cost_model_json(&c->cost_model));
    if (c->law.form == SG_FORM_MUENNIGHOFF)
        add_number(o, "unique_tokens", c->law.unique_tokens);
    /* what was computed: the precision of the selection */
    cJSON_AddStringToObject(o, "precision", sg_precision_name(c->precision));
    if (reproducible)
        return o;
    cJSON_AddStringToObject(o, "backend", sg_backend_name(c->backend));
    cJSON_AddStringToObject(o, "strategy", sg_strategy_name(c->strategy));
    add_number(o, "threads", c->threads);
    if (c->max_seconds > 0)
        add_number(o, "max_seconds", c->max_seconds);
    return o;
}

static cJSON *law_json(const sg_law *law)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", law->name);
    cJSON_AddStringToObject(o, "form", sg_form_name(law->form));
    cJSON_AddStringToObject(o, "formula", sg_law_formula(law));
    cJSON_AddStringToObject(o, "source", law->source);
    cJSON_AddStringToObject(o, "convention", sg_convention_name(law->convention));
    cJSON *k = cJSON_AddObjectToObject(o, "constants");
    for (size_t i = 0; i < sg_law_constant_count(law); i++)
        add_number(k, sg_law_constant_name(law, i),
                                sg_law_constant_value(law, i));
    return o;
}

static void add_number_or_null(cJSON *o, const char *key, int is_null,
                               double value)
{
    if (is_null)
        cJSON_AddNullToObject(o, key);
    else
        add_number(o, key, value);
}

/* Frontier rows: level, params, tokens, flops (training), loss; with
 * inference tokens also inference_flops and total_flops; for the
 * Muennighoff law epochs = D / U. */
static cJSON *frontier_json(const sg_sweep_config *c,
                            const sg_frontier_row *rows, uint32_t count)
{
    int inference = c->flop_count.inference_tokens > 0;
    int epochs = c->law.form == SG_FORM_MUENNIGHOFF;
    cJSON *a = cJSON_CreateArray();
    for (uint32_t k = 0; k < count; k++) {
        const sg_frontier_row *r = &rows[k];
        cJSON *o = cJSON_CreateObject();
        add_number(o, "level", r->level);
        add_number_or_null(o, "params", r->empty, r->params);
        add_number_or_null(o, "tokens", r->empty, r->tokens);
        add_number_or_null(o, "flops", r->empty, r->flops);
        if (inference) {
            add_number_or_null(o, "inference_flops", r->empty,
                               r->inference_flops);
            add_number_or_null(o, "total_flops", r->empty, r->total_flops);
        }
        add_number_or_null(o, "loss", r->empty, r->loss);
        if (epochs)
            add_number_or_null(o, "epochs", r->empty,
                               r->tokens / c->law.unique_tokens);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static void add_run_facts(cJSON *doc, const sg_sweep_result *r)
{
    cJSON_AddStringToObject(doc, "backend", sg_backend_name(r->backend));
    if (r->backend_note[0])
        cJSON_AddStringToObject(doc, "backend_note", r->backend_note);
    cJSON_AddStringToObject(doc, "strategy", sg_strategy_name(r->strategy));
    add_number(doc, "threads", r->threads);
    add_number(doc, "seconds", r->seconds);
    add_number(doc, "points_per_second",
                            r->seconds > 0 ? (double)r->points / r->seconds : 0);
}

char *sg_sweep_json(const sg_sweep_config *c, const sg_sweep_result *r,
                    const sg_output_options *options, sg_error *err)
{
    int reproducible = options && options->reproducible;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "scalegrid_version", SG_VERSION);
    cJSON_AddItemToObject(doc, "config", config_json(c, reproducible));
    cJSON_AddItemToObject(doc, "law", law_json(&c->law));
    cJSON *grid = cJSON_AddObjectToObject(doc, "grid");
    cJSON_AddItemToObject(grid, "params", axis_json(&c->params));
    cJSON_AddItemToObject(grid, "tokens", axis_json(&c->tokens));
    cJSON_AddItemToObject(doc, "loss_levels", levels_json(&r->loss_levels));
    cJSON_AddItemToObject(doc, "flops_levels", levels_json(&r->flops_levels));
    add_number(doc, "points", (double)r->points);
    if (!reproducible)
        add_run_facts(doc, r);
    char description[256];
    sg_flop_count_describe(&c->flop_count, description, sizeof description);
    cJSON_AddStringToObject(doc, "flop_count", description);
    cJSON_AddItemToObject(doc, "iso_loss",
                          frontier_json(c, r->iso_loss, r->loss_levels.count));
    cJSON_AddItemToObject(doc, "iso_loss_cumulative",
                          frontier_json(c, r->iso_loss_cumulative,
                                        r->loss_levels.count));
    cJSON_AddItemToObject(doc, "iso_flops",
                          frontier_json(c, r->iso_flops,
                                        r->flops_levels.count));
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text)
        sg_set_error(err, SG_ERR_RUNTIME, "out of memory writing the sweep JSON");
    return text;
}

/* ------------------------------------------------------------------ CSV */

static void put_number(FILE *f, double value)
{
    char buf[40];
    sg_format_double(buf, sizeof buf, value);
    fputs(buf, f);
}

static void put_fields(FILE *f, const double *values, int count)
{
    for (int i = 0; i < count; i++) {
        fputc(',', f);
        put_number(f, values[i]);
    }
}

static void put_empty_fields(FILE *f, int count)
{
    for (int i = 0; i < count; i++)
        fputc(',', f);
}

/*
 * The frontier tables. Every row: the level, the selected point (empty
 * fields for an empty band), the optimum columns, then the extra columns
 * that the sweep's options ask for, and last the FLOP count's name:
 *   epochs                                    Muennighoff law: D / U
 *   training_flops,inference_flops,total_flops with inference tokens
 *   gpu_hours[,cost]                           with a cost model (of
 *                                              total_flops)
 *   flop_count                                 6N or deepseek, always
 * "flops" is always the training FLOPs; the reductions rank by the total.
 */
typedef struct {
    const sg_sweep_config *config;
    int epochs, inference, hours, money;
    const char *flop_count;
} table_columns;

static table_columns columns_of(const sg_sweep_config *c)
{
    table_columns t;
    t.config = c;
    t.epochs = c->law.form == SG_FORM_MUENNIGHOFF;
    t.inference = c->flop_count.inference_tokens > 0;
    t.hours = sg_cost_model_given(&c->cost_model);
    t.money = t.hours && c->cost_model.price > 0;
    t.flop_count = sg_flops_convention_name(c->flop_count.convention);
    return t;
}

static void put_header(FILE *f, const char *base, const table_columns *t)
{
    fputs(base, f);
    if (t->epochs)
        fputs(",epochs", f);
    if (t->inference)
        fputs(",training_flops,inference_flops,total_flops", f);
    if (t->hours)
        fputs(",gpu_hours", f);
    if (t->money)
        fputs(",cost", f);
    fputs(",flop_count\n", f);
}

static void put_extras(FILE *f, const table_columns *t,
                       const sg_frontier_row *r)
{
    int n = t->epochs + 3 * t->inference + t->hours + t->money;
    if (r->empty) {
        put_empty_fields(f, n);
    } else {
        if (t->epochs)
            put_fields(f, (double[]){r->tokens / t->config->law.unique_tokens},
                       1);
        if (t->inference)
            put_fields(f,
                       (double[]){r->flops, r->inference_flops, r->total_flops},
                       3);
        double hours = sg_gpu_hours(&t->config->cost_model, r->total_flops);
        if (t->hours)
            put_fields(f, &hours, 1);
        if (t->money)
            put_fields(f, (double[]){hours * t->config->cost_model.price}, 1);
    }
    fprintf(f, ",%s\n", t->flop_count);
}

static void put_point(FILE *f, const sg_frontier_row *r)
{
    double values[] = {r->params, r->tokens, r->flops,
                       r->flops / SG_FLOPS_PER_PF_DAY, r->loss,
                       r->tokens / r->params};
    put_fields(f, values, 6);
    fprintf(f, ",%d",
            r->tokens < sg_overfit_threshold_tokens(r->params) ? 1 : 0);
}

/*
 * The optimum of every level, computed once for all three tables: the
 * closed form where the law has one and the cost is 6 N D, the 1-D search
 * of optimal.c otherwise (Muennighoff's law, inference tokens, DeepSeek's
 * FLOP count). Levels at or below the law's floor have none.
 */
typedef struct {
    sg_optimum *loss, *flops; /* per loss level, per compute level */
    unsigned char *loss_ok, *flops_ok;
} level_optima;

static void level_optima_free(level_optima *o)
{
    free(o->loss);
    free(o->flops);
    free(o->loss_ok);
    free(o->flops_ok);
}

static sg_status level_optima_solve(level_optima *o, const sg_sweep_config *c,
                                    const sg_sweep_result *r, sg_error *err)
{
    uint32_t nl = r->loss_levels.count, nf = r->flops_levels.count;
    o->loss = calloc(nl, sizeof *o->loss);
    o->flops = calloc(nf, sizeof *o->flops);
    o->loss_ok = calloc(nl, 1);
    o->flops_ok = calloc(nf, 1);
    if (!o->loss || !o->flops || !o->loss_ok || !o->flops_ok) {
        level_optima_free(o);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory for the optima");
    }
    /* Independent 1-D problems: spread them over the threads. */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 8)
#endif
    for (int64_t k = 0; k < (int64_t)nl; k++)
        o->loss_ok[k] = sg_optimal_for_loss_counted(
                            &c->law, &c->flop_count, r->iso_loss[k].level,
                            SG_METHOD_AUTO, &o->loss[k], NULL) == SG_OK;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 8)
#endif
    for (int64_t k = 0; k < (int64_t)nf; k++)
        o->flops_ok[k] = sg_optimal_for_flops_counted(
                             &c->law, &c->flop_count, r->iso_flops[k].level,
                             SG_METHOD_AUTO, &o->flops[k], NULL) == SG_OK;
    return SG_OK;
}

/* The optimum columns that follow a frontier row's point. */
typedef void (*optimum_columns)(FILE *f, const sg_optimum *opt, int ok,
                                const sg_frontier_row *r);

/* frontier.csv and cumulative.csv: closed_form_flops is the least total
 * cost reaching the row's loss level; rel_gap = total_flops /
 * closed_form_flops - 1, never negative since every selected point reaches
 * its level. */
static const char iso_loss_header[] =
    "loss_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,"
    "closed_form_flops,rel_gap";

static void iso_loss_optimum(FILE *f, const sg_optimum *opt, int ok,
                             const sg_frontier_row *r)
{
    if (!ok) {
        put_empty_fields(f, 2); /* at or below the floor */
        return;
    }
    put_fields(f, &opt->total_flops, 1);
    if (r->empty)
        put_empty_fields(f, 1);
    else
        put_fields(f, (double[]){r->total_flops / opt->total_flops - 1.0}, 1);
}

/* isoflop.csv: the optimum of the level's budget; loss_gap = loss -
 * closed_form_loss, never negative. */
static const char iso_flops_header[] =
    "flops_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,"
    "closed_form_params,closed_form_tokens,closed_form_loss,loss_gap";

static void iso_flops_optimum(FILE *f, const sg_optimum *opt, int ok,
                              const sg_frontier_row *r)
{
    if (!ok) {
        put_empty_fields(f, 4);
        return;
    }
    put_fields(f, (double[]){opt->params, opt->tokens, opt->loss}, 3);
    if (r->empty)
        put_empty_fields(f, 1);
    else
        put_fields(f, (double[]){r->loss - opt->loss}, 1);
}

/* One row per level: the level, the selected point, the optimum columns
 * and the extras. */
static void write_frontier_csv(FILE *f, const char *header,
                               const table_columns *t,
                               const sg_frontier_row *rows, uint32_t count,
                               const sg_optimum *optima,
                               const unsigned char *ok,
                               optimum_columns optimum)
{
    put_header(f, header, t);
    for (uint32_t k = 0; k < count; k++) {
        put_number(f, rows[k].level);
        if (rows[k].empty)
            put_empty_fields(f, 7);
        else
            put_point(f, &rows[k]);
        optimum(f, &optima[k], ok[k], &rows[k]);
        put_extras(f, t, &rows[k]);
    }
}

/* ------------------------------------------------------- writing */

typedef enum { FILE_FRONTIER, FILE_CUMULATIVE, FILE_ISOFLOP, FILE_JSON } file_kind;

static const char *const file_names[OUTPUT_FILES] = {
    "frontier.csv", "cumulative.csv", "isoflop.csv", "sweep.json"};

static void write_body(FILE *f, file_kind kind, const sg_sweep_config *c,
                       const sg_sweep_result *r, const level_optima *o,
                       const char *json)
{
    table_columns t = columns_of(c);
    switch (kind) {
    case FILE_FRONTIER:
        write_frontier_csv(f, iso_loss_header, &t, r->iso_loss,
                           r->loss_levels.count, o->loss, o->loss_ok,
                           iso_loss_optimum);
        break;
    case FILE_CUMULATIVE:
        write_frontier_csv(f, iso_loss_header, &t, r->iso_loss_cumulative,
                           r->loss_levels.count, o->loss, o->loss_ok,
                           iso_loss_optimum);
        break;
    case FILE_ISOFLOP:
        write_frontier_csv(f, iso_flops_header, &t, r->iso_flops,
                           r->flops_levels.count, o->flops, o->flops_ok,
                           iso_flops_optimum);
        break;
    case FILE_JSON:
        fputs(json, f);
        fputc('\n', f);
        break;
    }
}

static sg_status check_cancel(const sg_output_options *options, sg_error *err)
{
    if (options && sg_cancelled(options->control))
        return sg_fail(err, SG_ERR_CANCELLED, "writing the outputs cancelled");
    return SG_OK;
}

sg_status sg_write_outputs(const char *dir, const sg_sweep_config *c,
                           const sg_sweep_result *r,
                           const sg_output_options *options, sg_error *err)
{
    SG_TRY(sg_check_output_dir(dir, err));
    char *json = sg_sweep_json(c, r, options, err);
    if (!json)
        return SG_ERR_RUNTIME;
    level_optima optima;
    if (level_optima_solve(&optima, c, r, err) != SG_OK) {
        free(json);
        return SG_ERR_RUNTIME;
    }
    sg_staged_file files[OUTPUT_FILES];
    memset(files, 0, sizeof files);
    sg_status st = SG_OK;
    for (int i = 0; i < OUTPUT_FILES && st == SG_OK; i++) {
        FILE *f;
        st = check_cancel(options, err);
        if (st == SG_OK)
            st = sg_stage_open(&files[i], dir, file_names[i], &f, err);
        if (st != SG_OK)
            break;
        write_body(f, (file_kind)i, c, r, &optima, json);
        st = sg_stage_close(&files[i], f, err);
    }
    free(json);
    level_optima_free(&optima);
    if (st == SG_OK)
        st = check_cancel(options, err);
    if (st == SG_OK)
        return sg_staged_commit(files, OUTPUT_FILES, err);
    sg_staged_discard(files, OUTPUT_FILES);
    return st;
}

/* ------------------------------------------------------ output directory */

static int make_dirs(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

sg_status sg_check_output_dir(const char *dir, sg_error *err)
{
    if (!dir || !*dir)
        return sg_fail(err, SG_ERR_INPUT, "output directory name is empty");
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return sg_fail(err, SG_ERR_INPUT,
                       "output path '%s' exists and is not a directory", dir);
    if (make_dirs(dir) != 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "cannot create output directory '%s': %s", dir,
                       strerror(errno));
    /* access() can say yes where writing fails (read-only mounts): try. */
    char probe[PATH_MAX];
    if (snprintf(probe, sizeof probe, "%s/.scalegrid-probe.XXXXXX", dir) >=
        (int)sizeof probe)
        return sg_fail(err, SG_ERR_INPUT, "output path '%s' is too long", dir);
    int fd = mkstemp(probe);
    if (fd < 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "cannot write to output directory '%s': %s", dir,
                       strerror(errno));
    close(fd);
    unlink(probe);
    return SG_OK;
}
