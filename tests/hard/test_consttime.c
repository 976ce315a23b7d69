/*
 * Constant time, checked by construction (issue 16). The program is linked
 * with -Wl,--wrap for CRYPTO_memcmp and sls_hmac (and memcmp, strcmp,
 * strncmp), so every call the library makes to them comes here first and is
 * counted. Each device type's attempt hook (what a login runs) is given a
 * right answer, one wrong in its first byte and one wrong in its last: all
 * three must make the same CRYPTO_memcmp calls with the same lengths (the
 * whole response, code or hash) and the same number of HMACs, and no plain
 * memcmp/strcmp/strncmp may see the right answer while a wrong one is
 * checked. For TOTP, a code of step -1, 0, +1 and none must each compute
 * the whole window.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "helpers.h"
#include "sls.h"
#include "sls_card.h"
#include "sls_scratch.h"
#include "sls_tempcode.h"

/* ---- the wrapped functions ------------------------------------------------------ */

#define CMP_KEEP 64

struct trace {
	size_t ncmp;          /* CRYPTO_memcmp calls */
	size_t len[CMP_KEEP]; /* their lengths, in order */
	size_t nhmac;         /* sls_hmac calls */
	size_t nplain;        /* plain compares that saw the watched text */
	const char *watch;    /* the right answer, while a wrong one is checked */
};

static struct trace *rec; /* recording into this, or NULL */

int __real_CRYPTO_memcmp(const void *a, const void *b, size_t len);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len);
enum sls_rc __real_sls_hmac(enum sls_hash h, const uint8_t *key, size_t keylen, const uint8_t *msg,
			    size_t msglen, uint8_t *out, size_t *outlen);
enum sls_rc __wrap_sls_hmac(enum sls_hash h, const uint8_t *key, size_t keylen, const uint8_t *msg,
			    size_t msglen, uint8_t *out, size_t *outlen);
int __real_memcmp(const void *a, const void *b, size_t n);
int __wrap_memcmp(const void *a, const void *b, size_t n);
int __real_strcmp(const char *a, const char *b);
int __wrap_strcmp(const char *a, const char *b);
int __real_strncmp(const char *a, const char *b, size_t n);
int __wrap_strncmp(const char *a, const char *b, size_t n);

int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
	if (rec != NULL) {
		if (rec->ncmp < CMP_KEEP)
			rec->len[rec->ncmp] = len;
		rec->ncmp++;
	}
	return __real_CRYPTO_memcmp(a, b, len);
}

enum sls_rc __wrap_sls_hmac(enum sls_hash h, const uint8_t *key, size_t keylen, const uint8_t *msg,
			    size_t msglen, uint8_t *out, size_t *outlen)
{
	if (rec != NULL)
		rec->nhmac++;
	return __real_sls_hmac(h, key, keylen, msg, msglen, out, outlen);
}

/* Whether n bytes at p begin with the watched text. */
static bool sees(const void *p, size_t n)
{
	size_t w = rec != NULL && rec->watch != NULL ? strlen(rec->watch) : 0;

	return w > 0 && n >= w && __real_memcmp(p, rec->watch, w) == 0;
}

static void note_plain(const void *a, const void *b, size_t n)
{
	if (sees(a, n) || sees(b, n))
		rec->nplain++;
}

int __wrap_memcmp(const void *a, const void *b, size_t n)
{
	note_plain(a, b, n);
	return __real_memcmp(a, b, n);
}

int __wrap_strcmp(const char *a, const char *b)
{
	note_plain(a, b, strlen(a) < strlen(b) ? strlen(a) + 1 : strlen(b) + 1);
	return __real_strcmp(a, b);
}

int __wrap_strncmp(const char *a, const char *b, size_t n)
{
	note_plain(a, b, strnlen(a, n) < strnlen(b, n) ? strnlen(a, n) : strnlen(b, n));
	return __real_strncmp(a, b, n);
}

/* ---- one attempt, traced ---------------------------------------------------------- */

/* d's attempt hook for a (copied) answered with reply: its result and trace into t. */
static enum sls_rc traced_attempt(const struct sls_device *d, const struct sls_attempt *a,
				  const char *reply, const char *watch, struct trace *t)
{
	const char *replies[] = {reply};
	struct sls_config conf;
	struct sls_attempt copy = *a;
	struct script s;
	struct sls_ui ui;
	struct sls_ask ask;
	uint64_t step = 0;
	enum sls_rc rc;

	memset(&ui, 0, sizeof(ui));
	memset(&ask, 0, sizeof(ask));
	memset(t, 0, sizeof(*t));
	sls_config_defaults(&conf);
	script_ui(&s, replies, 1, &ui);
	ask.ui = &ui;
	ask.conf = &conf;
	t->watch = watch;
	rec = t;
	rc = d->type->attempt(d, &copy, &ask, &step);
	rec = NULL;
	return rc;
}

static void print_trace(const char *type, const char *what, const struct trace *t)
{
	printf("# %s, %s: %zu HMAC, %zu CRYPTO_memcmp of length", type, what, t->nhmac, t->ncmp);
	for (size_t i = 0; i < t->ncmp && i < CMP_KEEP; i++)
		printf(" %zu", t->len[i]);
	printf("\n");
}

/* right with its first, then its last character changed to another allowed one. */
static void wrong_at(const char *right, bool first, char *out, size_t size)
{
	size_t i;
	char *c;

	snprintf(out, size, "%s", right);
	for (i = first ? 0 : strlen(out) - 1; out[i] == ' ' || out[i] == '-'; i += first ? 1 : -1)
		;
	c = &out[i];
	if (*c >= '0' && *c <= '9')
		*c = (char)('0' + (*c - '0' + 1) % 10);
	else
		*c = *c == 'A' ? 'B' : 'A';
}

/*
 * The check of device d: the right answer is let in, both wrong ones are
 * not, and all three make the same compares (each of full_len bytes) and
 * the same HMACs.
 */
static void check_type(const struct sls_device *d, const struct sls_attempt *a, const char *right,
		       size_t full_len)
{
	struct trace r, f, l;
	char first[64], last[64];

	wrong_at(right, true, first, sizeof(first));
	wrong_at(right, false, last, sizeof(last));
	assert_int_equal(traced_attempt(d, a, right, NULL, &r), SLS_OK);
	assert_int_equal(traced_attempt(d, a, first, right, &f), SLS_ERR_MISMATCH);
	assert_int_equal(traced_attempt(d, a, last, right, &l), SLS_ERR_MISMATCH);
	print_trace(d->type->name, "right", &r);
	print_trace(d->type->name, "wrong first byte", &f);
	print_trace(d->type->name, "wrong last byte", &l);
	assert_true(r.ncmp >= 1 && r.ncmp <= CMP_KEEP);
	assert_int_equal(f.ncmp, r.ncmp);
	assert_int_equal(l.ncmp, r.ncmp);
	assert_memory_equal(f.len, r.len, sizeof(r.len));
	assert_memory_equal(l.len, r.len, sizeof(r.len));
	for (size_t i = 0; i < r.ncmp; i++)
		assert_int_equal(r.len[i], full_len);
	assert_true(r.nhmac >= 1);
	assert_int_equal(f.nhmac, r.nhmac);
	assert_int_equal(l.nhmac, r.nhmac);
	/* the right answer never reaches a plain compare while a wrong one is checked */
	assert_int_equal(f.nplain, 0);
	assert_int_equal(l.nplain, 0);
}

/* ---- the devices ------------------------------------------------------------------ */

static const uint8_t key32[32] = "12345678901234567890123456789012";
static const uint8_t key20[20] = "12345678901234567890";

static void base(struct sls_device *d, const char *name, const struct sls_devtype *type)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->type = type;
	d->level = type->level;
	d->status = SLS_STATUS_ACTIVE;
	d->created = 1700000000;
}

static void check_ocra(const struct sls_devtype *type, const char *pin)
{
	struct sls_device d;
	struct sls_attempt a;
	struct sls_ocra_input in = {.question = "402817", .pin = pin};
	char right[SLS_OCRA_RESPONSE_MAX];

	base(&d, "key", type);
	assert_int_equal(sls_ocra_suite_parse(SLS_OCRA_DEFAULT_SUITE, &d.u.ocra.suite, NULL),
			 SLS_OK);
	assert_int_equal(
	    sls_ocra_pin_hash(&d.u.ocra.suite, pin, d.u.ocra.pin_hash, &d.u.ocra.pin_hash_len),
	    SLS_OK);
	memcpy(d.secret, key32, sizeof(key32));
	d.secret_len = sizeof(key32);
	memset(&a, 0, sizeof(a));
	snprintf(a.challenge, sizeof(a.challenge), "%s", in.question);
	assert_int_equal(
	    sls_ocra_compute(&d.u.ocra.suite, key32, sizeof(key32), &in, right, sizeof(right)),
	    SLS_OK);
	check_type(&d, &a, right, strlen(right));
}

static void test_ibkey(void **unused)
{
	(void)unused;
	check_ocra(&sls_devtype_ibkey, "4821");
}

static void test_dsc(void **unused)
{
	(void)unused;
	check_ocra(&sls_devtype_dsc, "7305");
}

static void totp_device(struct sls_device *d)
{
	base(d, "phone", &sls_devtype_totp);
	d->u.totp.hash = SLS_HASH_SHA1;
	d->u.totp.digits = 6;
	d->u.totp.period = 30;
	memcpy(d->secret, key20, sizeof(key20));
	d->secret_len = sizeof(key20);
}

/* The attempt hook (it reads the clock: the code of now matches step 0 or, past a step, -1). */
static void test_totp(void **unused)
{
	struct sls_device d;
	struct sls_attempt a;
	char right[16];

	(void)unused;
	totp_device(&d);
	memset(&a, 0, sizeof(a));
	assert_int_equal(
	    sls_totp(SLS_HASH_SHA1, key20, sizeof(key20), time(NULL), 30, 6, right, sizeof(right)),
	    SLS_OK);
	check_type(&d, &a, right, 6);
}

/*
 * The window without an early exit: at a fixed time, a code of step -1, 0,
 * +1, -2, +2 (outside), a used step and a wrong code each compute and
 * compare all three steps.
 */
static void test_totp_window(void **unused)
{
	const time_t now = 1800000015; /* step 60000000 */
	const uint64_t s = sls_totp_step(now, 30);
	static const int offsets[] = {-1, 0, 1, -2, 2};
	struct trace t, first;
	char code[16];
	uint64_t matched;
	enum sls_rc rc;

	(void)unused;
	for (size_t i = 0; i <= sizeof(offsets) / sizeof(offsets[0]) + 1; i++) {
		uint64_t not_before = i == 5 ? s : 0; /* i = 5: the code of step 0, used */
		int off = i < 5 ? offsets[i] : 0;

		assert_int_equal(sls_hotp(SLS_HASH_SHA1, key20, sizeof(key20), s + (uint64_t)off, 6,
					  code, sizeof(code)),
				 SLS_OK);
		if (i == 6) /* a wrong code */
			code[5] = (char)('0' + (code[5] - '0' + 1) % 10);
		memset(&t, 0, sizeof(t));
		rec = &t;
		rc = sls_totp_verify(SLS_HASH_SHA1, key20, sizeof(key20), now, 30, 6, 1, not_before,
				     code, &matched);
		rec = NULL;
		printf("# totp window, case %zu (offset %d%s): rc %d, %zu HMAC, %zu "
		       "CRYPTO_memcmp\n",
		       i, off,
		       i == 5   ? ", used"
		       : i == 6 ? ", wrong"
				: "",
		       rc, t.nhmac, t.ncmp);
		if (i < 3) {
			assert_int_equal(rc, SLS_OK);
			assert_int_equal(matched, s + (uint64_t)off);
		} else {
			assert_int_equal(rc, SLS_ERR_MISMATCH);
		}
		if (i == 0)
			first = t;
		assert_int_equal(t.nhmac, 3);
		assert_int_equal(t.ncmp, 3);
		assert_int_equal(t.nhmac, first.nhmac);
		assert_memory_equal(t.len, first.len, sizeof(t.len));
	}
}

static void test_sms(void **unused)
{
	struct sls_device d;
	struct sls_attempt a;
	char code[SLS_SMS_CODE_DIGITS + 1];

	(void)unused;
	base(&d, "mobile", &sls_devtype_sms);
	memset(&a, 0, sizeof(a));
	snprintf(a.phone, sizeof(a.phone), "+491721234567");
	assert_int_equal(sls_pending_new(&a.pending, code, sizeof(code), time(NULL), 300), SLS_OK);
	check_type(&d, &a, code, SLS_CODE_HASH_LEN);
}

static void test_card(void **unused)
{
	struct sls_device d;
	struct sls_attempt a;
	char p[8], q[8], right[24];

	(void)unused;
	base(&d, "card", &sls_devtype_card);
	memcpy(d.secret, key20, sizeof(key20));
	d.secret_len = sizeof(key20);
	memset(&a, 0, sizeof(a));
	a.positions[0] = 17;
	a.positions[1] = 45;
	assert_int_equal(sls_card_code(&d, 17, p, sizeof(p)), SLS_OK);
	assert_int_equal(sls_card_code(&d, 45, q, sizeof(q)), SLS_OK);
	snprintf(right, sizeof(right), "%s%s", p, q);
	check_type(&d, &a, right, strlen(right));
}

static void test_tempcode(void **unused)
{
	struct sls_device d;
	struct sls_attempt a;
	struct sls_config conf;
	char code[SLS_TEMPCODE_LEN + 8], right[SLS_TEMPCODE_LEN + 8];

	(void)unused;
	base(&d, "tempcode", &sls_devtype_tempcode);
	sls_config_defaults(&conf);
	assert_int_equal(sls_tempcode_new(&d, &conf, time(NULL), code, sizeof(code)), SLS_OK);
	assert_true(sls_strip_separators(code, right, sizeof(right)));
	memset(&a, 0, sizeof(a));
	check_type(&d, &a, right, 32);
}

static void test_scratch(void **unused)
{
	static const char *const codes[] = {"12345678", "23456789", "34567890"};
	struct sls_device d;
	struct sls_attempt a;

	(void)unused;
	base(&d, "scratch", &sls_devtype_scratch);
	assert_int_equal(sls_scratch_new(&d, codes, 3), SLS_OK);
	memset(&a, 0, sizeof(a));
	check_type(&d, &a, codes[1], SLS_SCRATCH_TAG_LEN);
}

/* Every type a login can ask is covered here. */
static void test_every_type_covered(void **unused)
{
	static const char *const covered[] = {"ibkey", "dsc",      "totp",   "sms",
					      "card",  "tempcode", "scratch"};

	(void)unused;
	for (size_t i = 0; i < sls_devtypes_builtin.n; i++) {
		const struct sls_devtype *t = sls_devtypes_builtin.list[i];
		bool found = false;

		for (size_t k = 0; k < sizeof(covered) / sizeof(covered[0]); k++)
			found |= strcmp(t->name, covered[k]) == 0;
		if (sls_devtype_askable(t) && !found)
			fail_msg("device type %s has an attempt hook but no constant-time check",
				 t->name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ibkey),
	    cmocka_unit_test(test_dsc),
	    cmocka_unit_test(test_totp),
	    cmocka_unit_test(test_totp_window),
	    cmocka_unit_test(test_sms),
	    cmocka_unit_test(test_card),
	    cmocka_unit_test(test_tempcode),
	    cmocka_unit_test(test_scratch),
	    cmocka_unit_test(test_every_type_covered),
	};

	return cmocka_run_group_tests_name("constant-time compares, counted", tests, NULL, NULL);
}
