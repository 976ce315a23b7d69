/* pam_sls - tests of base32 (RFC 4648 section 10 vectors) and hex. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sls_codec.h"

/* Both directions of one vector, padded; then decode in lower case, unpadded, spaced. */
static void check_vector(const char *plain, const char *b32)
{
	size_t n = strlen(plain), outlen = 99;
	char enc[64], variant[64];
	uint8_t dec[32];

	assert_int_equal(sls_base32_encoded_len(n), strlen(b32));
	assert_int_equal(sls_base32_encode((const uint8_t *)plain, n, enc, sizeof(enc), 1), SLS_OK);
	assert_string_equal(enc, b32);
	assert_int_equal(sls_base32_decode(b32, dec, sizeof(dec), &outlen), SLS_OK);
	assert_int_equal(outlen, n);
	assert_memory_equal(dec, plain, n);

	/* Unpadded encoding is the padded one without its '='. */
	assert_int_equal(sls_base32_encode((const uint8_t *)plain, n, enc, sizeof(enc), 0), SLS_OK);
	assert_int_equal(strlen(enc), strcspn(b32, "="));
	assert_memory_equal(enc, b32, strlen(enc));

	/* Lower case without padding. */
	for (size_t i = 0; i <= strlen(enc); i++)
		variant[i] = (char)(enc[i] >= 'A' && enc[i] <= 'Z' ? enc[i] - 'A' + 'a' : enc[i]);
	assert_int_equal(sls_base32_decode(variant, dec, sizeof(dec), &outlen), SLS_OK);
	assert_int_equal(outlen, n);
	assert_memory_equal(dec, plain, n);

	/* A space before every character and at the end. */
	for (size_t i = 0; b32[i] != '\0'; i++) {
		variant[2 * i] = ' ';
		variant[2 * i + 1] = b32[i];
		variant[2 * i + 2] = ' ';
		variant[2 * i + 3] = '\0';
	}
	if (n > 0) {
		assert_int_equal(sls_base32_decode(variant, dec, sizeof(dec), &outlen), SLS_OK);
		assert_int_equal(outlen, n);
		assert_memory_equal(dec, plain, n);
	}
}

#define RFC4648_VECTOR(name, plain, b32)                                                           \
	static void test_rfc4648_##name(void **state)                                              \
	{                                                                                          \
		(void)state;                                                                       \
		check_vector(plain, b32);                                                          \
	}

RFC4648_VECTOR(empty, "", "")
RFC4648_VECTOR(f, "f", "MY======")
RFC4648_VECTOR(fo, "fo", "MZXQ====")
RFC4648_VECTOR(foo, "foo", "MZXW6===")
RFC4648_VECTOR(foob, "foob", "MZXW6YQ=")
RFC4648_VECTOR(fooba, "fooba", "MZXW6YTB")
RFC4648_VECTOR(foobar, "foobar", "MZXW6YTBOI======")

/* Decoding any of these is SLS_ERR_ENCODING, and the output is wiped. */
static void test_base32_rejects(void **state)
{
	static const char *const bad[] = {
	    "MY1=====",         /* '1' is not in the alphabet */
	    "MZXW8===",         /* nor '8' */
	    "MZXW0===",         /* nor '0' */
	    "MZXW6YT!",         /* nor punctuation */
	    "MZXW6YTB\t",       /* a tab is not a space */
	    "=MZXW6YTB",        /* padding first */
	    "MY=A====",         /* data after padding */
	    "MZ=XQ===",         /* ditto */
	    "MY=====",          /* too little padding */
	    "MY=======",        /* too much */
	    "MZXW6YTB========", /* a whole group of padding */
	    "========",         /* padding alone */
	    "M",                /* 1 character: no encoding has this length */
	    "MZX",              /* 3 */
	    "MZXW6Y",           /* 6 */
	    "MZXW6YTBM",        /* 9 */
	    "MZ======",         /* "MY" with non-zero trailing bits */
	    "MZXR====",         /* "MZXQ" with non-zero trailing bits */
	    "MZXW7===",         /* "MZXW6" with non-zero trailing bits */
	    "MZXW6YR=",         /* "MZXW6YQ" with non-zero trailing bits */
	};
	uint8_t out[16];
	size_t outlen;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xa5, sizeof(out));
		outlen = 99;
		enum sls_rc rc = sls_base32_decode(bad[i], out, sizeof(out), &outlen);

		if (rc != SLS_ERR_ENCODING)
			fail_msg("decoding '%s': rc %d, expected %d", bad[i], rc, SLS_ERR_ENCODING);
		assert_int_equal(outlen, 0);
		for (size_t j = 0; j < sizeof(out); j++)
			assert_int_equal(out[j], 0);
	}
}

static void test_base32_too_small(void **state)
{
	uint8_t out[5];
	char enc[8];
	size_t outlen;

	(void)state;
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(sls_base32_decode("MZXW6YTBOI======", out, sizeof(out), &outlen),
			 SLS_ERR_TOOBIG);
	for (size_t j = 0; j < sizeof(out); j++)
		assert_int_equal(out[j], 0);
	/* Exactly enough room works. */
	assert_int_equal(sls_base32_decode("MZXW6YTB", out, sizeof(out), &outlen), SLS_OK);
	assert_int_equal(outlen, 5);
	/* Encoding needs room for the NUL. */
	assert_int_equal(sls_base32_encode((const uint8_t *)"fooba", 5, enc, 8, 1), SLS_ERR_TOOBIG);
	assert_int_equal(sls_base32_encode((const uint8_t *)"foob", 4, enc, 8, 1), SLS_ERR_TOOBIG);
	assert_int_equal(sls_base32_encode((const uint8_t *)"foob", 4, enc, 8, 0), SLS_OK);
	assert_string_equal(enc, "MZXW6YQ");
}

/* Every length from 0 to 64 bytes, every byte value, both paddings. */
static void test_base32_round_trips(void **state)
{
	uint8_t in[64], out[64];
	char enc[128];
	size_t outlen;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 251);
	for (size_t n = 0; n <= sizeof(in); n++) {
		for (int pad = 0; pad <= 1; pad++) {
			assert_int_equal(sls_base32_encode(in, n, enc, sizeof(enc), pad), SLS_OK);
			assert_int_equal(sls_base32_decode(enc, out, sizeof(out), &outlen), SLS_OK);
			assert_int_equal(outlen, n);
			assert_memory_equal(out, in, n);
		}
	}
}

static void test_hex_round_trips(void **state)
{
	static const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
	uint8_t out[sizeof(in)];
	char enc[2 * sizeof(in) + 1];
	size_t outlen;

	(void)state;
	assert_int_equal(sls_hex_encode(in, sizeof(in), enc, sizeof(enc)), SLS_OK);
	assert_string_equal(enc, "00017f80abcdefff");
	assert_int_equal(sls_hex_decode(enc, out, sizeof(out), &outlen), SLS_OK);
	assert_int_equal(outlen, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
	assert_int_equal(sls_hex_decode("00017F80ABcdEFFF", out, sizeof(out), &outlen), SLS_OK);
	assert_memory_equal(out, in, sizeof(in));
	assert_int_equal(sls_hex_decode("", out, sizeof(out), &outlen), SLS_OK);
	assert_int_equal(outlen, 0);
	assert_int_equal(sls_hex_encode(in, 0, enc, 1), SLS_OK);
	assert_string_equal(enc, "");
	/* Room for the NUL is needed. */
	assert_int_equal(sls_hex_encode(in, sizeof(in), enc, sizeof(enc) - 1), SLS_ERR_TOOBIG);
}

static void test_hex_rejects(void **state)
{
	static const char *const bad[] = {"0", "abc", "0g", "zz", "00 11", " 00", "0x00", "-1"};
	uint8_t out[8];
	size_t outlen;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xa5, sizeof(out));
		enum sls_rc rc = sls_hex_decode(bad[i], out, sizeof(out), &outlen);

		if (rc != SLS_ERR_ENCODING)
			fail_msg("decoding '%s': rc %d, expected %d", bad[i], rc, SLS_ERR_ENCODING);
		for (size_t j = 0; j < sizeof(out); j++)
			assert_int_equal(out[j], 0);
	}
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(sls_hex_decode("000102030405060708", out, sizeof(out), &outlen),
			 SLS_ERR_TOOBIG);
	for (size_t j = 0; j < sizeof(out); j++)
		assert_int_equal(out[j], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4648_empty),    cmocka_unit_test(test_rfc4648_f),
	    cmocka_unit_test(test_rfc4648_fo),       cmocka_unit_test(test_rfc4648_foo),
	    cmocka_unit_test(test_rfc4648_foob),     cmocka_unit_test(test_rfc4648_fooba),
	    cmocka_unit_test(test_rfc4648_foobar),   cmocka_unit_test(test_base32_rejects),
	    cmocka_unit_test(test_base32_too_small), cmocka_unit_test(test_base32_round_trips),
	    cmocka_unit_test(test_hex_round_trips),  cmocka_unit_test(test_hex_rejects),
	};

	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
