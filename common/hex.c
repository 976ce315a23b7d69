/* pam_sls - hex, for keys and test vectors. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sls_codec.h"
#include "sls_secret.h"

int sls_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum sls_rc sls_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
	static const char digits[] = "0123456789abcdef";

	if ((in == NULL && n > 0) || out == NULL)
		return SLS_ERR_INVAL;
	if (n > (SIZE_MAX - 1) / 2 || 2 * n + 1 > outsize)
		return SLS_ERR_TOOBIG;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return SLS_OK;
}

enum sls_rc sls_hex_decode(const char *in, uint8_t *out, size_t outsize, size_t *outlen)
{
	enum sls_rc rc = SLS_ERR_ENCODING;
	size_t len;

	if (in == NULL || (out == NULL && outsize > 0) || outlen == NULL)
		return SLS_ERR_INVAL;
	*outlen = 0;
	len = strlen(in);
	if (len % 2 != 0)
		goto out;
	/* Check every character first, so that a bad one reads as ENCODING. */
	for (size_t i = 0; i < len; i++)
		if (sls_hex_digit(in[i]) < 0)
			goto out;
	if (len / 2 > outsize) {
		rc = SLS_ERR_TOOBIG;
		goto out;
	}
	for (size_t i = 0; i < len; i += 2)
		out[i / 2] = (uint8_t)(sls_hex_digit(in[i]) << 4 | sls_hex_digit(in[i + 1]));
	*outlen = len / 2;
	rc = SLS_OK;
out:
	if (rc != SLS_OK)
		sls_wipe(out, outsize);
	return rc;
}
