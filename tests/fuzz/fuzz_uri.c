/* pam_sls - libFuzzer harness for otpauth URIs: a parsed URI builds and parses back the same. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_secret.h"
#include "sls_uri.h"
#include "harness.h"

static int same(const struct sls_otpauth *a, const struct sls_otpauth *b)
{
	return a->type == b->type && strcmp(a->issuer, b->issuer) == 0 &&
	       strcmp(a->account, b->account) == 0 && strcmp(a->device, b->device) == 0 &&
	       a->secret_len == b->secret_len && memcmp(a->secret, b->secret, a->secret_len) == 0 &&
	       a->algorithm == b->algorithm && a->digits == b->digits && a->period == b->period &&
	       strcmp(a->suite.text, b->suite.text) == 0 && a->suite.hash == b->suite.hash &&
	       a->suite.digits == b->suite.digits && a->suite.q_len == b->suite.q_len;
}

/* On a failed parse *o holds no secret. */
static void check_cleared(const struct sls_otpauth *o)
{
	if (o->secret_len != 0)
		abort();
	for (size_t i = 0; i < sizeof(o->secret); i++)
		if (o->secret[i] != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *uri = NULL;
	struct sls_otpauth a, b;
	struct sls_diag diag;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (sls_otpauth_parse(text, &a, &diag) == SLS_OK) {
		if (a.account[0] == '\0' || a.secret_len < SLS_URI_SECRET_MIN ||
		    a.secret_len > SLS_URI_SECRET_MAX)
			abort();
		if (sls_otpauth_build(&a, &uri) != SLS_OK)
			abort();
		if (sls_otpauth_parse(uri, &b, &diag) != SLS_OK || !same(&a, &b))
			abort();
		sls_free_secret_str(uri);
		sls_otpauth_clear(&b);
	} else {
		check_cleared(&a);
	}
	sls_otpauth_clear(&a);
	free(text);
	return 0;
}
