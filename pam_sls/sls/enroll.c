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
#include "qr_image.h"
#include "sls_tty.h"

#define CONFIRM_TRIES 3

struct enroll_opts {
	const char *name, *label, *png, *svg;
	int pin_fd; /* -1: ask on the terminal */
};

struct enrollment {
	struct sls_device dev;
	char pin[SLS_PIN_INPUT_MAX];
	char *uri;
	struct sls_attempt confirm; /* the answer that confirmed the device */
	uint64_t confirm_step;
};

static void enrollment_clear(struct enrollment *e)
{
	sls_free_secret_str(e->uri);
	sls_wipe(e, sizeof(*e));
}

/* The types sls enroll makes: those with a provision hook. */
static int parse_type(const char *s, const struct sls_devtype **type)
{
	char names[128];

	*type = sls_devtype_find(&sls_devtypes_builtin, s);
	if (*type != NULL && (*type)->provision != NULL)
		return SLS_EXIT_OK;
	sls_devtype_enrollable_names(&sls_devtypes_builtin, names, sizeof(names));
	warnx("cannot enroll '%s': the types are %s", s, names);
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

static int describe(const struct enroll_opts *o, struct enrollment *e)
{
	const char *name = o->name ? o->name : e->dev.type->name;
	const char *label = o->label ? o->label : "";

	if (!plain_name(name)) {
		warnx("invalid device name: 1 to %d letters, digits, '.', '_' or '-', not "
		      "starting with '-'",
		      SLS_DEVICE_NAME_MAX);
		return SLS_EXIT_INPUT;
	}
	if (!sls_text_ok(label, SLS_LABEL_MAX)) {
		warnx("invalid label: at most %d characters, no control characters or ';'",
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

/* Ask the new PIN (twice on a terminal), apply the policy, hand it to the type. */
static int choose_pin(struct sls_cli *cli, const struct enroll_opts *o, struct enrollment *e,
		      const struct sls_user *user)
{
	char again[SLS_PIN_INPUT_MAX];
	enum sls_pin_rule rule = SLS_PIN_OK;
	int status = SLS_EXIT_INPUT;

	if (sls_tty_read_secret(o->pin_fd, "New PIN: ", e->pin, sizeof(e->pin)) != 0) {
		warn("cannot read the PIN");
		return SLS_EXIT_INPUT;
	}
	if (o->pin_fd < 0 &&
	    (sls_tty_read_secret(-1, "Repeat the PIN: ", again, sizeof(again)) != 0 ||
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
		warnx("cannot hash the PIN");
		goto out;
	}
	status = SLS_EXIT_OK;
out:
	sls_wipe(again, sizeof(again));
	return status;
}

/* The issuer in the URI: this host's short name (it reads better in an app). */
static int provision(struct sls_cli *cli, struct enrollment *e)
{
	struct sls_provision p = {.account = cli->user};
	char host[256];
	enum sls_rc rc;

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0') {
		warn("cannot tell this host's name for the issuer");
		return SLS_EXIT_USAGE;
	}
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	p.issuer = host;
	rc = e->dev.type->provision(&e->dev, &p, &e->uri);
	if (rc == SLS_ERR_RANDOM) {
		warnx("the random number generator failed");
		return SLS_EXIT_STORE;
	}
	if (rc != SLS_OK) {
		warnx("cannot build the provisioning URI: %s", sls_strerror(rc));
		return SLS_EXIT_USAGE;
	}
	return SLS_EXIT_OK;
}

/* ---- the device in the files ------------------------------------------------------ */

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

/*
 * The answer that confirmed the device is used (a TOTP step, a challenge)
 * and may not log in again: recorded in a transaction of its own, before
 * the device goes active.
 */
static int record_confirmation(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	const struct enrollment *e = arg;
	struct sls_device_state *ds;

	sls_state_prune(t->state, t->user); /* room for the new device's entry */
	ds = sls_state_device(t->state, &e->dev);
	if (ds == NULL) {
		sls_cli_later(cli, "the state file has no room for device %s", e->dev.name);
		return SLS_EXIT_STORE;
	}
	if (e->dev.type->record != NULL &&
	    e->dev.type->record(&e->dev, t->state, ds, &e->confirm, e->confirm_step) != SLS_OK) {
		sls_cli_later(cli, "the confirming answer of %s was used meanwhile; enroll again",
			      e->dev.name);
		return SLS_EXIT_CONFIRM;
	}
	t->state_changed = true;
	return SLS_EXIT_OK;
}

/* ---- showing the device to the authenticator, and its first answer ------------------ */

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
static int show(const struct sls_cli *cli, const struct enroll_opts *o, const struct enrollment *e)
{
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

/*
 * One right answer from the new device, asked by its type (no time limit:
 * the user has a QR code to scan first). Not counted: the secret was just
 * shown, and the device cannot log in before this.
 */
static bool confirmed(const struct sls_cli *cli, struct enrollment *e)
{
	struct sls_ask ask = {.ui = &cli->ui, .timeout = 0, .conf = &cli->conf, .log = &cli->log};
	struct sls_hookctx ctx = {.conf = &cli->conf, .now = time(NULL)};
	enum sls_rc rc = SLS_ERR_MISMATCH;

	for (int i = 0; i < CONFIRM_TRIES && rc == SLS_ERR_MISMATCH; i++) {
		memset(&e->confirm, 0, sizeof(e->confirm));
		if (e->dev.type->prepare != NULL &&
		    e->dev.type->prepare(&e->dev, &ctx, &e->confirm) != SLS_OK)
			return false;
		rc = e->dev.type->attempt(&e->dev, &e->confirm, &ask, &e->confirm_step);
		if (rc == SLS_ERR_MISMATCH)
			printf("%s\n", i + 1 < CONFIRM_TRIES ? "That is not right; try again."
							     : "That is not right.");
	}
	return rc == SLS_OK;
}

/* ---- the verb ---------------------------------------------------------------------- */

static int prepare(struct sls_cli *cli, const struct enroll_opts *o, struct enrollment *e)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	char names[64];
	int status = describe(o, e);

	if (user == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	if (status == SLS_EXIT_OK && e->dev.type->pin == SLS_PINKIND_NONE && o->pin_fd >= 0) {
		sls_devtype_pin_names(&sls_devtypes_builtin, names, sizeof(names));
		warnx("--pin-fd is for types with a PIN (%s)", names);
		status = SLS_EXIT_USAGE;
	}
	if (status == SLS_EXIT_OK)
		status = provision(cli, e);
	/* the phone number the PIN may not be part of */
	if (status == SLS_EXIT_OK && e->dev.type->pin != SLS_PINKIND_NONE)
		status = sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK && e->dev.type->pin != SLS_PINKIND_NONE)
		status = choose_pin(cli, o, e, user);
	sls_user_clear(user);
	free(user);
	return status;
}

/* Pending, shown, confirmed, then active; removed again if anything fails. */
static int enroll(struct sls_cli *cli, const struct enroll_opts *o, struct enrollment *e)
{
	int status = sls_cli_transact(cli, SLS_CLI_NEW_USER, add_pending, e);

	if (status != SLS_EXIT_OK)
		return status;
	status = show(cli, o, e);
	if (status == SLS_EXIT_OK && !confirmed(cli, e))
		status = SLS_EXIT_CONFIRM;
	if (status == SLS_EXIT_OK)
		status =
		    sls_cli_transact(cli, SLS_CLI_USER | SLS_CLI_STATE, record_confirmation, e);
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
	struct enrollment *e = calloc(1, sizeof(*e));
	struct enroll_opts o;
	int status;

	if (e == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	parse_options(cli, argc, argv, &o);
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = parse_type(argv[optind], &e->dev.type);
	if (status == SLS_EXIT_OK)
		status = sls_cli_prove(cli, e->dev.type->level, "To add a device");
	if (status == SLS_EXIT_OK)
		status = prepare(cli, &o, e);
	if (status == SLS_EXIT_OK)
		status = enroll(cli, &o, e);
	if (status == SLS_EXIT_OK) {
		printf("Device %s (%s) is active for %s.\n", e->dev.name, e->dev.type->name,
		       cli->user);
		sls_log_event(&cli->log, SLS_EV_ENROLLED, e->dev.name, "success", NULL,
			      "device enrolled and confirmed");
	} else if (status == SLS_EXIT_CONFIRM) {
		warnx("not confirmed: the new device %s was removed", e->dev.name);
	}
	enrollment_clear(e);
	free(e);
	return status;
}

const struct sls_verb sls_verb_enroll = {
    .name = "enroll",
    .synopsis = "ibkey|dsc|totp [--name NAME] [--label TEXT] [--png FILE] [--svg FILE] "
		"[--pin-fd N]",
    .summary = "add a device",
    .run = run,
};
