/*
 * pam_sls - enrolment inside a login ([login] enroll_at_login): a user with
 * no device chooses a PIN, scans a QR code drawn in the prompt itself (so
 * that it shows in an ssh session), and answers a first challenge; the
 * device is then active and the login proceeds (sls_flow.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sls_attempt.h"
#include "sls_flow.h"
#include "sls_i18n.h"
#include "sls_pin.h"
#include "sls_qr.h"
#include "sls_secret.h"
#include "sls_tty.h"
#include "sls_txn.h"
#include "sls_uri.h"

#define PIN_TRIES     3
#define CONFIRM_TRIES 3
#define PROMPT_MAX    16384 /* the QR code, its URI and the words around them */

/* The device being made, and the answer that confirmed it. */
struct newdev {
	struct sls_device dev;
	char *uri;
	struct sls_attempt confirm;
	uint64_t step;
};

/* Whether today (local time) is past [login] enroll_grace_until (YYYYMMDD; 0: no end). */
static bool grace_over(unsigned grace, time_t now)
{
	struct tm tm;

	if (grace == 0)
		return false;
	if (localtime_r(&now, &tm) == NULL)
		return true;
	return (unsigned)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday) > grace;
}

/* A new PIN, asked twice without echo, by the policy; asked again on a refusal. */
static enum sls_verdict choose_pin(const struct sls_flow *f, const struct sls_user *user,
				   struct newdev *n)
{
	char pin[SLS_PIN_INPUT_MAX], again[SLS_PIN_INPUT_MAX], prompt[160];
	enum sls_verdict v = SLS_VERDICT_WRONG;
	enum sls_pin_rule rule;

	/* TRANSLATORS: %s: a device type (ibkey, dsc), then the rule, such as "4 digits" */
	snprintf(prompt, sizeof(prompt), _("Choose a PIN for your new %s (%s): "),
		 n->dev.type->name,
		 n->dev.type->pin == SLS_PINKIND_DIGITS_4 ? _("4 digits") : _("4 to 6 characters"));
	for (int i = 0; i < PIN_TRIES && v == SLS_VERDICT_WRONG; i++) {
		if (sls_ui_ask_secret(f->ui, prompt, pin, sizeof(pin)) == SLS_ERR_CONV ||
		    sls_ui_ask_secret(f->ui, _("Repeat the PIN: "), again, sizeof(again)) ==
			SLS_ERR_CONV) {
			v = SLS_VERDICT_CONV;
			break;
		}
		rule = sls_secure_streq(pin, again) ? SLS_PIN_OK : SLS_PIN_MISMATCH;
		if (rule == SLS_PIN_OK)
			rule = sls_pin_check(n->dev.type->pin, pin, f->user,
					     user->phone_verified ? user->phone : NULL);
		if (rule == SLS_PIN_OK)
			v = n->dev.type->set_pin(&n->dev, pin) == SLS_OK ? SLS_VERDICT_SUCCESS
									 : SLS_VERDICT_ERROR;
		else
			sls_ui_sayf(f->ui, SLS_SAY_ERROR, "%s", sls_pin_rule_text(rule));
	}
	sls_wipe(pin, sizeof(pin));
	sls_wipe(again, sizeof(again));
	return v;
}

/* The secret and its URI (before the PIN: the suite says how the PIN is hashed). */
static enum sls_verdict provision(const struct sls_flow *f, struct newdev *n)
{
	struct sls_provision p = {.account = f->user};
	char issuer[256];

	sls_issuer_or_localhost(issuer, sizeof(issuer));
	p.issuer = issuer;
	return n->dev.type->provision(&n->dev, &p, &n->uri) == SLS_OK ? SLS_VERDICT_SUCCESS
								      : SLS_VERDICT_ERROR;
}

/* The QR code and the URI in one prompt; Enter once scanned. */
static enum sls_verdict show(const struct sls_flow *f, struct newdev *n)
{
	char *qr = NULL, *prompt = NULL, answer[SLS_ANSWER_MAX + 1];
	enum sls_verdict v = SLS_VERDICT_ERROR;
	struct sls_diag diag = {0};
	size_t qrlen = 0;
	enum sls_rc rc;

	rc = sls_qr_render_small(n->uri, f->ui->colour, &qr, &qrlen);
	if (rc == SLS_OK) {
		prompt = malloc(PROMPT_MAX);
		rc = prompt != NULL ? SLS_OK : SLS_ERR_NOMEM;
	}
	if (rc != SLS_OK) {
		/* ENOSYS: libqrencode could not be loaded (pam_sls/module/qrencode_dl.c) */
		sls_diag_set(&diag, 0, "%s",
			     errno == ENOSYS ? "libqrencode cannot be loaded" : sls_strerror(rc));
		sls_log_event(f->log, SLS_EV_SYSTEM_ERROR, n->dev.name, "error", &diag,
			      "the QR code for the new device could not be drawn");
		goto out;
	}
	/* an ibkey is sls-authenticator's; a totp code any authenticator app's */
	/* TRANSLATORS: %1$s: sls-authenticator, or "your authenticator app"; then the QR code
	   and the URI, each on lines of their own */
	snprintf(prompt, PROMPT_MAX,
		 _("Scan this with %s (or import the line below into it):\n%s\n%s\n"
		   "Press Enter when it is scanned: "),
		 n->dev.type->pin != SLS_PINKIND_NONE ? "sls-authenticator"
						      : _("your authenticator app"),
		 qr, n->uri);
	rc = sls_ui_ask_answer(f->ui, prompt, answer, sizeof(answer));
	v = rc == SLS_ERR_CONV ? SLS_VERDICT_CONV : SLS_VERDICT_SUCCESS;
out:
	sls_free_secret(qr, qrlen + 1);
	if (prompt != NULL)
		sls_free_secret(prompt, PROMPT_MAX);
	return v;
}

/* A first right answer from the new device (not counted: it cannot log in before). */
static enum sls_verdict confirm(const struct sls_flow *f, struct newdev *n)
{
	struct sls_ask ask = {.ui = f->ui,
			      .timeout = f->conf->challenge_timeout,
			      .conf = f->conf,
			      .log = f->log,
			      .user = f->user};
	struct sls_hookctx ctx = {.conf = f->conf, .now = time(NULL)};
	enum sls_rc rc = SLS_ERR_MISMATCH;

	for (int i = 0; i < CONFIRM_TRIES && rc == SLS_ERR_MISMATCH; i++) {
		memset(&n->confirm, 0, sizeof(n->confirm));
		if (n->dev.type->prepare != NULL &&
		    n->dev.type->prepare(&n->dev, &ctx, &n->confirm) != SLS_OK)
			return SLS_VERDICT_ERROR;
		rc = n->dev.type->attempt(&n->dev, &n->confirm, &ask, &n->step);
		if (rc == SLS_ERR_MISMATCH && i + 1 < CONFIRM_TRIES)
			sls_ui_sayf(f->ui, SLS_SAY_ERROR, "That is not right; try again.");
	}
	if (rc == SLS_OK)
		return SLS_VERDICT_SUCCESS;
	return rc == SLS_ERR_CONV ? SLS_VERDICT_CONV : SLS_VERDICT_WRONG;
}

/*
 * The device into the files, active, with the answer that confirmed it used:
 * one transaction. A user who got an active device meanwhile (sls enroll, a
 * second login) keeps it, and this one is dropped (SLS_ERR_EXISTS).
 */
static enum sls_rc add(const struct sls_flow *f, struct newdev *n, struct sls_diag *diag)
{
	struct sls_device_state *ds;
	struct sls_device *d;
	struct sls_txn t;
	enum sls_rc rc = sls_txn_begin(&t, f->store, f->user, f->owner, SLS_TXN_ALL, diag);

	for (size_t i = 0; rc == SLS_OK && i < t.user->ndevices; i++)
		if (t.user->devices[i].status == SLS_STATUS_ACTIVE &&
		    !t.user->devices[i].type->stand_in)
			rc = SLS_ERR_EXISTS;
	if (rc == SLS_OK) {
		d = sls_user_place_device(t.user, n->dev.name, &n->dev.created);
		rc = d == NULL ? SLS_ERR_TOOBIG : SLS_OK;
	}
	if (rc == SLS_OK) {
		*d = n->dev;
		sls_user_revoke_stand_ins(t.user, d);
		sls_state_prune(t.state, t.user);
		ds = sls_state_device(t.state, d);
		rc = ds == NULL ? SLS_ERR_TOOBIG : SLS_OK;
	}
	if (rc == SLS_OK && d->type->record != NULL)
		rc = d->type->record(d, t.state, ds, &n->confirm, n->step);
	if (rc == SLS_OK) {
		ds->last_used = time(NULL);
		t.user_changed = t.state_changed = true;
		rc = sls_txn_commit(&t);
	}
	sls_txn_end(&t);
	return rc;
}

static enum sls_verdict grace_refusal(const struct sls_flow *f)
{
	unsigned g = f->conf->enroll_grace_until;

	sls_log_event(f->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "no device, and enrolment at login ended with enroll_grace_until");
	sls_ui_sayf(f->ui, SLS_SAY_ERROR,
		    "You have no second factor device, and enrolling one at login ended on "
		    "%04u-%02u-%02u. Ask an administrator to enroll one for you (sls enroll --user "
		    "%s %s).",
		    g / 10000, g / 100 % 100, g % 100, f->user, f->conf->enroll_at_login_type);
	return SLS_VERDICT_REFUSED;
}

enum sls_verdict sls_flow_enroll(const struct sls_flow *f, const struct sls_user *user,
				 struct sls_outcome *out)
{
	struct newdev *n = calloc(1, sizeof(*n));
	enum sls_verdict v = SLS_VERDICT_ERROR;
	enum sls_rc rc;

	memset(out, 0, sizeof(*out));
	if (n == NULL)
		return out->verdict = SLS_VERDICT_ERROR;
	if (grace_over(f->conf->enroll_grace_until, time(NULL))) {
		v = grace_refusal(f);
		goto out;
	}
	n->dev.type = sls_devtype_find(sls_store_types(f->store), f->conf->enroll_at_login_type);
	if (n->dev.type == NULL || n->dev.type->provision == NULL)
		goto out;
	snprintf(n->dev.name, sizeof(n->dev.name), "%s", n->dev.type->name);
	n->dev.level = n->dev.type->level;
	n->dev.status = SLS_STATUS_ACTIVE;
	n->dev.created = time(NULL);
	sls_ui_sayf(f->ui, SLS_SAY_INFO,
		    "You have no second factor device yet: enroll one now (%s).",
		    n->dev.type->name);
	v = provision(f, n);
	if (v == SLS_VERDICT_SUCCESS && n->dev.type->pin != SLS_PINKIND_NONE)
		v = choose_pin(f, user, n);
	if (v == SLS_VERDICT_SUCCESS)
		v = show(f, n);
	if (v == SLS_VERDICT_SUCCESS)
		v = confirm(f, n);
	if (v == SLS_VERDICT_WRONG) {
		sls_log_event(f->log, SLS_EV_FAILURE, n->dev.name, "failure", NULL,
			      "enrolment at login not completed: no device added");
		sls_ui_sayf(f->ui, SLS_SAY_ERROR, "No device was enrolled; log in again to retry.");
	}
	if (v != SLS_VERDICT_SUCCESS)
		goto out;
	rc = add(f, n, &out->diag);
	if (rc == SLS_ERR_EXISTS) {
		sls_ui_sayf(f->ui, SLS_SAY_ERROR,
			    "A device was enrolled for you meanwhile; log in again with it.");
		v = SLS_VERDICT_WRONG;
	} else if (rc != SLS_OK) {
		out->rc = rc;
		sls_log_event(f->log, SLS_EV_FILE_ERROR, n->dev.name, "error", &out->diag,
			      "cannot write the device enrolled at login: denied");
		v = SLS_VERDICT_ERROR;
	} else {
		sls_log_event(f->log, SLS_EV_ENROLLED, n->dev.name, "success", NULL,
			      "device enrolled and confirmed inside the login");
		sls_ui_sayf(f->ui, SLS_SAY_INFO,
			    "Your %s is enrolled; it answers at your next logins.",
			    n->dev.type->name);
	}
out:
	sls_free_secret_str(n->uri);
	sls_wipe(n, sizeof(*n));
	free(n);
	return out->verdict = v;
}
