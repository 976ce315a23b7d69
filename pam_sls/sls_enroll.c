/* sls enroll - a new ibkey, dsc or totp device, provisioned by QR code and confirmed. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ini_util.h"
#include "qr_image.h"
#include "sls_cli.h"
#include "sls_tty.h"

#define CONFIRM_TRIES     3
#define TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define OCRA_SECRET_BYTES 32 /* 256 bits for HMAC-SHA256 */

struct enrollment {
	struct sls_device dev;
	char pin[SLS_PIN_INPUT_MAX];
	char *uri;
	uint64_t totp_step; /* the step of the code that confirmed a totp device */
};

static void enrollment_clear(struct enrollment *e)
{
	sls_free_secret_str(e->uri);
	sls_wipe(e, sizeof(*e));
}

static int parse_type(const char *s, enum sls_device_type *type)
{
	if (sls_device_type_parse(s, type) == SLS_OK &&
	    (*type == SLS_DEV_IBKEY || *type == SLS_DEV_DSC || *type == SLS_DEV_TOTP))
		return SLS_EXIT_OK;
	warnx("cannot enroll '%s': the types are ibkey, dsc and totp", s);
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

static int describe(struct sls_cli *cli, struct enrollment *e, enum sls_device_type type)
{
	const char *name = cli->opts->name ? cli->opts->name : sls_device_type_name(type);
	const char *label = cli->opts->label ? cli->opts->label : "";

	if (!plain_name(name)) {
		warnx("invalid device name: 1 to %d letters, digits, '.', '_' or '-', not "
		      "starting with '-'",
		      SLS_DEVICE_NAME_MAX);
		return SLS_EXIT_INPUT;
	}
	if (!sls_ini_text_ok(label, SLS_LABEL_MAX)) {
		warnx("invalid label: at most %d characters, no control characters or ';'",
		      SLS_LABEL_MAX);
		return SLS_EXIT_INPUT;
	}
	snprintf(e->dev.name, sizeof(e->dev.name), "%s", name);
	snprintf(e->dev.label, sizeof(e->dev.label), "%s", label);
	e->dev.type = type;
	e->dev.level = sls_device_type_level(type);
	e->dev.status = SLS_STATUS_PENDING;
	e->dev.created = time(NULL);
	return SLS_EXIT_OK;
}

/* Ask the new PIN (twice on a terminal), apply the policy, keep its hash. */
static int choose_pin(struct sls_cli *cli, struct enrollment *e, const struct sls_user *user)
{
	char again[SLS_PIN_INPUT_MAX];
	int fd = cli->opts->pin_fd;
	enum sls_pin_rule rule = SLS_PIN_OK;
	int status = SLS_EXIT_INPUT;

	if (sls_tty_read_secret(fd, "New PIN: ", e->pin, sizeof(e->pin)) != 0) {
		warn("cannot read the PIN");
		return SLS_EXIT_INPUT;
	}
	if (fd < 0 && (sls_tty_read_secret(-1, "Repeat the PIN: ", again, sizeof(again)) != 0 ||
		       !sls_secure_streq(e->pin, again)))
		rule = SLS_PIN_MISMATCH;
	if (rule == SLS_PIN_OK)
		rule = sls_pin_check(e->dev.type, e->pin, cli->user,
				     user->phone_verified ? user->phone : NULL);
	if (rule != SLS_PIN_OK) {
		warnx("%s", sls_pin_rule_text(rule));
		goto out;
	}
	if (sls_ocra_pin_hash(&e->dev.suite, e->pin, e->dev.pin_hash, &e->dev.pin_hash_len) !=
	    SLS_OK) {
		warnx("cannot hash the PIN");
		goto out;
	}
	status = SLS_EXIT_OK;
out:
	sls_wipe(again, sizeof(again));
	return status;
}

static int make_secret(struct enrollment *e)
{
	bool totp = e->dev.type == SLS_DEV_TOTP;

	e->dev.secret_len = totp ? TOTP_SECRET_BYTES : OCRA_SECRET_BYTES;
	if (sls_random_bytes(e->dev.secret, e->dev.secret_len) != SLS_OK) {
		warnx("the random number generator failed");
		return SLS_EXIT_STORE;
	}
	if (totp) {
		e->dev.totp_hash = SLS_HASH_SHA1;
		e->dev.totp_digits = 6;
		e->dev.totp_period = 30;
	} else if (sls_ocra_suite_parse(SLS_OCRA_DEFAULT_SUITE, &e->dev.suite, NULL) != SLS_OK) {
		return SLS_EXIT_USAGE;
	}
	return SLS_EXIT_OK;
}

/* ---- the device in the enrolment file ------------------------------------- */

/* A stale pending device, or a revoked one, gives its name up to a new enrolment. */
static int add_pending(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct enrollment *e = arg;
	struct sls_user *user = t->user;
	struct sls_device *old = sls_user_find_device(user, e->dev.name);

	if (old != NULL && old->status == SLS_STATUS_ACTIVE) {
		sls_cli_later(cli,
			      "%s already has an active device named %s; pick another with "
			      "--name",
			      cli->user, e->dev.name);
		return SLS_EXIT_EXISTS;
	}
	/* a full list gives a revoked device's place to the new one */
	for (size_t i = 0; old == NULL && user->ndevices >= SLS_DEVICES_MAX && i < user->ndevices;
	     i++)
		if (user->devices[i].status == SLS_STATUS_REVOKED)
			old = &user->devices[i];
	if (old == NULL && user->ndevices >= SLS_DEVICES_MAX) {
		sls_cli_later(cli, "%s has %d devices that are not revoked; revoke one first",
			      cli->user, SLS_DEVICES_MAX);
		return SLS_EXIT_INPUT;
	}
	if (old == NULL)
		old = &user->devices[user->ndevices++];
	/* a new identity: the state of a revoked device of this name is not its */
	else if (strcmp(old->name, e->dev.name) == 0 && e->dev.created <= old->created)
		e->dev.created = old->created + 1;
	*old = e->dev;
	t->user_changed = true;
	return SLS_EXIT_OK;
}

/* The device we added, unless someone replaced it meanwhile. */
static struct sls_device *ours(struct sls_user *user, const struct enrollment *e)
{
	struct sls_device *d = sls_user_find_device(user, e->dev.name);

	if (d == NULL || d->status != SLS_STATUS_PENDING || d->secret_len != e->dev.secret_len ||
	    !sls_secure_equal(d->secret, e->dev.secret, d->secret_len))
		return NULL;
	return d;
}

static int activate(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct enrollment *e = arg;
	struct sls_device *d = ours(t->user, e);

	if (d == NULL) {
		sls_cli_later(cli, "the pending device %s changed meanwhile; enroll again",
			      e->dev.name);
		return SLS_EXIT_CONFIRM;
	}
	d->status = SLS_STATUS_ACTIVE;
	t->user_changed = true;
	return SLS_EXIT_OK;
}

/*
 * The code that confirmed a TOTP device may not log in again: it is marked
 * used in a transaction of its own, before the device goes active.
 */
static int record_totp_step(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	const struct enrollment *e = arg;
	struct sls_device_state *ds;

	sls_state_prune(t->state, t->user); /* room for the new device's entry */
	ds = sls_state_device(t->state, &e->dev);
	if (ds == NULL) {
		sls_cli_later(cli, "the state file has no room for device %s", e->dev.name);
		return SLS_EXIT_STORE;
	}
	ds->totp_last_step = e->totp_step;
	t->state_changed = true;
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

/* ---- showing the device to the authenticator ------------------------------- */

static int issuer_name(char *buf, size_t size)
{
	if (gethostname(buf, size) != 0 || buf[0] == '\0') {
		warn("cannot tell this host's name for the issuer");
		return SLS_EXIT_USAGE;
	}
	buf[size - 1] = '\0';
	buf[strcspn(buf, ".")] = '\0'; /* the short name reads better in an app */
	return SLS_EXIT_OK;
}

static int build_uri(struct sls_cli *cli, struct enrollment *e)
{
	struct sls_otpauth o;
	enum sls_rc rc;
	int status;

	memset(&o, 0, sizeof(o));
	status = issuer_name(o.issuer, sizeof(o.issuer));
	if (status != SLS_EXIT_OK)
		return status;
	o.type = e->dev.type == SLS_DEV_TOTP ? SLS_URI_TOTP : SLS_URI_OCRA;
	snprintf(o.account, sizeof(o.account), "%s", cli->user);
	memcpy(o.secret, e->dev.secret, e->dev.secret_len);
	o.secret_len = e->dev.secret_len;
	o.algorithm = SLS_HASH_SHA1;
	o.digits = 6;
	o.period = 30;
	if (o.type == SLS_URI_OCRA) {
		o.suite = e->dev.suite;
		snprintf(o.device, sizeof(o.device), "%s", e->dev.name);
	}
	rc = sls_otpauth_build(&o, &e->uri);
	sls_otpauth_clear(&o);
	if (rc != SLS_OK) {
		warnx("cannot build the provisioning URI: %s", sls_strerror(rc));
		return SLS_EXIT_USAGE;
	}
	return SLS_EXIT_OK;
}

static int image_error(const char *path, enum sls_rc rc)
{
	if (rc == SLS_ERR_EXISTS)
		warnx("%s: exists; not overwritten", path);
	else if (rc == SLS_ERR_IO)
		warn("%s", path);
	else
		warnx("%s: %s", path, sls_strerror(rc));
	return SLS_EXIT_INPUT;
}

/* QR in the terminal, optional image files (written as the caller), then the URI. */
static int show(struct sls_cli *cli, const struct enrollment *e)
{
	const struct sls_opts *o = cli->opts;
	enum sls_rc rc;

	if (sls_qr_print(stdout, e->uri, cli->stdout_tty) != SLS_OK)
		warnx("cannot draw the QR code; use the URI below");
	if (o->png != NULL && (rc = sls_qr_write_png(o->png, e->uri)) != SLS_OK)
		return image_error(o->png, rc);
	if (o->svg != NULL && (rc = sls_qr_write_svg(o->svg, e->uri)) != SLS_OK)
		return image_error(o->svg, rc);
	printf("%s\n", e->uri);
	fflush(stdout);
	return SLS_EXIT_OK;
}

/* ---- confirmation: one right answer from the new device ----------------------- */

static bool confirmed(struct enrollment *e)
{
	bool eof = false;

	for (int i = 0; i < CONFIRM_TRIES && !eof; i++) {
		if (sls_cli_answer(&e->dev, NULL, 0, &e->totp_step, &eof))
			return true;
		if (!eof)
			printf("%s\n", i + 1 < CONFIRM_TRIES ? "That is not right; try again."
							     : "That is not right.");
	}
	return false;
}

/* ---- the verb ---------------------------------------------------------------- */

static int prepare(struct sls_cli *cli, struct enrollment *e, const char *type_name)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	enum sls_device_type type;
	int status = parse_type(type_name, &type);

	if (user == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	if (status == SLS_EXIT_OK)
		status = describe(cli, e, type);
	if (status == SLS_EXIT_OK && type == SLS_DEV_TOTP && cli->opts->pin_fd >= 0) {
		warnx("--pin-fd is for types with a PIN (ibkey, dsc)");
		status = SLS_EXIT_USAGE;
	}
	if (status == SLS_EXIT_OK)
		status = make_secret(e);
	/* the phone number the PIN may not be part of */
	if (status == SLS_EXIT_OK && type != SLS_DEV_TOTP)
		status = sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK && type != SLS_DEV_TOTP)
		status = choose_pin(cli, e, user);
	if (status == SLS_EXIT_OK)
		status = build_uri(cli, e);
	sls_user_clear(user);
	free(user);
	return status;
}

int sls_cmd_enroll(struct sls_cli *cli, int argc, char **argv)
{
	struct enrollment *e = calloc(1, sizeof(*e));
	int status;

	if (e == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	sls_opts_only(cli->opts, "enroll",
		      SLS_OPT_NAME | SLS_OPT_LABEL | SLS_OPT_PNG | SLS_OPT_SVG | SLS_OPT_PIN_FD);
	if (argc != 1) {
		warnx("usage: sls enroll ibkey|dsc|totp [--name NAME] [--label TEXT] ...");
		free(e);
		return SLS_EXIT_USAGE;
	}
	status = parse_type(argv[0], &e->dev.type);
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, sls_device_type_level(e->dev.type), "To add a device");
	if (status == SLS_EXIT_OK)
		status = prepare(cli, e, argv[0]);
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_NEW_USER, add_pending, e);
	if (status == SLS_EXIT_OK) {
		status = show(cli, e);
		if (status == SLS_EXIT_OK && !confirmed(e))
			status = SLS_EXIT_CONFIRM;
		if (status == SLS_EXIT_OK && e->dev.type == SLS_DEV_TOTP)
			status = sls_cli_transact(cli, SLS_CLI_USER | SLS_CLI_STATE,
						  record_totp_step, e);
		if (status == SLS_EXIT_OK)
			status = sls_cli_transact(cli, SLS_CLI_USER, activate, e);
		if (status != SLS_EXIT_OK)
			sls_cli_transact(cli, SLS_CLI_USER, drop_pending, e);
	}
	if (status == SLS_EXIT_OK) {
		printf("Device %s (%s) is active for %s.\n", e->dev.name,
		       sls_device_type_name(e->dev.type), cli->user);
		sls_log_event(&cli->log, SLS_EV_ENROLLED, e->dev.name, "success", NULL,
			      "device enrolled and confirmed");
	} else if (status == SLS_EXIT_CONFIRM) {
		warnx("not confirmed: the new device %s was removed", e->dev.name);
	}
	enrollment_clear(e);
	free(e);
	return status;
}
