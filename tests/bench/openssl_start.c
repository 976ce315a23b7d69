/*
 * pam_sls benchmark: what OpenSSL 3 costs a process that has not started it
 * (sudo, su, login), one step at a time, for tests/bench/bench.py:
 *
 *   openssl_start load      libcrypto is loaded (linked), nothing called
 *   openssl_start hmac      + one HMAC-SHA1 through EVP_MAC, as pam_sls does
 *   openssl_start guest     + the same, OpenSSL started without its exit
 *                           handler first (sls_crypto_guest)
 *   openssl_start again     + a second HMAC: what it costs once started
 *   openssl_start lowlevel  libcrypto loaded, one HMAC-SHA1 composed (RFC 2104)
 *                           over the deprecated SHA1_* functions, which use
 *                           no provider: what skipping OpenSSL's start-up
 *                           would save (a figure; pam_sls does not do this)
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_Init & co., for "lowlevel" only */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

static int hmac_once(void)
{
	unsigned char key[20] = "12345678901234567890", msg[8] = {0}, out[EVP_MAX_MD_SIZE];
	char digest[] = "SHA1";
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
			       OSSL_PARAM_construct_end()};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	size_t outlen = 0;
	int ok = ctx != NULL && EVP_MAC_init(ctx, key, sizeof(key), params) &&
		 EVP_MAC_update(ctx, msg, sizeof(msg)) &&
		 EVP_MAC_final(ctx, out, &outlen, sizeof(out)) && outlen == 20;

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : 1;
}

/* HMAC-SHA1 (RFC 2104) over the low-level digest: no provider, no fetch. */
static int hmac_lowlevel(void)
{
	unsigned char key[20] = "12345678901234567890", msg[8] = {0};
	unsigned char ipad[64], opad[64], inner[20], out[20];
	SHA_CTX c;

	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	for (size_t i = 0; i < sizeof(key); i++) {
		ipad[i] ^= key[i];
		opad[i] ^= key[i];
	}
	if (!SHA1_Init(&c) || !SHA1_Update(&c, ipad, sizeof(ipad)) ||
	    !SHA1_Update(&c, msg, sizeof(msg)) || !SHA1_Final(inner, &c))
		return 1;
	if (!SHA1_Init(&c) || !SHA1_Update(&c, opad, sizeof(opad)) ||
	    !SHA1_Update(&c, inner, sizeof(inner)) || !SHA1_Final(out, &c))
		return 1;
	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
	return out[0] == 0 && out[1] == 0 && out[2] == 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	/* linked, so loaded in every mode; OpenSSL_version keeps the link */
	if (strcmp(mode, "load") == 0)
		return OpenSSL_version_num() != 0 ? 0 : 1;
	if (strcmp(mode, "guest") == 0 && OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
		return 1;
	if (strcmp(mode, "hmac") == 0 || strcmp(mode, "guest") == 0)
		return hmac_once();
	if (strcmp(mode, "again") == 0)
		return hmac_once() | hmac_once();
	if (strcmp(mode, "lowlevel") == 0)
		return hmac_lowlevel();
	fprintf(stderr, "usage: %s load|hmac|guest|again|lowlevel\n", argv[0]);
	return 2;
}
