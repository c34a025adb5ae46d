/* scalegrid laws: the catalogue of presets, their constants and sources. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char laws_help[] =
    "usage: scalegrid laws [--json]\n"
    "\n"
    "Lists the built-in scaling laws: name, form, constants, parameter and\n"
    "compute convention, and source.\n"
    "\n"
    "  --json   one JSON object: {\"laws\": [{name, form, formula, convention,\n"
    "           source, floor, constants: {...}}, ...]}\n"
    "  --help   this text\n";

static cJSON *law_entry(const sg_law *law)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", law->name);
    cJSON_AddStringToObject(o, "form", sg_form_name(law->form));
    cJSON_AddStringToObject(o, "formula", sg_law_formula(law));
    cJSON_AddStringToObject(o, "convention", sg_convention_name(law->convention));
    cJSON_AddStringToObject(o, "source", law->source);
    cli_add_number(o, "floor", sg_law_floor(law));
    cJSON *k = cJSON_AddObjectToObject(o, "constants");
    for (size_t i = 0; i < sg_law_constant_count(law); i++)
        cli_add_number(k, sg_law_constant_name(law, i),
                                sg_law_constant_value(law, i));
    return o;
}

static void print_law(const sg_law *law)
{
    printf("%-16s L = %s\n", law->name, sg_law_formula(law));
    printf("%-16s ", "");
    for (size_t i = 0; i < sg_law_constant_count(law); i++) {
        char value[40];
        sg_format_double(value, sizeof value, sg_law_constant_value(law, i));
        printf("%s%s = %s", i ? ", " : "", sg_law_constant_name(law, i), value);
    }
    printf("\n%-16s counts %s\n", "", sg_convention_name(law->convention));
    if (law->form == SG_FORM_MUENNIGHOFF)
        printf("%-16s needs the unique-token budget: --unique-tokens U "
               "(data-constrained; sweeps use the direct strategy)\n",
               "");
    printf("%-16s source: %s\n\n", "", law->source);
}

int cli_laws(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int json = 0, c;
    while ((c = cli_next_option(argc, argv, options, "laws")) != -1) {
        if (c == -2)
            return SG_ERR_INPUT;
        if (c == 'h') {
            fputs(laws_help, stdout);
            return 0;
        }
        json = 1;
    }
    if (optind < argc)
        return cli_usage_error("laws", "unexpected argument '%s'", argv[optind]);
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(doc, "laws");
        for (size_t i = 0; i < sg_law_preset_count(); i++)
            cJSON_AddItemToArray(list, law_entry(sg_law_preset_at(i)));
        return cli_print_json(doc);
    }
    for (size_t i = 0; i < sg_law_preset_count(); i++)
        print_law(sg_law_preset_at(i));
    printf("Kaplan's single-variable laws: scalegrid eval --law kaplan with "
           "only --params (1.1),\nonly --tokens (1.2) or only --flops (1.3, "
           "Table 5). Override constants with\n--set alpha=0.3,E=1.8 or a "
           "JSON config {\"law\": {...}}.\n");
    return 0;
}
