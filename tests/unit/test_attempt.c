/* pam_sls - count before check (common/attempt.c) and transactions (common/txn.c). */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "sls.h"

struct fx {
	char dir[PATH_MAX];
	struct sls_store store;
	struct sls_config conf;
	struct sls_user user;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char path[PATH_MAX + 16];

	if (fx == NULL)
		return -1;
	test_sandbox("sls-attempt", fx->dir, sizeof(fx->dir));
	snprintf(path, sizeof(path), "%s/store", fx->dir);
	if (sls_store_open(path, geteuid(), true, &fx->store) != SLS_OK)
		return -1;
	sls_config_defaults(&fx->conf);
	fx->conf.deny = 3;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	sls_store_close(&fx->store);
	test_remove_tree(fx->dir);
	sls_user_clear(&fx->user);
	free(fx);
	return 0;
}

/* alice with an ibkey "laptop" and a totp "phone", written through a transaction. */
static void save_user(struct fx *fx)
{
	struct sls_txn t;

	assert_int_equal(sls_txn_begin(&t, &fx->store, "alice", geteuid(), SLS_TXN_ALL, NULL),
			 SLS_OK);
	*t.user = fx->user;
	t.user_changed = true;
	assert_int_equal(sls_txn_commit(&t), SLS_OK);
	sls_txn_end(&t);
}

static void make_user(struct fx *fx)
{
	struct sls_device *k = &fx->user.devices[0], *p = &fx->user.devices[1];

	memset(&fx->user, 0, sizeof(fx->user));
	fx->user.ndevices = 2;
	snprintf(k->name, sizeof(k->name), "laptop");
	k->type = &sls_devtype_ibkey;
	assert_int_equal(sls_ocra_suite_parse(SLS_OCRA_DEFAULT_SUITE, &k->u.ocra.suite, NULL),
			 SLS_OK);
	assert_int_equal(sls_ocra_pin_hash(&k->u.ocra.suite, "4821", k->u.ocra.pin_hash,
					   &k->u.ocra.pin_hash_len),
			 SLS_OK);
	memset(k->secret, 0x11, 32);
	k->secret_len = 32;
	k->level = 3;
	k->status = SLS_STATUS_ACTIVE;
	k->created = 1700000000;
	snprintf(p->name, sizeof(p->name), "phone");
	p->type = &sls_devtype_totp;
	p->u.totp.hash = SLS_HASH_SHA1;
	p->u.totp.digits = 6;
	p->u.totp.period = 30;
	memset(p->secret, 0x22, 20);
	p->secret_len = 20;
	p->level = 2;
	p->status = SLS_STATUS_ACTIVE;
	p->created = 1700000000;
	save_user(fx);
}

static void load_state(struct fx *fx, struct sls_state *st)
{
	assert_int_equal(sls_userdb_load_state(&fx->store, "alice", geteuid(), st, NULL), SLS_OK);
}

static enum sls_rc begin(struct fx *fx, int dev, struct sls_attempt *a, time_t *until)
{
	return sls_attempt_begin(&fx->store, "alice", geteuid(), &fx->conf, &fx->user.devices[dev],
				 a, until, NULL);
}

static enum sls_rc succeed(struct fx *fx, int dev, const struct sls_attempt *a, uint64_t step,
			   time_t *until)
{
	return sls_attempt_succeed(&fx->store, "alice", geteuid(), &fx->user.devices[dev], a, step,
				   until, NULL);
}

static void test_counted_then_cleared(void **state)
{
	struct fx *fx = *state;
	struct sls_state *st = calloc(1, sizeof(*st));
	struct sls_attempt a;
	time_t until;

	make_user(fx);
	assert_int_equal(begin(fx, 0, &a, &until), SLS_OK);
	assert_int_equal(strlen(a.challenge), SLS_CHALLENGE_DIGITS);
	assert_int_equal(a.lock_set, 0);
	load_state(fx, st);
	assert_int_equal(st->nfailures, 1); /* on disk before any answer */
	assert_int_equal(succeed(fx, 0, &a, 0, &until), SLS_OK);
	load_state(fx, st);
	assert_int_equal(st->nfailures, 0);
	assert_string_equal(st->last_device, "laptop");
	assert_true(sls_device_state_used(sls_state_find(st, &fx->user.devices[0]),
					  (uint32_t)strtoul(a.challenge, NULL, 10)));
	sls_state_clear(st);
	free(st);
}

static void test_lock_rules(void **state)
{
	struct fx *fx = *state;
	struct sls_state *st = calloc(1, sizeof(*st));
	struct sls_attempt a, b, c;
	time_t until;

	make_user(fx);
	/* a wrong answer writes nothing more: the failures of step one stand */
	assert_int_equal(begin(fx, 0, &a, &until), SLS_OK);
	assert_int_equal(begin(fx, 0, &b, &until), SLS_OK);
	/* the deny-th attempt locks at once, and a right answer to it lifts its own lock */
	assert_int_equal(begin(fx, 0, &c, &until), SLS_OK);
	assert_true(c.lock_set > time(NULL));
	assert_int_equal(begin(fx, 1, &a, &until), SLS_ERR_LOCKED);
	assert_int_equal(until, c.lock_set);
	/* b, begun before the lock, may not lift a lock it did not set */
	assert_int_equal(succeed(fx, 0, &b, 0, &until), SLS_ERR_LOCKED);
	load_state(fx, st);
	assert_int_equal(st->nfailures, 3);
	assert_int_equal(succeed(fx, 0, &c, 0, &until), SLS_OK);
	load_state(fx, st);
	assert_int_equal(st->nfailures, 0);
	assert_int_equal(st->locked_until, 0);
	sls_state_clear(st);
	free(st);
}

static void test_device_gone(void **state)
{
	struct fx *fx = *state;
	struct sls_state *st = calloc(1, sizeof(*st));
	struct sls_attempt a;
	time_t until;

	make_user(fx);
	assert_int_equal(begin(fx, 0, &a, &until), SLS_OK);
	/* revoked while its prompt was open: the right answer is refused, the failure stays */
	fx->user.devices[0].status = SLS_STATUS_REVOKED;
	save_user(fx);
	fx->user.devices[0].status = SLS_STATUS_ACTIVE;
	assert_int_equal(succeed(fx, 0, &a, 0, &until), SLS_ERR_GONE);
	assert_int_equal(begin(fx, 0, &a, &until), SLS_ERR_GONE);
	load_state(fx, st);
	assert_int_equal(st->nfailures, 1);
	/* replaced by another secret under the same name */
	make_user(fx);
	fx->user.devices[0].secret[0] ^= 1;
	assert_int_equal(begin(fx, 0, &a, &until), SLS_ERR_GONE);
	/* its PIN changed (a new pin_hash) while the prompt was open */
	make_user(fx);
	assert_int_equal(begin(fx, 0, &a, &until), SLS_OK);
	fx->user.devices[0].u.ocra.pin_hash[0] ^= 1;
	save_user(fx);
	fx->user.devices[0].u.ocra.pin_hash[0] ^= 1;
	assert_int_equal(succeed(fx, 0, &a, 0, &until), SLS_ERR_GONE);
	/* past its expiry */
	make_user(fx);
	fx->user.devices[0].expires = time(NULL) - 1;
	save_user(fx);
	assert_int_equal(begin(fx, 0, &a, &until), SLS_ERR_GONE);
	sls_state_clear(st);
	free(st);
}

static void test_totp_replay(void **state)
{
	struct fx *fx = *state;
	struct sls_attempt a;
	time_t until;

	make_user(fx);
	assert_int_equal(begin(fx, 1, &a, &until), SLS_OK);
	assert_string_equal(a.challenge, "");
	assert_int_equal(a.not_before, 0);
	assert_int_equal(succeed(fx, 1, &a, 1000, &until), SLS_OK);
	assert_int_equal(begin(fx, 1, &a, &until), SLS_OK);
	assert_int_equal(a.not_before, 1000);
	assert_int_equal(succeed(fx, 1, &a, 1000, &until), SLS_ERR_MISMATCH);
}

static void test_txn_two_users(void **state)
{
	struct fx *fx = *state;
	struct sls_txn a, b;

	make_user(fx);
	assert_int_equal(
	    sls_txn_begin2(&a, "zed", &b, "alice", &fx->store, geteuid(), SLS_TXN_ALL, NULL),
	    SLS_OK);
	assert_false(a.user_exists);
	assert_true(b.user_exists);
	assert_int_equal(b.user->ndevices, 2);
	sls_txn_end(&a);
	sls_txn_end(&b);
	assert_int_equal(
	    sls_txn_begin2(&a, "alice", &b, "alice", &fx->store, geteuid(), SLS_TXN_ALL, NULL),
	    SLS_ERR_INVAL);
	assert_int_equal(sls_txn_begin(&a, &fx->store, "../x", geteuid(), SLS_TXN_ALL, NULL),
			 SLS_ERR_NAME);
	sls_txn_end(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_counted_then_cleared), T(test_lock_rules),    T(test_device_gone),
	    T(test_totp_replay),          T(test_txn_two_users),
#undef T
	};

	return cmocka_run_group_tests_name("count before check", tests, NULL, NULL);
}
