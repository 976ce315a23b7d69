/* sls enroll TYPE - a new device, provisioned by QR code and confirmed by one right answer. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "newdev.h"

struct enroll_opts {
	const char *name, *label, *png, *svg;
	int pin_fd; /* -1: ask on the terminal */
};

/* The types sls enroll makes: those with a provision hook. */
static int parse_type(const char *s, const struct sls_devtype **type)
{
	char names[128];

	*type = sls_devtype_find(&sls_devtypes_builtin, s);
	if (*type != NULL && (*type)->provision != NULL)
		return SLS_EXIT_OK;
	sls_devtype_enrollable_names(&sls_devtypes_builtin, names, sizeof(names));
	/* TRANSLATORS: the type asked for, then the types (a list of their names) */
	warnx(_("cannot enroll '%s': the types are %s"), s, names);
	return SLS_EXIT_INPUT;
}

/*
 * Names sls gives devices: plain ASCII, so that no byte of a name can act on
 * the terminal of the root who runs sls status; the file format accepts more.
 */
static bool plain_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SLS_DEVICE_NAME_MAX || name[0] == '-' || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}

static int describe(const struct enroll_opts *o, struct sls_newdev *e)
{
	const char *name = o->name ? o->name : e->dev.type->name;
	const char *label = o->label ? o->label : "";

	if (!plain_name(name)) {
		warnx(_("invalid device name: 1 to %d letters, digits, '.', '_' or '-', not "
			"starting with '-'"),
		      SLS_DEVICE_NAME_MAX);
		return SLS_EXIT_INPUT;
	}
	if (!sls_text_ok(label, SLS_LABEL_MAX)) {
		warnx(_("invalid label: at most %d characters, no control characters or ';'"),
		      SLS_LABEL_MAX);
		return SLS_EXIT_INPUT;
	}
	snprintf(e->dev.name, sizeof(e->dev.name), "%s", name);
	snprintf(e->dev.label, sizeof(e->dev.label), "%s", label);
	e->dev.level = e->dev.type->level;
	e->dev.status = SLS_STATUS_PENDING;
	e->dev.created = time(NULL);
	return SLS_EXIT_OK;
}

/* ---- the device in the files ------------------------------------------------------ */

/* A stale pending device, or a revoked one, gives its name up to a new enrolment. */
static int add_pending(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct sls_newdev *e = arg;
	struct sls_device *old = sls_user_find_device(t->user, e->dev.name);

	if (old != NULL && old->status == SLS_STATUS_ACTIVE) {
		sls_cli_later(cli,
			      _("%s already has an active device named %s; pick another with "
				"--name"),
			      cli->user, e->dev.name);
		return SLS_EXIT_EXISTS;
	}
	old = sls_user_place_device(t->user, e->dev.name, &e->dev.created);
	if (old == NULL) {
		sls_cli_later(cli, _("%s has %d devices that are not revoked; revoke one first"),
			      cli->user, SLS_DEVICES_MAX);
		return SLS_EXIT_INPUT;
	}
	*old = e->dev;
	t->user_changed = true;
	return SLS_EXIT_OK;
}

/* The device we added, unless someone replaced it meanwhile. */
static struct sls_device *ours(struct sls_user *user, const struct sls_newdev *e)
{
	struct sls_device *d = sls_user_find_device(user, e->dev.name);

	if (d == NULL || d->status != SLS_STATUS_PENDING || d->secret_len != e->dev.secret_len ||
	    !sls_secure_equal(d->secret, e->dev.secret, d->secret_len))
		return NULL;
	return d;
}

static int activate(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct sls_newdev *e = arg;
	struct sls_device *d = ours(t->user, e);

	if (d == NULL) {
		sls_cli_later(cli, _("the pending device %s changed meanwhile; enroll again"),
			      e->dev.name);
		return SLS_EXIT_CONFIRM;
	}
	d->status = SLS_STATUS_ACTIVE;
	e->stand_ins_revoked = sls_user_revoke_stand_ins(t->user, d);
	t->user_changed = true;
	return SLS_EXIT_OK;
}

static int drop_pending(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct sls_user *user = t->user;
	struct sls_device *d = ours(user, arg);
	size_t i;

	(void)cli;
	if (d == NULL)
		return SLS_EXIT_OK;
	i = (size_t)(d - user->devices);
	memmove(d, d + 1, (user->ndevices - i - 1) * sizeof(*d));
	sls_wipe(&user->devices[--user->ndevices], sizeof(*d));
	t->user_changed = true;
	return SLS_EXIT_OK;
}

/* ---- showing the device to the authenticator, and its first answer ------------------ */

/* ---- the verb ---------------------------------------------------------------------- */

static int prepare(struct sls_cli *cli, const struct enroll_opts *o, struct sls_newdev *e)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	char names[64];
	int status = describe(o, e);

	if (user == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	if (status == SLS_EXIT_OK && e->dev.type->pin == SLS_PINKIND_NONE && o->pin_fd >= 0) {
		sls_devtype_pin_names(&sls_devtypes_builtin, names, sizeof(names));
		/* TRANSLATORS: %s lists the device types that have a PIN */
		warnx(_("--pin-fd is for types with a PIN (%s)"), names);
		status = SLS_EXIT_USAGE;
	}
	if (status == SLS_EXIT_OK)
		status = sls_newdev_provision(cli, e);
	/* the phone number the PIN may not be part of */
	if (status == SLS_EXIT_OK && e->dev.type->pin != SLS_PINKIND_NONE)
		status = sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK && e->dev.type->pin != SLS_PINKIND_NONE)
		status = sls_newdev_choose_pin(cli, o->pin_fd, false, e, user);
	sls_user_clear(user);
	free(user);
	return status;
}

/* Pending, shown, confirmed, then active; removed again if anything fails. */
static int enroll(struct sls_cli *cli, const struct enroll_opts *o, struct sls_newdev *e)
{
	int status = sls_cli_transact(cli, SLS_CLI_NEW_USER, add_pending, e);

	if (status != SLS_EXIT_OK)
		return status;
	status = sls_newdev_show(cli, o->png, o->svg, e);
	if (status == SLS_EXIT_OK && !sls_newdev_confirmed(cli, e))
		status = SLS_EXIT_CONFIRM;
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER | SLS_CLI_STATE,
					  sls_newdev_record_confirmation, e);
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER, activate, e);
	if (status != SLS_EXIT_OK)
		sls_cli_transact(cli, SLS_CLI_USER, drop_pending, e);
	return status;
}

static void parse_options(struct sls_cli *cli, int argc, char **argv, struct enroll_opts *o)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},   {"label", required_argument, NULL, 'l'},
	    {"png", required_argument, NULL, 'p'},    {"svg", required_argument, NULL, 's'},
	    {"pin-fd", required_argument, NULL, 'f'}, SLS_COMMON_OPTIONS};
	int c;

	memset(o, 0, sizeof(*o));
	o->pin_fd = -1;
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 'n')
			o->name = optarg;
		else if (c == 'l')
			o->label = optarg;
		else if (c == 'p')
			o->png = optarg;
		else if (c == 's')
			o->svg = optarg;
		else if (c == 'f')
			o->pin_fd = sls_cli_parse_fd(optarg, "--pin-fd");
	}
	if (argc - optind != 1)
		sls_cli_usage(cli);
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	struct sls_newdev *e = calloc(1, sizeof(*e));
	struct enroll_opts o;
	int status;

	if (e == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	parse_options(cli, argc, argv, &o);
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = parse_type(argv[optind], &e->dev.type);
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, e->dev.type->level, _("To add a device"));
	if (status == SLS_EXIT_OK)
		status = prepare(cli, &o, e);
	if (status == SLS_EXIT_OK)
		status = enroll(cli, &o, e);
	if (status == SLS_EXIT_OK) {
		/* TRANSLATORS: a device's name, its type ("totp"), then a user name */
		printf(_("Device %s (%s) is active for %s.\n"), e->dev.name, e->dev.type->name,
		       cli->user);
		sls_log_event(&cli->log, SLS_EV_ENROLLED, e->dev.name, "success", NULL,
			      "device enrolled and confirmed");
		sls_cli_stand_ins_revoked(cli, stdout, e->stand_ins_revoked);
	} else if (status == SLS_EXIT_CONFIRM) {
		warnx(_("not confirmed: the new device %s was removed"), e->dev.name);
	}
	sls_newdev_clear(e);
	free(e);
	return status;
}

const struct sls_verb sls_verb_enroll = {
    .name = "enroll",
    /* TRANSLATORS: keep the types and options; NAME, TEXT, FILE and N may be translated */
    .synopsis = N_("ibkey|dsc|totp [--name NAME] [--label TEXT] [--png FILE] [--svg FILE] "
		   "[--pin-fd N]"),
    .summary = N_("add a device"),
    .run = run,
};
