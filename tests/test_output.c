/*
 * Output files: their columns and rows, sweep.json's structure, staged
 * writing that leaves no temporary or partial file, and output directories
 * that cannot be written.
 */
#include "test_util.h"
#include "file_util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static sg_sweep_config small_config(void)
{
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params = (sg_axis){1e7, 1e11, 120};
    c.tokens = (sg_axis){1e8, 1e12, 130};
    c.loss_levels = (sg_levels){1.5, 4.0, 26, 0}; /* the lowest are empty */
    c.flops_levels.count = 17;
    return c;
}

static void outputs_have_their_columns_and_one_row_per_level(void **state)
{
    (void)state;
    char dir[] = "/tmp/scalegrid-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/nested/out", dir); /* created on demand */
    sg_sweep_config c = small_config();
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    assert_ok(sg_write_outputs(sub, &c, &r, NULL, &err), err);
    assert_int_equal(count_entries(sub), 4); /* no temporaries left */

    char path[700];
    snprintf(path, sizeof path, "%s/frontier.csv", sub);
    char *csv = read_file(path, NULL);
    assert_non_null(csv);
    assert_true(strncmp(csv, "loss_level,params,tokens,flops,pf_days,loss,"
                             "tokens_per_param,overfit,closed_form_flops,"
                             "rel_gap,flop_count\n", 99) == 0);
    assert_int_equal(count_lines(csv), 1 + 26);
    /* The lowest level (1.5) is below the floor: an empty row, and no
     * closed form. */
    assert_non_null(strstr(csv, "\n1.5,,,,,,,,,,6N\n"));
    free(csv);

    snprintf(path, sizeof path, "%s/isoflop.csv", sub);
    csv = read_file(path, NULL);
    assert_non_null(csv);
    assert_int_equal(count_lines(csv), 1 + 17);
    assert_true(strncmp(csv, "flops_level,params,tokens,flops,pf_days,loss,"
                             "tokens_per_param,overfit,closed_form_params,"
                             "closed_form_tokens,closed_form_loss,loss_gap,"
                             "flop_count\n",
                        122) == 0);
    free(csv);

    snprintf(path, sizeof path, "%s/cumulative.csv", sub);
    csv = read_file(path, NULL);
    assert_non_null(csv);
    assert_int_equal(count_lines(csv), 1 + 26);
    free(csv);

    snprintf(path, sizeof path, "%s/sweep.json", sub);
    char *json = read_file(path, NULL);
    assert_non_null(json);
    cJSON *doc = cJSON_Parse(json);
    assert_non_null(doc);
    static const char *const keys[] = {
        "config", "law", "grid", "backend", "points", "seconds",
        "points_per_second", "flop_count", "iso_loss", "iso_loss_cumulative",
        "iso_flops"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!cJSON_GetObjectItemCaseSensitive(doc, keys[i]))
            fail_msg("sweep.json lacks \"%s\"", keys[i]);
    cJSON *iso = cJSON_GetObjectItemCaseSensitive(doc, "iso_loss");
    assert_int_equal(cJSON_GetArraySize(iso), 26);
    cJSON *first = cJSON_GetArrayItem(iso, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(first, "params")));
    cJSON *last = cJSON_GetArrayItem(iso, 25);
    assert_rel(cJSON_GetObjectItemCaseSensitive(last, "level")->valuedouble, 4.0,
               0);
    assert_rel(cJSON_GetObjectItemCaseSensitive(last, "flops")->valuedouble,
               r.iso_loss[25].flops, 0);
    assert_rel(cJSON_GetObjectItemCaseSensitive(doc, "points")->valuedouble,
               120.0 * 130.0, 0);
    cJSON_Delete(doc);
    free(json);

    sg_sweep_result_free(&r);
    remove_dir(sub);
    snprintf(path, sizeof path, "%s/nested", dir);
    rmdir(path);
    rmdir(dir);
}

/* A directory that cannot be written: refused up front, nothing left. */
static void unwritable_directories_are_refused(void **state)
{
    (void)state;
    sg_error err;
    assert_input_error(sg_check_output_dir("/proc/scalegrid", &err), err,
                       "cannot create output directory");
    char file[] = "/tmp/scalegrid-file-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    assert_input_error(sg_check_output_dir(file, &err), err,
                       "not a directory");
    unlink(file);
    if (geteuid() != 0) { /* root writes through permissions */
        char dir[] = "/tmp/scalegrid-ro-XXXXXX";
        assert_non_null(mkdtemp(dir));
        chmod(dir, 0555);
        assert_input_error(sg_check_output_dir(dir, &err), err,
                           "cannot write");
        assert_int_equal(count_entries(dir), 0);
        rmdir(dir);
    }
}

/* Writing over a previous run replaces every file. */
static void rewriting_a_directory_replaces_the_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/scalegrid-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    sg_sweep_config c = small_config();
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    assert_ok(sg_write_outputs(dir, &c, &r, NULL, &err), err);
    sg_sweep_result_free(&r);
    c.loss_levels.count = 11;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    assert_ok(sg_write_outputs(dir, &c, &r, NULL, &err), err);
    char path[600];
    snprintf(path, sizeof path, "%s/frontier.csv", dir);
    char *csv = read_file(path, NULL);
    assert_non_null(csv);
    assert_int_equal(count_lines(csv), 1 + 11);
    assert_int_equal(count_entries(dir), 4);
    free(csv);
    sg_sweep_result_free(&r);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outputs_have_their_columns_and_one_row_per_level),
        cmocka_unit_test(unwritable_directories_are_refused),
        cmocka_unit_test(rewriting_a_directory_replaces_the_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
