/*
 * pam_sls - temporary passcodes, level 1: a 12-character code an
 * administrator gives a user who lost their devices (sls tempcode). Only a
 * salt and the code's salted hash are kept. It logs in until login_until;
 * after that, until the device expires, only sls card print takes it (for
 * an online security code card). A stand-in: revoked when the user
 * activates a device of their own.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_attempt.h"
#include "sls_devtype.h"
#include "sls_log.h"
#include "sls_otp.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_tempcode.h"
#include "sls_ui.h"

/* Uppercase letters and digits that cannot be read as one another: no 0/O, 1/I/L. */
static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

#define SALT_LEN   16
#define HASH_LEN   32
#define SECRET_LEN (SALT_LEN + HASH_LEN)
#define DAY        86400

/* HMAC-SHA-256 of the code (uppercase, no separators) under the salt. */
static enum sls_rc code_hash(const uint8_t *salt, const char *code, uint8_t *out)
{
	size_t len = 0;
	enum sls_rc rc = sls_hmac(SLS_HASH_SHA256, salt, SALT_LEN, (const uint8_t *)code,
				  strlen(code), out, &len);

	return rc == SLS_OK && len == HASH_LEN ? SLS_OK : SLS_ERR_CRYPTO;
}

/* ---- the enrolment file ---- */

static const char *key_secret(struct sls_device *d, const char *v)
{
	const char *why = sls_devkey_secret(d, v);

	return why != NULL || d->secret_len == SECRET_LEN ? why : "not a salt and a hash";
}

static const char *key_login_until(struct sls_device *d, const char *v)
{
	return sls_ini_parse_time(v, true, &d->u.tempcode.login_until) ? NULL : "not an epoch time";
}

enum { K_SECRET, K_LOGIN_UNTIL };

static const struct sls_devkey keys[] = {
    [K_SECRET] = {"secret", key_secret, true},
    [K_LOGIN_UNTIL] = {"login_until", key_login_until, true},
};

static bool valid(const struct sls_device *d)
{
	return d->secret_len == SECRET_LEN && d->u.tempcode.login_until > 0;
}

static void format(struct sls_ini_buf *b, const struct sls_device *d)
{
	sls_devkey_format_secret(b, d);
	sls_ini_buf_key_num(b, "login_until", (uint64_t)d->u.tempcode.login_until);
}

/* ---- issuing one ---- */

enum sls_rc sls_tempcode_new(struct sls_device *d, const struct sls_config *conf, time_t now,
			     char *code, size_t size)
{
	char plain[SLS_TEMPCODE_LEN + 1];
	enum sls_rc rc = size > SLS_TEMPCODE_LEN + 2 ? SLS_OK : SLS_ERR_INVAL;
	uint32_t k;

	for (size_t i = 0; rc == SLS_OK && i < SLS_TEMPCODE_LEN; i++) {
		rc = sls_random_uniform(sizeof(alphabet) - 1, &k);
		plain[i] = alphabet[k];
	}
	plain[SLS_TEMPCODE_LEN] = '\0';
	if (rc == SLS_OK)
		rc = sls_random_bytes(d->secret, SALT_LEN);
	if (rc == SLS_OK)
		rc = code_hash(d->secret, plain, d->secret + SALT_LEN);
	if (rc == SLS_OK) {
		snprintf(code, size, "%.4s-%.4s-%.4s", plain, plain + 4, plain + 8);
		d->type = &sls_devtype_tempcode;
		d->level = sls_devtype_tempcode.level;
		d->secret_len = SECRET_LEN;
		d->status = SLS_STATUS_ACTIVE;
		d->created = now;
		d->u.tempcode.login_until = now + (time_t)conf->tempcode_full_days * DAY;
		d->expires = d->u.tempcode.login_until + (time_t)conf->tempcode_card_days * DAY;
	}
	sls_wipe(plain, sizeof(plain));
	return rc;
}

time_t sls_tempcode_login_until(const struct sls_device *d)
{
	return d->u.tempcode.login_until;
}

enum sls_tempcode_phase sls_tempcode_phase(const struct sls_device *d, time_t now)
{
	if (d->status != SLS_STATUS_ACTIVE || (d->expires != 0 && now >= d->expires))
		return SLS_TEMPCODE_OVER;
	return now < d->u.tempcode.login_until ? SLS_TEMPCODE_LOGIN : SLS_TEMPCODE_CARD;
}

/* ---- a login ---- */

static void when(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, size, "later");
}

/* The menu says what it is still good for: "logs in until 2026-12-02 10:15". */
static void label(const struct sls_device *d, const struct sls_user *u, char *out, size_t size)
{
	char t[32];

	(void)u;
	if (sls_tempcode_phase(d, time(NULL)) == SLS_TEMPCODE_LOGIN) {
		when(d->u.tempcode.login_until, t, sizeof(t));
		snprintf(out, size, "(logs in until %s)", t);
	} else {
		snprintf(out, size, "(only for sls card print)");
	}
}

/* Whether answer (spaces and dashes gone) is d's code, letters in either case. */
static enum sls_rc check(const struct sls_device *d, const char *answer)
{
	char code[SLS_ANSWER_MAX + 1];
	uint8_t h[HASH_LEN];
	size_t n = strlen(answer);
	enum sls_rc rc;

	if (n >= sizeof(code))
		return SLS_ERR_MISMATCH;
	for (size_t i = 0; i <= n; i++)
		code[i] = (char)toupper((unsigned char)answer[i]);
	rc = code_hash(d->secret, code, h);
	if (rc == SLS_OK)
		rc = sls_secure_equal(h, d->secret + SALT_LEN, HASH_LEN) && n == SLS_TEMPCODE_LEN
			 ? SLS_OK
			 : SLS_ERR_MISMATCH;
	sls_wipe(code, sizeof(code));
	sls_wipe(h, sizeof(h));
	return rc;
}

/*
 * "Temporary passcode: ". Past its login days the right code is still a
 * failure at a login (counted like any other), and the user is told what
 * it is good for now; sls card print (ask->card_print) takes it.
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char answer[SLS_ANSWER_MAX + 1], t[32];
	time_t now = time(NULL);
	enum sls_rc rc;

	(void)a;
	*step = 0;
	rc = sls_ui_ask_answer(ask->ui, "Temporary passcode: ", answer, sizeof(answer));
	if (rc == SLS_OK)
		rc = check(d, answer);
	sls_wipe(answer, sizeof(answer));
	if (rc != SLS_OK || ask->card_print || sls_tempcode_phase(d, now) == SLS_TEMPCODE_LOGIN)
		return rc;
	when(d->expires, t, sizeof(t));
	sls_log_event(ask->log, SLS_EV_FAILURE, d->name, "failure", NULL,
		      "temporary passcode past its login days: only sls card print takes it");
	sls_ui_sayf(ask->ui, SLS_SAY_ERROR,
		    "This temporary passcode no longer logs you in. Until %s it is accepted "
		    "only by \"sls card print\", which gives you an online security code card.",
		    t);
	return SLS_ERR_MISMATCH;
}

const struct sls_devtype sls_devtype_tempcode = {
    .name = "tempcode",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .stand_in = true,
    .keys = keys,
    .nkeys = sizeof(keys) / sizeof(keys[0]),
    .own_size = sizeof(((struct sls_device *)0)->u.tempcode),
    .valid = valid,
    .format = format,
    .label = label,
    .attempt = attempt,
};
