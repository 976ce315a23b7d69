/* sls - a google-authenticator file, parsed strictly (gafile.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gafile.h"
#include "sls_codec.h"
#include "sls_secret.h"

#define SECRET_MIN 16 /* bytes, as the enrolment file asks of a totp secret */
#define HOST_MAX   255

/* The options a file may hold once each: bits of struct gaparse's seen. */
enum {
	OPT_TOTP_AUTH = 1u << 0,
	OPT_DISALLOW_REUSE = 1u << 1,
	OPT_RATE_LIMIT = 1u << 2,
	OPT_WINDOW_SIZE = 1u << 3,
	OPT_STEP_SIZE = 1u << 4,
	OPT_TIME_SKEW = 1u << 5,
	OPT_RESETTING_TIME_SKEW = 1u << 6,
	OPT_LAST0 = 1u << 7, /* LAST0..LAST9: bits 7..16 */
};

struct gaparse {
	struct sls_gafile *ga;
	unsigned seen;
	int line;
	int code_line[SLS_SCRATCH_CODES_MAX]; /* where each scratch code stood */
	struct sls_diag *diag;
};

/* ---- values ---- */

/* The next value of *args (values are separated by spaces or tabs), ended in place; NULL at the
 * end. */
static char *next_value(char **args)
{
	char *s = *args + strspn(*args, " \t"), *e;

	if (*s == '\0')
		return NULL;
	e = s + strcspn(s, " \t");
	if (*e != '\0')
		*e++ = '\0';
	*args = e;
	return s;
}

/* Decimal digits only, 1 to 20 of them, value <= max. */
static bool number(const char *s, uint64_t max, uint64_t *out)
{
	size_t n = strlen(s);
	uint64_t v = 0;

	if (n == 0 || n > 20 || strspn(s, "0123456789") != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* The one value of an option, lo..hi. */
static bool one_number(char *args, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *v = next_value(&args);

	return v != NULL && number(v, hi, out) && *out >= lo && next_value(&args) == NULL;
}

/* ---- the options ---- */

static const char *opt_totp_auth(struct gaparse *p, char *args)
{
	(void)p;
	return next_value(&args) == NULL ? NULL : "TOTP_AUTH takes no value";
}

/* The steps used so far, as pam_google_authenticator keeps them: the highest is carried over. */
static const char *opt_disallow_reuse(struct gaparse *p, char *args)
{
	uint64_t step;

	p->ga->disallow_reuse = true;
	for (char *v; (v = next_value(&args)) != NULL;) {
		if (!number(v, UINT32_MAX, &step))
			return "DISALLOW_REUSE: not a list of time steps";
		if (step > p->ga->last_step)
			p->ga->last_step = step;
	}
	return NULL;
}

/* "N SECONDS [TIMESTAMP...]": the timestamps are pam_google_authenticator's own state. */
static const char *opt_rate_limit(struct gaparse *p, char *args)
{
	uint64_t n, secs, t;
	char *v = next_value(&args), *w = next_value(&args);

	if (v == NULL || w == NULL || !number(v, 100, &n) || n < 1 || !number(w, 3600, &secs) ||
	    secs < 1)
		return "RATE_LIMIT: not a number of logins 1 to 100 and seconds 1 to 3600";
	while ((v = next_value(&args)) != NULL)
		if (!number(v, UINT32_MAX, &t))
			return "RATE_LIMIT: not a list of timestamps after the limit";
	p->ga->rate_attempts = (unsigned)n;
	p->ga->rate_interval = (unsigned)secs;
	return NULL;
}

static const char *opt_window_size(struct gaparse *p, char *args)
{
	uint64_t n;

	if (!one_number(args, 1, 100, &n))
		return "WINDOW_SIZE: not a number 1 to 100";
	p->ga->window = (unsigned)n;
	return NULL;
}

static const char *opt_step_size(struct gaparse *p, char *args)
{
	uint64_t n;

	if (!one_number(args, 1, 60, &n))
		return "STEP_SIZE: not a number of seconds 1 to 60";
	p->ga->step = (unsigned)n;
	return NULL;
}

/* A signed number of steps, as pam_google_authenticator writes it ("%d"). */
static const char *opt_time_skew(struct gaparse *p, char *args)
{
	char *v = next_value(&args);
	bool minus = v != NULL && v[0] == '-';
	uint64_t n;

	if (v == NULL || !number(v + minus, 1000000, &n) || next_value(&args) != NULL)
		return "TIME_SKEW: not a number of steps";
	p->ga->time_skew = true;
	p->ga->skew = minus ? -(long)n : (long)n;
	return NULL;
}

/* "T+S T-S ...": a clock offset being learnt; dropped. */
static const char *opt_resetting_time_skew(struct gaparse *p, char *args)
{
	uint64_t n;

	(void)p;
	for (char *v; (v = next_value(&args)) != NULL;) {
		size_t t = strspn(v, "0123456789");
		char sign = v[t];

		v[t] = '\0';
		if (t == 0 || (sign != '+' && sign != '-') || !number(v, UINT32_MAX, &n) ||
		    !number(v + t + 1, UINT32_MAX, &n))
			return "RESETTING_TIME_SKEW: not a list of steps and offsets";
	}
	return NULL;
}

/* "HOST TIMESTAMP": the last logins from a host (grace_period); dropped. */
static const char *opt_last(struct gaparse *p, char *args)
{
	static const char host_chars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ:%.-";
	char *host = next_value(&args), *when = next_value(&args);
	uint64_t t;

	(void)p;
	if (host == NULL || when == NULL || strlen(host) > HOST_MAX ||
	    strspn(host, host_chars) != strlen(host) || !number(when, UINT64_MAX, &t) ||
	    next_value(&args) != NULL)
		return "LAST: not a host and a timestamp";
	return NULL;
}

static const struct {
	const char *name;
	unsigned bit;
	const char *(*parse)(struct gaparse *p, char *args);
} options[] = {
    {"TOTP_AUTH", OPT_TOTP_AUTH, opt_totp_auth},
    {"DISALLOW_REUSE", OPT_DISALLOW_REUSE, opt_disallow_reuse},
    {"RATE_LIMIT", OPT_RATE_LIMIT, opt_rate_limit},
    {"WINDOW_SIZE", OPT_WINDOW_SIZE, opt_window_size},
    {"STEP_SIZE", OPT_STEP_SIZE, opt_step_size},
    {"TIME_SKEW", OPT_TIME_SKEW, opt_time_skew},
    {"RESETTING_TIME_SKEW", OPT_RESETTING_TIME_SKEW, opt_resetting_time_skew},
};

/* The bit of option name (LAST0..LAST9 have one each), and its parser; 0 when unknown. */
static unsigned option_find(const char *name, const char *(**parse)(struct gaparse *, char *))
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(name, options[i].name) == 0) {
			*parse = options[i].parse;
			return options[i].bit;
		}
	}
	if (strncmp(name, "LAST", 4) == 0 && name[4] >= '0' && name[4] <= '9' && name[5] == '\0') {
		*parse = opt_last;
		return OPT_LAST0 << (name[4] - '0');
	}
	return 0;
}

/* '"', a space, NAME ([A-Z0-9_]), then nothing or a space or tab and its values. */
static enum sls_rc option_line(struct gaparse *p, char *line)
{
	const char *(*parse)(struct gaparse *, char *) = NULL;
	char *name = line + 2, *args;
	size_t n = line[1] == ' ' ? strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") : 0;
	unsigned bit;
	const char *why;

	if (n == 0 || (name[n] != '\0' && name[n] != ' ' && name[n] != '\t')) {
		sls_diag_set(p->diag, p->line, "not an option line ('\"', a space, a name)");
		return SLS_ERR_FORMAT;
	}
	args = name + n + (name[n] != '\0');
	name[n] = '\0';
	if (strcmp(name, "HOTP_COUNTER") == 0) {
		sls_diag_set(p->diag, p->line,
			     "counter-based (HOTP) files are not supported: re-enroll with sls "
			     "enroll totp");
		return SLS_ERR_INVAL;
	}
	bit = option_find(name, &parse);
	why = bit == 0          ? "an option pam_sls does not know"
	      : (p->seen & bit) ? "a second line of this option"
				: parse(p, args);
	p->seen |= bit;
	if (why == NULL)
		return SLS_OK;
	sls_diag_set(p->diag, p->line, "%s", why);
	return SLS_ERR_FORMAT;
}

/* ---- the lines ---- */

/* Line 1: the secret, base32 as google-authenticator writes it (either case, no padding). */
static enum sls_rc secret_line(struct gaparse *p, const char *line)
{
	size_t n = strlen(line);
	enum sls_rc rc;

	if (n == 0 ||
	    strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz234567") != n)
		rc = SLS_ERR_ENCODING;
	else
		rc = sls_base32_decode(line, p->ga->secret, sizeof(p->ga->secret),
				       &p->ga->secret_len);
	if (rc == SLS_OK && p->ga->secret_len >= SECRET_MIN)
		return SLS_OK;
	if (rc == SLS_OK || rc == SLS_ERR_TOOBIG) {
		sls_diag_set(
		    p->diag, 1,
		    "the secret is shorter than %d or longer than %d bytes: the user needs "
		    "a new one (sls enroll totp)",
		    SECRET_MIN, SLS_SECRET_MAX);
		return SLS_ERR_INVAL;
	}
	sls_diag_set(p->diag, 1, "not a base32 secret");
	return SLS_ERR_FORMAT;
}

/* 8 digits, the first not 0, once each, at most SLS_SCRATCH_CODES_MAX. */
static enum sls_rc code_line(struct gaparse *p, const char *line)
{
	struct sls_gafile *ga = p->ga;

	if (strlen(line) != SLS_SCRATCH_DIGITS ||
	    strspn(line, "0123456789") != SLS_SCRATCH_DIGITS || line[0] == '0') {
		sls_diag_set(p->diag, p->line, "not a scratch code (8 digits, the first not 0)");
		return SLS_ERR_FORMAT;
	}
	if (ga->ncodes == SLS_SCRATCH_CODES_MAX) {
		sls_diag_set(p->diag, p->line, "more than %d scratch codes", SLS_SCRATCH_CODES_MAX);
		return SLS_ERR_FORMAT;
	}
	for (size_t i = 0; i < ga->ncodes; i++) {
		if (strcmp(ga->codes[i], line) == 0) {
			sls_diag_set(p->diag, p->line, "the same scratch code as line %d",
				     p->code_line[i]);
			return SLS_ERR_FORMAT;
		}
	}
	p->code_line[ga->ncodes] = p->line;
	memcpy(ga->codes[ga->ncodes++], line, SLS_SCRATCH_DIGITS + 1);
	return SLS_OK;
}

static enum sls_rc other_line(struct gaparse *p, char *line)
{
	if (line[0] == '\0')
		return SLS_OK; /* blank: google-authenticator skips it too */
	if (line[0] == '"')
		return option_line(p, line);
	if (line[0] >= '0' && line[0] <= '9')
		return code_line(p, line);
	sls_diag_set(p->diag, p->line, "neither an option nor a scratch code");
	return SLS_ERR_FORMAT;
}

/* Printable ASCII and tabs only (which also keeps NUL bytes out). */
static bool ascii_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\t')
			return false;
	return true;
}

/* The line at s (len bytes left), ended by '\n'; its length without it. */
static enum sls_rc next_line(struct gaparse *p, const char *s, size_t len, char *line, size_t *n)
{
	const char *nl = memchr(s, '\n', len);

	*n = nl != NULL ? (size_t)(nl - s) : len;
	if (!ascii_ok(s, *n)) {
		sls_diag_set(p->diag, p->line,
			     "a byte that is not printable ASCII (the file is all ASCII)");
		return SLS_ERR_FORMAT;
	}
	if (nl == NULL) {
		sls_diag_set(p->diag, p->line, "the line has no end: the file may be cut short");
		return SLS_ERR_FORMAT;
	}
	memcpy(line, s, *n);
	line[*n] = '\0';
	return SLS_OK;
}

enum sls_rc sls_gafile_parse(const char *buf, size_t len, struct sls_gafile *ga,
			     struct sls_diag *diag)
{
	struct gaparse p = {.ga = ga, .diag = diag};
	char line[SLS_GA_FILE_MAX + 1];
	enum sls_rc rc = SLS_OK;
	size_t at = 0, n = 0;

	memset(ga, 0, sizeof(*ga));
	if (len > SLS_GA_FILE_MAX) {
		sls_diag_set(diag, 0, "over %d bytes", SLS_GA_FILE_MAX);
		return SLS_ERR_TOOBIG;
	}
	ga->step = SLS_GA_STEP_DEFAULT;
	while (rc == SLS_OK && at < len) {
		p.line++;
		rc = next_line(&p, buf + at, len - at, line, &n);
		if (rc == SLS_OK)
			rc = p.line == 1 ? secret_line(&p, line) : other_line(&p, line);
		at += n + 1;
	}
	if (rc == SLS_OK && p.line == 0) {
		sls_diag_set(diag, 0, "the file is empty");
		rc = SLS_ERR_FORMAT;
	} else if (rc == SLS_OK && !(p.seen & OPT_TOTP_AUTH)) {
		sls_diag_set(diag, 0,
			     "no TOTP_AUTH line: google-authenticator takes no time-based codes "
			     "from this file");
		rc = SLS_ERR_INVAL;
	}
	sls_wipe(line, sizeof(line));
	if (rc != SLS_OK)
		sls_gafile_clear(ga);
	return rc;
}

void sls_gafile_clear(struct sls_gafile *ga)
{
	sls_wipe(ga, sizeof(*ga));
}
