/* pam_sls - HMAC, HOTP (RFC 4226) and TOTP (RFC 6238). */
#ifndef SLS_OTP_H
#define SLS_OTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sls_error.h"

enum sls_hash { SLS_HASH_SHA1, SLS_HASH_SHA256, SLS_HASH_SHA512 };

#define SLS_HASH_MAX       64 /* bytes of the largest digest (SHA-512) */
#define SLS_OTP_DIGITS_MAX 10

/* "SHA1", "SHA256", "SHA512". */
const char *sls_hash_name(enum sls_hash h);
/* Digest size in bytes: 20, 32, 64. */
size_t sls_hash_size(enum sls_hash h);
/* Parse "SHA1"/"SHA256"/"SHA512" (case-insensitive). SLS_ERR_INVAL otherwise. */
enum sls_rc sls_hash_parse(const char *s, enum sls_hash *h);

/*
 * The PAM module's first call into OpenSSL, at the start of each of its
 * entry points: if this process has not started OpenSSL yet (sudo, su,
 * login), it is started without its exit handler, so that a host that never
 * asked for OpenSSL does not run OPENSSL_cleanup at exit (measured in
 * tests/bench). Only OpenSSL's base is started here; openssl.cnf and the
 * providers wait for the first hash. In a host that started OpenSSL itself
 * (sshd) nothing changes. Thread-safe (OpenSSL's own once-only start).
 * false if OpenSSL cannot start: the caller denies.
 */
bool sls_crypto_guest(void);

/* Plain digest of msg (used for OCRA's PIN hash). out needs sls_hash_size(h). */
enum sls_rc sls_digest(enum sls_hash h, const void *msg, size_t msglen, uint8_t *out);

/* HMAC through EVP_MAC. out needs sls_hash_size(h) bytes; *outlen gets it. */
enum sls_rc sls_hmac(enum sls_hash h, const uint8_t *key, size_t keylen, const uint8_t *msg,
		     size_t msglen, uint8_t *out, size_t *outlen);

/*
 * RFC 4226 dynamic truncation of an HMAC value and reduction to digits
 * (1..10) decimal digits, zero-padded, into out (needs digits+1 bytes).
 */
enum sls_rc sls_otp_truncate(const uint8_t *mac, size_t maclen, unsigned digits, char *out,
			     size_t outsize);

/* HOTP value for counter (digits 6..10) into out (digits+1 bytes). */
enum sls_rc sls_hotp(enum sls_hash h, const uint8_t *key, size_t keylen, uint64_t counter,
		     unsigned digits, char *out, size_t outsize);

/* Time step of now for a step of period seconds (T0 = 0); period >= 1. */
uint64_t sls_totp_step(time_t now, unsigned period);

/* TOTP value at time now (RFC 6238). */
enum sls_rc sls_totp(enum sls_hash h, const uint8_t *key, size_t keylen, time_t now,
		     unsigned period, unsigned digits, char *out, size_t outsize);

/*
 * Check code against every step from step(now)-window to step(now)+window.
 * All candidates are computed and compared in constant time, with no early
 * exit. On a match returns SLS_OK and sets *matched_step (if not NULL) to the
 * matching step (the lowest, should two match); otherwise SLS_ERR_MISMATCH.
 * Steps <= not_before are never accepted (pass the last used step to refuse
 * a replay, or 0 for none). A code of the wrong length or with a non-digit is
 * SLS_ERR_MISMATCH, not an error.
 */
enum sls_rc sls_totp_verify(enum sls_hash h, const uint8_t *key, size_t keylen, time_t now,
			    unsigned period, unsigned digits, unsigned window, uint64_t not_before,
			    const char *code, uint64_t *matched_step);

#endif /* SLS_OTP_H */
