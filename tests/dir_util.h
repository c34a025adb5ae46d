/*
 * Folder helpers for the tests that write output folders (test_output,
 * test_plot, test_reliability): count what a folder holds, remove a flat
 * one.
 */
#ifndef SG_DIR_UTIL_H
#define SG_DIR_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

#endif /* SG_DIR_UTIL_H */
