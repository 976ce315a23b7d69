/* Random bytes, uniform integers and decimal codes: arguments and a distribution check. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sls_random.h"

#define DRAWS 100000

static void test_bytes(void **state)
{
	uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};

	(void)state;
	assert_int_equal(sls_random_bytes(a, sizeof(a)), SLS_OK);
	assert_int_equal(sls_random_bytes(b, sizeof(b)), SLS_OK);
	/* 2^-256 chances of a false failure. */
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(sls_random_bytes(NULL, 0), SLS_OK);
	assert_int_equal(sls_random_bytes(NULL, 1), SLS_ERR_INVAL);
}

static void test_uniform_edges(void **state)
{
	uint32_t v = 99;

	(void)state;
	assert_int_equal(sls_random_uniform(0, &v), SLS_ERR_INVAL);
	assert_int_equal(sls_random_uniform(10, NULL), SLS_ERR_INVAL);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(sls_random_uniform(1, &v), SLS_OK);
		assert_int_equal(v, 0);
	}
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(sls_random_uniform(0x80000001u, &v), SLS_OK);
		assert_true(v < 0x80000001u);
		assert_int_equal(sls_random_uniform(UINT32_MAX, &v), SLS_OK);
		assert_true(v < UINT32_MAX);
		assert_int_equal(sls_random_uniform(3, &v), SLS_OK);
		assert_true(v < 3);
	}
}

/*
 * 100000 draws of uniform(10): each bucket expects 10000 with a standard
 * deviation near 95, so [9000, 11000] fails only on a real bias.
 */
static void test_uniform_distribution(void **state)
{
	unsigned count[10] = {0};
	uint32_t v;

	(void)state;
	for (int i = 0; i < DRAWS; i++) {
		assert_int_equal(sls_random_uniform(10, &v), SLS_OK);
		assert_true(v < 10);
		count[v]++;
	}
	for (int d = 0; d < 10; d++) {
		assert_in_range(count[d], 9000, 11000);
	}
}

/* Every position of 6-digit codes, 20000 codes: 12000 draws per digit value. */
static void test_digits_distribution(void **state)
{
	unsigned count[6][10] = {{0}};
	char code[7];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(sls_random_digits(code, sizeof(code), 6), SLS_OK);
		assert_int_equal(strlen(code), 6);
		for (int k = 0; k < 6; k++) {
			assert_in_range(code[k], '0', '9');
			count[k][code[k] - '0']++;
		}
	}
	for (int k = 0; k < 6; k++) {
		for (int d = 0; d < 10; d++)
			assert_in_range(count[k][d], 1600, 2400);
	}
}

static void test_digits_arguments(void **state)
{
	char out[66];

	(void)state;
	assert_int_equal(sls_random_digits(out, sizeof(out), 64), SLS_OK);
	assert_int_equal(strlen(out), 64);
	assert_int_equal(sls_random_digits(out, sizeof(out), 1), SLS_OK);
	assert_int_equal(strlen(out), 1);
	assert_int_equal(sls_random_digits(out, sizeof(out), 0), SLS_ERR_INVAL);
	assert_int_equal(sls_random_digits(out, sizeof(out), 65), SLS_ERR_INVAL);
	assert_int_equal(sls_random_digits(out, 6, 6), SLS_ERR_INVAL);
	assert_string_equal(out, ""); /* wiped on failure */
	assert_int_equal(sls_random_digits(NULL, 7, 6), SLS_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_uniform_edges),
	    cmocka_unit_test(test_uniform_distribution),
	    cmocka_unit_test(test_digits_distribution),
	    cmocka_unit_test(test_digits_arguments),
	};

	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
