/*
 * sls - a new secret for a device and its first answer (newdev.h): the QR
 * code, the PIN, the confirmation that sls enroll, sls transfer and sls pin
 * share.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "newdev.h"
#include "qr_image.h"

#define CONFIRM_TRIES 3
#define PIN_TRIES     3

void sls_newdev_clear(struct sls_newdev *e)
{
	sls_free_secret_str(e->uri);
	sls_wipe(e, sizeof(*e));
}

/* Ask the new PIN once (twice on a terminal), apply the policy, hand it to the type. */
static int choose_pin_once(struct sls_cli *cli, int pin_fd, struct sls_newdev *e,
			   const struct sls_user *user)
{
	char again[SLS_PIN_INPUT_MAX];
	enum sls_pin_rule rule = SLS_PIN_OK;
	int status = SLS_EXIT_INPUT;

	if (sls_tty_read_secret(pin_fd, _("New PIN: "), e->pin, sizeof(e->pin)) != 0) {
		warn(_("cannot read the PIN"));
		return SLS_EXIT_USAGE;
	}
	if (pin_fd < 0 &&
	    (sls_tty_read_secret(-1, _("Repeat the PIN: "), again, sizeof(again)) != 0 ||
	     !sls_secure_streq(e->pin, again)))
		rule = SLS_PIN_MISMATCH;
	if (rule == SLS_PIN_OK)
		rule = sls_pin_check(e->dev.type->pin, e->pin, cli->user,
				     user->phone_verified ? user->phone : NULL);
	if (rule != SLS_PIN_OK) {
		warnx("%s", sls_pin_rule_text(rule));
		goto out;
	}
	if (e->dev.type->set_pin(&e->dev, e->pin) != SLS_OK) {
		warnx(_("cannot hash the PIN"));
		status = SLS_EXIT_USAGE;
		goto out;
	}
	status = SLS_EXIT_OK;
out:
	sls_wipe(again, sizeof(again));
	return status;
}

int sls_newdev_choose_pin(struct sls_cli *cli, int pin_fd, bool retry, struct sls_newdev *e,
			  const struct sls_user *user)
{
	int status = SLS_EXIT_INPUT;

	for (int i = 0; i < (retry && pin_fd < 0 ? PIN_TRIES : 1) && status == SLS_EXIT_INPUT; i++)
		status = choose_pin_once(cli, pin_fd, e, user);
	/* a PIN that could not be read is no better than a refused one */
	return status == SLS_EXIT_USAGE ? SLS_EXIT_INPUT : status;
}

/* The issuer in the URI: this host's short name (it reads better in an app). */
int sls_newdev_provision(struct sls_cli *cli, struct sls_newdev *e)
{
	struct sls_provision p = {.account = cli->user};
	char host[256];
	enum sls_rc rc;

	if (!sls_issuer_here(host, sizeof(host))) {
		warn(_("cannot tell this host's name for the issuer"));
		return SLS_EXIT_USAGE;
	}
	p.issuer = host;
	rc = e->dev.type->provision(&e->dev, &p, &e->uri);
	if (rc == SLS_ERR_RANDOM) {
		warnx(_("the random number generator failed"));
		return SLS_EXIT_STORE;
	}
	if (rc != SLS_OK) {
		warnx(_("cannot build the provisioning URI: %s"), sls_strerror(rc));
		return SLS_EXIT_USAGE;
	}
	return SLS_EXIT_OK;
}

/*
 * The answer that confirmed the device is used (a TOTP step, a challenge)
 * and may not log in again: recorded in a transaction of its own, before
 * the device goes active.
 */
int sls_newdev_record_confirmation(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	const struct sls_newdev *e = arg;
	struct sls_device_state *ds;

	sls_state_prune(t->state, t->user); /* room for the new device's entry */
	ds = sls_state_device(t->state, &e->dev);
	if (ds == NULL) {
		sls_cli_later(cli, _("the state file has no room for device %s"), e->dev.name);
		return SLS_EXIT_STORE;
	}
	if (e->dev.type->record != NULL &&
	    e->dev.type->record(&e->dev, t->state, ds, &e->confirm, e->confirm_step) != SLS_OK) {
		sls_cli_later(cli,
			      _("the confirming answer of %s was used meanwhile; nothing was "
				"changed: try again"),
			      e->dev.name);
		return SLS_EXIT_CONFIRM;
	}
	t->state_changed = true;
	return SLS_EXIT_OK;
}

static int image_error(const char *path, enum sls_rc rc)
{
	if (rc == SLS_ERR_EXISTS)
		warnx(_("%s: exists; not overwritten"), path);
	else if (rc == SLS_ERR_IO)
		warn("%s", path);
	else
		warnx("%s: %s", path, sls_strerror(rc));
	return SLS_EXIT_INPUT;
}

/* Image files are written as the caller. */
int sls_newdev_show(const struct sls_cli *cli, const char *png, const char *svg,
		    const struct sls_newdev *e)
{
	enum sls_rc rc;

	if (sls_qr_print(stdout, e->uri, cli->stdout_tty) != SLS_OK)
		warnx(_("cannot draw the QR code; use the URI below"));
	if (png != NULL && (rc = sls_qr_write_png(png, e->uri)) != SLS_OK)
		return image_error(png, rc);
	if (svg != NULL && (rc = sls_qr_write_svg(svg, e->uri)) != SLS_OK)
		return image_error(svg, rc);
	printf("%s\n", e->uri);
	fflush(stdout);
	return SLS_EXIT_OK;
}

bool sls_newdev_confirmed(const struct sls_cli *cli, struct sls_newdev *e)
{
	struct sls_ask ask = {
	    .ui = &cli->ui, .timeout = 0, .conf = &cli->conf, .log = &cli->log, .user = cli->user};
	struct sls_hookctx ctx = {.conf = &cli->conf, .now = time(NULL)};
	enum sls_rc rc = SLS_ERR_MISMATCH;

	for (int i = 0; i < CONFIRM_TRIES && rc == SLS_ERR_MISMATCH; i++) {
		memset(&e->confirm, 0, sizeof(e->confirm));
		if (e->dev.type->prepare != NULL &&
		    e->dev.type->prepare(&e->dev, &ctx, &e->confirm) != SLS_OK)
			return false;
		rc = e->dev.type->attempt(&e->dev, &e->confirm, &ask, &e->confirm_step);
		if (rc == SLS_ERR_MISMATCH)
			printf("%s\n", i + 1 < CONFIRM_TRIES ? _("That is not right; try again.")
							     : _("That is not right."));
	}
	return rc == SLS_OK;
}
