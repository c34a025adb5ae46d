/* Numbers as people read them: 7.0B params, 1.4T tokens, 1.2e21 FLOPs. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "1.2e+21" -> "1.2e21", "3.4e-05" -> "3.4e-5". */
static void tidy_exponent(char *buf)
{
    char *e = strchr(buf, 'e');
    if (!e)
        return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+')
        src++;
    else if (*src == '-')
        *dst++ = *src++;
    while (*src == '0' && src[1])
        src++;
    memmove(dst, src, strlen(src) + 1);
}

void sg_format_sci(char *buf, size_t size, double value)
{
    snprintf(buf, size, "%.3g", value);
    tidy_exponent(buf);
}

void sg_format_count(char *buf, size_t size, double value)
{
    static const struct {
        double scale;
        const char *suffix;
    } units[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    if (!isfinite(value)) {
        snprintf(buf, size, "%g", value);
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        double scaled = value / units[i].scale;
        /* 999.7M prints as 1.0B, not 1000M */
        if (fabs(value) >= units[i].scale * 0.9995 && fabs(scaled) < 999.5) {
            snprintf(buf, size, fabs(scaled) < 100 ? "%.1f%s" : "%.0f%s",
                     scaled, units[i].suffix);
            return;
        }
    }
    if (fabs(value) >= 999.5e12) {
        sg_format_sci(buf, size, value);
        return;
    }
    snprintf(buf, size, "%.3g", value);
}
