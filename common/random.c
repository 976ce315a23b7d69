/*
 * pam_sls - randomness from the kernel's CSPRNG (getrandom(2)), without
 * modulo bias. Not RAND_bytes: setting up OpenSSL's DRBG in a process that
 * has not (sudo, su, login) cost more than the rest of a login (tests/bench).
 */
#include "config.h"

#include <errno.h>
#include <sys/random.h>

#include "sls_random.h"
#include "sls_secret.h"

#define DIGITS_MAX 64
/* Bytes of 250..255 are rejected so that byte % 10 is uniform. */
#define DIGIT_BYTE_LIMIT 250

/*
 * On failure buf is wiped. n == 0 is a no-op. getrandom blocks only until
 * the kernel's pool is first initialised at boot; requests up to 256 bytes
 * are never short, longer ones are read on.
 */
enum sls_rc sls_random_bytes(uint8_t *buf, size_t n)
{
	size_t done = 0;

	if (buf == NULL && n > 0)
		return SLS_ERR_INVAL;
	while (done < n) {
		size_t chunk = n - done > 256 ? 256 : n - done;
		ssize_t got = getrandom(buf + done, chunk, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			sls_wipe(buf, n);
			return SLS_ERR_RANDOM;
		}
		done += (size_t)got;
	}
	return SLS_OK;
}

/*
 * Draws below 2^32 mod bound are rejected: what remains is a whole number
 * of copies of [0, bound), so r % bound is uniform. Each draw is rejected
 * with probability below 1/2.
 */
enum sls_rc sls_random_uniform(uint32_t bound, uint32_t *out)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	uint32_t threshold, r = 0;
	uint8_t raw[4];

	if (bound == 0 || out == NULL)
		goto out;
	threshold = (uint32_t)(0u - bound) % bound; /* 2^32 mod bound */
	do {
		rc = sls_random_bytes(raw, sizeof(raw));
		if (rc != SLS_OK)
			goto out;
		r = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 |
		    (uint32_t)raw[3];
	} while (r < threshold);
	*out = r % bound;
out:
	sls_wipe(raw, sizeof(raw));
	sls_wipe(&r, sizeof(r));
	return rc;
}

/* Fill digits from random bytes, keeping only bytes below 250 (25 copies of 0..9). */
static enum sls_rc fill_digits(char *out, size_t ndigits)
{
	enum sls_rc rc = SLS_OK;
	uint8_t pool[DIGITS_MAX];
	size_t got = 0;

	while (got < ndigits) {
		rc = sls_random_bytes(pool, sizeof(pool));
		if (rc != SLS_OK)
			goto out;
		for (size_t i = 0; i < sizeof(pool) && got < ndigits; i++) {
			if (pool[i] < DIGIT_BYTE_LIMIT)
				out[got++] = (char)('0' + pool[i] % 10);
		}
	}
out:
	sls_wipe(pool, sizeof(pool));
	return rc;
}

/* On failure out (if not NULL) is wiped to an empty string. */
enum sls_rc sls_random_digits(char *out, size_t outsize, size_t ndigits)
{
	enum sls_rc rc = SLS_ERR_INVAL;

	if (out == NULL || ndigits < 1 || ndigits > DIGITS_MAX || outsize < ndigits + 1)
		goto out;
	rc = fill_digits(out, ndigits);
	if (rc == SLS_OK)
		out[ndigits] = '\0';
out:
	if (rc != SLS_OK && out != NULL)
		sls_wipe(out, outsize);
	return rc;
}
