/* test_index_equiv_palm.c - palm (70% of word 8-grams) answered from an
 * index with document frequencies equals the direct scan, item for item
 * (statistics, df range, verdicts), on MMLU / GSM8K / ARC against the shared
 * corpus. */
#include "test_index_equiv.h"

static void equiv_palm(void **state)
{
    (void)state;
    run_equiv("palm", 1, 0, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(equiv_palm)};
    return cmocka_run_group_tests(tests, equiv_setup, fixture_group_teardown);
}
