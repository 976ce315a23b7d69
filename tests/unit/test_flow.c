/*
 * pam_sls - the login flow (common/flow.c) without libpam: a scripted UI,
 * a store of its own, and a device type of the tests' own (devtype_static.c)
 * next to the built-in ones. The static type is one file plus one line in
 * this test's list of types, and runs through the whole flow: menu, count
 * before check, a right and a wrong answer, the lock, devices= and
 * min_level=.
 */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "devtype_static.h"
#include "helpers.h"
#include "sls.h"

/* The built-in types and the tests' own: the one line a new type needs. */
static const struct sls_devtype *const test_list[] = {SLS_DEVTYPES_BUILTIN_LIST,
						      &test_devtype_static, &test_devtype_mute};
static const struct sls_devtypes test_types = {test_list, sizeof(test_list) / sizeof(test_list[0])};

struct fx {
	char dir[PATH_MAX];
	struct sls_store store;
	struct sls_config conf;
	struct sls_log_ctx log;
	struct sls_ui ui;
	struct script script;
	struct sls_flow flow;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char path[PATH_MAX + 16];

	if (fx == NULL)
		return -1;
	test_sandbox("sls-flow", fx->dir, sizeof(fx->dir));
	snprintf(path, sizeof(path), "%s/store", fx->dir);
	if (sls_store_open(path, geteuid(), true, &fx->store) != SLS_OK)
		return -1;
	fx->store.types = &test_types;
	sls_config_defaults(&fx->conf);
	fx->conf.deny = 3;
	fx->log.ident = "test_flow";
	fx->flow = (struct sls_flow){.conf = &fx->conf,
				     .store = &fx->store,
				     .owner = geteuid(),
				     .user = "sam",
				     .ui = &fx->ui,
				     .log = &fx->log};
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	sls_store_close(&fx->store);
	test_remove_tree(fx->dir);
	free(fx);
	return 0;
}

/* sam's enrolment file: the static device "pad" (code 4711), and with totp a phone too. */
static void write_user(struct fx *fx, bool totp)
{
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text),
		     "[user]\nphone =\nphone_verified = no\noptout = no\nidentity =\n\n"
		     "[device pad]\ntype = static\nlabel =\ncode = 4711\nlevel = 1\n"
		     "status = active\ncreated = 1700000000\n");
	if (totp)
		snprintf(text + n, sizeof(text) - (size_t)n,
			 "\n[device phone]\ntype = totp\nlabel =\n"
			 "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\nlevel = 2\nstatus = active\n"
			 "created = 1700000000\n");
	assert_int_equal(sls_file_replace(fx->store.users_fd, "sam", text, strlen(text), 0600),
			 SLS_OK);
	unlinkat(fx->store.state_fd, "sam", 0);
}

/* One login with replies; the enrolment and state as the flow's host reads them. */
static enum sls_verdict login(struct fx *fx, const char *const *replies, size_t n)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_state *st = calloc(1, sizeof(*st));
	struct sls_outcome out;
	enum sls_verdict v;

	assert_non_null(u);
	assert_non_null(st);
	assert_int_equal(sls_userdb_load_user(&fx->store, "sam", geteuid(), u, NULL), SLS_OK);
	assert_int_equal(sls_userdb_load_state(&fx->store, "sam", geteuid(), st, NULL), SLS_OK);
	script_ui(&fx->script, replies, n, &fx->ui);
	v = sls_flow_login(&fx->flow, u, st, &out);
	sls_user_clear(u);
	sls_state_clear(st);
	free(u);
	free(st);
	return v;
}

static size_t failures(struct fx *fx)
{
	struct sls_state st;

	assert_int_equal(sls_userdb_load_state(&fx->store, "sam", geteuid(), &st, NULL), SLS_OK);
	return st.nfailures;
}

static void test_static_type_parses_and_writes_back(void **state)
{
	struct fx *fx = *state;
	struct sls_user *u = calloc(1, sizeof(*u));
	char *text = NULL;
	size_t len = 0;

	assert_non_null(u);
	write_user(fx, false);
	assert_int_equal(sls_userdb_load_user(&fx->store, "sam", geteuid(), u, NULL), SLS_OK);
	assert_ptr_equal(u->devices[0].type, &test_devtype_static);
	assert_int_equal(sls_user_format(u, &text, &len), SLS_OK);
	assert_non_null(strstr(text, "type = static\nlabel =\ncode = 4711\nlevel = 1\n"));
	sls_free_secret(text, len + 1);
	/* the built-in list does not know it: a file of it is corrupt there */
	fx->store.types = NULL;
	assert_int_equal(sls_userdb_load_user(&fx->store, "sam", geteuid(), u, NULL),
			 SLS_ERR_FORMAT);
	free(u);
}

static void test_right_and_wrong(void **state)
{
	struct fx *fx = *state;
	const char *const right[] = {"47-11"}, *const wrong[] = {"1234"};

	write_user(fx, false);
	assert_int_equal(login(fx, wrong, 1), SLS_VERDICT_WRONG);
	assert_int_equal(fx->script.nprompts, 1);
	assert_string_equal(fx->script.prompts[0], "Static code: ");
	assert_int_equal(failures(fx), 1);
	assert_int_equal(login(fx, right, 1), SLS_VERDICT_SUCCESS);
	assert_int_equal(failures(fx), 0);
}

static void test_counted_and_locked(void **state)
{
	struct fx *fx = *state;
	const char *const none[] = {NULL}, *const wrong[] = {"0000"}, *const right[] = {"4711"};

	write_user(fx, false);
	/* the conversation failing at the prompt is an attempt */
	assert_int_equal(login(fx, none, 1), SLS_VERDICT_CONV);
	assert_int_equal(failures(fx), 1);
	assert_int_equal(login(fx, wrong, 1), SLS_VERDICT_WRONG);
	assert_int_equal(login(fx, wrong, 1), SLS_VERDICT_LOCKED); /* deny = 3 */
	assert_true(script_said(&fx->script, "Too many failed attempts"));
	assert_int_equal(login(fx, right, 1), SLS_VERDICT_LOCKED);
	assert_int_equal(fx->script.nprompts, 0);
}

static void test_menu_and_filters(void **state)
{
	struct fx *fx = *state;
	const char *const pick1[] = {"1", "4711"}, *const bad[] = {"x", "9", "0"};
	const char *const code[] = {"4711"};

	write_user(fx, true);
	assert_int_equal(login(fx, pick1, 2), SLS_VERDICT_SUCCESS);
	assert_string_equal(fx->script.prompts[0], "Select second factor device:\n 1) static pad\n"
						   " 2) totp phone\nDevice [1]: ");
	assert_int_equal(login(fx, bad, 3), SLS_VERDICT_WRONG);
	assert_true(script_said(&fx->script, "No device was chosen."));
	assert_int_equal(failures(fx), 0); /* the menu is no attempt */
	/* devices=static: no menu, straight to the code */
	fx->flow.type_mask = sls_devtype_bit(&test_types, &test_devtype_static);
	assert_int_equal(login(fx, code, 1), SLS_VERDICT_SUCCESS);
	assert_string_equal(fx->script.prompts[0], "Static code: ");
	/* min_level=2: the totp only; min_level=3: none, and the user is told */
	fx->flow.type_mask = 0;
	fx->flow.min_level = 3;
	assert_int_equal(login(fx, code, 1), SLS_VERDICT_REFUSED);
	assert_true(script_said(&fx->script,
				"level 3 or higher (4: dsc, 3: ibkey, 2: totp, 1: "
				"sms/card/tempcode/scratch/static); yours reach level 2."));
}

static void keep_debug(void *arg, const char *line)
{
	char *all = arg;

	strncat(all, line, 4095 - strlen(all));
	strncat(all, "\n", 4095 - strlen(all));
}

/* With the debug option, why each device is or is not offered (never a value). */
static void test_debug_says_why(void **state)
{
	struct fx *fx = *state;
	const char *const code[] = {"4711"};
	char lines[4096] = "";

	write_user(fx, true);
	fx->flow.debug = keep_debug;
	fx->flow.debug_arg = lines;
	fx->flow.type_mask = sls_devtype_bit(&test_types, &test_devtype_static);
	assert_int_equal(login(fx, code, 1), SLS_VERDICT_SUCCESS);
	assert_non_null(strstr(lines, "device pad (static, level 1): offered\n"));
	assert_non_null(strstr(lines, "device phone (totp, level 2): not offered: not among "
				      "devices=\n"));
	assert_non_null(strstr(lines, "device pad answered: right\n"));
	assert_null(strstr(lines, "4711"));
}

static void test_no_device(void **state)
{
	struct fx *fx = *state;
	struct sls_user u = {0};
	struct sls_state st = {0};
	struct sls_outcome out;

	script_ui(&fx->script, NULL, 0, &fx->ui);
	assert_int_equal(sls_flow_login(&fx->flow, &u, &st, &out), SLS_VERDICT_NO_DEVICE);
	assert_int_equal(fx->script.nsaid, 0); /* nullok is the host's: nothing said */
}

/* Active devices, none of a type a login can ask: refused, and the user told why. */
static void test_only_unaskable_devices(void **state)
{
	static const char text[] =
	    "[user]\nphone =\nphone_verified = no\noptout = no\nidentity =\n\n"
	    "[device quiet]\ntype = mute\nlabel =\ncode = 4711\nlevel = 1\n"
	    "status = active\ncreated = 1700000000\n";
	struct fx *fx = *state;

	assert_int_equal(sls_file_replace(fx->store.users_fd, "sam", text, strlen(text), 0600),
			 SLS_OK);
	assert_int_equal(login(fx, NULL, 0), SLS_VERDICT_REFUSED);
	assert_int_equal(fx->script.nprompts, 0);
	assert_true(script_said(&fx->script, "None of your second factor devices can be used"));
	assert_int_equal(failures(fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_static_type_parses_and_writes_back),
	    T(test_right_and_wrong),
	    T(test_counted_and_locked),
	    T(test_menu_and_filters),
	    T(test_debug_says_why),
	    T(test_no_device),
	    T(test_only_unaskable_devices),
#undef T
	};

	return cmocka_run_group_tests_name("the login flow", tests, NULL, NULL);
}
