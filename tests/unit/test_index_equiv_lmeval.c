/* test_index_equiv_lmeval.c - lmeval (lm-evaluation-harness 13-grams)
 * answered from a presence-only index equals the direct scan, item for item,
 * on MMLU / GSM8K / ARC against the shared corpus. */
#include "test_index_equiv.h"

static void equiv_lmeval(void **state)
{
    (void)state;
    run_equiv("lmeval", 0, 0, 23);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(equiv_lmeval)};
    return cmocka_run_group_tests(tests, equiv_setup, fixture_group_teardown);
}
