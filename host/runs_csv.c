/*
 * Training runs for fitting: read from a CSV file with a header, copied from
 * arrays, trimmed of their highest-loss points.
 *
 * The CSV dialect is the common one, kept small: comma-separated fields, an
 * optional pair of double quotes around a field (a comma inside is data, ""
 * is a quote), CRLF or LF line ends, a UTF-8 byte-order mark ignored, blank
 * lines ignored. A quoted field cannot span lines. Numbers use the CLI's
 * syntax (sg_parse_number: 1e9, 7B, 1.4T).
 */
#include "fit.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bad lines named in a failure message; the rest are counted. */
#define MAX_LISTED_LINES 5
#define INITIAL_CAPACITY 64

void sg_runs_csv_options_default(sg_runs_csv_options *options)
{
    options->params_column = "params";
    options->tokens_column = "tokens";
    options->loss_column = "loss";
    options->flops_column = NULL;
    options->skip_bad_rows = 0;
}

void sg_runs_free(sg_runs *runs)
{
    if (!runs)
        return;
    free(runs->params);
    free(runs->tokens);
    free(runs->loss);
    free(runs->line);
    free(runs->skipped_lines);
    memset(runs, 0, sizeof *runs);
}

/* ------------------------------------------------------------- storage */

/* Growable storage for runs and for the line numbers of bad rows. */
typedef struct {
    size_t capacity;
    size_t bad_count, bad_capacity;
    size_t *bad_lines;
    char first_bad_reason[160];
    size_t first_bad_line;
} run_store;

static sg_status grow_runs(sg_runs *runs, run_store *store, sg_error *err)
{
    if (runs->count < store->capacity)
        return SG_OK;
    size_t cap = store->capacity ? 2 * store->capacity : INITIAL_CAPACITY;
    double *p = realloc(runs->params, cap * sizeof *p);
    if (p)
        runs->params = p;
    double *t = realloc(runs->tokens, cap * sizeof *t);
    if (t)
        runs->tokens = t;
    double *l = realloc(runs->loss, cap * sizeof *l);
    if (l)
        runs->loss = l;
    size_t *n = realloc(runs->line, cap * sizeof *n);
    if (n)
        runs->line = n;
    if (!p || !t || !l || !n)
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory reading runs");
    store->capacity = cap;
    return SG_OK;
}

static sg_status note_bad_row(run_store *store, size_t line,
                              const char *reason, sg_error *err)
{
    if (store->bad_count == store->bad_capacity) {
        size_t cap = store->bad_capacity ? 2 * store->bad_capacity : 16;
        size_t *lines = realloc(store->bad_lines, cap * sizeof *lines);
        if (!lines)
            return sg_fail(err, SG_ERR_RUNTIME, "out of memory reading runs");
        store->bad_lines = lines;
        store->bad_capacity = cap;
    }
    if (store->bad_count == 0) {
        store->first_bad_line = line;
        snprintf(store->first_bad_reason, sizeof store->first_bad_reason,
                 "%s", reason);
    }
    store->bad_lines[store->bad_count++] = line;
    return SG_OK;
}

/* "lines 5, 9, 12 and 4 more" into buf. */
static void list_lines(char *buf, size_t size, const size_t *lines,
                       size_t count)
{
    size_t used = (size_t)snprintf(buf, size, "line%s", count > 1 ? "s" : "");
    for (size_t i = 0; i < count && i < MAX_LISTED_LINES && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s %zu",
                                 i ? "," : "", lines[i]);
    if (count > MAX_LISTED_LINES && used < size)
        snprintf(buf + used, size - used, " and %zu more",
                 count - MAX_LISTED_LINES);
}

/* ------------------------------------------------------------- parsing */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* Unquotes a field that starts with '"' in place; returns the end of the
 * field (the comma or NUL after it), or NULL for a missing closing quote. */
static char *unquote_field(char *start)
{
    char *in = start + 1, *out = start;
    for (;;) {
        if (*in == '\0')
            return NULL;
        if (*in == '"') {
            if (in[1] == '"') {
                *out++ = '"';
                in += 2;
                continue;
            }
            in++;
            break;
        }
        *out++ = *in++;
    }
    /* Text between the closing quote and the comma is kept (lenient). */
    while (*in && *in != ',')
        *out++ = *in++;
    char *end = in;
    *out = '\0';
    return end;
}

/* Splits a line into fields in place. Returns the field count, or -1 for an
 * unterminated quote. fields must hold strlen(line) + 1 entries. */
static long split_fields(char *line, char **fields)
{
    long n = 0;
    char *p = line;
    for (;;) {
        char *start = p;
        while (*start == ' ' || *start == '\t')
            start++;
        char *end;
        if (*start == '"') {
            end = unquote_field(start);
            if (!end)
                return -1;
        } else {
            end = start + strcspn(start, ",");
        }
        char sep = *end;
        *end = '\0';
        fields[n++] = trim(start);
        if (sep != ',')
            return n;
        /* unquote_field may have shortened the field: continue after the
         * separator it found, which is where end points. */
        p = end + 1;
    }
}

/* Strips the line end (LF, CRLF or a lone CR). */
static void chomp(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

/* ---------------------------------------------------------------- header */

typedef struct {
    long params, tokens, flops, loss; /* field indexes; -1 if unused */
    long needed;                      /* fields a row must have */
    long header_fields;               /* fields a row may have at most */
} columns;

static void list_header(char *buf, size_t size, char **fields, long count)
{
    size_t used = 0;
    buf[0] = '\0';
    for (long i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s'%s'",
                                 i ? ", " : "", fields[i]);
}

static sg_status find_column(const char *path, const char *name,
                             char **fields, long count, long *index,
                             sg_error *err)
{
    *index = -1;
    for (long i = 0; i < count; i++) {
        if (strcmp(fields[i], name) != 0)
            continue;
        if (*index >= 0)
            return sg_fail(err, SG_ERR_INPUT,
                           "%s: column '%s' appears twice in the header",
                           path, name);
        *index = i;
    }
    if (*index >= 0)
        return SG_OK;
    char names[400];
    list_header(names, sizeof names, fields, count);
    return sg_fail(err, SG_ERR_INPUT,
                   "%s: no column '%s' in the header (columns: %s)", path,
                   name, names);
}

static sg_status parse_header(const char *path, char *line,
                              const sg_runs_csv_options *o, char **fields,
                              columns *cols, sg_error *err)
{
    /* A UTF-8 byte-order mark is not part of the first name. */
    if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        memmove(line, line + 3, strlen(line + 3) + 1);
    if (is_blank(line))
        return sg_fail(err, SG_ERR_INPUT,
                       "%s: line 1 is empty; expected a header naming the "
                       "columns",
                       path);
    long count = split_fields(line, fields);
    if (count < 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s:1: unterminated quote in the header", path);
    cols->header_fields = count;
    cols->tokens = cols->flops = -1;
    SG_TRY(find_column(path, o->params_column, fields, count, &cols->params,
                       err));
    if (o->flops_column)
        SG_TRY(find_column(path, o->flops_column, fields, count, &cols->flops,
                           err));
    else
        SG_TRY(find_column(path, o->tokens_column, fields, count,
                           &cols->tokens, err));
    SG_TRY(find_column(path, o->loss_column, fields, count, &cols->loss,
                       err));
    long most = cols->params > cols->loss ? cols->params : cols->loss;
    long second = cols->flops >= 0 ? cols->flops : cols->tokens;
    cols->needed = 1 + (most > second ? most : second);
    return SG_OK;
}

/* ------------------------------------------------------------------ rows */

/* One finite positive number from a field; on failure a reason in why. */
static int parse_positive(const char *field, const char *column,
                          double *out, char *why, size_t why_size)
{
    sg_error perr;
    if (!*field) {
        snprintf(why, why_size, "column '%s' is empty", column);
        return 0;
    }
    if (sg_parse_number(field, out, &perr) != SG_OK) {
        snprintf(why, why_size, "column '%.60s': %.80s", column,
                 perr.message);
        return 0;
    }
    if (!(*out > 0)) {
        snprintf(why, why_size, "column '%s': %s is not positive", column,
                 field);
        return 0;
    }
    return 1;
}

/* Splits a data row; 0 and a reason if its fields cannot be lined up with
 * the header's. A row wider than the header has a value no column names,
 * most likely shifted columns, so it is as bad as a short one. */
static int split_row(char *line, char **fields, const columns *cols,
                     char *why, size_t why_size)
{
    long count = split_fields(line, fields);
    if (count < 0) {
        snprintf(why, why_size, "unterminated quote");
        return 0;
    }
    if (count < cols->needed) {
        snprintf(why, why_size, "%ld field%s, the header needs %ld", count,
                 count == 1 ? "" : "s", cols->needed);
        return 0;
    }
    if (count > cols->header_fields) {
        snprintf(why, why_size, "%ld fields, the header has %ld", count,
                 cols->header_fields);
        return 0;
    }
    return 1;
}

/* Parses one data row into N, D, L; 0 and a reason if it is bad. */
static int parse_row(char *line, char **fields, const columns *cols,
                     const sg_runs_csv_options *o, double *n, double *d,
                     double *l, char *why, size_t why_size)
{
    if (!split_row(line, fields, cols, why, why_size))
        return 0;
    const char *d_name = o->flops_column ? o->flops_column : o->tokens_column;
    long d_index = o->flops_column ? cols->flops : cols->tokens;
    if (!parse_positive(fields[cols->params], o->params_column, n, why,
                        why_size) ||
        !parse_positive(fields[d_index], d_name, d, why, why_size) ||
        !parse_positive(fields[cols->loss], o->loss_column, l, why,
                        why_size))
        return 0;
    if (o->flops_column) {
        /* D = C / (6 N): the training cost convention of the whole tool. */
        *d = *d / (SG_FLOPS_PER_PARAM_TOKEN * *n);
        if (!(*d > 0) || !isfinite(*d)) {
            snprintf(why, why_size, "tokens C / (6 N) = %g out of range", *d);
            return 0;
        }
    }
    return 1;
}

typedef struct {
    const char *path;
    const sg_runs_csv_options *options;
    columns cols;
    char **fields;
    size_t fields_capacity;
} reader;

static sg_status ensure_fields(reader *r, size_t line_length, sg_error *err)
{
    if (line_length + 1 <= r->fields_capacity)
        return SG_OK;
    size_t cap = 2 * (line_length + 1);
    char **f = realloc(r->fields, cap * sizeof *f);
    if (!f)
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory reading %s",
                       r->path);
    r->fields = f;
    r->fields_capacity = cap;
    return SG_OK;
}

static sg_status add_row(reader *r, char *line, size_t line_no,
                         sg_runs *runs, run_store *store, sg_error *err)
{
    double n = 0, d = 0, l = 0;
    char why[160];
    if (!parse_row(line, r->fields, &r->cols, r->options, &n, &d, &l, why,
                   sizeof why))
        return note_bad_row(store, line_no, why, err);
    SG_TRY(grow_runs(runs, store, err));
    runs->params[runs->count] = n;
    runs->tokens[runs->count] = d;
    runs->loss[runs->count] = l;
    runs->line[runs->count] = line_no;
    runs->count++;
    return SG_OK;
}

/* Reads the header and every row; bad rows are only noted here. */
static sg_status read_lines(reader *r, FILE *file, sg_runs *runs,
                            run_store *store, sg_error *err)
{
    char *line = NULL;
    size_t size = 0;
    size_t line_no = 0;
    sg_status st = SG_OK;
    ssize_t got;
    while ((got = getline(&line, &size, file)) >= 0) {
        line_no++;
        if ((st = ensure_fields(r, (size_t)got, err)) != SG_OK)
            goto done;
        chomp(line);
        if (line_no == 1)
            st = parse_header(r->path, line, r->options, r->fields, &r->cols,
                              err);
        else if (!is_blank(line))
            st = add_row(r, line, line_no, runs, store, err);
        if (st != SG_OK)
            goto done;
    }
    if (ferror(file))
        st = sg_fail(err, SG_ERR_RUNTIME, "cannot read %s: %s", r->path,
                     strerror(errno));
    else if (line_no == 0)
        st = sg_fail(err, SG_ERR_INPUT,
                     "%s is empty; expected a header naming the columns",
                     r->path);
done:
    free(line);
    return st;
}

/* Turns the noted bad rows into a failure, or into the skipped list. */
static sg_status settle_bad_rows(const char *path, int skip, sg_runs *runs,
                                 run_store *store, sg_error *err)
{
    char lines[200];
    list_lines(lines, sizeof lines, store->bad_lines, store->bad_count);
    if (store->bad_count > 0 && !skip)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s:%zu: bad row: %s (%zu bad row%s: %s)", path,
                       store->first_bad_line, store->first_bad_reason,
                       store->bad_count, store->bad_count == 1 ? "" : "s",
                       lines);
    if (runs->count == 0 && store->bad_count > 0)
        return sg_fail(err, SG_ERR_INPUT,
                       "%s: no usable rows: all %zu rows are bad (line %zu: "
                       "%s)",
                       path, store->bad_count, store->first_bad_line,
                       store->first_bad_reason);
    if (runs->count == 0)
        return sg_fail(err, SG_ERR_INPUT, "%s has a header but no rows",
                       path);
    runs->skipped_count = store->bad_count;
    runs->skipped_lines = store->bad_lines;
    store->bad_lines = NULL;
    if (store->bad_count > 0)
        snprintf(runs->first_skip_reason, sizeof runs->first_skip_reason,
                 "%s", store->first_bad_reason);
    return SG_OK;
}

/* fopen accepts a directory and only the first read fails (EISDIR), which
 * would surface as a runtime error; naming a directory is bad input. */
static sg_status open_runs_file(const char *path, FILE **file, sg_error *err)
{
    *file = fopen(path, "r");
    if (!*file)
        return sg_fail(err, SG_ERR_INPUT, "cannot open runs file %s: %s",
                       path, strerror(errno));
    struct stat st;
    if (fstat(fileno(*file), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(*file);
        *file = NULL;
        return sg_fail(err, SG_ERR_INPUT,
                       "%s is a directory, not a runs CSV file", path);
    }
    return SG_OK;
}

sg_status sg_runs_read_csv(const char *path,
                           const sg_runs_csv_options *options, sg_runs *runs,
                           sg_error *err)
{
    sg_runs_csv_options o;
    sg_runs_csv_options_default(&o);
    if (options) {
        /* A NULL column name keeps its default. */
        o.params_column = options->params_column ? options->params_column
                                                 : o.params_column;
        o.tokens_column = options->tokens_column ? options->tokens_column
                                                 : o.tokens_column;
        o.loss_column = options->loss_column ? options->loss_column
                                             : o.loss_column;
        o.flops_column = options->flops_column;
        o.skip_bad_rows = options->skip_bad_rows;
    }
    memset(runs, 0, sizeof *runs);
    FILE *file;
    SG_TRY(open_runs_file(path, &file, err));
    reader r = {path, &o, {0, 0, 0, 0, 0, 0}, NULL, 0};
    run_store store;
    memset(&store, 0, sizeof store);
    sg_status st = read_lines(&r, file, runs, &store, err);
    if (st == SG_OK)
        st = settle_bad_rows(path, o.skip_bad_rows, runs, &store, err);
    fclose(file);
    free(r.fields);
    free(store.bad_lines);
    if (st != SG_OK)
        sg_runs_free(runs);
    return st;
}

/* ------------------------------------------------------------ from arrays */

static sg_status check_positive(const char *what, size_t i, double value,
                                sg_error *err)
{
    if (isfinite(value) && value > 0)
        return SG_OK;
    return sg_fail(err, SG_ERR_INPUT,
                   "run %zu: %s must be a finite positive number (got %g)",
                   i + 1, what, value);
}

sg_status sg_runs_from_arrays(size_t count, const double *params,
                              const double *tokens, const double *loss,
                              sg_runs *runs, sg_error *err)
{
    memset(runs, 0, sizeof *runs);
    if (count == 0)
        return sg_fail(err, SG_ERR_INPUT, "no runs");
    for (size_t i = 0; i < count; i++) {
        SG_TRY(check_positive("params", i, params[i], err));
        SG_TRY(check_positive("tokens", i, tokens[i], err));
        SG_TRY(check_positive("loss", i, loss[i], err));
    }
    runs->params = malloc(count * sizeof *runs->params);
    runs->tokens = malloc(count * sizeof *runs->tokens);
    runs->loss = malloc(count * sizeof *runs->loss);
    runs->line = calloc(count, sizeof *runs->line);
    if (!runs->params || !runs->tokens || !runs->loss || !runs->line) {
        sg_runs_free(runs);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory copying runs");
    }
    memcpy(runs->params, params, count * sizeof *params);
    memcpy(runs->tokens, tokens, count * sizeof *tokens);
    memcpy(runs->loss, loss, count * sizeof *loss);
    runs->count = count;
    return SG_OK;
}

/* ------------------------------------------------------------ dropping */

typedef struct {
    double loss;
    size_t index;
} ranked_run;

/* Ascending loss, then ascending index: the last k are dropped. */
static int by_loss_then_index(const void *pa, const void *pb)
{
    const ranked_run *a = pa, *b = pb;
    if (a->loss != b->loss)
        return a->loss < b->loss ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

sg_status sg_runs_drop_highest_loss(sg_runs *runs, size_t k, sg_error *err)
{
    if (k == 0)
        return SG_OK;
    if (k >= runs->count)
        return sg_fail(err, SG_ERR_INPUT,
                       "cannot drop the %zu highest-loss runs of %zu: none "
                       "would be left",
                       k, runs->count);
    ranked_run *ranked = malloc(runs->count * sizeof *ranked);
    unsigned char *drop = calloc(runs->count, 1);
    if (!ranked || !drop) {
        free(ranked);
        free(drop);
        return sg_fail(err, SG_ERR_RUNTIME, "out of memory dropping runs");
    }
    for (size_t i = 0; i < runs->count; i++)
        ranked[i] = (ranked_run){runs->loss[i], i};
    qsort(ranked, runs->count, sizeof *ranked, by_loss_then_index);
    for (size_t i = runs->count - k; i < runs->count; i++)
        drop[ranked[i].index] = 1;
    size_t kept = 0;
    for (size_t i = 0; i < runs->count; i++) {
        if (drop[i])
            continue;
        runs->params[kept] = runs->params[i];
        runs->tokens[kept] = runs->tokens[i];
        runs->loss[kept] = runs->loss[i];
        if (runs->line)
            runs->line[kept] = runs->line[i];
        kept++;
    }
    runs->count = kept;
    free(ranked);
    free(drop);
    return SG_OK;
}
