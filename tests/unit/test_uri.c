/* pam_sls - tests of otpauth:// URIs: round trips, real URIs, and a table of rejections. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sls_codec.h"
#include "sls_secret.h"
#include "sls_uri.h"

/* 20 bytes: "Hello!\xde\xad\xbe\xef" twice, the Key URI format's example secret doubled. */
#define S20   "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#define SUITE "OCRA-1:HOTP-SHA256-8:QN06-PSHA1"

static void fill(struct sls_otpauth *o, enum sls_uri_type type, const char *issuer,
		 const char *account, size_t secret_len)
{
	memset(o, 0, sizeof(*o));
	o->type = type;
	snprintf(o->issuer, sizeof(o->issuer), "%s", issuer);
	snprintf(o->account, sizeof(o->account), "%s", account);
	for (size_t i = 0; i < secret_len; i++)
		o->secret[i] = (uint8_t)(i * 29 + 7);
	o->secret_len = secret_len;
	o->algorithm = SLS_HASH_SHA1;
	o->digits = 6;
	o->period = 30;
	if (type == SLS_URI_OCRA)
		assert_int_equal(sls_ocra_suite_parse(SUITE, &o->suite, NULL), SLS_OK);
}

static void assert_same(const struct sls_otpauth *a, const struct sls_otpauth *b)
{
	assert_int_equal(a->type, b->type);
	assert_string_equal(a->issuer, b->issuer);
	assert_string_equal(a->account, b->account);
	assert_string_equal(a->device, b->device);
	assert_int_equal(a->secret_len, b->secret_len);
	assert_memory_equal(a->secret, b->secret, a->secret_len);
	if (a->type == SLS_URI_TOTP) {
		assert_int_equal(a->algorithm, b->algorithm);
		assert_int_equal(a->digits, b->digits);
		assert_int_equal(a->period, b->period);
	} else {
		assert_string_equal(a->suite.text, b->suite.text);
		assert_int_equal(a->suite.hash, b->suite.hash);
		assert_int_equal(a->suite.digits, b->suite.digits);
		assert_int_equal(a->suite.q_len, b->suite.q_len);
	}
}

/* Build *in, check the text if expect is not NULL, parse it back and compare. */
static void round_trip(const struct sls_otpauth *in, const char *expect)
{
	struct sls_otpauth back;
	struct sls_diag diag = {0};
	char *uri = NULL;

	assert_int_equal(sls_otpauth_build(in, &uri), SLS_OK);
	assert_non_null(uri);
	if (expect != NULL)
		assert_string_equal(uri, expect);
	if (sls_otpauth_parse(uri, &back, &diag) != SLS_OK)
		fail_msg("parsing back %s: %s", uri, diag.msg);
	assert_same(in, &back);
	sls_otpauth_clear(&back);
	sls_free_secret_str(uri);
}

static void test_round_trip_totp_defaults(void **state)
{
	struct sls_otpauth o;
	char b32[64], expect[256];

	(void)state;
	fill(&o, SLS_URI_TOTP, "Example", "alice@example.com", 20);
	assert_int_equal(sls_base32_encode(o.secret, 20, b32, sizeof(b32), 0), SLS_OK);
	snprintf(expect, sizeof(expect),
		 "otpauth://totp/Example:alice%%40example.com?secret=%s&issuer=Example", b32);
	round_trip(&o, expect);
}

static void test_round_trip_totp_sha256_8_60(void **state)
{
	struct sls_otpauth o;
	char b32[64], expect[256];

	(void)state;
	fill(&o, SLS_URI_TOTP, "Example", "alice", 32);
	o.algorithm = SLS_HASH_SHA256;
	o.digits = 8;
	o.period = 60;
	assert_int_equal(sls_base32_encode(o.secret, 32, b32, sizeof(b32), 0), SLS_OK);
	snprintf(expect, sizeof(expect),
		 "otpauth://totp/Example:alice?secret=%s&issuer=Example"
		 "&algorithm=SHA256&digits=8&period=60",
		 b32);
	round_trip(&o, expect);
	o.algorithm = SLS_HASH_SHA512;
	o.digits = 7;
	o.period = 3600;
	o.secret_len = 64;
	round_trip(&o, NULL);
}

static void test_round_trip_ocra(void **state)
{
	struct sls_otpauth o;
	char b32[64], expect[256];

	(void)state;
	fill(&o, SLS_URI_OCRA, "ACME", "bob", 32);
	snprintf(o.device, sizeof(o.device), "ibkey-1");
	assert_int_equal(sls_base32_encode(o.secret, 32, b32, sizeof(b32), 0), SLS_OK);
	snprintf(expect, sizeof(expect),
		 "otpauth://ocra/ACME:bob?secret=%s&suite=" SUITE "&issuer=ACME&device=ibkey-1",
		 b32);
	round_trip(&o, expect);
	/* No issuer, no device. */
	fill(&o, SLS_URI_OCRA, "", "bob", 16);
	round_trip(&o, NULL);
}

static void test_round_trip_special_chars(void **state)
{
	struct sls_otpauth o;
	char *uri = NULL;

	(void)state;
	fill(&o, SLS_URI_TOTP, "ACME Co: R&D 100%", "a:b@c&d=e +x?/#", 20);
	assert_int_equal(sls_otpauth_build(&o, &uri), SLS_OK);
	assert_non_null(strstr(uri, "totp/ACME%20Co%3A%20R%26D%20100%25:"
				    "a%3Ab%40c%26d%3De%20%2Bx%3F%2F%23?secret="));
	assert_non_null(strstr(uri, "&issuer=ACME%20Co%3A%20R%26D%20100%25"));
	sls_free_secret_str(uri);
	round_trip(&o, NULL);

	fill(&o, SLS_URI_OCRA, "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale", "j\xc3\xbcrgen", 20);
	snprintf(o.device, sizeof(o.device),
		 "t\xc3\xa9l\xc3\xa9phone \xe2\x98\x8e \xf0\x9f\x94\x91");
	assert_int_equal(sls_otpauth_build(&o, &uri), SLS_OK);
	assert_non_null(strstr(uri, "ocra/Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale:j%C3%BCrgen?"));
	sls_free_secret_str(uri);
	round_trip(&o, NULL);
}

/* Without an issuer an account holding a colon gets an empty issuer before it. */
static void test_round_trip_no_issuer(void **state)
{
	struct sls_otpauth o;
	char b32[64], expect[256];

	(void)state;
	fill(&o, SLS_URI_TOTP, "", "a:b", 16);
	assert_int_equal(sls_base32_encode(o.secret, 16, b32, sizeof(b32), 0), SLS_OK);
	snprintf(expect, sizeof(expect), "otpauth://totp/:a%%3Ab?secret=%s", b32);
	round_trip(&o, expect);
	fill(&o, SLS_URI_TOTP, "", "alice", 16);
	snprintf(expect, sizeof(expect), "otpauth://totp/alice?secret=%s", b32);
	round_trip(&o, expect);
}

/* Longest fields, each character encoded as %XX. */
static void test_round_trip_longest(void **state)
{
	struct sls_otpauth o;

	(void)state;
	fill(&o, SLS_URI_OCRA, "", "", 64);
	memset(o.issuer, '&', SLS_URI_FIELD_MAX);
	memset(o.account, '%', SLS_URI_FIELD_MAX);
	memset(o.device, ':', SLS_URI_FIELD_MAX);
	round_trip(&o, NULL);
}

static void parse_ok(const char *uri, struct sls_otpauth *o)
{
	struct sls_diag diag = {0};

	if (sls_otpauth_parse(uri, o, &diag) != SLS_OK)
		fail_msg("parsing %s: %s", uri, diag.msg);
}

/* The Key URI format's example has a 10-byte secret: too short for us. */
static void test_parse_google_example(void **state)
{
	static const uint8_t hello[10] = "Hello!\xde\xad\xbe\xef";
	struct sls_otpauth o;
	struct sls_diag diag = {0};

	(void)state;
	assert_int_equal(sls_otpauth_parse("otpauth://totp/Example:alice@google.com?secret="
					   "JBSWY3DPEHPK3PXP&issuer=Example",
					   &o, &diag),
			 SLS_ERR_URI);
	assert_non_null(strstr(diag.msg, "shorter than 16 bytes"));
	assert_int_equal(o.secret_len, 0);

	parse_ok("otpauth://totp/Example:alice@google.com?secret=" S20 "&issuer=Example", &o);
	assert_int_equal(o.type, SLS_URI_TOTP);
	assert_string_equal(o.issuer, "Example");
	assert_string_equal(o.account, "alice@google.com");
	assert_string_equal(o.device, "");
	assert_int_equal(o.secret_len, 20);
	assert_memory_equal(o.secret, hello, 10);
	assert_memory_equal(o.secret + 10, hello, 10);
	assert_int_equal(o.algorithm, SLS_HASH_SHA1);
	assert_int_equal(o.digits, 6);
	assert_int_equal(o.period, 30);
	sls_otpauth_clear(&o);
}

/* Forms other generators write, all read the same. */
static void test_parse_variants(void **state)
{
	static const char *const same[] = {
	    "otpauth://totp/ACME%20Co:john.doe@email.com?secret=" S20 "&issuer=ACME%20Co"
	    "&algorithm=SHA1&digits=6&period=30",
	    "OTPAUTH://TOTP/ACME%20Co%3Ajohn.doe%40email.com?secret=" S20 "&issuer=ACME%20Co",
	    "otpauth://totp/ACME%20Co%3a%20%20john.doe@email.com?issuer=ACME%20Co&secret=" S20,
	    "otpauth://totp/john.doe@email.com?secret=" S20 "&issuer=ACME%20Co",
	    "otpauth://totp/ACME Co:john.doe@email.com?secret=" S20,
	    "otpauth://totp/:john.doe@email.com?secret=" S20 "&issuer=ACME%20Co",
	    "otpauth://totp/ACME%20Co:john.doe@email.com?secret=jbswy3dpehpk3pxpjbswy3dpehpk3pxp"
	    "&algorithm=sha1&image=https%3A%2F%2Fexample.com%2Fa.png&color=ff0000&icon=x",
	    "otpauth://totp/ACME%20Co:john.doe@email.com?SECRET=JBSW%20Y3DP%20EHPK%203PXP%20JBSW"
	    "%20Y3DP%20EHPK%203PXP&Issuer=ACME%20Co",
	};
	struct sls_otpauth o;

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		parse_ok(same[i], &o);
		assert_string_equal(o.issuer, "ACME Co");
		assert_string_equal(o.account, "john.doe@email.com");
		assert_int_equal(o.secret_len, 20);
		sls_otpauth_clear(&o);
	}
	/* Only the first separator splits; the issuer may be absent entirely. */
	parse_ok("otpauth://totp/a:b:c?secret=" S20, &o);
	assert_string_equal(o.issuer, "a");
	assert_string_equal(o.account, "b:c");
	parse_ok("otpauth://totp/alice?secret=" S20 "&issuer=", &o);
	assert_string_equal(o.issuer, "");
	assert_string_equal(o.account, "alice");
	parse_ok("otpauth://ocra/ACME:bob?secret=" S20 "&suite=OCRA-1%3AHOTP-SHA1-6%3AQN08", &o);
	assert_int_equal(o.type, SLS_URI_OCRA);
	assert_string_equal(o.suite.text, "OCRA-1:HOTP-SHA1-6:QN08");
	assert_string_equal(o.device, "");
	sls_otpauth_clear(&o);
}

static void test_build_refuses(void **state)
{
	static char unchanged[] = "unchanged";
	struct sls_otpauth o;
	char *uri = unchanged;

	(void)state;
#define REFUSED(what)                                                                              \
	do {                                                                                       \
		what;                                                                              \
		uri = unchanged;                                                                   \
		if (sls_otpauth_build(&o, &uri) != SLS_ERR_INVAL)                                  \
			fail_msg("built despite: %s", #what);                                      \
		assert_null(uri);                                                                  \
	} while (0)
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "", 20));
	REFUSED(fill(&o, SLS_URI_TOTP, "A", " bob", 20));
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "bob", 15));
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "bob", 20); o.secret_len = 65);
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "bob", 20); o.digits = 9);
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "bob", 20); o.period = 0);
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "bob", 20); o.algorithm = (enum sls_hash)7);
	REFUSED(fill(&o, SLS_URI_TOTP, "A\x1b[2J", "bob", 20));
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "b\xc3", 20));
	REFUSED(fill(&o, SLS_URI_TOTP, "A", "bob", 20); memset(o.issuer, 'x', sizeof(o.issuer)));
	REFUSED(fill(&o, SLS_URI_OCRA, "A", "bob", 20); o.suite.text[0] = '\0');
	REFUSED(fill(&o, SLS_URI_OCRA, "A", "bob", 20); o.type = (enum sls_uri_type)5);
#undef REFUSED
	assert_int_equal(sls_otpauth_build(&o, NULL), SLS_ERR_INVAL);
	assert_int_equal(sls_otpauth_build(NULL, &uri), SLS_ERR_INVAL);
}

/* ---- rejections: each row is its own test ---------------------------------- */

struct reject {
	const char *name;
	const char *uri;
	const char *reason; /* a substring of diag.msg */
};

#define T(label) "otpauth://totp/" label "?secret=" S20
#define O(label) "otpauth://ocra/" label "?secret=" S20
#define X16      "xxxxxxxxxxxxxxxx"
#define X129     X16 X16 X16 X16 X16 X16 X16 X16 "x"
#define A8       "AAAAAAAA"
#define A104     A8 A8 A8 A8 A8 A8 A8 A8 A8 A8 A8 A8 A8 /* 65 bytes */

static struct reject rejects[] = {
    {"wrong scheme", "https://totp/A:b?secret=" S20, "not an otpauth"},
    {"scheme without //", "otpauth:totp/A:b?secret=" S20, "not an otpauth"},
    {"hotp", "otpauth://hotp/A:b?secret=" S20 "&counter=1", "hotp"},
    {"unknown type", "otpauth://motp/A:b?secret=" S20, "unknown otpauth type"},
    {"missing label", "otpauth://totp?secret=" S20, "missing label"},
    {"missing secret", "otpauth://totp/A:b?issuer=A", "missing 'secret'"},
    {"no query", "otpauth://totp/A:b", "missing 'secret'"},
    {"bad base32", "otpauth://totp/A:b?secret=JBSWY3DP1HPK3PXPJBSWY3DPEHPK3PXP", "base32"},
    {"base32 with misplaced padding", "otpauth://totp/A:b?secret=JBSWY3DP=HPK3PXPJBSWY3DPEHPK3PXP",
     "base32"},
    {"short secret", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXPJBSWY3DP", "shorter"},
    {"empty secret", "otpauth://totp/A:b?secret=&issuer=A", "shorter"},
    {"long secret", "otpauth://totp/A:b?secret=" A104, "longer than 64"},
    {"duplicate secret", T("A:b") "&secret=" S20, "duplicate parameter 'secret'"},
    {"duplicate issuer", T("A:b") "&issuer=A&issuer=A", "duplicate parameter 'issuer'"},
    {"duplicate digits, other case", T("A:b") "&digits=6&DIGITS=6", "duplicate"},
    {"unknown parameter", T("A:b") "&foo=1", "unknown parameter 'foo'"},
    {"unknown odd parameter", T("A:b") "&f%6F%6F=1", "unknown parameter"},
    {"counter", T("A:b") "&counter=0", "'counter' is not supported"},
    {"issuer mismatch", T("A:b") "&issuer=B", "differs"},
    {"issuer mismatch by case", T("A:b") "&issuer=a", "differs"},
    {"empty issuer parameter against label", T("A:b") "&issuer=", "differs"},
    {"suite on totp", T("A:b") "&suite=" SUITE, "does not belong"},
    {"device on totp", T("A:b") "&device=x", "does not belong"},
    {"algorithm on ocra", O("A:b") "&suite=" SUITE "&algorithm=SHA1", "does not belong"},
    {"digits on ocra", O("A:b") "&suite=" SUITE "&digits=8", "does not belong"},
    {"period on ocra", O("A:b") "&suite=" SUITE "&period=30", "does not belong"},
    {"bad algorithm", T("A:b") "&algorithm=MD5", "'algorithm'"},
    {"digits 5", T("A:b") "&digits=5", "'digits'"},
    {"digits 9", T("A:b") "&digits=9", "'digits'"},
    {"digits empty", T("A:b") "&digits=", "'digits'"},
    {"digits signed", T("A:b") "&digits=%2B6", "'digits'"},
    {"digits trailing junk", T("A:b") "&digits=6x", "'digits'"},
    {"period 0", T("A:b") "&period=0", "'period'"},
    {"period 3601", T("A:b") "&period=3601", "'period'"},
    {"period huge", T("A:b") "&period=4294967326", "'period'"},
    {"period negative", T("A:b") "&period=-30", "'period'"},
    {"bad escape in label", T("A%2:b"), "percent-encoding"},
    {"bad escape in value", T("A:b") "&issuer=A%zz", "percent-encoding"},
    {"truncated escape at end", T("A:b") "&issuer=A%4", "percent-encoding"},
    {"lone % at end", T("A:b") "&issuer=%", "percent-encoding"},
    {"%00 in account", T("A:b%00c"), "control character"},
    {"%00 in issuer parameter", T("A:b") "&issuer=A%00", "control character"},
    {"%0A in account", T("A:bob%0Aroot"), "control character"},
    {"%1B in device", O("A:b") "&suite=" SUITE "&device=%1B%5B2J", "control character"},
    {"%7F in issuer", T("A%7F:b"), "control character"},
    {"raw control character", T("A:b\tc"), "control character"},
    {"C1 control in account", T("A:b%C2%9Bc"), "printable UTF-8"},
    {"bad UTF-8 in issuer", T("A%C3%28:b"), "printable UTF-8"},
    {"overlong UTF-8", T("A:%C0%AF"), "printable UTF-8"},
    {"surrogate in UTF-8", T("A:%ED%A0%80"), "printable UTF-8"},
    {"empty account", T("A:"), "empty account"},
    {"empty label", T(""), "empty account"},
    {"account of spaces", T("A:%20%20"), "empty account"},
    {"over-long account", T("A:" X129), "longer than 128"},
    {"over-long issuer in label",
     T("%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41"
       "%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41"
       "%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41"
       "%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41"
       "%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41"
       ":b"),
     "longer than 128"},
    {"over-long issuer parameter", T("b") "&issuer=" X129, "longer than 128"},
    {"ocra without suite", O("A:b") "&device=x", "missing 'suite'"},
    {"invalid suite", O("A:b") "&suite=OCRA-2:HOTP-SHA1-6:QN08", "bad 'suite'"},
    {"suite with bad hash", O("A:b") "&suite=OCRA-1:HOTP-MD5-6:QN08", "bad 'suite'"},
    {"over-long suite",
     O("A:b") "&suite=OCRA-1:HOTP-SHA256-8:QN06-PSHA1-S064-T1M-xxxxxxxxxxxxxxxxxxxxxxxxxx",
     "'suite' longer"},
    {"empty parameter", T("A:b") "&&issuer=A", "empty parameter"},
    {"trailing &", T("A:b") "&", "empty parameter"},
    {"parameter without =", T("A:b") "&issuer", "without '='"},
};

static void test_reject(void **state)
{
	const struct reject *r = *state;
	struct sls_otpauth o;
	struct sls_diag diag = {0};
	enum sls_rc rc;

	memset(&o, 0xa5, sizeof(o));
	rc = sls_otpauth_parse(r->uri, &o, &diag);
	if (rc != SLS_ERR_URI)
		fail_msg("%s: rc %d, expected %d (SLS_ERR_URI)", r->uri, rc, SLS_ERR_URI);
	if (strstr(diag.msg, r->reason) == NULL)
		fail_msg("%s: diag \"%s\" lacks \"%s\"", r->uri, diag.msg, r->reason);
	/* The secret never shows, nor does it stay behind. */
	assert_null(strstr(diag.msg, "JBSWY3DP"));
	assert_int_equal(o.secret_len, 0);
	for (size_t i = 0; i < sizeof(o.secret); i++)
		assert_int_equal(o.secret[i], 0);
}

/* Too long in total, control characters, NULL. */
static void test_reject_misc(void **state)
{
	size_t n = 5000;
	char *uri = malloc(n + 1);
	struct sls_otpauth o;
	struct sls_diag diag = {0};

	(void)state;
	assert_non_null(uri);
	memset(uri, 'x', n);
	uri[n] = '\0';
	memcpy(uri, T("A:b") "&image=", strlen(T("A:b") "&image="));
	assert_int_equal(sls_otpauth_parse(uri, &o, &diag), SLS_ERR_URI);
	assert_non_null(strstr(diag.msg, "longer than 4096"));
	assert_int_equal(o.secret_len, 0);
	/* A long cosmetic parameter under the limit is fine. */
	uri[4000] = '\0';
	parse_ok(uri, &o);
	sls_otpauth_clear(&o);
	free(uri);
	assert_int_equal(sls_otpauth_parse(NULL, &o, &diag), SLS_ERR_INVAL);
	assert_int_equal(sls_otpauth_parse(T("A:b"), NULL, &diag), SLS_ERR_INVAL);
	/* diag may be NULL. */
	assert_int_equal(sls_otpauth_parse("x", &o, NULL), SLS_ERR_URI);
}

#define N_FIXED  12
#define N_REJECT (sizeof(rejects) / sizeof(rejects[0]))

/* The text of a challenge's QR code: the contract a phone's soft key parses. */
static void test_challenge_text(void **state)
{
	char out[200], tiny[40];

	(void)state;
	assert_int_equal(
	    sls_challenge_text("alice", "host1.example", "laptop", "12345678", out, sizeof(out)),
	    SLS_OK);
	assert_string_equal(out, "sls-challenge:alice@host1.example/laptop?c=12345678");
	/* every byte outside A-Z a-z 0-9 - . _ ~ as %XX, upper-case; UTF-8 byte by byte */
	assert_int_equal(sls_challenge_text("a.b_c~d-E9", "h@st:1", "my laptop/2?#%&+", "012345",
					    out, sizeof(out)),
			 SLS_OK);
	assert_string_equal(out, "sls-challenge:a.b_c~d-E9@h%40st%3A1/"
				 "my%20laptop%2F2%3F%23%25%26%2B?c=012345");
	assert_int_equal(
	    sls_challenge_text("j\xc3\xbcrgen", "x", "Ger\xc3\xa4t\xff", "1", out, sizeof(out)),
	    SLS_OK);
	assert_string_equal(out, "sls-challenge:j%C3%BCrgen@x/Ger%C3%A4t%FF?c=1");
	/* exactly fits, one byte short */
	assert_int_equal(sls_challenge_text("u", "i", "d", "123456", tiny, 29), SLS_OK);
	assert_string_equal(tiny, "sls-challenge:u@i/d?c=123456");
	assert_int_equal(sls_challenge_text("u", "i", "d", "123456", tiny, 28), SLS_ERR_TOOBIG);
	assert_string_equal(tiny, "");
	assert_int_equal(sls_challenge_text("u", "i", "d%", "123456", tiny, 31), SLS_ERR_TOOBIG);
	assert_string_equal(tiny, "");
	/* refusals: no field may be empty, the challenge is digits */
	assert_int_equal(sls_challenge_text("", "i", "d", "1", out, sizeof(out)), SLS_ERR_INVAL);
	assert_string_equal(out, "");
	assert_int_equal(sls_challenge_text("u", "", "d", "1", out, sizeof(out)), SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text("u", "i", "", "1", out, sizeof(out)), SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text("u", "i", "d", "", out, sizeof(out)), SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text("u", "i", "d", "12a", out, sizeof(out)), SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text("u", "i", "d", "1&x=2", out, sizeof(out)),
			 SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text(NULL, "i", "d", "1", out, sizeof(out)), SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text("u", "i", "d", "1", NULL, 10), SLS_ERR_INVAL);
	assert_int_equal(sls_challenge_text("u", "i", "d", "1", out, 0), SLS_ERR_INVAL);
}

/* The issuer a login names: this host's short name, never empty. */
static void test_issuer_or_localhost(void **state)
{
	char here[256], issuer[256];

	(void)state;
	sls_issuer_or_localhost(issuer, sizeof(issuer));
	if (sls_issuer_here(here, sizeof(here)))
		assert_string_equal(issuer, here);
	else
		assert_string_equal(issuer, "localhost");
	assert_true(issuer[0] != '\0');
	assert_null(strchr(issuer, '.'));
}

int main(void)
{
	struct CMUnitTest tests[N_FIXED + N_REJECT] = {
	    cmocka_unit_test(test_round_trip_totp_defaults),
	    cmocka_unit_test(test_round_trip_totp_sha256_8_60),
	    cmocka_unit_test(test_round_trip_ocra),
	    cmocka_unit_test(test_round_trip_special_chars),
	    cmocka_unit_test(test_round_trip_no_issuer),
	    cmocka_unit_test(test_round_trip_longest),
	    cmocka_unit_test(test_parse_google_example),
	    cmocka_unit_test(test_parse_variants),
	    cmocka_unit_test(test_build_refuses),
	    cmocka_unit_test(test_reject_misc),
	    cmocka_unit_test(test_challenge_text),
	    cmocka_unit_test(test_issuer_or_localhost),
	};
	char names[N_REJECT][80];

	for (size_t i = 0; i < N_REJECT; i++) {
		snprintf(names[i], sizeof(names[i]), "reject: %s", rejects[i].name);
		tests[N_FIXED + i] = (struct CMUnitTest){
		    .name = names[i],
		    .test_func = test_reject,
		    .initial_state = &rejects[i],
		};
	}
	return cmocka_run_group_tests_name("uri", tests, NULL, NULL);
}
