/*
 * pam_sls - TOTP devices (RFC 6238): any phone authenticator app, level 2.
 * A 6-digit code (by default) of the current 30-second step, one step of
 * drift either way, each step used once.
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

#define PERIOD_MAX 3600

static bool is_default(const struct sls_device *d)
{
	return d->u.totp.hash == SLS_HASH_SHA1 && d->u.totp.digits == 6 && d->u.totp.period == 30;
}

/* ---- the enrolment file ---- */

/* "TOTP-SHA{1,256,512}-{6,7,8}-PERIOD", exactly as format writes it. */
static const char *key_suite(struct sls_device *d, const char *s)
{
	char hash[8];
	const char *p = s + 5, *q;
	uint64_t period;
	enum sls_hash h;

	if (strncmp(s, "TOTP-", 5) != 0 || (q = strchr(p, '-')) == NULL ||
	    (size_t)(q - p) >= sizeof(hash))
		return "invalid TOTP suite";
	memcpy(hash, p, (size_t)(q - p));
	hash[q - p] = '\0';
	if (sls_hash_parse(hash, &h) != SLS_OK || strcmp(hash, sls_hash_name(h)) != 0)
		return "invalid TOTP suite";
	if (q[1] < '6' || q[1] > '8' || q[2] != '-' ||
	    !sls_ini_parse_u64(q + 3, PERIOD_MAX, &period) || period == 0)
		return "invalid TOTP suite";
	d->u.totp.hash = h;
	d->u.totp.digits = (unsigned)(q[1] - '0');
	d->u.totp.period = (unsigned)period;
	return NULL;
}

enum { K_SUITE, K_SECRET };

static const struct sls_devkey keys[] = {
    [K_SUITE] = {"suite", key_suite, false},
    [K_SECRET] = {"secret", sls_devkey_secret, true},
};

/* No suite: SHA1, 6 digits, 30 s, as every phone app does. */
static const char *finish(struct sls_device *d, const bool *seen, int *bad)
{
	(void)bad;
	if (!seen[K_SUITE]) {
		d->u.totp.hash = SLS_HASH_SHA1;
		d->u.totp.digits = 6;
		d->u.totp.period = 30;
	}
	return NULL;
}

static bool valid(const struct sls_device *d)
{
	return sls_devkey_secret_ok(d) &&
	       (d->u.totp.hash == SLS_HASH_SHA1 || d->u.totp.hash == SLS_HASH_SHA256 ||
		d->u.totp.hash == SLS_HASH_SHA512) &&
	       d->u.totp.digits >= 6 && d->u.totp.digits <= 8 && d->u.totp.period >= 1 &&
	       d->u.totp.period <= PERIOD_MAX;
}

static void format(struct sls_ini_buf *b, const struct sls_device *d)
{
	if (!is_default(d))
		sls_ini_buf_addf(b, "suite = TOTP-%s-%u-%u\n", sls_hash_name(d->u.totp.hash),
				 d->u.totp.digits, d->u.totp.period);
	sls_devkey_format_secret(b, d);
}

/* ---- a login ---- */

/* A code of a step already used is refused: not_before is the last one. */
static enum sls_rc prepare(const struct sls_device *d, const struct sls_hookctx *ctx,
			   struct sls_attempt *a)
{
	(void)d;
	a->not_before = ctx->ds != NULL ? ctx->ds->totp_last_step : 0;
	return SLS_OK;
}

/*
 * "Verification code: ". No time limit of its own: the code is checked
 * against the time the answer comes, one step either way.
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char answer[SLS_ANSWER_MAX + 1];
	enum sls_rc rc =
	    sls_ui_ask_answer(ask->ui, _("Verification code: "), answer, sizeof(answer));

	*step = 0;
	if (rc == SLS_OK)
		rc = sls_totp_verify(d->u.totp.hash, d->secret, d->secret_len, time(NULL),
				     d->u.totp.period, d->u.totp.digits, 1, a->not_before, answer,
				     step);
	sls_wipe(answer, sizeof(answer));
	return rc;
}

/* The step is used; a step used meanwhile (a concurrent login) is a replay. */
static enum sls_rc record(const struct sls_device *d, struct sls_state *state,
			  struct sls_device_state *ds, const struct sls_attempt *a, uint64_t step)
{
	(void)d;
	(void)state;
	(void)a;
	if (step <= ds->totp_last_step)
		return SLS_ERR_MISMATCH;
	ds->totp_last_step = step;
	return SLS_OK;
}

/*
 * A step is used once per device: its number, kept while a code of it can
 * still be taken (the window of a step either side: three periods) and five
 * minutes more for the servers' clocks.
 */
static bool used_key(const struct sls_device *d, const struct sls_attempt *a, uint64_t step,
		     char *out, size_t size, unsigned *keep)
{
	(void)a;
	*keep = 3 * d->u.totp.period + 300;
	return snprintf(out, size, "totp:%s:%lld:%llu", d->name, (long long)d->created,
			(unsigned long long)step) < (int)size;
}

/* ---- sls enroll ---- */

#define SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */

/* The standard otpauth://totp URI that every phone app reads. */
static enum sls_rc provision(struct sls_device *d, const struct sls_provision *p, char **uri)
{
	struct sls_otpauth o;
	enum sls_rc rc;

	d->secret_len = SECRET_BYTES;
	rc = sls_random_bytes(d->secret, d->secret_len);
	if (rc != SLS_OK)
		return rc;
	d->u.totp.hash = SLS_HASH_SHA1;
	d->u.totp.digits = 6;
	d->u.totp.period = 30;
	memset(&o, 0, sizeof(o));
	o.type = SLS_URI_TOTP;
	snprintf(o.issuer, sizeof(o.issuer), "%s", p->issuer);
	snprintf(o.account, sizeof(o.account), "%s", p->account);
	memcpy(o.secret, d->secret, d->secret_len);
	o.secret_len = d->secret_len;
	o.algorithm = d->u.totp.hash;
	o.digits = d->u.totp.digits;
	o.period = d->u.totp.period;
	rc = sls_otpauth_build(&o, uri);
	sls_otpauth_clear(&o);
	return rc;
}

const struct sls_devtype sls_devtype_totp = {
    .name = "totp",
    .level = 2,
    .pin = SLS_PINKIND_NONE,
    .keys = keys,
    .nkeys = sizeof(keys) / sizeof(keys[0]),
    .own_size = sizeof(((struct sls_device *)0)->u.totp),
    .finish = finish,
    .valid = valid,
    .format = format,
    .prepare = prepare,
    .attempt = attempt,
    .record = record,
    .used_key = used_key,
    .provision = provision,
};
