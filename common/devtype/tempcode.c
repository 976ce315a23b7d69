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
#include "sls_i18n.h"
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

/* Its days end: an entry with no expires, or one that stops logging in after, is refused. */
static const char *finish(struct sls_device *d, const bool *seen, int *bad)
{
	(void)seen;
	if (d->expires != 0 && d->u.tempcode.login_until <= d->expires)
		return NULL;
	*bad = K_LOGIN_UNTIL;
	return "not within the code's days (expires missing or earlier)";
}

static bool valid(const struct sls_device *d)
{
	return d->secret_len == SECRET_LEN && d->u.tempcode.login_until > 0 && d->expires != 0 &&
	       d->u.tempcode.login_until <= d->expires;
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
	k = 0;
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

const struct sls_device *sls_tempcode_find(const struct sls_user *user, time_t now, bool login_only)
{
	for (size_t i = 0; i < user->ndevices && i < SLS_DEVICES_MAX; i++) {
		const struct sls_device *d = &user->devices[i];
		enum sls_tempcode_phase ph;

		if (d->type != &sls_devtype_tempcode)
			continue;
		ph = sls_tempcode_phase(d, now);
		if (ph == SLS_TEMPCODE_LOGIN || (!login_only && ph == SLS_TEMPCODE_CARD))
			return d;
	}
	return NULL;
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
 * "Temporary passcode: ". Past its login days (at the moment of the answer)
 * the right code is still a failure at a login (counted like any other),
 * and the user is told what it is good for now; sls card print
 * (ask->card_print) takes it. An answer after challenge_timeout is wrong.
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char answer[SLS_ANSWER_MAX + 1], t[32];
	struct timespec asked;
	enum sls_rc rc;

	(void)a;
	*step = 0;
	clock_gettime(CLOCK_MONOTONIC, &asked);
	rc = sls_ui_ask_answer(ask->ui, _("Temporary passcode: "), answer, sizeof(answer));
	if (rc == SLS_OK && sls_ask_too_late(ask, &asked))
		rc = SLS_ERR_MISMATCH;
	if (rc == SLS_OK)
		rc = check(d, answer);
	sls_wipe(answer, sizeof(answer));
	if (rc != SLS_OK || ask->card_print ||
	    sls_tempcode_phase(d, time(NULL)) == SLS_TEMPCODE_LOGIN)
		return rc;
	when(d->expires, t, sizeof(t));
	sls_ui_sayf(ask->ui, SLS_SAY_ERROR,
		    "This temporary passcode no longer logs you in. Until %s it is accepted "
		    "only by \"sls card print\", which gives you an online security code card.",
		    t);
	return SLS_ERR_MISMATCH;
}

/*
 * The right answer, under the lock: a login only while the code still logs
 * in (a prompt left open past login_until gains nothing). Nothing else to
 * record: the code is the administrator's, for its days.
 */
static enum sls_rc record(const struct sls_device *d, struct sls_state *state,
			  struct sls_device_state *ds, const struct sls_attempt *a, uint64_t step)
{
	(void)state;
	(void)ds;
	(void)step;
	return a->card_print || time(NULL) < d->u.tempcode.login_until ? SLS_OK : SLS_ERR_MISMATCH;
}

const struct sls_devtype sls_devtype_tempcode = {
    .name = "tempcode",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .stand_in = true,
    .keys = keys,
    .nkeys = sizeof(keys) / sizeof(keys[0]),
    .own_size = sizeof(((struct sls_device *)0)->u.tempcode),
    .finish = finish,
    .valid = valid,
    .format = format,
    .label = label,
    .attempt = attempt,
    .record = record,
};
