/* pam_sls - base32 (RFC 4648 section 6) and hex. */
#ifndef SLS_CODEC_H
#define SLS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sls_error.h"

/* Characters needed to base32-encode n bytes with padding, without the NUL. */
size_t sls_base32_encoded_len(size_t n);

/*
 * Encode n bytes as upper-case base32 into out (outsize bytes, NUL added).
 * With pad false the trailing '=' are left out (as otpauth URIs want).
 * SLS_ERR_TOOBIG when out is too small.
 */
enum sls_rc sls_base32_encode(const uint8_t *in, size_t n, char *out, size_t outsize, int pad);

/*
 * Decode base32: case-insensitive, '=' padding optional but only at the end
 * and only in a valid amount, spaces ignored anywhere. Trailing bits that do
 * not make a whole byte must be zero. Writes at most outsize bytes to out and
 * their count to *outlen. SLS_ERR_ENCODING for any other character or a
 * length that no encoding yields; SLS_ERR_TOOBIG when out is too small. On
 * error out is wiped.
 */
enum sls_rc sls_base32_decode(const char *in, uint8_t *out, size_t outsize, size_t *outlen);

/* The value 0..15 of a hex digit of either case, or -1. */
int sls_hex_digit(char c);

/* Encode n bytes as lower-case hex into out (needs 2n+1 bytes). */
enum sls_rc sls_hex_encode(const uint8_t *in, size_t n, char *out, size_t outsize);

/*
 * Decode hex (either case, even length, no spaces) into out. SLS_ERR_ENCODING
 * or SLS_ERR_TOOBIG as above; on error out is wiped.
 */
enum sls_rc sls_hex_decode(const char *in, uint8_t *out, size_t outsize, size_t *outlen);

/*
 * A code, response or number as the user typed it, without spaces and
 * dashes ("123 456", "1234-5678"), into out. False, with out empty, when it
 * does not fit: an answer is refused whole, never truncated.
 */
bool sls_strip_separators(const char *in, char *out, size_t size);

#endif /* SLS_CODEC_H */
