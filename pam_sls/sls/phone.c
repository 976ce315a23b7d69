/*
 * sls phone [set NUMBER [--country CC] | verify CODE] - the user's mobile
 * number: shown masked, set (a confirm code is sent to it), verified. A
 * user with no active device then logs in by SMS.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define SMS_DEVICE_NAME "sms"

/* ---- sls phone -------------------------------------------------------------------- */

static int show(struct sls_cli *cli, const struct sls_user *user, const struct sls_state *state,
		void *arg)
{
	char masked[32], when[32];

	(void)cli;
	(void)arg;
	sls_phone_mask(user->phone, masked, sizeof(masked));
	if (user->phone[0] == '\0')
		printf(_("Phone: none (sls phone set NUMBER)\n"));
	else if (user->phone_verified)
		/* TRANSLATORS: a phone number, masked ("******4567") */
		printf(_("Phone: %s (verified)\n"), masked);
	else
		/* TRANSLATORS: a phone number, masked ("******4567") */
		printf(_("Phone: %s (not verified)\n"), masked);
	sls_phone_mask(state->phone_pending, masked, sizeof(masked));
	sls_cli_time(state->phone.sent, when, sizeof(when));
	if (state->phone_pending[0] != '\0')
		/* TRANSLATORS: a masked phone number, then a date and time */
		printf(_("Being verified: %s (code sent %s; sls phone verify CODE)\n"), masked,
		       when);
	return SLS_EXIT_OK;
}

static int show_own(struct sls_cli *cli, char **args)
{
	(void)args;
	return sls_cli_view(cli, show, NULL);
}

static int run_show(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 0, show_own);
}

/* ---- sls phone set ------------------------------------------------------------------ */

struct phone_set {
	char number[SLS_PHONE_MAX + 1];
	char code[SLS_SMS_CODE_DIGITS + 1]; /* a secret: wiped */
	uint8_t hash[SLS_CODE_HASH_LEN];    /* its hash, to withdraw only our own */
	long wait;                          /* seconds until a new code may be sent */
};

/* The number being verified, and a confirm code for it; at most one every min_interval. */
static int new_confirm(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct phone_set *p = arg;
	struct sls_pending_code *c = &t->state->phone;
	time_t now = time(NULL);

	if (t->state->locked_until > now) {
		sls_cli_later(cli, _("Too many failed attempts; ask an administrator."));
		return SLS_EXIT_REFUSED;
	}
	p->wait = c->sent + (time_t)cli->conf.sms_min_interval - now;
	if (c->sent != 0 && p->wait > 0) {
		sls_cli_later(cli,
			      /* TRANSLATORS: [sms] min_interval in seconds, then the seconds to
				 wait (which chooses the plural form) */
			      P_("a confirm code was sent less than %u seconds ago; try again in "
				 "%ld second",
				 "a confirm code was sent less than %u seconds ago; try again in "
				 "%ld seconds",
				 (unsigned long)p->wait),
			      cli->conf.sms_min_interval, p->wait);
		return SLS_EXIT_REFUSED;
	}
	if (sls_pending_new(c, p->code, sizeof(p->code), now, cli->conf.sms_validity) != SLS_OK) {
		sls_cli_later(cli, _("the random number generator failed"));
		return SLS_EXIT_STORE;
	}
	snprintf(t->state->phone_pending, sizeof(t->state->phone_pending), "%s", p->number);
	memcpy(p->hash, c->hash, sizeof(p->hash));
	t->state_changed = true;
	return SLS_EXIT_OK;
}

/*
 * The code could not be sent: withdrawn, if it is still ours (another sls
 * phone set may have made one since). When it was made stays: a sender may
 * fail after the message went out, so a new one still waits min_interval.
 */
static int withdraw(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct phone_set *p = arg;
	struct sls_pending_code *c = &t->state->phone;

	(void)cli;
	if (!c->pending || !sls_secure_equal(c->hash, p->hash, sizeof(p->hash)))
		return SLS_EXIT_OK;
	memset(t->state->phone_pending, 0, sizeof(t->state->phone_pending));
	sls_pending_drop(c);
	t->state_changed = true;
	return SLS_EXIT_OK;
}

struct send_job {
	const char *number;
	const char *text;
	struct sls_sms_result res;
};

static enum sls_rc send_cb(struct sls_cli *cli, void *arg)
{
	struct send_job *j = arg;

	return sls_sms_send(&cli->conf, SLS_SMS_TEXT, j->number, j->text, &j->res);
}

/* The sender runs as sls.conf's owner would have it: with the store's privileges. */
static int send_confirm(struct sls_cli *cli, struct phone_set *p)
{
	char text[160], masked[32];
	struct send_job job = {.number = p->number, .text = text};
	struct sls_diag diag = {0};
	enum sls_rc rc;

	snprintf(text, sizeof(text), "Your code to confirm this phone for logins is %s.", p->code);
	rc = sls_cli_as_store(cli, send_cb, &job);
	sls_wipe(text, sizeof(text));
	sls_phone_mask(p->number, masked, sizeof(masked));
	sls_diag_set(&diag, 0, "to %s; sender: %s", masked,
		     job.res.output[0] ? job.res.output : "-");
	if (rc == SLS_OK) {
		sls_log_event(&cli->log, SLS_EV_SMS_SENT, NULL, "sent", &diag,
			      "a confirm code for a new phone was sent");
		/* TRANSLATORS: a masked phone number */
		printf(_("A confirm code was sent to %s. Run: sls phone verify CODE\n"), masked);
		return SLS_EXIT_OK;
	}
	sls_log_event(&cli->log, SLS_EV_SMS_FAILED, NULL, "error", &diag,
		      "the confirm code could not be sent");
	sls_cli_transact(cli, SLS_CLI_STATE, withdraw, p);
	/* what the sender said may name the gateway's set-up: for root only (and the journal) */
	if (cli->ruid == 0 && job.res.output[0] != '\0')
		/* TRANSLATORS: a masked phone number, then what the SMS sender said */
		warnx(_("the SMS could not be sent to %s: %s"), masked, job.res.output);
	else
		warnx(_("the SMS could not be sent to %s; ask an administrator"), masked);
	return SLS_EXIT_SENDER;
}

static int set(struct sls_cli *cli, const char *input, const char *country)
{
	struct phone_set *p = calloc(1, sizeof(*p));
	const char *why = NULL;
	int status = SLS_EXIT_INPUT;

	if (p == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	if (sls_phone_normalize(input, country, p->number, sizeof(p->number), &why) != SLS_OK)
		warnx("%s", why);
	else
		status = sls_cli_prove(cli, 0, _("To change your phone"));
	if (status == SLS_EXIT_OK)
		status = sls_cli_transact(cli, SLS_CLI_STATE, new_confirm, p);
	if (status == SLS_EXIT_OK)
		status = send_confirm(cli, p);
	sls_wipe(p, sizeof(*p));
	free(p);
	return status;
}

static int run_set(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"country", required_argument, NULL, 'c'},
						 SLS_COMMON_OPTIONS};
	const char *country = NULL;
	int c, status;

	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1)
		if (c == 'c')
			country = optarg;
	if (argc - optind != 1)
		sls_cli_usage(cli);
	status = sls_cli_start(cli);
	return status == SLS_EXIT_OK ? set(cli, argv[optind], country) : status;
}

/* ---- sls phone verify ------------------------------------------------------------- */

struct phone_verify {
	char code[SLS_ANSWER_MAX + 1];   /* as typed, spaces and dashes removed: a secret */
	char number[SLS_PHONE_MAX + 1];  /* the number being verified, as step one saw it */
	struct sls_pending_code pending; /* its code, as step one saw it */
	time_t at, lock_set;             /* the provisional failure, and the lock it set */
	bool enrolled_sms;               /* the user had no active device: an sms device added */
	size_t stand_ins_revoked;        /* temporary passcodes that activation revoked */
	char masked[32];
};

/* A device of their own: a temporary passcode only stands in until there is one. */
static bool has_active(const struct sls_user *u)
{
	for (size_t i = 0; i < u->ndevices; i++)
		if (u->devices[i].status == SLS_STATUS_ACTIVE && !u->devices[i].type->stand_in)
			return true;
	return false;
}

/* An sms device, where the user had no active device: logins now send a code. */
static void add_sms_device(struct sls_user *u, struct phone_verify *v)
{
	struct sls_device *d = sls_user_find_device(u, SMS_DEVICE_NAME);
	time_t now = time(NULL);

	if (has_active(u) || (d == NULL && u->ndevices >= SLS_DEVICES_MAX))
		return;
	if (d == NULL)
		d = &u->devices[u->ndevices++];
	now = d->created >= now ? d->created + 1 : now; /* a new identity for its state */
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), SMS_DEVICE_NAME);
	d->type = &sls_devtype_sms;
	d->level = sls_devtype_sms.level;
	d->status = SLS_STATUS_ACTIVE;
	d->created = now;
	v->enrolled_sms = true;
	v->stand_ins_revoked = sls_user_revoke_stand_ins(u, d);
}

/*
 * Step one (count before check): a failure is written before the code is
 * looked at; only once that write is done is the code checked, outside
 * the lock, against the code this step read.
 */
static int verify_count(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct phone_verify *v = arg;
	struct sls_state *st = t->state;
	time_t now = time(NULL);

	if (st->phone_pending[0] == '\0') {
		sls_cli_later(cli,
			      _("no number is being verified: run sls phone set NUMBER first"));
		return SLS_EXIT_NOTFOUND;
	}
	if (st->locked_until > now) {
		sls_cli_later(cli, _("Too many failed attempts; ask an administrator."));
		return SLS_EXIT_REFUSED;
	}
	snprintf(v->number, sizeof(v->number), "%s", st->phone_pending);
	v->pending = st->phone;
	v->at = now;
	if (sls_state_note_failure(st, now, cli->conf.window, cli->conf.deny,
				   cli->conf.unlock_time))
		v->lock_set = st->locked_until;
	t->state_changed = true;
	return SLS_EXIT_OK;
}

/* The code was the one sent (in time or not): not a guess, so the failure is taken back. */
static void take_back(struct sls_txn *t, const struct phone_verify *v)
{
	sls_state_take_back(t->state, v->at, v->lock_set);
	t->state_changed = true;
}

static int verify_expired(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	(void)cli;
	take_back(t, arg);
	return SLS_EXIT_OK;
}

/* Step two, for the right code in time: the number is the user's, verified. */
static int verify_apply(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct phone_verify *v = arg;
	struct sls_state *st = t->state;

	take_back(t, v);
	if (strcmp(st->phone_pending, v->number) != 0 || !st->phone.pending ||
	    !sls_secure_equal(st->phone.hash, v->pending.hash, sizeof(v->pending.hash))) {
		sls_cli_later(cli, _("a new confirm code was asked for meanwhile: use that one"));
		return SLS_EXIT_OK; /* the failure is taken back all the same */
	}
	snprintf(t->user->phone, sizeof(t->user->phone), "%s", v->number);
	t->user->phone_verified = true;
	sls_phone_mask(t->user->phone, v->masked, sizeof(v->masked));
	add_sms_device(t->user, v);
	t->user_changed = true;
	memset(st->phone_pending, 0, sizeof(st->phone_pending));
	sls_wipe(&st->phone, sizeof(st->phone));
	return SLS_EXIT_OK;
}

static int verified(struct sls_cli *cli, const struct phone_verify *v)
{
	/* TRANSLATORS: a masked phone number, then a user name */
	printf(_("Phone %s is verified for %s.\n"), v->masked, cli->user);
	if (v->enrolled_sms)
		/* TRANSLATORS: a masked phone number, then the new device's name ("sms") */
		printf(_("You had no active device: logins now send an SMS code to %s (device "
			 "%s).\n"),
		       v->masked, SMS_DEVICE_NAME);
	sls_log_event(&cli->log, SLS_EV_PHONE, v->enrolled_sms ? SMS_DEVICE_NAME : NULL, "success",
		      NULL, "phone verified");
	sls_cli_stand_ins_revoked(cli, stdout, v->stand_ins_revoked);
	return SLS_EXIT_OK;
}

static int check_code(struct sls_cli *cli, struct phone_verify *v)
{
	enum sls_rc rc = sls_pending_check(&v->pending, v->code, time(NULL));
	int status;

	if (rc == SLS_ERR_GONE) {
		status = sls_cli_transact(cli, SLS_CLI_STATE, verify_expired, v);
		if (status != SLS_EXIT_OK)
			return status; /* said; the failure stands */
		warnx(_("that code has expired: run sls phone set again"));
		return SLS_EXIT_REFUSED;
	}
	if (rc != SLS_OK) {
		sls_log_event(&cli->log, SLS_EV_PHONE, NULL, "failure", NULL,
			      "wrong confirm code for a new phone");
		warnx(_("that is not the code that was sent"));
		return SLS_EXIT_REFUSED; /* the failure is written */
	}
	status = sls_cli_transact(cli, SLS_CLI_NEW_USER | SLS_CLI_STATE, verify_apply, v);
	if (status == SLS_EXIT_OK && v->masked[0] == '\0')
		return SLS_EXIT_REFUSED; /* replaced meanwhile, and said */
	return status == SLS_EXIT_OK ? verified(cli, v) : status;
}

static int verify_code(struct sls_cli *cli, char **args)
{
	struct phone_verify *v = calloc(1, sizeof(*v));
	int status;

	if (v == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	if (strlen(args[0]) > SLS_ANSWER_MAX ||
	    !sls_strip_separators(args[0], v->code, sizeof(v->code)))
		v->code[0] = '\0'; /* checked all the same, and wrong */
	status = sls_cli_transact(cli, SLS_CLI_STATE, verify_count, v);
	if (status == SLS_EXIT_OK)
		status = check_code(cli, v);
	sls_wipe(v, sizeof(*v));
	free(v);
	return status;
}

static int run_verify(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 1, verify_code);
}

static const struct sls_verb subs[] = {
    /* TRANSLATORS: keep the option; NUMBER and CC may be translated */
    {.name = "set", .synopsis = N_("NUMBER [--country CC]"), .summary = NULL, .run = run_set},
    /* TRANSLATORS: CODE may be translated */
    {.name = "verify", .synopsis = N_("CODE"), .summary = NULL, .run = run_verify},
    {.name = NULL},
};

const struct sls_verb sls_verb_phone = {
    .name = "phone",
    .synopsis = "",
    .summary = N_("show your phone"),
    .run = run_show,
    .subs = subs,
};
