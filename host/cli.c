/* Helpers shared by the scalegrid commands. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_next_option(int argc, char **argv, const struct option *options,
                    const char *command)
{
    opterr = 0;
    int c = getopt_long(argc, argv, ":", options, NULL);
    if (c == '?')
        return cli_usage_error(command, "unknown option '%s' (see scalegrid "
                               "%s --help)", argv[optind - 1], command),
               -2;
    if (c == ':')
        return cli_usage_error(command, "option '%s' needs a value",
                               argv[optind - 1]),
               -2;
    return c;
}

int cli_report(const sg_error *err)
{
    fprintf(stderr, "scalegrid: %s\n", err->message);
    return err->status == SG_OK ? SG_ERR_RUNTIME : (int)err->status;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    char line[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    fprintf(stderr, "scalegrid %s: %s\n", command, line);
    return SG_ERR_INPUT;
}

int cli_number(const char *command, const char *option, const char *text,
               double *out)
{
    sg_error err;
    if (sg_parse_number(text, out, &err) != SG_OK)
        return cli_usage_error(command, "%s: %s", option, err.message);
    return 0;
}

int cli_add_setting(cli_law_options *o, const char *command, const char *text)
{
    if (o->n_settings == (int)(sizeof o->settings / sizeof o->settings[0]))
        return cli_usage_error(command, "too many --set options");
    o->settings[o->n_settings++] = text;
    return 0;
}

int cli_resolve_law(const cli_law_options *o, const char *command,
                    int required, sg_law *law)
{
    sg_error err;
    int have_law = 0;
    if (o->config_path) {
        sg_sweep_config config;
        sg_sweep_config_default(&config);
        unsigned set = 0;
        char out_dir[4096]; /* a sweep config's "out": unused here */
        if (sg_config_load(o->config_path, &config, &set, out_dir,
                           sizeof out_dir, &err) != SG_OK)
            return cli_report(&err);
        if (set & SG_CONFIG_HAS_LAW) {
            *law = config.law;
            have_law = 1;
        }
    }
    if (o->law_name) {
        if (sg_law_preset(o->law_name, law, &err) != SG_OK)
            return cli_report(&err);
        have_law = 1;
    }
    if (!have_law && required)
        return cli_usage_error(command,
                               "no law given: use --law NAME (see scalegrid "
                               "laws) or a config file with \"law\"");
    for (int i = 0; i < o->n_settings; i++)
        if (sg_law_apply_settings(law, o->settings[i], &err) != SG_OK)
            return cli_report(&err);
    if (sg_law_validate(law, &err) != SG_OK)
        return cli_report(&err);
    return 0;
}

cJSON *cli_json_number(double value)
{
    if (!isfinite(value))
        return cJSON_CreateNull();
    char text[40];
    sg_format_double(text, sizeof text, value);
    return cJSON_CreateRaw(text);
}

void cli_add_number(cJSON *object, const char *key, double value)
{
    cJSON_AddItemToObject(object, key, cli_json_number(value));
}

int cli_print_json(cJSON *doc)
{
    char *text = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!text) {
        fprintf(stderr, "scalegrid: out of memory printing JSON\n");
        return SG_ERR_RUNTIME;
    }
    puts(text);
    free(text);
    return 0;
}
