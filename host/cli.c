/* Helpers shared by the scalegrid commands. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether `word` is "--prefix=value" for a prefix of the option's name. */
static int names_with_value(const char *word, const char *name)
{
    const char *eq = strchr(word, '=');
    size_t n = eq ? (size_t)(eq - word) : 0;
    return eq && n > 2 && strncmp(word, "--", 2) == 0 &&
           strncmp(word + 2, name, n - 2) == 0;
}

/* The command-line word that named the option getopt_long just returned:
 * the last word it consumed, or the one before when the value came as a
 * word of its own ("--out DIR" rather than "--out=DIR"). */
static const char *option_word(char **argv, const struct option *option)
{
    const char *last = argv[optind - 1];
    if (option->has_arg == no_argument || names_with_value(last, option->name))
        return last;
    return argv[optind - 2];
}

/* Whether `word` ("--name" or "--name=value") spells the option out:
 * getopt_long also takes unique prefixes, and a prefix that means one
 * option today can mean another after the next option is added. */
static int spelled_out(const char *word, const char *name)
{
    size_t n = strlen(name);
    return strncmp(word, "--", 2) == 0 && strncmp(word + 2, name, n) == 0 &&
           (word[2 + n] == '\0' || word[2 + n] == '=');
}

int cli_next_option(int argc, char **argv, const struct option *options,
                    const char *command)
{
    /* Options seen in this parse, by index in `options`: a repeated one is
     * an error (which of the two values was meant?), except --set, which
     * adds settings. A parse starts at optind 0 or 1. */
    static unsigned char seen[64];
    if (optind <= 1)
        memset(seen, 0, sizeof seen);
    opterr = 0;
    int index = -1;
    int c = getopt_long(argc, argv, ":", options, &index);
    if (c == '?')
        return cli_usage_error(command, "unknown option '%s' (see scalegrid "
                               "%s --help)", argv[optind - 1], command),
               -2;
    if (c == ':')
        return cli_usage_error(command, "option '%s' needs a value",
                               argv[optind - 1]),
               -2;
    if (c == -1 || index < 0)
        return c;
    const struct option *option = &options[index];
    const char *word = option_word(argv, option);
    if (!spelled_out(word, option->name))
        return cli_usage_error(command, "option '%s' is not spelled out: "
                               "write --%s", word, option->name),
               -2;
    if (index < (int)sizeof seen && strcmp(option->name, "set") != 0) {
        if (seen[index])
            return cli_usage_error(command, "option --%s is given twice",
                                   option->name),
                   -2;
        seen[index] = 1;
    }
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

/* The item after `item` in a comma list, or NULL after the last. */
static const char *next_item(const char *item)
{
    const char *comma = strchr(item, ',');
    return comma ? comma + 1 : NULL;
}

/* The length of a list item's key: up to '=' when keyed, else all of it. */
static size_t item_key_length(const char *item, int keyed)
{
    size_t length = strcspn(item, ",");
    const char *eq = keyed ? memchr(item, '=', length) : NULL;
    return eq ? (size_t)(eq - item) : length;
}

int cli_check_list(const char *command, const char *option, const char *text,
                   int keyed)
{
    size_t n = strlen(text);
    if (n == 0 || text[0] == ',' || text[n - 1] == ',' || strstr(text, ",,"))
        return cli_usage_error(command, "%s: '%s' has an empty item", option,
                               text);
    /* Every pair of items: lists are a few items long. */
    for (const char *a = text; a; a = next_item(a))
        for (const char *b = next_item(a); b; b = next_item(b)) {
            size_t ka = item_key_length(a, keyed);
            if (ka == item_key_length(b, keyed) && strncmp(a, b, ka) == 0)
                return cli_usage_error(command, "%s: '%.*s' is given twice "
                                       "in '%s'", option, (int)ka, a, text);
        }
    return 0;
}

int cli_add_setting(cli_law_options *o, const char *command, const char *text)
{
    if (o->n_settings == (int)(sizeof o->settings / sizeof o->settings[0]))
        return cli_usage_error(command, "too many --set options");
    if (cli_check_list(command, "--set", text, 1))
        return SG_ERR_INPUT;
    /* A constant set by two --set options is as ambiguous as by one. */
    char all[4096] = "";
    for (int i = 0; i < o->n_settings; i++) {
        if (strlen(all) + strlen(o->settings[i]) + 1 >= sizeof all)
            return cli_usage_error(command, "--set lists are too long");
        strcat(strcat(all, o->settings[i]), ",");
    }
    if (strlen(all) + strlen(text) >= sizeof all)
        return cli_usage_error(command, "--set lists are too long");
    strcat(all, text);
    if (cli_check_list(command, "--set", all, 1))
        return SG_ERR_INPUT;
    o->settings[o->n_settings++] = text;
    return 0;
}

static int resolve_law(const cli_law_options *o, const char *command,
                       int required, sg_law *law, sg_sweep_config *config);

int cli_resolve_law_unvalidated(const cli_law_options *o, const char *command,
                                sg_law *law)
{
    sg_sweep_config config;
    return resolve_law(o, command, 0, law, &config);
}

/* The config file of a command, over the defaults; *set gets its
 * SG_CONFIG_HAS_* keys (0 without a file). */
static int load_config(const cli_law_options *o, sg_sweep_config *config,
                       unsigned *set)
{
    sg_sweep_config_default(config);
    *set = 0;
    if (!o->config_path)
        return 0;
    sg_error err;
    char out_dir[4096]; /* a sweep config's "out": unused here */
    if (sg_config_load(o->config_path, config, set, out_dir, sizeof out_dir,
                       &err) != SG_OK)
        return cli_report(&err);
    return 0;
}

/* The law of the options over the config's; *config gets the whole
 * config (defaults without a file) for what else the caller reads. */
static int resolve_law(const cli_law_options *o, const char *command,
                       int required, sg_law *law, sg_sweep_config *config)
{
    sg_error err;
    int have_law = 0;
    unsigned set;
    int rc = load_config(o, config, &set);
    if (rc)
        return rc;
    if (set & SG_CONFIG_HAS_LAW) {
        *law = config->law;
        have_law = 1;
    }
    if (o->law_name) {
        double config_unique_tokens = have_law ? law->unique_tokens : 0;
        if (sg_law_preset(o->law_name, law, &err) != SG_OK)
            return cli_report(&err);
        if (law->form == SG_FORM_MUENNIGHOFF) /* the config's scenario */
            law->unique_tokens = config_unique_tokens;
        have_law = 1;
    }
    if (!have_law && required)
        return cli_usage_error(command,
                               "no law given: use --law NAME (see scalegrid "
                               "laws) or a config file with \"law\"");
    for (int i = 0; i < o->n_settings; i++)
        if (sg_law_apply_settings(law, o->settings[i], &err) != SG_OK)
            return cli_report(&err);
    if (o->unique_tokens)
        return cli_apply_unique_tokens(command, o->unique_tokens, law);
    return 0;
}

int cli_apply_unique_tokens(const char *command, const char *text,
                            sg_law *law)
{
    double value;
    if (cli_number(command, "--unique-tokens", text, &value))
        return SG_ERR_INPUT;
    sg_error err;
    if (sg_law_set_unique_tokens(law, value, &err) != SG_OK)
        return cli_usage_error(command, "--unique-tokens: %s", err.message);
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

int cli_plan_option(const char *command, int c, const char *value,
                    cli_law_options *law, cli_count_options *count,
                    cli_cost_options *cost)
{
    switch (c) {
    case 'l': law->law_name = value; return 1;
    case 's': return cli_add_setting(law, command, value) == 0;
    case 'u': law->unique_tokens = value; return 1;
    case 'I': count->inference_tokens = value; return 1;
    case 'M': count->per_token = value; return 1;
    case 'Q': count->seq_len = value; return 1;
    case 'R': count->aspect_ratio = value; return 1;
    case 'G': cost->gpu_flops = value; return 1;
    case 'U': cost->mfu = value; return 1;
    case '$': cost->price = value; return 1;
    default: return 0;
    }
}

int cli_parse_planning(const char *command, int argc, char **argv,
                       const struct option *options, const char *help,
                       cli_law_options *law, cli_count_options *count,
                       cli_cost_options *cost, cli_own_option own,
                       void *command_options)
{
    int c;
    while ((c = cli_next_option(argc, argv, options, command)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return -1;
        }
        int rc = own(c, optarg, command_options);
        if (rc == CLI_OPTION_NOT_MINE) /* a bad one is already reported */
            rc = cli_plan_option(command, c, optarg, law, count, cost)
                     ? CLI_OPTION_TAKEN
                     : SG_ERR_INPUT;
        if (rc != CLI_OPTION_TAKEN)
            return rc;
    }
    if (optind < argc)
        law->config_path = argv[optind++];
    if (optind < argc)
        return cli_usage_error(command, "unexpected argument '%s'",
                               argv[optind]);
    return 0;
}

int cli_flop_count(const char *command, const cli_count_options *o,
                   sg_flop_count *count)
{
    sg_flop_count f = *count;
    sg_error err;
    if (o->per_token &&
        sg_flops_convention_from_name(o->per_token, &f.convention, &err) !=
            SG_OK)
        return cli_usage_error(command, "--flops-per-token: %s", err.message);
    if (!o->per_token && (o->seq_len || o->aspect_ratio))
        f.convention = SG_FLOPS_DEEPSEEK;
    if (o->seq_len && cli_number(command, "--seq-len", o->seq_len, &f.seq_len))
        return SG_ERR_INPUT;
    if (o->aspect_ratio && cli_number(command, "--aspect-ratio",
                                      o->aspect_ratio, &f.aspect_ratio))
        return SG_ERR_INPUT;
    if (o->inference_tokens &&
        cli_number(command, "--inference-tokens", o->inference_tokens,
                   &f.inference_tokens))
        return SG_ERR_INPUT;
    if (sg_flop_count_validate(&f, &err) != SG_OK)
        return cli_usage_error(command, "%s", err.message);
    *count = f;
    return 0;
}

int cli_cost_model(const char *command, const cli_cost_options *o,
                   sg_cost_model *cost)
{
    if (o->gpu_flops && cli_number(command, "--gpu-flops", o->gpu_flops,
                                   &cost->gpu_flops))
        return SG_ERR_INPUT;
    if (o->mfu && cli_number(command, "--mfu", o->mfu, &cost->mfu))
        return SG_ERR_INPUT;
    if (o->price && cli_number(command, "--price", o->price, &cost->price))
        return SG_ERR_INPUT;
    if (cost->gpu_flops != 0 && cost->mfu == 0 && !o->mfu)
        return cli_usage_error(command, "--gpu-flops needs --mfu (the "
                               "fraction of peak the training reaches)");
    if (o->gpu_flops && !(cost->gpu_flops > 0))
        return cli_usage_error(command, "--gpu-flops must be positive (got "
                               "%s)", o->gpu_flops);
    sg_error err;
    if (sg_cost_model_validate(cost, &err) != SG_OK)
        return cli_usage_error(command, "%s", err.message);
    return 0;
}

int cli_resolve_plan(const char *command, const cli_law_options *law_options,
                     const cli_count_options *count_options,
                     const cli_cost_options *cost_options, sg_law *law,
                     sg_flop_count *count, sg_cost_model *cost)
{
    sg_sweep_config config;
    int rc = resolve_law(law_options, command, 1, law, &config);
    if (rc)
        return rc;
    sg_error err;
    if (sg_law_validate(law, &err) != SG_OK)
        return cli_report(&err);
    *count = config.flop_count;
    *cost = config.cost_model;
    return cli_costs_over(command, count_options, cost_options, count, cost);
}

int cli_costs_over(const char *command, const cli_count_options *count_options,
                   const cli_cost_options *cost_options, sg_flop_count *count,
                   sg_cost_model *cost)
{
    int rc = cli_flop_count(command, count_options, count);
    if (rc)
        return rc;
    return cli_cost_model(command, cost_options, cost);
}

void cli_add_cost(cJSON *object, const sg_cost_model *cost, double flops)
{
    if (!sg_cost_model_given(cost))
        return;
    double hours = sg_gpu_hours(cost, flops);
    cli_add_number(object, "gpu_hours", hours);
    if (cost->price > 0)
        cli_add_number(object, "cost", hours * cost->price);
}

void cli_cost_text(char *buf, size_t size, const sg_cost_model *cost,
                   double flops)
{
    buf[0] = '\0';
    if (!sg_cost_model_given(cost))
        return;
    char hours[32], money[32];
    double h = sg_gpu_hours(cost, flops);
    sg_format_sci(hours, sizeof hours, h);
    if (cost->price > 0) {
        sg_format_sci(money, sizeof money, h * cost->price);
        snprintf(buf, size, " = %s accelerator-hours, %s in cost", hours,
                 money);
    } else {
        snprintf(buf, size, " = %s accelerator-hours", hours);
    }
}
