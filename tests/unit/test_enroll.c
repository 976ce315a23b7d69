/* pam_sls - tests of the enrolment file: round trips and every rejection. */
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
#include "sls_enroll.h"
#include "sls_secret.h"

/* ---- texts ------------------------------------------------------------------ */

#define SECRET20   "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"         /* "12345678901234567890" */
#define SECRET15   "GEZDGNBVGY3TQOJQGEZDGNBV"                 /* 15 bytes */
#define PIN_SHA1   "7110eda4d09e062aa5e4a390b0a572ac0d2c0220" /* SHA1("1234") */
#define PIN_SHA256 "03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4"
#define SUITE      "OCRA-1:HOTP-SHA256-8:QN06-PSHA1"

/* lines 1-5 */
#define USER_SECTION                                                                               \
	"[user]\n"                                                                                 \
	"phone = +15551234567\n"                                                                   \
	"phone_verified = yes\n"                                                                   \
	"optout = no\n"                                                                            \
	"identity =\n"

/* As the first device: 6 blank, 7 section, 8 type, 9 label, 10 suite, 11 secret,
 * 12 pin_hash, 13 level, 14 status, 15 created. */
#define IBKEY(name)                                                                                \
	"\n[device " name "]\n"                                                                    \
	"type = ibkey\n"                                                                           \
	"label = my laptop\n"                                                                      \
	"suite = " SUITE "\n"                                                                      \
	"secret = " SECRET20 "\n"                                                                  \
	"pin_hash = " PIN_SHA1 "\n"                                                                \
	"level = 3\n"                                                                              \
	"status = active\n"                                                                        \
	"created = 1763780000\n"

/* Same layout as IBKEY. */
#define DSC                                                                                        \
	"\n[device key]\n"                                                                         \
	"type = dsc\n"                                                                             \
	"label = hardware key\n"                                                                   \
	"suite = " SUITE "\n"                                                                      \
	"secret = " SECRET20 "\n"                                                                  \
	"pin_hash = " PIN_SHA1 "\n"                                                                \
	"level = 4\n"                                                                              \
	"status = pending\n"                                                                       \
	"created = 1763780000\n"

/* 7 section, 8 type, 9 label, 10 secret, 11 level, 12 status, 13 created */
#define TOTP                                                                                       \
	"\n[device phone]\n"                                                                       \
	"type = totp\n"                                                                            \
	"label = phone app\n"                                                                      \
	"secret = " SECRET20 "\n"                                                                  \
	"level = 2\n"                                                                              \
	"status = active\n"                                                                        \
	"created = 1763780000\n"

/* 7 section, 8 type, 9 label, 10 level, 11 status, 12 created */
#define SMS                                                                                        \
	"\n[device sms]\n"                                                                         \
	"type = sms\n"                                                                             \
	"label =\n"                                                                                \
	"level = 1\n"                                                                              \
	"status = active\n"                                                                        \
	"created = 1763780000\n"

/* 7 section, 8 type, 9 label, 10 secret, 11 level, 12 status, 13 created */
#define CARD                                                                                       \
	"\n[device card]\n"                                                                        \
	"type = card\n"                                                                            \
	"label = printed card\n"                                                                   \
	"secret = " SECRET20 "\n"                                                                  \
	"level = 1\n"                                                                              \
	"status = revoked\n"                                                                       \
	"created = 1763780000\n"

/*
 * 7 section, 8 type, 9 label, 10 secret (a salt and a hash: 48 bytes), 11
 * login_until, 12 level, 13 status, 14 expires, 15 created
 */
#define SECRET48 "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPSAIJCEMSCKJRHFAUSUKZMFUXC6"
#define TEMPCODE                                                                                   \
	"\n[device temp]\n"                                                                        \
	"type = tempcode\n"                                                                        \
	"label =\n"                                                                                \
	"secret = " SECRET48 "\n"                                                                  \
	"login_until = 1763952000\n"                                                               \
	"level = 1\n"                                                                              \
	"status = active\n"                                                                        \
	"expires = 1763952800\n"                                                                   \
	"created = 1763780000\n"

static const char enroll_ibkey[] = USER_SECTION IBKEY("laptop");
static const char enroll_dsc[] = USER_SECTION DSC;
static const char enroll_totp[] = USER_SECTION TOTP;
static const char enroll_sms[] = USER_SECTION SMS;
static const char enroll_card[] = USER_SECTION CARD;
static const char enroll_tempcode[] = USER_SECTION TEMPCODE;

/* ---- helpers ---------------------------------------------------------------- */

/* The message about a line never quotes the line's value. */
static void assert_value_not_in(const char *text, int line, const char *msg)
{
	const char *p = text, *eq;
	char value[256];
	size_t len;

	for (int n = 1; n < line && p != NULL; n++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (p == NULL || line <= 0)
		return;
	len = strcspn(p, "\n");
	eq = memchr(p, '=', len);
	if (eq == NULL)
		return;
	eq++;
	while (*eq == ' ')
		eq++;
	len -= (size_t)(eq - p);
	if (len < 4 || len >= sizeof(value))
		return;
	memcpy(value, eq, len);
	value[len] = '\0';
	if (strstr(msg, value) != NULL)
		fail_msg("diag message \"%s\" quotes the value", msg);
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
	assert_true(diag.msg[0] != '\0');
	test_assert_zero(u, sizeof(*u));
	assert_value_not_in(text, line, diag.msg);
	free(u);
}

static void reject_edit(const char *base, int at, const char *text, enum edit_mode mode, int line)
{
	char *t = test_edit(base, at, text, mode);

	reject(t, line);
	free(t);
}

static void accept(const char *text, struct sls_user *u)
{
	struct sls_diag diag = {0, ""};
	enum sls_rc rc = sls_user_parse(text, u, &diag);

	if (rc != SLS_OK)
		print_message("# text:\n%s# rc %d line %d: %s\n", text, rc, diag.line, diag.msg);
	assert_int_equal(rc, SLS_OK);
}

static void accept_edit(const char *base, int at, const char *text, enum edit_mode mode)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	char *t = test_edit(base, at, text, mode);

	assert_non_null(u);
	accept(t, u);
	free(t);
	free(u);
}

static void assert_devices_equal(const struct sls_device *a, const struct sls_device *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->type, b->type);
	assert_string_equal(a->label, b->label);
	assert_memory_equal(&a->u, &b->u, sizeof(a->u)); /* the type's own fields */
	assert_int_equal(a->secret_len, b->secret_len);
	assert_memory_equal(a->secret, b->secret, a->secret_len);
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->expires, b->expires);
	assert_string_equal(a->shared_from, b->shared_from);
}

static void assert_users_equal(const struct sls_user *a, const struct sls_user *b)
{
	assert_string_equal(a->phone, b->phone);
	assert_int_equal(a->phone_verified, b->phone_verified);
	assert_int_equal(a->optout, b->optout);
	assert_string_equal(a->identity, b->identity);
	assert_int_equal(a->ndevices, b->ndevices);
	for (size_t i = 0; i < a->ndevices; i++)
		assert_devices_equal(&a->devices[i], &b->devices[i]);
	/* both built from zero, so the bytes agree too */
	assert_memory_equal(a, b, sizeof(*a));
}

/* format, parse, compare; returns the text (free with sls_free_secret). */
static char *round_trip(const struct sls_user *u, size_t *len)
{
	struct sls_user *back = calloc(1, sizeof(*back));
	char *text = NULL;

	assert_non_null(back);
	assert_int_equal(sls_user_format(u, &text, len), SLS_OK);
	assert_non_null(text);
	assert_int_equal(strlen(text), *len);
	accept(text, back);
	assert_users_equal(u, back);
	sls_user_clear(back);
	free(back);
	return text;
}

static struct sls_device *add_device(struct sls_user *u, const char *name,
				     const struct sls_devtype *type, enum sls_device_status st)
{
	struct sls_device *d = &u->devices[u->ndevices++];

	strcpy(d->name, name);
	d->type = type;
	d->level = type->level;
	d->status = st;
	d->created = 1763780000 + (time_t)u->ndevices;
	if (type != &sls_devtype_sms) {
		d->secret_len = 20;
		for (size_t i = 0; i < d->secret_len; i++)
			d->secret[i] = (uint8_t)(i * 7 + u->ndevices);
	}
	if (type == &sls_devtype_ibkey || type == &sls_devtype_dsc) {
		assert_int_equal(sls_ocra_suite_parse(SUITE, &d->u.ocra.suite, NULL), SLS_OK);
		d->u.ocra.pin_hash_len = 20;
		memset(d->u.ocra.pin_hash, 0x5a, d->u.ocra.pin_hash_len);
	}
	if (type == &sls_devtype_totp) {
		d->u.totp.hash = SLS_HASH_SHA1;
		d->u.totp.digits = 6;
		d->u.totp.period = 30;
	}
	return d;
}

static struct sls_user *new_user(void)
{
	struct sls_user *u = calloc(1, sizeof(*u));

	assert_non_null(u);
	strcpy(u->phone, "+15551234567");
	u->phone_verified = true;
	return u;
}

/* ---- round trips ------------------------------------------------------------ */

static void test_type_names(void **state)
{
	static const char *const names[] = {"ibkey", "dsc",      "totp",   "sms",
					    "card",  "tempcode", "scratch"};
	static const int levels[] = {3, 4, 2, 1, 1, 1, 1};
	const struct sls_devtypes *b = &sls_devtypes_builtin;
	enum sls_device_status s;
	char text[128];

	(void)state;
	assert_int_equal(b->n, 7);
	for (size_t i = 0; i < b->n; i++) {
		const struct sls_devtype *t = sls_devtype_find(b, names[i]);

		assert_ptr_equal(t, b->list[i]);
		assert_string_equal(t->name, names[i]);
		assert_int_equal(t->level, levels[i]);
		assert_int_equal(sls_devtype_bit(b, t), 1u << i);
	}
	assert_int_equal(sls_devtype_mask_all(b), 0x7f);
	assert_null(sls_devtype_find(b, "IBKEY"));
	assert_null(sls_devtype_find(b, ""));
	assert_true(sls_devtype_askable(&sls_devtype_totp));
	assert_true(sls_devtype_askable(&sls_devtype_sms));
	assert_true(sls_devtype_askable(&sls_devtype_card));
	assert_true(sls_devtype_askable(&sls_devtype_tempcode));
	assert_true(sls_devtype_tempcode.stand_in);
	assert_false(sls_devtype_card.stand_in);
	sls_devtype_enrollable_names(b, text, sizeof(text));
	assert_string_equal(text, "ibkey, dsc and totp");
	sls_devtype_pin_names(b, text, sizeof(text));
	assert_string_equal(text, "ibkey, dsc");
	sls_devtype_levels_text(b, text, sizeof(text));
	assert_string_equal(text, "4: dsc, 3: ibkey, 2: totp, 1: sms/card/tempcode/scratch");
	for (int i = SLS_STATUS_PENDING; i <= SLS_STATUS_REVOKED; i++) {
		const char *name = sls_device_status_name((enum sls_device_status)i);

		assert_non_null(name);
		assert_int_equal(sls_device_status_parse(name, &s), SLS_OK);
		assert_int_equal(s, i);
	}
	assert_null(sls_device_status_name((enum sls_device_status)3));
	assert_int_equal(sls_device_status_parse("enabled", &s), SLS_ERR_INVAL);
}

/* The serialized text is stable: this is the file format. */
static void test_format_golden(void **state)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	char *text = NULL;
	size_t len;

	(void)state;
	accept(enroll_ibkey, u);
	assert_int_equal(sls_user_format(u, &text, &len), SLS_OK);
	assert_string_equal(text, enroll_ibkey);
	assert_int_equal(len, strlen(enroll_ibkey));
	sls_free_secret(text, len + 1);
	assert_string_equal(u->phone, "+15551234567");
	assert_true(u->phone_verified);
	assert_false(u->optout);
	assert_string_equal(u->identity, "");
	assert_int_equal(u->ndevices, 1);
	assert_string_equal(u->devices[0].name, "laptop");
	assert_string_equal(u->devices[0].label, "my laptop");
	assert_ptr_equal(u->devices[0].type, &sls_devtype_ibkey);
	assert_int_equal(u->devices[0].secret_len, 20);
	assert_memory_equal(u->devices[0].secret, "12345678901234567890", 20);
	assert_int_equal(u->devices[0].u.ocra.pin_hash_len, 20);
	assert_int_equal(u->devices[0].u.ocra.pin_hash[0], 0x71);
	assert_int_equal(u->devices[0].created, 1763780000);
	assert_int_equal(u->devices[0].status, SLS_STATUS_ACTIVE);
	assert_true(u->devices[0].u.ocra.suite.pin);
	sls_user_clear(u);
	free(u);
}

/* Every sample text parses and formats back to itself. */
static void test_samples_parse_and_format_back(void **state)
{
	const char *samples[] = {enroll_ibkey, enroll_dsc,  enroll_totp,
				 enroll_sms,   enroll_card, enroll_tempcode};
	struct sls_user *u = calloc(1, sizeof(*u));

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char *text = NULL;
		size_t len;

		accept(samples[i], u);
		assert_int_equal(sls_user_format(u, &text, &len), SLS_OK);
		assert_string_equal(text, samples[i]);
		sls_free_secret(text, len + 1);
	}
	sls_user_clear(u);
	free(u);
}

static void test_round_trip_all_types(void **state)
{
	struct sls_user *u = new_user();
	struct sls_device *d;
	char *text;
	size_t len;

	(void)state;
	strcpy(u->identity, "Jane Q. Doe, passport X1234567 — ünïcödé");
	u->optout = true;
	d = add_device(u, "laptop", &sls_devtype_ibkey, SLS_STATUS_ACTIVE);
	strcpy(d->label, "my laptop");
	d = add_device(u, "key", &sls_devtype_dsc, SLS_STATUS_PENDING);
	strcpy(d->label, "Schlüssel №2 🔑");
	d = add_device(u, "phone", &sls_devtype_totp, SLS_STATUS_ACTIVE);
	d = add_device(u, "phone8", &sls_devtype_totp, SLS_STATUS_REVOKED);
	d->u.totp.hash = SLS_HASH_SHA256;
	d->u.totp.digits = 8;
	d->u.totp.period = 60;
	d = add_device(u, "phone512", &sls_devtype_totp, SLS_STATUS_ACTIVE);
	d->u.totp.hash = SLS_HASH_SHA512;
	d->u.totp.digits = 7;
	d->u.totp.period = 30;
	d = add_device(u, "sms", &sls_devtype_sms, SLS_STATUS_ACTIVE);
	d = add_device(u, "card", &sls_devtype_card, SLS_STATUS_ACTIVE);
	d->expires = 1765594400;
	d = add_device(u, "temp", &sls_devtype_tempcode, SLS_STATUS_ACTIVE);
	d->expires = 1763952800;
	d->secret_len = 48; /* a salt and a hash */
	d->u.tempcode.login_until = 1763790000;
	d = add_device(u, "shared", &sls_devtype_ibkey, SLS_STATUS_ACTIVE);
	strcpy(d->shared_from, "bob");
	strcpy(d->label, "bob's laptop");
	text = round_trip(u, &len);
	assert_non_null(strstr(text, "suite = TOTP-SHA256-8-60\n"));
	assert_non_null(strstr(text, "suite = TOTP-SHA512-7-30\n"));
	assert_non_null(strstr(text, "shared_from = bob\n"));
	assert_non_null(strstr(text, "optout = yes\n"));
	sls_free_secret(text, len + 1);
	sls_user_clear(u);
	free(u);
}

static void test_round_trip_limits(void **state)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	struct sls_device *d;
	char *text, name[SLS_DEVICE_NAME_MAX + 1];
	size_t len;

	(void)state;
	/* empty [user], no device */
	text = round_trip(u, &len);
	assert_string_equal(text,
			    "[user]\nphone =\nphone_verified = no\noptout = no\nidentity =\n");
	sls_free_secret(text, len + 1);

	/* the largest values everywhere, 16 devices */
	strcpy(u->phone, "+123456789012345");
	memset(u->identity, 'i', SLS_IDENTITY_MAX);
	for (int i = 0; i < SLS_DEVICES_MAX; i++) {
		snprintf(name, sizeof(name), "%0*d", SLS_DEVICE_NAME_MAX, i);
		d = add_device(u, name, &sls_devtype_ibkey, SLS_STATUS_ACTIVE);
		memset(d->label, 'l', SLS_LABEL_MAX);
		d->secret_len = SLS_SECRET_MAX;
		memset(d->secret, 0xff, SLS_SECRET_MAX);
		assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA512-8:QN08-PSHA512",
						      &d->u.ocra.suite, NULL),
				 SLS_OK);
		d->u.ocra.pin_hash_len = SLS_HASH_MAX;
		memset(d->u.ocra.pin_hash, 0xee, SLS_HASH_MAX);
		memset(d->shared_from, 's', SLS_USER_NAME_MAX);
		d->created = INT64_MAX;
		d->expires = INT64_MAX;
	}
	text = round_trip(u, &len);
	sls_free_secret(text, len + 1);
	sls_user_clear(u);
	free(u);
}

static void test_find_device(void **state)
{
	struct sls_user *u = calloc(1, sizeof(*u));
	size_t size = sizeof(enroll_ibkey) + sizeof(TOTP);
	char *t = malloc(size);

	(void)state;
	assert_non_null(t);
	snprintf(t, size, "%s%s", enroll_ibkey, TOTP);
	accept(t, u);
	assert_int_equal(u->ndevices, 2);
	assert_ptr_equal(sls_user_find_device(u, "laptop"), &u->devices[0]);
	assert_ptr_equal(sls_user_find_device(u, "phone"), &u->devices[1]);
	assert_null(sls_user_find_device(u, "Laptop"));
	assert_null(sls_user_find_device(u, ""));
	assert_int_equal(u->devices[1].u.totp.hash, SLS_HASH_SHA1);
	assert_int_equal(u->devices[1].u.totp.digits, 6);
	assert_int_equal(u->devices[1].u.totp.period, 30);
	free(t);
	sls_user_clear(u);
	free(u);
}

/* What the strict rules still let through. */
static void test_accepted_variants(void **state)
{
	(void)state;
	accept_edit(enroll_ibkey, 1, "; a comment", INSERT);
	accept_edit(enroll_ibkey, 8, "# another", INSERT);
	accept_edit(enroll_ibkey, 13, "level=3", REPLACE);
	accept_edit(enroll_ibkey, 13, "level \t=\t 3  ", REPLACE);
	accept_edit(enroll_ibkey, 9, "label = a:b = c", REPLACE);
	accept_edit(enroll_ibkey, 9, "label = a#b", REPLACE);
	accept_edit(enroll_ibkey, 6, "   ", REPLACE);
	accept_edit(enroll_ibkey, 15, "expires = 0", INSERT);
	accept_edit(enroll_ibkey, 15, "shared_from =", INSERT);
	accept_edit(enroll_totp, 11, "suite = TOTP-SHA1-6-30", INSERT);
	accept_edit(enroll_ibkey, 2, "phone =", REPLACE);
	accept_edit(enroll_ibkey, 2, "phone = +123456", REPLACE);
	accept_edit(enroll_ibkey, 5, "identity = Jane Doe", REPLACE);
}

/* ---- rejections: structure -------------------------------------------------- */

static void test_reject_empty(void **state)
{
	(void)state;
	reject("", 0);
	reject("\n\n; nothing\n", 0);
}

static void test_reject_unknown_section(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 16, "[foo]", INSERT, 16);
	reject_edit(enroll_ibkey, 7, "[devices laptop]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[Device laptop]", REPLACE, 7);
	reject_edit(enroll_ibkey, 1, "[ user ]", REPLACE, 1);
	reject_edit(enroll_ibkey, 1, "[User]", REPLACE, 1);
}

static void test_reject_unknown_key(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 5, "colour = red", INSERT, 5);
	reject_edit(enroll_ibkey, 15, "colour = red", INSERT, 15);
	reject_edit(enroll_ibkey, 15, "Created = 1763780000", REPLACE, 15);
	reject_edit(enroll_ibkey, 9, "phone = +15551234567", REPLACE, 9);
}

static void test_reject_duplicate_key(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 5, "optout = yes", INSERT, 5);
	reject_edit(enroll_ibkey, 15, "secret = " SECRET20, INSERT, 15);
	reject_edit(enroll_ibkey, 15, "status = revoked", INSERT, 15);
	reject_edit(enroll_ibkey, 9, "type = ibkey", INSERT, 9);
}

static void test_reject_duplicate_device(void **state)
{
	(void)state;
	reject(USER_SECTION IBKEY("laptop") IBKEY("laptop"), 17);
	reject(USER_SECTION IBKEY("laptop") TOTP IBKEY("laptop"), 25);
}

static void test_reject_duplicate_user(void **state)
{
	(void)state;
	reject(USER_SECTION IBKEY("laptop") "[user]\n", 16);
	reject(USER_SECTION USER_SECTION, 6);
}

static void test_reject_user_missing_or_late(void **state)
{
	(void)state;
	reject(IBKEY("laptop"), 2);
	reject(IBKEY("laptop") USER_SECTION, 2);
	reject("[foo]\n" USER_SECTION, 1);
	reject("phone = +15551234567\n" USER_SECTION, 1);
}

static void test_reject_user_missing_key(void **state)
{
	(void)state;
	for (int line = 2; line <= 5; line++)
		reject_edit(enroll_ibkey, line, NULL, DELETE, 1);
}

static void test_reject_device_name(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 7, "[device]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device ]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device a/b]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device ..]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device -x]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device a b]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device  a]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device a=b]", REPLACE, 7);
	/* 33 bytes: one too many; 32 is fine */
	reject_edit(enroll_ibkey, 7, "[device 123456789012345678901234567890123]", REPLACE, 7);
	accept_edit(enroll_ibkey, 7, "[device 12345678901234567890123456789012]", REPLACE);
	/* long enough for libinih to cut the section name */
	reject_edit(enroll_ibkey, 7,
		    "[device 12345678901234567890123456789012345678901234567890123456789]", REPLACE,
		    7);
}

static void test_reject_section_syntax(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 7, "[device laptop] trailing", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device laptop", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device laptop]]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device [laptop]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[device laptop ; c]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, "[]", REPLACE, 7);
	reject_edit(enroll_ibkey, 7, " [device laptop]", REPLACE, 7);
}

static void test_reject_too_many_devices(void **state)
{
	static const char totp[] = TOTP;
	const char *keys = &totp[strlen("\n[device phone]\n")];
	char *text = malloc(32768), *p = text;

	(void)state;
	assert_non_null(text);
	p += sprintf(p, "%s", USER_SECTION);
	for (int i = 0; i < SLS_DEVICES_MAX + 1; i++)
		p += sprintf(p, "\n[device d%d]\n%s", i, keys);
	/* each device is 8 lines from line 6; the 17th section is on 6 + 16 * 8 + 1 */
	reject(text, 6 + 16 * 8 + 1);
	/* 16 are fine */
	*strstr(text, "\n[device d16]") = '\0';
	{
		struct sls_user *u = calloc(1, sizeof(*u));

		accept(text, u);
		assert_int_equal(u->ndevices, SLS_DEVICES_MAX);
		free(u);
	}
	free(text);
}

static void test_reject_line_syntax(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 9, "just some words", INSERT, 9);
	reject_edit(enroll_ibkey, 13, "level: 3", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "= 3", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "le vel = 3", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "LEVEL = 3", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level;x = 3", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = 3\r", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = 3\v", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = 3\x7f", REPLACE, 13);
	reject_edit(enroll_ibkey, 1, "\xef\xbb\xbf[user]", REPLACE, 1);
	reject_edit(enroll_ibkey, 1, "phone = +15551234567", INSERT, 1);
	reject_edit(enroll_ibkey, 8, "  ; indented comment", INSERT, 8);
}

/* A value continued on an indented line: libinih would glue or re-read it. */
static void test_reject_continuation(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 10, "  extra words", INSERT, 10);
	reject_edit(enroll_ibkey, 12, "\t" SECRET20, INSERT, 12);
	/* right after a section, libinih would read an indented key as a key */
	reject_edit(enroll_ibkey, 8, "  type = ibkey", REPLACE, 8);
	reject_edit(enroll_ibkey, 2, " phone = +15551234567", REPLACE, 2);
	/* after a blank line too */
	{
		char *t = test_edit(enroll_ibkey, 16, "", INSERT);
		char *t2 = test_edit(t, 17, "  status = revoked", INSERT);

		reject(t2, 17);
		free(t2);
		free(t);
	}
}

/* An inline comment or anything libinih would cut from a value. */
static void test_reject_inline_comment(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 14, "status = active ; revoked", REPLACE, 14);
	reject_edit(enroll_ibkey, 9, "label = my ;laptop", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = ;laptop", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = a\t;b", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = my;laptop", REPLACE, 9);
}

static void test_reject_long_line(void **state)
{
	char line[400];

	(void)state;
	/* 196 bytes is the longest line: a label that long is refused as a label */
	memset(line, 'x', sizeof(line));
	memcpy(line, "label = ", 8);
	line[196] = '\0';
	reject_edit(enroll_ibkey, 9, line, REPLACE, 9);
	line[197] = '\0';
	reject_edit(enroll_ibkey, 9, line, REPLACE, 9);
	/* libinih would read the tail of a long line as a line of its own */
	memset(line, ' ', sizeof(line));
	memcpy(line, "label = x", 9);
	memcpy(line + 198, "status = revoked", 17);
	reject_edit(enroll_ibkey, 9, line, REPLACE, 9);
}

/* A file cut anywhere is refused, except right after [user] (no device yet). */
static void test_reject_truncated(void **state)
{
	size_t n = strlen(enroll_ibkey), user_end = strlen(USER_SECTION);
	struct sls_user *u = calloc(1, sizeof(*u));
	char *t = malloc(n + 1);
	struct sls_diag diag;

	(void)state;
	for (size_t cut = 0; cut < n; cut++) {
		enum sls_rc rc;

		memcpy(t, enroll_ibkey, cut);
		t[cut] = '\0';
		rc = sls_user_parse(t, u, &diag);
		if (cut == user_end || cut == user_end + 1) {
			assert_int_equal(rc, SLS_OK);
			assert_int_equal(u->ndevices, 0);
		} else {
			if (rc != SLS_ERR_FORMAT)
				fail_msg("cut at %zu accepted", cut);
			test_assert_zero(u, sizeof(*u));
		}
	}
	/* cut mid-line: the last line has no newline, even when it would parse */
	memcpy(t, enroll_ibkey, n - 1);
	t[n - 1] = '\0';
	reject(t, 15);
	t[n - 6] = '\0'; /* "created = 17637" */
	reject(t, 15);
	/* cut at a line end: loses created */
	memcpy(t, enroll_ibkey, n - strlen("created = 1763780000\n"));
	t[n - strlen("created = 1763780000\n")] = '\0';
	reject(t, 7);
	free(t);
	free(u);
}

/* ---- rejections: devices ---------------------------------------------------- */

static void test_reject_bad_type(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 8, "type = yubikey", REPLACE, 8);
	reject_edit(enroll_ibkey, 8, "type = IBKEY", REPLACE, 8);
	reject_edit(enroll_ibkey, 8, "type =", REPLACE, 8);
}

static void test_reject_missing_key(void **state)
{
	(void)state;
	/* ibkey: suite, secret, pin_hash, level, status, created; type */
	for (int line = 10; line <= 15; line++)
		reject_edit(enroll_ibkey, line, NULL, DELETE, 7);
	reject_edit(enroll_ibkey, 8, NULL, DELETE, 8); /* label then comes before type */
	reject("[user]\nphone =\nphone_verified = no\noptout = no\nidentity =\n[device x]\n", 6);
	/* dsc */
	for (int line = 10; line <= 15; line++)
		reject_edit(enroll_dsc, line, NULL, DELETE, 7);
	/* totp: secret, level, status, created */
	for (int line = 10; line <= 13; line++)
		reject_edit(enroll_totp, line, NULL, DELETE, 7);
	/* sms: level, status, created */
	for (int line = 10; line <= 12; line++)
		reject_edit(enroll_sms, line, NULL, DELETE, 7);
	/* card and tempcode: secret, level, status, created */
	for (int line = 10; line <= 13; line++)
		reject_edit(enroll_card, line, NULL, DELETE, 7);
	/* tempcode: secret, login_until, level, status, created */
	for (int line = 10; line <= 13; line++)
		reject_edit(enroll_tempcode, line, NULL, DELETE, 7);
	reject_edit(enroll_tempcode, 15, NULL, DELETE, 7);
	/* its secret is a salt and a hash, nothing else */
	reject_edit(enroll_tempcode, 10, "secret = " SECRET20, REPLACE, 10);
	reject_edit(enroll_tempcode, 11, "login_until = 0", REPLACE, 11);
	/* its days must end, and its login days within them */
	reject_edit(enroll_tempcode, 14, NULL, DELETE, 11);
	reject_edit(enroll_tempcode, 11, "login_until = 1763952801", REPLACE, 11);
	accept_edit(enroll_tempcode, 11, "login_until = 1763952800", REPLACE);
}

static void test_reject_key_not_for_type(void **state)
{
	(void)state;
	reject_edit(enroll_totp, 10, "pin_hash = " PIN_SHA1, INSERT, 10);
	reject_edit(enroll_sms, 10, "secret = " SECRET20, INSERT, 10);
	reject_edit(enroll_sms, 10, "suite = TOTP-SHA1-6-30", INSERT, 10);
	reject_edit(enroll_card, 10, "suite = " SUITE, INSERT, 10);
	reject_edit(enroll_card, 10, "pin_hash = " PIN_SHA1, INSERT, 10);
	reject_edit(enroll_tempcode, 10, "pin_hash = " PIN_SHA1, INSERT, 10);
	reject_edit(enroll_tempcode, 10, "suite = " SUITE, INSERT, 10);
}

static void test_reject_secret(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ!", REPLACE, 11);
	reject_edit(enroll_ibkey, 11, "secret = gezdgnbvgy3tqojqgezdgnbvgy3tqojq", REPLACE, 11);
	reject_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQ GEZDGNBVGY3TQOJQ", REPLACE, 11);
	reject_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====", REPLACE, 11);
	reject_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ1", REPLACE, 11);
	/* 16 bytes, the last character with a bit set past the last byte */
	reject_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGZ", REPLACE, 11);
	accept_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY", REPLACE);
	reject_edit(enroll_ibkey, 11, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQG", REPLACE, 11);
	reject_edit(enroll_ibkey, 11, "secret =", REPLACE, 11);
	/* shorter than 16 bytes */
	reject_edit(enroll_ibkey, 11, "secret = " SECRET15, REPLACE, 11);
	reject_edit(enroll_dsc, 11, "secret = " SECRET15, REPLACE, 11);
	reject_edit(enroll_totp, 10, "secret = " SECRET15, REPLACE, 10);
	reject_edit(enroll_card, 10, "secret = " SECRET15, REPLACE, 10);
	/* longer than 64 bytes */
	reject_edit(
	    enroll_ibkey, 11,
	    "secret = AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPSAIJCEMSCKJRHFAUSUKZ"
	    "MFUXC6MBRGIZTINJWG44DSOR3HQ6T4P2A",
	    REPLACE, 11);
	accept_edit(
	    enroll_ibkey, 11,
	    "secret = AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPSAIJCEMSCKJRHFAUSUKZ"
	    "MFUXC6MBRGIZTINJWG44DSOR3HQ6T4PY",
	    REPLACE);
}

static void test_reject_pin_hash(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 12, "pin_hash = 7110eda4d09e062aa5e4a390b0a572ac0d2c022g",
		    REPLACE, 12);
	reject_edit(enroll_ibkey, 12, "pin_hash = 7110EDA4D09E062AA5E4A390B0A572AC0D2C0220",
		    REPLACE, 12);
	reject_edit(enroll_ibkey, 12, "pin_hash = 7110eda4d09e062aa5e4a390b0a572ac0d2c022", REPLACE,
		    12);
	reject_edit(enroll_ibkey, 12, "pin_hash =", REPLACE, 12);
	reject_edit(enroll_ibkey, 12, "pin_hash = 0x7110eda4d09e062aa5e4a390b0a572ac0d2c02",
		    REPLACE, 12);
	/* a SHA-256 hash for a PSHA1 suite, and the other way round */
	reject_edit(enroll_ibkey, 12, "pin_hash = " PIN_SHA256, REPLACE, 12);
	{
		char *t = test_edit(enroll_ibkey, 10, "suite = OCRA-1:HOTP-SHA256-8:QN06-PSHA256",
				    REPLACE);

		reject(t, 12);
		free(t);
	}
}

static void test_reject_suite(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 10, "suite = OCRA-1:HOTP-SHA256-8:QN06", REPLACE, 10);
	reject_edit(enroll_dsc, 10, "suite = OCRA-1:HOTP-SHA1-6:QN08", REPLACE, 10);
	reject_edit(enroll_ibkey, 10, "suite = OCRA-2:HOTP-SHA256-8:QN06-PSHA1", REPLACE, 10);
	reject_edit(enroll_ibkey, 10, "suite = OCRA-1:HOTP-MD5-8:QN06-PSHA1", REPLACE, 10);
	reject_edit(enroll_ibkey, 10, "suite = TOTP-SHA1-6-30", REPLACE, 10);
	reject_edit(enroll_ibkey, 10, "suite =", REPLACE, 10);
	/* totp suites */
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-9-30", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-5-30", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-sha1-6-30", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-MD5-6-30", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-6-0", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-6-030", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-6-3601", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-6", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = TOTP-SHA1-6-30-", INSERT, 11);
	reject_edit(enroll_totp, 11, "suite = " SUITE, INSERT, 11);
}

static void test_reject_level(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 13, "level = 2", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = 4", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = 03", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = 3x", REPLACE, 13);
	reject_edit(enroll_ibkey, 13, "level = -3", REPLACE, 13);
	reject_edit(enroll_dsc, 13, "level = 3", REPLACE, 13);
	reject_edit(enroll_totp, 11, "level = 1", REPLACE, 11);
	reject_edit(enroll_sms, 10, "level = 2", REPLACE, 10);
}

static void test_reject_status(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 14, "status = enabled", REPLACE, 14);
	reject_edit(enroll_ibkey, 14, "status = Active", REPLACE, 14);
	reject_edit(enroll_ibkey, 14, "status =", REPLACE, 14);
}

static void test_reject_times(void **state)
{
	static const char *const bad[] = {
	    "created = 0",
	    "created = -1",
	    "created = abc",
	    "created = 12abc",
	    "created = 0123",
	    "created = +123",
	    "created = 1 2",
	    "created = 1.5",
	    "created = 0x10",
	    "created =",
	    "created = 99999999999999999999",
	    "created = 9223372036854775808",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		reject_edit(enroll_ibkey, 15, bad[i], REPLACE, 15);
	accept_edit(enroll_ibkey, 15, "created = 9223372036854775807", REPLACE);
	reject_edit(enroll_ibkey, 15, "expires = -1", INSERT, 15);
	reject_edit(enroll_ibkey, 15, "expires = 5days", INSERT, 15);
	reject_edit(enroll_ibkey, 15, "expires =", INSERT, 15);
}

static void test_reject_bool(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 3, "phone_verified = true", REPLACE, 3);
	reject_edit(enroll_ibkey, 3, "phone_verified = 1", REPLACE, 3);
	reject_edit(enroll_ibkey, 4, "optout = YES", REPLACE, 4);
	reject_edit(enroll_ibkey, 4, "optout =", REPLACE, 4);
	reject_edit(enroll_ibkey, 4, "optout = no no", REPLACE, 4);
}

static void test_reject_phone(void **state)
{
	(void)state;
	reject_edit(enroll_ibkey, 2, "phone = 15551234567", REPLACE, 2);
	reject_edit(enroll_ibkey, 2, "phone = +12345", REPLACE, 2);
	reject_edit(enroll_ibkey, 2, "phone = +1234567890123456", REPLACE, 2);
	reject_edit(enroll_ibkey, 2, "phone = +1555-123-4567", REPLACE, 2);
	reject_edit(enroll_ibkey, 2, "phone = +1 5551234567", REPLACE, 2);
	reject_edit(enroll_ibkey, 2, "phone = ++15551234567", REPLACE, 2);
	reject_edit(enroll_ibkey, 2, "phone = +", REPLACE, 2);
}

static void test_reject_text(void **state)
{
	char line[128];

	(void)state;
	reject_edit(enroll_ibkey, 9, "label = a\x01z", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = a\tz", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = a\x1bz", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = a\xc2\x85z", REPLACE, 9); /* C1 NEL */
	reject_edit(enroll_ibkey, 9, "label = a\xffz", REPLACE, 9);
	reject_edit(enroll_ibkey, 9, "label = a\xc0\xafz", REPLACE, 9);         /* overlong */
	reject_edit(enroll_ibkey, 9, "label = a\xed\xa0\x80z", REPLACE, 9);     /* surrogate */
	reject_edit(enroll_ibkey, 9, "label = a\xf4\x90\x80\x80z", REPLACE, 9); /* > U+10FFFF */
	reject_edit(enroll_ibkey, 9, "label = a\xe2\x82", REPLACE, 9);          /* cut */
	reject_edit(enroll_ibkey, 5, "identity = x\x02", REPLACE, 5);
	/* 65 bytes */
	memset(line, 'x', sizeof(line));
	memcpy(line, "label = ", 8);
	line[8 + SLS_LABEL_MAX + 1] = '\0';
	reject_edit(enroll_ibkey, 9, line, REPLACE, 9);
	line[8 + SLS_LABEL_MAX] = '\0';
	accept_edit(enroll_ibkey, 9, line, REPLACE);
	/* shared_from */
	reject_edit(enroll_ibkey, 15, "shared_from = a/b", INSERT, 15);
	reject_edit(enroll_ibkey, 15, "shared_from = ..", INSERT, 15);
}

/* ---- serializer refusals ---------------------------------------------------- */

static void expect_format_inval(const struct sls_user *u)
{
	static char dummy;
	char *text = &dummy;
	size_t len = 99;

	assert_int_equal(sls_user_format(u, &text, &len), SLS_ERR_INVAL);
	assert_null(text);
	assert_int_equal(len, 0);
}

static void test_format_refuses(void **state)
{
	struct sls_user *u = new_user(), *v = calloc(1, sizeof(*v));
	struct sls_device *d;
	char *text;
	size_t len;

	(void)state;
	d = add_device(u, "laptop", &sls_devtype_ibkey, SLS_STATUS_ACTIVE);
	text = round_trip(u, &len);
	sls_free_secret(text, len + 1);

#define REFUSE(change)                                                                             \
	do {                                                                                       \
		memcpy(v, u, sizeof(*u));                                                          \
		d = &v->devices[0];                                                                \
		change;                                                                            \
		expect_format_inval(v);                                                            \
	} while (0)

	REFUSE(strcpy(d->label, "a\nb"));
	REFUSE(strcpy(d->label, "x\n[device evil]"));
	REFUSE(strcpy(d->label, " padded"));
	REFUSE(strcpy(d->label, "padded "));
	REFUSE(strcpy(d->label, "semi;colon"));
	REFUSE(strcpy(d->label, "bad \xff utf8"));
	REFUSE(memset(d->label, 'x', sizeof(d->label)));
	REFUSE(strcpy(v->identity, "Jane\n[user]"));
	REFUSE(strcpy(v->identity, "tab\there"));
	REFUSE(strcpy(v->phone, "5551234567"));
	REFUSE(strcpy(d->name, "a/b"));
	REFUSE(strcpy(d->name, ""));
	REFUSE(memset(d->name, 'a', sizeof(d->name)));
	REFUSE(d->level = 2);
	REFUSE(d->type = NULL);
	REFUSE(d->status = (enum sls_device_status)3);
	REFUSE(d->created = 0);
	REFUSE(d->created = -5);
	REFUSE(d->expires = -1);
	REFUSE(d->secret_len = 15);
	REFUSE(d->secret_len = SLS_SECRET_MAX + 1);
	REFUSE(d->u.ocra.pin_hash_len = 32);
	REFUSE(d->u.ocra.suite.pin_hash = SLS_HASH_SHA256);
	REFUSE(sls_ocra_suite_parse("OCRA-1:HOTP-SHA256-8:QN06", &d->u.ocra.suite, NULL));
	REFUSE(strcpy(d->u.ocra.suite.text, "OCRA-1:HOTP-SHA1-8:QN06-PSHA1"));
	REFUSE(strcpy(d->shared_from, "a/b"));
	REFUSE(d->u.totp.digits = 6);
	REFUSE(v->ndevices = SLS_DEVICES_MAX + 1);
	REFUSE((v->ndevices = 2, v->devices[1] = v->devices[0]));
	/* type-specific fields */
	REFUSE((d->type = &sls_devtype_sms, d->level = 1, d->u.ocra.pin_hash_len = 0,
		d->u.ocra.suite.text[0] = 0));
	REFUSE((d->type = &sls_devtype_totp, d->level = 2, d->u.ocra.pin_hash_len = 0,
		d->u.ocra.suite.text[0] = 0));
	REFUSE((d->type = &sls_devtype_card, d->level = 1));
	memset(&u->devices[0], 0, sizeof(u->devices[0]));
	u->ndevices = 0;
	d = add_device(u, "phone", &sls_devtype_totp, SLS_STATUS_ACTIVE);
	REFUSE(d->u.totp.digits = 9);
	REFUSE(d->u.totp.period = 0);
	REFUSE(d->u.totp.hash = (enum sls_hash)7);
#undef REFUSE
	sls_user_clear(u);
	free(u);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_format_golden),
	    cmocka_unit_test(test_samples_parse_and_format_back),
	    cmocka_unit_test(test_round_trip_all_types),
	    cmocka_unit_test(test_round_trip_limits),
	    cmocka_unit_test(test_find_device),
	    cmocka_unit_test(test_accepted_variants),
	    cmocka_unit_test(test_reject_empty),
	    cmocka_unit_test(test_reject_unknown_section),
	    cmocka_unit_test(test_reject_unknown_key),
	    cmocka_unit_test(test_reject_duplicate_key),
	    cmocka_unit_test(test_reject_duplicate_device),
	    cmocka_unit_test(test_reject_duplicate_user),
	    cmocka_unit_test(test_reject_user_missing_or_late),
	    cmocka_unit_test(test_reject_user_missing_key),
	    cmocka_unit_test(test_reject_device_name),
	    cmocka_unit_test(test_reject_section_syntax),
	    cmocka_unit_test(test_reject_too_many_devices),
	    cmocka_unit_test(test_reject_line_syntax),
	    cmocka_unit_test(test_reject_continuation),
	    cmocka_unit_test(test_reject_inline_comment),
	    cmocka_unit_test(test_reject_long_line),
	    cmocka_unit_test(test_reject_truncated),
	    cmocka_unit_test(test_reject_bad_type),
	    cmocka_unit_test(test_reject_missing_key),
	    cmocka_unit_test(test_reject_key_not_for_type),
	    cmocka_unit_test(test_reject_secret),
	    cmocka_unit_test(test_reject_pin_hash),
	    cmocka_unit_test(test_reject_suite),
	    cmocka_unit_test(test_reject_level),
	    cmocka_unit_test(test_reject_status),
	    cmocka_unit_test(test_reject_times),
	    cmocka_unit_test(test_reject_bool),
	    cmocka_unit_test(test_reject_phone),
	    cmocka_unit_test(test_reject_text),
	    cmocka_unit_test(test_format_refuses),
	};

	return cmocka_run_group_tests_name("common: enrolment file", tests, NULL, NULL);
}
