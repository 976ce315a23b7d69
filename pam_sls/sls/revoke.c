/* sls revoke NAME - a device stops working; a user proves who they are first. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static size_t active_devices(const struct sls_user *user)
{
	size_t n = 0;

	for (size_t i = 0; i < user->ndevices; i++)
		n += user->devices[i].status == SLS_STATUS_ACTIVE;
	return n;
}

/* What revoke works on: the device's name and the user's groups, looked up before any lock. */
struct revocation {
	const char *name;
	bool force;     /* --force: root may revoke a mandatory group's last device */
	bool mandatory; /* the user is in a group that must keep a second factor */
};

/*
 * Revoking the last active device is opting out: root may, with --force for
 * a member of a mandatory group; a user may only where opt-out is allowed
 * and the user is in no mandatory group (--force is root's alone).
 */
static int last_device(struct sls_cli *cli, struct sls_device *d, const struct revocation *r)
{
	bool mandatory = r->mandatory;

	if (cli->ruid == 0 && (!mandatory || r->force)) {
		d->status = SLS_STATUS_REVOKED;
		return SLS_EXIT_OK;
	}
	if (cli->ruid != 0 && !mandatory && cli->conf.optout == SLS_OPTOUT_ALLOWED) {
		d->status = SLS_STATUS_REVOKED;
		return SLS_EXIT_OK;
	}
	if (mandatory && cli->ruid == 0)
		sls_cli_later(cli,
			      /* TRANSLATORS: a device's name, then a user name */
			      _("%s is the last active device of %s, whose group must use a "
				"second factor; enroll another first, or use --force"),
			      d->name, cli->user);
	else if (mandatory)
		sls_cli_later(cli,
			      /* TRANSLATORS: a device's name, then a user name */
			      _("%s is the last active device of %s, whose group must use a "
				"second factor; enroll another first"),
			      d->name, cli->user);
	else
		sls_cli_later(cli,
			      /* TRANSLATORS: a device's name */
			      _("%s is your last active device and opting out is not allowed "
				"here; enroll another first"),
			      d->name);
	return SLS_EXIT_REFUSED;
}

/* Revoke r->name in user; refusals are said with sls_cli_later. */
static int revoke_in(struct sls_cli *cli, struct sls_user *user, const struct revocation *r)
{
	struct sls_device *d = sls_user_find_device(user, r->name);

	if (d == NULL) {
		sls_cli_later(cli, _("%s has no device named %s"), cli->user, r->name);
		return SLS_EXIT_NOTFOUND;
	}
	if (d->status == SLS_STATUS_REVOKED) {
		sls_cli_later(cli, _("device %s is revoked already"), d->name);
		return SLS_EXIT_NOTFOUND;
	}
	if (d->status == SLS_STATUS_ACTIVE && active_devices(user) == 1)
		return last_device(cli, d, r);
	d->status = SLS_STATUS_REVOKED;
	return SLS_EXIT_OK;
}

static int revoke_device(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	int status = revoke_in(cli, t->user, arg);

	t->user_changed = status == SLS_EXIT_OK;
	return status;
}

static int dry_run(struct sls_cli *cli, struct sls_user *user, void *arg)
{
	return revoke_in(cli, user, arg);
}

/* revoke_in on a copy read without the lock: what would be refused is refused before a proof. */
static int revoke_dry_run(struct sls_cli *cli, struct revocation *r)
{
	int status = sls_cli_with_user(cli, false, dry_run, r);

	sls_cli_say_later(cli);
	return status;
}

/*
 * A user (not root) proves who they are with their strongest device first,
 * as for enroll: otherwise anything running as the user could revoke the
 * user's devices (and, where opting out is allowed, enrol its own).
 */
static int revoke(struct sls_cli *cli, const char *name, bool force)
{
	struct revocation r = {.name = name, .force = force};
	char group[SLS_USER_NAME_MAX + 1];
	int status;

	if (!sls_name_valid(name)) {
		warnx(_("invalid device name"));
		return SLS_EXIT_INPUT;
	}
	r.mandatory = sls_policy_mandatory_group(&cli->conf, cli->user, group, sizeof(group));
	status = revoke_dry_run(cli, &r);
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, 0, _("To revoke a device"));
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER, revoke_device, &r);
	if (status == SLS_EXIT_OK) {
		/* TRANSLATORS: a device's name, then a user name */
		printf(_("Device %s of %s is revoked.\n"), name, cli->user);
		sls_log_event(&cli->log, SLS_EV_REVOKED, name, "success", NULL, "device revoked");
	}
	return status;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"force", no_argument, NULL, 'F'},
						 SLS_COMMON_OPTIONS};
	bool force = false;
	int c, status;

	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1)
		force = force || c == 'F';
	if (argc - optind != 1)
		sls_cli_usage(cli);
	status = sls_cli_start(cli);
	return status == SLS_EXIT_OK ? revoke(cli, argv[optind], force) : status;
}

const struct sls_verb sls_verb_revoke = {
    .name = "revoke",
    /* TRANSLATORS: keep the option; NAME may be translated */
    .synopsis = N_("NAME [--force]"),
    .summary = N_("revoke a device"),
    .run = run,
};
