/*
 * libFuzzer harness for the OCRA suite parser, the question check and
 * compute/verify. Input: "suite\nquestion\nsession" (later parts optional).
 * abort() marks a broken invariant:
 *  - a parsed suite is sane and its text re-parses to the same fields;
 *  - a failed parse says why and leaves the suite zeroed;
 *  - a question that passes the strict check computes, and verify accepts
 *    the response; responses have the suite's length and alphabet;
 *  - a failed compute leaves an empty output and a documented code.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_ocra.h"
#include "harness.h"

static const uint8_t fuzz_key[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

static bool same_suite(const struct sls_ocra_suite *a, const struct sls_ocra_suite *b)
{
	return strcmp(a->text, b->text) == 0 && a->hash == b->hash && a->digits == b->digits &&
	       a->counter == b->counter && a->q_format == b->q_format && a->q_len == b->q_len &&
	       a->pin == b->pin && (!a->pin || a->pin_hash == b->pin_hash) &&
	       a->session_len == b->session_len && a->time_step == b->time_step;
}

static bool suite_sane(const struct sls_ocra_suite *s)
{
	unsigned t = s->time_step;
	unsigned l = s->session_len;

	return strlen(s->text) <= SLS_OCRA_SUITE_MAX && sls_hash_size(s->hash) > 0 &&
	       (s->digits == 0 || (s->digits >= 4 && s->digits <= 10)) &&
	       (s->q_format == 'A' || s->q_format == 'N' || s->q_format == 'H') && s->q_len >= 4 &&
	       s->q_len <= 64 && (!s->pin || sls_hash_size(s->pin_hash) > 0) &&
	       (l == 0 || l == 64 || l == 128 || l == 256 || l == 512) &&
	       (t == 0 || (t <= 59) || (t % 60 == 0 && t <= 59 * 60) ||
		(t % 3600 == 0 && t <= 48 * 3600));
}

static void check_parse(const char *text, struct sls_ocra_suite *s, bool *ok)
{
	struct sls_ocra_suite again;
	struct sls_diag diag = {0, ""};

	*ok = sls_ocra_suite_parse(text, s, &diag) == SLS_OK;
	if (!*ok) {
		if (diag.msg[0] == '\0' || s->text[0] != '\0' || s->q_len != 0)
			abort();
		return;
	}
	if (strcmp(s->text, text) != 0 || !suite_sane(s))
		abort();
	if (sls_ocra_suite_parse(s->text, &again, NULL) != SLS_OK || !same_suite(s, &again))
		abort();
}

static bool response_shaped(const struct sls_ocra_suite *s, const char *out)
{
	size_t want = s->digits > 0 ? s->digits : 2 * sls_hash_size(s->hash);
	const char *alphabet = s->digits > 0 ? "0123456789" : "0123456789abcdef";

	return strlen(out) == want && strspn(out, alphabet) == want;
}

static void check_compute(const struct sls_ocra_suite *s, const char *question, const char *session)
{
	struct sls_ocra_input in = {.counter = 42,
				    .question = question,
				    .pin = "1234",
				    .session = session,
				    .timestamp = 0x132d0b6};
	char out[SLS_OCRA_RESPONSE_MAX];
	enum sls_rc check = sls_ocra_question_check(s, question);
	enum sls_rc rc = sls_ocra_compute(s, fuzz_key, 64, &in, out, sizeof(out));

	if (check != SLS_OK && check != SLS_ERR_QUESTION)
		abort();
	if (rc != SLS_OK) {
		if ((rc != SLS_ERR_QUESTION && rc != SLS_ERR_INVAL) || out[0] != '\0')
			abort();
		if (check == SLS_OK && rc == SLS_ERR_QUESTION)
			abort();
		return;
	}
	if (!response_shaped(s, out))
		abort();
	if (check == SLS_OK && sls_ocra_verify(s, fuzz_key, 64, &in, out) != SLS_OK)
		abort();
}

/* Cut buf at the first '\n' and return what follows ("" if none). */
static char *next_part(char *buf)
{
	char *nl = strchr(buf, '\n');

	if (nl == NULL)
		return buf + strlen(buf);
	*nl = '\0';
	return nl + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *question, *session;
	struct sls_ocra_suite suite;
	bool ok;

	if (buf == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	buf[size] = '\0';
	question = next_part(buf);
	session = next_part(question);
	check_parse(buf, &suite, &ok);
	if (ok)
		check_compute(&suite, question, session);
	free(buf);
	return 0;
}
