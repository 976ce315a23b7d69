/*
 * Enrolment inside the login through real libpam ([login] enroll_at_login):
 * a user with no device chooses a PIN (asked again under the PIN policy),
 * scans a QR code small enough for an 80x24 terminal, answers a first
 * challenge, and is let in; a wrong first answer adds nothing; past
 * enroll_grace_until the user is refused with the administrator's way.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "pamtest_env.h"

static struct conv_log lg;

/* The user's enrolment file as text ("" when there is none). */
static char *user_file(const char *user)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/store/users/%s", env_dir(), user);
	if (access(path, F_OK) != 0)
		return strdup("");
	return test_slurp(path);
}

static void no_file(const char *user)
{
	char path[PATH_MAX];

	env_user(user, 0); /* the state too */
	snprintf(path, sizeof(path), "%s/store/users/%s", env_dir(), user);
	unlink(path);
}

static void test_enrol_ibkey(void **state)
{
	const struct answer a[] = {T(ENV_PIN), T(ENV_PIN), T(""), A(ANS_ENROL), END};
	struct sls_state *st;
	char *text;

	(void)state;
	no_file("games");
	assert_int_equal(env_login("sls-enrol", "games", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 4);
	assert_string_equal(lg.prompts[0], "Choose a PIN for your new ibkey (4 to 6 characters): ");
	assert_string_equal(lg.prompts[1], "Repeat the PIN: ");
	assert_memory_equal(lg.prompts[2], "Scan this with sls-authenticator", 32);
	assert_memory_equal(lg.prompts[3], "Challenge: ", 11);
	/* the QR code fits an 80x24 terminal, with the lines around it */
	assert_true(lg.widest <= 80);
	assert_true(lg.tallest <= 24 + 3);
	text = user_file("games");
	assert_non_null(strstr(text, "[device ibkey]\ntype = ibkey\n"));
	assert_non_null(strstr(text, "status = active\n"));
	free(text);
	assert_int_equal(env_failures("games"), 0);
	/* the answer that confirmed it is used: its challenge is never given again */
	st = calloc(1, sizeof(*st));
	assert_non_null(st);
	assert_true(env_state("games", st));
	assert_int_equal(st->ndevices, 1);
	assert_int_equal(st->devices[0].nused, 1);
	free(st);
	print_message("# enrolment prompt: %d columns, %d lines (the URI aside)\n", lg.widest,
		      lg.tallest);
}

/* A PIN the policy refuses is asked again, with the reason; the login goes on. */
static void test_enrol_pin_policy(void **state)
{
	const struct answer a[] = {T("1234"),  T("1234"),  T(ENV_PIN), T("4822"),
				   T(ENV_PIN), T(ENV_PIN), T(""),      A(ANS_ENROL)};
	char *text;

	(void)state;
	no_file("man");
	assert_int_equal(env_login("sls-enrol", "man", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 8);
	assert_true(lg.nerrors >= 2); /* a straight run, then two PINs that differ */
	text = user_file("man");
	assert_non_null(strstr(text, "status = active\n"));
	free(text);
}

/* Three wrong first answers: nothing is enrolled, the login fails, nothing is counted. */
static void test_enrol_not_confirmed(void **state)
{
	const struct answer a[] = {T(ENV_PIN),    T(ENV_PIN),    T(""), T("00000000"),
				   T("00000000"), T("00000000"), END};
	char *text;

	(void)state;
	no_file("lp");
	assert_int_equal(env_login("sls-enrol", "lp", a, &lg), PAM_AUTH_ERR);
	assert_true(env_said(&lg, "No device was enrolled; log in again to retry."));
	text = user_file("lp");
	assert_string_equal(text, "");
	free(text);
	/* a conversation that ends halfway adds nothing either */
	const struct answer half[] = {T(ENV_PIN), T(ENV_PIN), END};
	assert_int_equal(env_login("sls-enrol", "lp", half, &lg), PAM_CONV_ERR);
	text = user_file("lp");
	assert_string_equal(text, "");
	free(text);
}

static void test_enrol_totp(void **state)
{
	const struct answer a[] = {T(""), A(ANS_ENROL_TOTP), END};
	char *text;

	(void)state;
	no_file("news");
	assert_int_equal(env_login("sls-enrol-totp", "news", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 2);
	assert_string_equal(lg.prompts[1], "Verification code: ");
	text = user_file("news");
	assert_non_null(strstr(text, "[device totp]\ntype = totp\n"));
	free(text);
}

static void test_enrol_grace(void **state)
{
	(void)state;
	no_file("uucp");
	assert_int_equal(env_login("sls-enrol-past", "uucp", NULL, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "enrolling one at login ended on 2020-01-01"));
	assert_true(env_said(&lg, "sls enroll --user uucp ibkey"));
	assert_int_equal(env_login("sls-enrol-future", "uucp", NULL, &lg), PAM_CONV_ERR);
	assert_string_equal(lg.prompts[0], "Choose a PIN for your new ibkey (4 to 6 characters): ");
}

/* A name the system does not know is never enrolled, and no file is made for it. */
static void test_enrol_unknown_name(void **state)
{
	char path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/store/users/sls-no-such-user", env_dir());
	assert_int_equal(env_login("sls-enrol", "sls-no-such-user", NULL, &lg), PAM_USER_UNKNOWN);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(access(path, F_OK), -1);
}

/* A user with a device is asked it, as ever. */
static void test_enrol_only_without_device(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("eli", ENV_IBKEY);
	assert_int_equal(env_login("sls-enrol", "eli", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_memory_equal(lg.prompts[0], "Challenge: ", 11);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enrol_ibkey),
	    cmocka_unit_test(test_enrol_pin_policy),
	    cmocka_unit_test(test_enrol_not_confirmed),
	    cmocka_unit_test(test_enrol_totp),
	    cmocka_unit_test(test_enrol_grace),
	    cmocka_unit_test(test_enrol_unknown_name),
	    cmocka_unit_test(test_enrol_only_without_device),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("enrolment inside the login through libpam", tests, NULL,
					   NULL);
}
