/* pam_sls - the login flow every host runs (sls_flow.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sls_attempt.h"
#include "sls_flow.h"
#include "sls_i18n.h"
#include "sls_secret.h"
#include "sls_share.h"

#define MENU_TRIES 3
#define MENU_MAX   2048 /* under PAM_MAX_MSG_SIZE (512 * 16 devices would not be) */

/* The devices this login may use, and why there may be none. */
struct usable {
	const struct sls_user *user;
	const struct sls_state *state; /* what spent asks about (scratch codes used) */
	size_t index[SLS_DEVICES_MAX]; /* into user->devices */
	size_t n;
	int best_level;    /* the highest level among askable, unexpired active devices */
	size_t nexpired;   /* active devices past their expires */
	size_t nunusable;  /* active devices that cannot answer now (sms: no verified phone) */
	size_t nunaskable; /* active devices of a type with no prompt yet */
};

static void debugf(const struct sls_flow *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void debugf(const struct sls_flow *f, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (f->debug == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	f->debug(f->debug_arg, line);
}

void sls_flow_say_locked(const struct sls_ui *ui, time_t until)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm, today;

	/* TRANSLATORS: "try again after later": when the lock ends could not be told */
	snprintf(when, sizeof(when), "%s", _("later"));
	if (localtime_r(&until, &tm) != NULL && localtime_r(&now, &today) != NULL)
		strftime(when, sizeof(when),
			 tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday
			     ? "%H:%M"
			     : "%Y-%m-%d %H:%M",
			 &tm);
	sls_ui_sayf(ui, SLS_SAY_ERROR,
		    "Too many failed attempts; try again after %s or ask an administrator.", when);
}

static void store_enter(const struct sls_flow *f);
static void store_leave(const struct sls_flow *f);

/*
 * Whether d, shared from another user, still answers as that user's device
 * (sls_share.h); an enrolment of theirs that cannot be read is logged.
 */
static bool shared_answers(const struct sls_flow *f, const struct sls_user *u,
			   const struct sls_device *d, time_t now)
{
	struct sls_device live;
	struct sls_diag diag = {0};
	enum sls_rc rc;

	store_enter(f);
	rc = sls_share_resolve(f->store, f->owner, f->user, u, d, now, &live, &diag);
	store_leave(f);
	sls_wipe(&live, sizeof(live));
	if (rc != SLS_OK && rc != SLS_ERR_GONE) {
		sls_diag_errno(&diag, rc, errno);
		sls_log_event(f->log, SLS_EV_FILE_ERROR, d->name, "error", &diag,
			      "the enrolment a shared device comes from is unsafe, corrupt or "
			      "unreadable");
	}
	return rc == SLS_OK;
}

static bool accepted(const struct sls_flow *f, const struct sls_device *d)
{
	unsigned bit = sls_devtype_bit(sls_store_types(f->store), d->type);

	return d->level >= f->min_level && (f->type_mask == 0 || (f->type_mask & bit));
}

/* Why d is not offered at this login, or NULL when it is (the debug line says so). */
static const char *why_not(const struct sls_flow *f, const struct sls_device *d, time_t now,
			   struct usable *us)
{
	if (d->status != SLS_STATUS_ACTIVE)
		return sls_device_status_name(d->status);
	if (!sls_devtype_askable(d->type)) {
		us->nunaskable++;
		return "a type with no prompt yet";
	}
	if (d->expires != 0 && now >= d->expires) {
		us->nexpired++;
		return "expired";
	}
	if (d->shared_from[0] != '\0' && !shared_answers(f, us->user, d, now)) {
		us->nunusable++;
		return "shared, and the device it is shared from no longer answers for it";
	}
	if (!sls_device_usable(us->user, d, now)) {
		us->nunusable++;
		return "not usable now";
	}
	if (sls_devtype_spent(d, sls_state_find(us->state, d))) {
		us->nunusable++;
		return "nothing left to answer with (every code used)";
	}
	if (d->level > us->best_level)
		us->best_level = d->level;
	if (d->level < f->min_level)
		return "below min_level";
	return accepted(f, d) ? NULL : "not among devices=";
}

static void find_usable(const struct sls_flow *f, const struct sls_user *u,
			const struct sls_state *st, struct usable *us)
{
	time_t now = time(NULL);

	memset(us, 0, sizeof(*us));
	us->user = u;
	us->state = st;
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct sls_device *d = &u->devices[i];
		const char *why = why_not(f, d, now, us);

		debugf(f, "device %s (%s, level %d): %s%s", d->name, d->type->name, d->level,
		       why != NULL ? "not offered: " : "offered", why != NULL ? why : "");
		if (why == NULL)
			us->index[us->n++] = i;
	}
}

/* Active devices, none usable: a denial that says why (the host's nullok does not apply). */
static enum sls_verdict none_usable(const struct sls_flow *f, const struct usable *us)
{
	if (us->nexpired > 0) {
		sls_log_event(f->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
			      "every usable second factor device is past its expiry");
		sls_ui_sayf(f->ui, SLS_SAY_ERROR,
			    "Your second factor device has expired; ask an administrator for a "
			    "new one.");
		return SLS_VERDICT_REFUSED;
	}
	if (us->nunusable > 0)
		sls_log_event(
		    f->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		    "no active device can answer now (sms: no verified phone; scratch: every "
		    "code used)");
	else
		sls_log_event(f->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
			      "no active device is of a type the login can ask");
	sls_ui_sayf(f->ui, SLS_SAY_ERROR,
		    "None of your second factor devices can be used to log in here; ask an "
		    "administrator.");
	return SLS_VERDICT_REFUSED;
}

/* Devices exist, but none this service accepts (min_level=, devices=). */
static enum sls_verdict none_good_enough(const struct sls_flow *f, const struct usable *us)
{
	char levels[128];

	sls_log_event(f->log, SLS_EV_NO_DEVICE, NULL, "failure", NULL,
		      "no device meets the service's min_level or devices");
	sls_devtype_levels_text(sls_store_types(f->store), levels, sizeof(levels));
	if (f->min_level > us->best_level)
		sls_ui_sayf(f->ui, SLS_SAY_ERROR,
			    "This service needs a second factor device of level %d or higher "
			    "(%s); yours reach level %d.",
			    f->min_level, levels, us->best_level);
	else
		sls_ui_sayf(f->ui, SLS_SAY_ERROR,
			    "None of your second factor devices is accepted by this service.");
	return SLS_VERDICT_REFUSED;
}

/* ---- the menu ---------------------------------------------------------------- */

static size_t default_choice(const struct sls_user *u, const struct sls_state *st,
			     const struct usable *us)
{
	for (size_t i = 0; i < us->n; i++)
		if (strcmp(u->devices[us->index[i]].name, st->last_device) == 0)
			return i;
	return 0;
}

static void menu_text(const struct sls_user *u, const struct usable *us, size_t def, bool again,
		      char *buf, size_t size)
{
	size_t len =
	    (size_t)snprintf(buf, size, "%s%s", again ? _("That is not one of the numbers.\n") : "",
			     _("Select second factor device:\n"));

	for (size_t i = 0; i < us->n && len < size; i++) {
		const struct sls_device *d = &u->devices[us->index[i]];
		char label[SLS_LABEL_MAX + 1];

		snprintf(label, sizeof(label), "%s", d->name);
		if (d->type->label != NULL)
			d->type->label(d, u, label, sizeof(label));
		len += (size_t)snprintf(buf + len, size - len, " %zu) %s %s\n", i + 1,
					d->type->name, label);
	}
	if (len < size)
		/* TRANSLATORS: the menu's prompt; %zu is the default's number */
		snprintf(buf + len, size - len, _("Device [%zu]: "), def + 1);
}

/* A number of the menu, 1..n. */
static bool menu_number(const char *answer, size_t n, size_t *choice)
{
	char *end;
	unsigned long v;

	if (answer[0] < '0' || answer[0] > '9')
		return false;
	v = strtoul(answer, &end, 10);
	if (*end != '\0' || v < 1 || v > n)
		return false;
	*choice = v - 1;
	return true;
}

/*
 * The menu, in one prompt; three tries. Choosing is no attempt: nothing is
 * counted until a device's own prompt. SLS_VERDICT_SUCCESS with *choice.
 */
static enum sls_verdict menu(const struct sls_flow *f, const struct sls_user *u,
			     const struct sls_state *st, const struct usable *us, size_t *choice)
{
	char text[MENU_MAX], answer[SLS_ANSWER_MAX + 1];
	size_t def = default_choice(u, st, us);
	enum sls_rc rc;

	for (int i = 0; i < MENU_TRIES; i++) {
		menu_text(u, us, def, i > 0, text, sizeof(text));
		rc = sls_ui_ask_answer(f->ui, text, answer, sizeof(answer));
		if (rc == SLS_ERR_CONV)
			return SLS_VERDICT_CONV;
		if (rc != SLS_OK)
			return SLS_VERDICT_WRONG; /* an over-long reply */
		if (answer[0] == '\0') {
			*choice = def;
			return SLS_VERDICT_SUCCESS;
		}
		if (menu_number(answer, us->n, choice))
			return SLS_VERDICT_SUCCESS;
	}
	sls_log_event(f->log, SLS_EV_FAILURE, NULL, "failure", NULL,
		      "no device was chosen from the menu");
	sls_ui_sayf(f->ui, SLS_SAY_ERROR, "No device was chosen.");
	return SLS_VERDICT_WRONG;
}

/* ---- one counted attempt --------------------------------------------------------- */

static enum sls_verdict failed(struct sls_outcome *out, enum sls_rc rc)
{
	out->rc = rc;
	out->errnum = errno;
	return out->verdict = SLS_VERDICT_ERROR;
}

/* The store could not count the attempt or record its outcome: denied (the host says so). */
static enum sls_verdict store_error(const struct sls_flow *f, const struct sls_device *d,
				    enum sls_rc rc, struct sls_outcome *out)
{
	failed(out, rc);
	if (rc == SLS_ERR_NOMEM)
		return out->verdict;
	sls_diag_errno(&out->diag, rc, out->errnum);
	sls_log_event(f->log, rc == SLS_ERR_LOCK ? SLS_EV_SYSTEM_ERROR : SLS_EV_FILE_ERROR, d->name,
		      "error", &out->diag, "cannot write the state file: denied");
	return out->verdict;
}

static void store_enter(const struct sls_flow *f)
{
	if (f->store_enter != NULL)
		f->store_enter(f->store_arg);
}

static void store_leave(const struct sls_flow *f)
{
	int saved = errno;

	if (f->store_leave != NULL)
		f->store_leave(f->store_arg);
	errno = saved;
}

/*
 * The device cannot be asked before until (sms: a new code only every
 * min_interval): nothing was counted; the login offers the others.
 */
static enum sls_verdict too_soon(const struct sls_flow *f, const struct sls_device *d, time_t until)
{
	long wait = (long)(until - time(NULL));

	if (wait < 1)
		wait = 1;
	sls_log_event(f->log, SLS_EV_SMS_FAILED, d->name, "wait", NULL,
		      "not sent: a new code was asked for before min_interval");
	sls_ui_sayf(
	    f->ui, SLS_SAY_ERROR,
	    P_("A new code can be sent in %ld second; try again then, or use another device.",
	       "A new code can be sent in %ld seconds; try again then, or use another device.",
	       (unsigned long)wait),
	    wait);
	return SLS_VERDICT_UNAVAILABLE;
}

static enum sls_verdict begin(const struct sls_flow *f, const struct sls_device *d,
			      struct sls_attempt *a, struct sls_outcome *out)
{
	time_t until = 0;
	enum sls_rc rc;

	store_enter(f);
	rc = sls_attempt_begin(f->store, f->user, f->owner, f->conf, d, a, &until, &out->diag);
	store_leave(f);

	switch (rc) {
	case SLS_OK:
		return SLS_VERDICT_SUCCESS;
	case SLS_ERR_LOCKED:
		sls_log_event(f->log, SLS_EV_LOCKED, d->name, "locked", NULL,
			      "refused: user is locked");
		sls_flow_say_locked(f->ui, until);
		return SLS_VERDICT_LOCKED;
	case SLS_ERR_GONE:
		sls_log_event(f->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "device revoked, replaced or expired before its prompt");
		return SLS_VERDICT_WRONG;
	case SLS_ERR_WAIT:
		return too_soon(f, d, until);
	default:
		return store_error(f, d, rc, out);
	}
}

/* Not a right answer: the failure written before the prompt is the record. */
static enum sls_verdict not_right(const struct sls_flow *f, const struct sls_device *d,
				  const struct sls_attempt *a, enum sls_rc rc, bool late,
				  struct sls_outcome *out)
{
	if (a->lock_set != 0) {
		sls_log_event(f->log, SLS_EV_LOCKOUT, d->name, "locked", NULL,
			      "too many failures: user locked");
		sls_flow_say_locked(f->ui, a->lock_set);
		return SLS_VERDICT_LOCKED;
	}
	if (rc == SLS_ERR_CONV) {
		sls_log_event(f->log, SLS_EV_FAILURE, d->name, "error", NULL,
			      "conversation failed or gave no answer: counted as a failure");
		return SLS_VERDICT_CONV;
	}
	if (rc != SLS_ERR_MISMATCH) {
		failed(out, rc);
		sls_diag_errno(&out->diag, rc, out->errnum);
		sls_log_event(f->log, SLS_EV_FAILURE, d->name, "error", &out->diag,
			      "the attempt failed: counted as a failure");
		return out->verdict;
	}
	if (late)
		sls_log_event(f->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "answer after challenge_timeout: the response had expired");
	else
		sls_log_event(f->log, SLS_EV_FAILURE, d->name, "failure", NULL, "wrong answer");
	return SLS_VERDICT_WRONG;
}

static enum sls_verdict succeed(const struct sls_flow *f, const struct sls_device *d,
				const struct sls_attempt *a, uint64_t step, struct sls_outcome *out)
{
	time_t until = 0;
	enum sls_rc rc;

	store_enter(f);
	rc = sls_attempt_succeed(f->store, f->user, f->owner, d, a, step, &until, &out->diag);
	store_leave(f);

	switch (rc) {
	case SLS_OK:
		sls_log_event(f->log, SLS_EV_SUCCESS, d->name, "success", NULL,
			      "second factor accepted");
		return SLS_VERDICT_SUCCESS;
	case SLS_ERR_MISMATCH: /* a code of a step that was used meanwhile */
		return not_right(f, d, a, rc, false, out);
	case SLS_ERR_LOCKED:
		sls_log_event(f->log, SLS_EV_LOCKED, d->name, "locked", NULL,
			      "refused: user locked while the prompt was open");
		sls_flow_say_locked(f->ui, until);
		return SLS_VERDICT_LOCKED;
	case SLS_ERR_GONE:
		sls_log_event(f->log, SLS_EV_FAILURE, d->name, "failure", NULL,
			      "device revoked or replaced while its prompt was open");
		return SLS_VERDICT_WRONG;
	default:
		return store_error(f, d, rc, out);
	}
}

/* ask->renew: a new code in a transaction of its own (the flow's store, its privileges). */
static enum sls_rc renew(const struct sls_ask *ask, const struct sls_device *d,
			 struct sls_attempt *a)
{
	const struct sls_flow *f = ask->host;
	struct sls_diag diag = {0};
	enum sls_rc rc;

	store_enter(f);
	rc = sls_attempt_renew(f->store, f->user, f->owner, f->conf, d, a, &diag);
	store_leave(f);
	return rc;
}

static void sender_enter(const struct sls_ask *ask)
{
	store_enter(ask->host);
}

static void sender_leave(const struct sls_ask *ask)
{
	store_leave(ask->host);
}

/*
 * The code could not be sent: not the user's failure. The provisional
 * failure is taken back (if that write fails it stays) and the user told.
 */
static enum sls_verdict unavailable(const struct sls_flow *f, const struct sls_attempt *a)
{
	struct sls_diag diag = {0};

	store_enter(f);
	(void)sls_attempt_refund(f->store, f->user, f->owner, a, &diag);
	store_leave(f);
	sls_ui_sayf(f->ui, SLS_SAY_ERROR,
		    "The SMS could not be sent; try another device or ask an administrator.");
	return SLS_VERDICT_UNAVAILABLE;
}

/*
 * One counted attempt of d, which answers as it is (resolved when shared).
 * A shared device's challenge QR code names the account it is shared from:
 * the soft key that answers holds that user's device.
 */
static enum sls_verdict attempt_once(const struct sls_flow *f, const struct sls_device *d,
				     struct sls_outcome *out)
{
	struct sls_ask ask = {.ui = f->ui,
			      .timeout = f->conf->challenge_timeout,
			      .conf = f->conf,
			      .log = f->log,
			      .user = d->shared_from[0] != '\0' ? d->shared_from : f->user,
			      .renew = renew,
			      .sender_enter = sender_enter,
			      .sender_leave = sender_leave,
			      .host = f,
			      .card_print = f->card_print};
	struct sls_attempt a;
	uint64_t step = 0;
	bool late = false;
	enum sls_rc rc;

	ask.late = &late;
	memset(out, 0, sizeof(*out));
	/* count before check: no prompt unless the attempt is recorded first */
	out->verdict = begin(f, d, &a, out);
	if (out->verdict != SLS_VERDICT_SUCCESS)
		return out->verdict;
	sls_log_event(f->log, SLS_EV_DEVICE_OFFERED, d->name, "offered", NULL,
		      "device prompt shown");
	a.card_print = f->card_print; /* the type's record hook checks it again under the lock */
	rc = d->type->attempt(d, &a, &ask, &step);
	debugf(f, "device %s answered: %s", d->name,
	       rc == SLS_OK           ? "right"
	       : rc == SLS_ERR_SENDER ? "its code was not sent"
				      : "not right");
	if (rc == SLS_ERR_SENDER)
		out->verdict = unavailable(f, &a);
	else
		out->verdict = rc == SLS_OK ? succeed(f, d, &a, step, out)
					    : not_right(f, d, &a, rc, late, out);
	sls_wipe(&a, sizeof(a));
	return out->verdict;
}

/*
 * d, shared from another user, as it answers now (sls_share.h):
 * SLS_VERDICT_SUCCESS with *live; else nothing is counted, and the user is
 * told (the device it is shared from is gone) or the error logged.
 */
static enum sls_verdict resolve_shared(const struct sls_flow *f, const struct sls_device *d,
				       struct sls_device *live, struct sls_outcome *out)
{
	enum sls_rc rc;

	store_enter(f);
	rc = sls_share_resolve_named(f->store, f->owner, f->user, d, time(NULL), live, &out->diag);
	store_leave(f);
	if (rc == SLS_OK)
		return out->verdict = SLS_VERDICT_SUCCESS;
	if (rc != SLS_ERR_GONE) {
		failed(out, rc);
		sls_diag_errno(&out->diag, rc, out->errnum);
		sls_log_event(f->log, SLS_EV_FILE_ERROR, d->name, "error", &out->diag,
			      "cannot read the enrolment a shared device comes from: denied");
		return out->verdict;
	}
	sls_log_event(f->log, SLS_EV_FAILURE, d->name, "failure", NULL,
		      "shared device no longer answers: the device it is shared from was "
		      "revoked, replaced or expired, or the identities differ");
	sls_ui_sayf(f->ui, SLS_SAY_ERROR,
		    "Device %s is shared from %s, whose device no longer answers for it; ask %s "
		    "to share it again, or an administrator.",
		    d->name, d->shared_from, d->shared_from);
	return out->verdict = SLS_VERDICT_REFUSED;
}

enum sls_verdict sls_flow_attempt(const struct sls_flow *f, const struct sls_device *d,
				  struct sls_outcome *out)
{
	struct sls_device live;

	if (d->shared_from[0] == '\0')
		return attempt_once(f, d, out);
	memset(out, 0, sizeof(*out));
	if (resolve_shared(f, d, &live, out) == SLS_VERDICT_SUCCESS)
		attempt_once(f, &live, out);
	sls_wipe(&live, sizeof(live));
	return out->verdict;
}

enum sls_verdict sls_flow_login(const struct sls_flow *f, const struct sls_user *user,
				const struct sls_state *state, struct sls_outcome *out)
{
	struct usable us;
	size_t choice = 0;

	memset(out, 0, sizeof(*out));
	if (state->locked_until > time(NULL)) {
		sls_log_event(f->log, SLS_EV_LOCKED, NULL, "locked", NULL,
			      "refused: user is locked");
		sls_flow_say_locked(f->ui, state->locked_until);
		return out->verdict = SLS_VERDICT_LOCKED;
	}
	find_usable(f, user, state, &us);
	debugf(f, "%zu usable device(s) of %zu; best level %d, min_level %d", us.n, user->ndevices,
	       us.best_level, f->min_level);
	if (us.best_level == 0 && us.nexpired + us.nunaskable + us.nunusable == 0)
		return out->verdict = SLS_VERDICT_NO_DEVICE;
	if (us.best_level == 0)
		return out->verdict = none_usable(f, &us);
	if (us.n == 0)
		return out->verdict = none_good_enough(f, &us);
	for (;;) {
		if (us.n > 1 &&
		    (out->verdict = menu(f, user, state, &us, &choice)) != SLS_VERDICT_SUCCESS)
			return out->verdict;
		if (sls_flow_attempt(f, &user->devices[us.index[choice]], out) !=
			SLS_VERDICT_UNAVAILABLE ||
		    us.n == 1)
			return out->verdict;
		/* its code could not be sent: the others are offered */
		memmove(&us.index[choice], &us.index[choice + 1],
			(us.n - choice - 1) * sizeof(us.index[0]));
		us.n--;
		choice = 0;
	}
}
