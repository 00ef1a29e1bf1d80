/* checks.c - the table of lint checks: stable code, slug, severity and a
 * one-line explanation each. Codes are never renumbered; a retired check
 * keeps its code. docs/CHECKS.md documents every entry (what it catches,
 * what it misses, measured hit quality). */
#include <string.h>

#include "quality/quality_internal.h"

static const quality_check checks[QC_NCHECKS] = {
    {"C001", "duplicate-conflict", QUALITY_ERROR,
     "duplicate items (same question and options, maybe reordered) with different gold "
     "answers"},
    {"C002", "same-question-contradiction", QUALITY_WARNING,
     "another item asks the same question and its gold answer is a wrong option here"},
    {"C003", "gold-missing", QUALITY_ERROR, "the item has no gold label"},
    {"C004", "gold-out-of-range", QUALITY_ERROR,
     "the gold label does not name one of the item's options"},
    {"C005", "option-count", QUALITY_INFO,
     "the number of options differs from the benchmark's usual count"},
    {"C006", "empty-option", QUALITY_ERROR, "an option is empty"},
    {"C007", "duplicate-options", QUALITY_ERROR,
     "two options are the same text (whitespace, or only a sentence-initial capital, differs)"},
    {"C008", "option-references", QUALITY_WARNING,
     "an option refers to other options ('all of the above', 'A and C'): wrong once options "
     "are shuffled"},
    {"C009", "missing-context", QUALITY_WARNING,
     "the question refers to context the item does not contain (a figure, a passage, a "
     "previous question)"},
    {"C010", "gold-in-question", QUALITY_INFO,
     "the gold option's text appears in the question and no other option's does"},
    {"C011", "invalid-utf8", QUALITY_ERROR, "invalid UTF-8 bytes"},
    {"C012", "replacement-character", QUALITY_ERROR,
     "U+FFFD replacement character: the text was decoded lossily upstream"},
    {"C013", "mojibake", QUALITY_WARNING,
     "mojibake: UTF-8 read as Latin-1/CP1252 (e.g. 'â€™' for a right quote, 'Ã©' for 'é')"},
    {"C014", "control-character", QUALITY_WARNING,
     "control characters other than tab, newline and carriage return"},
    {"C015", "invisible-character", QUALITY_WARNING,
     "zero-width, bidirectional or other invisible format characters"},
    {"C016", "unusual-space", QUALITY_INFO,
     "non-breaking or other non-ASCII space characters (tokenized differently from a space)"},
    {"C017", "html-markup", QUALITY_WARNING, "HTML tags or character entities left in the text"},
    {"C018", "wikihow-markup", QUALITY_WARNING,
     "WikiHow scraping markers left in the text ([title], [step], [header], [substeps])"},
    {"C019", "final-answer", QUALITY_ERROR,
     "GSM8K rationale without a parseable '#### <number>' final answer line"},
    {"C020", "calculator-wrong", QUALITY_ERROR,
     "GSM8K calculator annotation <<expr=value>> whose expression does not evaluate to value"},
    {"C021", "calculator-syntax", QUALITY_INFO,
     "GSM8K calculator annotation that is not plain arithmetic and cannot be checked"},
    {"C022", "answer-unsupported", QUALITY_WARNING,
     "GSM8K final answer that appears nowhere in the rationale (weak signal)"},
    {"C023", "models-agree-elsewhere", QUALITY_WARNING,
     "several models confidently choose the same non-gold option (confident learning)"},
    {"C024", "all-models-wrong", QUALITY_INFO, "every model given answers the item wrong"},
    {"C025", "written-arithmetic-wrong", QUALITY_ERROR,
     "GSM8K rationale arithmetic written without an annotation (\"14*20=140\") that is wrong"},
};

const quality_check *quality_checks(size_t *n)
{
    *n = QC_NCHECKS;
    return checks;
}

int quality_check_index(const char *code)
{
    for (int k = 0; k < QC_NCHECKS; k++)
        if (!strcmp(checks[k].code, code))
            return k;
    return -1;
}

const char *quality_severity_name(quality_severity s)
{
    switch (s) {
    case QUALITY_ERROR: return "error";
    case QUALITY_WARNING: return "warning";
    case QUALITY_INFO: return "info";
    }
    return "?";
}
