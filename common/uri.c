/* pam_sls - otpauth:// provisioning URIs: the Key URI format and our ocra form. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "sls_codec.h"
#include "sls_secret.h"
#include "sls_uri.h"

/* Longest URI parsed: leaves room for cosmetic parameters such as image=URL. */
#define URI_PARSE_MAX 4096
/* Longest URI built: every field at its maximum, fully percent-encoded, fits. */
#define URI_BUILD_MAX 2048
/* Longest decoded value of a parameter we read (a spaced-out base32 secret). */
#define VALUE_MAX 256
/* Unpadded base32 of the longest secret, with its NUL. */
#define SECRET_B32_MAX ((SLS_URI_SECRET_MAX * 8 + 4) / 5 + 1)

#define TYPE_BIT(t) (1u << (t))

/* What the label and the parameters give before they are merged into *out. */
struct uri_parse {
	struct sls_otpauth *out;
	unsigned seen; /* a bit per entry of param_rules */
	char label_issuer[SLS_URI_FIELD_MAX + 1];
	char param_issuer[SLS_URI_FIELD_MAX + 1];
	bool has_param_issuer;
};

/* The parameters we know, as indexes of param_rules and bits of uri_parse.seen. */
enum param {
	P_SECRET,
	P_ISSUER,
	P_ALGORITHM,
	P_DIGITS,
	P_PERIOD,
	P_SUITE,
	P_DEVICE,
	P_COUNTER,
	P_IMAGE,
	P_COLOR,
	P_ICON,
	P__COUNT
};

struct param_rule {
	const char *name;
	unsigned types; /* TYPE_BIT of the types it belongs to; 0: always refused */
	/* Reads the decoded value (NUL-terminated, len bytes); NULL: cosmetic, ignored. */
	enum sls_rc (*apply)(struct uri_parse *p, const char *val, size_t len,
			     struct sls_diag *diag);
};

/*
 * Percent-decode n bytes of s into out (outsize bytes, NUL added).
 * SLS_ERR_URI for a bad escape or a control character (%00 included);
 * SLS_ERR_TOOBIG when the result does not fit. On error out is wiped.
 */
static enum sls_rc pct_decode(const char *s, size_t n, char *out, size_t outsize, size_t *outlen)
{
	enum sls_rc rc = SLS_ERR_URI;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				goto out;
			hi = sls_hex_digit(s[i + 1]);
			lo = sls_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto out;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			goto out;
		if (o + 1 >= outsize) {
			rc = SLS_ERR_TOOBIG;
			goto out;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*outlen = o;
	rc = SLS_OK;
out:
	if (rc != SLS_OK)
		sls_wipe(out, outsize);
	return rc;
}

/*
 * Length of the UTF-8 sequence at s if it is valid (shortest form, no
 * surrogate, at most U+10FFFF) and not a C0 or C1 control or DEL; else 0.
 */
static size_t utf8_char_len(const unsigned char *s)
{
	static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
		return 0;
	return len;
}

/* Whether s is printable UTF-8: what issuer, account and device may hold. */
static bool field_ok(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u != '\0') {
		size_t n = utf8_char_len(u);

		if (n == 0)
			return false;
		u += n;
	}
	return true;
}

/* Copy a decoded field value into dst (SLS_URI_FIELD_MAX + 1 bytes) after checks. */
static enum sls_rc set_field(char *dst, const char *val, size_t len, const char *what,
			     struct sls_diag *diag)
{
	if (len > SLS_URI_FIELD_MAX) {
		sls_diag_set(diag, 0, "%s longer than %d bytes", what, SLS_URI_FIELD_MAX);
		return SLS_ERR_URI;
	}
	if (!field_ok(val)) {
		sls_diag_set(diag, 0, "%s is not printable UTF-8", what);
		return SLS_ERR_URI;
	}
	memcpy(dst, val, len + 1);
	return SLS_OK;
}

/* A decimal number of 1 to 4 digits in [min, max]. */
static bool parse_small_uint(const char *s, unsigned min, unsigned max, unsigned *v)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < 4 && s[i] >= '0' && s[i] <= '9'; i++)
		n = n * 10 + (unsigned)(s[i] - '0');
	if (i == 0 || s[i] != '\0' || n < min || n > max)
		return false;
	*v = n;
	return true;
}

static enum sls_rc apply_secret(struct uri_parse *p, const char *val, size_t len,
				struct sls_diag *diag)
{
	struct sls_otpauth *o = p->out;
	enum sls_rc rc;

	(void)len;
	rc = sls_base32_decode(val, o->secret, sizeof(o->secret), &o->secret_len);
	if (rc == SLS_ERR_TOOBIG) {
		sls_diag_set(diag, 0, "secret longer than %d bytes", SLS_URI_SECRET_MAX);
		return SLS_ERR_URI;
	}
	if (rc != SLS_OK) {
		sls_diag_set(diag, 0, "bad base32 in 'secret'");
		return SLS_ERR_URI;
	}
	if (o->secret_len < SLS_URI_SECRET_MIN) {
		sls_wipe(o->secret, sizeof(o->secret));
		o->secret_len = 0;
		sls_diag_set(diag, 0, "secret shorter than %d bytes", SLS_URI_SECRET_MIN);
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

static enum sls_rc apply_issuer(struct uri_parse *p, const char *val, size_t len,
				struct sls_diag *diag)
{
	p->has_param_issuer = true;
	return set_field(p->param_issuer, val, len, "issuer", diag);
}

static enum sls_rc apply_device(struct uri_parse *p, const char *val, size_t len,
				struct sls_diag *diag)
{
	return set_field(p->out->device, val, len, "device", diag);
}

static enum sls_rc apply_algorithm(struct uri_parse *p, const char *val, size_t len,
				   struct sls_diag *diag)
{
	(void)len;
	if (sls_hash_parse(val, &p->out->algorithm) != SLS_OK) {
		sls_diag_set(diag, 0, "'algorithm' must be SHA1, SHA256 or SHA512");
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

static enum sls_rc apply_digits(struct uri_parse *p, const char *val, size_t len,
				struct sls_diag *diag)
{
	(void)len;
	if (!parse_small_uint(val, 6, 8, &p->out->digits)) {
		sls_diag_set(diag, 0, "'digits' must be 6, 7 or 8");
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

static enum sls_rc apply_period(struct uri_parse *p, const char *val, size_t len,
				struct sls_diag *diag)
{
	(void)len;
	if (!parse_small_uint(val, 1, 3600, &p->out->period)) {
		sls_diag_set(diag, 0, "'period' must be 1 to 3600 seconds");
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

static enum sls_rc apply_suite(struct uri_parse *p, const char *val, size_t len,
			       struct sls_diag *diag)
{
	struct sls_diag sd = {0};

	if (len > SLS_OCRA_SUITE_MAX) {
		sls_diag_set(diag, 0, "'suite' longer than %d characters", SLS_OCRA_SUITE_MAX);
		return SLS_ERR_URI;
	}
	if (sls_ocra_suite_parse(val, &p->out->suite, &sd) != SLS_OK) {
		sls_diag_set(diag, 0, "bad 'suite': %s", sd.msg);
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

#define BOTH_TYPES (TYPE_BIT(SLS_URI_TOTP) | TYPE_BIT(SLS_URI_OCRA))

static const struct param_rule param_rules[P__COUNT] = {
    [P_SECRET] = {"secret", BOTH_TYPES, apply_secret},
    [P_ISSUER] = {"issuer", BOTH_TYPES, apply_issuer},
    [P_ALGORITHM] = {"algorithm", TYPE_BIT(SLS_URI_TOTP), apply_algorithm},
    [P_DIGITS] = {"digits", TYPE_BIT(SLS_URI_TOTP), apply_digits},
    [P_PERIOD] = {"period", TYPE_BIT(SLS_URI_TOTP), apply_period},
    [P_SUITE] = {"suite", TYPE_BIT(SLS_URI_OCRA), apply_suite},
    [P_DEVICE] = {"device", TYPE_BIT(SLS_URI_OCRA), apply_device},
    [P_COUNTER] = {"counter", 0, NULL}, /* hotp's: refused */
    [P_IMAGE] = {"image", BOTH_TYPES, NULL},
    [P_COLOR] = {"color", BOTH_TYPES, NULL},
    [P_ICON] = {"icon", BOTH_TYPES, NULL},
};

/* Index in param_rules of the n-byte name (case-insensitive), or -1. */
static int find_rule(const char *name, size_t n)
{
	for (size_t i = 0; i < P__COUNT; i++)
		if (strncasecmp(name, param_rules[i].name, n) == 0 &&
		    param_rules[i].name[n] == '\0')
			return (int)i;
	return -1;
}

/* Diagnose an unknown name, quoting it only when it is plainly a name. */
static void diag_unknown(const char *name, size_t n, struct sls_diag *diag)
{
	bool plain = n > 0 && n <= 20;

	for (size_t i = 0; plain && i < n; i++)
		plain = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
			(name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '-';
	if (plain)
		sls_diag_set(diag, 0, "unknown parameter '%.*s'", (int)n, name);
	else
		sls_diag_set(diag, 0, "unknown parameter");
}

/* Check the name of one "name=value" parameter; *rule gets its param_rules entry. */
static enum sls_rc check_param_name(struct uri_parse *p, const char *s, size_t n,
				    const struct param_rule **rule, struct sls_diag *diag)
{
	int i = find_rule(s, n);

	if (i < 0) {
		diag_unknown(s, n, diag);
		return SLS_ERR_URI;
	}
	*rule = &param_rules[i];
	if (p->seen & (1u << i)) {
		sls_diag_set(diag, 0, "duplicate parameter '%s'", (*rule)->name);
		return SLS_ERR_URI;
	}
	p->seen |= 1u << i;
	if ((*rule)->types == 0) {
		sls_diag_set(diag, 0, "parameter '%s' is not supported", (*rule)->name);
		return SLS_ERR_URI;
	}
	if (((*rule)->types & TYPE_BIT(p->out->type)) == 0) {
		sls_diag_set(diag, 0, "parameter '%s' does not belong in a %s URI", (*rule)->name,
			     p->out->type == SLS_URI_OCRA ? "ocra" : "totp");
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

/* One "name=value" parameter: n raw bytes at s. */
static enum sls_rc parse_param(struct uri_parse *p, const char *s, size_t n, struct sls_diag *diag)
{
	enum sls_rc rc = SLS_ERR_URI;
	const struct param_rule *rule = NULL;
	const char *eq = memchr(s, '=', n);
	char val[VALUE_MAX + 1];
	size_t name_len, len = 0;

	memset(val, 0, sizeof(val));
	if (eq == NULL) {
		sls_diag_set(diag, 0, n == 0 ? "empty parameter" : "parameter without '='");
		goto out;
	}
	name_len = (size_t)(eq - s);
	rc = check_param_name(p, s, name_len, &rule, diag);
	if (rc != SLS_OK || rule->apply == NULL)
		goto out;
	rc = pct_decode(eq + 1, n - name_len - 1, val, sizeof(val), &len);
	if (rc != SLS_OK) {
		if (rc == SLS_ERR_TOOBIG)
			sls_diag_set(diag, 0, "value of '%s' too long", rule->name);
		else
			sls_diag_set(diag, 0, "bad percent-encoding or control character in '%s'",
				     rule->name);
		rc = SLS_ERR_URI;
		goto out;
	}
	rc = rule->apply(p, val, len, diag);
out:
	sls_wipe(val, sizeof(val));
	return rc;
}

/* The query: '&'-separated parameters, none empty. */
static enum sls_rc parse_query(struct uri_parse *p, const char *q, struct sls_diag *diag)
{
	for (;;) {
		size_t n = strcspn(q, "&");
		enum sls_rc rc = parse_param(p, q, n, diag);

		if (rc != SLS_OK)
			return rc;
		if (q[n] == '\0')
			return SLS_OK;
		q += n + 1;
	}
}

/*
 * Find the issuer/account separator of an n-byte raw label: the first
 * literal ':', else the first "%3A". *sep is its offset, *seplen 1 or 3;
 * false when there is none.
 */
static bool find_separator(const char *s, size_t n, size_t *sep, size_t *seplen)
{
	const char *colon = memchr(s, ':', n);

	if (colon != NULL) {
		*sep = (size_t)(colon - s);
		*seplen = 1;
		return true;
	}
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] == '%' && s[i + 1] == '3' && (s[i + 2] == 'A' || s[i + 2] == 'a')) {
			*sep = i;
			*seplen = 3;
			return true;
		}
	}
	return false;
}

/* Decode one part of the label into dst (SLS_URI_FIELD_MAX + 1 bytes). */
static enum sls_rc decode_label_part(char *dst, const char *s, size_t n, const char *what,
				     struct sls_diag *diag)
{
	char tmp[SLS_URI_FIELD_MAX + 1];
	size_t len = 0;
	enum sls_rc rc = pct_decode(s, n, tmp, sizeof(tmp), &len);

	if (rc == SLS_ERR_TOOBIG)
		sls_diag_set(diag, 0, "label's %s longer than %d bytes", what, SLS_URI_FIELD_MAX);
	else if (rc != SLS_OK)
		sls_diag_set(diag, 0, "bad percent-encoding or control character in the label's %s",
			     what);
	else
		rc = set_field(dst, tmp, len, what, diag);
	sls_wipe(tmp, sizeof(tmp));
	return rc == SLS_OK ? SLS_OK : SLS_ERR_URI;
}

/*
 * The label "ISSUER:ACCOUNT" or "ACCOUNT", n raw bytes at s. Spaces before
 * the account are dropped (the Key URI format allows them); what is left
 * must not be empty.
 */
static enum sls_rc parse_label(struct uri_parse *p, const char *s, size_t n, struct sls_diag *diag)
{
	char *account = p->out->account;
	size_t sep = 0, seplen = 0, skip;
	enum sls_rc rc;

	if (find_separator(s, n, &sep, &seplen)) {
		rc = decode_label_part(p->label_issuer, s, sep, "issuer", diag);
		if (rc != SLS_OK)
			return rc;
		s += sep + seplen;
		n -= sep + seplen;
	}
	rc = decode_label_part(account, s, n, "account", diag);
	if (rc != SLS_OK)
		return rc;
	skip = strspn(account, " ");
	memmove(account, account + skip, strlen(account + skip) + 1);
	if (account[0] == '\0') {
		sls_diag_set(diag, 0, "empty account name in the label");
		return SLS_ERR_URI;
	}
	return SLS_OK;
}

/* "otpauth://TYPE/": sets out->type, *label to what follows the '/'. */
static enum sls_rc parse_head(const char *uri, struct sls_otpauth *out, const char **label,
			      struct sls_diag *diag)
{
	static const char scheme[] = "otpauth://";
	const char *t = uri + sizeof(scheme) - 1;
	size_t n;

	if (strncasecmp(uri, scheme, sizeof(scheme) - 1) != 0) {
		sls_diag_set(diag, 0, "not an otpauth:// URI");
		return SLS_ERR_URI;
	}
	n = strcspn(t, "/?");
	if (n == 4 && strncasecmp(t, "totp", 4) == 0) {
		out->type = SLS_URI_TOTP;
	} else if (n == 4 && strncasecmp(t, "ocra", 4) == 0) {
		out->type = SLS_URI_OCRA;
	} else {
		sls_diag_set(diag, 0,
			     n == 4 && strncasecmp(t, "hotp", 4) == 0
				 ? "hotp (counter-based) URIs are not supported"
				 : "unknown otpauth type (totp or ocra expected)");
		return SLS_ERR_URI;
	}
	if (t[n] != '/') {
		sls_diag_set(diag, 0, "missing label");
		return SLS_ERR_URI;
	}
	*label = t + n + 1;
	return SLS_OK;
}

/* Required parameters, and the issuer from the label and the parameter merged. */
static enum sls_rc finish_parse(struct uri_parse *p, struct sls_diag *diag)
{
	struct sls_otpauth *o = p->out;

	if ((p->seen & (1u << P_SECRET)) == 0) {
		sls_diag_set(diag, 0, "missing 'secret'");
		return SLS_ERR_URI;
	}
	if (o->type == SLS_URI_OCRA && (p->seen & (1u << P_SUITE)) == 0) {
		sls_diag_set(diag, 0, "missing 'suite'");
		return SLS_ERR_URI;
	}
	if (p->label_issuer[0] != '\0' && p->has_param_issuer &&
	    strcmp(p->label_issuer, p->param_issuer) != 0) {
		sls_diag_set(diag, 0, "'issuer' differs from the label's issuer");
		return SLS_ERR_URI;
	}
	memcpy(o->issuer, p->label_issuer[0] != '\0' ? p->label_issuer : p->param_issuer,
	       sizeof(o->issuer));
	return SLS_OK;
}

/* Whether uri is at most URI_PARSE_MAX bytes, none of them a control character. */
static bool uri_text_ok(const char *uri, struct sls_diag *diag)
{
	size_t n;

	for (n = 0; uri[n] != '\0'; n++) {
		unsigned char c = (unsigned char)uri[n];

		if (n >= URI_PARSE_MAX) {
			sls_diag_set(diag, 0, "URI longer than %d bytes", URI_PARSE_MAX);
			return false;
		}
		if (c < 0x20 || c == 0x7f) {
			sls_diag_set(diag, 0, "control character in the URI");
			return false;
		}
	}
	return true;
}

enum sls_rc sls_otpauth_parse(const char *uri, struct sls_otpauth *out, struct sls_diag *diag)
{
	enum sls_rc rc = SLS_ERR_URI;
	struct uri_parse p;
	const char *label = NULL;
	size_t label_len;

	if (out == NULL)
		return SLS_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.out = out;
	out->algorithm = SLS_HASH_SHA1;
	out->digits = 6;
	out->period = 30;
	if (uri == NULL) {
		rc = SLS_ERR_INVAL;
		goto out;
	}
	if (!uri_text_ok(uri, diag))
		goto out;
	rc = parse_head(uri, out, &label, diag);
	if (rc != SLS_OK)
		goto out;
	label_len = strcspn(label, "?");
	rc = parse_label(&p, label, label_len, diag);
	if (rc == SLS_OK && label[label_len] == '?')
		rc = parse_query(&p, label + label_len + 1, diag);
	if (rc == SLS_OK)
		rc = finish_parse(&p, diag);
out:
	if (rc != SLS_OK)
		sls_otpauth_clear(out);
	sls_wipe(&p, sizeof(p));
	return rc;
}

void sls_otpauth_clear(struct sls_otpauth *o)
{
	sls_wipe(o, sizeof(*o));
}

/*
 * A fixed-capacity string: it never reallocates (which would leave a copy
 * of the secret behind); an append that does not fit sets overflow.
 */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool overflow;
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->overflow || n >= b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sb_str(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Append s percent-encoded: RFC 3986 unreserved characters and those in keep stay. */
static void sb_pct(struct strbuf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c) != NULL || strchr(keep, c) != NULL)
			sb_add(b, s, 1);
		else
			sb_add(b, esc, sizeof(esc));
	}
}

/* A field a built URI may carry: NUL-terminated within its array, printable UTF-8. */
static bool build_field_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL && field_ok(s);
}

/* Whether *in makes a URI that sls_otpauth_parse reads back unchanged. */
static bool build_input_ok(const struct sls_otpauth *in)
{
	struct sls_ocra_suite suite;

	if (!build_field_ok(in->issuer, sizeof(in->issuer)) ||
	    !build_field_ok(in->account, sizeof(in->account)) || in->account[0] == '\0' ||
	    in->account[0] == ' ')
		return false;
	if (in->secret_len < SLS_URI_SECRET_MIN || in->secret_len > SLS_URI_SECRET_MAX)
		return false;
	if (in->type == SLS_URI_TOTP)
		return (in->algorithm == SLS_HASH_SHA1 || in->algorithm == SLS_HASH_SHA256 ||
			in->algorithm == SLS_HASH_SHA512) &&
		       in->digits >= 6 && in->digits <= 8 && in->period >= 1 && in->period <= 3600;
	if (in->type != SLS_URI_OCRA || !build_field_ok(in->device, sizeof(in->device)) ||
	    memchr(in->suite.text, '\0', sizeof(in->suite.text)) == NULL)
		return false;
	return sls_ocra_suite_parse(in->suite.text, &suite, NULL) == SLS_OK;
}

/* The label: "ISSUER:ACCOUNT", or the account alone (":ACCOUNT" if it holds a colon). */
static void sb_label(struct strbuf *b, const struct sls_otpauth *in)
{
	if (in->issuer[0] != '\0')
		sb_pct(b, in->issuer, "");
	if (in->issuer[0] != '\0' || strchr(in->account, ':') != NULL)
		sb_str(b, ":");
	sb_pct(b, in->account, "");
}

static void sb_number(struct strbuf *b, const char *name, unsigned v)
{
	char digits[12];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && i > 0);
	sb_str(b, name);
	sb_add(b, digits + i, sizeof(digits) - i);
}

/* Everything after "?secret=B32". */
static void sb_params(struct strbuf *b, const struct sls_otpauth *in)
{
	if (in->type == SLS_URI_OCRA) {
		sb_str(b, "&suite=");
		sb_pct(b, in->suite.text, ":");
	}
	if (in->issuer[0] != '\0') {
		sb_str(b, "&issuer=");
		sb_pct(b, in->issuer, "");
	}
	if (in->type == SLS_URI_OCRA) {
		if (in->device[0] != '\0') {
			sb_str(b, "&device=");
			sb_pct(b, in->device, "");
		}
		return;
	}
	if (in->algorithm != SLS_HASH_SHA1) {
		sb_str(b, "&algorithm=");
		sb_str(b, sls_hash_name(in->algorithm));
	}
	if (in->digits != 6)
		sb_number(b, "&digits=", in->digits);
	if (in->period != 30)
		sb_number(b, "&period=", in->period);
}

enum sls_rc sls_otpauth_build(const struct sls_otpauth *in, char **out)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	struct strbuf b = {0};
	char secret[SECRET_B32_MAX];

	memset(secret, 0, sizeof(secret));
	if (out == NULL)
		return SLS_ERR_INVAL;
	*out = NULL;
	if (in == NULL || !build_input_ok(in))
		goto out;
	rc = SLS_ERR_NOMEM;
	b.buf = calloc(1, URI_BUILD_MAX);
	if (b.buf == NULL)
		goto out;
	b.cap = URI_BUILD_MAX;
	rc = sls_base32_encode(in->secret, in->secret_len, secret, sizeof(secret), 0);
	if (rc != SLS_OK)
		goto out;
	sb_str(&b, in->type == SLS_URI_OCRA ? "otpauth://ocra/" : "otpauth://totp/");
	sb_label(&b, in);
	sb_str(&b, "?secret=");
	sb_str(&b, secret);
	sb_params(&b, in);
	rc = SLS_ERR_TOOBIG;
	if (b.overflow)
		goto out;
	*out = b.buf;
	b.buf = NULL;
	rc = SLS_OK;
out:
	sls_wipe(secret, sizeof(secret));
	sls_free_secret(b.buf, b.cap);
	return rc;
}

bool sls_issuer_here(char *out, size_t size)
{
	if (size == 0 || gethostname(out, size) != 0 || out[0] == '\0')
		return false;
	out[size - 1] = '\0';
	out[strcspn(out, ".")] = '\0';
	return out[0] != '\0'; /* ".x": no short name */
}

void sls_issuer_or_localhost(char *out, size_t size)
{
	if (size > 0 && !sls_issuer_here(out, size))
		snprintf(out, size, "localhost");
}

/* 1 to SLS_CHALLENGE_TEXT_DIGITS_MAX decimal digits. */
static bool digits_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= SLS_CHALLENGE_TEXT_DIGITS_MAX && strspn(s, "0123456789") == n;
}

enum sls_rc sls_challenge_text(const char *user, const char *issuer, const char *device,
			       const char *challenge, char *out, size_t size)
{
	struct strbuf b = {.buf = out, .cap = size};

	if (out == NULL || size == 0)
		return SLS_ERR_INVAL;
	out[0] = '\0';
	if (user == NULL || issuer == NULL || device == NULL || challenge == NULL ||
	    user[0] == '\0' || issuer[0] == '\0' || device[0] == '\0' || !digits_ok(challenge))
		return SLS_ERR_INVAL;
	sb_str(&b, "sls-challenge:");
	sb_pct(&b, user, "");
	sb_str(&b, "@");
	sb_pct(&b, issuer, "");
	sb_str(&b, "/");
	sb_pct(&b, device, "");
	sb_str(&b, "?c=");
	sb_str(&b, challenge);
	if (!b.overflow)
		return SLS_OK;
	out[0] = '\0';
	return SLS_ERR_TOOBIG;
}
