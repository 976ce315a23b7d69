/* pam_sls - base32 (RFC 4648 section 6), the alphabet of otpauth secrets. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sls_codec.h"
#include "sls_secret.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Value of a base32 digit (either case), or -1. */
static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Characters of the last, partial group for n % 5 trailing bytes (unpadded). */
static size_t b32_tail_len(size_t rest)
{
	static const size_t tail[5] = {0, 2, 4, 5, 7};

	return tail[rest % 5];
}

size_t sls_base32_encoded_len(size_t n)
{
	size_t groups = n / 5 + (n % 5 != 0);

	if (groups > (SIZE_MAX - 1) / 8)
		return SIZE_MAX;
	return groups * 8;
}

enum sls_rc sls_base32_encode(const uint8_t *in, size_t n, char *out, size_t outsize, int pad)
{
	size_t need, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if ((in == NULL && n > 0) || out == NULL)
		return SLS_ERR_INVAL;
	need = pad ? sls_base32_encoded_len(n) : n / 5 * 8 + b32_tail_len(n);
	if (need == SIZE_MAX || need >= outsize)
		return SLS_ERR_TOOBIG;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	while (o < need)
		out[o++] = '=';
	out[o] = '\0';
	sls_wipe(&acc, sizeof(acc));
	return SLS_OK;
}

/*
 * Whether n data characters followed by npad '=' form a length that some
 * encoding yields: n % 8 of 1, 3 or 6 never occurs, and padding, when
 * present, must complete the last group of 8 exactly.
 */
static int b32_length_ok(size_t n, size_t npad)
{
	size_t rest = n % 8;

	if (rest == 1 || rest == 3 || rest == 6)
		return 0;
	if (npad == 0)
		return 1;
	return rest != 0 && npad == 8 - rest;
}

enum sls_rc sls_base32_decode(const char *in, uint8_t *out, size_t outsize, size_t *outlen)
{
	enum sls_rc rc = SLS_ERR_ENCODING;
	size_t n = 0, npad = 0, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (in == NULL || (out == NULL && outsize > 0) || outlen == NULL)
		return SLS_ERR_INVAL;
	*outlen = 0;
	for (; *in != '\0'; in++) {
		int v;

		if (*in == ' ')
			continue;
		if (*in == '=') {
			npad++;
			continue;
		}
		v = b32_value(*in);
		if (v < 0 || npad > 0)
			goto out;
		n++;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsize) {
				rc = SLS_ERR_TOOBIG;
				goto out;
			}
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* The bits left over must be zero, as an encoder leaves them. */
	if (!b32_length_ok(n, npad) || acc != 0)
		goto out;
	*outlen = o;
	rc = SLS_OK;
out:
	if (rc != SLS_OK)
		sls_wipe(out, outsize);
	sls_wipe(&acc, sizeof(acc));
	return rc;
}
