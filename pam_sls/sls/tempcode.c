/*
 * sls tempcode USER [--force] - (root) a temporary passcode for a user who
 * lost their devices: it logs in for [tempcode] full_days, then for
 * card_days more only sls card print takes it. One at a time; revoked when
 * the user activates a device of their own.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sls_tempcode.h"

#define TEMPCODE_NAME "tempcode"

struct issue {
	bool force;
	bool replaced;                   /* --force revoked an active one */
	char code[SLS_TEMPCODE_LEN + 3]; /* "ABCD-EFGH-JKMN": a secret, wiped */
	struct sls_device dev;
};

static int add(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct issue *is = arg;
	const struct sls_device *found = sls_tempcode_find(t->user, is->dev.created, false);
	struct sls_device *old = found ? &t->user->devices[found - t->user->devices] : NULL, *d;
	char until[32];

	if (old != NULL && !is->force) {
		sls_cli_time(old->expires, until, sizeof(until));
		sls_cli_later(cli,
			      /* TRANSLATORS: a user name, then a date and time */
			      _("%s already has a temporary passcode (in use until %s); --force "
				"replaces it"),
			      cli->user, until);
		return SLS_EXIT_EXISTS;
	}
	if (old != NULL) {
		old->status = SLS_STATUS_REVOKED;
		is->replaced = true;
	}
	d = sls_user_find_device(t->user, TEMPCODE_NAME);
	if (d != NULL && !d->type->stand_in && d->status != SLS_STATUS_REVOKED) {
		sls_cli_later(cli, _("%s has a device named %s that is not a temporary passcode"),
			      cli->user, TEMPCODE_NAME);
		return SLS_EXIT_EXISTS;
	}
	d = sls_user_place_device(t->user, TEMPCODE_NAME, &is->dev.created);
	if (d == NULL) {
		sls_cli_later(cli, _("%s has %d devices that are not revoked; revoke one first"),
			      cli->user, SLS_DEVICES_MAX);
		return SLS_EXIT_INPUT;
	}
	/* created may have moved past an earlier one's (a new identity); its days stay */
	*d = is->dev;
	t->user_changed = true;
	return SLS_EXIT_OK;
}

static int issue(struct sls_cli *cli, struct issue *is)
{
	char login[32], card[32];
	int status;

	if (cli->conf.tempcode_full_days + cli->conf.tempcode_card_days == 0) {
		warnx(_("[tempcode] full_days and card_days are both 0 in sls.conf: a temporary "
			"passcode would have expired when it was made"));
		return SLS_EXIT_REFUSED;
	}
	snprintf(is->dev.name, sizeof(is->dev.name), TEMPCODE_NAME);
	snprintf(is->dev.label, sizeof(is->dev.label), "issued by root");
	if (sls_tempcode_new(&is->dev, &cli->conf, time(NULL), is->code, sizeof(is->code)) !=
	    SLS_OK) {
		warnx(_("the random number generator failed"));
		return SLS_EXIT_STORE;
	}
	status = sls_cli_transact(cli, SLS_CLI_NEW_USER, add, is);
	if (status != SLS_EXIT_OK)
		return status;
	if (is->replaced)
		sls_log_event(&cli->log, SLS_EV_TEMPCODE, TEMPCODE_NAME, "success", NULL,
			      "temporary passcode issued; the earlier one is revoked (--force)");
	else
		sls_log_event(&cli->log, SLS_EV_TEMPCODE, TEMPCODE_NAME, "success", NULL,
			      "temporary passcode issued");
	sls_cli_time(sls_tempcode_login_until(&is->dev), login, sizeof(login));
	sls_cli_time(is->dev.expires, card, sizeof(card));
	if (is->replaced)
		printf(_("The earlier temporary passcode of %s is revoked.\n"), cli->user);
	if (cli->stdout_tty)
		/* TRANSLATORS: a user name, then the passcode ("ABCD-EFGH-JKMN") */
		printf(_("Temporary passcode for %s: %s\n"), cli->user, is->code);
	else /* a script may read the code off this line: it stays as it is */
		printf("Temporary passcode for %s: %s\n", cli->user, is->code);
	/* TRANSLATORS: two dates and times, then a user name */
	printf(_("It logs in until %s; then, until %s, only sls card print takes it (for an "
		 "online security code card).\n"
		 "Give it to %s in person or by a channel you trust; it is not shown again.\n"),
	       login, card, cli->user);
	return SLS_EXIT_OK;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"force", no_argument, NULL, 'f'},
						 SLS_COMMON_OPTIONS};
	struct issue *is = calloc(1, sizeof(*is));
	int c, status;

	if (is == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1)
		if (c == 'f')
			is->force = true;
	if (argc - optind != 1)
		sls_cli_usage(cli);
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = sls_cli_target_user(cli, argv[optind]);
	if (status == SLS_EXIT_OK)
		status = issue(cli, is);
	sls_wipe(is, sizeof(*is));
	free(is);
	return status;
}

const struct sls_verb sls_verb_tempcode = {
    .name = "tempcode",
    /* TRANSLATORS: keep the option; USER may be translated */
    .synopsis = N_("USER [--force]"),
    .summary = N_("a temporary passcode"),
    .root_only = true,
    .run = run,
};
