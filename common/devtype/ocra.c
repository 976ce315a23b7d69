/*
 * pam_sls - OCRA devices (RFC 6287): ibkey, the soft key with a PIN of 4 to
 * 6 characters (level 3), and dsc, the hardware-style key with a 4-digit
 * PIN (level 4). Both answer a challenge with a response that the PIN
 * enters, from the suite OCRA-1:HOTP-SHA256-8:QN06-PSHA1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_attempt.h"
#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_i18n.h"
#include "sls_secret.h"
#include "sls_random.h"
#include "sls_state.h"
#include "sls_ui.h"
#include "sls_uri.h"

static bool suite_parse(const char *s, struct sls_ocra_suite *suite)
{
	memset(suite, 0, sizeof(*suite));
	if (strlen(s) > SLS_OCRA_SUITE_MAX || sls_ocra_suite_parse(s, suite, NULL) != SLS_OK) {
		memset(suite, 0, sizeof(*suite));
		return false;
	}
	return true;
}

/* ---- the enrolment file ---- */

static const char *key_suite(struct sls_device *d, const char *v)
{
	if (!suite_parse(v, &d->u.ocra.suite))
		return "invalid OCRA suite";
	return d->u.ocra.suite.pin ? NULL : "OCRA suite without a PIN";
}

/* The length is checked against the suite when the section ends. */
static const char *key_pin_hash(struct sls_device *d, const char *v)
{
	size_t n = strlen(v) / 2;

	if (n == 0 || n > SLS_HASH_MAX || sls_ini_parse_hex(v, d->u.ocra.pin_hash, n) != SLS_OK)
		return "bad hex";
	d->u.ocra.pin_hash_len = n;
	return NULL;
}

enum { K_SUITE, K_SECRET, K_PIN_HASH };

static const struct sls_devkey keys[] = {
    [K_SUITE] = {"suite", key_suite, true},
    [K_SECRET] = {"secret", sls_devkey_secret, true},
    [K_PIN_HASH] = {"pin_hash", key_pin_hash, true},
};

static const char *finish(struct sls_device *d, const bool *seen, int *bad)
{
	(void)seen;
	if (d->u.ocra.pin_hash_len == sls_hash_size(d->u.ocra.suite.pin_hash))
		return NULL;
	*bad = K_PIN_HASH;
	return "wrong length for the suite";
}

/* The suite holds what its text says, with a PIN, and the PIN hash has its size. */
static bool valid(const struct sls_device *d)
{
	const struct sls_ocra_suite *t = &d->u.ocra.suite;
	struct sls_ocra_suite s;

	if (!sls_devkey_secret_ok(d) || memchr(t->text, '\0', sizeof(t->text)) == NULL ||
	    !suite_parse(t->text, &s))
		return false;
	return s.pin && s.hash == t->hash && s.digits == t->digits && s.counter == t->counter &&
	       s.q_format == t->q_format && s.q_len == t->q_len && s.pin == t->pin &&
	       s.pin_hash == t->pin_hash && s.session_len == t->session_len &&
	       s.time_step == t->time_step && d->u.ocra.pin_hash_len == sls_hash_size(s.pin_hash);
}

static void format(struct sls_ini_buf *b, const struct sls_device *d)
{
	sls_ini_buf_key(b, "suite", d->u.ocra.suite.text);
	sls_devkey_format_secret(b, d);
	sls_ini_buf_key_hex(b, "pin_hash", d->u.ocra.pin_hash, d->u.ocra.pin_hash_len);
}

/* ---- a login ---- */

/* A fresh challenge, none of those the device answered in its recent logins. */
static enum sls_rc prepare(const struct sls_device *d, const struct sls_hookctx *ctx,
			   struct sls_attempt *a)
{
	(void)d;
	return sls_challenge_draw(ctx->ds, a->challenge, sizeof(a->challenge));
}

/*
 * "Challenge: 123456\nResponse: " (the prompt pam_sls(8) gives): the PIN enters the
 * response, so a wrong PIN is a wrong response, counted like any other.
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	struct sls_ocra_input in = {.question = a->challenge,
				    .pin_hash = d->u.ocra.pin_hash,
				    .pin_hash_len = d->u.ocra.pin_hash_len};
	char prompt[64], answer[SLS_ANSWER_MAX + 1];
	struct timespec asked;
	enum sls_rc rc;

	*step = 0;
	/* TRANSLATORS: %s is the challenge (digits); the reply is typed after "Response: " */
	snprintf(prompt, sizeof(prompt),
		 ask->ui->plain_challenge ? "Challenge: %s\nResponse: "
					  : _("Challenge: %s\nResponse: "),
		 a->challenge);
	clock_gettime(CLOCK_MONOTONIC, &asked);
	rc = sls_ui_ask_answer(ask->ui, prompt, answer, sizeof(answer));
	if (rc == SLS_OK && sls_ask_too_late(ask, &asked))
		rc = SLS_ERR_MISMATCH;
	if (rc == SLS_OK)
		rc = sls_ocra_verify(&d->u.ocra.suite, d->secret, d->secret_len, &in, answer);
	sls_wipe(answer, sizeof(answer));
	return rc;
}

/* The challenge answered right is never given to the device again (for 1,000 logins). */
static enum sls_rc record(const struct sls_device *d, struct sls_state *state,
			  struct sls_device_state *ds, const struct sls_attempt *a, uint64_t step)
{
	uint32_t q;

	(void)d;
	(void)state;
	(void)step;
	if (!sls_challenge_parse(a->challenge, strlen(a->challenge), &q))
		return SLS_ERR_INVAL;
	sls_device_state_add_used(ds, q);
	return SLS_OK;
}

/* ---- sls enroll ---- */

#define SECRET_BYTES 32 /* 256 bits for HMAC-SHA256 */

static enum sls_rc provision(struct sls_device *d, const struct sls_provision *p, char **uri)
{
	struct sls_otpauth o;
	enum sls_rc rc;

	d->secret_len = SECRET_BYTES;
	rc = sls_random_bytes(d->secret, d->secret_len);
	if (rc == SLS_OK && !suite_parse(SLS_OCRA_DEFAULT_SUITE, &d->u.ocra.suite))
		rc = SLS_ERR_SUITE;
	if (rc != SLS_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	o.type = SLS_URI_OCRA;
	snprintf(o.issuer, sizeof(o.issuer), "%s", p->issuer);
	snprintf(o.account, sizeof(o.account), "%s", p->account);
	snprintf(o.device, sizeof(o.device), "%s", d->name);
	memcpy(o.secret, d->secret, d->secret_len);
	o.secret_len = d->secret_len;
	o.suite = d->u.ocra.suite;
	rc = sls_otpauth_build(&o, uri);
	sls_otpauth_clear(&o);
	return rc;
}

/* The PIN enters every response through its hash (the suite's P). */
static enum sls_rc set_pin(struct sls_device *d, const char *pin)
{
	return sls_ocra_pin_hash(&d->u.ocra.suite, pin, d->u.ocra.pin_hash,
				 &d->u.ocra.pin_hash_len);
}

/* ---- the types ---- */

#define OCRA_HOOKS                                                                                 \
	.keys = keys, .nkeys = sizeof(keys) / sizeof(keys[0]),                                     \
	.own_size = sizeof(((struct sls_device *)0)->u.ocra), .finish = finish, .valid = valid,    \
	.format = format, .prepare = prepare, .attempt = attempt, .record = record,                \
	.provision = provision, .set_pin = set_pin

const struct sls_devtype sls_devtype_ibkey = {
    .name = "ibkey",
    .level = 3,
    .pin = SLS_PINKIND_ANY_4_6,
    OCRA_HOOKS,
};

const struct sls_devtype sls_devtype_dsc = {
    .name = "dsc",
    .level = 4,
    .pin = SLS_PINKIND_DIGITS_4,
    OCRA_HOOKS,
};
