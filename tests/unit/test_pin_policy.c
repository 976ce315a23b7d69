/* Tests of the PIN policy (common/pin_policy.c, sls(8) "PIN policy"). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sls_enroll.h"
#include "sls_pin.h"

#define IB  SLS_PINKIND_ANY_4_6
#define DSC SLS_PINKIND_DIGITS_4

struct pin_case {
	enum sls_pin_kind type;
	const char *pin;
	const char *user;
	const char *phone;
	enum sls_pin_rule want;
};

/* A phone whose digits hold no date, run or repeat at its start, middle and end. */
#define PHONE "+4917283955947"

static const struct pin_case cases[] = {
    /* length: dsc exactly 4, ibkey 4-6; checked before the characters */
    {DSC, "", NULL, NULL, SLS_PIN_LENGTH},
    {DSC, "135", NULL, NULL, SLS_PIN_LENGTH},
    {DSC, "1357", NULL, NULL, SLS_PIN_OK},
    {DSC, "13579", NULL, NULL, SLS_PIN_LENGTH},
    {DSC, "135792", NULL, NULL, SLS_PIN_LENGTH},
    {DSC, "12a45", NULL, NULL, SLS_PIN_LENGTH},
    {IB, "x7#", NULL, NULL, SLS_PIN_LENGTH},
    {IB, "x7#q", NULL, NULL, SLS_PIN_OK},
    {IB, "x7#qz", NULL, NULL, SLS_PIN_OK},
    {IB, "x7#qz!", NULL, NULL, SLS_PIN_OK},
    {IB, "x7#qz!k", NULL, NULL, SLS_PIN_LENGTH},
    {IB, "x7#qz!kx7#qz!kx7#qz!kx7#qz!kx7#qz!k", NULL, NULL, SLS_PIN_LENGTH},
    /* a type without a PIN */
    {SLS_PINKIND_NONE, "x7#q", NULL, NULL, SLS_PIN_LENGTH},
    {SLS_PINKIND_NONE, "1357", NULL, NULL, SLS_PIN_LENGTH},
    /* characters */
    {DSC, "12a4", NULL, NULL, SLS_PIN_CHARSET},
    {DSC, " 135", NULL, NULL, SLS_PIN_CHARSET},
    {DSC, "13#5", NULL, NULL, SLS_PIN_CHARSET},
    {IB, "ab c9", NULL, NULL, SLS_PIN_CHARSET},
    {IB, "ab\tc9", NULL, NULL, SLS_PIN_CHARSET},
    {IB, "ab\177c9", NULL, NULL, SLS_PIN_CHARSET}, /* DEL */
    {IB, "ab\2009", NULL, NULL, SLS_PIN_CHARSET},  /* 0x80 */
    {IB, "k\xc3\xa9x", NULL, NULL, SLS_PIN_CHARSET},
    {IB, "!~{}", NULL, NULL, SLS_PIN_OK},
    {IB, "Qz9!", NULL, NULL, SLS_PIN_OK},
    /* the user name, any case, contained in the PIN or containing it */
    {IB, "alice", "alice", NULL, SLS_PIN_USER_NAME},
    {IB, "ALICE", "alice", NULL, SLS_PIN_USER_NAME},
    {IB, "alice", "Alice", NULL, SLS_PIN_USER_NAME},
    {IB, "Alice1", "alice", NULL, SLS_PIN_USER_NAME},
    {IB, "xALIce", "alice", NULL, SLS_PIN_USER_NAME},
    {IB, "lice", "alice", NULL, SLS_PIN_USER_NAME},
    {IB, "ALIC", "alice", NULL, SLS_PIN_USER_NAME},
    {IB, "alx9", "alice", NULL, SLS_PIN_OK},
    {IB, "alice", "bob", NULL, SLS_PIN_OK},
    {IB, "bob1", "bob", NULL, SLS_PIN_USER_NAME},
    {IB, "!BoB", "bob", NULL, SLS_PIN_USER_NAME},
    {IB, "b0b1", "bob", NULL, SLS_PIN_OK},
    {IB, "al12", "al", NULL, SLS_PIN_OK},
    {IB, "xjox", "jo", NULL, SLS_PIN_OK},
    {IB, "alice", "", NULL, SLS_PIN_OK},
    {IB, "m\xc3\xbcll", "m\xc3\xbcller", NULL, SLS_PIN_CHARSET},
    {IB, "ller", "m\xc3\xbcller", NULL, SLS_PIN_USER_NAME},
    {DSC, "1357", "user1357", NULL, SLS_PIN_USER_NAME},
    {DSC, "1357", "pi", NULL, SLS_PIN_OK},
    /* the name comes before the date */
    {DSC, "3112", "k3112", NULL, SLS_PIN_USER_NAME},
    /* dates, 4 digits: DDMM, MMDD, YYYY 1900-2099 */
    {DSC, "3112", NULL, NULL, SLS_PIN_DATE},
    {DSC, "1231", NULL, NULL, SLS_PIN_DATE},
    {DSC, "0101", NULL, NULL, SLS_PIN_DATE},
    {DSC, "0229", NULL, NULL, SLS_PIN_DATE},
    {DSC, "2902", NULL, NULL, SLS_PIN_DATE},
    {DSC, "3004", NULL, NULL, SLS_PIN_DATE},
    {DSC, "3102", NULL, NULL, SLS_PIN_OK},
    {DSC, "3104", NULL, NULL, SLS_PIN_OK},
    {DSC, "0230", NULL, NULL, SLS_PIN_OK},
    {DSC, "3200", NULL, NULL, SLS_PIN_OK},
    {DSC, "1300", NULL, NULL, SLS_PIN_OK},
    {DSC, "0031", NULL, NULL, SLS_PIN_OK},
    {DSC, "1987", NULL, NULL, SLS_PIN_DATE},
    {DSC, "1900", NULL, NULL, SLS_PIN_DATE},
    {DSC, "2099", NULL, NULL, SLS_PIN_DATE},
    {DSC, "1899", NULL, NULL, SLS_PIN_OK},
    {DSC, "2100", NULL, NULL, SLS_PIN_OK},
    {DSC, "4682", NULL, NULL, SLS_PIN_OK},
    {IB, "1987", NULL, NULL, SLS_PIN_DATE},
    /* dates, 6 digits: DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM */
    {IB, "311299", NULL, NULL, SLS_PIN_DATE},
    {IB, "123199", NULL, NULL, SLS_PIN_DATE},
    {IB, "991231", NULL, NULL, SLS_PIN_DATE},
    {IB, "010100", NULL, NULL, SLS_PIN_DATE},
    {IB, "290232", NULL, NULL, SLS_PIN_DATE},
    {IB, "290200", NULL, NULL, SLS_PIN_DATE},
    {IB, "290233", NULL, NULL, SLS_PIN_OK},
    {IB, "310433", NULL, NULL, SLS_PIN_OK},
    {IB, "121987", NULL, NULL, SLS_PIN_DATE},
    {IB, "198712", NULL, NULL, SLS_PIN_DATE},
    {IB, "131987", NULL, NULL, SLS_PIN_OK},
    {IB, "135792", NULL, NULL, SLS_PIN_OK},
    /* only all-digit PINs of 4 or 6 digits read as dates */
    {IB, "31129", NULL, NULL, SLS_PIN_OK},
    {IB, "31.12", NULL, NULL, SLS_PIN_OK},
    {IB, "3112a", NULL, NULL, SLS_PIN_OK},
    /* one character repeated, any case; 1111 is 11 November first */
    {DSC, "0000", NULL, NULL, SLS_PIN_REPEATED},
    {DSC, "2222", NULL, NULL, SLS_PIN_REPEATED},
    {DSC, "9999", NULL, NULL, SLS_PIN_REPEATED},
    {DSC, "1111", NULL, NULL, SLS_PIN_DATE},
    {IB, "aaaa", NULL, NULL, SLS_PIN_REPEATED},
    {IB, "aAaAaA", NULL, NULL, SLS_PIN_REPEATED},
    {IB, "####", NULL, NULL, SLS_PIN_REPEATED},
    {IB, "77777", NULL, NULL, SLS_PIN_REPEATED},
    {IB, "aaab", NULL, NULL, SLS_PIN_OK},
    {IB, "baaa", NULL, NULL, SLS_PIN_OK},
    /* straight runs by one, up or down; digits wrap 9-0, letters do not */
    {DSC, "1234", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "3456", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "6789", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "9876", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "6543", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "3210", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "7890", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "8901", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "9012", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "0987", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "1098", NULL, NULL, SLS_PIN_SEQUENCE},
    {DSC, "0123", NULL, NULL, SLS_PIN_DATE},
    {DSC, "2109", NULL, NULL, SLS_PIN_DATE},
    {DSC, "1235", NULL, NULL, SLS_PIN_OK},
    {DSC, "2468", NULL, NULL, SLS_PIN_OK},
    {DSC, "8642", NULL, NULL, SLS_PIN_OK},
    {DSC, "1243", NULL, NULL, SLS_PIN_OK},
    {IB, "12345", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "123456", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "654321", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "abcd", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "DCBA", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "aBcDeF", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "uvwxyz", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "zyxw", NULL, NULL, SLS_PIN_SEQUENCE},
    {IB, "yzab", NULL, NULL, SLS_PIN_OK},
    {IB, "abce", NULL, NULL, SLS_PIN_OK},
    {IB, "abc1", NULL, NULL, SLS_PIN_OK},
    {IB, "!\"#$", NULL, NULL, SLS_PIN_OK},
    /* part of the phone: start, middle, end, other forms */
    {DSC, "4917", NULL, PHONE, SLS_PIN_PHONE},
    {DSC, "2839", NULL, PHONE, SLS_PIN_PHONE},
    {DSC, "5947", NULL, PHONE, SLS_PIN_PHONE},
    {DSC, "5823", NULL, PHONE, SLS_PIN_OK},
    {IB, "728395", NULL, PHONE, SLS_PIN_PHONE},
    {IB, "283955", NULL, PHONE, SLS_PIN_PHONE},
    {IB, "55947", NULL, PHONE, SLS_PIN_PHONE},
    {IB, "4917a", NULL, PHONE, SLS_PIN_OK},
    {DSC, "0049", NULL, PHONE, SLS_PIN_PHONE},
    {DSC, "0491", NULL, PHONE, SLS_PIN_PHONE},
    {DSC, "0172", NULL, PHONE, SLS_PIN_PHONE},
    {IB, "017283", NULL, PHONE, SLS_PIN_PHONE},
    {DSC, "0172", NULL, "4917283955947", SLS_PIN_OK},
    {DSC, "7283", NULL, "4917283955947", SLS_PIN_PHONE},
    {DSC, "0172", NULL, "017283955947", SLS_PIN_PHONE},
    {DSC, "1728", NULL, "+49 172 8395-5947", SLS_PIN_PHONE},
    {DSC, "4958", NULL, "+4958", SLS_PIN_PHONE},
    {IB, "495867", NULL, "+4958", SLS_PIN_OK},
    {DSC, "4958", NULL, "+495", SLS_PIN_OK},
    {DSC, "4917", NULL, "", SLS_PIN_OK},
    {DSC, "4917", NULL, NULL, SLS_PIN_OK},
    /* a run in the phone is reported as the run (enum order) */
    {DSC, "1234", NULL, "+491711234567", SLS_PIN_SEQUENCE},
    {DSC, "4917", "u4917", PHONE, SLS_PIN_USER_NAME},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pin_case *c = &cases[i];
		enum sls_pin_rule got = sls_pin_check(c->type, c->pin, c->user, c->phone);

		if (got != c->want)
			print_error("case %zu: type %d pin \"%s\" user \"%s\" phone \"%s\"\n", i,
				    (int)c->type, c->pin, c->user ? c->user : "(null)",
				    c->phone ? c->phone : "(null)");
		assert_int_equal(got, c->want);
	}
}

static void test_null_pin(void **state)
{
	(void)state;
	assert_int_equal(sls_pin_check(DSC, NULL, "alice", PHONE), SLS_PIN_LENGTH);
	assert_int_equal(sls_pin_check(IB, NULL, NULL, NULL), SLS_PIN_LENGTH);
}

/*
 * Of the 10000 4-digit PINs a dsc refuses, without name and phone:
 * dates 764 (DDMM 366 + MMDD 366 - both 144 = 588; years 1900-2099 200,
 * of which 24 are also DDMM 19MM/20MM: 176 more), repeated 9 (1111 is a
 * date), runs 18 (20 with wrapping, less 0123 and 2109, which are dates).
 */
static void test_dsc_allowed_count(void **state)
{
	int count[SLS_PIN_MISMATCH + 1] = {0};
	char pin[5];

	(void)state;
	for (int n = 0; n < 10000; n++) {
		snprintf(pin, sizeof(pin), "%04d", n);
		count[sls_pin_check(DSC, pin, NULL, NULL)]++;
	}
	print_message("# dsc: %d of 10000 4-digit PINs allowed (refused: date %d, "
		      "repeated %d, run %d)\n",
		      count[SLS_PIN_OK], count[SLS_PIN_DATE], count[SLS_PIN_REPEATED],
		      count[SLS_PIN_SEQUENCE]);
	assert_in_range(count[SLS_PIN_OK], 8500, 9500);
	assert_int_equal(count[SLS_PIN_DATE], 764);
	assert_int_equal(count[SLS_PIN_REPEATED], 9);
	assert_int_equal(count[SLS_PIN_SEQUENCE], 18);
	assert_int_equal(count[SLS_PIN_OK], 10000 - 764 - 9 - 18);
	assert_int_equal(count[SLS_PIN_OK] + count[SLS_PIN_DATE] + count[SLS_PIN_REPEATED] +
			     count[SLS_PIN_SEQUENCE],
			 10000);
}

static void test_rule_texts(void **state)
{
	(void)state;
	for (int r = SLS_PIN_OK; r <= SLS_PIN_MISMATCH; r++) {
		const char *s = sls_pin_rule_text((enum sls_pin_rule)r);
		size_t len;

		assert_non_null(s);
		len = strlen(s);
		assert_true(len > 1);
		/* one sentence: a capital, a full stop at the end and nowhere else */
		assert_true(s[0] >= 'A' && s[0] <= 'Z');
		assert_int_equal(s[len - 1], '.');
		assert_null(memchr(s, '.', len - 1));
		for (int other = SLS_PIN_OK; other < r; other++)
			assert_string_not_equal(s, sls_pin_rule_text((enum sls_pin_rule)other));
	}
	assert_string_equal(sls_pin_rule_text(SLS_PIN_DATE), "The PIN must not be a date.");
	assert_non_null(sls_pin_rule_text((enum sls_pin_rule)99));
	assert_true(strlen(sls_pin_rule_text((enum sls_pin_rule)99)) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_null_pin),
	    cmocka_unit_test(test_dsc_allowed_count),
	    cmocka_unit_test(test_rule_texts),
	};

	return cmocka_run_group_tests_name("pin_policy", tests, NULL, NULL);
}
