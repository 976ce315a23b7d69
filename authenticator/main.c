/* sls-authenticator - the soft key: holds accounts, answers challenges, shows TOTP codes. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "qrrun.h"
#include "sls_codec.h"
#include "sls_i18n.h"
#include "sls_ocra.h"
#include "sls_otp.h"
#include "sls_secret.h"
#include "sls_text.h"
#include "sls_tty.h"
#include "sls_uri.h"

/* Exit codes (documented in sls-authenticator(1)). */
enum {
	EXIT_USAGE = 1,   /* bad command line, or an internal error */
	EXIT_ACCOUNT = 2, /* no account named though several exist, or no such account */
	EXIT_INPUT = 3,   /* bad URI, image, challenge or PIN */
	EXIT_STORE = 4,   /* accounts file unsafe, corrupt or not writable */
	EXIT_EXISTS = 5,  /* import of an account that exists, without --force */
};

struct options {
	const char *account;
	const char *image;
	const char *session;
	unsigned long long counter;
	int pin_fd;
	bool dsc;
	bool force;
	bool mutual;
	bool allow_suite;
};

/*
 * A command: its name, what it takes (--help prints it), and its handler,
 * which gets the operands after the options; NULL from run_of() when their
 * number is wrong.
 */
struct verb {
	const char *name;
	const char *synopsis;
	int (*run)(const struct options *o, int nargs, char **args);
};

static void usage(int status) __attribute__((noreturn));

static int open_accounts(struct accounts *a, bool create)
{
	struct sls_diag diag = {0};
	char why[600];
	enum sls_rc rc = accounts_open(a, create, &diag, why, sizeof(why));

	if (rc == SLS_OK)
		return 0;
	warnx("%s", why);
	accounts_close(a);
	return rc == SLS_ERR_LOCK || rc == SLS_ERR_NOMEM ? EXIT_USAGE : EXIT_STORE;
}

static void print_names(const struct accounts *a, FILE *out)
{
	char name[ACCOUNT_NAME_MAX * 2];

	for (size_t i = 0; i < a->n; i++)
		if (account_name(a, i, name, sizeof(name)))
			fprintf(out, "  %s\n", name);
}

/* The account to use: --account, else the only one of the wanted kind. */
static int pick_account(const struct accounts *a, const char *name, bool totp, size_t *index)
{
	int found = -1, count = 0;

	if (name != NULL) {
		found = accounts_find(a, name);
		if (found < 0) {
			warnx(_("no account named %s; the accounts are:"), name);
			print_names(a, stderr);
			return EXIT_ACCOUNT;
		}
	} else {
		for (size_t i = 0; i < a->n; i++)
			if ((a->list[i].kind == ACCOUNT_TOTP) == totp && count++ == 0)
				found = (int)i;
		if (count != 1) {
			/* TRANSLATORS: %s is "TOTP" or "challenge/response", a kind of account. */
			warnx(count == 0 ? _("no %s account: import one first")
					 /* TRANSLATORS: %s is "TOTP" or "challenge/response". */
					 : _("several accounts: name one with --account (%s):"),
			      totp ? "TOTP" : _("challenge/response"));
			print_names(a, stderr);
			return EXIT_ACCOUNT;
		}
	}
	if ((a->list[found].kind == ACCOUNT_TOTP) != totp) {
		/* TRANSLATORS: respond and code are commands: keep them as they are. */
		warnx(totp ? _("that account answers challenges; use respond")
			   : _("that account shows TOTP codes; use code"));
		return EXIT_ACCOUNT;
	}
	*index = (size_t)found;
	return 0;
}

/* ---- import ------------------------------------------------------------- */

static int uri_from_image(const char *path, char **uri)
{
	/* the helper has said what went wrong on stderr */
	return qrrun_decode(path, uri) == 0 ? 0 : EXIT_INPUT;
}

static int check_storable(const struct sls_otpauth *o)
{
	char name[ACCOUNT_NAME_MAX * 2];
	int n = snprintf(name, sizeof(name), "%s@%s/%s", o->account, o->issuer, o->device);

	if (!sls_text_ok(o->issuer, SLS_URI_FIELD_MAX) ||
	    !sls_text_ok(o->account, SLS_URI_FIELD_MAX) ||
	    !sls_text_ok(o->device, SLS_URI_FIELD_MAX)) {
		warnx(_("the URI's issuer, user or device holds a character that cannot be stored "
			"(';', a control character, or a leading/trailing space)"));
		return EXIT_INPUT;
	}
	if (n < 0 || n >= ACCOUNT_NAME_MAX) {
		warnx(_("the URI's issuer and user are too long (at most %d characters together)"),
		      ACCOUNT_NAME_MAX - 2);
		return EXIT_INPUT;
	}
	return 0;
}

static bool confirm_replace(const char *name)
{
	char answer[16];

	if (!isatty(STDIN_FILENO))
		return false;
	/*
	 * TRANSLATORS: %s is an account name. An answer starting with y or Y
	 * means yes, and so does what the locale's own yes expression matches
	 * (rpmatch; j, for one, in a German locale).
	 */
	fprintf(stderr, _("Account %s exists. Replace it? [y/N] "), name);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	return answer[0] == 'y' || answer[0] == 'Y' || rpmatch(answer) == 1;
}

/* Put acc into the list: a new entry, or over the same account when allowed. */
static int add_account(struct accounts *a, const struct account *acc, bool force, size_t *index)
{
	char name[ACCOUNT_NAME_MAX * 2];
	int same = accounts_find_same(a, &acc->otp);

	if (same >= 0) {
		account_name(a, (size_t)same, name, sizeof(name));
		if (!force && !confirm_replace(name)) {
			warnx(_("account %s exists; use --force to replace it"), name);
			return EXIT_EXISTS;
		}
		a->list[same] = *acc;
		*index = (size_t)same;
		return 0;
	}
	if (a->n >= ACCOUNTS_MAX) {
		warnx(_("too many accounts (at most %d); remove one first"), ACCOUNTS_MAX);
		return EXIT_INPUT;
	}
	a->list[a->n] = *acc;
	*index = a->n++;
	return 0;
}

/*
 * sls issues one kind of suite: the PIN enters the response (P) and the
 * response is truncated to 6 to 10 digits. Another is refused unless
 * --allow-suite: untruncated (-0), a response is a whole HMAC, from which
 * whoever made the code (and so knows its secret) reads the PIN at once;
 * without P, a response says nothing about who holds the device. No suite
 * makes a code from an untrusted page safe (its maker knows the secret, and
 * a response with the PIN in it lets them try PINs offline): sls-authenticator(1)
 * says to import only what the user's own server showed.
 */
static int check_suite(const struct sls_ocra_suite *suite)
{
	if (!suite->pin) {
		/* TRANSLATORS: %s is an OCRA suite, such as OCRA-1:HOTP-SHA1-6:QN08. */
		warnx(_("suite %s has no PIN part (P): sls never issues one (its responses would "
			"not depend on your PIN); import it with --allow-suite only if you trust "
			"where it comes from"),
		      suite->text);
		return EXIT_INPUT;
	}
	if (suite->digits < 6 || suite->digits > 10) {
		/* TRANSLATORS: %s is an OCRA suite, %u the number of digits of its responses. */
		warnx(_("suite %s gives %u-digit responses: sls issues 6 to 10 (an untruncated "
			"response hands your PIN to whoever made the code); import it with "
			"--allow-suite only if you trust where it comes from"),
		      suite->text, suite->digits);
		return EXIT_INPUT;
	}
	return 0;
}

static int parse_import(const char *uri, const struct options *o, struct account *acc)
{
	bool dsc = o->dsc;

	struct sls_diag diag = {0};

	memset(acc, 0, sizeof(*acc));
	if (sls_otpauth_parse(uri, &acc->otp, &diag) != SLS_OK) {
		/* TRANSLATORS: %s says what is wrong with the URI, or is "malformed". */
		warnx(_("invalid otpauth URI: %s"), diag.msg[0] ? diag.msg : _("malformed"));
		return EXIT_INPUT;
	}
	if (acc->otp.type == SLS_URI_TOTP && dsc) {
		warnx(_("--type dsc is for challenge/response (otpauth://ocra/) URIs"));
		return EXIT_INPUT;
	}
	acc->kind = acc->otp.type == SLS_URI_TOTP ? ACCOUNT_TOTP
		    : dsc                         ? ACCOUNT_DSC
						  : ACCOUNT_IBKEY;
	if (acc->kind == ACCOUNT_DSC && !acc->otp.suite.pin) {
		warnx(_("a dsc key needs a suite with a PIN (P)"));
		return EXIT_INPUT;
	}
	if (acc->kind != ACCOUNT_TOTP && !o->allow_suite && check_suite(&acc->otp.suite) != 0)
		return EXIT_INPUT;
	acc->created = time(NULL);
	return check_storable(&acc->otp);
}

static int cmd_import(const struct options *o, const char *arg)
{
	struct accounts *a = calloc(1, sizeof(*a));
	struct account acc;
	char *decoded = NULL, name[ACCOUNT_NAME_MAX * 2];
	size_t index;
	int status;

	if (a == NULL)
		err(EXIT_USAGE, _("out of memory"));
	status = o->image != NULL ? uri_from_image(o->image, &decoded) : 0;
	if (status == 0)
		status = parse_import(decoded != NULL ? decoded : arg, o, &acc);
	if (status == 0)
		status = open_accounts(a, true);
	if (status == 0)
		status = add_account(a, &acc, o->force, &index);
	if (status == 0 && accounts_save(a) != SLS_OK) {
		warn(_("cannot write the accounts file (it is left as it was)"));
		status = EXIT_STORE;
	}
	if (status == 0 && account_name(a, index, name, sizeof(name)))
		printf("%s\n", name);
	sls_wipe(&acc, sizeof(acc));
	sls_free_secret_str(decoded);
	accounts_close(a);
	free(a);
	return status;
}

/* ---- list, remove --------------------------------------------------------- */

static int cmd_list(void)
{
	struct accounts *a = calloc(1, sizeof(*a));
	char name[ACCOUNT_NAME_MAX * 2], day[16];
	int status;

	if (a == NULL)
		err(EXIT_USAGE, _("out of memory"));
	status = open_accounts(a, false);
	for (size_t i = 0; status == 0 && i < a->n; i++) {
		const struct account *acc = &a->list[i];
		struct tm tm;
		time_t created = acc->created;

		if (!account_name(a, i, name, sizeof(name)) || gmtime_r(&created, &tm) == NULL ||
		    strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0)
			snprintf(day, sizeof(day), "?");
		printf("%s\t%s\t%s\t%s\t%s\n", name, account_kind_name(acc->kind),
		       acc->otp.issuer[0] ? acc->otp.issuer : "-",
		       acc->otp.device[0] ? acc->otp.device : "-", day);
	}
	accounts_close(a);
	free(a);
	return status;
}

static int cmd_remove(const char *name)
{
	struct accounts *a = calloc(1, sizeof(*a));
	int status, i;

	if (a == NULL)
		err(EXIT_USAGE, _("out of memory"));
	status = open_accounts(a, false);
	if (status == 0 && (i = accounts_find(a, name)) < 0) {
		warnx(_("no account named %s"), name);
		status = EXIT_ACCOUNT;
	} else if (status == 0) {
		memmove(&a->list[i], &a->list[i + 1], (a->n - (size_t)i - 1) * sizeof(a->list[0]));
		sls_wipe(&a->list[--a->n], sizeof(a->list[0]));
		if (accounts_save(a) != SLS_OK) {
			warn(_("cannot write the accounts file (it is left as it was)"));
			status = EXIT_STORE;
		} else {
			/* TRANSLATORS: %s is the account's name. */
			printf(_("removed %s\n"), name);
		}
	}
	accounts_close(a);
	free(a);
	return status;
}

/* ---- respond, code ---------------------------------------------------------- */

/*
 * Users may type a numeric or hex challenge with spaces or dashes ("123
 * 456"); an alphanumeric one is taken as it is. False when it does not fit.
 */
static bool clean_challenge(const struct sls_ocra_suite *suite, const char *in, char *out,
			    size_t size)
{
	if (suite->q_format != 'A')
		return sls_strip_separators(in, out, size);
	if (strlen(in) >= size)
		return false;
	snprintf(out, size, "%s", in);
	return true;
}

/* RFC 6287 7.3: a mutual question is the two parties' challenges, one after the other. */
static bool question_fits(const struct sls_ocra_suite *suite, const char *q, bool mutual)
{
	char half[SLS_OCRA_QUESTION_MAX + 1];
	size_t len = strlen(q);

	if (!mutual)
		return sls_ocra_question_check(suite, q) == SLS_OK;
	if (len % 2 != 0 || len / 2 > SLS_OCRA_QUESTION_MAX)
		return false;
	memcpy(half, q, len / 2);
	half[len / 2] = '\0';
	return sls_ocra_question_check(suite, half) == SLS_OK &&
	       sls_ocra_question_check(suite, q + len / 2) == SLS_OK;
}

static bool pin_format_ok(enum account_kind kind, const char *pin)
{
	if (kind == ACCOUNT_DSC)
		return strlen(pin) == 4 && strspn(pin, "0123456789") == 4;
	return pin[0] != '\0';
}

static int compute_response(const struct account *acc, const struct options *o, const char *q,
			    char *out, size_t outsize)
{
	const struct sls_ocra_suite *suite = &acc->otp.suite;
	struct sls_ocra_input in = {.counter = o->counter, .question = q, .session = o->session};
	char pin[SLS_PIN_INPUT_MAX];
	int status = EXIT_INPUT;

	in.timestamp = sls_ocra_time_steps(suite, time(NULL));
	if (suite->pin) {
		if (sls_tty_read_secret(o->pin_fd, _("PIN: "), pin, sizeof(pin)) != 0) {
			warn(_("cannot read the PIN"));
			return EXIT_INPUT;
		}
		if (!pin_format_ok(acc->kind, pin)) {
			warnx(acc->kind == ACCOUNT_DSC ? _("a dsc PIN is exactly 4 digits")
						       : _("the PIN is empty"));
			goto out;
		}
		in.pin = pin;
	}
	if (suite->session_len > 0 && o->session == NULL) {
		warnx(_("this suite needs a session value: --session HEX"));
		goto out;
	}
	if (sls_ocra_compute(suite, acc->otp.secret, acc->otp.secret_len, &in, out, outsize) !=
	    SLS_OK) {
		warnx(_("cannot compute the response: check --session"));
		goto out;
	}
	status = 0;
out:
	sls_wipe(pin, sizeof(pin));
	return status;
}

static int respond_with(const struct account *acc, const struct options *o, const char *raw)
{
	char q[SLS_OCRA_QUESTION_MAX * 2 + 1], response[SLS_OCRA_RESPONSE_MAX];
	int status;

	if (!clean_challenge(&acc->otp.suite, raw, q, sizeof(q)) ||
	    !question_fits(&acc->otp.suite, q, o->mutual)) {
		/*
		 * TRANSLATORS: the first %s is an OCRA suite; the second is "one
		 * challenge" or "two challenges"; %u is the most a challenge holds (4
		 * at least); the last %s is "digits", "hex digits" or "characters".
		 */
		warnx(_("the challenge does not fit this account's suite %s (%s of 4 to %u %s)"),
		      acc->otp.suite.text, o->mutual ? _("two challenges") : _("one challenge"),
		      acc->otp.suite.q_len,
		      acc->otp.suite.q_format == 'N'   ? _("digits")
		      : acc->otp.suite.q_format == 'H' ? _("hex digits")
						       : _("characters"));
		return EXIT_INPUT;
	}
	status = compute_response(acc, o, q, response, sizeof(response));
	if (status == 0)
		printf("%s\n", response);
	sls_wipe(response, sizeof(response));
	return status;
}

static int show_code(const struct account *acc)
{
	const struct sls_otpauth *otp = &acc->otp;
	time_t now = time(NULL);
	char code[SLS_OTP_DIGITS_MAX + 1];
	/* the parsers refuse period 0; never divide by it all the same */
	unsigned left =
	    otp->period > 0 ? otp->period - (unsigned)((unsigned long long)now % otp->period) : 0;

	if (sls_totp(otp->algorithm, otp->secret, otp->secret_len, now, otp->period, otp->digits,
		     code, sizeof(code)) != SLS_OK) {
		warnx(_("cannot compute the code"));
		return EXIT_USAGE;
	}
	printf("%s\n", code);
	fflush(stdout);
	/*
	 * TRANSLATORS: %u is a number of seconds. The English text is the same
	 * for every number; give each of your language's plural forms its own.
	 */
	fprintf(stderr, P_("valid for %u more seconds\n", "valid for %u more seconds\n", left),
		left);
	sls_wipe(code, sizeof(code));
	return 0;
}

/* Open the accounts, pick one of the kind wanted (--account, or the only one), run fn on it. */
static int with_account(const struct options *o, bool totp,
			int (*fn)(const struct account *acc, const struct options *o,
				  const char *arg),
			const char *arg)
{
	struct accounts *a = calloc(1, sizeof(*a));
	size_t i;
	int status;

	if (a == NULL)
		err(EXIT_USAGE, _("out of memory"));
	status = open_accounts(a, false);
	if (status == 0)
		status = pick_account(a, o->account, totp, &i);
	if (status == 0)
		status = fn(&a->list[i], o, arg);
	accounts_close(a);
	free(a);
	return status;
}

static int code_of(const struct account *acc, const struct options *o, const char *arg)
{
	(void)o;
	(void)arg;
	return show_code(acc);
}

/* ---- interactive use ------------------------------------------------------- */

static int ask_account(const struct accounts *a, size_t *index)
{
	char line[32], name[ACCOUNT_NAME_MAX * 2];
	unsigned long choice = 1;

	if (a->n == 0) {
		warnx(_("no accounts yet: import one with sls-authenticator import URI"));
		return EXIT_ACCOUNT;
	}
	if (a->n > 1) {
		for (size_t i = 0; i < a->n; i++)
			if (account_name(a, i, name, sizeof(name)))
				fprintf(stderr, " %zu) %s (%s)\n", i + 1, name,
					account_kind_name(a->list[i].kind));
		/* TRANSLATORS: asks for an account's number in the list; 1 is the default. */
		if (!sls_tty_ask_line(stderr, _("Account [1]: "), line, sizeof(line)))
			return EXIT_INPUT;
		if (line[0] != '\0') {
			char *end;

			choice = strtoul(line, &end, 10);
			if (*end != '\0' || choice < 1 || choice > a->n) {
				/* TRANSLATORS: %s is what the user typed. */
				warnx(_("no account %s"), line);
				return EXIT_ACCOUNT;
			}
		}
	}
	*index = choice - 1;
	return 0;
}

static int cmd_interactive(const struct options *o)
{
	struct accounts *a = calloc(1, sizeof(*a));
	char challenge[SLS_OCRA_QUESTION_MAX * 2 + 1];
	size_t i;
	int status;

	if (a == NULL)
		err(EXIT_USAGE, _("out of memory"));
	status = open_accounts(a, false);
	if (status == 0)
		status = ask_account(a, &i);
	if (status == 0 && a->list[i].kind == ACCOUNT_TOTP) {
		status = show_code(&a->list[i]);
	} else if (status == 0) {
		if (!sls_tty_ask_line(stderr, _("Challenge: "), challenge, sizeof(challenge)))
			status = EXIT_INPUT;
		else
			status = respond_with(&a->list[i], o, challenge);
	}
	accounts_close(a);
	free(a);
	return status;
}

/* ---- command line ------------------------------------------------------------ */

static unsigned long long parse_number(const char *s, const char *what, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max)
		/* TRANSLATORS: an option (such as --pin-fd), then its value. */
		errx(EXIT_USAGE, _("invalid %s: %s"), what, s);
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {{"account", required_argument, NULL, 'a'},
						 {"pin-fd", required_argument, NULL, 'p'},
						 {"counter", required_argument, NULL, 'c'},
						 {"session", required_argument, NULL, 's'},
						 {"mutual", no_argument, NULL, 'm'},
						 {"image", required_argument, NULL, 'i'},
						 {"type", required_argument, NULL, 't'},
						 {"force", no_argument, NULL, 'f'},
						 {"allow-suite", no_argument, NULL, 'A'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->account = optarg;
			break;
		case 'p':
			o->pin_fd = (int)parse_number(optarg, "--pin-fd", 1024);
			break;
		case 'c':
			o->counter = parse_number(optarg, "--counter", ~0ULL);
			break;
		case 's':
			o->session = optarg;
			break;
		case 'm':
			o->mutual = true;
			break;
		case 'i':
			o->image = optarg;
			break;
		case 't':
			if (strcmp(optarg, "dsc") != 0 && strcmp(optarg, "ibkey") != 0)
				/* TRANSLATORS: --type, ibkey and dsc are what the user types. */
				errx(EXIT_USAGE, _("unknown --type %s (ibkey or dsc)"), optarg);
			o->dsc = strcmp(optarg, "dsc") == 0;
			break;
		case 'f':
			o->force = true;
			break;
		case 'A':
			o->allow_suite = true;
			break;
		case 'h':
			usage(0);
		default:
			usage(EXIT_USAGE);
		}
	}
}

/* ---- the commands ---------------------------------------------------------- */

#define WRONG_ARGUMENTS (-1) /* a handler's answer to operands it does not take */

static int run_import(const struct options *o, int nargs, char **args)
{
	if (nargs != (o->image != NULL ? 0 : 1))
		return WRONG_ARGUMENTS;
	return cmd_import(o, o->image != NULL ? NULL : args[0]);
}

static int run_list(const struct options *o, int nargs, char **args)
{
	(void)o;
	(void)args;
	return nargs == 0 ? cmd_list() : WRONG_ARGUMENTS;
}

static int run_respond(const struct options *o, int nargs, char **args)
{
	return nargs == 1 ? with_account(o, false, respond_with, args[0]) : WRONG_ARGUMENTS;
}

static int run_code(const struct options *o, int nargs, char **args)
{
	(void)args;
	return nargs == 0 ? with_account(o, true, code_of, NULL) : WRONG_ARGUMENTS;
}

static int run_remove(const struct options *o, int nargs, char **args)
{
	(void)o;
	return nargs == 1 ? cmd_remove(args[0]) : WRONG_ARGUMENTS;
}

/*
 * The synopses are translated where usage() prints them; an empty one is not
 * (_("") would be the catalogue's header).
 */
static const struct verb verbs[] = {
    {"import",
     /* TRANSLATORS: a usage line: translate only the operands in capitals, not the options. */
     N_("[--type dsc] [--force] [--allow-suite] URI | --image FILE"), run_import},
    {"list", "", run_list},
    {"respond",
     /* TRANSLATORS: a usage line: translate only the operands in capitals, not the options. */
     N_("[--account NAME] [--pin-fd N] [--counter N] [--session HEX] [--mutual] "
	"CHALLENGE"),
     run_respond},
    /* TRANSLATORS: a usage line: translate only the operand in capitals, not the option. */
    {"code", N_("[--account NAME]"), run_code},
    /* TRANSLATORS: a usage line: the operand of remove, an account's name. */
    {"remove", N_("NAME"), run_remove},
};
static const size_t nverbs = sizeof(verbs) / sizeof(verbs[0]);

static void __attribute__((noreturn)) usage(int status)
{
	FILE *out = status == 0 ? stdout : stderr;
	/* TRANSLATORS: begins the usage lines; the lines below are aligned after it. */
	const char *label = _("usage:");
	int width = sls_text_width(label);

	for (size_t i = 0; i < nverbs; i++) {
		const char *synopsis = verbs[i].synopsis;

		fprintf(out, "%*s sls-authenticator %s%s%s\n", width, i == 0 ? label : "",
			verbs[i].name, synopsis[0] ? " " : "", synopsis[0] ? _(synopsis) : "");
	}
	fprintf(out, "%*s sls-authenticator            %s\n", width, "",
		/* TRANSLATORS: what sls-authenticator does when run without a command. */
		_("(interactive: pick, challenge, PIN)"));
	fprintf(out, "%*s sls-authenticator --help | --version\n", width, "");
	exit(status);
}

int main(int argc, char **argv)
{
	struct options o = {.pin_fd = -1};
	const char *verb = argc > 1 ? argv[1] : NULL;
	int nargs, status;

	sls_i18n_init();
	if (verb != NULL && strcmp(verb, "--version") == 0) {
		printf("sls-authenticator (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (verb != NULL && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0))
		usage(0);
	if (verb == NULL || verb[0] == '-') {
		if (verb != NULL)
			parse_options(argc, argv, &o);
		return cmd_interactive(&o);
	}
	parse_options(argc - 1, argv + 1, &o);
	nargs = argc - 1 - optind;
	argv += 1 + optind;
	for (size_t i = 0; i < nverbs; i++) {
		if (strcmp(verb, verbs[i].name) != 0)
			continue;
		status = verbs[i].run(&o, nargs, argv);
		if (status != WRONG_ARGUMENTS)
			return status;
		/* TRANSLATORS: %s is a command, such as import. */
		warnx(_("wrong arguments for %s"), verb);
		usage(EXIT_USAGE);
	}
	warnx(_("unknown command %s"), verb);
	usage(EXIT_USAGE);
}
