/* One-line error messages, recorded in the caller's sg_error. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void sg_set_error(sg_error *err, sg_status status, const char *fmt, ...)
{
    if (!err)
        return;
    char line[sizeof err->message];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    /* One line: a message never carries a newline to the terminal. */
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    memcpy(err->message, line, sizeof line);
    err->status = status;
}

void sg_prefix_error(sg_error *err, sg_status status, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[sizeof err->message];
    va_list args;
    va_start(args, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, args);
    va_end(args);
    sg_set_error(err, status, "%s%s", prefix, err->message);
}

void sg_format_double(char *buf, size_t size, double value)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, value);
        double back;
        if (sscanf(buf, "%lf", &back) == 1 && back == value)
            return;
    }
}
