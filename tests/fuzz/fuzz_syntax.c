/*
 * Fuzz target: the command-line syntax. The first byte picks the parser
 * (number, LO:HI:COUNT axis, levels, k=v settings on a law), the rest is
 * its text; accepted values are validated as the CLI would.
 */
#include "scalegrid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const sg_error *err)
{
    if (!memchr(err->message, '\0', sizeof err->message) ||
        strchr(err->message, '\n'))
        abort(); /* a message must be one terminated line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    sg_error err;
    double number;
    sg_axis axis;
    sg_levels levels;
    sg_law law;
    sg_status st = SG_OK;
    switch (data[0] % 4) {
    case 0:
        st = sg_parse_number(text, &number, &err);
        break;
    case 1:
        st = sg_parse_axis(text, &axis, &err);
        if (st == SG_OK)
            st = sg_axis_validate(&axis, "params axis", &err);
        if (st == SG_OK && axis.count > 0)
            sg_axis_value(&axis, axis.count - 1);
        break;
    case 2:
        st = sg_parse_levels(text, &levels, &err);
        if (st == SG_OK)
            st = sg_levels_validate(&levels, "loss levels", &err);
        break;
    default:
        sg_law_preset(data[0] & 4 ? "kaplan" : "chinchilla", &law, NULL);
        st = sg_law_apply_settings(&law, text, &err);
        if (st == SG_OK)
            st = sg_law_validate(&law, &err);
        break;
    }
    if (st != SG_OK)
        check_message(&err);
    free(text);
    return 0;
}
