/*
 * pam_sls - tests of the scratch type (common/devtype/scratch.c): its keys
 * (the file format, round trips, every refusal) and its login hooks (the
 * codes right once, a used code refused at the prompt and, as a replay,
 * under the lock; none left: not asked).
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

#include "helpers.h"
#include "sls_scratch.h"
#include "sls_secret.h"

/*
 * The salt 00 01 .. 0f, and the tags of 12345678, 23456789 and 34567890
 * (HMAC-SHA-256 under the salt, the first 8 bytes). Lines: 7 section, 8
 * type, 9 label, 10 secret, 11 codes, 12 level, 13 status, 14 created.
 */
#define SALT  "AAAQEAYEAUDAOCAJBIFQYDIOB4"
#define TAG1  "e5110038a7ea8b22"
#define TAG2  "212517c172e23f45"
#define TAG3  "5a483419aaa9ba3b"
#define CODES TAG1 "," TAG2 "," TAG3
static const char golden[] = "[user]\n"
			     "phone =\n"
			     "phone_verified = no\n"
			     "optout = no\n"
			     "identity =\n"
			     "\n[device pad]\n"
			     "type = scratch\n"
			     "label = from google-authenticator\n"
			     "secret = " SALT "\n"
			     "codes = " CODES "\n"
			     "level = 1\n"
			     "status = active\n"
			     "created = 1763780000\n";

static const char *const three[] = {"12345678", "23456789", "34567890"};

/* ---- helpers ---------------------------------------------------------------- */

static struct sls_user *parse_ok(const char *text)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_diag diag = {0, ""};
	enum sls_rc rc;

	assert_non_null(u);
	rc = sls_user_parse(text, u, &diag);
	if (rc != SLS_OK)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, SLS_OK);
	return u;
}

static void reject(const char *text, int line)
{
	struct sls_user *u = malloc(sizeof(*u));
	struct sls_diag diag = {-1, ""};
	enum sls_rc rc;

	assert_non_null(u);
	memset(u, 0xa5, sizeof(*u));
	rc = sls_user_parse(text, u, &diag);
	if (rc != SLS_ERR_FORMAT || diag.line != line)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, SLS_ERR_FORMAT);
	assert_int_equal(diag.line, line);
	assert_null(strstr(diag.msg, TAG1)); /* no value in a message */
	test_assert_zero(u, sizeof(*u));
	free(u);
}

static void reject_edit(int at, const char *text, enum edit_mode mode, int line)
{
	char *t = test_edit(golden, at, text, mode);

	reject(t, line);
	free(t);
}

static void accept_edit(int at, const char *text, enum edit_mode mode)
{
	char *t = test_edit(golden, at, text, mode);
	struct sls_user *u = parse_ok(t);

	sls_user_clear(u);
	free(u);
	free(t);
}

static char *format_ok(const struct sls_user *u)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(sls_user_format(u, &text, &len), SLS_OK);
	assert_int_equal(strlen(text), len);
	return text;
}

/* A user with one scratch device "pad" taking codes. */
static struct sls_user *user_with(const char *const *codes, size_t n)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_device *d;

	assert_non_null(u);
	d = &u->devices[u->ndevices++];
	snprintf(d->name, sizeof(d->name), "pad");
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1763780000;
	assert_int_equal(sls_scratch_new(d, codes, n), SLS_OK);
	return u;
}

/* ---- the file ----------------------------------------------------------------- */

static void test_golden(void **state)
{
	struct sls_user *u = parse_ok(golden);
	const struct sls_device *d = &u->devices[0];
	char *text;

	(void)state;
	assert_ptr_equal(d->type, &sls_devtype_scratch);
	assert_int_equal(d->level, 1);
	assert_int_equal(d->secret_len, SLS_SCRATCH_SALT_LEN);
	for (int i = 0; i < SLS_SCRATCH_SALT_LEN; i++)
		assert_int_equal(d->secret[i], i);
	assert_int_equal(d->u.scratch.ncodes, 3);
	assert_int_equal(d->u.scratch.tags[0][0], 0xe5);
	assert_int_equal(d->u.scratch.tags[2][7], 0x3b);
	test_assert_zero(d->u.scratch.tags[3], sizeof(d->u.scratch.tags[3]) * 7);
	text = format_ok(u);
	assert_string_equal(text, golden);
	sls_free_secret_str(text);
	sls_user_clear(u);
	free(u);
}

/* A new device's tags are the codes' HMACs under its salt; no code is in the text. */
static void test_new_round_trip(void **state)
{
	static const char *const ten[] = {"10000000", "20000000", "30000000", "40000000",
					  "50000000", "60000000", "70000000", "80000000",
					  "90000000", "01234567"};
	struct sls_user *u = user_with(ten, 10), *back;
	const struct sls_device *d = &u->devices[0];
	uint8_t mac[SLS_HASH_MAX];
	size_t maclen = 0;
	char *text;

	(void)state;
	assert_int_equal(d->u.scratch.ncodes, 10);
	for (size_t i = 0; i < 10; i++) {
		assert_int_equal(sls_hmac(SLS_HASH_SHA256, d->secret, d->secret_len,
					  (const uint8_t *)ten[i], 8, mac, &maclen),
				 SLS_OK);
		assert_memory_equal(d->u.scratch.tags[i], mac, SLS_SCRATCH_TAG_LEN);
	}
	text = format_ok(u);
	for (size_t i = 0; i < 10; i++)
		assert_null(strstr(text, ten[i]));
	/* ten tags fit one line of the file (196 bytes) */
	assert_non_null(strstr(text, "\ncodes = "));
	assert_true(strcspn(strstr(text, "\ncodes = ") + 1, "\n") <= 196);
	back = parse_ok(text);
	assert_true(sls_device_unchanged(&back->devices[0], d));
	assert_memory_equal(back, u, sizeof(*u));
	/* a second device of the same codes has another salt, so other tags */
	sls_user_clear(back);
	free(back);
	back = user_with(ten, 10);
	assert_memory_not_equal(back->devices[0].secret, d->secret, SLS_SCRATCH_SALT_LEN);
	assert_memory_not_equal(back->devices[0].u.scratch.tags[0], d->u.scratch.tags[0],
				SLS_SCRATCH_TAG_LEN);
	sls_free_secret_str(text);
	sls_user_clear(back);
	sls_user_clear(u);
	free(back);
	free(u);
}

static void test_reject_keys(void **state)
{
	(void)state;
	accept_edit(11, "codes = " TAG1, REPLACE); /* one code will do */
	reject_edit(11, NULL, DELETE, 7);          /* codes missing */
	reject_edit(10, NULL, DELETE, 7);          /* the salt missing */
	/* the salt: 16 bytes, base32 */
	reject_edit(10, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", REPLACE, 10);
	reject_edit(10, "secret = AAAQEAYEAUDAOCAJBIFQYDIOB4AA", REPLACE, 10);
	reject_edit(10, "secret = aaaqeayeaudaocajbifqydiob4", REPLACE, 10);
	/* the tags: 16 lower-case hex digits each, 1 to 10, distinct, nothing else */
	reject_edit(11, "codes =", REPLACE, 11);
	reject_edit(11, "codes = E5110038A7EA8B22", REPLACE, 11);
	reject_edit(11, "codes = e5110038a7ea8b2", REPLACE, 11);
	reject_edit(11, "codes = e5110038a7ea8b223", REPLACE, 11);
	reject_edit(11, "codes = e5110038a7ea8b2g", REPLACE, 11);
	reject_edit(11, "codes = " CODES ",", REPLACE, 11);
	reject_edit(11, "codes = ," CODES, REPLACE, 11);
	reject_edit(11, "codes = " TAG1 ",," TAG2, REPLACE, 11);
	reject_edit(11, "codes = " TAG1 ", " TAG2, REPLACE, 11);
	reject_edit(11, "codes = " TAG1 ";" TAG2, REPLACE, 11);
	reject_edit(11, "codes = " TAG1 "," TAG2 "," TAG1, REPLACE, 11);
	accept_edit(11,
		    "codes = " CODES ",0000000000000001,0000000000000002,0000000000000003,"
		    "0000000000000004,0000000000000005,0000000000000006,0000000000000007",
		    REPLACE);
	reject_edit(11,
		    "codes = " CODES ",0000000000000001,0000000000000002,0000000000000003,"
		    "0000000000000004,0000000000000005,0000000000000006,0000000000000007,"
		    "0000000000000008",
		    REPLACE, 11);
	/* keys of other types */
	reject_edit(11, "suite = TOTP-SHA1-6-30", INSERT, 11);
	reject_edit(11, "login_until = 1763952000", INSERT, 11);
	reject_edit(11, "pin_hash = 7110eda4d09e062aa5e4a390b0a572ac0d2c0220", INSERT, 11);
	/* its level is 1 */
	reject_edit(12, "level = 2", REPLACE, 12);
}

static void test_new_refuses(void **state)
{
	static const char *const eleven[] = {"10000000", "20000000", "30000000", "40000000",
					     "50000000", "60000000", "70000000", "80000000",
					     "90000000", "11111111", "22222222"};
	static const char *const seven[] = {"1234567"}, *const nine[] = {"123456789"};
	static const char *const letter[] = {"1234567a"}, *const twice[] = {"12345678", "12345678"};
	struct sls_device d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(sls_scratch_new(&d, three, 0), SLS_ERR_INVAL);
	assert_int_equal(sls_scratch_new(&d, eleven, 11), SLS_ERR_INVAL);
	assert_int_equal(sls_scratch_new(&d, seven, 1), SLS_ERR_INVAL);
	assert_int_equal(sls_scratch_new(&d, nine, 1), SLS_ERR_INVAL);
	assert_int_equal(sls_scratch_new(&d, letter, 1), SLS_ERR_INVAL);
	assert_int_equal(sls_scratch_new(&d, twice, 2), SLS_ERR_INVAL);
	test_assert_zero(&d, sizeof(d));
	assert_int_equal(sls_scratch_new(&d, eleven, 10), SLS_OK);
}

/* What the parser would refuse, the writer refuses to write. */
static void test_format_refuses(void **state)
{
	struct sls_user *u = user_with(three, 3);
	struct sls_device *d = &u->devices[0];
	char *text = NULL;
	size_t len = 0;

	(void)state;
	d->u.scratch.ncodes = 0;
	assert_int_equal(sls_user_format(u, &text, &len), SLS_ERR_INVAL);
	d->u.scratch.ncodes = 2; /* the third tag is left: not zero past ncodes */
	assert_int_equal(sls_user_format(u, &text, &len), SLS_ERR_INVAL);
	d->u.scratch.ncodes = 3;
	memcpy(d->u.scratch.tags[2], d->u.scratch.tags[0], SLS_SCRATCH_TAG_LEN);
	assert_int_equal(sls_user_format(u, &text, &len), SLS_ERR_INVAL);
	sls_user_clear(u);
	free(u);
	u = user_with(three, 3);
	u->devices[0].secret_len = 20;
	assert_int_equal(sls_user_format(u, &text, &len), SLS_ERR_INVAL);
	assert_null(text);
	sls_user_clear(u);
	free(u);
}

/* ---- a login ---------------------------------------------------------------- */

struct login {
	struct sls_user *u;
	struct sls_device_state ds;
	struct script script;
	struct sls_ui ui;
};

/* prepare (with the state ds), then the prompt answered with reply: attempt's code. */
static enum sls_rc ask(struct login *l, const char *reply, uint64_t *step)
{
	const struct sls_device *d = &l->u->devices[0];
	const char *const replies[] = {reply};
	struct sls_hookctx ctx = {.ds = &l->ds};
	struct sls_ask a = {.ui = &l->ui};
	struct sls_attempt at;
	enum sls_rc rc;

	memset(&at, 0, sizeof(at));
	script_ui(&l->script, replies, 1, &l->ui);
	rc = d->type->prepare(d, &ctx, &at);
	if (rc != SLS_OK)
		return rc;
	rc = d->type->attempt(d, &at, &a, step);
	assert_int_equal(l->script.nprompts, 1);
	assert_string_equal(l->script.prompts[0], "Scratch code: ");
	return rc;
}

/* A right answer recorded under the lock (a replay: SLS_ERR_MISMATCH). */
static enum sls_rc record(struct login *l, uint64_t step)
{
	struct sls_state st;
	struct sls_attempt at;

	memset(&st, 0, sizeof(st));
	memset(&at, 0, sizeof(at));
	return l->u->devices[0].type->record(&l->u->devices[0], &st, &l->ds, &at, step);
}

static void test_codes_once(void **state)
{
	struct login l = {.u = parse_ok(golden)};
	const struct sls_device *d = &l.u->devices[0];
	uint64_t step = 99;

	(void)state;
	assert_int_equal(sls_scratch_left(d, NULL), 3);
	/* wrong, short, long, letters: no match, step 0 */
	assert_int_equal(ask(&l, "87654321", &step), SLS_ERR_MISMATCH);
	assert_int_equal(step, 0);
	assert_int_equal(ask(&l, "1234567", &step), SLS_ERR_MISMATCH);
	assert_int_equal(ask(&l, "123456789", &step), SLS_ERR_MISMATCH);
	assert_int_equal(ask(&l, "1234567x", &step), SLS_ERR_MISMATCH);
	assert_int_equal(ask(&l, "", &step), SLS_ERR_MISMATCH);
	/* the second code, typed with a dash: its place + 1 */
	assert_int_equal(ask(&l, "2345-6789", &step), SLS_OK);
	assert_int_equal(step, 2);
	assert_int_equal(record(&l, step), SLS_OK);
	assert_int_equal(l.ds.nused, 1);
	assert_int_equal(l.ds.used[0], 1);
	assert_int_equal(sls_scratch_left(d, &l.ds), 2);
	/* a concurrent login with the same code, recorded later: a replay */
	assert_int_equal(record(&l, step), SLS_ERR_MISMATCH);
	assert_int_equal(l.ds.nused, 1);
	/* the used code is refused at the prompt */
	assert_int_equal(ask(&l, "23456789", &step), SLS_ERR_MISMATCH);
	assert_int_equal(step, 0);
	/* the others still work, each once */
	assert_int_equal(ask(&l, "34567890", &step), SLS_OK);
	assert_int_equal(step, 3);
	assert_int_equal(record(&l, step), SLS_OK);
	assert_int_equal(ask(&l, "12345678", &step), SLS_OK);
	assert_int_equal(step, 1);
	assert_int_equal(record(&l, step), SLS_OK);
	assert_int_equal(sls_scratch_left(d, &l.ds), 0);
	/* none left: not asked at all */
	l.script.nprompts = 0;
	{
		struct sls_hookctx ctx = {.ds = &l.ds};
		struct sls_attempt at;

		memset(&at, 0, sizeof(at));
		assert_int_equal(d->type->prepare(d, &ctx, &at), SLS_ERR_GONE);
	}
	/* record refuses what attempt never gives */
	assert_int_equal(record(&l, 0), SLS_ERR_MISMATCH);
	assert_int_equal(record(&l, 4), SLS_ERR_MISMATCH);
	sls_user_clear(l.u);
	free(l.u);
}

/* The used codes live in the state file, and come back from it. */
static void test_used_in_state_file(void **state)
{
	struct sls_user *u = parse_ok(golden);
	struct sls_state *st = calloc(1, sizeof(*st)), *back = calloc(1, sizeof(*back));
	struct sls_attempt at;
	struct sls_device_state *ds;
	struct sls_diag diag = {0, ""};
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(st);
	assert_non_null(back);
	memset(&at, 0, sizeof(at));
	assert_int_equal(sls_state_note_success(st, &u->devices[0], &at, 3, 1763780100), SLS_OK);
	assert_int_equal(sls_state_note_success(st, &u->devices[0], &at, 3, 1763780200),
			 SLS_ERR_MISMATCH);
	assert_int_equal(sls_state_format(st, &text, &len), SLS_OK);
	assert_int_equal(sls_state_parse(text, back, &diag), SLS_OK);
	ds = sls_state_device(back, &u->devices[0]);
	assert_non_null(ds);
	assert_int_equal(sls_scratch_left(&u->devices[0], ds), 2);
	assert_int_equal(sls_device_state_used(ds, 2), true);
	sls_free_secret(text, len + 1);
	sls_user_clear(u);
	free(u);
	free(st);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_new_round_trip),
	    cmocka_unit_test(test_reject_keys),
	    cmocka_unit_test(test_new_refuses),
	    cmocka_unit_test(test_format_refuses),
	    cmocka_unit_test(test_codes_once),
	    cmocka_unit_test(test_used_in_state_file),
	};

	return cmocka_run_group_tests_name("common: scratch codes", tests, NULL, NULL);
}
