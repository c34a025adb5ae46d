/*
 * Reliability: bounded memory, cancellation that leaves nothing behind,
 * byte-identical outputs across thread counts and backends, and extreme
 * ranges.
 *
 * The memory test forks children that run sweeps; it runs first, before
 * this process has started any OpenMP threads (a forked child cannot use a
 * parent's thread pool).
 */
#include "sweep_util.h"
#include "file_util.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int under_instrumentation(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#else
    const char *wrapper = getenv("SG_TEST_WRAPPER");
    return wrapper && *wrapper;
#endif
}

/* Peak resident memory (KiB) of a child process that runs one sweep. */
static long peak_kib_of_sweep(uint64_t side)
{
    int fds[2];
    if (pipe(fds) != 0)
        fail_msg("pipe failed");
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        sg_sweep_config c;
        sg_sweep_config_default(&c);
        c.params.count = side;
        c.tokens.count = side;
        sg_sweep_result r;
        sg_error err;
        long kib = -1;
        if (sg_sweep_run(&c, &r, &err) == SG_OK) {
            struct rusage usage;
            getrusage(RUSAGE_SELF, &usage);
            kib = usage.ru_maxrss;
            sg_sweep_result_free(&r);
        }
        if (write(fds[1], &kib, sizeof kib) != sizeof kib)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    long kib = -1;
    if (read(fds[0], &kib, sizeof kib) != sizeof kib)
        kib = -1;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return kib;
}

static void peak_memory_of_a_2_32_point_sweep_stays_within_2x_of_2_24(void **state)
{
    (void)state;
    if (under_instrumentation()) {
        print_message("skipped: memory is not measurable under sanitizers or "
                      "valgrind\n");
        skip();
    }
    long small = peak_kib_of_sweep(4096);   /* 2^24 points */
    long large = peak_kib_of_sweep(65536);  /* 2^32 points */
    print_message("peak RSS: %ld KiB for 2^24 points, %ld KiB for 2^32\n",
                  small, large);
    assert_true(small > 0 && large > 0);
    assert_true(large <= 2 * small);
}

/* ------------------------------------------------------------ cancelling */

typedef struct {
    volatile sig_atomic_t flag;
    int calls;
} cancel_after_first_block;

static void cancel_on_progress(void *context, uint64_t done, uint64_t total,
                               double seconds)
{
    (void)done, (void)total, (void)seconds;
    cancel_after_first_block *c = context;
    c->calls++;
    c->flag = 1;
}

static void a_cancelled_sweep_stops_between_blocks(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.backend = SG_BACKEND_REFERENCE; /* blocks of 2^20 points */
    c.params.count = 4096;
    c.tokens.count = 4096;
    cancel_after_first_block cancel = {0, 0};
    sg_control control = {&cancel.flag, cancel_on_progress, &cancel};
    sg_sweep_result r;
    sg_error err;
    assert_int_equal(sg_sweep_run_controlled(&c, &control, &r, &err),
                     SG_ERR_CANCELLED);
    assert_int_equal(cancel.calls, 1);
    assert_null(r.iso_loss); /* nothing handed out */
}

static void a_cancelled_writer_leaves_no_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/scalegrid-cancel-XXXXXX";
    assert_non_null(mkdtemp(dir));
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 64;
    c.tokens.count = 64;
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    volatile sig_atomic_t flag = 1;
    sg_control control = {&flag, NULL, NULL};
    sg_output_options options = {0, &control};
    assert_int_equal(sg_write_outputs(dir, &c, &r, &options, &err),
                     SG_ERR_CANCELLED);
    assert_int_equal(count_entries(dir), 0);
    sg_sweep_result_free(&r);
    rmdir(dir);
}

/* ----------------------------------------------------------- determinism */

static void write_run(const sg_sweep_config *c, const char *dir)
{
    sg_sweep_result r;
    sg_error err;
    sg_output_options reproducible = {1, NULL};
    assert_ok(sg_sweep_run(c, &r, &err), err);
    assert_ok(sg_write_outputs(dir, c, &r, &reproducible, &err), err);
    sg_sweep_result_free(&r);
}

static void assert_same_bytes(const char *a_dir, const char *b_dir,
                              const char *name, const char *what)
{
    char a_path[256], b_path[256];
    snprintf(a_path, sizeof a_path, "%s/%s", a_dir, name);
    snprintf(b_path, sizeof b_path, "%s/%s", b_dir, name);
    size_t a_size = 0, b_size = 0;
    char *a = read_file(a_path, &a_size), *b = read_file(b_path, &b_size);
    assert_non_null(a);
    assert_non_null(b);
    if (a_size != b_size || memcmp(a, b, a_size) != 0)
        fail_msg("%s differs between runs (%s)", name, what);
    free(a);
    free(b);
}

static void remove_run(const char *dir)
{
    static const char *const names[] = {"frontier.csv", "cumulative.csv",
                                        "isoflop.csv", "sweep.json"};
    char path[256];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The same inputs give byte-identical files on 1, 2 and 7 threads, on the
 * reference and OpenMP backends and with either strategy. */
static void outputs_are_byte_identical_across_threads_and_backends(void **state)
{
    (void)state;
    static const char *const names[] = {"frontier.csv", "cumulative.csv",
                                        "isoflop.csv", "sweep.json"};
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 500;
    c.tokens.count = 700;
    c.loss_levels.count = 300;
    c.flops_levels.count = 90;
    char first[] = "/tmp/scalegrid-det-XXXXXX";
    assert_non_null(mkdtemp(first));
    c.backend = SG_BACKEND_REFERENCE;
    write_run(&c, first);

    struct {
        sg_backend backend;
        sg_strategy strategy;
        int threads;
    } runs[] = {{SG_BACKEND_OPENMP, SG_STRATEGY_FACTORED, 1},
                {SG_BACKEND_OPENMP, SG_STRATEGY_FACTORED, 2},
                {SG_BACKEND_OPENMP, SG_STRATEGY_FACTORED, 7},
                {SG_BACKEND_OPENMP, SG_STRATEGY_DIRECT, 2},
                {SG_BACKEND_OPENMP, SG_STRATEGY_EXACT, 2},
                {SG_BACKEND_REFERENCE, SG_STRATEGY_AUTO, 1}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        if (runs[i].threads > 1 && !sg_openmp_threads_available())
            continue;
        c.backend = runs[i].backend;
        c.strategy = runs[i].strategy;
        c.threads = runs[i].threads;
        char other[] = "/tmp/scalegrid-det-XXXXXX";
        assert_non_null(mkdtemp(other));
        write_run(&c, other);
        char what[96];
        snprintf(what, sizeof what, "%s, %s, %d threads",
                 sg_backend_name(runs[i].backend),
                 sg_strategy_name(runs[i].strategy), runs[i].threads);
        for (size_t k = 0; k < 4; k++)
            assert_same_bytes(first, other, names[k], what);
        remove_run(other);
    }
    remove_run(first);
}

/* ------------------------------------------------------- extreme ranges */

/* N from 1 to 1e20 and D from 1 to 1e20, every preset: finite frontiers,
 * and the OpenMP backend still agrees with the reference. */
static void extreme_ranges_stay_finite_and_agree(void **state)
{
    (void)state;
    for (size_t i = 0; i < sg_law_preset_count(); i++) {
        sg_sweep_config c;
        sg_sweep_config_default(&c);
        c.law = test_preset_at(i);
        c.params = (sg_axis){1, 1e20, 301};
        c.tokens = (sg_axis){1, 1e20, 299};
        c.loss_levels.count = 100;
        c.flops_levels.count = 50;
        sg_sweep_result ref, fast;
        sg_error err;
        c.backend = SG_BACKEND_REFERENCE;
        assert_ok(sg_sweep_run(&c, &ref, &err), err);
        c.backend = SG_BACKEND_OPENMP;
        assert_ok(sg_sweep_run(&c, &fast, &err), err);
        assert_same_frontiers(&ref, &fast, c.law.name);
        for (uint32_t k = 0; k < 100; k++)
            if (!ref.iso_loss[k].empty)
                assert_true(isfinite(ref.iso_loss[k].loss) &&
                            isfinite(ref.iso_loss[k].flops));
        sg_sweep_result_free(&ref);
        sg_sweep_result_free(&fast);
    }
}

/* Levels just above the floor: the grid cannot reach them; every band is
 * reported empty, and the closed form answers or refuses clearly. */
static void levels_near_the_floor_are_empty_not_zero(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.params.count = 512;
    c.tokens.count = 512;
    c.loss_levels = (sg_levels){1.69 + 1e-9, 1.69 + 1e-4, 50, 0};
    sg_sweep_result r;
    sg_error err;
    assert_ok(sg_sweep_run(&c, &r, &err), err);
    for (uint32_t k = 0; k < 50; k++) {
        assert_true(r.iso_loss[k].empty);
        assert_true(r.iso_loss_cumulative[k].empty);
        sg_optimum opt;
        sg_status st = sg_optimal_for_loss(&c.law, r.iso_loss[k].level,
                                           SG_METHOD_AUTO, &opt, &err);
        if (st == SG_OK)
            assert_true(isfinite(opt.flops) && opt.flops > 1e40);
        else
            assert_non_null(strstr(err.message, "outside double range"));
    }
    sg_sweep_result_free(&r);
}

/* Tokens down to 1 and huge exponents: terms overflow to +inf, which the
 * sweep never selects, rather than crashing or poisoning a band. */
static void overflowing_terms_are_skipped(void **state)
{
    (void)state;
    sg_sweep_config c;
    sg_sweep_config_default(&c);
    c.law.beta = 40; /* B D^-40 underflows to 0 for large D */
    c.law.alpha = 40;
    c.params = (sg_axis){1e-10, 1e10, 101};
    c.tokens = (sg_axis){1, 1e20, 103};
    c.loss_levels = (sg_levels){1.7, 1e5, 80, 0};
    sg_sweep_result ref, fast;
    sg_error err;
    c.backend = SG_BACKEND_REFERENCE;
    assert_ok(sg_sweep_run(&c, &ref, &err), err);
    c.backend = SG_BACKEND_OPENMP;
    assert_ok(sg_sweep_run(&c, &fast, &err), err);
    assert_same_frontiers(&ref, &fast, "overflowing terms");
    sg_sweep_result_free(&ref);
    sg_sweep_result_free(&fast);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: it forks, and must do so before any OpenMP thread exists */
        cmocka_unit_test(peak_memory_of_a_2_32_point_sweep_stays_within_2x_of_2_24),
        cmocka_unit_test(a_cancelled_sweep_stops_between_blocks),
        cmocka_unit_test(a_cancelled_writer_leaves_no_file),
        cmocka_unit_test(outputs_are_byte_identical_across_threads_and_backends),
        cmocka_unit_test(extreme_ranges_stay_finite_and_agree),
        cmocka_unit_test(levels_near_the_floor_are_empty_not_zero),
        cmocka_unit_test(overflowing_terms_are_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
