/*
 * OCRA (RFC 6287): every appendix C vector of tests/data/ocra-vectors.tsv as
 * its own named test, vectors for the parts appendix C leaves out (digits 0,
 * QH, S, T in seconds and hours), then suite and question rejections.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sls_ocra.h"

#define VECTOR_FILE SHARED_DIR "/ocra-vectors.tsv"
#define VECTOR_ROWS 70
#define KEY20       "12345678901234567890"
#define KEY32       "12345678901234567890123456789012"
#define KEY64       "1234567890123456789012345678901234567890123456789012345678901234"

/* One vector, in the columns of ocra-vectors.tsv; "" = the suite has no such input. */
struct ocra_row {
	const char *suite, *key, *counter, *question, *pin, *session, *timestamp_hex, *expected;
	char *name;  /* owned */
	char *line;  /* owned: the fields of a file row point into it */
	int raw_key; /* key is the ASCII key itself, not hex */
};

/* ---- vectors ----------------------------------------------------------- */

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t row_key(const struct ocra_row *r, uint8_t *key, size_t size)
{
	size_t n = strlen(r->key);

	if (r->raw_key) {
		assert_true(n <= size);
		memcpy(key, r->key, n);
		return n;
	}
	assert_true(n % 2 == 0 && n / 2 <= size);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(r->key[2 * i]), lo = hex_nibble(r->key[2 * i + 1]);

		assert_true(hi >= 0 && lo >= 0);
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

static struct sls_ocra_input row_input(const struct ocra_row *r)
{
	struct sls_ocra_input in = {0};

	in.counter = strtoull(r->counter, NULL, 10);
	in.question = r->question;
	in.pin = r->pin;
	in.session = r->session;
	in.timestamp = strtoull(r->timestamp_hex, NULL, 16);
	return in;
}

/* A response of the same shape with its last character changed. */
static void changed(const char *response, char *out, size_t size)
{
	size_t n = strlen(response);

	snprintf(out, size, "%s", response);
	out[n - 1] = out[n - 1] == '9' ? '0' : out[n - 1] == 'f' ? 'e' : (char)(out[n - 1] + 1);
}

/* verify takes strict questions only: longer ones (C.2 mutual) are refused. */
static void check_verify(const struct sls_ocra_suite *s, const uint8_t *key, size_t keylen,
			 const struct sls_ocra_input *in, const char *expected)
{
	char other[SLS_OCRA_RESPONSE_MAX];

	if (strlen(in->question) > s->q_len) {
		assert_int_equal(sls_ocra_verify(s, key, keylen, in, expected), SLS_ERR_QUESTION);
		return;
	}
	assert_int_equal(sls_ocra_verify(s, key, keylen, in, expected), SLS_OK);
	changed(expected, other, sizeof(other));
	assert_int_equal(sls_ocra_verify(s, key, keylen, in, other), SLS_ERR_MISMATCH);
	other[strlen(other) - 1] = '\0';
	assert_int_equal(sls_ocra_verify(s, key, keylen, in, other), SLS_ERR_MISMATCH);
}

static void test_vector(void **state)
{
	const struct ocra_row *r = *state;
	struct sls_ocra_suite s;
	struct sls_diag diag = {0, ""};
	struct sls_ocra_input in = row_input(r);
	uint8_t key[128], pin_hash[SLS_HASH_MAX];
	size_t keylen = row_key(r, key, sizeof(key)), pin_len = 0;
	char out[SLS_OCRA_RESPONSE_MAX];

	assert_int_equal(sls_ocra_suite_parse(r->suite, &s, &diag), SLS_OK);
	assert_int_equal(sls_ocra_compute(&s, key, keylen, &in, out, sizeof(out)), SLS_OK);
	assert_string_equal(out, r->expected);
	if (s.pin) {
		/* The same with the PIN hashed beforehand, as stored hashes are used. */
		assert_int_equal(sls_ocra_pin_hash(&s, r->pin, pin_hash, &pin_len), SLS_OK);
		in.pin = NULL;
		in.pin_hash = pin_hash;
		in.pin_hash_len = pin_len;
		assert_int_equal(sls_ocra_compute(&s, key, keylen, &in, out, sizeof(out)), SLS_OK);
		assert_string_equal(out, r->expected);
	}
	check_verify(&s, key, keylen, &in, r->expected);
}

/* Computed with the reference code of FACTS.md section 10 (Python, hashlib). */
static struct ocra_row extra_rows[] = {
    {"OCRA-1:HOTP-SHA1-0:QN08", KEY20, "", "22222222", "", "", "",
     "bb0b2657fe62d2d4b38dd1c68ba4803830f6a647", NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA256-0:QA10", KEY32, "", "SIG1000000", "", "", "",
     "39cd1190215b24012a7b37227ae49855b3f988a46131098aaaa5c1f976fdaa71", NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA512-0:C-QH08", KEY64, "7", "0a1B2c3D", "", "", "",
     "bfe26326e9cd2afabe10b1567171042d5d537587145f8bdb611783e9d542426c"
     "014988957cfc3661f2b864b2baf9c1bc0cfc57b23f6ca018c1c308b95608e67d",
     NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA1-4:QN64", KEY20, "",
     "1234567890123456789012345678901234567890123456789012345678901234", "", "", "", "3138", NULL,
     NULL, 1},
    {"OCRA-1:HOTP-SHA1-10:QN06", KEY20, "", "000123", "", "", "", "1798551578", NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA256-6:QH40-S064", KEY32, "", "00112233445566778899AABBCCDDEEFF00112233", "",
     "abc", "", "145624", NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA256-8:QN08-S128", KEY32, "", "12345678", "",
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "", "94995673", NULL, NULL,
     1},
    {"OCRA-1:HOTP-SHA1-6:QA08-PSHA256-T30S", KEY20, "", "ABCD1234", "1234", "", "265a16c", "323249",
     NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA256-8:QN06-PSHA1", KEY32, "", "000000", "1234", "", "", "99995371", NULL, NULL,
     1},
    {"OCRA-1:HOTP-SHA512-10:C-QH64-PSHA512-S512-T48H", KEY64, "18446744073709551615",
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "0000",
     "dededededededededededededededede", "1b45", "0634810550", NULL, NULL, 1},
    /* QN edge: 2^1024 - 1 fills all 256 hex digits; leading zeros change nothing. */
    {"OCRA-1:HOTP-SHA1-6:QN08", KEY20, "",
     "1797693134862315907729305190789024733617976978942306572734300811577326758055009631327084"
     "7732240753602112011387987139335765878976881441662249284743063947412437776789342486548527"
     "6302219601246094119453082952085005768838150682342462881473913110540827237163350510684586"
     "298239947245938479716304835356329624224137215",
     "", "", "", "666319", NULL, NULL, 1},
    {"OCRA-1:HOTP-SHA1-6:QN08", KEY20, "",
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000022222222",
     "", "", "", "653583", NULL, NULL, 1},
};

#define N_EXTRA (sizeof(extra_rows) / sizeof(extra_rows[0]))

/* ---- the vector file --------------------------------------------------- */

struct row_set {
	struct ocra_row *rows;
	size_t n;
};

/* Split a TSV line in place into its 8 columns; false if it has another count. */
static int split_row(char *line, struct ocra_row *r)
{
	const char **col[] = {&r->suite, &r->key,     &r->counter,       &r->question,
			      &r->pin,   &r->session, &r->timestamp_hex, &r->expected};
	size_t i = 0;
	char *p = line, *field;

	line[strcspn(line, "\r\n")] = '\0';
	while ((field = strsep(&p, "\t")) != NULL) {
		if (i == sizeof(col) / sizeof(col[0]))
			return 0;
		*col[i++] = field;
	}
	return i == sizeof(col) / sizeof(col[0]);
}

static char *row_name(const struct ocra_row *r, const char *prefix)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s %s Q=%.40s%s", prefix, r->suite, r->question,
			 strlen(r->question) > 40 ? "..." : "");

	if (*r->counter)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " C=%s", r->counter);
	if (*r->session)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " S=%.8s...", r->session);
	if (*r->timestamp_hex)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " T=%s", r->timestamp_hex);
	return strdup(buf);
}

/* Rows of the file, or none if it cannot be read (the row-count test then fails). */
static struct row_set load_rows(void)
{
	struct row_set set = {calloc(VECTOR_ROWS + 8, sizeof(struct ocra_row)), 0};
	FILE *f = fopen(VECTOR_FILE, "r");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL || set.rows == NULL)
		goto out;
	while (getline(&line, &cap, f) > 0 && set.n < VECTOR_ROWS + 8) {
		struct ocra_row *r = &set.rows[set.n];

		if (strncmp(line, "suite\t", 6) == 0)
			continue;
		r->line = strdup(line);
		if (r->line == NULL || !split_row(r->line, r)) {
			free(r->line);
			r->line = NULL;
			continue;
		}
		r->name = row_name(r, "RFC6287");
		set.n++;
	}
out:
	free(line);
	if (f != NULL)
		fclose(f);
	return set;
}

static void test_vector_file(void **state)
{
	const struct row_set *set = *state;

	assert_non_null(set->rows);
	assert_int_equal(set->n, VECTOR_ROWS);
}

/* ---- suites ------------------------------------------------------------ */

struct good_suite {
	const char *text;
	struct sls_ocra_suite want;
};

static const struct good_suite good_suites[] = {
    {"OCRA-1:HOTP-SHA1-6:QN08", {"", SLS_HASH_SHA1, 6, false, 'N', 8, false, 0, 0, 0}},
    {SLS_OCRA_DEFAULT_SUITE, {"", SLS_HASH_SHA256, 8, false, 'N', 6, true, SLS_HASH_SHA1, 0, 0}},
    {"OCRA-1:HOTP-SHA512-0:C-QA64-PSHA512-S064-T59S",
     {"", SLS_HASH_SHA512, 0, true, 'A', 64, true, SLS_HASH_SHA512, 64, 59}},
    {"OCRA-1:HOTP-SHA256-10:QH04-PSHA256-S512-T48H",
     {"", SLS_HASH_SHA256, 10, false, 'H', 4, true, SLS_HASH_SHA256, 512, 48 * 3600}},
    {"OCRA-1:HOTP-SHA1-4:C-QN10-S128", {"", SLS_HASH_SHA1, 4, true, 'N', 10, false, 0, 128, 0}},
    {"OCRA-1:HOTP-SHA1-7:QA20-S256-T1H",
     {"", SLS_HASH_SHA1, 7, false, 'A', 20, false, 0, 256, 3600}},
    {"OCRA-1:HOTP-SHA512-8:QN08-T1M", {"", SLS_HASH_SHA512, 8, false, 'N', 8, false, 0, 0, 60}},
    {"OCRA-1:HOTP-SHA256-9:QN12-T1S", {"", SLS_HASH_SHA256, 9, false, 'N', 12, false, 0, 0, 1}},
};

static void test_good_suites(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_suites) / sizeof(good_suites[0]); i++) {
		const struct good_suite *g = &good_suites[i];
		struct sls_ocra_suite s;

		print_message("# %s\n", g->text);
		assert_int_equal(sls_ocra_suite_parse(g->text, &s, NULL), SLS_OK);
		assert_string_equal(s.text, g->text);
		assert_int_equal(s.hash, g->want.hash);
		assert_int_equal(s.digits, g->want.digits);
		assert_int_equal(s.counter, g->want.counter);
		assert_int_equal(s.q_format, g->want.q_format);
		assert_int_equal(s.q_len, g->want.q_len);
		assert_int_equal(s.pin, g->want.pin);
		if (s.pin)
			assert_int_equal(s.pin_hash, g->want.pin_hash);
		assert_int_equal(s.session_len, g->want.session_len);
		assert_int_equal(s.time_step, g->want.time_step);
	}
}

struct bad_suite {
	const char *why;
	const char *text;
	char name[160];
};

static struct bad_suite bad_suites[] = {
    {"empty", "", ""},
    {"wrong version", "OCRA-2:HOTP-SHA1-6:QN08", ""},
    {"lower case", "ocra-1:hotp-sha1-6:qn08", ""},
    {"no crypto function", "OCRA-1::QN08", ""},
    {"TOTP function", "OCRA-1:TOTP-SHA1-6:QN08", ""},
    {"SHA2", "OCRA-1:HOTP-SHA2-6:QN08", ""},
    {"SHA384", "OCRA-1:HOTP-SHA384-6:QN08", ""},
    {"digits 3", "OCRA-1:HOTP-SHA1-3:QN08", ""},
    {"digits 11", "OCRA-1:HOTP-SHA1-11:QN08", ""},
    {"digits 06", "OCRA-1:HOTP-SHA1-06:QN08", ""},
    {"digits missing", "OCRA-1:HOTP-SHA1-:QN08", ""},
    {"no data input", "OCRA-1:HOTP-SHA1-6:", ""},
    {"no question", "OCRA-1:HOTP-SHA1-6:C", ""},
    {"QN03", "OCRA-1:HOTP-SHA1-6:QN03", ""},
    {"QN65", "OCRA-1:HOTP-SHA1-6:QN65", ""},
    {"QN8", "OCRA-1:HOTP-SHA1-6:QN8", ""},
    {"QN008", "OCRA-1:HOTP-SHA1-6:QN008", ""},
    {"QX08", "OCRA-1:HOTP-SHA1-6:QX08", ""},
    {"PSHA2", "OCRA-1:HOTP-SHA1-6:QN08-PSHA2", ""},
    {"PMD5", "OCRA-1:HOTP-SHA1-6:QN08-PMD5", ""},
    {"S065", "OCRA-1:HOTP-SHA1-6:QN08-S065", ""},
    {"S64", "OCRA-1:HOTP-SHA1-6:QN08-S64", ""},
    {"T0M", "OCRA-1:HOTP-SHA1-6:QN08-T0M", ""},
    {"T60S", "OCRA-1:HOTP-SHA1-6:QN08-T60S", ""},
    {"T60M", "OCRA-1:HOTP-SHA1-6:QN08-T60M", ""},
    {"T49H", "OCRA-1:HOTP-SHA1-6:QN08-T49H", ""},
    {"T01M", "OCRA-1:HOTP-SHA1-6:QN08-T01M", ""},
    {"T1D", "OCRA-1:HOTP-SHA1-6:QN08-T1D", ""},
    {"T without unit", "OCRA-1:HOTP-SHA1-6:QN08-T1", ""},
    {"T before P", "OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1", ""},
    {"S before P", "OCRA-1:HOTP-SHA1-6:QN08-S064-PSHA1", ""},
    {"C after Q", "OCRA-1:HOTP-SHA1-6:QN08-C", ""},
    {"two questions", "OCRA-1:HOTP-SHA1-6:QN08-QA08", ""},
    {"P twice", "OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1", ""},
    {"unknown input", "OCRA-1:HOTP-SHA1-6:QN08-X", ""},
    {"trailing dash", "OCRA-1:HOTP-SHA1-6:QN08-", ""},
    {"trailing garbage", "OCRA-1:HOTP-SHA1-6:QN08x", ""},
    {"trailing space", "OCRA-1:HOTP-SHA1-6:QN08 ", ""},
    {"trailing garbage after T", "OCRA-1:HOTP-SHA1-6:QN08-T1M0", ""},
    {"leading space", " OCRA-1:HOTP-SHA1-6:QN08", ""},
    {"over-long", "OCRA-1:HOTP-SHA1-6:QN08-PSHA1-S064-T1M-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""},
};

#define N_BAD (sizeof(bad_suites) / sizeof(bad_suites[0]))

static void test_bad_suite(void **state)
{
	const struct bad_suite *b = *state;
	struct sls_ocra_suite s;
	struct sls_diag diag = {0, ""};

	memset(&s, 0x5a, sizeof(s));
	assert_int_equal(sls_ocra_suite_parse(b->text, &s, &diag), SLS_ERR_SUITE);
	assert_true(diag.msg[0] != '\0');
	print_message("# diag: %s\n", diag.msg);
	/* The message never quotes the input. */
	if (b->text[0] != '\0')
		assert_null(strstr(diag.msg, b->text));
	assert_string_equal(s.text, "");
	assert_int_equal(s.q_len, 0);
	assert_int_equal(sls_ocra_suite_parse(b->text, &s, NULL), SLS_ERR_SUITE);
}

static void test_suite_limits(void **state)
{
	char text[SLS_OCRA_SUITE_MAX + 2];
	struct sls_ocra_suite s;

	(void)state;
	assert_int_equal(sls_ocra_suite_parse(NULL, &s, NULL), SLS_ERR_INVAL);
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", NULL, NULL),
			 SLS_ERR_INVAL);
	/* The longest valid suite fits with room to spare. */
	snprintf(text, sizeof(text), "OCRA-1:HOTP-SHA512-10:C-QH64-PSHA512-S512-T48H");
	assert_int_equal(sls_ocra_suite_parse(text, &s, NULL), SLS_OK);
	memset(text, 'A', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(sls_ocra_suite_parse(text, &s, NULL), SLS_ERR_SUITE);
}

/* ---- questions --------------------------------------------------------- */

struct question_case {
	const char *suite, *question;
	enum sls_rc check, compute; /* strict check, then compute */
};

static const char q129[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
static const char q128[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
/* 2^1024, one more than the 128-byte field holds */
static const char two_1024[] =
    "1797693134862315907729305190789024733617976978942306572734300811577326758055009631327084"
    "7732240753602112011387987139335765878976881441662249284743063947412437776789342486548527"
    "6302219601246094119453082952085005768838150682342462881473913110540827237163350510684586"
    "298239947245938479716304835356329624224137216";

static const struct question_case question_cases[] = {
    {"OCRA-1:HOTP-SHA1-6:QN08", "12345678", SLS_OK, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QN08", "1234", SLS_OK, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QN08", "123", SLS_ERR_QUESTION, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QN08", "123456789", SLS_ERR_QUESTION, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QN08", "", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QN08", "1234a678", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QN08", "-1234567", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QN08", " 1234567", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QN08", two_1024, SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QH08", "0a1B2c3D", SLS_OK, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QH08", "0a1B2c3", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QH08", "0a1B2c3G", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QH08", "0x1B2c3D", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QH05", "0a1B2", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QH64", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
     SLS_OK, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QA08", "SIG10000", SLS_OK, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QA08", "SIG 0000", SLS_OK, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QA08", "SIG\t0000", SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QA08",
     "SIG\x80"
     "0000",
     SLS_ERR_QUESTION, SLS_ERR_QUESTION},
    {"OCRA-1:HOTP-SHA1-6:QA08", "CLI22220SRV11110", SLS_ERR_QUESTION, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QA64", q128, SLS_ERR_QUESTION, SLS_OK},
    {"OCRA-1:HOTP-SHA1-6:QA64", q129, SLS_ERR_QUESTION, SLS_ERR_QUESTION},
};

static void test_questions(void **state)
{
	static const uint8_t key[] = KEY20;

	(void)state;
	for (size_t i = 0; i < sizeof(question_cases) / sizeof(question_cases[0]); i++) {
		const struct question_case *c = &question_cases[i];
		struct sls_ocra_input in = {.question = c->question};
		struct sls_ocra_suite s;
		char out[SLS_OCRA_RESPONSE_MAX];

		print_message("# question case %zu (%s)\n", i, c->suite);
		assert_int_equal(sls_ocra_suite_parse(c->suite, &s, NULL), SLS_OK);
		assert_int_equal(sls_ocra_question_check(&s, c->question), c->check);
		assert_int_equal(sls_ocra_compute(&s, key, 20, &in, out, sizeof(out)), c->compute);
		if (c->compute != SLS_OK)
			assert_string_equal(out, ""); /* wiped */
	}
}

/* Long QH questions and QN leading zeros: the 128-byte field, never truncated. */
static void test_question_field_limits(void **state)
{
	static const uint8_t key[] = KEY20;
	char hex[2 * SLS_OCRA_QUESTION_MAX + 3], zeros[400], out[SLS_OCRA_RESPONSE_MAX];
	struct sls_ocra_input in = {.question = hex};
	struct sls_ocra_suite s;

	(void)state;
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QH64", &s, NULL), SLS_OK);
	memset(hex, 'f', 256);
	hex[256] = '\0';
	assert_int_equal(sls_ocra_compute(&s, key, 20, &in, out, sizeof(out)), SLS_OK);
	strcat(hex, "ff");
	assert_int_equal(sls_ocra_compute(&s, key, 20, &in, out, sizeof(out)), SLS_ERR_QUESTION);
	/* QN: 320 characters are read, more are refused even if zeros. */
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s, NULL), SLS_OK);
	in.question = zeros;
	memset(zeros, '0', 320);
	zeros[320] = '\0';
	assert_int_equal(sls_ocra_compute(&s, key, 20, &in, out, sizeof(out)), SLS_OK);
	strcat(zeros, "0");
	assert_int_equal(sls_ocra_compute(&s, key, 20, &in, out, sizeof(out)), SLS_ERR_QUESTION);
	in.question = NULL;
	assert_int_equal(sls_ocra_compute(&s, key, 20, &in, out, sizeof(out)), SLS_ERR_INVAL);
}

/* ---- other inputs ------------------------------------------------------ */

static void test_input_errors(void **state)
{
	static const uint8_t key[] = KEY32, short_hash[10] = {0};
	struct sls_ocra_input in = {.question = "12345678", .session = "abc"};
	struct sls_ocra_suite s;
	char out[SLS_OCRA_RESPONSE_MAX], session[2 * 64 + 2];

	(void)state;
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA256-8:QN08-PSHA1-S064", &s, NULL),
			 SLS_OK);
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_ERR_INVAL);
	in.pin_hash = short_hash;
	in.pin_hash_len = sizeof(short_hash);
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_ERR_INVAL);
	in.pin_hash = NULL;
	in.pin = "1234";
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_OK);
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, 8), SLS_ERR_INVAL);
	assert_int_equal(sls_ocra_compute(&s, key, 0, &in, out, sizeof(out)), SLS_ERR_INVAL);
	in.session = "abg";
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_ERR_INVAL);
	in.session = NULL;
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_ERR_INVAL);
	memset(session, 'a', 128);
	session[128] = '\0';
	in.session = session;
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_OK);
	strcat(session, "a");
	assert_int_equal(sls_ocra_compute(&s, key, 32, &in, out, sizeof(out)), SLS_ERR_INVAL);
}

static void test_verify_shapes(void **state)
{
	static const uint8_t key[] = KEY20;
	struct sls_ocra_input in = {.question = "22222222"};
	struct sls_ocra_suite s;
	char upper[64];

	(void)state;
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s, NULL), SLS_OK);
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, "653583"), SLS_OK);
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, "65358"), SLS_ERR_MISMATCH);
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, "6535830"), SLS_ERR_MISMATCH);
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, "65358a"), SLS_ERR_MISMATCH);
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, ""), SLS_ERR_MISMATCH);
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, NULL), SLS_ERR_INVAL);
	in.question = "2222222x";
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, "653583"), SLS_ERR_QUESTION);
	/* Digits 0: the whole MAC in hex, either case accepted. */
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-0:QN08", &s, NULL), SLS_OK);
	in.question = "22222222";
	snprintf(upper, sizeof(upper), "BB0B2657FE62D2D4B38DD1C68BA4803830F6A647");
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, upper), SLS_OK);
	upper[39] = '6';
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, upper), SLS_ERR_MISMATCH);
	upper[39] = 'g';
	assert_int_equal(sls_ocra_verify(&s, key, 20, &in, upper), SLS_ERR_MISMATCH);
}

static void test_time_and_pin(void **state)
{
	struct sls_ocra_suite s;
	uint8_t hash[SLS_HASH_MAX];
	size_t len = 0;

	(void)state;
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA512-8:QN08-T1M", &s, NULL), SLS_OK);
	/* Appendix C: 2008-03-25 12:06 UTC is 0x132d0b6 minutes. */
	assert_int_equal(sls_ocra_time_steps(&s, 1206446760), 0x132d0b6);
	assert_int_equal(sls_ocra_time_steps(&s, -5), 0);
	assert_int_equal(sls_ocra_pin_hash(&s, "1234", hash, &len), SLS_ERR_INVAL);
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08-PSHA256-T30S", &s, NULL),
			 SLS_OK);
	assert_int_equal(sls_ocra_time_steps(&s, 1206446760), 1206446760 / 30);
	assert_int_equal(sls_ocra_pin_hash(&s, "1234", hash, &len), SLS_OK);
	assert_int_equal(len, 32);
	assert_int_equal(sls_ocra_suite_parse("OCRA-1:HOTP-SHA1-6:QN08", &s, NULL), SLS_OK);
	assert_int_equal(sls_ocra_time_steps(&s, 1206446760), 0);
}

/* ---- the group --------------------------------------------------------- */

static void add(struct CMUnitTest *t, size_t *n, const char *name, CMUnitTestFunction f,
		void *state)
{
	t[*n] = (struct CMUnitTest){name, f, NULL, NULL, state};
	(*n)++;
}

static size_t add_tables(struct CMUnitTest *t, size_t n, struct row_set *set)
{
	add(t, &n, "ocra-vectors.tsv holds the 70 RFC 6287 rows", test_vector_file, set);
	for (size_t i = 0; i < set->n; i++)
		add(t, &n, set->rows[i].name, test_vector, &set->rows[i]);
	for (size_t i = 0; i < N_EXTRA; i++) {
		extra_rows[i].name = row_name(&extra_rows[i], "extra");
		add(t, &n, extra_rows[i].name, test_vector, &extra_rows[i]);
	}
	for (size_t i = 0; i < N_BAD; i++) {
		snprintf(bad_suites[i].name, sizeof(bad_suites[i].name), "rejects suite: %s (%s)",
			 bad_suites[i].why, bad_suites[i].text);
		add(t, &n, bad_suites[i].name, test_bad_suite, &bad_suites[i]);
	}
	return n;
}

int main(void)
{
	struct row_set set = load_rows();
	size_t cap = 1 + set.n + N_EXTRA + N_BAD + 16, n;
	struct CMUnitTest *t = calloc(cap, sizeof(*t));
	int failed;

	if (t == NULL)
		return 1;
	n = add_tables(t, 0, &set);
	add(t, &n, "valid suites parse to their fields", test_good_suites, NULL);
	add(t, &n, "suite NULL, longest and over-long", test_suite_limits, NULL);
	add(t, &n, "questions: strict check and compute", test_questions, NULL);
	add(t, &n, "questions: the 128-byte Q field", test_question_field_limits, NULL);
	add(t, &n, "PIN hash and session errors", test_input_errors, NULL);
	add(t, &n, "verify: response length and alphabet", test_verify_shapes, NULL);
	add(t, &n, "time steps and PIN hash", test_time_and_pin, NULL);
	failed = _cmocka_run_group_tests("ocra", t, n, NULL, NULL);
	for (size_t i = 0; i < set.n; i++) {
		free(set.rows[i].name);
		free(set.rows[i].line);
	}
	for (size_t i = 0; i < N_EXTRA; i++)
		free(extra_rows[i].name);
	free(set.rows);
	free(t);
	return failed;
}
