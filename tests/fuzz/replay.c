/*
 * Replays a fuzz target over its committed corpus and regression inputs
 * (tests/fuzz/corpus/<target>, tests/fuzz/regressions/<target>) in a normal
 * build, so `make test` re-checks every input that ever crashed. Files given
 * as arguments are replayed instead.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"name\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 0;
    }
    size_t cap = 1 << 16, size = 0, n;
    uint8_t *buf = malloc(cap);
    while (buf && (n = fread(buf + size, 1, cap - size, f)) > 0) {
        size += n;
        if (size == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        return 0;
    LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    return 1;
}

static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int count = 0;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        count += replay_file(path);
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    int count = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            count += replay_file(argv[i]);
    } else {
        count += replay_dir("tests/fuzz/corpus/" FUZZ_TARGET);
        count += replay_dir("tests/fuzz/regressions/" FUZZ_TARGET);
    }
    printf("fuzz target %s: replayed %d inputs without a crash\n", FUZZ_TARGET,
           count);
    return count > 0 ? 0 : 1;
}
