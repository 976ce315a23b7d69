/* sls devices, sls revoke, and the admin's sls status and sls unlock. */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sls_cli.h"

static void print_devices(const struct sls_user *user, struct sls_state *state)
{
	char created[32], used[32];

	printf("%-16s %-8s %-5s %-8s %-16s %-16s %s\n", "NAME", "TYPE", "LEVEL", "STATUS",
	       "CREATED", "LAST USED", "LABEL");
	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];
		const struct sls_device_state *ds = sls_state_find(state, d);

		sls_cli_time(d->created, created, sizeof(created));
		sls_cli_time(ds ? ds->last_used : 0, used, sizeof(used));
		printf("%-16s %-8s %-5d %-8s %-16s %-16s %s\n", d->name,
		       sls_device_type_name(d->type), d->level,
		       d->status == SLS_STATUS_ACTIVE && !sls_device_usable(d, time(NULL))
			   ? "expired"
			   : sls_device_status_name(d->status),
		       created, used, d->label[0] ? d->label : "-");
	}
}

/* Devices and state of cli->user, printed; *count gets the number of devices. */
static int show_devices(struct sls_cli *cli, size_t *count)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	struct sls_state *state = calloc(1, sizeof(*state));
	int status;

	if (user == NULL || state == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	status = sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK)
		status = sls_cli_read_state(cli, state);
	if (status == SLS_EXIT_OK && user->ndevices == 0)
		printf("%s has no devices: enroll one with sls enroll ibkey|dsc|totp\n", cli->user);
	else if (status == SLS_EXIT_OK)
		print_devices(user, state);
	*count = user->ndevices;
	sls_user_clear(user);
	sls_state_clear(state);
	free(user);
	free(state);
	return status;
}

int sls_cmd_devices(struct sls_cli *cli, int argc, char **argv)
{
	size_t count;

	(void)argv;
	sls_opts_only(cli->opts, "devices", 0);
	if (argc != 0) {
		warnx("usage: sls devices");
		return SLS_EXIT_USAGE;
	}
	return show_devices(cli, &count);
}

/* ---- revoke -------------------------------------------------------------------- */

static bool group_is_mandatory(const struct sls_config *conf, const char *group)
{
	const char *p = conf->mandatory_groups;
	size_t n = strlen(group);

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, group, n) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

/* Whether the user belongs to a group that must keep a second factor. */
static bool in_mandatory_group(const struct sls_cli *cli)
{
	struct passwd *pw = getpwnam(cli->user);
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));

	if (cli->conf.mandatory_groups[0] == '\0')
		return false;
	if (pw == NULL || getgrouplist(cli->user, pw->pw_gid, groups, &n) < 0)
		return true; /* cannot tell: assume the stricter rule */
	for (int i = 0; i < n; i++) {
		struct group *gr = getgrgid(groups[i]);

		if (gr != NULL && group_is_mandatory(&cli->conf, gr->gr_name))
			return true;
	}
	return false;
}

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
	bool mandatory; /* the user is in a group that must keep a second factor */
};

/*
 * Revoking the last active device is opting out: root may, with --force for
 * a member of a mandatory group; a user may only where opt-out is allowed
 * and the user is in no mandatory group (--force is root's alone).
 */
static int last_device(struct sls_cli *cli, struct sls_device *d, bool mandatory)
{
	if (cli->ruid == 0 && (!mandatory || cli->opts->force)) {
		d->status = SLS_STATUS_REVOKED;
		return SLS_EXIT_OK;
	}
	if (cli->ruid != 0 && !mandatory && cli->conf.optout == SLS_OPTOUT_ALLOWED) {
		d->status = SLS_STATUS_REVOKED;
		return SLS_EXIT_OK;
	}
	if (mandatory)
		sls_cli_later(cli,
			      "%s is the last active device of %s, whose group must use a second "
			      "factor; enroll another first%s",
			      d->name, cli->user, cli->ruid == 0 ? ", or use --force" : "");
	else
		sls_cli_later(cli,
			      "%s is your last active device and opting out is not allowed here; "
			      "enroll another first",
			      d->name);
	return SLS_EXIT_REFUSED;
}

/* Revoke r->name in user; refusals are said with sls_cli_later. */
static int revoke_in(struct sls_cli *cli, struct sls_user *user, const struct revocation *r)
{
	struct sls_device *d = sls_user_find_device(user, r->name);

	if (d == NULL) {
		sls_cli_later(cli, "%s has no device named %s", cli->user, r->name);
		return SLS_EXIT_NOTFOUND;
	}
	if (d->status == SLS_STATUS_REVOKED) {
		sls_cli_later(cli, "device %s is revoked already", d->name);
		return SLS_EXIT_NOTFOUND;
	}
	if (d->status == SLS_STATUS_ACTIVE && active_devices(user) == 1)
		return last_device(cli, d, r->mandatory);
	d->status = SLS_STATUS_REVOKED;
	return SLS_EXIT_OK;
}

static int revoke_device(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	int status = revoke_in(cli, t->user, arg);

	t->user_changed = status == SLS_EXIT_OK;
	return status;
}

/* revoke_in on a copy read without the lock: what would be refused is refused before a proof. */
static int revoke_dry_run(struct sls_cli *cli, const struct revocation *r)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	int status;

	if (user == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	status = sls_cli_read_user(cli, user, false);
	if (status == SLS_EXIT_OK)
		status = revoke_in(cli, user, r);
	sls_cli_say_later(cli);
	sls_user_clear(user);
	free(user);
	return status;
}

/*
 * A user (not root) proves who they are with their strongest device first,
 * as for enroll: otherwise anything running as the user could revoke the
 * user's devices (and, where opting out is allowed, enrol its own).
 */
int sls_cmd_revoke(struct sls_cli *cli, int argc, char **argv)
{
	struct revocation r;
	int status;

	sls_opts_only(cli->opts, "revoke", SLS_OPT_FORCE);
	if (argc != 1) {
		warnx("usage: sls revoke NAME [--force]");
		return SLS_EXIT_USAGE;
	}
	if (!sls_name_valid(argv[0])) {
		warnx("invalid device name");
		return SLS_EXIT_INPUT;
	}
	r.name = argv[0];
	r.mandatory = in_mandatory_group(cli);
	status = revoke_dry_run(cli, &r);
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, 0, "To revoke a device");
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER, revoke_device, &r);
	if (status == SLS_EXIT_OK) {
		printf("Device %s of %s is revoked.\n", argv[0], cli->user);
		sls_log_event(&cli->log, SLS_EV_REVOKED, argv[0], "success", NULL,
			      "device revoked");
	}
	return status;
}

/* ---- status and unlock (root) ------------------------------------------------------ */

/* Whether cli->user has an enrolment file (a user gone from passwd may still have one). */
static bool has_enrollment(struct sls_cli *cli)
{
	struct stat st;
	bool found;

	if (!sls_priv_store(cli))
		err(SLS_EXIT_STORE, "cannot regain the privileges for the store");
	found = fstatat(cli->store.users_fd, cli->user, &st, AT_SYMLINK_NOFOLLOW) == 0;
	sls_priv_user(cli);
	return found;
}

static int target_user(struct sls_cli *cli, int argc, char **argv, const char *verb)
{
	sls_opts_only(cli->opts, verb, 0);
	if (argc != 1 || cli->opts->user != NULL) {
		warnx("usage: sls %s USER", verb);
		return SLS_EXIT_USAGE;
	}
	if (!sls_name_valid(argv[0]) || strlen(argv[0]) >= sizeof(cli->user)) {
		warnx("invalid user name (no '/', control characters or spaces)");
		return SLS_EXIT_INPUT;
	}
	/* a user gone from passwd may still have files to look at or unlock */
	if (sls_cli_uid_name(argv[0], cli->user, sizeof(cli->user)))
		return SLS_EXIT_OK;
	snprintf(cli->user, sizeof(cli->user), "%s", argv[0]);
	if (!has_enrollment(cli)) {
		warnx("no such user: %s", cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	return SLS_EXIT_OK;
}

static void print_lock(const struct sls_cli *cli, const struct sls_state *state)
{
	time_t now = time(NULL);
	char when[32];

	printf("Failures in the last %u s: %zu of %u allowed\n", cli->conf.window,
	       sls_state_count_failures(state, now, (time_t)cli->conf.window), cli->conf.deny);
	sls_cli_time(state->locked_until, when, sizeof(when));
	if (state->locked_until > now)
		printf("Locked until %s (sls unlock %s clears it)\n", when, cli->user);
	else
		printf("Not locked\n");
}

int sls_cmd_status(struct sls_cli *cli, int argc, char **argv)
{
	struct sls_state *state = calloc(1, sizeof(*state));
	size_t count = 0;
	int status = target_user(cli, argc, argv, "status");

	if (state == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	if (status == SLS_EXIT_OK)
		status = sls_cli_read_state(cli, state);
	if (status == SLS_EXIT_OK) {
		printf("User %s\n", cli->user);
		status = show_devices(cli, &count);
	}
	if (status == SLS_EXIT_OK)
		print_lock(cli, state);
	sls_state_clear(state);
	free(state);
	return status;
}

static int clear_lock(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct sls_state *state = t->state;

	(void)cli;
	(void)arg;
	state->nfailures = 0;
	memset(state->failures, 0, sizeof(state->failures));
	state->locked_until = 0;
	t->state_changed = true;
	return SLS_EXIT_OK;
}

int sls_cmd_unlock(struct sls_cli *cli, int argc, char **argv)
{
	int status = target_user(cli, argc, argv, "unlock");

	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_STATE, clear_lock, NULL);
	if (status == SLS_EXIT_OK) {
		cli->log.user = cli->user;
		printf("%s is unlocked; failures cleared.\n", cli->user);
		sls_log_event(&cli->log, SLS_EV_UNLOCKED, NULL, "success", NULL,
			      "lock and failures cleared by an administrator");
	}
	return status;
}
