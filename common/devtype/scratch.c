/*
 * pam_sls - scratch codes, level 1: the single-use 8-digit codes of a
 * google-authenticator file, taken over by sls import-google-authenticator.
 * Only a salt (secret) and a tag of each code (codes: HMAC-SHA-256 under
 * the salt, cut to SLS_SCRATCH_TAG_LEN bytes) are kept; the device's state
 * lists the places of the codes used (its used[] list), so a code used once
 * never works again. 8 bytes a tag: ten of them fit one line of the file,
 * and a wrong code matches one by chance with p = 10 / 2^64.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ini_util.h"
#include "sls_attempt.h"
#include "sls_codec.h"
#include "sls_devtype.h"
#include "sls_i18n.h"
#include "sls_otp.h"
#include "sls_random.h"
#include "sls_scratch.h"
#include "sls_secret.h"
#include "sls_state.h"
#include "sls_ui.h"

#define TAG_HEX (2 * SLS_SCRATCH_TAG_LEN)

/* The tag of code under salt: HMAC-SHA-256, its first SLS_SCRATCH_TAG_LEN bytes. */
static enum sls_rc code_tag(const uint8_t *salt, const char *code, uint8_t *tag)
{
	uint8_t mac[SLS_HASH_MAX];
	size_t len = 0;
	enum sls_rc rc = sls_hmac(SLS_HASH_SHA256, salt, SLS_SCRATCH_SALT_LEN,
				  (const uint8_t *)code, strlen(code), mac, &len);

	if (rc == SLS_OK && len < SLS_SCRATCH_TAG_LEN)
		rc = SLS_ERR_CRYPTO;
	if (rc == SLS_OK)
		memcpy(tag, mac, SLS_SCRATCH_TAG_LEN);
	sls_wipe(mac, sizeof(mac));
	return rc;
}

/* Exactly SLS_SCRATCH_DIGITS digits. */
static bool code_ok(const char *code)
{
	return strlen(code) == SLS_SCRATCH_DIGITS &&
	       strspn(code, "0123456789") == SLS_SCRATCH_DIGITS;
}

/* The first n tags of d are distinct and the rest zero (what the parser gives). */
static bool tags_ok(const struct sls_device *d, size_t n)
{
	static const uint8_t zero[SLS_SCRATCH_TAG_LEN];

	for (size_t i = 0; i < SLS_SCRATCH_CODES_MAX; i++) {
		if (i >= n && !sls_secure_equal(d->u.scratch.tags[i], zero, SLS_SCRATCH_TAG_LEN))
			return false;
		for (size_t j = 0; i < n && j < i; j++)
			if (sls_secure_equal(d->u.scratch.tags[i], d->u.scratch.tags[j],
					     SLS_SCRATCH_TAG_LEN))
				return false;
	}
	return true;
}

/* ---- the enrolment file ---- */

static const char *key_secret(struct sls_device *d, const char *v)
{
	const char *why = sls_devkey_secret(d, v);

	return why != NULL || d->secret_len == SLS_SCRATCH_SALT_LEN ? why : "not a 16-byte salt";
}

/* "TAG,TAG,...": 1 to SLS_SCRATCH_CODES_MAX tags of TAG_HEX lower-case hex digits, distinct. */
static const char *key_codes(struct sls_device *d, const char *v)
{
	char one[TAG_HEX + 1];
	size_t n = 0, len;

	for (;;) {
		len = strcspn(v, ",");
		if (n == SLS_SCRATCH_CODES_MAX || len != TAG_HEX)
			break;
		memcpy(one, v, TAG_HEX);
		one[TAG_HEX] = '\0';
		if (sls_ini_parse_hex(one, d->u.scratch.tags[n], SLS_SCRATCH_TAG_LEN) != SLS_OK)
			break;
		n++;
		v += len;
		if (*v == '\0') {
			d->u.scratch.ncodes = (unsigned)n;
			return tags_ok(d, n) ? NULL : "a tag repeats";
		}
		v++;
	}
	sls_wipe(&d->u.scratch, sizeof(d->u.scratch));
	return "not 1 to 10 comma-separated tags of 16 lower-case hex digits";
}

enum { K_SECRET, K_CODES };

static const struct sls_devkey keys[] = {
    [K_SECRET] = {"secret", key_secret, true},
    [K_CODES] = {"codes", key_codes, true},
};

static bool valid(const struct sls_device *d)
{
	return d->secret_len == SLS_SCRATCH_SALT_LEN && d->u.scratch.ncodes >= 1 &&
	       d->u.scratch.ncodes <= SLS_SCRATCH_CODES_MAX && tags_ok(d, d->u.scratch.ncodes);
}

static void format(struct sls_ini_buf *b, const struct sls_device *d)
{
	char hex[TAG_HEX + 1];

	sls_devkey_format_secret(b, d);
	sls_ini_buf_add(b, "codes = ");
	for (unsigned i = 0; i < d->u.scratch.ncodes && i < SLS_SCRATCH_CODES_MAX; i++) {
		if (sls_hex_encode(d->u.scratch.tags[i], SLS_SCRATCH_TAG_LEN, hex, sizeof(hex)) !=
		    SLS_OK)
			b->failed = true;
		else
			sls_ini_buf_addf(b, "%s%s", i > 0 ? "," : "", hex);
	}
	sls_ini_buf_add(b, "\n");
}

/* ---- making one ---- */

/* No two of the n codes alike. */
static bool codes_ok(const char *const *codes, size_t n)
{
	if (n < 1 || n > SLS_SCRATCH_CODES_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (codes[i] == NULL || !code_ok(codes[i]))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(codes[i], codes[j]) == 0)
				return false;
	}
	return true;
}

enum sls_rc sls_scratch_new(struct sls_device *d, const char *const *codes, size_t n)
{
	uint8_t salt[SLS_SCRATCH_SALT_LEN];
	uint8_t tags[SLS_SCRATCH_CODES_MAX][SLS_SCRATCH_TAG_LEN];
	enum sls_rc rc = codes_ok(codes, n) ? SLS_OK : SLS_ERR_INVAL;

	memset(tags, 0, sizeof(tags));
	if (rc == SLS_OK)
		rc = sls_random_bytes(salt, sizeof(salt));
	for (size_t i = 0; rc == SLS_OK && i < n; i++)
		rc = code_tag(salt, codes[i], tags[i]);
	if (rc == SLS_OK) {
		d->type = &sls_devtype_scratch;
		d->level = sls_devtype_scratch.level;
		sls_wipe(d->secret, sizeof(d->secret));
		memcpy(d->secret, salt, sizeof(salt));
		d->secret_len = sizeof(salt);
		sls_wipe(&d->u, sizeof(d->u));
		memcpy(d->u.scratch.tags, tags, sizeof(tags));
		d->u.scratch.ncodes = (unsigned)n;
	}
	sls_wipe(salt, sizeof(salt));
	sls_wipe(tags, sizeof(tags));
	return rc;
}

/* The codes ds lists as used: bit i for the code at place i. */
static unsigned used_mask(const struct sls_device *d, const struct sls_device_state *ds)
{
	unsigned mask = 0;

	for (size_t i = 0; ds != NULL && i < ds->nused && i < SLS_USED_CHALLENGES_MAX; i++)
		if (ds->used[i] < d->u.scratch.ncodes)
			mask |= 1u << ds->used[i];
	return mask;
}

size_t sls_scratch_left(const struct sls_device *d, const struct sls_device_state *ds)
{
	unsigned mask = used_mask(d, ds);
	size_t left = 0;

	for (unsigned i = 0; i < d->u.scratch.ncodes && i < SLS_SCRATCH_CODES_MAX; i++)
		left += !(mask & (1u << i));
	return left;
}

/* ---- a login ---- */

/* Every code used: the device is not offered. */
static bool spent(const struct sls_device *d, const struct sls_device_state *ds)
{
	return sls_scratch_left(d, ds) == 0;
}

/*
 * Under the lock, before the prompt: the codes used so far go to the attempt
 * (a->not_before holds them as a bit mask: the scratch type's use of it),
 * and a device with none left is not asked (SLS_ERR_GONE: nothing is
 * written, nothing counted).
 */
static enum sls_rc prepare(const struct sls_device *d, const struct sls_hookctx *ctx,
			   struct sls_attempt *a)
{
	if (sls_scratch_left(d, ctx->ds) == 0)
		return SLS_ERR_GONE;
	a->not_before = used_mask(d, ctx->ds);
	return SLS_OK;
}

/*
 * Which unused code answer is: every tag is compared, with no early exit;
 * the place + 1 of the match into *step (0: none).
 */
static enum sls_rc match(const struct sls_device *d, uint64_t used, const char *answer,
			 uint64_t *step)
{
	uint8_t tag[SLS_SCRATCH_TAG_LEN];
	unsigned found = 0, n = d->u.scratch.ncodes;
	enum sls_rc rc;

	if (!code_ok(answer))
		return SLS_ERR_MISMATCH;
	rc = code_tag(d->secret, answer, tag);
	for (unsigned i = 0; rc == SLS_OK && i < SLS_SCRATCH_CODES_MAX; i++) {
		unsigned hit = (unsigned)sls_secure_equal(tag, d->u.scratch.tags[i], sizeof(tag)) &
			       (unsigned)(i < n) & (unsigned)!((used >> i) & 1);

		found |= (0u - hit) & (i + 1);
	}
	sls_wipe(tag, sizeof(tag));
	if (rc != SLS_OK)
		return rc;
	*step = found;
	return found != 0 ? SLS_OK : SLS_ERR_MISMATCH;
}

/*
 * "Scratch code: ". A right answer gives the code's place + 1 in *step, for
 * record. An answer after challenge_timeout is wrong.
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char answer[SLS_ANSWER_MAX + 1];
	struct timespec asked;
	enum sls_rc rc;

	*step = 0;
	clock_gettime(CLOCK_MONOTONIC, &asked);
	rc = sls_ui_ask_answer(ask->ui, _("Scratch code: "), answer, sizeof(answer));
	if (rc == SLS_OK && sls_ask_too_late(ask, &asked))
		rc = SLS_ERR_MISMATCH;
	if (rc == SLS_OK)
		rc = match(d, a->not_before, answer, step);
	sls_wipe(answer, sizeof(answer));
	return rc;
}

/* Under the lock: the code at place step - 1 is used; one used meanwhile is a replay. */
static enum sls_rc record(const struct sls_device *d, struct sls_state *state,
			  struct sls_device_state *ds, const struct sls_attempt *a, uint64_t step)
{
	uint32_t place = (uint32_t)step - 1;

	(void)state;
	(void)a;
	if (ds == NULL || step < 1 || step > d->u.scratch.ncodes ||
	    sls_device_state_used(ds, place))
		return SLS_ERR_MISMATCH;
	sls_device_state_add_used(ds, place);
	return SLS_OK;
}

/* A code's place in the list is used once, as long as the list (the device) lasts. */
static bool used_key(const struct sls_device *d, const struct sls_attempt *a, uint64_t step,
		     char *out, size_t size, unsigned *keep)
{
	(void)a;
	*keep = 0;
	return snprintf(out, size, "scratch:%s:%lld:%llu", d->name, (long long)d->created,
			(unsigned long long)step) < (int)size;
}

const struct sls_devtype sls_devtype_scratch = {
    .name = "scratch",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = keys,
    .nkeys = sizeof(keys) / sizeof(keys[0]),
    .own_size = sizeof(((struct sls_device *)0)->u.scratch),
    .valid = valid,
    .format = format,
    .spent = spent,
    .prepare = prepare,
    .attempt = attempt,
    .record = record,
    .used_key = used_key,
};
