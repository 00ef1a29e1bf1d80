/* test_index_equiv_gpt3.c - gpt3 (word 13-grams, corpus df <= 10) answered
 * from an index built with --df --provenance equals the direct scan, item
 * for item, on MMLU / GSM8K / ARC against the shared corpus (including the
 * earliest matching document of every dirty item). */
#include "test_index_equiv.h"

static void equiv_gpt3(void **state)
{
    (void)state;
    run_equiv("gpt3", 1, 1, 23); /* MMLU alone has 23 gpt3-dirty items */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(equiv_gpt3)};
    return cmocka_run_group_tests(tests, equiv_setup, fixture_group_teardown);
}
