/*
 * sls optout / sls optin - a user stops or starts being asked a second
 * factor where services do not demand one (min_level). Opting out only
 * where [policy] optout = allowed and the user is in no mandatory group,
 * after a right answer from their strongest device; opting in at any time.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool has_active(const struct sls_user *user)
{
	for (size_t i = 0; i < user->ndevices; i++)
		if (user->devices[i].status == SLS_STATUS_ACTIVE)
			return true;
	return false;
}

/* Why sls.conf does not let cli->user opt out, said; SLS_EXIT_OK when it does. */
static int policy_allows(struct sls_cli *cli)
{
	char group[SLS_USER_NAME_MAX + 1];

	if (cli->conf.optout != SLS_OPTOUT_ALLOWED) {
		warnx(
		    _("opting out is not allowed here ([policy] optout = forbidden in sls.conf)"));
		return SLS_EXIT_REFUSED;
	}
	if (sls_policy_mandatory_group(&cli->conf, cli->user, group, sizeof(group))) {
		if (strcmp(group, "?") == 0)
			/* TRANSLATORS: a user name, then the mandatory groups (comma-separated) */
			warnx(_("the groups of %s cannot be read, and members of %s must keep a "
				"second factor: not opted out"),
			      cli->user, cli->conf.mandatory_groups);
		else
			/* TRANSLATORS: a user name, then a group name */
			warnx(_("%s is a member of group %s, whose members must keep a second "
				"factor ([policy] mandatory_groups): not opted out"),
			      cli->user, group);
		return SLS_EXIT_REFUSED;
	}
	return SLS_EXIT_OK;
}

/* Why cli->user, as their files say, may not opt out, said; SLS_EXIT_OK when they may. */
static int may_opt_out(struct sls_cli *cli, struct sls_user *user, void *arg)
{
	(void)arg;
	if (user->optout) {
		printf(_("%s has opted out already (sls optin undoes it).\n"), cli->user);
		return SLS_EXIT_EXISTS;
	}
	/* no device, no proof: opting out would let anything running as the user pass */
	if (cli->ruid != 0 && !has_active(user)) {
		warnx(_("you have no active device to prove it is you: enroll one first, or ask an "
			"administrator (sls --user %s optout)"),
		      cli->user);
		return SLS_EXIT_REFUSED;
	}
	return SLS_EXIT_OK;
}

struct choice {
	bool optout;
	bool changed;
};

static int set_optout(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct choice *c = arg;

	(void)cli;
	if (t->user->optout == c->optout)
		return SLS_EXIT_OK; /* done meanwhile, or nothing to do */
	t->user->optout = c->optout;
	t->user_changed = c->changed = true;
	return SLS_EXIT_OK;
}

static int optout(struct sls_cli *cli, char **args)
{
	struct choice c = {.optout = true};
	int status = policy_allows(cli);

	(void)args;
	if (status == SLS_EXIT_OK)
		status = sls_cli_with_user(cli, false, may_opt_out, NULL);
	if (status == SLS_EXIT_EXISTS)
		return SLS_EXIT_OK;
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, 0, _("To opt out of the second factor"));
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER, set_optout, &c);
	if (status != SLS_EXIT_OK)
		return status;
	if (c.changed)
		sls_log_event(&cli->log, SLS_EV_OPTOUT, NULL, "success", NULL,
			      "opted out: no second factor where services ask no min_level");
	printf(_("%s has opted out: services without min_level no longer ask a second factor "
		 "(sls optin undoes it).\n"),
	       cli->user);
	return SLS_EXIT_OK;
}

static int optin(struct sls_cli *cli, char **args)
{
	struct choice c = {.optout = false};
	int status = sls_cli_transact(cli, SLS_CLI_USER, set_optout, &c);

	(void)args;
	if (status != SLS_EXIT_OK)
		return status;
	if (c.changed)
		sls_log_event(&cli->log, SLS_EV_OPTOUT, NULL, "success", NULL,
			      "opted in: the second factor is asked again");
	if (c.changed)
		printf(_("%s has opted in: every service asks the second factor.\n"), cli->user);
	else
		printf(_("%s had not opted out: every service asks the second factor.\n"),
		       cli->user);
	return SLS_EXIT_OK;
}

static int run_optout(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 0, optout);
}

static int run_optin(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 0, optin);
}

const struct sls_verb sls_verb_optout = {
    .name = "optout",
    .synopsis = "",
    .summary = N_("no second factor where it may be left"),
    .run = run_optout,
};

const struct sls_verb sls_verb_optin = {
    .name = "optin",
    .synopsis = "",
    .summary = N_("the second factor everywhere again"),
    .run = run_optin,
};
