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

static cJSON *frontier_json(const sg_frontier_row *rows, uint32_t count)
{
    cJSON *a = cJSON_CreateArray();
    for (uint32_t k = 0; k < count; k++) {
        const sg_frontier_row *r = &rows[k];
        cJSON *o = cJSON_CreateObject();
        add_number(o, "level", r->level);
        add_number_or_null(o, "params", r->empty, r->params);
        add_number_or_null(o, "tokens", r->empty, r->tokens);
        add_number_or_null(o, "flops", r->empty, r->flops);
        add_number_or_null(o, "loss", r->empty, r->loss);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static void add_run_facts(cJSON *doc, const sg_sweep_result *r)
{
    cJSON_AddStringToObject(doc, "backend", sg_backend_name(r->backend));
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
    cJSON_AddItemToObject(doc, "iso_loss",
                          frontier_json(r->iso_loss, r->loss_levels.count));
    cJSON_AddItemToObject(doc, "iso_loss_cumulative",
                          frontier_json(r->iso_loss_cumulative,
                                        r->loss_levels.count));
    cJSON_AddItemToObject(doc, "iso_flops",
                          frontier_json(r->iso_flops, r->flops_levels.count));
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

static void put_point(FILE *f, const sg_frontier_row *r)
{
    double values[] = {r->params, r->tokens, r->flops,
                       r->flops / SG_FLOPS_PER_PF_DAY, r->loss,
                       r->tokens / r->params};
    put_fields(f, values, 6);
    fprintf(f, ",%d",
            r->tokens < sg_overfit_threshold_tokens(r->params) ? 1 : 0);
}

/* The closed-form columns that end a frontier row. */
typedef void (*closed_form_columns)(FILE *f, const sg_law *law,
                                    const sg_frontier_row *r);

/* frontier.csv and cumulative.csv: closed_form_flops is the least compute
 * reaching the row's loss level; rel_gap = flops / closed_form_flops - 1,
 * never negative since every selected point reaches its level. */
static const char iso_loss_header[] =
    "loss_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,"
    "closed_form_flops,rel_gap\n";

static void iso_loss_closed_form(FILE *f, const sg_law *law,
                                 const sg_frontier_row *r)
{
    sg_optimum opt;
    if (sg_optimal_for_loss(law, r->level, SG_METHOD_AUTO, &opt, NULL) !=
        SG_OK) {
        put_empty_fields(f, 2); /* at or below the floor */
        return;
    }
    put_fields(f, &opt.flops, 1);
    if (r->empty)
        put_empty_fields(f, 1);
    else
        put_fields(f, (double[]){r->flops / opt.flops - 1.0}, 1);
}

/* isoflop.csv: the closed-form compute-optimal point of the level's budget;
 * loss_gap = loss - closed_form_loss, never negative. */
static const char iso_flops_header[] =
    "flops_level,params,tokens,flops,pf_days,loss,tokens_per_param,overfit,"
    "closed_form_params,closed_form_tokens,closed_form_loss,loss_gap\n";

static void iso_flops_closed_form(FILE *f, const sg_law *law,
                                  const sg_frontier_row *r)
{
    sg_optimum opt;
    if (sg_optimal_for_flops(law, r->level, SG_METHOD_AUTO, &opt, NULL) !=
        SG_OK) {
        put_empty_fields(f, 4);
        return;
    }
    put_fields(f, (double[]){opt.params, opt.tokens, opt.loss}, 3);
    if (r->empty)
        put_empty_fields(f, 1);
    else
        put_fields(f, (double[]){r->loss - opt.loss}, 1);
}

/* One row per level: the level, the selected point (empty fields for an
 * empty band), then the closed-form columns. */
static void write_frontier_csv(FILE *f, const char *header, const sg_law *law,
                               const sg_frontier_row *rows, uint32_t count,
                               closed_form_columns closed_form)
{
    fputs(header, f);
    for (uint32_t k = 0; k < count; k++) {
        put_number(f, rows[k].level);
        if (rows[k].empty)
            put_empty_fields(f, 7);
        else
            put_point(f, &rows[k]);
        closed_form(f, law, &rows[k]);
        fputc('\n', f);
    }
}

/* ------------------------------------------------------- staged writing */

typedef struct {
    char final_path[PATH_MAX];
    char temp_path[PATH_MAX];
    int staged;
} staged_file;

static sg_status stage_open(staged_file *s, const char *dir, const char *name,
                            FILE **out, sg_error *err)
{
    if (snprintf(s->final_path, sizeof s->final_path, "%s/%s", dir, name) >=
            (int)sizeof s->final_path ||
        snprintf(s->temp_path, sizeof s->temp_path, "%s/.%s.XXXXXX", dir,
                 name) >= (int)sizeof s->temp_path)
        return sg_fail(err, SG_ERR_INPUT, "output path '%s/%s' is too long",
                       dir, name);
    int fd = mkstemp(s->temp_path);
    if (fd < 0)
        return sg_fail(err, SG_ERR_RUNTIME, "cannot create a file in '%s': %s",
                       dir, strerror(errno));
    s->staged = 1;
    fchmod(fd, 0644);
    *out = fdopen(fd, "w");
    if (!*out) {
        close(fd);
        return sg_fail(err, SG_ERR_RUNTIME, "cannot open '%s': %s",
                       s->temp_path, strerror(errno));
    }
    return SG_OK;
}

/* Flushes and closes; any write error anywhere in the file shows here. */
static sg_status stage_close(staged_file *s, FILE *f, sg_error *err)
{
    int failed = ferror(f);
    if (fflush(f) != 0)
        failed = 1;
    int saved = errno;
    if (fclose(f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    if (failed)
        return sg_fail(err, SG_ERR_RUNTIME, "writing '%s' failed: %s",
                       s->final_path, strerror(saved ? saved : EIO));
    return SG_OK;
}

static void discard_staged(staged_file *files, int count)
{
    for (int i = 0; i < count; i++)
        if (files[i].staged) {
            unlink(files[i].temp_path);
            files[i].staged = 0;
        }
}

static sg_status commit_staged(staged_file *files, int count, sg_error *err)
{
    for (int i = 0; i < count; i++) {
        if (rename(files[i].temp_path, files[i].final_path) != 0) {
            sg_status st =
                sg_fail(err, SG_ERR_RUNTIME, "cannot rename '%s' to '%s': %s",
                        files[i].temp_path, files[i].final_path,
                        strerror(errno));
            discard_staged(files + i, count - i);
            return st;
        }
        files[i].staged = 0;
    }
    return SG_OK;
}

typedef enum { FILE_FRONTIER, FILE_CUMULATIVE, FILE_ISOFLOP, FILE_JSON } file_kind;

static const char *const file_names[OUTPUT_FILES] = {
    "frontier.csv", "cumulative.csv", "isoflop.csv", "sweep.json"};

static void write_body(FILE *f, file_kind kind, const sg_sweep_config *c,
                       const sg_sweep_result *r, const char *json)
{
    switch (kind) {
    case FILE_FRONTIER:
        write_frontier_csv(f, iso_loss_header, &c->law, r->iso_loss,
                           r->loss_levels.count, iso_loss_closed_form);
        break;
    case FILE_CUMULATIVE:
        write_frontier_csv(f, iso_loss_header, &c->law, r->iso_loss_cumulative,
                           r->loss_levels.count, iso_loss_closed_form);
        break;
    case FILE_ISOFLOP:
        write_frontier_csv(f, iso_flops_header, &c->law, r->iso_flops,
                           r->flops_levels.count, iso_flops_closed_form);
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
    staged_file files[OUTPUT_FILES];
    memset(files, 0, sizeof files);
    sg_status st = SG_OK;
    for (int i = 0; i < OUTPUT_FILES && st == SG_OK; i++) {
        FILE *f;
        st = check_cancel(options, err);
        if (st == SG_OK)
            st = stage_open(&files[i], dir, file_names[i], &f, err);
        if (st != SG_OK)
            break;
        write_body(f, (file_kind)i, c, r, json);
        st = stage_close(&files[i], f, err);
    }
    free(json);
    if (st == SG_OK)
        st = check_cancel(options, err);
    if (st == SG_OK)
        return commit_staged(files, OUTPUT_FILES, err);
    discard_staged(files, OUTPUT_FILES);
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
