/*
 * pam_sls - libFuzzer harness for the enrolment file parser: a parse either
 * fails with SLS_ERR_FORMAT and an all-zero struct, or succeeds and then
 * formats, re-parses to the same struct and formats to the same text.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_enroll.h"
#include "sls_secret.h"
#include "harness.h"

/* u parsed fine: format, parse again, compare; format again, compare texts. */
static void check_round_trip(const struct sls_user *u, struct sls_user *back)
{
	struct sls_diag diag;
	char *text = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	if (sls_user_format(u, &text, &len) != SLS_OK || strlen(text) != len)
		abort();
	if (sls_user_parse(text, back, &diag) != SLS_OK || memcmp(u, back, sizeof(*u)) != 0)
		abort();
	if (sls_user_format(back, &again, &len2) != SLS_OK || len2 != len ||
	    memcmp(text, again, len) != 0)
		abort();
	sls_free_secret(text, len + 1);
	sls_free_secret(again, len2 + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sls_user *u = malloc(sizeof(*u)), *back = malloc(sizeof(*back));
	char *buf = malloc(size + 1);
	struct sls_diag diag = {0, ""};
	enum sls_rc rc;

	if (u == NULL || back == NULL || buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(u, 0xa5, sizeof(*u));
	rc = sls_user_parse(buf, u, &diag);
	if (rc == SLS_OK) {
		check_round_trip(u, back);
	} else {
		if (rc != SLS_ERR_FORMAT)
			abort();
		fuzz_check_zero(u, sizeof(*u));
		fuzz_check_diag(&diag);
	}
	sls_free_secret(buf, size + 1);
	sls_free_secret(u, sizeof(*u));
	sls_free_secret(back, sizeof(*back));
	return 0;
}
