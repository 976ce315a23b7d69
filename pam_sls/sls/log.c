/*
 * sls log [USER] [--since WHEN] [--directory DIR]: the module's and sls's
 * recent decisions, read from the systemd journal with sd_journal (not by
 * parsing journalctl), as a table: when, who, where from, which device, what
 * happened and what PAM was told. Root only (the journal is root's).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include <systemd/sd-journal.h>

#include "cli.h"

/* The columns: the journal fields shown, in order, and their widths. */
static const struct column {
	const char *field;
	const char *heading; /* translated when printed */
	int width;
} columns[] = {
    {"SLS_USER", N_("USER"), 12},     {"SLS_SERVICE", N_("SERVICE"), 8},
    {"SLS_RHOST", N_("FROM"), 15},    {"SLS_TTY", N_("TTY"), 8},
    {"SLS_DEVICE", N_("DEVICE"), 10}, {"SLS_EVENT", N_("EVENT"), 14},
    {"SLS_RESULT", N_("RESULT"), 8},  {"SLS_PAM_RESULT", N_("PAM"), 16},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/*
 * --since: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time), or "-N" with
 * a unit: s, m, h or d ("-2h": two hours ago). Microseconds since the epoch;
 * false for anything else.
 */
static bool parse_since(const char *s, uint64_t *usec)
{
	time_t now = time(NULL), t;
	struct tm tm;
	char *end;

	if (s[0] == '-') {
		unsigned long n;
		unsigned long unit;

		errno = 0;
		n = strtoul(s + 1, &end, 10);
		if (errno != 0 || end == s + 1 || end[0] == '\0' || end[1] != '\0')
			return false;
		unit = end[0] == 's'   ? 1
		       : end[0] == 'm' ? 60
		       : end[0] == 'h' ? 3600
		       : end[0] == 'd' ? 86400
				       : 0;
		if (unit == 0 || n > (unsigned long)now / unit)
			return false;
		*usec = (uint64_t)(now - (time_t)(n * unit)) * 1000000u;
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == ' ')
		end = strptime(end + 1, "%H:%M", &tm);
	if (end != NULL && *end == ':')
		end = strptime(end + 1, "%S", &tm);
	if (end == NULL || *end != '\0')
		return false;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || t < 0)
		return false;
	*usec = (uint64_t)t * 1000000u;
	return true;
}

/*
 * Anything the terminal would act on instead of showing (C0 and C1
 * controls, invalid multibyte text) becomes '?', byte for byte: any local
 * user can send entries, and root reads them in a terminal.
 */
static void printable(char *s)
{
	mbstate_t st;
	size_t left = strlen(s);

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			*s = '?';
			n = 1;
		} else if (!iswprint((wint_t)wc)) {
			memset(s, '?', n);
		}
		s += n;
		left -= n;
	}
}

/* The value of field in the current entry, as a printable cell ("-" when absent). */
static void cell(sd_journal *j, const char *field, char *out, size_t size)
{
	const void *data = NULL;
	size_t len = 0, flen = strlen(field);

	snprintf(out, size, "-");
	if (sd_journal_get_data(j, field, &data, &len) < 0 || len <= flen + 1)
		return;
	len -= flen + 1;
	if (len >= size)
		len = size - 1;
	memcpy(out, (const char *)data + flen + 1, len);
	out[len] = '\0';
	printable(out);
}

/* What the entry says happened: MESSAGE up to its "; user=..." part. */
static void reason(sd_journal *j, char *out, size_t size)
{
	char *cut;

	cell(j, "MESSAGE", out, size);
	cut = strstr(out, "; user=");
	if (cut != NULL)
		*cut = '\0';
}

static void print_heading(void)
{
	sls_cli_cell(stdout, _("TIME"), 19);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		putchar(' ');
		sls_cli_cell(stdout, _(columns[i].heading), columns[i].width);
	}
	printf(" %s\n", _("WHY"));
}

static int print_entry(sd_journal *j)
{
	char when[32] = "-", value[256], why[256];
	uint64_t usec = 0;
	struct tm tm;
	time_t t;

	if (sd_journal_get_realtime_usec(j, &usec) >= 0) {
		t = (time_t)(usec / 1000000u);
		if (localtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	}
	printf("%-19s", when);
	for (size_t i = 0; i < NCOLUMNS; i++) {
		cell(j, columns[i].field, value, sizeof(value));
		putchar(' ');
		sls_cli_cell(stdout, value, columns[i].width);
	}
	reason(j, why, sizeof(why));
	return printf(" %s\n", why) < 0 ? -1 : 0;
}

/* Entries of pam_sls, slsd and sls (about user when not NULL) since since_usec. */
static int show(const char *dir, const char *user, uint64_t since_usec)
{
	char match[64 + SLS_USER_NAME_MAX];
	sd_journal *j = NULL;
	int r, rows = 0;

	r = dir != NULL ? sd_journal_open_directory(&j, dir, 0)
			: sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		warnx(_("cannot open the journal: %s"), strerror(-r));
		return SLS_EXIT_STORE;
	}
	/* (SYSLOG_IDENTIFIER=pam_sls OR slsd OR sls) AND SLS_USER=user */
	r = sd_journal_add_match(j, "SYSLOG_IDENTIFIER=pam_sls", 0);
	if (r >= 0)
		r = sd_journal_add_match(j, "SYSLOG_IDENTIFIER=slsd", 0);
	if (r >= 0)
		r = sd_journal_add_match(j, "SYSLOG_IDENTIFIER=sls", 0);
	if (r >= 0 && user != NULL) {
		snprintf(match, sizeof(match), "SLS_USER=%s", user);
		r = sd_journal_add_conjunction(j);
		if (r >= 0)
			r = sd_journal_add_match(j, match, 0);
	}
	if (r >= 0)
		r = since_usec > 0 ? sd_journal_seek_realtime_usec(j, since_usec)
				   : sd_journal_seek_head(j);
	if (r < 0) {
		sd_journal_close(j);
		warnx(_("cannot read the journal: %s"), strerror(-r));
		return SLS_EXIT_STORE;
	}
	print_heading();
	while ((r = sd_journal_next(j)) > 0) {
		if (print_entry(j) != 0) {
			r = -EIO;
			break;
		}
		rows++;
	}
	sd_journal_close(j);
	if (r < 0) {
		warnx(_("cannot read the journal: %s"), strerror(-r));
		return SLS_EXIT_STORE;
	}
	if (rows == 0)
		printf(_("(no entries)\n"));
	return SLS_EXIT_OK;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"since", required_argument, NULL, 's'},
						 {"directory", required_argument, NULL, 'D'},
						 SLS_COMMON_OPTIONS};
	const char *dir = NULL, *user = NULL;
	uint64_t since = 0;
	int c;

	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 's' && !parse_since(optarg, &since)) {
			/* TRANSLATORS: %s is what was given after --since */
			warnx(_("--since takes YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\" or -N with s, "
				"m, "
				"h or d (-2h), not %s"),
			      optarg);
			sls_cli_usage(cli);
		}
		if (c == 'D')
			dir = optarg;
	}
	if (argc - optind > 1)
		sls_cli_usage(cli);
	if (argc - optind == 1) {
		user = argv[optind];
		if (!sls_name_valid(user)) {
			warnx(_("%s is not a valid user name"), user);
			return SLS_EXIT_INPUT;
		}
	}
	return show(dir, user, since);
}

const struct sls_verb sls_verb_log = {
    .name = "log",
    .synopsis = "[USER] [--since WHEN] [--directory DIR]",
    .summary = N_("recent decisions from the journal"),
    .root_only = true,
    .run = run,
};
