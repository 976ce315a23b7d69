/* pam_sls - OCRA, the OATH challenge-response algorithm (RFC 6287). */
#ifndef SLS_OCRA_H
#define SLS_OCRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sls_error.h"
#include "sls_otp.h"

/* The suite of ibkey and dsc devices (common/devtype/ocra.c). */
#define SLS_OCRA_DEFAULT_SUITE "OCRA-1:HOTP-SHA256-8:QN06-PSHA1"
#define SLS_OCRA_SUITE_MAX     63  /* longest suite text we accept */
#define SLS_OCRA_QUESTION_MAX  128 /* bytes of the Q field */
#define SLS_OCRA_RESPONSE_MAX  129 /* digits 0 => full HMAC in hex (128) + NUL */

/* A parsed, validated suite. */
struct sls_ocra_suite {
	char text[SLS_OCRA_SUITE_MAX + 1]; /* the suite as given (it enters the MAC) */
	enum sls_hash hash;                /* HOTP-SHA1/256/512 */
	unsigned digits;                   /* 0 (no truncation) or 4..10 */
	bool counter;                      /* C */
	char q_format;                     /* 'A', 'N' or 'H' */
	unsigned q_len;                    /* xx of Qfxx: 4..64, the longest question */
	bool pin;                          /* Pxxx present */
	enum sls_hash pin_hash;            /* its hash */
	unsigned session_len;              /* Snnn bytes: 0 (none), 64, 128, 256, 512 */
	unsigned time_step;                /* T step in seconds, 0 = no T */
};

/*
 * Parse and validate a suite: "OCRA-1:HOTP-SHA{1,256,512}-{0,4..10}:" then
 * an optional "C-", a mandatory "Q{A,N,H}{04..64}", then optionally, in
 * this order, "-P{SHA1,SHA256,SHA512}", "-S{064,128,256,512}" and
 * "-T{1..59S,1..59M,1..48H}". Anything else is SLS_ERR_SUITE, with the
 * reason in diag (may be NULL).
 */
enum sls_rc sls_ocra_suite_parse(const char *text, struct sls_ocra_suite *suite,
				 struct sls_diag *diag);

/*
 * Strict check of a question against the suite, as a user-facing challenge
 * must pass it: 4..q_len characters of the suite's alphabet (digits for N,
 * hex digits for H, printable ASCII for A).
 */
enum sls_rc sls_ocra_question_check(const struct sls_ocra_suite *suite, const char *question);

/* The data inputs of one computation; fields the suite does not name are ignored. */
struct sls_ocra_input {
	uint64_t counter;        /* C */
	const char *question;    /* Q, as text */
	const char *pin;         /* P: the PIN in clear, hashed per the suite... */
	const uint8_t *pin_hash; /* ...or, if not NULL, its hash already (pin ignored) */
	size_t pin_hash_len;     /* must equal the suite's PIN hash size */
	const char *session;     /* S: hex, left-padded with zeros to session_len */
	uint64_t timestamp;      /* T: time steps since the epoch (see sls_ocra_time_steps) */
};

/* T value for time now under the suite's step (0 when the suite has no T). */
uint64_t sls_ocra_time_steps(const struct sls_ocra_suite *suite, time_t now);

/*
 * Compute the response into out (digits+1 bytes, or 2*hashsize+1 for
 * digits 0). The question must fit the 128-byte Q field in the suite's
 * alphabet (RFC 6287 5.1); it is not checked against q_len here, because
 * RFC 6287's own mutual-authentication vectors exceed it (use
 * sls_ocra_question_check for challenges users see). Nothing is ever
 * truncated: a question, PIN hash or session that does not fit is
 * SLS_ERR_QUESTION or SLS_ERR_INVAL.
 */
enum sls_rc sls_ocra_compute(const struct sls_ocra_suite *suite, const uint8_t *key, size_t keylen,
			     const struct sls_ocra_input *in, char *out, size_t outsize);

/*
 * Compute and compare with response in constant time. The question must pass
 * sls_ocra_question_check. SLS_OK on a match, SLS_ERR_MISMATCH otherwise
 * (also for a response of the wrong length or alphabet), another code on error.
 */
enum sls_rc sls_ocra_verify(const struct sls_ocra_suite *suite, const uint8_t *key, size_t keylen,
			    const struct sls_ocra_input *in, const char *response);

/* The suite's PIN hash of pin into out (SLS_HASH_MAX bytes), size into *outlen. */
enum sls_rc sls_ocra_pin_hash(const struct sls_ocra_suite *suite, const char *pin, uint8_t *out,
			      size_t *outlen);

#endif /* SLS_OCRA_H */
