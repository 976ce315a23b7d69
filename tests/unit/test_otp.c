/*
 * HMAC, HOTP and TOTP against RFC 4226 appendix D and RFC 6238 appendix B,
 * one named test per vector, then the TOTP window rules.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sls_otp.h"

#define KEY20 "12345678901234567890"
#define KEY32 "12345678901234567890123456789012"
#define KEY64 "1234567890123456789012345678901234567890123456789012345678901234"

/* RFC 4226 appendix D: HMAC-SHA1(KEY20, counter), the 31-bit value, HOTP-6. */
struct hotp_vector {
	char name[3][48];
	uint64_t counter;
	const char *hmac_hex;
	const char *truncated; /* decimal, zero-padded to 10 */
	const char *hotp;
};

static struct hotp_vector hotp_vectors[] = {
    {{""}, 0, "cc93cf18508d94934c64b65d8ba7667fb7cde4b0", "1284755224", "755224"},
    {{""}, 1, "75a48a19d4cbe100644e8ac1397eea747a2d33ab", "1094287082", "287082"},
    {{""}, 2, "0bacb7fa082fef30782211938bc1c5e70416ff44", "0137359152", "359152"},
    {{""}, 3, "66c28227d03a2d5529262ff016a1e6ef76557ece", "1726969429", "969429"},
    {{""}, 4, "a904c900a64b35909874b33e61c5938a8e15ed1c", "1640338314", "338314"},
    {{""}, 5, "a37e783d7b7233c083d4f62926c7a25f238d0316", "0868254676", "254676"},
    {{""}, 6, "bc9cd28561042c83f219324d3c607256c03272ae", "1918287922", "287922"},
    {{""}, 7, "a4fb960c0bc06e1eabb804e5b397cdc4b45596fa", "0082162583", "162583"},
    {{""}, 8, "1b3c89f65e6c9e883012052823443f048b4332db", "0673399871", "399871"},
    {{""}, 9, "1637409809a679dc698207310c8c7fc07290d9e5", "0645520489", "520489"},
};

/* RFC 6238 appendix B: 8 digits, 30 s steps, a seed of the hash's size. */
struct totp_vector {
	char name[64];
	time_t time;
	enum sls_hash hash;
	const char *totp;
};

static struct totp_vector totp_vectors[] = {
    {"", 59, SLS_HASH_SHA1, "94287082"},
    {"", 59, SLS_HASH_SHA256, "46119246"},
    {"", 59, SLS_HASH_SHA512, "90693936"},
    {"", 1111111109, SLS_HASH_SHA1, "07081804"},
    {"", 1111111109, SLS_HASH_SHA256, "68084774"},
    {"", 1111111109, SLS_HASH_SHA512, "25091201"},
    {"", 1111111111, SLS_HASH_SHA1, "14050471"},
    {"", 1111111111, SLS_HASH_SHA256, "67062674"},
    {"", 1111111111, SLS_HASH_SHA512, "99943326"},
    {"", 1234567890, SLS_HASH_SHA1, "89005924"},
    {"", 1234567890, SLS_HASH_SHA256, "91819424"},
    {"", 1234567890, SLS_HASH_SHA512, "93441116"},
    {"", 2000000000, SLS_HASH_SHA1, "69279037"},
    {"", 2000000000, SLS_HASH_SHA256, "90698825"},
    {"", 2000000000, SLS_HASH_SHA512, "38618901"},
    {"", 20000000000, SLS_HASH_SHA1, "65353130"},
    {"", 20000000000, SLS_HASH_SHA256, "77737706"},
    {"", 20000000000, SLS_HASH_SHA512, "47863826"},
};

#define N_HOTP (sizeof(hotp_vectors) / sizeof(hotp_vectors[0]))
#define N_TOTP (sizeof(totp_vectors) / sizeof(totp_vectors[0]))

static const uint8_t key20[] = KEY20;

static void to_hex(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * n] = '\0';
}

static void hmac_counter(uint64_t counter, uint8_t *mac, size_t *maclen)
{
	uint8_t msg[8];

	for (int i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (uint8_t)(counter & 0xff);
	assert_int_equal(sls_hmac(SLS_HASH_SHA1, key20, 20, msg, 8, mac, maclen), SLS_OK);
	assert_int_equal(*maclen, 20);
}

static void test_rfc4226_hmac(void **state)
{
	const struct hotp_vector *v = *state;
	uint8_t mac[SLS_HASH_MAX];
	char hex[2 * SLS_HASH_MAX + 1];
	size_t maclen = 0;

	hmac_counter(v->counter, mac, &maclen);
	to_hex(mac, maclen, hex);
	assert_string_equal(hex, v->hmac_hex);
}

static void test_rfc4226_truncation(void **state)
{
	const struct hotp_vector *v = *state;
	uint8_t mac[SLS_HASH_MAX];
	char out[11];
	size_t maclen = 0;

	hmac_counter(v->counter, mac, &maclen);
	/* 10 digits keep the whole 31-bit value: it is below 10^10. */
	assert_int_equal(sls_otp_truncate(mac, maclen, 10, out, sizeof(out)), SLS_OK);
	assert_string_equal(out, v->truncated);
}

static void test_rfc4226_hotp(void **state)
{
	const struct hotp_vector *v = *state;
	char out[7];

	assert_int_equal(sls_hotp(SLS_HASH_SHA1, key20, 20, v->counter, 6, out, sizeof(out)),
			 SLS_OK);
	assert_string_equal(out, v->hotp);
}

static const uint8_t *seed_for(enum sls_hash h, size_t *len)
{
	static const uint8_t k32[] = KEY32, k64[] = KEY64;

	*len = sls_hash_size(h);
	return h == SLS_HASH_SHA1 ? key20 : h == SLS_HASH_SHA256 ? k32 : k64;
}

static void test_rfc6238(void **state)
{
	const struct totp_vector *v = *state;
	size_t keylen;
	const uint8_t *key = seed_for(v->hash, &keylen);
	char out[9];
	uint64_t matched = 0;

	assert_int_equal(sls_totp(v->hash, key, keylen, v->time, 30, 8, out, sizeof(out)), SLS_OK);
	assert_string_equal(out, v->totp);
	assert_int_equal(
	    sls_totp_verify(v->hash, key, keylen, v->time, 30, 8, 0, 0, v->totp, &matched), SLS_OK);
	assert_int_equal(matched, sls_totp_step(v->time, 30));
}

static void test_hash_names(void **state)
{
	enum sls_hash h = SLS_HASH_SHA1;

	(void)state;
	assert_string_equal(sls_hash_name(SLS_HASH_SHA256), "SHA256");
	assert_int_equal(sls_hash_size(SLS_HASH_SHA1), 20);
	assert_int_equal(sls_hash_size(SLS_HASH_SHA256), 32);
	assert_int_equal(sls_hash_size(SLS_HASH_SHA512), 64);
	assert_int_equal(sls_hash_parse("sha512", &h), SLS_OK);
	assert_int_equal(h, SLS_HASH_SHA512);
	assert_int_equal(sls_hash_parse("SHA256", &h), SLS_OK);
	assert_int_equal(h, SLS_HASH_SHA256);
	assert_int_equal(sls_hash_parse("SHA2", &h), SLS_ERR_INVAL);
	assert_int_equal(sls_hash_parse("SHA1 ", &h), SLS_ERR_INVAL);
	assert_int_equal(sls_hash_parse("MD5", &h), SLS_ERR_INVAL);
}

/* SHA1("1234") is the OCRA test PIN hash; RFC 4231 test case 2 for HMAC-SHA256. */
static void test_digest_and_hmac(void **state)
{
	static const uint8_t jefe[] = "Jefe", msg[] = "what do ya want for nothing?";
	uint8_t out[SLS_HASH_MAX];
	char hex[2 * SLS_HASH_MAX + 1];
	size_t outlen = 0;

	(void)state;
	assert_int_equal(sls_digest(SLS_HASH_SHA1, "1234", 4, out), SLS_OK);
	to_hex(out, 20, hex);
	assert_string_equal(hex, "7110eda4d09e062aa5e4a390b0a572ac0d2c0220");
	assert_int_equal(sls_hmac(SLS_HASH_SHA256, jefe, 4, msg, 28, out, &outlen), SLS_OK);
	to_hex(out, outlen, hex);
	assert_string_equal(hex,
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	assert_int_equal(sls_hmac(SLS_HASH_SHA256, jefe, 0, msg, 28, out, &outlen), SLS_ERR_INVAL);
	assert_int_equal(sls_hmac((enum sls_hash)7, jefe, 4, msg, 28, out, &outlen), SLS_ERR_INVAL);
}

static void test_hotp_arguments(void **state)
{
	char out[11];

	(void)state;
	assert_int_equal(sls_hotp(SLS_HASH_SHA1, key20, 20, 0, 10, out, sizeof(out)), SLS_OK);
	assert_string_equal(out, "1284755224");
	assert_int_equal(sls_hotp(SLS_HASH_SHA1, key20, 20, 0, 5, out, sizeof(out)), SLS_ERR_INVAL);
	assert_int_equal(sls_hotp(SLS_HASH_SHA1, key20, 20, 0, 11, out, sizeof(out)),
			 SLS_ERR_INVAL);
	assert_int_equal(sls_hotp(SLS_HASH_SHA1, key20, 20, 0, 6, out, 6), SLS_ERR_INVAL);
	assert_int_equal(sls_totp(SLS_HASH_SHA1, key20, 20, 59, 0, 8, out, sizeof(out)),
			 SLS_ERR_INVAL);
	assert_int_equal(sls_totp_step(59, 30), 1);
	assert_int_equal(sls_totp_step(60, 30), 2);
	assert_int_equal(sls_totp_step(-1, 30), 0);
	assert_int_equal(sls_totp_step(1000, 0), 0);
}

#define NOW    1111111111 /* step 37037037 with 30 s */
#define STEP30 37037037u

/* The SHA1 8-digit TOTP at step (time NOW shifted by whole steps). */
static void code_at(int shift, char *out)
{
	assert_int_equal(sls_totp(SLS_HASH_SHA1, key20, 20, NOW + 30 * shift, 30, 8, out, 9),
			 SLS_OK);
}

static enum sls_rc verify(const char *code, unsigned window, uint64_t not_before, uint64_t *matched)
{
	return sls_totp_verify(SLS_HASH_SHA1, key20, 20, NOW, 30, 8, window, not_before, code,
			       matched);
}

static void test_totp_window(void **state)
{
	char code[9];
	uint64_t matched = 0;

	(void)state;
	code_at(-1, code);
	assert_int_equal(verify(code, 1, 0, &matched), SLS_OK);
	assert_int_equal(matched, STEP30 - 1);
	assert_int_equal(verify(code, 0, 0, &matched), SLS_ERR_MISMATCH);
	code_at(1, code);
	assert_int_equal(verify(code, 1, 0, &matched), SLS_OK);
	assert_int_equal(matched, STEP30 + 1);
	code_at(-2, code);
	assert_int_equal(verify(code, 1, 0, NULL), SLS_ERR_MISMATCH);
	assert_int_equal(verify(code, 2, 0, &matched), SLS_OK);
	assert_int_equal(matched, STEP30 - 2);
	code_at(2, code);
	assert_int_equal(verify(code, 1, 0, NULL), SLS_ERR_MISMATCH);
}

static void test_totp_not_before(void **state)
{
	char code[9];
	uint64_t matched = 0;

	(void)state;
	code_at(0, code);
	assert_int_equal(verify(code, 1, STEP30 - 1, &matched), SLS_OK);
	assert_int_equal(matched, STEP30);
	/* The step was used: the same code is a replay. */
	assert_int_equal(verify(code, 1, STEP30, &matched), SLS_ERR_MISMATCH);
	code_at(-1, code);
	assert_int_equal(verify(code, 1, STEP30, NULL), SLS_ERR_MISMATCH);
	code_at(1, code);
	assert_int_equal(verify(code, 1, STEP30, &matched), SLS_OK);
	assert_int_equal(matched, STEP30 + 1);
}

static void test_totp_malformed(void **state)
{
	char code[12];

	(void)state;
	code_at(0, code);
	assert_int_equal(verify(code, 1, 0, NULL), SLS_OK);
	code[7] = '\0'; /* 7 digits */
	assert_int_equal(verify(code, 1, 0, NULL), SLS_ERR_MISMATCH);
	code_at(0, code);
	strcat(code, "0"); /* 9 digits, right prefix */
	assert_int_equal(verify(code, 1, 0, NULL), SLS_ERR_MISMATCH);
	code_at(0, code);
	code[3] = 'a';
	assert_int_equal(verify(code, 1, 0, NULL), SLS_ERR_MISMATCH);
	assert_int_equal(verify("", 1, 0, NULL), SLS_ERR_MISMATCH);
	assert_int_equal(verify(" 1234567", 1, 0, NULL), SLS_ERR_MISMATCH);
	assert_int_equal(verify(NULL, 1, 0, NULL), SLS_ERR_INVAL);
	assert_int_equal(verify("12345678", 1001, 0, NULL), SLS_ERR_INVAL);
	assert_int_equal(
	    sls_totp_verify(SLS_HASH_SHA1, key20, 20, NOW, 0, 8, 1, 0, "12345678", NULL),
	    SLS_ERR_INVAL);
}

/* A window reaching below step 0 starts at step 0. */
static void test_totp_early_time(void **state)
{
	char code[9];
	uint64_t matched = 7;

	(void)state;
	assert_int_equal(sls_totp(SLS_HASH_SHA1, key20, 20, 0, 30, 8, code, sizeof(code)), SLS_OK);
	assert_int_equal(sls_totp_verify(SLS_HASH_SHA1, key20, 20, 30, 30, 8, 5, 0, code, &matched),
			 SLS_ERR_MISMATCH); /* step 0 is never above not_before 0 */
	assert_int_equal(matched, 7);
	assert_int_equal(sls_totp(SLS_HASH_SHA1, key20, 20, 30, 30, 8, code, sizeof(code)), SLS_OK);
	assert_int_equal(sls_totp_verify(SLS_HASH_SHA1, key20, 20, 0, 30, 8, 5, 0, code, &matched),
			 SLS_OK);
	assert_int_equal(matched, 1);
}

static void add(struct CMUnitTest *t, size_t *n, const char *name, CMUnitTestFunction f,
		void *state)
{
	t[*n] = (struct CMUnitTest){name, f, NULL, NULL, state};
	(*n)++;
}

static size_t add_vectors(struct CMUnitTest *t, size_t n)
{
	static const char *const what[3] = {"HMAC-SHA1", "truncation", "HOTP"};
	static const CMUnitTestFunction fn[3] = {test_rfc4226_hmac, test_rfc4226_truncation,
						 test_rfc4226_hotp};

	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < N_HOTP; i++) {
			struct hotp_vector *v = &hotp_vectors[i];

			snprintf(v->name[k], sizeof(v->name[k]), "RFC4226 D %s count=%llu", what[k],
				 (unsigned long long)v->counter);
			add(t, &n, v->name[k], fn[k], v);
		}
	}
	for (size_t i = 0; i < N_TOTP; i++) {
		struct totp_vector *v = &totp_vectors[i];

		snprintf(v->name, sizeof(v->name), "RFC6238 B %s time=%lld", sls_hash_name(v->hash),
			 (long long)v->time);
		add(t, &n, v->name, test_rfc6238, v);
	}
	return n;
}

int main(void)
{
	struct CMUnitTest tests[3 * N_HOTP + N_TOTP + 16];
	size_t n = add_vectors(tests, 0);

	add(tests, &n, "hash names, sizes and parsing", test_hash_names, NULL);
	add(tests, &n, "digest SHA1(1234) and HMAC RFC 4231 TC2", test_digest_and_hmac, NULL);
	add(tests, &n, "HOTP argument checks", test_hotp_arguments, NULL);
	add(tests, &n, "TOTP window 1 takes +-1, refuses +-2", test_totp_window, NULL);
	add(tests, &n, "TOTP not_before refuses a replayed step", test_totp_not_before, NULL);
	add(tests, &n, "TOTP malformed codes mismatch", test_totp_malformed, NULL);
	add(tests, &n, "TOTP window clamps at step 0", test_totp_early_time, NULL);
	return _cmocka_run_group_tests("otp", tests, n, NULL, NULL);
}
