/*
 * pam_sls - device sharing (common/share.c): a shared device in the
 * enrolment file (no keys of its type), its live resolution from the files
 * of the user it is shared from, and what count before check and the login
 * flow make of it: a right answer with the owner's device, failures counted
 * for the user who logs in, nothing once the owner's device is gone or
 * changed.
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

#include "helpers.h"
#include "sls.h"
#include "sls_share.h"

#define KEY_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" /* "12345678901234567890" */
#define PIN_A   "7110eda4d09e062aa5e4a390b0a572ac0d2c0220"
#define PIN_B   "0123456789abcdef0123456789abcdef01234567"

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
	test_sandbox("sls-share", fx->dir, sizeof(fx->dir));
	snprintf(path, sizeof(path), "%s/store", fx->dir);
	if (sls_store_open(path, geteuid(), true, &fx->store) != SLS_OK)
		return -1;
	sls_config_defaults(&fx->conf);
	fx->conf.deny = 3;
	fx->log.ident = "test_share";
	fx->flow = (struct sls_flow){.conf = &fx->conf,
				     .store = &fx->store,
				     .owner = geteuid(),
				     .user = "rita",
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

static void put(struct fx *fx, const char *user, const char *text)
{
	assert_int_equal(sls_file_replace(fx->store.users_fd, user, text, strlen(text), 0600),
			 SLS_OK);
}

/* [user] with identity id, then the sections given. */
static void put_user(struct fx *fx, const char *user, const char *id, const char *devices)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "[user]\nphone =\nphone_verified = no\noptout = no\nidentity = %s\n%s", id,
		 devices);
	put(fx, user, text);
}

/*
 * olga's totp "phone" (status, created given) and ibkey "key" (PIN hash
 * given), both shared with rita (the key with sam too).
 */
static void put_olga(struct fx *fx, const char *id, const char *status, const char *created,
		     const char *pin_hash)
{
	char devices[1024];

	snprintf(devices, sizeof(devices),
		 "\n[device phone]\ntype = totp\nlabel = olga's phone\nsecret = %s\nlevel = 2\n"
		 "status = %s\nshared_with = rita\ncreated = %s\n"
		 "\n[device key]\ntype = ibkey\nlabel =\nsuite = %s\nsecret = %s\n"
		 "pin_hash = %s\nlevel = 3\nstatus = active\nshared_with = sam,rita\n"
		 "created = 1700000000\n",
		 KEY_B32, status, created, SLS_OCRA_DEFAULT_SUITE, KEY_B32, pin_hash);
	put_user(fx, "olga", id, devices);
}

#define SHARED_PHONE                                                                               \
	"\n[device phone]\ntype = totp\nlabel = olga's phone\nlevel = 2\nstatus = active\n"        \
	"shared_from = olga\ncreated = 1700000000\n"
#define SHARED_KEY                                                                                 \
	"\n[device key]\ntype = ibkey\nlabel =\nlevel = 3\nstatus = active\n"                      \
	"shared_from = olga\ncreated = 1700000000\n"

static void load(struct fx *fx, const char *user, struct sls_user *u)
{
	assert_int_equal(sls_userdb_load_user(&fx->store, user, geteuid(), u, NULL), SLS_OK);
}

/* ---- the file ------------------------------------------------------------------------------- */

static void test_bare_round_trip(void **state)
{
	static const char text[] = "[user]\nphone =\nphone_verified = no\noptout = no\n"
				   "identity = Jane Doe\n" SHARED_PHONE SHARED_KEY;
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_diag diag = {0};
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(u);
	assert_int_equal(sls_user_parse(text, u, &diag), SLS_OK);
	assert_int_equal(u->ndevices, 2);
	assert_string_equal(u->devices[0].shared_from, "olga");
	assert_int_equal(u->devices[0].secret_len, 0);
	test_assert_zero(&u->devices[1].u, sizeof(u->devices[1].u));
	assert_int_equal(sls_user_format(u, &out, &len), SLS_OK);
	assert_string_equal(out, text); /* written back without keys of the type */
	sls_free_secret(out, len + 1);
	sls_user_clear(u);
	free(u);
}

static void refused(const char *devices, const char *msg)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_diag diag = {0};
	char text[1024];

	assert_non_null(u);
	snprintf(text, sizeof(text),
		 "[user]\nphone =\nphone_verified = no\noptout = no\n"
		 "identity =\n%s",
		 devices);
	assert_int_equal(sls_user_parse(text, u, &diag), SLS_ERR_FORMAT);
	if (strstr(diag.msg, msg) == NULL)
		fail_msg("'%s' does not say '%s'", diag.msg, msg);
	test_assert_zero(u, sizeof(*u));
	free(u);
}

static void test_bare_refusals(void **state)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	char *out = NULL;
	size_t len = 0;

	(void)state;
	refused("\n[device c]\ntype = card\nlabel =\nlevel = 1\nstatus = active\n"
		"shared_from = olga\ncreated = 1700000000\n",
		"a card device cannot be shared");
	refused("\n[device m]\ntype = sms\nlabel =\nlevel = 1\nstatus = active\n"
		"shared_from = olga\ncreated = 1700000000\n",
		"sms device cannot be shared");
	/* some keys of its type: then all of them */
	refused("\n[device k]\ntype = ibkey\nlabel =\nsecret = " KEY_B32 "\nlevel = 3\n"
		"status = active\nshared_from = olga\ncreated = 1700000000\n",
		"missing key 'suite'");
	/* the owner's record: names, distinct, at most 8, never on a shared device or a card */
	refused("\n[device k]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		"status = active\nshared_with = a,,b\ncreated = 1700000000\n",
		"not 1 to 8 distinct user names");
	refused("\n[device k]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		"status = active\nshared_with = a,b,a\ncreated = 1700000000\n",
		"not 1 to 8 distinct user names");
	refused("\n[device k]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		"status = active\nshared_with = a,b,c,d,e,f,g,h,i\ncreated = 1700000000\n",
		"not 1 to 8 distinct user names");
	refused("\n[device k]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		"status = active\nshared_with = ../x\ncreated = 1700000000\n",
		"not 1 to 8 distinct user names");
	refused("\n[device k]\ntype = totp\nlabel =\nlevel = 2\nstatus = active\n"
		"shared_from = olga\nshared_with = rita\ncreated = 1700000000\n",
		"not shared in turn");
	/* an own device still needs its keys */
	refused("\n[device k]\ntype = ibkey\nlabel =\nlevel = 3\nstatus = active\n"
		"created = 1700000000\n",
		"missing key");

	/* the serializer: no shared sms device, no half-bare one */
	assert_non_null(u);
	u->ndevices = 1;
	snprintf(u->devices[0].name, sizeof(u->devices[0].name), "m");
	snprintf(u->devices[0].shared_from, sizeof(u->devices[0].shared_from), "olga");
	u->devices[0].type = &sls_devtype_sms;
	u->devices[0].level = 1;
	u->devices[0].status = SLS_STATUS_ACTIVE;
	u->devices[0].created = 1700000000;
	assert_int_equal(sls_user_format(u, &out, &len), SLS_ERR_INVAL);
	u->devices[0].type = &sls_devtype_totp;
	u->devices[0].level = 2;
	assert_int_equal(sls_user_format(u, &out, &len), SLS_OK);
	sls_free_secret(out, len + 1);
	u->devices[0].u.totp.digits = 6; /* not bare, and no secret: invalid */
	assert_int_equal(sls_user_format(u, &out, &len), SLS_ERR_INVAL);
	free(u);
}

/* The owner's list: added once, up to 8, removed from any place. */
static void test_shared_with_list(void **state)
{
	struct sls_device *d = calloc(1, sizeof(*d));
	char name[8];

	(void)state;
	assert_non_null(d);
	assert_true(sls_share_with_ok(""));
	assert_false(sls_share_with_has(d, "rita"));
	assert_int_equal(sls_share_with_add(d, "rita"), SLS_OK);
	assert_int_equal(sls_share_with_add(d, "rita"), SLS_OK);
	assert_string_equal(d->shared_with, "rita");
	assert_int_equal(sls_share_with_add(d, "sam"), SLS_OK);
	assert_string_equal(d->shared_with, "rita,sam");
	assert_true(sls_share_with_has(d, "sam"));
	assert_false(sls_share_with_has(d, "sa"));
	assert_false(sls_share_with_has(d, "rit"));
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		assert_int_equal(sls_share_with_add(d, name), SLS_OK);
	}
	assert_true(sls_share_with_ok(d->shared_with));
	assert_int_equal(sls_share_with_add(d, "one-too-many"), SLS_ERR_TOOBIG);
	sls_share_with_remove(d, "rita");
	assert_string_equal(d->shared_with, "sam,u0,u1,u2,u3,u4,u5");
	sls_share_with_remove(d, "u5");
	sls_share_with_remove(d, "u2");
	sls_share_with_remove(d, "nobody");
	assert_string_equal(d->shared_with, "sam,u0,u1,u3,u4");
	free(d);
}

/* ---- the resolution ----------------------------------------------------------------------------
 */

static enum sls_rc resolve(struct fx *fx, const char *name, struct sls_device *out)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	enum sls_rc rc;

	assert_non_null(u);
	load(fx, "rita", u);
	rc = sls_share_resolve(&fx->store, geteuid(), "rita", u, sls_user_find_device(u, name),
			       time(NULL), out, NULL);
	sls_user_clear(u);
	free(u);
	return rc;
}

static void test_resolve(void **state)
{
	struct fx *fx = *state;
	struct sls_device live;
	uint8_t key[20];

	memcpy(key, "12345678901234567890", 20);
	put_user(fx, "rita", "Jane Doe", SHARED_PHONE SHARED_KEY);
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE); /* olga: no file */
	put_olga(fx, "Jane Doe", "active", "1700000000", PIN_A);
	assert_int_equal(resolve(fx, "phone", &live), SLS_OK);
	assert_int_equal(live.secret_len, 20);
	assert_memory_equal(live.secret, key, 20);
	assert_int_equal(live.u.totp.digits, 6);
	assert_string_equal(live.shared_from, "olga");
	assert_string_equal(live.name, "phone");
	assert_int_equal(resolve(fx, "key", &live), SLS_OK);
	assert_int_equal(live.u.ocra.pin_hash_len, 20);

	/* a PIN change keeps created: the shared device answers with the new PIN */
	put_olga(fx, "Jane Doe", "active", "1700000000", PIN_B);
	assert_int_equal(resolve(fx, "key", &live), SLS_OK);
	assert_int_equal(live.u.ocra.pin_hash[0], 0x01);

	/* what ends a share */
	put_olga(fx, "Jane Doe", "revoked", "1700000000", PIN_A);
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE);
	test_assert_zero(&live, sizeof(live));
	put_olga(fx, "Jane Doe", "active", "1700000001", PIN_A); /* transferred */
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE);
	put_olga(fx, "Jane Roe", "active", "1700000000", PIN_A);
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE);
	put_olga(fx, "", "active", "1700000000", PIN_A);
	put_user(fx, "rita", "", SHARED_PHONE);
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE); /* both empty: no match */
	put_user(fx, "olga", "Jane Doe",
		 "\n[device phone]\ntype = totp\nlabel =\nlevel = 2\nstatus = active\n"
		 "shared_from = sam\ncreated = 1700000000\n");
	put_user(fx, "rita", "Jane Doe", SHARED_PHONE);
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE); /* no chains */
	put_user(fx, "olga", "Jane Doe",
		 "\n[device phone]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		 "status = active\nexpires = 1700000500\nshared_with = rita\n"
		 "created = 1700000000\n");
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE); /* expired */
	/* the owner's file must name rita: one that does not (any more) ends it */
	put_user(fx, "olga", "Jane Doe",
		 "\n[device phone]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		 "status = active\nshared_with = sam\ncreated = 1700000000\n");
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE);
	put_user(fx, "olga", "Jane Doe",
		 "\n[device phone]\ntype = totp\nlabel =\nsecret = " KEY_B32 "\nlevel = 2\n"
		 "status = active\ncreated = 1700000000\n");
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_GONE);
	put(fx, "olga", "[user]\nphone = x\n");
	assert_int_equal(resolve(fx, "phone", &live), SLS_ERR_FORMAT);

	/* by name; and a device that is not shared */
	put_olga(fx, "Jane Doe", "active", "1700000000", PIN_A);
	assert_int_equal(sls_share_resolve_named(&fx->store, geteuid(), "rita",
						 &(struct sls_device){.shared_from = "olga",
								      .name = "phone",
								      .type = &sls_devtype_totp,
								      .created = 1700000000},
						 time(NULL), &live, NULL),
			 SLS_OK);
	assert_int_equal(live.secret_len, 20);
	assert_int_equal(sls_share_resolve_named(&fx->store, geteuid(), "rita",
						 &(struct sls_device){.name = "phone"}, time(NULL),
						 &live, NULL),
			 SLS_ERR_INVAL);
	sls_wipe(&live, sizeof(live));
}

/* ---- count before check and the login flow ----------------------------------------------------
 */

/* rita's login through the flow, with replies; the verdict. */
static enum sls_verdict login(struct fx *fx, const char *const *replies, size_t n)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_state *st = calloc(1, sizeof(*st));
	struct sls_outcome out;
	enum sls_verdict v;

	assert_non_null(u);
	assert_non_null(st);
	load(fx, "rita", u);
	assert_int_equal(sls_userdb_load_state(&fx->store, "rita", geteuid(), st, NULL), SLS_OK);
	script_ui(&fx->script, replies, n, &fx->ui);
	v = sls_flow_login(&fx->flow, u, st, &out);
	sls_user_clear(u);
	sls_state_clear(st);
	free(u);
	free(st);
	return v;
}

static size_t failures(struct fx *fx, const char *user)
{
	struct sls_state *st = calloc(1, sizeof(*st));
	size_t n;

	assert_non_null(st);
	assert_int_equal(sls_userdb_load_state(&fx->store, user, geteuid(), st, NULL), SLS_OK);
	n = st->nfailures;
	free(st);
	return n;
}

static void test_login(void **state)
{
	struct fx *fx = *state;
	char code[16];
	const char *right[] = {code}, *wrong[] = {"000000"};

	put_olga(fx, "Jane Doe", "active", "1700000000", PIN_A);
	put_user(fx, "rita", "Jane Doe", SHARED_PHONE);
	assert_int_equal(sls_totp(SLS_HASH_SHA1, (const uint8_t *)"12345678901234567890", 20,
				  time(NULL), 30, 6, code, sizeof(code)),
			 SLS_OK);
	if (strcmp(code, "000000") == 0)
		skip();
	assert_int_equal(login(fx, wrong, 1), SLS_VERDICT_WRONG);
	assert_string_equal(fx->script.prompts[0], "Verification code: ");
	assert_int_equal(failures(fx, "rita"), 1);
	assert_int_equal(failures(fx, "olga"), 0); /* its failures are the one who logs in's */
	assert_int_equal(login(fx, right, 1), SLS_VERDICT_SUCCESS);
	assert_int_equal(failures(fx, "rita"), 0);

	/* the owner revokes it: not offered, refused (not "no device": nullok must not apply) */
	put_olga(fx, "Jane Doe", "revoked", "1700000000", PIN_A);
	assert_int_equal(login(fx, right, 1), SLS_VERDICT_REFUSED);
	assert_int_equal(fx->script.nprompts, 0);
	assert_true(script_said(&fx->script, "None of your second factor devices"));
	assert_int_equal(failures(fx, "rita"), 0);
}

static void test_attempt_direct(void **state)
{
	struct fx *fx = *state;
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_outcome out;

	assert_non_null(u);
	put_olga(fx, "Jane Doe", "active", "1700000001", PIN_A); /* transferred */
	put_user(fx, "rita", "Jane Doe", SHARED_PHONE);
	load(fx, "rita", u);
	script_ui(&fx->script, (const char *const[]){"123456"}, 1, &fx->ui);
	/* as sls's proof asks a device it chose: the flow resolves it, or refuses unasked */
	assert_int_equal(sls_flow_attempt(&fx->flow, &u->devices[0], &out), SLS_VERDICT_REFUSED);
	assert_int_equal(fx->script.nprompts, 0);
	assert_true(script_said(&fx->script, "Device phone is shared from olga"));
	assert_int_equal(failures(fx, "rita"), 0);
	sls_user_clear(u);
	free(u);
}

static void test_pin_changed_meanwhile(void **state)
{
	struct fx *fx = *state;
	struct sls_device live;
	struct sls_attempt a;
	time_t until;

	put_olga(fx, "Jane Doe", "active", "1700000000", PIN_A);
	put_user(fx, "rita", "Jane Doe", SHARED_KEY);
	assert_int_equal(resolve(fx, "key", &live), SLS_OK);
	/* the owner changes the PIN between the resolution and the count */
	put_olga(fx, "Jane Doe", "active", "1700000000", PIN_B);
	assert_int_equal(
	    sls_attempt_begin(&fx->store, "rita", geteuid(), &fx->conf, &live, &a, &until, NULL),
	    SLS_ERR_GONE);
	assert_int_equal(failures(fx, "rita"), 0);
	assert_int_equal(resolve(fx, "key", &live), SLS_OK);
	assert_int_equal(
	    sls_attempt_begin(&fx->store, "rita", geteuid(), &fx->conf, &live, &a, &until, NULL),
	    SLS_OK);
	assert_int_equal(strlen(a.challenge), 6);
	assert_int_equal(failures(fx, "rita"), 1);
	/* an own device of rita's called key is not the shared one */
	put_user(fx, "rita", "Jane Doe",
		 "\n[device key]\ntype = ibkey\nlabel =\nsuite = " SLS_OCRA_DEFAULT_SUITE
		 "\nsecret = " KEY_B32 "\npin_hash = " PIN_B
		 "\nlevel = 3\nstatus = active\ncreated = 1700000000\n");
	assert_int_equal(
	    sls_attempt_begin(&fx->store, "rita", geteuid(), &fx->conf, &live, &a, &until, NULL),
	    SLS_ERR_GONE);
	sls_wipe(&live, sizeof(live));
	sls_wipe(&a, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bare_round_trip),
	    cmocka_unit_test(test_bare_refusals),
	    cmocka_unit_test(test_shared_with_list),
	    cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_login, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attempt_direct, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pin_changed_meanwhile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
