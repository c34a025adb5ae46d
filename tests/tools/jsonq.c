/*
 * jsonq: reads one JSON document from stdin and prints the value at a path,
 * for the command-line tests.
 *
 *   jsonq              exit 0 if stdin is exactly one JSON value, else 1
 *   jsonq .a.b[2].c    print the value (numbers with %.17g, strings raw,
 *                      null as "null", objects and arrays compact); exit 1
 *                      if the path does not exist
 *   jsonq -k .a        print the keys of the object at .a, one per line
 *   jsonq -n .a        print the length of the array at .a
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(FILE *f)
{
    size_t size = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + size, 1, cap - size - 1, f)) > 0) {
        size += n;
        if (size + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    if (buf)
        buf[size] = '\0';
    return buf;
}

static const cJSON *walk(const cJSON *node, const char *path)
{
    if (strcmp(path, ".") == 0)
        return node;
    while (node && *path) {
        if (*path == '.') {
            char key[256];
            size_t n = strcspn(path + 1, ".[");
            if (n >= sizeof key)
                return NULL;
            memcpy(key, path + 1, n);
            key[n] = '\0';
            node = cJSON_GetObjectItemCaseSensitive(node, key);
            path += 1 + n;
        } else if (*path == '[') {
            char *end;
            long i = strtol(path + 1, &end, 10);
            if (*end != ']')
                return NULL;
            node = cJSON_GetArrayItem(node, (int)i);
            path = end + 1;
        } else {
            return NULL;
        }
    }
    return node;
}

int main(int argc, char **argv)
{
    int keys = 0, length = 0, arg = 1;
    if (arg < argc && strcmp(argv[arg], "-k") == 0)
        keys = 1, arg++;
    else if (arg < argc && strcmp(argv[arg], "-n") == 0)
        length = 1, arg++;
    char *text = read_all(stdin);
    const char *end = NULL;
    cJSON *doc = text ? cJSON_ParseWithOpts(text, &end, 1) : NULL;
    if (!doc) {
        fprintf(stderr, "jsonq: not one JSON document\n");
        return 1;
    }
    int rc = 0;
    if (arg < argc) {
        const cJSON *v = walk(doc, argv[arg]);
        if (!v) {
            fprintf(stderr, "jsonq: no %s\n", argv[arg]);
            rc = 1;
        } else if (keys) {
            for (const cJSON *c = v->child; c; c = c->next)
                puts(c->string);
        } else if (length) {
            printf("%d\n", cJSON_GetArraySize(v));
        } else if (cJSON_IsNumber(v)) {
            printf("%.17g\n", v->valuedouble);
        } else if (cJSON_IsString(v)) {
            puts(v->valuestring);
        } else {
            char *s = cJSON_PrintUnformatted(v);
            puts(s);
            free(s);
        }
    }
    cJSON_Delete(doc);
    free(text);
    return rc;
}
