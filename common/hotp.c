/* pam_sls - HOTP (RFC 4226) and TOTP (RFC 6238). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sls_otp.h"
#include "sls_secret.h"

#define HOTP_DIGITS_MIN 6
/* Bound on the work one verification may cost (2 * window + 1 HMACs). */
#define TOTP_WINDOW_MAX 1000

static const uint64_t pow10_table[SLS_OTP_DIGITS_MAX + 1] = {
    1ULL,       10ULL,       100ULL,       1000ULL,       10000ULL,      100000ULL,
    1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL};

/*
 * maclen must be 20..SLS_HASH_MAX: the offset nibble reaches mac[15 + 3].
 * out too small for digits + NUL is SLS_ERR_INVAL. out holds a secret: the
 * caller wipes it.
 */
enum sls_rc sls_otp_truncate(const uint8_t *mac, size_t maclen, unsigned digits, char *out,
			     size_t outsize)
{
	unsigned off;
	uint64_t bin;

	if (mac == NULL || maclen < 20 || maclen > SLS_HASH_MAX || digits < 1 ||
	    digits > SLS_OTP_DIGITS_MAX || out == NULL || outsize < (size_t)digits + 1)
		return SLS_ERR_INVAL;
	off = mac[maclen - 1] & 0x0f;
	bin = (uint64_t)(mac[off] & 0x7f) << 24 | (uint64_t)mac[off + 1] << 16 |
	      (uint64_t)mac[off + 2] << 8 | (uint64_t)mac[off + 3];
	snprintf(out, outsize, "%0*llu", (int)digits,
		 (unsigned long long)(bin % pow10_table[digits]));
	return SLS_OK;
}

enum sls_rc sls_hotp(enum sls_hash h, const uint8_t *key, size_t keylen, uint64_t counter,
		     unsigned digits, char *out, size_t outsize)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	uint8_t msg[8];
	uint8_t mac[SLS_HASH_MAX];
	size_t maclen = 0;

	if (digits < HOTP_DIGITS_MIN || digits > SLS_OTP_DIGITS_MAX || out == NULL ||
	    outsize < (size_t)digits + 1)
		goto out;
	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	rc = sls_hmac(h, key, keylen, msg, sizeof(msg), mac, &maclen);
	if (rc != SLS_OK)
		goto out;
	rc = sls_otp_truncate(mac, maclen, digits, out, outsize);
out:
	sls_wipe(mac, sizeof(mac));
	return rc;
}

/* Negative times (before the epoch) map to step 0; so does period 0. */
uint64_t sls_totp_step(time_t now, unsigned period)
{
	if (now < 0 || period == 0)
		return 0;
	return (uint64_t)now / period;
}

enum sls_rc sls_totp(enum sls_hash h, const uint8_t *key, size_t keylen, time_t now,
		     unsigned period, unsigned digits, char *out, size_t outsize)
{
	if (period == 0)
		return SLS_ERR_INVAL;
	return sls_hotp(h, key, keylen, sls_totp_step(now, period), digits, out, outsize);
}

/* True when code is exactly digits decimal digits. Codes are not secret in length. */
static bool code_well_formed(const char *code, unsigned digits)
{
	size_t n = strnlen(code, SLS_OTP_DIGITS_MAX + 1);

	if (n != digits)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (code[i] < '0' || code[i] > '9')
			return false;
	}
	return true;
}

/* All-ones when b, else zero: a mask for branch-free selection. */
static uint64_t mask_of(bool b)
{
	return (uint64_t)0 - (uint64_t)b;
}

/*
 * Compute every candidate in [first, last] and fold the matches without
 * branching on them: *matched gets the lowest accepted step.
 */
static enum sls_rc totp_scan(enum sls_hash h, const uint8_t *key, size_t keylen, uint64_t first,
			     uint64_t last, unsigned digits, uint64_t not_before, const char *code,
			     uint64_t *matched)
{
	enum sls_rc rc = SLS_ERR_MISMATCH;
	char cand[SLS_OTP_DIGITS_MAX + 1];
	uint64_t found = 0, step = first, best = 0;

	for (;;) {
		uint64_t take;

		rc = sls_hotp(h, key, keylen, step, digits, cand, sizeof(cand));
		if (rc != SLS_OK)
			goto out;
		take = mask_of(sls_secure_equal(cand, code, digits)) & mask_of(step > not_before) &
		       ~found;
		best = (best & ~take) | (step & take);
		found |= take;
		if (step == last)
			break;
		step++;
	}
	*matched = best;
	rc = found ? SLS_OK : SLS_ERR_MISMATCH;
out:
	sls_wipe(cand, sizeof(cand));
	return rc;
}

/* Besides the documented results: SLS_ERR_INVAL for period 0 or a window over 1000. */
enum sls_rc sls_totp_verify(enum sls_hash h, const uint8_t *key, size_t keylen, time_t now,
			    unsigned period, unsigned digits, unsigned window, uint64_t not_before,
			    const char *code, uint64_t *matched_step)
{
	uint64_t step, first, last, matched = 0;
	enum sls_rc rc;

	if (period == 0 || window > TOTP_WINDOW_MAX || code == NULL || digits < HOTP_DIGITS_MIN ||
	    digits > SLS_OTP_DIGITS_MAX)
		return SLS_ERR_INVAL;
	if (!code_well_formed(code, digits))
		return SLS_ERR_MISMATCH;
	step = sls_totp_step(now, period);
	first = step >= window ? step - window : 0;
	last = step + window; /* step < 2^63 and window <= 1000: no overflow */
	rc = totp_scan(h, key, keylen, first, last, digits, not_before, code, &matched);
	if (rc == SLS_OK && matched_step != NULL)
		*matched_step = matched;
	return rc;
}
