/* sls - the server-side tool: the command table and the dispatch to one file per verb. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "cli.h"
#include "sls_i18n.h"

/* The commands, in the order --help lists them. */
static const struct sls_verb *const verbs[] = {
    &sls_verb_enroll,   &sls_verb_devices, &sls_verb_revoke,   &sls_verb_pin,
    &sls_verb_phone,    &sls_verb_card,    &sls_verb_transfer, &sls_verb_optout,
    &sls_verb_optin,    &sls_verb_share,   &sls_verb_unshare,  &sls_verb_status,
    &sls_verb_tempcode, &sls_verb_unlock,  &sls_verb_identity, &sls_verb_import_ga,
    &sls_verb_doctor,   &sls_verb_log,     &sls_verb_db,       &sls_verb_migrate,
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

/* A verb's synopsis or summary (N_) in the user's language; "" and NULL stay as they are. */
static const char *tr(const char *s)
{
	return s != NULL && s[0] != '\0' ? _(s) : s;
}

static void print_verb(FILE *out, const char *prefix, const struct sls_verb *v)
{
	char line[128];

	if (v->subs != NULL) {
		snprintf(line, sizeof(line), "%s%s ", prefix, v->name);
		if (v->run != NULL)
			fprintf(out, "  %-24s %s\n", v->name, v->summary ? tr(v->summary) : "");
		for (const struct sls_verb *s = v->subs; s->name != NULL; s++)
			print_verb(out, line, s);
		return;
	}
	snprintf(line, sizeof(line), "%s%s%s%s", prefix, v->name, v->synopsis[0] ? " " : "",
		 tr(v->synopsis));
	if (v->summary != NULL && sls_text_width(line) < 24) {
		fputs("  ", out);
		sls_cli_cell(out, line, 24);
		/* TRANSLATORS: before the summary of a command only root may run, in sls --help */
		fprintf(out, " %s%s\n", v->root_only ? _("(root) ") : "", tr(v->summary));
	} else
		fprintf(out, "  %s\n", line);
}

void sls_cli_usage_all(int status)
{
	FILE *out = status == 0 ? stdout : stderr;

	/* TRANSLATORS: the options and "sls" stay; FILE, USER, COMMAND, ARGS may be translated */
	fprintf(out, _("usage: sls [--conf FILE] [--user USER] COMMAND [ARGS]\n"));
	for (size_t i = 0; i < NVERBS; i++)
		print_verb(out, "", verbs[i]);
	fprintf(out, "  --help | --version\n");
	exit(status);
}

void sls_cli_usage(const struct sls_cli *cli)
{
	/* TRANSLATORS: %s%s%s: the command ("phone set"), a space, and its synopsis */
	warnx(_("usage: sls %s%s%s"), cli->verb_name, cli->verb->synopsis[0] ? " " : "",
	      tr(cli->verb->synopsis));
	exit(SLS_EXIT_USAGE);
}

/* Without a journal, decisions go to syslog; the user has seen the message already. */
static void log_to_syslog(void *arg, int priority, const char *line)
{
	(void)arg;
	syslog(LOG_AUTHPRIV | priority, "%s", line);
}

extern char **environ;

/*
 * Setuid: libpq would take a caller's PG* variables (the server, a password
 * file, a client key) for root's connection to the store: none is kept.
 */
static void drop_pg_env(void)
{
	char name[64];

	for (size_t i = 0; environ[i] != NULL;) {
		size_t n = strcspn(environ[i], "=");

		if (strncmp(environ[i], "PG", 2) != 0) {
			i++;
			continue;
		}
		if (n >= sizeof(name))
			errx(SLS_EXIT_PERM, _("cannot drop privileges"));
		memcpy(name, environ[i], n);
		name[n] = '\0';
		if (unsetenv(name) != 0)
			errx(SLS_EXIT_PERM, _("cannot drop privileges"));
	}
}

/* Set up privileges: setuid root for a non-root caller drops to the caller. */
static void init_cli(struct sls_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->store.dirfd = cli->store.users_fd = cli->store.state_fd = cli->store.lock_fd = -1;
	cli->ruid = getuid();
	cli->rgid = getgid();
	cli->setuid = geteuid() == 0 && cli->ruid != 0;
	umask(077);
	if (cli->setuid && seteuid(cli->ruid) != 0)
		err(SLS_EXIT_PERM, _("cannot drop privileges"));
	if (cli->setuid)
		drop_pg_env();
	cli->stdout_tty = isatty(STDOUT_FILENO);
	cli->log.ident = "sls";
	cli->log.service = "sls";
	cli->log.fallback = log_to_syslog;
	openlog("sls", LOG_PID, LOG_AUTHPRIV);
	sls_cli_terminal_ui(cli);
}

/* The options before the command: --conf, --user, --help, --version. */
static void global_options(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"conf", required_argument, NULL, 'C'},
						 {"user", required_argument, NULL, 'U'},
						 {"help", no_argument, NULL, 'H'},
						 {"version", no_argument, NULL, 'V'},
						 {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'C')
			cli->conf_path = optarg;
		else if (c == 'U')
			cli->user_opt = optarg;
		else if (c == 'H')
			sls_cli_usage_all(0);
		else if (c == 'V')
			exit(printf("sls (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION) < 0);
		else
			errx(SLS_EXIT_USAGE, _("try sls --help"));
	}
}

static const struct sls_verb *find_verb(const struct sls_verb *const *list, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i]->name, name) == 0)
			return list[i];
	return NULL;
}

/*
 * A verb with sub-verbs (sls phone set): its next word picks one; without
 * one that matches, the verb itself runs if it can (sls phone).
 */
static const struct sls_verb *find_sub(const struct sls_verb *v, int *argc, char ***argv,
				       char *name, size_t size)
{
	while (v != NULL && v->subs != NULL) {
		const struct sls_verb *s = v->subs;

		while (*argc >= 2 && s->name != NULL && strcmp(s->name, (*argv)[1]) != 0)
			s++;
		if (*argc < 2 || s->name == NULL)
			return v->run != NULL ? v : NULL;
		v = s;
		(*argc)--;
		(*argv)++;
		strncat(name, " ", size - strlen(name) - 1);
		strncat(name, v->name, size - strlen(name) - 1);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sls_cli cli;
	const struct sls_verb *v;
	int status;

	sls_i18n_init();
	init_cli(&cli);
	global_options(&cli, argc, argv);
	if (optind >= argc)
		sls_cli_usage_all(SLS_EXIT_USAGE);
	argc -= optind;
	argv += optind;
	v = find_verb(verbs, NVERBS, argv[0]);
	snprintf(cli.verb_name, sizeof(cli.verb_name), "%s", argv[0]);
	v = find_sub(v, &argc, &argv, cli.verb_name, sizeof(cli.verb_name));
	if (v == NULL) {
		warnx(_("unknown command %s"), argv[0]);
		sls_cli_usage_all(SLS_EXIT_USAGE);
	}
	if (v->root_only && cli.ruid != 0)
		/* TRANSLATORS: %s is a command of sls ("status") */
		errx(SLS_EXIT_PERM, _("%s is for root only"), v->name);
	cli.verb = v;
	optind = 0; /* the verb's own getopt_long starts over */
	status = v->run(&cli, argc, argv);
	sls_store_close(&cli.store);
	return status;
}
