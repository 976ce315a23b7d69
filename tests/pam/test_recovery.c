/*
 * Recovery devices through real libpam: security code cards (two positions in
 * one prompt, never the same pair twice in a row, a new card replacing the
 * old, the online card's days) and temporary passcodes (their login days,
 * then sls card print only, then nothing), with the clock stopped by
 * libfaketime one second before and at each boundary.
 */
#include "config.h"

#include <limits.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "pamtest_env.h"
#include "sls_card.h"

#define DAY 86400

static struct conv_log lg;

/* The positions a card prompt asks; fails the test for any other prompt. */
static void card_prompt(const char *prompt, unsigned *p, unsigned *q)
{
	regex_t re;
	regmatch_t m[4];
	char id[16];

	assert_int_equal(regcomp(&re,
				 "^Security code card ([0-9]{4}-[0-9]{4}): enter the codes at "
				 "positions ([0-9]+) and ([0-9]+): $",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regexec(&re, prompt, 4, m, 0), 0);
	regfree(&re);
	snprintf(id, sizeof(id), "%.*s", (int)(m[1].rm_eo - m[1].rm_so), prompt + m[1].rm_so);
	*p = (unsigned)atoi(prompt + m[2].rm_so);
	*q = (unsigned)atoi(prompt + m[3].rm_so);
	assert_true(*p >= 1 && *p <= 100 && *q >= 1 && *q <= 100 && *p != *q);
}

/* The id and code at position p of the test card (ENV_CARD: its key is the totp key). */
static void test_card(struct sls_device *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->secret, "12345678901234567890", 20);
	d->secret_len = 20;
}

static int card_code(unsigned p)
{
	struct sls_device d;
	char code[8];

	test_card(&d);
	assert_int_equal(sls_card_code(&d, p, code, sizeof(code)), SLS_OK);
	return atoi(code);
}

/* A login at the epoch time when (the clock stopped there). */
static int login_frozen(const char *user, time_t when, const char *answers)
{
	char at[32];

	snprintf(at, sizeof(at), "=%lld", (long long)when);
	return env_login_at("sls", at, user, answers, &lg);
}

/* ---- security code cards ----------------------------------------------------------------- */

static void test_card_login(void **state)
{
	const struct answer a[] = {A(ANS_CARD), END};
	struct sls_device d;
	char id[16], want[64];
	unsigned p, q;

	(void)state;
	env_user("cid", ENV_CARD);
	assert_int_equal(env_login("sls", "cid", a, &lg), PAM_SUCCESS);
	assert_int_equal(lg.nprompts, 1);
	card_prompt(lg.prompts[0], &p, &q);
	test_card(&d);
	assert_int_equal(sls_card_id(&d, id, sizeof(id)), SLS_OK);
	snprintf(want, sizeof(want), "Security code card %s: ", id);
	assert_memory_equal(lg.prompts[0], want, strlen(want));
	assert_int_equal(env_failures("cid"), 0);
}

static void test_card_wrong_order(void **state)
{
	const struct answer a[] = {A(ANS_CARD_SWAP), END};
	int rc;
	unsigned p, q;

	(void)state;
	for (int i = 0; i < 5; i++) {
		env_user("cora", ENV_CARD);
		rc = env_login("sls", "cora", a, &lg);
		card_prompt(lg.prompts[0], &p, &q);
		if (card_code(p) == card_code(q)) { /* 1 in 1000: the order cannot show */
			assert_int_equal(rc, PAM_SUCCESS);
			continue;
		}
		assert_int_equal(rc, PAM_AUTH_ERR);
		assert_int_equal(env_failures("cora"), 1);
	}
}

static void test_card_of_another_card(void **state)
{
	const struct answer a[] = {A(ANS_CARD_OTHER), END};
	const struct answer one[] = {T("123"), END};
	const struct answer seven[] = {T("1234567"), END};

	(void)state;
	env_user("cole", ENV_CARD);
	assert_int_equal(env_login("sls", "cole", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("cole"), 1);
	/* one code, or one digit too many: wrong, and counted */
	assert_int_equal(env_login("sls", "cole", one, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_failures("cole"), 2);
	/* the third failure locks (the sandbox's deny = 3) */
	assert_int_equal(env_login("sls", "cole", seven, &lg), PAM_MAXTRIES);
	assert_int_equal(env_failures("cole"), 3);
}

/* The same pair (in either order) is never asked twice in a row; the state keeps the last. */
static void test_card_pair_not_repeated(void **state)
{
	const struct answer right[] = {A(ANS_CARD), END};
	const struct answer wrong[] = {T("000 000"), END};
	unsigned p = 0, q = 0, lp = 0, lq = 0;
	struct sls_state *st = calloc(1, sizeof(*st));

	(void)state;
	assert_non_null(st);
	env_user("cary", ENV_CARD);
	for (int i = 0; i < 300; i++) {
		/* a wrong answer now and then: the pair it was asked counts as asked too */
		int rc = env_login("sls", "cary", i % 7 == 3 ? wrong : right, &lg);

		card_prompt(lg.prompts[0], &p, &q);
		assert_false((p == lp && q == lq) || (p == lq && q == lp));
		if (i % 7 != 3)
			assert_int_equal(rc, PAM_SUCCESS);
		lp = p;
		lq = q;
	}
	assert_true(env_state("cary", st));
	assert_int_equal(st->ndevices, 1);
	assert_int_equal(st->devices[0].card_pair[0], p);
	assert_int_equal(st->devices[0].card_pair[1], q);
	free(st);
}

static void test_card_level(void **state)
{
	const struct answer a[] = {A(ANS_CARD), END};

	(void)state;
	env_user("clem", ENV_CARD | ENV_TEMPCODE);
	assert_int_equal(env_login("sls-l3", "clem", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "level 3 or higher"));
	assert_int_equal(env_failures("clem"), 0);
}

/*
 * sls card print makes a new card: the text it prints has the codes the login
 * asks, and the old card no longer works.
 */
static void test_new_card_replaces_old(void **state)
{
	/* a user passwd knows: sls --user takes no other */
	char sls[] = SLS_PATH, opt[] = "--conf", conf[PATH_MAX], uopt[] = "--user",
	     user[] = "daemon", verb[] = "card", sub[] = "print", out[] = "--output",
	     file[PATH_MAX];
	char *const argv[] = {sls, opt, conf, uopt, user, verb, sub, out, file, NULL};
	const struct answer old[] = {A(ANS_CARD), END};
	struct answer printed[] = {{ANS_CARD_FILE, file}, END};
	char *text;

	(void)state;
	if (geteuid() != 0) { /* sls --user is root's */
		print_message("# not root: sls card print --user cannot run\n");
		return;
	}
	env_user("daemon", ENV_CARD);
	snprintf(conf, sizeof(conf), "%s/sls.conf", env_dir());
	snprintf(file, sizeof(file), "%s/daemon-card.txt", env_dir());
	unlink(file);
	assert_int_equal(env_run(argv), 0);
	text = test_slurp(file);
	assert_non_null(strstr(text, "Security code card "));
	assert_non_null(strstr(text, "No expiry"));
	free(text);
	assert_int_equal(env_login("sls", "daemon", old, &lg), PAM_AUTH_ERR);
	assert_int_equal(env_login("sls", "daemon", printed, &lg), PAM_SUCCESS);
	assert_int_equal(env_login("sls", "daemon", printed, &lg), PAM_SUCCESS);
	/* an existing file is never overwritten, and no card is made */
	assert_int_equal(env_run(argv), 3);
	assert_int_equal(env_login("sls", "daemon", printed, &lg), PAM_SUCCESS);
	unlink(file);
}

/* An online card works online_days (21) from when it was made, not a second more. */
static void test_online_card_days(void **state)
{
	time_t t0;

	(void)state;
	env_user("cody", ENV_CARD_ONLINE);
	t0 = env_issued();
	assert_int_equal(login_frozen("cody", t0 + 21 * DAY - 1, "card"), PAM_SUCCESS);
	assert_int_equal(login_frozen("cody", t0 + 21 * DAY, "card"), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "has expired"));
}

/* ---- temporary passcodes -------------------------------------------------------------------- */

/* "ABCD-EFGH-JKMN" as a user may type it: "abcd efgh jkmn". */
static void as_typed(const char *code, char *out, size_t size)
{
	size_t i;

	for (i = 0; code[i] != '\0' && i + 1 < size; i++)
		out[i] =
		    code[i] == '-'
			? ' '
			: (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
	out[i] = '\0';
}

static void test_tempcode_login(void **state)
{
	char typed[32];
	const struct answer right[] = {T(typed), END};
	const struct answer wrong[] = {T("ABCD-EFGH-JKMN"), END};

	(void)state;
	env_user("tess", ENV_TEMPCODE);
	assert_int_equal(strlen(env_tempcode()), 14);
	assert_int_equal(strcspn(env_tempcode(), "0O1IL"), 14); /* nothing to misread */
	assert_int_equal(env_login("sls", "tess", wrong, &lg), PAM_AUTH_ERR);
	assert_string_equal(lg.prompts[0], "Temporary passcode: ");
	assert_int_equal(env_failures("tess"), 1);
	as_typed(env_tempcode(), typed, sizeof(typed));
	assert_int_equal(env_login("sls", "tess", right, &lg), PAM_SUCCESS);
	assert_int_equal(env_failures("tess"), 0);
	/* nothing of the code reaches the journal's text or a message */
	for (int i = 0; i < lg.nerrors; i++)
		assert_null(strstr(lg.errors[i], env_tempcode()));
}

/*
 * full_days (2): logs in; then card_days (10): refused at a login, counted, and
 * told what it is still good for; then expired.
 */
static void test_tempcode_days(void **state)
{
	char answer[32];
	time_t t0;

	(void)state;
	env_user("tim", ENV_TEMPCODE);
	t0 = env_issued();
	snprintf(answer, sizeof(answer), "%s", env_tempcode());
	assert_int_equal(login_frozen("tim", t0 + 2 * DAY - 1, answer), PAM_SUCCESS);
	assert_int_equal(login_frozen("tim", t0 + 2 * DAY, answer), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_true(env_said(&lg, "This temporary passcode no longer logs you in"));
	assert_true(env_said(&lg, "accepted only by \"sls card print\""));
	assert_int_equal(env_failures("tim"), 1);
	assert_int_equal(login_frozen("tim", t0 + 12 * DAY - 1, answer), PAM_AUTH_ERR);
	assert_true(env_said(&lg, "only by \"sls card print\""));
	assert_int_equal(env_failures("tim"), 1); /* counted: the earlier one left the window */
	/* a wrong code in those days is just wrong: no word on what the right one could do */
	assert_int_equal(login_frozen("tim", t0 + 5 * DAY, "ABCD-EFGH-JKMN"), PAM_AUTH_ERR);
	assert_false(env_said(&lg, "sls card print"));
	assert_int_equal(login_frozen("tim", t0 + 12 * DAY, answer), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_true(env_said(&lg, "has expired"));
}

/* A prompt opened in the login days and answered after them logs nothing in. */
static void test_tempcode_prompt_left_open(void **state)
{
	char at[32], answer[40];

	(void)state;
	env_user("tia", ENV_TEMPCODE);
	snprintf(at, sizeof(at), "@%lld", (long long)(env_issued() + 2 * DAY - 1));
	snprintf(answer, sizeof(answer), "slow:%s", env_tempcode());
	assert_int_equal(env_login_at("sls", at, "tia", answer, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 1);
	assert_int_equal(env_failures("tia"), 1);
}

/* The menu says what each is still good for. */
static void test_tempcode_in_menu(void **state)
{
	const struct answer pick[] = {T("2"), T("wrong"), END};

	(void)state;
	env_user("tara", ENV_IBKEY | ENV_TEMPCODE);
	assert_int_equal(env_login("sls", "tara", pick, &lg), PAM_AUTH_ERR);
	assert_non_null(strstr(lg.prompts[0], " 2) tempcode (logs in until "));
	assert_int_equal(login_frozen("tara", env_issued() + 3 * DAY, "2,wrong"), PAM_AUTH_ERR);
	assert_non_null(strstr(lg.prompts[0], " 2) tempcode (only for sls card print)"));
}

static void test_tempcode_level(void **state)
{
	char answer[32];
	const struct answer a[] = {T(answer), END};

	(void)state;
	env_user("tod", ENV_TEMPCODE);
	snprintf(answer, sizeof(answer), "%s", env_tempcode());
	assert_int_equal(env_login("sls-l3", "tod", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
	assert_int_equal(env_login("sls-totp", "tod", a, &lg), PAM_AUTH_ERR);
	assert_int_equal(lg.nprompts, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_card_login),
	    cmocka_unit_test(test_card_wrong_order),
	    cmocka_unit_test(test_card_of_another_card),
	    cmocka_unit_test(test_card_pair_not_repeated),
	    cmocka_unit_test(test_card_level),
	    cmocka_unit_test(test_new_card_replaces_old),
	    cmocka_unit_test(test_online_card_days),
	    cmocka_unit_test(test_tempcode_login),
	    cmocka_unit_test(test_tempcode_days),
	    cmocka_unit_test(test_tempcode_prompt_left_open),
	    cmocka_unit_test(test_tempcode_in_menu),
	    cmocka_unit_test(test_tempcode_level),
	};

	env_init(argc, argv);
	env_child(argc, argv);
	return cmocka_run_group_tests_name("recovery devices through libpam", tests, NULL, NULL);
}
