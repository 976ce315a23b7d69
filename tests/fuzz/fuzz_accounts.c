/* libFuzzer harness: the sls-authenticator accounts file. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "sls_secret.h"
#include "harness.h"

/*
 * One memcmp against zeroes, not a byte loop: the loop's 30 KB of compares,
 * each traced by the fuzzer's instrumentation, took 88% of the time.
 */
static bool all_zero(const void *p, size_t n)
{
	static const struct account zero[ACCOUNTS_MAX];

	return n <= sizeof(zero) && memcmp(p, zero, n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct accounts a, again;
	struct sls_diag diag = {0};
	char *text = malloc(size + 1), *out = NULL;
	size_t len = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&a, 0, sizeof(a));
	if (accounts_parse(text, &a, &diag) != SLS_OK) {
		/* a rejected file yields nothing a caller could use */
		if (a.n != 0 || !all_zero(a.list, sizeof(a.list)))
			abort();
	} else {
		/* an accepted file serializes and reads back the same */
		memset(&again, 0, sizeof(again));
		if (accounts_format(&a, &out, &len) != SLS_OK ||
		    accounts_parse(out, &again, &diag) != SLS_OK || again.n != a.n ||
		    memcmp(again.list, a.list, sizeof(a.list)) != 0)
			abort();
		sls_free_secret(out, len + 1);
	}
	sls_wipe(&a, sizeof(a));
	sls_wipe(&again, sizeof(again));
	free(text);
	return 0;
}
