/*
 * File and folder helpers for the tests that write output folders
 * (test_output, test_plot, test_reliability): read a file whole, count
 * what a folder holds, remove a flat one.
 */
#ifndef SG_FILE_UTIL_H
#define SG_FILE_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole file at path, with a '\0' after its last byte (so text can be
 * read as a string); its size in bytes in *size unless size is NULL. NULL
 * if it cannot be read whole. The caller frees it. */
static inline char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    char *buf = n >= 0 && fseek(f, 0, SEEK_SET) == 0
                    ? malloc((size_t)n + 1)
                    : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (size)
        *size = (size_t)n;
    return buf;
}

/* Entries in dir other than . and .. (0 if it cannot be opened). */
static inline int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

/* Removes dir and the files in it (the tests' folders hold no folders). */
static inline void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int length = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (length > 0 && (size_t)length < sizeof path)
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

#endif /* SG_FILE_UTIL_H */
