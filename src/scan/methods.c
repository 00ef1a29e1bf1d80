/* methods.c - the named decision rules (docs/METHODS.md cites each one) and
 * scan option defaults. */
#include <stdio.h>
#include <string.h>

#include "scan/scan.h"

static const scan_method METHOD_TABLE[] = {
    {"gpt3", NGRAM_UNIT_WORD, 13, SCAN_RULE_ANY, 0, 0, 10, 1, 0,
     "Brown et al. 2020, Language Models are Few-Shot Learners, appendix C"},
    {"lmeval", NGRAM_UNIT_LMEVAL, 13, SCAN_RULE_ANY, 0, 0, 0, 0, 0,
     "lm-evaluation-harness v0.3 decontamination (janitor.py, 13-grams)"},
    {"palm", NGRAM_UNIT_WORD, 8, SCAN_RULE_FRACTION, 0.70, 0, 0, 1, 0,
     "Chowdhery et al. 2022, PaLM, section 8 (70% of 8-grams)"},
    {"llama2", NGRAM_UNIT_WORD, 10, SCAN_RULE_COVERAGE, 0.80, 0.20, 0, 1, 0,
     "Touvron et al. 2023, Llama 2, appendix A.6 (token coverage; words stand in for tokens)"},
    {"gpt4", NGRAM_UNIT_CHAR, 50, SCAN_RULE_SAMPLED, 0, 0, 0, 1, 3,
     "OpenAI 2023, GPT-4 Technical Report, appendix C (three 50-character substrings)"},
};

int scan_methods_parse(const char *list, unsigned custom_n, double custom_threshold,
                       unsigned corpus_df, scan_method *out, size_t *nout, char *why,
                       size_t cap)
{
    size_t n = 0;
    const char *p = list;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[32];
        if (len == 0 || len >= sizeof name) {
            snprintf(why, cap, "empty or overlong method name in '%s'", list);
            return -1;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        if (n == SCAN_MAX_METHODS) {
            snprintf(why, cap, "at most %d methods", SCAN_MAX_METHODS);
            return -1;
        }
        scan_method m;
        int found = 0;
        for (size_t i = 0; i < sizeof METHOD_TABLE / sizeof METHOD_TABLE[0]; i++)
            if (!strcmp(METHOD_TABLE[i].name, name)) {
                m = METHOD_TABLE[i];
                found = 1;
            }
        if (!found && !strcmp(name, "custom")) {
            if (custom_n < 1 || custom_n > 1000) {
                snprintf(why, cap, "method custom needs --n between 1 and 1000");
                return -1;
            }
            m = (scan_method){"custom", NGRAM_UNIT_WORD, custom_n, SCAN_RULE_FRACTION,
                              custom_threshold, 0, 0, 1, 0,
                              "custom: --n word grams, dirty when matched/eligible >= --threshold"};
            found = 1;
        }
        if (!found) {
            snprintf(why, cap, "unknown method '%s' (gpt3, lmeval, palm, llama2, gpt4, custom)",
                     name);
            return -1;
        }
        if (!strcmp(m.name, "gpt3"))
            m.corpus_df = corpus_df;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(out[i].name, m.name)) {
                snprintf(why, cap, "method '%s' given twice", name);
                return -1;
            }
        out[n++] = m;
        p = comma ? comma + 1 : NULL;
    }
    if (n == 0) {
        snprintf(why, cap, "no method given");
        return -1;
    }
    *nout = n;
    return 0;
}

const char *scan_verdict_name(scan_verdict v)
{
    switch (v) {
    case SCAN_CLEAN: return "clean";
    case SCAN_DIRTY: return "dirty";
    case SCAN_TOO_SHORT: return "too_short";
    case SCAN_NOT_CLEAN: return "not_clean";
    }
    return "unknown";
}

void scan_options_init(scan_options *o)
{
    memset(o, 0, sizeof *o);
    char why[64];
    size_t n = 0;
    int rc = scan_methods_parse("gpt3", 0, 0, 10, o->methods, &n, why, sizeof why);
    (void)rc;
    o->nmethods = n;
    o->seed = NGRAM_DEFAULT_SEED;
    o->bench_df = 10;
    o->max_matches = 5;
    o->text_field = "text";
    o->max_line = (uint64_t)256 << 20;
}
