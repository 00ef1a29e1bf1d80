/* json.c - the one place that touches cJSON's global configuration (its
 * allocation hooks) and the dotted-path lookup every JSONL reader shares. */
#include <string.h>

#include <cjson/cJSON.h>

#include "common/common.h"

const struct cJSON *contam_json_path(const struct cJSON *root, const char *dotted)
{
    const cJSON *cur = root;
    const char *p = dotted;
    char key[256];
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0 || len >= sizeof key || !cJSON_IsObject(cur))
            return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        /* Case-sensitive: JSON keys are. */
        cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        p = dot ? dot + 1 : p + len;
    }
    return cur;
}

/* cJSON answers NULL both for bad syntax and for a failed allocation; the
 * hook notes the latter per thread so callers can tell them apart. */
static _Thread_local int json_oom;

static void *json_malloc(size_t n)
{
    void *p = contam_malloc(n);
    if (!p)
        json_oom = 1;
    return p;
}

int contam_json_take_oom(void)
{
    int v = json_oom;
    json_oom = 0;
    return v;
}

void contam_json_init(void)
{
    cJSON_Hooks hooks = {json_malloc, contam_free};
    cJSON_InitHooks(&hooks);
}
