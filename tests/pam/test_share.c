/*
 * A shared device through real libpam: rita logs in with the ibkey olga
 * shared with her (the same identity). The device answers with olga's
 * secret and PIN as olga's file says at the login, its failures are rita's,
 * and it stops when olga revokes or transfers it (a new created) or root
 * changes an identity: refused, never passed as "no device" (nullok).
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

/* olga: the test ibkey "laptop" (created 1700000000, PIN ENV_PIN, shared with rita), identity
 * Jane Doe. */
static void olga(void)
{
	env_user("olga", ENV_IBKEY);
	env_edit_user("olga", "identity =\n", "identity = Jane Doe\n");
	env_edit_user("olga", "created = 1700000000\n",
		      "shared_with = rita\ncreated = 1700000000\n");
}

/* rita: identity id, olga's laptop shared (as sls share writes it), and own devices (text). */
static void rita(const char *id, const char *own)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "[user]\nphone =\nphone_verified = no\noptout = no\nidentity = %s\n\n"
		 "[device laptop]\ntype = ibkey\nlabel = olga's laptop\nlevel = 3\n"
		 "status = active\nshared_from = olga\ncreated = 1700000000\n%s",
		 id, own);
	env_write("store/users/rita", text, 0600);
	snprintf(text, sizeof(text), "%s/store/state/rita", env_dir());
	unlink(text);
}

static void test_login_with_shared_device(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};
	struct sls_state *st = calloc(1, sizeof(*st));
	char olga_state[PATH_MAX];

	(void)state;
	assert_non_null(st);
	olga();
	rita("Jane Doe", "");
	assert_int_equal(env_login("sls", "rita", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_non_null(strstr(lg.prompts[0], "Challenge: "));
	assert_true(env_state("rita", st));
	assert_string_equal(st->last_device, "laptop");
	assert_int_equal(st->ndevices, 1); /* the challenge is used in rita's state */
	snprintf(olga_state, sizeof(olga_state), "%s/store/state/olga", env_dir());
	assert_int_not_equal(access(olga_state, F_OK), 0); /* olga's files are only read */
	free(st);
}

static void test_failures_are_the_requesters(void **state)
{
	const struct answer wrong[] = {T("12345678"), END};
	const struct answer right[] = {A(ANS_OCRA), END};

	(void)state;
	olga();
	rita("Jane Doe", "");
	assert_int_equal(env_login("sls", "rita", wrong, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("rita"), 1);
	assert_int_equal(env_failures("olga"), 0);
	assert_int_equal(env_login("sls", "rita", wrong, &lg), PAM_AUTH_ERR);
	/* the third failure locks rita (deny = 3), not olga */
	assert_int_equal(env_login("sls", "rita", wrong, &lg), PAM_MAXTRIES);
	assert_int_equal(env_failures("rita"), 3);
	assert_int_equal(env_failures("olga"), 0);
	assert_int_equal(env_login("sls", "rita", right, &lg), PAM_MAXTRIES);
	olga();
	assert_int_equal(env_login("sls", "olga", right, &lg), PAM_SUCCESS);
}

/* After what olga or root did, rita's shared device is not asked; the login is refused. */
static void refused_unasked(const char *service)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	assert_int_equal(env_login(service, "rita", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "None of your second factor devices can be used"));
	assert_int_equal(env_failures("rita"), 0);
}

static void test_owner_transfers(void **state)
{
	(void)state;
	olga();
	rita("Jane Doe", "");
	env_edit_user("olga", "created = 1700000000", "created = 1700000099");
	refused_unasked("sls");
	refused_unasked("sls-nullok"); /* a dead share is no "no device" */
}

static void test_owner_revokes(void **state)
{
	(void)state;
	olga();
	rita("Jane Doe", "");
	env_edit_user("olga", "status = active", "status = revoked");
	refused_unasked("sls");
	env_user("olga", 0); /* every device gone */
	refused_unasked("sls");
}

static void test_identity_changed(void **state)
{
	const struct answer a[] = {A(ANS_OCRA), END};

	(void)state;
	olga();
	rita("Jane Roe", "");
	refused_unasked("sls");
	rita("Jane Doe", "");
	assert_int_equal(env_login("sls", "rita", a, &lg), PAM_SUCCESS);
	env_edit_user("olga", "identity = Jane Doe", "identity =");
	refused_unasked("sls");
}

/* With a device of her own too: the dead share is left out of the menu, the other asked. */
static void test_dead_share_and_own_device(void **state)
{
	const struct answer totp[] = {A(ANS_TOTP), END};
	const struct answer menu[] = {T("1"), A(ANS_OCRA), END};

	(void)state;
	olga();
	rita("Jane Doe", "\n[device phone]\ntype = totp\nlabel =\n"
			 "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\nlevel = 2\nstatus = active\n"
			 "created = 1700000000\n");
	assert_int_equal(env_login("sls", "rita", menu, &lg), PAM_SUCCESS);
	assert_non_null(strstr(lg.prompts[0], " 1) ibkey laptop\n 2) totp phone\n"));
	env_edit_user("olga", "created = 1700000000", "created = 1700000099");
	assert_int_equal(env_login("sls", "rita", totp, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	assert_string_equal(lg.prompts[0], "Verification code: ");
	/* a service that asks level 3 has nothing left to ask */
	assert_int_equal(env_login("sls-l3", "rita", totp, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_login_with_shared_device),
	    cmocka_unit_test(test_failures_are_the_requesters),
	    cmocka_unit_test(test_owner_transfers),
	    cmocka_unit_test(test_owner_revokes),
	    cmocka_unit_test(test_identity_changed),
	    cmocka_unit_test(test_dead_share_and_own_device),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("a shared device through libpam", tests, NULL, NULL);
}
