/*
 * Policy through real libpam: an opted-out user passes where no min_level
 * asks more, and only while sls.conf allows it and no mandatory group holds
 * them; a mandatory group that does not exist is a configuration error.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "pamtest_env.h"

static struct conv_log lg;

static void test_opted_out_passes(void **state)
{
	(void)state;
	env_user("otto", ENV_IBKEY | ENV_OPTOUT);
	assert_int_equal(env_login("sls-optout", "otto", NULL, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_failures("otto"), 0);
}

/* min_level still asks a device, and the opted-out user answers like anyone. */
static void test_opted_out_min_level(void **state)
{
	const struct answer right[] = {A(ANS_OCRA), END};
	const struct answer wrong[] = {T("00000000"), END};

	(void)state;
	env_user("olga", ENV_IBKEY | ENV_OPTOUT);
	assert_int_equal(env_login("sls-optout-l3", "olga", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(env_failures("olga"), 1);
	assert_int_equal(env_login("sls-optout-l3", "olga", right, &lg), PAM_SUCCESS);
	/* with no device there, the user is told how to come back */
	env_user("olaf", ENV_OPTOUT);
	assert_int_equal(env_login("sls-optout-l3", "olaf", NULL, &lg), PAM_AUTH_ERR);
	assert_true(env_said(&lg, "run \"sls optin\""));
}

/* sls.conf's word counts at each login: forbidden now, or a mandatory group, asks again. */
static void test_opt_out_needs_the_policy(void **state)
{
	const struct answer right[] = {A(ANS_OCRA), END};

	(void)state;
	env_user("oren", ENV_IBKEY | ENV_OPTOUT);
	assert_int_equal(env_login("sls", "oren", NULL, &lg), PAM_CONV_ERR); /* asked */
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(env_login("sls", "oren", right, &lg), PAM_SUCCESS);
	/* daemon is a member of group daemon, which mandatory.conf names */
	env_user("daemon", ENV_IBKEY | ENV_OPTOUT);
	assert_int_equal(env_login("sls-mandatory", "daemon", NULL, &lg), PAM_CONV_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(env_login("sls-mandatory", "daemon", right, &lg), PAM_SUCCESS);
	/* a user passwd does not know cannot be cleared of a mandate: asked */
	env_user("ghost-otto", ENV_IBKEY | ENV_OPTOUT);
	assert_int_equal(env_login("sls-mandatory", "ghost-otto", NULL, &lg), PAM_CONV_ERR);
	/* a user who did not opt out is asked, opt-out allowed or not */
	env_user("ona", ENV_IBKEY);
	assert_int_equal(env_login("sls-optout", "ona", NULL, &lg), PAM_CONV_ERR);
	assert_int_equal(lg.nprompts, 1);
}

/* A mandate that names no group protects nobody: the module refuses to run on it. */
static void test_mandatory_group_missing(void **state)
{
	(void)state;
	env_user("omar", ENV_IBKEY | ENV_OPTOUT);
	assert_int_equal(env_login("sls-badgroup", "omar", NULL, &lg), PAM_SERVICE_ERR);
	assert_int_equal(lg.nprompts, 0);
}

static int journal_child(void)
{
	char all[16384];
	int fd = env_journal_open();

	if (fd < 0)
		return 10;
	env_user("oswald", ENV_IBKEY | ENV_OPTOUT);
	if (env_login("sls-optout", "oswald", NULL, &lg) != PAM_SUCCESS)
		return 11;
	if (env_login("sls-badgroup", "oswald", NULL, &lg) != PAM_SERVICE_ERR)
		return 12;
	env_journal_read(fd, all, sizeof(all));
	if (strstr(all, "SLS_EVENT=optout") == NULL ||
	    strstr(all, "user opted out: no second factor asked here") == NULL) {
		fprintf(stderr, "journal lacks the opt-out in:\n%s\n", all);
		return 13;
	}
	if (strstr(all, "no group sls-no-such-group") == NULL) {
		fprintf(stderr, "journal does not name the missing group in:\n%s\n", all);
		return 14;
	}
	return 0;
}

static void test_journal(void **state)
{
	(void)state;
	assert_int_equal(env_in_child(journal_child), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opted_out_passes),
	    cmocka_unit_test(test_opted_out_min_level),
	    cmocka_unit_test(test_opt_out_needs_the_policy),
	    cmocka_unit_test(test_mandatory_group_missing),
	    cmocka_unit_test(test_journal),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("policy through libpam", tests, NULL, NULL);
}
