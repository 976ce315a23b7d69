/*
 * pam_sls - OCRA devices (RFC 6287): ibkey, the soft key with a PIN of 4 to
 * 6 characters (level 3), and dsc, the hardware-style key with a 4-digit
 * PIN (level 4). Both answer a challenge with a response that the PIN
 * enters, from the suite OCRA-1:HOTP-SHA256-8:QN06-PSHA1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini_util.h"
#include "sls_attempt.h"
#include "sls_config.h"
#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_i18n.h"
#include "sls_log.h"
#include "sls_qr.h"
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

/* The challenge's QR code stands above the prompt's two lines in an 80x24 terminal. */
#define QR_MAX_COLS  80
#define QR_MAX_LINES 22
/* Longer than any text a QR code of QR_MAX_LINES holds (134 bytes at level L). */
#define QR_TEXT_MAX 512

/*
 * Why a challenge is shown without its QR code, logged without the
 * challenge: a drawing that failed always, one too large for 80x24 with
 * debug (the user's, the host's or the device's name is long; every login
 * would say so).
 */
static void qr_skipped(const struct sls_device *d, const struct sls_ask *ask, enum sls_rc rc,
		       int errnum)
{
	struct sls_diag diag = {0};

	if (ask->log == NULL)
		return;
	if (rc == SLS_ERR_TOOBIG) {
		if (ask->log->debug)
			sls_log_event(ask->log, SLS_EV_QR_SKIPPED, d->name, "ignore", NULL,
				      "challenge_qr: the QR code would not fit 80x24 (a long user, "
				      "host or device name): the challenge alone");
		return;
	}
	/* ENOSYS: libqrencode could not be loaded (pam_sls/module/qrencode_dl.c) */
	sls_diag_set(&diag, 0, "%s",
		     errnum == ENOSYS ? "libqrencode cannot be loaded" : sls_strerror(rc));
	sls_log_event(
	    ask->log, SLS_EV_QR_SKIPPED, d->name, "error", &diag,
	    "challenge_qr: the challenge's QR code could not be drawn: the challenge alone");
}

/*
 * The challenge's QR code (sls_challenge_text: the user, this host, the
 * device and the challenge), for a phone's soft key to read: a drawing at
 * most QR_MAX_COLS x QR_MAX_LINES into *qr (*len; free with
 * sls_free_secret), or false with nothing: [login] challenge_qr is off, the
 * host names no user, the challenge goes to a script (plain_challenge), or
 * no such drawing could be made (logged). Either way the login goes on.
 */
static bool challenge_qr(const struct sls_device *d, const struct sls_attempt *a,
			 const struct sls_ask *ask, char **qr, size_t *len)
{
	char issuer[256], text[QR_TEXT_MAX];
	enum sls_rc rc;
	int errnum = 0;

	*qr = NULL;
	*len = 0;
	if (ask->conf == NULL || !ask->conf->challenge_qr || ask->user == NULL ||
	    ask->ui->plain_challenge)
		return false;
	sls_issuer_or_localhost(issuer, sizeof(issuer));
	rc = sls_challenge_text(ask->user, issuer, d->name, a->challenge, text, sizeof(text));
	if (rc == SLS_OK) {
		errno = 0;
		rc = sls_qr_render_small_within(text, ask->ui->colour, QR_MAX_COLS, QR_MAX_LINES,
						qr, len);
		errnum = errno; /* the drawing's own: ENOSYS when libqrencode cannot be loaded */
	}
	if (rc != SLS_OK)
		qr_skipped(d, ask, rc, errnum);
	return rc == SLS_OK;
}

/*
 * "Challenge: 123456\nResponse: " into typed (plain for a script, else in
 * the user's language); with the challenge's QR code, an empty line, the
 * code's lines and typed in one malloc'ed *prompt (*size bytes, for
 * sls_free_secret), else *prompt NULL. Everything stands in the one prompt
 * (sshd shows a message only with the next prompt); the empty line takes
 * what a host puts before a prompt (ssh: "(alice@host) "), which would
 * shift the code's first line, and scrolls away in 80x24.
 */
static void make_prompt(const struct sls_device *d, const struct sls_attempt *a,
			const struct sls_ask *ask, char *typed, size_t typed_size, char **prompt,
			size_t *size)
{
	char *qr = NULL;
	size_t qrlen = 0;

	*prompt = NULL;
	*size = 0;
	/* TRANSLATORS: %s is the challenge (digits); the reply is typed after "Response: " */
	snprintf(typed, typed_size,
		 ask->ui->plain_challenge ? "Challenge: %s\nResponse: "
					  : _("Challenge: %s\nResponse: "),
		 a->challenge);
	if (!challenge_qr(d, a, ask, &qr, &qrlen))
		return;
	*size = 1 + qrlen + 1 + strlen(typed) + 1;
	*prompt = malloc(*size);
	if (*prompt != NULL)
		snprintf(*prompt, *size, "\n%s\n%s", qr, typed);
	else
		*size = 0; /* the typed prompt alone */
	sls_free_secret(qr, qrlen + 1);
}

/*
 * "Challenge: 123456\nResponse: " (the prompt pam_sls(8) gives), with
 * [login] challenge_qr a QR code above it: the PIN enters the response, so
 * a wrong PIN is a wrong response, counted like any other. The QR code
 * changes nothing else: without it the same prompt is asked.
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	struct sls_ocra_input in = {.question = a->challenge,
				    .pin_hash = d->u.ocra.pin_hash,
				    .pin_hash_len = d->u.ocra.pin_hash_len};
	char typed[64], answer[SLS_ANSWER_MAX + 1], *prompt = NULL;
	struct timespec asked;
	size_t size = 0;
	enum sls_rc rc;

	*step = 0;
	make_prompt(d, a, ask, typed, sizeof(typed), &prompt, &size);
	clock_gettime(CLOCK_MONOTONIC, &asked);
	rc = sls_ui_ask_answer(ask->ui, prompt != NULL ? prompt : typed, answer, sizeof(answer));
	sls_free_secret(prompt, size);
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
