/* pam_sls - hash names, plain digests and HMAC through OpenSSL 3. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sls_otp.h"
#include "sls_secret.h"

bool sls_crypto_guest(void)
{
	return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) == 1;
}

static bool hash_valid(enum sls_hash h)
{
	return h == SLS_HASH_SHA1 || h == SLS_HASH_SHA256 || h == SLS_HASH_SHA512;
}

/* The OpenSSL digest name; NULL for a value outside the enum. */
const char *sls_hash_name(enum sls_hash h)
{
	switch (h) {
	case SLS_HASH_SHA1:
		return "SHA1";
	case SLS_HASH_SHA256:
		return "SHA256";
	case SLS_HASH_SHA512:
		return "SHA512";
	}
	return NULL;
}

/* 0 for a value outside the enum, so that callers' size checks fail. */
size_t sls_hash_size(enum sls_hash h)
{
	switch (h) {
	case SLS_HASH_SHA1:
		return 20;
	case SLS_HASH_SHA256:
		return 32;
	case SLS_HASH_SHA512:
		return 64;
	}
	return 0;
}

enum sls_rc sls_hash_parse(const char *s, enum sls_hash *h)
{
	static const enum sls_hash all[] = {SLS_HASH_SHA1, SLS_HASH_SHA256, SLS_HASH_SHA512};

	if (s == NULL || h == NULL)
		return SLS_ERR_INVAL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(s, sls_hash_name(all[i])) == 0) {
			*h = all[i];
			return SLS_OK;
		}
	}
	return SLS_ERR_INVAL;
}

enum sls_rc sls_digest(enum sls_hash h, const void *msg, size_t msglen, uint8_t *out)
{
	size_t outlen = 0;

	if (!hash_valid(h) || (msg == NULL && msglen > 0) || out == NULL)
		return SLS_ERR_INVAL;
	/* EVP_Q_digest wants a non-NULL pointer even for an empty message. */
	if (!EVP_Q_digest(NULL, sls_hash_name(h), NULL, msglen > 0 ? msg : "", msglen, out,
			  &outlen))
		return SLS_ERR_CRYPTO;
	if (outlen != sls_hash_size(h)) {
		sls_wipe(out, outlen);
		return SLS_ERR_CRYPTO;
	}
	return SLS_OK;
}

/*
 * An empty key is refused (SLS_ERR_INVAL): HMAC would accept it, but an
 * empty OTP secret is always a bug. On failure out is wiped.
 */
enum sls_rc sls_hmac(enum sls_hash h, const uint8_t *key, size_t keylen, const uint8_t *msg,
		     size_t msglen, uint8_t *out, size_t *outlen)
{
	enum sls_rc rc = SLS_ERR_CRYPTO;
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	size_t size = sls_hash_size(h);
	char digest[8]; /* OSSL_PARAM wants a mutable string */
	OSSL_PARAM params[2];

	if (!hash_valid(h) || key == NULL || keylen == 0 || (msg == NULL && msglen > 0) ||
	    out == NULL || outlen == NULL)
		return SLS_ERR_INVAL;
	*outlen = 0;
	snprintf(digest, sizeof(digest), "%s", sls_hash_name(h));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	if (ctx == NULL || !EVP_MAC_init(ctx, key, keylen, params))
		goto out;
	if (msglen > 0 && !EVP_MAC_update(ctx, msg, msglen))
		goto out;
	if (!EVP_MAC_final(ctx, out, outlen, size) || *outlen != size)
		goto out;
	rc = SLS_OK;
out:
	if (rc != SLS_OK) {
		sls_wipe(out, size);
		*outlen = 0;
	}
	/* EVP_MAC_CTX_free cleanses the key schedule it holds. */
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}
