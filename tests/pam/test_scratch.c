/*
 * Scratch codes through real libpam: each code logs in once, a used or a
 * wrong one is refused and counted, a device with no code left is not
 * offered, and a google-authenticator file taken over by sls
 * import-google-authenticator logs in with the app's codes (computed from
 * the file's secret) and with its scratch codes.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "pamtest_env.h"

static struct conv_log lg;

/* What the store's files of user hold: never a scratch code. */
static void assert_no_code_stored(const char *user, const char *code)
{
	char path[PATH_MAX];
	char *text;

	snprintf(path, sizeof(path), "%s/store/users/%s", env_dir(), user);
	text = test_slurp(path);
	assert_null(strstr(text, code));
	free(text);
	snprintf(path, sizeof(path), "%s/store/state/%s", env_dir(), user);
	text = test_slurp(path);
	assert_null(strstr(text, code));
	free(text);
}

static void test_code_once(void **state)
{
	const struct answer first[] = {T("12345678"), END}, wrong[] = {T("99999999"), END};
	const struct answer second[] = {T("2345 6789"), END};
	struct sls_state st;

	(void)state;
	env_user("sam", ENV_SCRATCH);
	assert_int_equal(env_login("sls-many", "sam", first, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_string_equal(lg.prompts[0], "Scratch code: ");
	assert_int_equal(env_failures("sam"), 0);
	/* the same code again: asked, refused, counted */
	assert_int_equal(env_login("sls-many", "sam", first, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(env_failures("sam"), 1);
	/* a wrong one likewise */
	assert_int_equal(env_login("sls-many", "sam", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("sam"), 2);
	/* another code, typed with a space: in, and the failures cleared */
	assert_int_equal(env_login("sls-many", "sam", second, &lg), PAM_SUCCESS);
	assert_int_equal(env_failures("sam"), 0);
	assert_true(env_state("sam", &st));
	assert_int_equal(st.ndevices, 1);
	assert_int_equal(st.devices[0].nused, 2);
	assert_no_code_stored("sam", env_scratch_code(0));
	assert_no_code_stored("sam", env_scratch_code(1));
}

/* Every code used: the device is not asked any more, and nothing is counted. */
static void test_all_used(void **state)
{
	(void)state;
	env_user("sue", ENV_SCRATCH);
	for (size_t i = 0; i < 3; i++) {
		const struct answer a[] = {T(env_scratch_code(i)), END};

		assert_int_equal(env_login("sls-many", "sue", a, &lg), PAM_SUCCESS);
	}
	for (size_t i = 0; i < 3; i++) {
		const struct answer a[] = {T(env_scratch_code(i)), END};

		assert_int_not_equal(env_login("sls-many", "sue", a, &lg), PAM_SUCCESS);
		assert_int_equal(lg.nprompts, 0);
		assert_true(env_said(&lg, "None of your second factor devices can be used"));
		assert_int_equal(env_failures("sue"), 0);
	}
}

/* Used up beside another device: no menu, the other device is asked at once. */
static void test_used_up_not_offered(void **state)
{
	char code[16];

	(void)state;
	env_user("sal", ENV_TOTP | ENV_SCRATCH);
	for (size_t i = 0; i < 3; i++) {
		const struct answer a[] = {T("2"), T(env_scratch_code(i)), END};

		assert_int_equal(env_login("sls-many", "sal", a, &lg), PAM_SUCCESS);
	}
	env_totp_code(code, sizeof(code));
	{
		const struct answer a[] = {T(code), END};

		assert_int_equal(env_login("sls-many", "sal", a, &lg), PAM_SUCCESS);
		assert_int_equal(lg.nprompts, 1);
		assert_string_not_equal(lg.prompts[0], "Scratch code: ");
		assert_null(strstr(lg.prompts[0], "Select second factor device"));
	}
}

/* With another device: in the menu as "scratch NAME", and its own prompt after it. */
static void test_in_menu(void **state)
{
	const struct answer a[] = {T("2"), T("34567890"), END};
	const struct answer again[] = {T("2"), T("34567890"), END};

	(void)state;
	env_user("sid", ENV_TOTP | ENV_SCRATCH);
	assert_int_equal(env_login("sls-many", "sid", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 2);
	assert_string_equal(lg.prompts[0], "Select second factor device:\n 1) totp phone\n"
					   " 2) scratch scratch\nDevice [1]: ");
	assert_string_equal(lg.prompts[1], "Scratch code: ");
	assert_int_equal(env_login("sls-many", "sid", again, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("sid"), 1);
}

/* Level 1: not for a service that asks more, nor for devices=totp. */
static void test_level(void **state)
{
	const struct answer a[] = {T("12345678"), END};

	(void)state;
	env_user("sal", ENV_SCRATCH);
	assert_int_equal(env_login("sls-l3", "sal", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "level 3 or higher (4: dsc, 3: ibkey, 2: totp, 1: "
				  "sms/card/tempcode/scratch); yours reach level 1."));
	assert_int_equal(env_login("sls-totp", "sal", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_failures("sal"), 0);
}

/* ---- a google-authenticator file taken over ------------------------------------------------- */

#define GA_SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

/* The code an authenticator app shows now for GA_SECRET. */
static void app_code(char *out, size_t size)
{
	uint8_t key[20];
	size_t len = 0;

	assert_int_equal(sls_base32_decode(GA_SECRET, key, sizeof(key), &len), SLS_OK);
	assert_int_equal(len, 20);
	assert_int_equal(sls_totp(SLS_HASH_SHA1, key, len, time(NULL), 30, 6, out, size), SLS_OK);
}

static void test_imported(void **state)
{
	char sls[] = SLS_PATH, opt[] = "--conf", conf[PATH_MAX],
	     verb[] = "import-google-authenticator", user[] = "daemon", file[PATH_MAX], code[8];
	char *const argv[] = {sls, opt, conf, verb, user, file, NULL};
	const struct answer scratch[] = {T("2"), T("87654321"), END};
	struct answer totp[] = {T("1"), T(code), END};

	(void)state;
	if (geteuid() != 0) { /* the verb is root's */
		print_message("# not root: sls import-google-authenticator cannot run\n");
		return;
	}
	env_user("daemon", 0);
	env_write("ga-daemon",
		  GA_SECRET "\n\" RATE_LIMIT 3 30 1763780000\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n"
			    "87654321\n76543210\n",
		  0400);
	snprintf(conf, sizeof(conf), "%s/sls.conf", env_dir());
	snprintf(file, sizeof(file), "%s/ga-daemon", env_dir());
	assert_int_equal(env_run(argv), 0);
	app_code(code, sizeof(code));
	assert_int_equal(env_login("sls-many", "daemon", totp, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[0],
			    "Select second factor device:\n"
			    " 1) totp google-authenticator\n"
			    " 2) scratch google-authenticator-scratch\nDevice [1]: ");
	assert_string_equal(lg.prompts[1], "Verification code: ");
	assert_int_equal(env_login("sls-many", "daemon", scratch, &lg), PAM_SUCCESS);
	assert_string_equal(lg.prompts[1], "Scratch code: ");
	assert_int_equal(env_login("sls-many", "daemon", scratch, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("daemon"), 1);
	assert_no_code_stored("daemon", "87654321");
	assert_no_code_stored("daemon", "76543210");
	/* taken over once: a second import is refused */
	assert_int_equal(env_run(argv), 6);
	unlink(file);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_once),
	    cmocka_unit_test(test_all_used),
	    cmocka_unit_test(test_used_up_not_offered),
	    cmocka_unit_test(test_in_menu),
	    cmocka_unit_test(test_level),
	    cmocka_unit_test(test_imported),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("scratch codes through libpam", tests, NULL, NULL);
}
