/*
 * sls - tests of the google-authenticator file parser (pam_sls/sls/gafile.c):
 * files as google-authenticator writes them and as pam_google_authenticator
 * rewrites them, and every refusal with its line.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gafile.h"
#include "helpers.h"

/* 20 bytes, as google-authenticator makes them: "12345678901234567890". */
#define SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* What google-authenticator -t -d -r 3 -R 30 -W writes (options in its order), 5 codes. */
static const char written[] = SECRET "\n"
				     "\" RATE_LIMIT 3 30\n"
				     "\" WINDOW_SIZE 17\n"
				     "\" DISALLOW_REUSE\n"
				     "\" TOTP_AUTH\n"
				     "10203040\n"
				     "29384756\n"
				     "31415926\n"
				     "42424242\n"
				     "57575757\n";

/* The same after some logins through pam_google_authenticator. */
static const char used[] = SECRET "\n"
				  "\" RATE_LIMIT 3 30 1763780000 1763780031\n"
				  "\" DISALLOW_REUSE 58792667 58792668 \n"
				  "\" TIME_SKEW -2\n"
				  "\" RESETTING_TIME_SKEW 58792660-2 58792661-2\n"
				  "\" LAST0 192.0.2.7 1763780031\n"
				  "\" LAST1 2001:db8::1 1763780000\n"
				  "\" STEP_SIZE 60\n"
				  "\" TOTP_AUTH\n"
				  "\n"
				  "29384756\n"
				  "57575757\n";

static struct sls_gafile ga;

static void parse_ok(const char *text)
{
	struct sls_diag diag = {0, ""};
	enum sls_rc rc = sls_gafile_parse(text, strlen(text), &ga, &diag);

	if (rc != SLS_OK)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, SLS_OK);
}

/* Refused with rc at line, why naming none of the file's values, and nothing left in ga. */
static void refuse_n(const char *text, size_t len, enum sls_rc want, int line)
{
	struct sls_diag diag = {-1, ""};
	enum sls_rc rc;

	memset(&ga, 0xa5, sizeof(ga));
	rc = sls_gafile_parse(text, len, &ga, &diag);
	if (rc != want || diag.line != line)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, want);
	assert_int_equal(diag.line, line);
	assert_true(diag.msg[0] != '\0');
	assert_null(strstr(diag.msg, "GEZDGNBV"));
	assert_null(strstr(diag.msg, "1020"));
	test_assert_zero(&ga, sizeof(ga));
}

static void refuse(const char *text, enum sls_rc want, int line)
{
	refuse_n(text, strlen(text), want, line);
}

/* written with line at replaced by text (or deleted, or text inserted before it) */
static void refuse_edit(int at, const char *text, enum edit_mode mode, enum sls_rc want, int line)
{
	char *t = test_edit(written, at, text, mode);

	refuse(t, want, line);
	free(t);
}

static void accept_edit(int at, const char *text, enum edit_mode mode)
{
	char *t = test_edit(written, at, text, mode);

	parse_ok(t);
	free(t);
}

static void test_as_written(void **state)
{
	(void)state;
	parse_ok(written);
	assert_int_equal(ga.secret_len, 20);
	assert_memory_equal(ga.secret, "12345678901234567890", 20);
	assert_int_equal(ga.step, 30);
	assert_int_equal(ga.window, 17);
	assert_true(ga.disallow_reuse);
	assert_int_equal(ga.last_step, 0);
	assert_int_equal(ga.rate_attempts, 3);
	assert_int_equal(ga.rate_interval, 30);
	assert_false(ga.time_skew);
	assert_int_equal(ga.ncodes, 5);
	assert_string_equal(ga.codes[0], "10203040");
	assert_string_equal(ga.codes[4], "57575757");
	sls_gafile_clear(&ga);
	test_assert_zero(&ga, sizeof(ga));
}

static void test_after_logins(void **state)
{
	(void)state;
	parse_ok(used);
	assert_int_equal(ga.step, 60);
	assert_int_equal(ga.window, 0);
	assert_true(ga.disallow_reuse);
	assert_int_equal(ga.last_step, 58792668);
	assert_int_equal(ga.rate_attempts, 3);
	assert_true(ga.time_skew);
	assert_int_equal(ga.skew, -2);
	assert_int_equal(ga.ncodes, 2);
	assert_string_equal(ga.codes[0], "29384756");
	assert_string_equal(ga.codes[1], "57575757");
}

static void test_small_files(void **state)
{
	(void)state;
	parse_ok(SECRET "\n\" TOTP_AUTH\n");
	assert_int_equal(ga.ncodes, 0);
	assert_int_equal(ga.step, 30);
	assert_int_equal(ga.window, 0);
	assert_false(ga.disallow_reuse);
	assert_int_equal(ga.rate_attempts, 0);
	/* the secret in lower case; tabs between values; an empty DISALLOW_REUSE */
	parse_ok("gezdgnbvgy3tqojqgezdgnbvgy3tqojq\n\" TOTP_AUTH\n\" STEP_SIZE\t45\t\n"
		 "\" DISALLOW_REUSE \n\" TIME_SKEW 0\n");
	assert_memory_equal(ga.secret, "12345678901234567890", 20);
	assert_int_equal(ga.step, 45);
	assert_true(ga.disallow_reuse);
	/* 16 and 64 bytes of secret (103 characters: the last with 3 bits to spare) */
	parse_ok("GEZDGNBVGY3TQOJQGEZDGNBVGY\n\" TOTP_AUTH\n");
	assert_int_equal(ga.secret_len, 16);
	parse_ok("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA\n\" TOTP_AUTH\n");
	assert_int_equal(ga.secret_len, 64);
	/* ten codes */
	accept_edit(11, "60000001\n60000002\n60000003\n60000004\n60000005", INSERT);
	assert_int_equal(ga.ncodes, 10);
}

static void test_refuse_lines(void **state)
{
	(void)state;
	refuse("", SLS_ERR_FORMAT, 0);
	refuse("\n", SLS_ERR_FORMAT, 1);
	refuse_n(written, strlen(written) - 1, SLS_ERR_FORMAT, 10); /* cut short */
	refuse_edit(6, "10203040\r", REPLACE, SLS_ERR_FORMAT, 6);
	refuse_edit(6, "1020\t3040", REPLACE, SLS_ERR_FORMAT, 6);
	refuse_edit(6, "10203040 # first", REPLACE, SLS_ERR_FORMAT, 6);
	refuse_edit(6, "hello", REPLACE, SLS_ERR_FORMAT, 6);
	refuse_edit(6, " ", REPLACE, SLS_ERR_FORMAT, 6);
	refuse_edit(6, "\xc3\xa9", REPLACE, SLS_ERR_FORMAT, 6);
	{
		char text[sizeof(written)];

		memcpy(text, written, sizeof(written));
		text[strlen(SECRET) + 5] = '\0'; /* a NUL inside line 2 */
		refuse_n(text, sizeof(written) - 1, SLS_ERR_FORMAT, 2);
	}
	{
		char *big = calloc(1, SLS_GA_FILE_MAX + 2);

		assert_non_null(big);
		memset(big, '\n', SLS_GA_FILE_MAX + 1);
		memcpy(big, written, strlen(written));
		refuse_n(big, SLS_GA_FILE_MAX + 1, SLS_ERR_TOOBIG, 0);
		free(big);
	}
}

static void test_refuse_secret(void **state)
{
	(void)state;
	refuse_edit(1, "", REPLACE, SLS_ERR_FORMAT, 1);
	refuse_edit(1, SECRET "1", REPLACE, SLS_ERR_FORMAT, 1);
	refuse_edit(1, SECRET "====", REPLACE, SLS_ERR_FORMAT, 1);
	refuse_edit(1, "GEZDGNBVGY3T QOJQGEZDGNBVGY3TQOJQ", REPLACE, SLS_ERR_FORMAT, 1);
	refuse_edit(1, SECRET "G", REPLACE, SLS_ERR_FORMAT, 1); /* not a whole number of bytes */
	refuse_edit(1, "\" TOTP_AUTH", REPLACE, SLS_ERR_FORMAT, 1);
	/* 10 bytes (some old tools), and 65 */
	refuse_edit(1, "GEZDGNBVGY3TQOJQ", REPLACE, SLS_ERR_INVAL, 1);
	refuse_edit(1,
		    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBV",
		    REPLACE, SLS_ERR_INVAL, 1);
}

static void test_refuse_options(void **state)
{
	static const char *const bad[] = {
	    "\"",
	    "\" ",
	    "\"TOTP_AUTH",
	    "\"  TOTP_AUTH",
	    "\" totp_auth",
	    "\" TOTP_AUTH yes",
	    "\" TOTP_AUTH2",
	    "\" SECRET_FILE x",
	    "\" STEP_SIZE",
	    "\" STEP_SIZE 0",
	    "\" STEP_SIZE 61",
	    "\" STEP_SIZE 30 30",
	    "\" STEP_SIZE -1",
	    "\" STEP_SIZE 3O",
	    "\" WINDOW_SIZE 0",
	    "\" WINDOW_SIZE 101",
	    "\" RATE_LIMIT 3",
	    "\" RATE_LIMIT 0 30",
	    "\" RATE_LIMIT 101 30",
	    "\" RATE_LIMIT 3 3601",
	    "\" RATE_LIMIT 3 30 x",
	    "\" RATE_LIMIT 3 30 99999999999",
	    "\" DISALLOW_REUSE 5a",
	    "\" DISALLOW_REUSE -5",
	    "\" TIME_SKEW",
	    "\" TIME_SKEW +2",
	    "\" TIME_SKEW 1 2",
	    "\" TIME_SKEW 1000001",
	    "\" RESETTING_TIME_SKEW 5",
	    "\" RESETTING_TIME_SKEW 5+",
	    "\" RESETTING_TIME_SKEW +5",
	    "\" LAST0 192.0.2.7",
	    "\" LAST0 192.0.2.7 x",
	    "\" LAST0 host/x 1763780000",
	    "\" LASTA 192.0.2.7 1763780000",
	    "\" LAST10 192.0.2.7 1763780000",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuse_edit(6, bad[i], INSERT, SLS_ERR_FORMAT, 6);
	/* each option once */
	refuse_edit(6, "\" TOTP_AUTH", INSERT, SLS_ERR_FORMAT, 6);
	refuse_edit(6, "\" WINDOW_SIZE 3", INSERT, SLS_ERR_FORMAT, 6);
	accept_edit(6, "\" LAST0 192.0.2.7 1763780000\n\" LAST1 192.0.2.8 1763780000", INSERT);
	refuse_edit(6, "\" LAST0 192.0.2.7 1763780000\n\" LAST0 192.0.2.8 1763780000", INSERT,
		    SLS_ERR_FORMAT, 7);
}

static void test_refuse_codes(void **state)
{
	(void)state;
	refuse_edit(7, "1234567", REPLACE, SLS_ERR_FORMAT, 7);
	refuse_edit(7, "123456789", REPLACE, SLS_ERR_FORMAT, 7);
	refuse_edit(7, "01234567", REPLACE, SLS_ERR_FORMAT, 7);
	refuse_edit(7, "1234567a", REPLACE, SLS_ERR_FORMAT, 7);
	refuse_edit(7, "12345678 ", REPLACE, SLS_ERR_FORMAT, 7);
	refuse_edit(7, "-1234567", REPLACE, SLS_ERR_FORMAT, 7);
	/* the same code twice */
	refuse_edit(8, "10203040", REPLACE, SLS_ERR_FORMAT, 8);
	/* an eleventh */
	refuse_edit(11, "60000001\n60000002\n60000003\n60000004\n60000005\n60000006", INSERT,
		    SLS_ERR_FORMAT, 16);
}

static void test_refuse_unsupported(void **state)
{
	struct sls_diag diag = {0, ""};
	char *t = test_edit(written, 5, "\" HOTP_COUNTER 1", REPLACE);

	(void)state;
	refuse(t, SLS_ERR_INVAL, 5);
	assert_int_equal(sls_gafile_parse(t, strlen(t), &ga, &diag), SLS_ERR_INVAL);
	assert_string_equal(diag.msg, "counter-based (HOTP) files are not supported: re-enroll "
				      "with sls enroll totp");
	free(t);
	/* HOTP with TOTP_AUTH too: google-authenticator uses the counter */
	refuse_edit(6, "\" HOTP_COUNTER 7", INSERT, SLS_ERR_INVAL, 6);
	/* neither: google-authenticator takes only scratch codes from it */
	refuse_edit(5, NULL, DELETE, SLS_ERR_INVAL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_as_written),    cmocka_unit_test(test_after_logins),
	    cmocka_unit_test(test_small_files),   cmocka_unit_test(test_refuse_lines),
	    cmocka_unit_test(test_refuse_secret), cmocka_unit_test(test_refuse_options),
	    cmocka_unit_test(test_refuse_codes),  cmocka_unit_test(test_refuse_unsupported),
	};

	return cmocka_run_group_tests_name("sls: google-authenticator files", tests, NULL, NULL);
}
