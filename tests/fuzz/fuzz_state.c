/*
 * pam_sls - libFuzzer harness for the state file parser: a parse either
 * fails with SLS_ERR_FORMAT and an all-zero struct, or succeeds and then
 * formats, re-parses to the same struct and formats to the same text. The
 * failure counters keep the list ascending and bounded whatever the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_secret.h"
#include "sls_state.h"
#include "harness.h"

static void check_round_trip(const struct sls_state *s, struct sls_state *back)
{
	struct sls_diag diag;
	char *text = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	if (sls_state_format(s, &text, &len) != SLS_OK || strlen(text) != len)
		abort();
	if (sls_state_parse(text, back, &diag) != SLS_OK || memcmp(s, back, sizeof(*s)) != 0)
		abort();
	if (sls_state_format(back, &again, &len2) != SLS_OK || len2 != len ||
	    memcmp(text, again, len) != 0)
		abort();
	sls_free_secret(text, len + 1);
	sls_free_secret(again, len2 + 1);
}

/* A failure at a time taken from the state itself still leaves a valid state. */
static void check_add_failure(struct sls_state *s, struct sls_state *back)
{
	time_t now = s->nfailures > 0 ? s->failures[s->nfailures / 2] : s->locked_until;
	time_t window = s->sms.sent;
	size_t n = sls_state_add_failure(s, now, window);

	if (n > s->nfailures || s->nfailures > SLS_FAILURES_MAX ||
	    n != sls_state_count_failures(s, now, window))
		abort();
	check_round_trip(s, back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sls_state *s = malloc(sizeof(*s)), *back = malloc(sizeof(*back));
	char *buf = malloc(size + 1);
	struct sls_diag diag = {0, ""};
	enum sls_rc rc;

	if (s == NULL || back == NULL || buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(s, 0xa5, sizeof(*s));
	rc = sls_state_parse(buf, s, &diag);
	if (rc == SLS_OK) {
		check_round_trip(s, back);
		check_add_failure(s, back);
	} else {
		if (rc != SLS_ERR_FORMAT)
			abort();
		fuzz_check_zero(s, sizeof(*s));
		fuzz_check_diag(&diag);
	}
	sls_free_secret(buf, size + 1);
	sls_free_secret(s, sizeof(*s));
	sls_free_secret(back, sizeof(*back));
	return 0;
}
