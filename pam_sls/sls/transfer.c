/*
 * sls transfer [NAME] [--png FILE] [--svg FILE] - a device moves to a new
 * authenticator (a new phone, a reinstalled machine): a new secret, shown
 * as a QR code and confirmed by a first answer, replaces the old one, which
 * stops working. The device keeps its name, label, level and PIN. A user
 * proves it first with another device at least as strong, or with an SMS
 * code to their verified phone, or with a temporary passcode an
 * administrator gave them.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "newdev.h"
#include "sls_tempcode.h"

struct transfer {
	const char *name; /* NAME, or NULL */
	const char *png, *svg;
	struct sls_device old; /* the device as it was read (its secret too) */
	struct sls_newdev e;   /* the same device with a new secret */
};

/* The device to move: NAME, or the user's only active device that sls enroll could make. */
static int pick(struct sls_cli *cli, struct sls_user *user, struct transfer *x)
{
	struct sls_device *d = NULL;
	size_t n = 0;

	for (size_t i = 0; x->name == NULL && i < user->ndevices; i++)
		if (user->devices[i].status == SLS_STATUS_ACTIVE &&
		    user->devices[i].type->provision != NULL &&
		    user->devices[i].shared_from[0] == '\0' && n++ == 0)
			d = &user->devices[i];
	if (x->name == NULL && n == 0) {
		warnx(_("%s has no active ibkey, dsc or totp device to transfer"), cli->user);
		return SLS_EXIT_NOTFOUND;
	}
	if (x->name == NULL && n > 1) {
		warnx(_("several devices can be transferred: name one (sls devices lists them)"));
		return SLS_EXIT_USAGE;
	}
	if (x->name != NULL)
		d = sls_user_find_device(user, x->name);
	if (d == NULL || d->status != SLS_STATUS_ACTIVE) {
		warnx(_("%s has no active device named %s"), cli->user, x->name);
		return SLS_EXIT_NOTFOUND;
	}
	if (d->type->provision == NULL) {
		/* TRANSLATORS: a device type ("card", "sms") */
		warnx(_("a %s device has no authenticator to transfer (a card is printed anew "
			"with sls card print, a phone changed with sls phone set)"),
		      d->type->name);
		return SLS_EXIT_INPUT;
	}
	if (d->shared_from[0] != '\0') {
		/* TRANSLATORS: a device's name, then a user name (twice) */
		warnx(_("%s is shared from %s: only %s can transfer it (then share it again)"),
		      d->name, d->shared_from, d->shared_from);
		return SLS_EXIT_INPUT;
	}
	if (d->expires != 0 && time(NULL) >= d->expires) {
		/* TRANSLATORS: a device's name */
		warnx(_("%s has expired; ask an administrator for a new device"), d->name);
		return SLS_EXIT_REFUSED;
	}
	memcpy(&x->old, d, sizeof(x->old)); /* every byte: replace compares them all */
	return SLS_EXIT_OK;
}

/* The strongest usable device other than d, of d's level or above, or NULL. */
static const struct sls_device *other_device(const struct sls_user *user,
					     const struct sls_device *d, time_t now)
{
	const struct sls_device *best = NULL;

	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *o = &user->devices[i];

		if (strcmp(o->name, d->name) != 0 && !o->type->stand_in &&
		    sls_devtype_askable(o->type) && sls_device_usable(user, o, now) &&
		    o->level >= d->level && (best == NULL || o->level > best->level))
			best = o;
	}
	return best;
}

/* The user's usable sms device, or their verified phone as one; NULL for neither. */
static const struct sls_device *sms_proof(const struct sls_user *user, time_t now,
					  struct sls_device *phone)
{
	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *o = &user->devices[i];

		if (o->type == &sls_devtype_sms && sls_device_usable(user, o, now))
			return o;
	}
	return sls_device_phone(user, phone) ? phone : NULL;
}

/* Root needs no proof; a user answers with what they still have. */
static int prove(struct sls_cli *cli, const struct sls_user *user, const struct transfer *x)
{
	struct sls_device phone;
	const struct sls_device *by;
	char purpose[96];
	time_t now = time(NULL);

	if (cli->ruid == 0)
		return SLS_EXIT_OK;
	by = other_device(user, &x->old, now);
	if (by == NULL)
		by = sms_proof(user, now, &phone);
	if (by == NULL)
		by = sls_tempcode_find(user, now, true);
	if (by == NULL) {
		/* TRANSLATORS: a device's name, its level, then a user name */
		warnx(_("to transfer %s you need another device of level %d or higher, or a "
			"verified phone for an SMS code; you have neither: ask an administrator "
			"for a temporary passcode (sls tempcode %s)"),
		      x->old.name, x->old.level, cli->user);
		return SLS_EXIT_REFUSED;
	}
	/* TRANSLATORS: a device's name; goes before ", first answer with your ..." */
	snprintf(purpose, sizeof(purpose), _("To transfer %s to a new authenticator"), x->old.name);
	return sls_cli_prove_with(cli, by, purpose, false);
}

/*
 * The device is still the one read (no one changed or revoked it
 * meanwhile): now its new self, and the answer that confirmed it is used.
 */
static int replace(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct transfer *x = arg;
	struct sls_device *d = sls_user_find_device(t->user, x->old.name);

	if (d == NULL || !sls_device_unchanged(d, &x->old)) {
		/* TRANSLATORS: a device's name */
		sls_cli_later(cli, _("%s changed meanwhile; nothing was transferred"), x->old.name);
		return SLS_EXIT_CONFIRM;
	}
	*d = x->e.dev;
	x->e.stand_ins_revoked = sls_user_revoke_stand_ins(t->user, d);
	t->user_changed = true;
	return sls_newdev_record_confirmation(cli, t, &x->e);
}

/* A new secret for the same device (name, label, level, expiry and PIN stay). */
static int move(struct sls_cli *cli, struct transfer *x)
{
	time_t now = time(NULL);
	int status;

	memcpy(&x->e.dev, &x->old, sizeof(x->e.dev));
	/* a new identity: the old secret's used challenges and steps are not the new one's */
	x->e.dev.created = now > x->old.created ? now : x->old.created + 1;
	/* and a new created ends its shares: the users it was shared with share it anew */
	memset(x->e.dev.shared_with, 0, sizeof(x->e.dev.shared_with));
	status = sls_newdev_provision(cli, &x->e);
	if (status == SLS_EXIT_OK)
		status = sls_newdev_show(cli, x->png, x->svg, &x->e);
	if (status == SLS_EXIT_OK && !sls_newdev_confirmed(cli, &x->e)) {
		warnx(_("not confirmed: %s still answers from the old authenticator"), x->old.name);
		status = SLS_EXIT_CONFIRM;
	}
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_USER | SLS_CLI_STATE, replace, x);
	if (status != SLS_EXIT_OK)
		return status;
	sls_log_event(&cli->log, SLS_EV_TRANSFER, x->old.name, "success", NULL,
		      "device transferred to a new authenticator: the old secret is revoked");
	/* TRANSLATORS: a device's name, then its type ("totp") */
	printf(_("Device %s (%s) now answers from the new authenticator; the old one no longer "
		 "works.\n"),
	       x->old.name, x->old.type->name);
	sls_cli_stand_ins_revoked(cli, stdout, x->e.stand_ins_revoked);
	return SLS_EXIT_OK;
}

/* Which device, and the proof, from the files as read before any lock. */
static int pick_and_prove(struct sls_cli *cli, struct sls_user *user, void *arg)
{
	struct transfer *x = arg;
	int status = pick(cli, user, x);

	return status == SLS_EXIT_OK ? prove(cli, user, x) : status;
}

static int transfer(struct sls_cli *cli, struct transfer *x)
{
	int status = sls_cli_with_user(cli, false, pick_and_prove, x);

	return status == SLS_EXIT_OK ? move(cli, x) : status;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"png", required_argument, NULL, 'p'},
						 {"svg", required_argument, NULL, 's'},
						 SLS_COMMON_OPTIONS};
	struct transfer *x = calloc(1, sizeof(*x));
	int c, status;

	if (x == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 'p')
			x->png = optarg;
		else if (c == 's')
			x->svg = optarg;
	}
	if (argc - optind > 1)
		sls_cli_usage(cli);
	x->name = argc - optind == 1 ? argv[optind] : NULL;
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = transfer(cli, x);
	sls_newdev_clear(&x->e);
	sls_wipe(x, sizeof(*x));
	free(x);
	return status;
}

const struct sls_verb sls_verb_transfer = {
    .name = "transfer",
    /* TRANSLATORS: keep the options; NAME and FILE may be translated */
    .synopsis = N_("[NAME] [--png FILE] [--svg FILE]"),
    .summary = N_("move a device to a new authenticator"),
    .run = run,
};
