/* pam_sls - tests of the state file and of failure counting. */
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
#include "sls_attempt.h"
#include "sls_secret.h"
#include "sls_state.h"

#define HASH64 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* 1 [state], 2 failures, 3 locked_until, 4 last_device, 5 sms_sent, 6 sms_expires,
 * 7 sms_code_hash, 8 blank, 9 [device laptop], 10 totp_last_step, 11 last_used,
 * 12 blank, 13 [device phone], 14 totp_last_step, 15 last_used */
static const char state_text[] = "[state]\n"
				 "failures = 1763780000,1763780005,1763780005\n"
				 "locked_until = 0\n"
				 "last_device = laptop\n"
				 "sms_sent = 1763780100\n"
				 "sms_expires = 1763780400\n"
				 "sms_code_hash = " HASH64 "\n"
				 "\n"
				 "[device laptop]\n"
				 "totp_last_step = 0\n"
				 "last_used = 1763780200\n"
				 "\n"
				 "[device phone]\n"
				 "totp_last_step = 58792674\n"
				 "last_used = 1763780220\n";

/* ---- helpers ---------------------------------------------------------------- */

/* A device called name, created at created (what the state's identity rules look at). */
static const struct sls_device *dev_at(const char *name, time_t created)
{
	static struct sls_device d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	d.created = created;
	return &d;
}

static const struct sls_device *dev(const char *name)
{
	return dev_at(name, 1700000000);
}

static void reject(const char *text, int line)
{
	struct sls_state *s = malloc(sizeof(*s));
	struct sls_diag diag = {-1, ""};
	enum sls_rc rc;

	assert_non_null(s);
	memset(s, 0xa5, sizeof(*s));
	rc = sls_state_parse(text, s, &diag);
	if (rc != SLS_ERR_FORMAT || diag.line != line)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, SLS_ERR_FORMAT);
	assert_int_equal(diag.line, line);
	assert_true(diag.msg[0] != '\0');
	assert_null(strstr(diag.msg, HASH64));
	test_assert_zero(s, sizeof(*s));
	free(s);
}

static void reject_edit(const char *base, int at, const char *text, enum edit_mode mode, int line)
{
	char *t = test_edit(base, at, text, mode);

	reject(t, line);
	free(t);
}

static void accept(const char *text, struct sls_state *s)
{
	struct sls_diag diag = {0, ""};
	enum sls_rc rc = sls_state_parse(text, s, &diag);

	if (rc != SLS_OK)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, SLS_OK);
}

static void accept_edit(const char *base, int at, const char *text, enum edit_mode mode)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	char *t = test_edit(base, at, text, mode);

	assert_non_null(s);
	accept(t, s);
	free(t);
	free(s);
}

static void assert_states_equal(const struct sls_state *a, const struct sls_state *b)
{
	assert_int_equal(a->nfailures, b->nfailures);
	for (size_t i = 0; i < a->nfailures; i++)
		assert_int_equal(a->failures[i], b->failures[i]);
	assert_int_equal(a->locked_until, b->locked_until);
	assert_string_equal(a->last_device, b->last_device);
	assert_memory_equal(&a->sms, &b->sms, sizeof(a->sms));
	assert_string_equal(a->phone_pending, b->phone_pending);
	assert_memory_equal(&a->phone, &b->phone, sizeof(a->phone));
	assert_int_equal(a->ndevices, b->ndevices);
	for (size_t i = 0; i < a->ndevices; i++) {
		assert_string_equal(a->devices[i].name, b->devices[i].name);
		assert_int_equal(a->devices[i].totp_last_step, b->devices[i].totp_last_step);
		assert_int_equal(a->devices[i].last_used, b->devices[i].last_used);
	}
	assert_memory_equal(a, b, sizeof(*a));
}

static void round_trip(const struct sls_state *s)
{
	struct sls_state *back = calloc(1, sizeof(*back));
	char *text = NULL;
	size_t len;

	assert_non_null(back);
	assert_int_equal(sls_state_format(s, &text, &len), SLS_OK);
	assert_int_equal(strlen(text), len);
	accept(text, back);
	assert_states_equal(s, back);
	sls_free_secret(text, len + 1);
	free(back);
}

/* ---- parse and format ------------------------------------------------------- */

static void test_parse_sample(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	char *text;
	size_t len;

	(void)state;
	accept(state_text, s);
	assert_int_equal(s->nfailures, 3);
	assert_int_equal(s->failures[0], 1763780000);
	assert_int_equal(s->failures[2], 1763780005);
	assert_string_equal(s->last_device, "laptop");
	assert_int_equal(s->sms.sent, 1763780100);
	assert_int_equal(s->sms.expires, 1763780400);
	assert_true(s->sms.pending);
	assert_int_equal(s->sms.hash[0], 0x9f);
	assert_int_equal(s->sms.hash[31], 0x08);
	assert_int_equal(s->ndevices, 2);
	assert_string_equal(s->devices[1].name, "phone");
	assert_int_equal(s->devices[1].totp_last_step, 58792674);
	assert_int_equal(s->devices[1].last_used, 1763780220);
	/* the text is the format */
	assert_int_equal(sls_state_format(s, &text, &len), SLS_OK);
	assert_string_equal(text, state_text);
	sls_free_secret(text, len + 1);
	sls_state_clear(s);
	test_assert_zero(s, sizeof(*s));
	free(s);
}

static void test_zero_state(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	char *text;
	size_t len;

	(void)state;
	memset(s, 0xa5, sizeof(*s));
	accept("", s);
	test_assert_zero(s, sizeof(*s));
	accept("\n; nothing yet\n", s);
	test_assert_zero(s, sizeof(*s));
	accept("[state]\n", s);
	test_assert_zero(s, sizeof(*s));
	assert_int_equal(sls_state_format(s, &text, &len), SLS_OK);
	assert_string_equal(text, "[state]\nfailures =\nlocked_until = 0\nlast_device =\n"
				  "sms_sent = 0\nsms_expires = 0\n");
	sls_free_secret(text, len + 1);
	round_trip(s);
	free(s);
}

static void test_round_trip_full(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	char name[SLS_DEVICE_NAME_MAX + 1];

	(void)state;
	for (size_t i = 0; i < SLS_FAILURES_MAX; i++)
		s->failures[i] = 1763780000 + (time_t)(i * 3 / 4); /* some equal neighbours */
	s->nfailures = SLS_FAILURES_MAX;
	s->locked_until = 1763866400;
	strcpy(s->last_device, "laptop");
	s->sms.sent = 1763780100;
	s->sms.expires = 1763780400;
	s->sms.pending = true;
	memset(s->sms.hash, 0xc3, sizeof(s->sms.hash));
	memset(s->sms.salt, 0x5c, sizeof(s->sms.salt));
	strcpy(s->phone_pending, "+491721234567");
	s->phone.sent = 1763780500;
	s->phone.expires = 1763780800;
	s->phone.pending = true;
	memset(s->phone.hash, 0x3c, sizeof(s->phone.hash));
	memset(s->phone.salt, 0xc5, sizeof(s->phone.salt));
	for (int i = 0; i < SLS_DEVICES_MAX; i++) {
		struct sls_device_state *d;

		snprintf(name, sizeof(name), "%0*d", SLS_DEVICE_NAME_MAX, i);
		d = sls_state_device(s, dev(name));
		assert_non_null(d);
		d->totp_last_step = UINT64_MAX - (uint64_t)i;
		d->last_used = INT64_MAX - i;
		d->created = i == 0 ? 0 : INT64_MAX - i; /* 0: an entry from before created */
		d->card_pair[0] =
		    (unsigned char)(100 - i); /* a card's last pair (any device here) */
		d->card_pair[1] = (unsigned char)(1 + i);
		/* every device with a full list of used challenges, 0 and 999999 included */
		for (size_t j = 0; j < SLS_USED_CHALLENGES_MAX; j++)
			d->used[j] = (uint32_t)((j * 7919 + (size_t)i) % 1000000);
		d->used[0] = 0;
		d->used[1] = 999999;
		d->nused = SLS_USED_CHALLENGES_MAX;
	}
	round_trip(s);
	/* lines stay short although 100 failures do not fit one */
	{
		char *text;
		size_t len, longest = 0;

		assert_int_equal(sls_state_format(s, &text, &len), SLS_OK);
		for (char *p = text; *p; p += strcspn(p, "\n") + 1) {
			size_t l = strcspn(p, "\n");

			longest = l > longest ? l : longest;
		}
		assert_true(longest <= 196);
		sls_free_secret(text, len + 1);
	}
	sls_state_clear(s);
	free(s);
}

static void test_failures_continued(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));

	(void)state;
	accept("[state]\nfailures = 1,2\n\t3,4\n  5\nlocked_until = 0\n", s);
	assert_int_equal(s->nfailures, 5);
	assert_int_equal(s->failures[4], 5);
	accept("[state]\nfailures =\n\t7\n", s);
	assert_int_equal(s->nfailures, 1);
	free(s);
}

/* ---- rejections ------------------------------------------------------------- */

static void test_reject_structure(void **state)
{
	(void)state;
	reject_edit(state_text, 16, "[foo]", INSERT, 16);
	reject_edit(state_text, 3, "colour = red", INSERT, 3);
	reject_edit(state_text, 11, "failures = 1", INSERT, 11);
	reject_edit(state_text, 4, "locked_until = 5", INSERT, 4);
	reject_edit(state_text, 16, "[state]", INSERT, 16);
	reject_edit(state_text, 13, "[device laptop]", REPLACE, 13);
	reject("[device laptop]\n[state]\n", 1);
	reject("failures = 1\n[state]\n", 1);
	reject_edit(state_text, 9, "[device a/b]", REPLACE, 9);
	reject_edit(state_text, 9, "[device 123456789012345678901234567890123]", REPLACE, 9);
	reject_edit(state_text, 9, "[device]", REPLACE, 9);
	reject_edit(state_text, 3, "locked_until", REPLACE, 3);
	reject_edit(state_text, 3, "locked_until = 5 ; x", REPLACE, 3);
	reject_edit(state_text, 3, "locked_until = 5\r", REPLACE, 3);
	reject_edit(state_text, 10, "  totp_last_step = 3", REPLACE, 10);
	/* no newline at the end */
	{
		char t[sizeof(state_text)];

		memcpy(t, state_text, sizeof(state_text));
		t[sizeof(state_text) - 2] = '\0';
		reject(t, 15);
	}
}

static void test_reject_too_many_devices(void **state)
{
	char text[2048], *p = text;

	(void)state;
	p += sprintf(p, "[state]\n");
	for (int i = 0; i <= SLS_DEVICES_MAX; i++)
		p += sprintf(p, "[device d%d]\nlast_used = 1\n", i);
	reject(text, 2 + 2 * SLS_DEVICES_MAX);
}

static void test_reject_failures(void **state)
{
	char text[4096], *p;

	(void)state;
	reject_edit(state_text, 2, "failures = 5,4", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 1,2,3\n\t2", REPLACE, 3);
	reject_edit(state_text, 2, "failures = 1,x", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 12abc", REPLACE, 2);
	reject_edit(state_text, 2, "failures = -1", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 1,,2", REPLACE, 2);
	reject_edit(state_text, 2, "failures = ,1", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 1,", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 1, 2", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 01", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 99999999999999999999", REPLACE, 2);
	reject_edit(state_text, 2, "failures = 1\n\t2,", REPLACE, 3);
	reject_edit(state_text, 2, "failures = 1\n\t; 2", REPLACE, 3);
	/* 101 failures, the last on line 2 + 10 */
	p = text + sprintf(text, "[state]\nfailures = 1");
	for (int i = 2; i <= SLS_FAILURES_MAX + 1; i++)
		p += sprintf(p, "%s%d", i % 10 == 1 ? "\n\t" : ",", i);
	sprintf(p, "\n");
	reject(text, 2 + 10);
	/* 100 are fine */
	*strrchr(text, '\n') = '\0';
	*strrchr(text, '\n') = '\0';
	strcat(text, "\n");
	{
		struct sls_state *s = calloc(1, sizeof(*s));

		accept(text, s);
		assert_int_equal(s->nfailures, SLS_FAILURES_MAX);
		assert_int_equal(s->failures[99], 100);
		free(s);
	}
}

/* Only failures may go on over indented lines. */
static void test_reject_continuation(void **state)
{
	(void)state;
	reject_edit(state_text, 4, "\t5", INSERT, 4);
	reject_edit(state_text, 5, "\tx", INSERT, 5);
	reject_edit(state_text, 11, "\t5", INSERT, 11);
	reject_edit(state_text, 2, "\t5", INSERT, 2);
}

/* Used challenges: exactly six digits, at most SLS_USED_CHALLENGES_MAX, over several lines. */
static void test_challenges(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	struct sls_diag d = {0};
	const struct sls_device_state *ds;
	char *text = calloc(1, 16384), *p;

	(void)state;
	assert_non_null(s);
	assert_non_null(text);
	assert_int_equal(sls_state_parse("[state]\n[device k]\nchallenges = 000123,999999\n"
					 "\t004711\n",
					 s, &d),
			 SLS_OK);
	ds = sls_state_find(s, dev("k"));
	assert_non_null(ds);
	assert_int_equal(ds->nused, 3);
	assert_int_equal(ds->used[0], 123);
	assert_int_equal(ds->used[2], 4711);
	assert_true(sls_device_state_used(ds, 999999));
	assert_false(sls_device_state_used(ds, 124));
	assert_null(sls_state_find(s, dev("other")));
	static const char *const bad[] = {
	    "challenges = 12345\n",   "challenges = 1234567\n", "challenges = 12345a\n",
	    "challenges = 123456,\n", "challenges = ,123456\n", "challenges = -12345\n",
	    "challenges =\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, 16384, "[state]\n[device k]\n%s", bad[i]);
		assert_int_equal(sls_state_parse(text, s, &d), SLS_ERR_FORMAT);
		assert_int_equal(d.line, 3);
	}
	/* one more than the maximum */
	p = text + sprintf(text, "[state]\n[device k]\nchallenges = 000000");
	for (int i = 1; i <= SLS_USED_CHALLENGES_MAX; i++)
		p += sprintf(p, "%s%06d", i % 20 == 0 ? "\n\t" : ",", i);
	strcpy(p, "\n");
	assert_int_equal(sls_state_parse(text, s, &d), SLS_ERR_FORMAT);
	sls_state_clear(s);
	free(s);
	free(text);
}

/* A right answer records its challenge; the oldest goes when the list is full. */
static void test_note_success_challenge(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	struct sls_device k = {.name = "k", .type = &sls_devtype_ibkey, .created = 1700000000};
	const struct sls_device_state *ds;
	struct sls_attempt a = {0};

	(void)state;
	assert_non_null(s);
	s->nfailures = 1;
	s->failures[0] = 1000;
	for (int i = 0; i <= SLS_USED_CHALLENGES_MAX; i++) {
		snprintf(a.challenge, sizeof(a.challenge), "%06d", 500000 + i);
		assert_int_equal(sls_state_note_success(s, &k, &a, 0, 2000 + i), SLS_OK);
	}
	ds = sls_state_find(s, &k);
	assert_int_equal(s->nfailures, 0);
	assert_int_equal(ds->nused, SLS_USED_CHALLENGES_MAX);
	assert_false(sls_device_state_used(ds, 500000));
	assert_true(sls_device_state_used(ds, 500001));
	assert_true(sls_device_state_used(ds, 500000 + SLS_USED_CHALLENGES_MAX));
	assert_int_equal(ds->last_used, 2000 + SLS_USED_CHALLENGES_MAX);
	strcpy(a.challenge, "12345");
	assert_int_equal(sls_state_note_success(s, &k, &a, 0, 1), SLS_ERR_INVAL);
	sls_state_clear(s);
	free(s);
}

/*
 * F2 of the security review: a device is never given a challenge it answered
 * in its last SLS_USED_CHALLENGES_MAX logins. With a full list, 100,000
 * draws would hit it about 100 times if the list were not consulted.
 */
static void test_draw_avoids_used(void **state)
{
	struct sls_device_state *ds = calloc(1, sizeof(*ds));
	char q[SLS_CHALLENGE_DIGITS + 1];

	(void)state;
	assert_non_null(ds);
	for (size_t i = 0; i < SLS_USED_CHALLENGES_MAX; i++)
		ds->used[i] = (uint32_t)(i * 997 % 1000000);
	ds->nused = SLS_USED_CHALLENGES_MAX;
	for (int i = 0; i < 100000; i++) {
		assert_int_equal(sls_challenge_draw(ds, q, sizeof(q)), SLS_OK);
		assert_int_equal(strlen(q), SLS_CHALLENGE_DIGITS);
		if (sls_device_state_used(ds, (uint32_t)strtoul(q, NULL, 10)))
			fail_msg("draw %d gave the used challenge %s", i, q);
	}
	assert_int_equal(sls_challenge_draw(NULL, q, sizeof(q)), SLS_OK);
	assert_int_equal(sls_challenge_draw(ds, q, 4), SLS_ERR_INVAL);
	free(ds);
}

static void test_reject_values(void **state)
{
	(void)state;
	reject_edit(state_text, 7, "sms_code_hash = " HASH64 "0", REPLACE, 7);
	reject_edit(
	    state_text, 7,
	    "sms_code_hash = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",
	    REPLACE, 7);
	reject_edit(
	    state_text, 7,
	    "sms_code_hash = 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
	    REPLACE, 7);
	reject_edit(
	    state_text, 7,
	    "sms_code_hash = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g",
	    REPLACE, 7);
	reject_edit(state_text, 7, "sms_code_hash =", REPLACE, 7);
	reject_edit(state_text, 3, "locked_until = -1", REPLACE, 3);
	reject_edit(state_text, 3, "locked_until = 1e9", REPLACE, 3);
	reject_edit(state_text, 3, "locked_until =", REPLACE, 3);
	reject_edit(state_text, 4, "last_device = a/b", REPLACE, 4);
	reject_edit(state_text, 4, "last_device = 123456789012345678901234567890123", REPLACE, 4);
	reject_edit(state_text, 5, "sms_sent = 12abc", REPLACE, 5);
	reject_edit(state_text, 6, "sms_expires = +5", REPLACE, 6);
	reject_edit(state_text, 10, "totp_last_step = 18446744073709551616", REPLACE, 10);
	reject_edit(state_text, 10, "totp_last_step = -1", REPLACE, 10);
	reject_edit(state_text, 11, "last_used = x", REPLACE, 11);
	/* a card's last pair: two distinct positions 1..100, nothing else */
	accept_edit(state_text, 11, "card_pair = 17,45", INSERT);
	accept_edit(state_text, 11, "card_pair = 100,1", INSERT);
	reject_edit(state_text, 11, "card_pair = 17,17", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = 0,45", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = 17,101", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = 017,45", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = 17", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = 17,45,3", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = ,45", INSERT, 11);
	reject_edit(state_text, 11, "card_pair = 17, 45", INSERT, 11);
	accept_edit(state_text, 10, "totp_last_step = 18446744073709551615", REPLACE);
	accept_edit(state_text, 4, "last_device =", REPLACE);
	accept_edit(state_text, 7, NULL, DELETE);
}

static void test_format_refuses(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s)), *v = calloc(1, sizeof(*v));
	static char dummy;

	(void)state;
	accept(state_text, s);
#define REFUSE(change)                                                                             \
	do {                                                                                       \
		char *text = &dummy;                                                               \
		size_t len = 9;                                                                    \
		memcpy(v, s, sizeof(*s));                                                          \
		change;                                                                            \
		assert_int_equal(sls_state_format(v, &text, &len), SLS_ERR_INVAL);                 \
		assert_null(text);                                                                 \
		assert_int_equal(len, 0);                                                          \
	} while (0)
	REFUSE(v->failures[1] = 1);
	REFUSE(v->failures[0] = -1);
	REFUSE(v->nfailures = SLS_FAILURES_MAX + 1);
	REFUSE(v->locked_until = -1);
	REFUSE(v->sms.sent = -1);
	REFUSE(v->sms.expires = -1);
	REFUSE(v->phone.expires = 5); /* with no number being verified */
	REFUSE(v->phone.called = 5);  /* only sms codes are read out */
	REFUSE(v->sms.called = -1);
	REFUSE(strcpy(v->phone_pending, "0049172"));
	REFUSE(strcpy(v->last_device, "a\nb"));
	REFUSE(memset(v->last_device, 'a', sizeof(v->last_device)));
	REFUSE(strcpy(v->devices[0].name, "x]\n[state"));
	REFUSE(strcpy(v->devices[1].name, "laptop"));
	REFUSE(strcpy(v->devices[1].name, ""));
	REFUSE(v->devices[0].last_used = -1);
	REFUSE(v->ndevices = SLS_DEVICES_MAX + 1);
#undef REFUSE
	free(s);
	free(v);
}

/* ---- devices and failure counting ------------------------------------------ */

static void test_state_device(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	struct sls_device_state *a, *b;
	char name[16];

	(void)state;
	a = sls_state_device(s, dev("laptop"));
	assert_non_null(a);
	assert_string_equal(a->name, "laptop");
	assert_int_equal(a->totp_last_step, 0);
	a->totp_last_step = 7;
	b = sls_state_device(s, dev("laptop"));
	assert_ptr_equal(a, b);
	assert_int_equal(b->totp_last_step, 7);
	assert_int_equal(s->ndevices, 1);
	assert_null(sls_state_device(s, dev("a/b")));
	assert_null(sls_state_device(s, dev("")));
	for (int i = 1; i < SLS_DEVICES_MAX; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		assert_non_null(sls_state_device(s, dev(name)));
	}
	assert_int_equal(s->ndevices, SLS_DEVICES_MAX);
	assert_null(sls_state_device(s, dev("one-too-many")));
	assert_non_null(sls_state_device(s, dev("d3")));
	free(s);
}

/*
 * State goes with a device's identity: a device enrolled under a revoked
 * one's name (a later created) neither sees nor inherits its entry.
 */
static void test_state_identity(void **state)
{
	struct sls_state *s = calloc(1, sizeof(*s));
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_device_state *ds;

	(void)state;
	assert_non_null(s);
	assert_non_null(u);
	ds = sls_state_device(s, dev_at("laptop", 100));
	ds->last_used = 5000;
	ds->totp_last_step = 9;
	assert_ptr_equal(sls_state_find(s, dev_at("laptop", 100)), ds);
	assert_null(sls_state_find(s, dev_at("laptop", 200)));
	/* pruned against a user whose laptop is the newer one */
	u->ndevices = 1;
	strcpy(u->devices[0].name, "laptop");
	u->devices[0].created = 200;
	sls_state_prune(s, u);
	assert_int_equal(s->ndevices, 0);
	/* an entry written before created existed belongs to the device of its name */
	assert_int_equal(sls_state_parse("[state]\n[device laptop]\ntotp_last_step = 9\n"
					 "last_used = 5000\n",
					 s, NULL),
			 SLS_OK);
	assert_non_null(sls_state_find(s, dev_at("laptop", 200)));
	sls_state_prune(s, u);
	assert_int_equal(s->ndevices, 1);
	/* taken over by the device that now writes it, which records its created */
	ds = sls_state_device(s, dev_at("laptop", 200));
	assert_int_equal(ds->created, 200);
	assert_int_equal(ds->last_used, 5000);
	/* and a later device of that name starts afresh */
	ds = sls_state_device(s, dev_at("laptop", 300));
	assert_int_equal(ds->created, 300);
	assert_int_equal(ds->last_used, 0);
	assert_int_equal(ds->totp_last_step, 0);
	assert_int_equal(s->ndevices, 1);
	free(s);
	free(u);
}

static void test_count_window_edges(void **state)
{
	struct sls_state s;
	const time_t now = 1763780000, day = 86400;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.failures[0] = now - day;     /* just out: the window is (now - day, now] */
	s.failures[1] = now - day + 1; /* just in */
	s.failures[2] = now - 10;
	s.failures[3] = now;
	s.failures[4] = now + 1; /* later than now: not counted */
	s.nfailures = 5;
	assert_int_equal(sls_state_count_failures(&s, now, day), 3);
	assert_int_equal(sls_state_count_failures(&s, now + 1, day), 3);
	assert_int_equal(sls_state_count_failures(&s, now - 1, day), 3);
	assert_int_equal(sls_state_count_failures(&s, now, 11), 2);
	assert_int_equal(sls_state_count_failures(&s, now, 10), 1);
	assert_int_equal(sls_state_count_failures(&s, now, 1), 1);
	assert_int_equal(sls_state_count_failures(&s, now, 0), 0);
	assert_int_equal(sls_state_count_failures(&s, now, -5), 0);
	assert_int_equal(sls_state_count_failures(&s, now + 2 * day, day), 0);
	/* no overflow at the ends of time_t */
	assert_int_equal(sls_state_count_failures(&s, INT64_MAX, INT64_MAX), 5);
	assert_int_equal(sls_state_count_failures(&s, now, INT64_MAX), 4);
}

static void test_add_failure(void **state)
{
	struct sls_state s;
	const time_t now = 1763780000, day = 86400;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 9; i++)
		assert_int_equal(sls_state_add_failure(&s, now + i * 60, day), (size_t)i + 1);
	assert_int_equal(sls_state_add_failure(&s, now + day - 1, day), 10);
	/* the first has now left the window and is dropped */
	assert_int_equal(sls_state_add_failure(&s, now + day, day), 10);
	assert_int_equal(s.nfailures, 10);
	assert_int_equal(s.failures[0], now + 60);
	/* the same second twice is two failures */
	assert_int_equal(sls_state_add_failure(&s, now + day, day), 11);
	assert_int_equal(s.failures[10], now + day);
	/* much later: everything old is dropped */
	assert_int_equal(sls_state_add_failure(&s, now + 5 * day, day), 1);
	assert_int_equal(s.nfailures, 1);
	/* a clock set back: the list stays ascending and formats */
	assert_int_equal(sls_state_add_failure(&s, now + 5 * day - 100, day), 1);
	assert_int_equal(s.nfailures, 2);
	assert_true(s.failures[0] < s.failures[1]);
	round_trip(&s);
}

static void test_add_failure_full(void **state)
{
	struct sls_state s;
	const time_t now = 1763780000, week = 7 * 86400;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < SLS_FAILURES_MAX; i++)
		sls_state_add_failure(&s, now + i, week);
	assert_int_equal(s.nfailures, SLS_FAILURES_MAX);
	/* full: the oldest goes */
	assert_int_equal(sls_state_add_failure(&s, now + 1000, week), SLS_FAILURES_MAX);
	assert_int_equal(s.nfailures, SLS_FAILURES_MAX);
	assert_int_equal(s.failures[0], now + 1);
	assert_int_equal(s.failures[SLS_FAILURES_MAX - 1], now + 1000);
	round_trip(&s);
	/* window 0 keeps nothing but the new failure, which it does not count */
	assert_int_equal(sls_state_add_failure(&s, now + 2000, 0), 0);
	assert_int_equal(s.nfailures, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_sample),     cmocka_unit_test(test_zero_state),
	    cmocka_unit_test(test_round_trip_full),  cmocka_unit_test(test_failures_continued),
	    cmocka_unit_test(test_reject_structure), cmocka_unit_test(test_reject_too_many_devices),
	    cmocka_unit_test(test_reject_failures),  cmocka_unit_test(test_reject_continuation),
	    cmocka_unit_test(test_reject_values),    cmocka_unit_test(test_format_refuses),
	    cmocka_unit_test(test_state_device),     cmocka_unit_test(test_count_window_edges),
	    cmocka_unit_test(test_add_failure),      cmocka_unit_test(test_add_failure_full),
	    cmocka_unit_test(test_challenges),       cmocka_unit_test(test_note_success_challenge),
	    cmocka_unit_test(test_draw_avoids_used), cmocka_unit_test(test_state_identity),
	};

	return cmocka_run_group_tests_name("common: state file", tests, NULL, NULL);
}
