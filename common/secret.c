/* pam_sls - secret hygiene: wipe and constant-time compare. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sls_secret.h"

void sls_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void sls_free_secret(void *p, size_t n)
{
	if (p == NULL)
		return;
	sls_wipe(p, n);
	free(p);
}

void sls_free_secret_str(char *s)
{
	if (s == NULL)
		return;
	sls_free_secret(s, strlen(s));
}

bool sls_secure_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool sls_secure_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t n = la < lb ? la : lb;
	/* Compare the common prefix whatever the lengths, then fold them in. */
	int same = CRYPTO_memcmp(a, b, n) == 0;

	return same & (la == lb);
}
