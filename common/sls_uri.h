/* pam_sls - otpauth:// provisioning URIs (Key URI format, and our ocra form). */
#ifndef SLS_URI_H
#define SLS_URI_H

#include <stddef.h>
#include <stdint.h>

#include "sls_error.h"
#include "sls_ocra.h"
#include "sls_otp.h"

#define SLS_URI_SECRET_MAX 64  /* bytes */
#define SLS_URI_SECRET_MIN 16  /* bytes: shorter secrets are refused */
#define SLS_URI_FIELD_MAX  128 /* bytes of issuer, account or device after decoding */

enum sls_uri_type { SLS_URI_TOTP, SLS_URI_OCRA };

/*
 * One account, as carried by
 *   otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER[&algorithm=SHA1&digits=6&period=30]
 *   otpauth://ocra/ISSUER:ACCOUNT?secret=B32&suite=SUITE&issuer=ISSUER&device=NAME
 * Strings are NUL-terminated and hold the decoded (not percent-encoded) text.
 */
struct sls_otpauth {
	enum sls_uri_type type;
	char issuer[SLS_URI_FIELD_MAX + 1];  /* may be empty */
	char account[SLS_URI_FIELD_MAX + 1]; /* never empty */
	char device[SLS_URI_FIELD_MAX + 1];  /* ocra: device name; may be empty */
	uint8_t secret[SLS_URI_SECRET_MAX];
	size_t secret_len;
	/* totp */
	enum sls_hash algorithm; /* default SHA1 */
	unsigned digits;         /* 6..8, default 6 */
	unsigned period;         /* 1..3600 s, default 30 */
	/* ocra */
	struct sls_ocra_suite suite;
};

/*
 * Parse a URI into *out (zeroed first). Rules: scheme "otpauth" and type
 * "totp" or "ocra" (case-insensitive); label "ISSUER:ACCOUNT" or "ACCOUNT"
 * (percent-decoded, the colon may also be "%3A"); parameters percent-decoded;
 * a duplicate parameter, an unknown parameter other than the cosmetic ones
 * apps add (image, color, icon), a parameter of the other type (suite,
 * device for totp; algorithm, digits, period for ocra), "counter", a
 * missing or bad secret or suite, or an issuer parameter that differs from
 * the label's issuer is SLS_ERR_URI with the reason in diag (never the
 * secret). On error *out holds no secret.
 */
enum sls_rc sls_otpauth_parse(const char *uri, struct sls_otpauth *out, struct sls_diag *diag);

/*
 * Build the URI for *in into a malloc'ed string *out (caller frees with
 * sls_free_secret_str). Label and values are percent-encoded (RFC 3986
 * unreserved characters kept), the secret unpadded base32; totp omits
 * parameters at their default.
 */
enum sls_rc sls_otpauth_build(const struct sls_otpauth *in, char **out);

/*
 * The issuer this host gives a URI or a card: its short name (up to the
 * first dot; it reads better in an app). False when it has none.
 */
bool sls_issuer_here(char *out, size_t size);

/*
 * sls_issuer_here, or "localhost" when the host has no name: the issuer an
 * enrolment inside the login, a code card and a challenge's QR code name.
 */
void sls_issuer_or_localhost(char *out, size_t size);

/* The most digits a challenge in sls_challenge_text may have (OCRA's Q: 4 to 64). */
#define SLS_CHALLENGE_TEXT_DIGITS_MAX 64

/*
 * The text of a login challenge's QR code ([login] challenge_qr), which a
 * soft key on a phone reads (a contract: sls.conf(5)):
 *
 *   sls-challenge:USER@ISSUER/DEVICE?c=CHALLENGE
 *
 * USER, ISSUER and DEVICE percent-encoded: every byte but RFC 3986's
 * unreserved A-Z a-z 0-9 - . _ ~ as %XX in upper-case hex; CHALLENGE the
 * digits shown. Into out (size bytes with its NUL): SLS_OK; SLS_ERR_TOOBIG
 * when it does not fit; SLS_ERR_INVAL for a NULL or empty field or a
 * challenge that is not 1 to SLS_CHALLENGE_TEXT_DIGITS_MAX digits. On an
 * error out is "".
 */
enum sls_rc sls_challenge_text(const char *user, const char *issuer, const char *device,
			       const char *challenge, char *out, size_t size);

/* Wipe *o (it holds a secret). */
void sls_otpauth_clear(struct sls_otpauth *o);

#endif /* SLS_URI_H */
