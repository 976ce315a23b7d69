/* pam_sls - OCRA, the OATH challenge-response algorithm (RFC 6287). */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "sls_codec.h"
#include "sls_ocra.h"
#include "sls_secret.h"

#define Q_HEX_DIGITS (2 * SLS_OCRA_QUESTION_MAX) /* 256 nibbles in the Q field */
/*
 * Longest QN text compute reads. Any value below 2^1024 fits the field (at
 * most 309 significant digits); the cap only bounds the work leading zeros
 * could cause.
 */
#define QN_TEXT_MAX 320
#define SESSION_MAX 512
/* OCRASuite || 0x00 || C || Q || P || S || T */
#define MSG_MAX                                                                                    \
	(SLS_OCRA_SUITE_MAX + 1 + 8 + SLS_OCRA_QUESTION_MAX + SLS_HASH_MAX + SESSION_MAX + 8)

/* ---- suite parsing ----------------------------------------------------- */

/* Consume lit at *p if it is there. */
static bool eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/*
 * Consume a decimal number of 1..width digits in canonical form (no leading
 * zero unless it is "0"). False, with *p unspecified, for anything else.
 */
static bool eat_number(const char **p, unsigned width, unsigned *val)
{
	const char *s = *p;
	unsigned n = 0, v = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == width)
			return false;
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0'))
		return false;
	*p = s + n;
	*val = v;
	return true;
}

/* "SHA1", "SHA256" or "SHA512" (upper case: the text enters the MAC). */
static bool eat_hash(const char **p, enum sls_hash *h)
{
	if (eat(p, "SHA1"))
		*h = SLS_HASH_SHA1;
	else if (eat(p, "SHA256"))
		*h = SLS_HASH_SHA256;
	else if (eat(p, "SHA512"))
		*h = SLS_HASH_SHA512;
	else
		return false;
	return true;
}

/* "HOTP-SHAx-d:" */
static enum sls_rc parse_crypto(const char **p, struct sls_ocra_suite *s, struct sls_diag *diag)
{
	if (!eat(p, "HOTP-") || !eat_hash(p, &s->hash) || !eat(p, "-")) {
		sls_diag_set(diag, 0,
			     "OCRA crypto function must be HOTP-SHA1, HOTP-SHA256 or HOTP-SHA512");
		return SLS_ERR_SUITE;
	}
	if (!eat_number(p, 2, &s->digits) || (s->digits != 0 && s->digits < 4) ||
	    s->digits > SLS_OTP_DIGITS_MAX) {
		sls_diag_set(diag, 0, "OCRA truncation must be 0 or 4 to 10 digits");
		return SLS_ERR_SUITE;
	}
	if (!eat(p, ":")) {
		sls_diag_set(diag, 0,
			     "OCRA suite needs ':' between crypto function and data input");
		return SLS_ERR_SUITE;
	}
	return SLS_OK;
}

/* "Q{A,N,H}xx": exactly two digits, 04..64. */
static enum sls_rc parse_question(const char **p, struct sls_ocra_suite *s, struct sls_diag *diag)
{
	const char *q = *p;

	if (q[0] != 'Q' || (q[1] != 'A' && q[1] != 'N' && q[1] != 'H') || q[2] < '0' ||
	    q[2] > '9' || q[3] < '0' || q[3] > '9')
		goto bad;
	s->q_format = q[1];
	s->q_len = (unsigned)(q[2] - '0') * 10 + (unsigned)(q[3] - '0');
	if (s->q_len < 4 || s->q_len > 64)
		goto bad;
	*p = q + 4;
	return SLS_OK;
bad:
	sls_diag_set(diag, 0, "OCRA question must be QA, QN or QH with a length of 04 to 64");
	return SLS_ERR_SUITE;
}

static enum sls_rc parse_pin(const char **p, struct sls_ocra_suite *s, struct sls_diag *diag)
{
	if (!eat(p, "P") || !eat_hash(p, &s->pin_hash)) {
		sls_diag_set(diag, 0, "OCRA PIN hash must be PSHA1, PSHA256 or PSHA512");
		return SLS_ERR_SUITE;
	}
	s->pin = true;
	return SLS_OK;
}

static enum sls_rc parse_session(const char **p, struct sls_ocra_suite *s, struct sls_diag *diag)
{
	if (eat(p, "S064"))
		s->session_len = 64;
	else if (eat(p, "S128"))
		s->session_len = 128;
	else if (eat(p, "S256"))
		s->session_len = 256;
	else if (eat(p, "S512"))
		s->session_len = 512;
	else {
		sls_diag_set(diag, 0, "OCRA session must be S064, S128, S256 or S512");
		return SLS_ERR_SUITE;
	}
	return SLS_OK;
}

/* "Tn{S,M,H}": 1..59 seconds or minutes, 1..48 hours. */
static enum sls_rc parse_time(const char **p, struct sls_ocra_suite *s, struct sls_diag *diag)
{
	unsigned n = 0, max = 59, unit = 0;

	if (eat(p, "T") && eat_number(p, 2, &n)) {
		if (eat(p, "S")) {
			unit = 1;
		} else if (eat(p, "M")) {
			unit = 60;
		} else if (eat(p, "H")) {
			unit = 3600;
			max = 48;
		}
	}
	if (unit == 0 || n < 1 || n > max) {
		sls_diag_set(diag, 0, "OCRA time step must be 1S to 59S, 1M to 59M or 1H to 48H");
		return SLS_ERR_SUITE;
	}
	s->time_step = n * unit;
	return SLS_OK;
}

/* Rank of the optional part starting with c: P, S, T in this order; -1 if unknown. */
static int part_rank(char c)
{
	switch (c) {
	case 'C':
	case 'Q':
		return 0; /* known, but out of place after Q */
	case 'P':
		return 1;
	case 'S':
		return 2;
	case 'T':
		return 3;
	default:
		return -1;
	}
}

static enum sls_rc parse_part(const char **p, int rank, struct sls_ocra_suite *s,
			      struct sls_diag *diag)
{
	if (rank == 1)
		return parse_pin(p, s, diag);
	if (rank == 2)
		return parse_session(p, s, diag);
	return parse_time(p, s, diag);
}

/* "[C-]Qfxx[-Pxxx][-Snnn][-Tg]" up to the end of the text. */
static enum sls_rc parse_data_input(const char **p, struct sls_ocra_suite *s, struct sls_diag *diag)
{
	enum sls_rc rc;
	int last = 0;

	s->counter = eat(p, "C-");
	rc = parse_question(p, s, diag);
	while (rc == SLS_OK && **p == '-') {
		int rank;

		(*p)++;
		rank = part_rank(**p);
		if (rank < 0) {
			sls_diag_set(diag, 0, "unknown OCRA data input (want C, Q, P, S or T)");
			return SLS_ERR_SUITE;
		}
		if (rank <= last) {
			sls_diag_set(diag, 0,
				     "OCRA data inputs must come in the order C, Q, P, S, T, "
				     "each at most once");
			return SLS_ERR_SUITE;
		}
		last = rank;
		rc = parse_part(p, rank, s, diag);
	}
	if (rc == SLS_OK && **p != '\0') {
		sls_diag_set(diag, 0, "unexpected characters after an OCRA data input");
		rc = SLS_ERR_SUITE;
	}
	return rc;
}

/* On failure *suite is zeroed and diag says why, without quoting the text. */
enum sls_rc sls_ocra_suite_parse(const char *text, struct sls_ocra_suite *suite,
				 struct sls_diag *diag)
{
	struct sls_ocra_suite s;
	enum sls_rc rc = SLS_ERR_SUITE;
	const char *p = text;
	size_t len;

	memset(&s, 0, sizeof(s));
	if (suite == NULL || text == NULL) {
		sls_diag_set(diag, 0, "no OCRA suite given");
		rc = SLS_ERR_INVAL;
		goto out;
	}
	len = strnlen(text, SLS_OCRA_SUITE_MAX + 1);
	if (len > SLS_OCRA_SUITE_MAX) {
		sls_diag_set(diag, 0, "OCRA suite is longer than %d characters",
			     SLS_OCRA_SUITE_MAX);
		goto out;
	}
	if (!eat(&p, "OCRA-1:")) {
		sls_diag_set(diag, 0, "OCRA suite must start with \"OCRA-1:\"");
		goto out;
	}
	rc = parse_crypto(&p, &s, diag);
	if (rc == SLS_OK)
		rc = parse_data_input(&p, &s, diag);
	if (rc == SLS_OK)
		memcpy(s.text, text, len + 1);
out:
	if (rc != SLS_OK)
		memset(&s, 0, sizeof(s));
	if (suite != NULL)
		*suite = s;
	return rc;
}

/* ---- questions --------------------------------------------------------- */

/* Whether every character of s fits the question alphabet of format. */
static bool question_alphabet(char format, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool ok;

		if (format == 'N')
			ok = s[i] >= '0' && s[i] <= '9';
		else if (format == 'H')
			ok = sls_hex_digit(s[i]) >= 0;
		else
			ok = s[i] >= 0x20 && s[i] <= 0x7e;
		if (!ok)
			return false;
	}
	return format != 'H' || n % 2 == 0;
}

enum sls_rc sls_ocra_question_check(const struct sls_ocra_suite *suite, const char *question)
{
	size_t n;

	if (suite == NULL || question == NULL)
		return SLS_ERR_INVAL;
	n = strnlen(question, (size_t)suite->q_len + 1);
	if (n < 4 || n > suite->q_len || !question_alphabet(suite->q_format, question, n))
		return SLS_ERR_QUESTION;
	return SLS_OK;
}

/* Set nibble i (0 = high half of byte 0) of buf to v. buf starts zeroed. */
static void put_nibble(uint8_t *buf, size_t i, unsigned v)
{
	buf[i / 2] |= (uint8_t)(i % 2 == 0 ? v << 4 : v);
}

/*
 * QN: the decimal value in hex, upper case, without leading zeros, then
 * right-padded with '0' to 256 hex digits (FACTS.md 10; nibble level). nib
 * holds the value little-endian, one hex digit per byte.
 */
static enum sls_rc question_numeric(const char *q, size_t n, uint8_t *field)
{
	uint8_t nib[Q_HEX_DIGITS] = {0};
	size_t used = 0;

	for (size_t k = 0; k < n; k++) {
		unsigned carry = (unsigned)(q[k] - '0');
		size_t i;

		for (i = 0; i < used || carry != 0; i++) {
			unsigned v;

			if (i == Q_HEX_DIGITS)
				return SLS_ERR_QUESTION; /* 2^1024 or more */
			v = (i < used ? nib[i] : 0) * 10u + carry;
			nib[i] = (uint8_t)(v & 0x0f);
			carry = v >> 4;
		}
		if (i > used)
			used = i;
	}
	while (used > 0 && nib[used - 1] == 0)
		used--;
	for (size_t k = 0; k < used; k++)
		put_nibble(field, k, nib[used - 1 - k]);
	return SLS_OK;
}

/* Fill the zeroed 128-byte Q field from question text, or SLS_ERR_QUESTION. */
static enum sls_rc put_question(const struct sls_ocra_suite *s, const char *q, uint8_t *field)
{
	size_t cap = s->q_format == 'N'   ? QN_TEXT_MAX
		     : s->q_format == 'H' ? Q_HEX_DIGITS
					  : SLS_OCRA_QUESTION_MAX;
	size_t n = strnlen(q, cap + 1);

	if (n == 0 || n > cap || !question_alphabet(s->q_format, q, n))
		return SLS_ERR_QUESTION;
	if (s->q_format == 'N')
		return question_numeric(q, n, field);
	if (s->q_format == 'H') {
		for (size_t i = 0; i < n; i++)
			put_nibble(field, i, (unsigned)sls_hex_digit(q[i]));
		return SLS_OK;
	}
	memcpy(field, q, n);
	return SLS_OK;
}

/* ---- the other data inputs --------------------------------------------- */

static void put_u64(uint8_t *dst, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		dst[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

enum sls_rc sls_ocra_pin_hash(const struct sls_ocra_suite *suite, const char *pin, uint8_t *out,
			      size_t *outlen)
{
	enum sls_rc rc;

	if (suite == NULL || !suite->pin || pin == NULL || out == NULL || outlen == NULL)
		return SLS_ERR_INVAL;
	rc = sls_digest(suite->pin_hash, pin, strlen(pin), out);
	*outlen = rc == SLS_OK ? sls_hash_size(suite->pin_hash) : 0;
	return rc;
}

/* The P field (hash size bytes at dst): the given hash, or the PIN hashed. */
static enum sls_rc put_pin(const struct sls_ocra_suite *s, const struct sls_ocra_input *in,
			   uint8_t *dst)
{
	size_t size = sls_hash_size(s->pin_hash);

	if (in->pin_hash != NULL) {
		if (in->pin_hash_len != size)
			return SLS_ERR_INVAL;
		memcpy(dst, in->pin_hash, size);
		return SLS_OK;
	}
	if (in->pin == NULL)
		return SLS_ERR_INVAL;
	return sls_digest(s->pin_hash, in->pin, strlen(in->pin), dst);
}

/* The S field: hex, left-padded with '0' to 2 * session_len digits. */
static enum sls_rc put_session(const struct sls_ocra_suite *s, const char *hex, uint8_t *dst)
{
	size_t width = 2 * (size_t)s->session_len, n;

	if (hex == NULL)
		return SLS_ERR_INVAL;
	n = strnlen(hex, width + 1);
	if (n > width)
		return SLS_ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		int v = sls_hex_digit(hex[i]);

		if (v < 0)
			return SLS_ERR_INVAL;
		put_nibble(dst, width - n + i, (unsigned)v);
	}
	return SLS_OK;
}

/* OCRASuite || 0x00 || C || Q || P || S || T into msg (MSG_MAX, zeroed). */
static enum sls_rc build_message(const struct sls_ocra_suite *s, const struct sls_ocra_input *in,
				 uint8_t *msg, size_t *len)
{
	size_t n = strlen(s->text) + 1; /* the text and its NUL separator */
	enum sls_rc rc;

	memcpy(msg, s->text, n);
	if (s->counter) {
		put_u64(msg + n, in->counter);
		n += 8;
	}
	if (in->question == NULL)
		return SLS_ERR_INVAL;
	rc = put_question(s, in->question, msg + n);
	n += SLS_OCRA_QUESTION_MAX;
	if (rc == SLS_OK && s->pin) {
		rc = put_pin(s, in, msg + n);
		n += sls_hash_size(s->pin_hash);
	}
	if (rc == SLS_OK && s->session_len > 0) {
		rc = put_session(s, in->session, msg + n);
		n += s->session_len;
	}
	if (s->time_step > 0) {
		put_u64(msg + n, in->timestamp);
		n += 8;
	}
	*len = n;
	return rc;
}

/* ---- compute and verify ------------------------------------------------ */

uint64_t sls_ocra_time_steps(const struct sls_ocra_suite *suite, time_t now)
{
	if (suite == NULL || suite->time_step == 0 || now < 0)
		return 0;
	return (uint64_t)now / suite->time_step;
}

/* Digits 0: the whole MAC in lower-case hex; otherwise RFC 4226 truncation. */
static enum sls_rc format_response(unsigned digits, const uint8_t *mac, size_t maclen, char *out,
				   size_t outsize)
{
	static const char xdigits[] = "0123456789abcdef";

	if (digits > 0)
		return sls_otp_truncate(mac, maclen, digits, out, outsize);
	if (outsize < 2 * maclen + 1)
		return SLS_ERR_INVAL;
	for (size_t i = 0; i < maclen; i++) {
		out[2 * i] = xdigits[mac[i] >> 4];
		out[2 * i + 1] = xdigits[mac[i] & 0x0f];
	}
	out[2 * maclen] = '\0';
	return SLS_OK;
}

/* A suite that did not come from sls_ocra_suite_parse could overflow msg. */
static bool suite_sane(const struct sls_ocra_suite *s)
{
	return strnlen(s->text, sizeof(s->text)) < sizeof(s->text) && sls_hash_size(s->hash) > 0 &&
	       (!s->pin || sls_hash_size(s->pin_hash) > 0) && s->session_len <= SESSION_MAX;
}

/* On failure out (if not NULL) is wiped to an empty string. */
enum sls_rc sls_ocra_compute(const struct sls_ocra_suite *suite, const uint8_t *key, size_t keylen,
			     const struct sls_ocra_input *in, char *out, size_t outsize)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	uint8_t msg[MSG_MAX] = {0};
	uint8_t mac[SLS_HASH_MAX];
	size_t msglen = 0, maclen = 0;

	if (suite == NULL || in == NULL || out == NULL || outsize == 0 || !suite_sane(suite))
		goto out;
	rc = build_message(suite, in, msg, &msglen);
	if (rc != SLS_OK)
		goto out;
	rc = sls_hmac(suite->hash, key, keylen, msg, msglen, mac, &maclen);
	if (rc != SLS_OK)
		goto out;
	rc = format_response(suite->digits, mac, maclen, out, outsize);
out:
	sls_wipe(msg, sizeof(msg));
	sls_wipe(mac, sizeof(mac));
	if (rc != SLS_OK && out != NULL)
		sls_wipe(out, outsize);
	return rc;
}

/*
 * Copy a response of exactly n characters in the suite's alphabet into
 * given (hex lower-cased, as compute writes it). False for any other shape.
 */
static bool response_normalise(unsigned digits, const char *response, size_t n, char *given)
{
	if (strnlen(response, n + 1) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = response[i];

		if (digits > 0 ? (c < '0' || c > '9') : sls_hex_digit(c) < 0)
			return false;
		given[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	given[n] = '\0';
	return true;
}

enum sls_rc sls_ocra_verify(const struct sls_ocra_suite *suite, const uint8_t *key, size_t keylen,
			    const struct sls_ocra_input *in, const char *response)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	char expect[SLS_OCRA_RESPONSE_MAX] = {0};
	char given[SLS_OCRA_RESPONSE_MAX] = {0};
	size_t n;

	if (suite == NULL || in == NULL || response == NULL)
		goto out;
	rc = sls_ocra_question_check(suite, in->question);
	if (rc != SLS_OK)
		goto out;
	n = suite->digits > 0 ? suite->digits : 2 * sls_hash_size(suite->hash);
	if (n == 0 || n >= sizeof(given)) {
		rc = SLS_ERR_INVAL;
		goto out;
	}
	rc = SLS_ERR_MISMATCH;
	if (!response_normalise(suite->digits, response, n, given))
		goto out;
	rc = sls_ocra_compute(suite, key, keylen, in, expect, sizeof(expect));
	if (rc != SLS_OK)
		goto out;
	rc = sls_secure_equal(expect, given, n) ? SLS_OK : SLS_ERR_MISMATCH;
out:
	sls_wipe(expect, sizeof(expect));
	sls_wipe(given, sizeof(given));
	return rc;
}
