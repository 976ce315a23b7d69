/*
 * sls pin [NAME] [--pin-fd N] - a new PIN for an ibkey or dsc device. The
 * holder first proves the current PIN with a right response from that
 * device, counted like a login; root with --user resets a forgotten PIN
 * without one. Either way the new PIN is asked twice and is stored only
 * once a challenge has been answered with it, so that a PIN the
 * authenticator does not give (mistyped the same way twice, or meant for
 * another device) never locks the user out.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newdev.h"

/* A new PIN equal to the old one is asked again this often on a terminal. */
#define SAME_PIN_TRIES 3

struct pin_opts {
	const char *name; /* NULL: the user's only device with a PIN */
	int pin_fd;       /* -1: ask on the terminal */
};

struct pin_change {
	struct sls_device old; /* the device as read before the proof, with the old PIN hash */
	struct sls_newdev e;   /* it with the new PIN, and the answer that confirmed it */
	bool reset;            /* root with --user: no proof; the user's stand-ins are revoked */
	const struct pin_opts *opts;
};

static bool has_pin(const struct sls_device *d)
{
	return d->type->pin != SLS_PINKIND_NONE;
}

/* ---- which device ---------------------------------------------------------------- */

static int pick_named(struct sls_cli *cli, struct sls_user *user, const char *name,
		      struct sls_device *out)
{
	const struct sls_device *d;
	char types[64];

	if (!sls_name_valid(name)) {
		warnx(_("invalid device name"));
		return SLS_EXIT_INPUT;
	}
	sls_devtype_pin_names(&sls_devtypes_builtin, types, sizeof(types));
	d = sls_user_find_device(user, name);
	if (d == NULL || d->status != SLS_STATUS_ACTIVE) {
		/* TRANSLATORS: a user, a device's name, then the types with a PIN ("ibkey, dsc") */
		warnx(_("%s has no active device named %s (a PIN is changed on an active %s "
			"device)"),
		      cli->user, name, types);
		return SLS_EXIT_NOTFOUND;
	}
	if (!has_pin(d)) {
		/* TRANSLATORS: a device's name, its type, then the types with a PIN */
		warnx(_("device %s is a %s device, which has no PIN; the types with a PIN are %s"),
		      name, d->type->name, types);
		return SLS_EXIT_INPUT;
	}
	if (d->shared_from[0] != '\0') {
		/* TRANSLATORS: a device's name, then a user name (twice) */
		warnx(_("device %s is shared from %s and answers with their PIN: %s changes it "
			"with sls pin"),
		      name, d->shared_from, d->shared_from);
		return SLS_EXIT_INPUT;
	}
	memcpy(out, d, sizeof(*out)); /* padding too: the PIN hashes are compared bytewise */
	return SLS_EXIT_OK;
}

/* Without a NAME: the user's only active device with a PIN; several are a usage error. */
static int pick_only(struct sls_cli *cli, const struct sls_user *user, struct sls_device *out)
{
	char names[SLS_DEVICES_MAX * (SLS_DEVICE_NAME_MAX + 2)] = "", types[64];
	const struct sls_device *found = NULL;
	size_t n = 0, len = 0;

	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];

		/* a shared device answers with the PIN of the user it comes from */
		if (d->status != SLS_STATUS_ACTIVE || !has_pin(d) || d->shared_from[0] != '\0')
			continue;
		found = d;
		/* names has room for SLS_DEVICES_MAX of them: nothing is cut */
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", n++ ? ", " : "",
					d->name);
	}
	if (n == 1) {
		memcpy(out, found, sizeof(*out));
		return SLS_EXIT_OK;
	}
	if (n > 1) {
		/* TRANSLATORS: a user, a number, the devices' names, then one of them */
		warnx(_("%s has %zu devices with a PIN (%s): name one, as in sls pin %s"),
		      cli->user, n, names, found->name);
		return SLS_EXIT_USAGE;
	}
	sls_devtype_pin_names(&sls_devtypes_builtin, types, sizeof(types));
	warnx(_("%s has no active device with a PIN (the types with a PIN are %s)"), cli->user,
	      types);
	return SLS_EXIT_NOTFOUND;
}

/* ---- the new PIN ----------------------------------------------------------------- */

/* Whether d with its new PIN hashes the PIN as old does: the same PIN. */
static bool same_pin(const struct sls_device *d, const struct sls_device *old)
{
	return sls_secure_equal(&d->u, &old->u, sizeof(d->u));
}

/*
 * The new PIN, by the policy (asked again on a terminal), and not the old
 * one: that would change nothing, and its confirmation would prove nothing
 * new.
 */
static int choose(struct sls_cli *cli, int pin_fd, struct pin_change *pc,
		  const struct sls_user *user)
{
	int status = SLS_EXIT_INPUT;

	for (int i = 0; i < (pin_fd < 0 ? SAME_PIN_TRIES : 1); i++) {
		status = sls_newdev_choose_pin(cli, pin_fd, true, &pc->e, user);
		if (status != SLS_EXIT_OK)
			return status;
		if (!same_pin(&pc->e.dev, &pc->old))
			return SLS_EXIT_OK;
		warnx(_("the new PIN is the old one; choose another"));
		status = SLS_EXIT_INPUT;
	}
	return status;
}

/* A response made with the new PIN: one with the old PIN is wrong here. */
static int confirm(struct sls_cli *cli, struct pin_change *pc)
{
	printf(_("Now answer a challenge with the new PIN.\n"));
	fflush(stdout);
	if (sls_newdev_confirmed(cli, &pc->e))
		return SLS_EXIT_OK;
	sls_log_event(&cli->log, SLS_EV_PIN, pc->old.name, "failure", NULL,
		      "new PIN not confirmed; PIN unchanged");
	warnx(_("not confirmed: the PIN of %s is unchanged"), pc->old.name);
	return SLS_EXIT_CONFIRM;
}

/* ---- the device in the files ------------------------------------------------------ */

/*
 * The device of that name as the files say now, if it is still the one whose
 * PIN was proven (or reset) and confirmed: same identity and still the old
 * PIN hash. Otherwise another sls pin, a revoke or a new enrolment came
 * first, and the new PIN is not what its holder agreed to.
 */
static struct sls_device *still_old(struct sls_user *user, const struct sls_device *old)
{
	struct sls_device *d = sls_user_find_device(user, old->name);

	if (d == NULL || !sls_device_unchanged(d, old))
		return NULL;
	return d;
}

/*
 * The new PIN and the answer that confirmed it, in one transaction: the
 * confirming challenge may not log in again. A reset makes the device
 * usable again, so a temporary passcode that stood in for it goes.
 */
static int store_pin(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct pin_change *pc = arg;
	struct sls_device *d = still_old(t->user, &pc->old);
	int status;

	if (d == NULL) {
		/* TRANSLATORS: a device's name */
		sls_cli_later(cli, _("%s changed meanwhile; nothing was changed"), pc->old.name);
		return SLS_EXIT_CONFIRM;
	}
	if (d->type->set_pin(d, pc->e.pin) != SLS_OK) {
		sls_cli_later(cli, _("cannot hash the PIN; nothing was changed"));
		return SLS_EXIT_USAGE;
	}
	status = sls_newdev_record_confirmation(cli, t, &pc->e);
	if (status != SLS_EXIT_OK)
		return status;
	if (pc->reset)
		pc->e.stand_ins_revoked = sls_user_revoke_stand_ins(t->user, d);
	t->user_changed = true;
	return SLS_EXIT_OK;
}

/* ---- the verb ---------------------------------------------------------------------- */

/* Which device, the proof of its current PIN (not for a reset), and the new PIN. */
static int prepare(struct sls_cli *cli, struct sls_user *user, void *arg)
{
	struct pin_change *pc = arg;
	char purpose[80];
	int status = pc->opts->name ? pick_named(cli, user, pc->opts->name, &pc->old)
				    : pick_only(cli, user, &pc->old);

	if (status == SLS_EXIT_OK && !pc->reset) {
		/* TRANSLATORS: a device's name; goes before ", first answer with your ..." */
		snprintf(purpose, sizeof(purpose), _("To change the PIN of %s"), pc->old.name);
		status = sls_cli_prove_with(cli, &pc->old, purpose, false);
	}
	if (status == SLS_EXIT_OK) {
		memcpy(&pc->e.dev, &pc->old, sizeof(pc->e.dev));
		status = choose(cli, pc->opts->pin_fd, pc, user);
	}
	return status;
}

static int change(struct sls_cli *cli, struct pin_change *pc)
{
	int status = sls_cli_with_user(cli, false, prepare, pc);

	if (status == SLS_EXIT_OK)
		status = confirm(cli, pc);
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER | SLS_CLI_STATE, store_pin, pc);
	return status;
}

/* After the lock is released: said, and journaled. */
static void changed(struct sls_cli *cli, const struct pin_change *pc)
{
	const char *name = pc->old.name;

	if (pc->reset)
		sls_log_event(&cli->log, SLS_EV_PIN, name, "success", NULL, "PIN reset by root");
	else
		sls_log_event(&cli->log, SLS_EV_PIN, name, "success", NULL, "PIN changed");
	printf(_("The PIN of %s is changed.\n"), name);
	sls_cli_stand_ins_revoked(cli, stdout, pc->e.stand_ins_revoked);
}

static void parse_options(struct sls_cli *cli, int argc, char **argv, struct pin_opts *o)
{
	static const struct option longopts[] = {{"pin-fd", required_argument, NULL, 'f'},
						 SLS_COMMON_OPTIONS};
	int c;

	o->pin_fd = -1;
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1)
		if (c == 'f')
			o->pin_fd = sls_cli_parse_fd(optarg, "--pin-fd");
	if (argc - optind > 1)
		sls_cli_usage(cli);
	o->name = argc - optind == 1 ? argv[optind] : NULL;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	struct pin_change *pc = calloc(1, sizeof(*pc));
	struct pin_opts o;
	int status;

	if (pc == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	parse_options(cli, argc, argv, &o);
	status = sls_cli_start(cli);
	/* --user is root's alone (sls_cli_start refused it for anyone else) */
	pc->reset = cli->user_opt != NULL && cli->ruid == 0;
	pc->opts = &o;
	if (status == SLS_EXIT_OK)
		status = change(cli, pc);
	if (status == SLS_EXIT_OK)
		changed(cli, pc);
	sls_newdev_clear(&pc->e);
	sls_wipe(pc, sizeof(*pc));
	free(pc);
	return status;
}

const struct sls_verb sls_verb_pin = {
    .name = "pin",
    /* TRANSLATORS: keep the option; NAME and N may be translated */
    .synopsis = N_("[NAME] [--pin-fd N]"),
    .summary = N_("change a device's PIN"),
    .run = run,
};
