/*
 * Staged output files: written under a temporary name in the destination
 * directory and renamed into place only once every file of a set was
 * written and closed without error; on failure the temporaries are removed.
 * A reader never finds a truncated file that looks complete. Used by the
 * sweep's tables (output.c) and the plots (plot.c).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

sg_status sg_stage_open(sg_staged_file *s, const char *dir, const char *name,
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
    *out = fdopen(fd, "wb");
    if (!*out) {
        close(fd);
        return sg_fail(err, SG_ERR_RUNTIME, "cannot open '%s': %s",
                       s->temp_path, strerror(errno));
    }
    return SG_OK;
}

sg_status sg_stage_close(sg_staged_file *s, FILE *f, sg_error *err)
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

void sg_staged_discard(sg_staged_file *files, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (files[i].staged) {
            unlink(files[i].temp_path);
            files[i].staged = 0;
        }
}

sg_status sg_staged_commit(sg_staged_file *files, size_t count,
                           sg_error *err)
{
    for (size_t i = 0; i < count; i++) {
        if (rename(files[i].temp_path, files[i].final_path) != 0) {
            sg_status st =
                sg_fail(err, SG_ERR_RUNTIME, "cannot rename '%s' to '%s': %s",
                        files[i].temp_path, files[i].final_path,
                        strerror(errno));
            sg_staged_discard(files + i, count - i);
            return st;
        }
        files[i].staged = 0;
    }
    return SG_OK;
}
