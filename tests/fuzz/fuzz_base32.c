/* pam_sls - libFuzzer harness for base32 and hex: decode never misbehaves, and round trips hold. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_codec.h"
#include "harness.h"

/* decode(encode(bytes)) == bytes, padded and not. */
static void check_round_trip(const uint8_t *bytes, size_t n, char *enc, size_t encsize,
			     uint8_t *back, size_t backsize)
{
	size_t len = 0;

	for (int pad = 0; pad <= 1; pad++) {
		if (sls_base32_encode(bytes, n, enc, encsize, pad) != SLS_OK)
			abort();
		if (sls_base32_decode(enc, back, backsize, &len) != SLS_OK || len != n ||
		    memcmp(back, bytes, n) != 0)
			abort();
	}
	if (sls_hex_encode(bytes, n, enc, encsize) != SLS_OK)
		abort();
	if (sls_hex_decode(enc, back, backsize, &len) != SLS_OK || len != n ||
	    memcmp(back, bytes, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	size_t encsize = 2 * size + 9, len = 0;
	char *enc = malloc(encsize);
	uint8_t *dec = malloc(size + 1), *back = malloc(size + 1);

	if (text == NULL || enc == NULL || dec == NULL || back == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	/* The input as text: whatever decodes must round-trip. */
	if (sls_base32_decode(text, dec, size + 1, &len) == SLS_OK) {
		if (len > size)
			abort();
		check_round_trip(dec, len, enc, encsize, back, size + 1);
	}
	if (sls_hex_decode(text, dec, size + 1, &len) == SLS_OK)
		check_round_trip(dec, len, enc, encsize, back, size + 1);
	/* Too small an output is refused, never overrun. */
	(void)sls_base32_decode(text, dec, size / 2, &len);

	/* The input as bytes. */
	check_round_trip(data, size, enc, encsize, back, size + 1);

	free(text);
	free(enc);
	free(dec);
	free(back);
	return 0;
}
