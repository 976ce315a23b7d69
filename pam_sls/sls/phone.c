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
		printf("Phone: none (sls phone set NUMBER)\n");
	else
		printf("Phone: %s (%s)\n", masked,
		       user->phone_verified ? "verified" : "not verified");
	sls_phone_mask(state->phone_pending, masked, sizeof(masked));
	sls_cli_time(state->phone.sent, when, sizeof(when));
	if (state->phone_pending[0] != '\0')
		printf("Being verified: %s (code sent %s; sls phone verify CODE)\n", masked, when);
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
	long wait;                          /* seconds until a new code may be sent */
};

/* The number being verified, and a confirm code for it; at most one every min_interval. */
static int new_confirm(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct phone_set *p = arg;
	struct sls_pending_code *c = &t->state->phone;
	time_t now = time(NULL);

	p->wait = c->sent + (time_t)cli->conf.sms_min_interval - now;
	if (c->sent != 0 && p->wait > 0) {
		sls_cli_later(cli,
			      "a confirm code was sent less than %u seconds ago; try again in %ld "
			      "seconds",
			      cli->conf.sms_min_interval, p->wait);
		return SLS_EXIT_REFUSED;
	}
	if (sls_pending_new(c, p->code, sizeof(p->code), now, cli->conf.sms_validity) != SLS_OK) {
		sls_cli_later(cli, "the random number generator failed");
		return SLS_EXIT_STORE;
	}
	snprintf(t->state->phone_pending, sizeof(t->state->phone_pending), "%s", p->number);
	t->state_changed = true;
	return SLS_EXIT_OK;
}

/* The code could not be sent: it is withdrawn, and may be asked for again at once. */
static int withdraw(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	(void)cli;
	(void)arg;
	memset(t->state->phone_pending, 0, sizeof(t->state->phone_pending));
	sls_wipe(&t->state->phone, sizeof(t->state->phone));
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
		printf("A confirm code was sent to %s. Run: sls phone verify CODE\n", masked);
		return SLS_EXIT_OK;
	}
	sls_log_event(&cli->log, SLS_EV_SMS_FAILED, NULL, "error", &diag,
		      "the confirm code could not be sent");
	sls_cli_transact(cli, SLS_CLI_STATE, withdraw, p);
	/* what the sender said may name the gateway's set-up: for root only (and the journal) */
	if (cli->ruid == 0 && job.res.output[0] != '\0')
		warnx("the SMS could not be sent to %s: %s", masked, job.res.output);
	else
		warnx("the SMS could not be sent to %s; ask an administrator", masked);
	return SLS_EXIT_SENDER;
}

static int set(struct sls_cli *cli, const char *input, const char *country)
{
	struct phone_set *p = calloc(1, sizeof(*p));
	const char *why = NULL;
	int status = SLS_EXIT_INPUT;

	if (p == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	if (sls_phone_normalize(input, country, p->number, sizeof(p->number), &why) != SLS_OK)
		warnx("%s", why);
	else
		status = sls_cli_prove(cli, 0, "To change your phone");
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
	const char *code;
	bool enrolled_sms; /* the user had no active device: an sms device was added */
	bool wrong;        /* a wrong or expired code: a failure was written */
	char masked[32];
};

static bool has_active(const struct sls_user *u)
{
	for (size_t i = 0; i < u->ndevices; i++)
		if (u->devices[i].status == SLS_STATUS_ACTIVE)
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
}

/*
 * The code against the number being verified. One write whatever the
 * answer: a wrong code is a failure towards the lockout, a right one makes
 * the number the user's, verified.
 */
static int verify(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct phone_verify *v = arg;
	struct sls_state *st = t->state;
	time_t now = time(NULL);
	enum sls_rc rc;

	if (st->phone_pending[0] == '\0') {
		sls_cli_later(cli, "no number is being verified: run sls phone set NUMBER first");
		return SLS_EXIT_NOTFOUND;
	}
	if (st->locked_until > now) {
		sls_cli_later(cli, "Too many failed attempts; ask an administrator.");
		return SLS_EXIT_REFUSED;
	}
	rc = sls_pending_check(&st->phone, v->code, now);
	t->state_changed = true;
	if (rc != SLS_OK) {
		sls_state_note_failure(st, now, cli->conf.window, cli->conf.deny,
				       cli->conf.unlock_time);
		v->wrong = true;
		sls_cli_later(cli, rc == SLS_ERR_GONE ? "that code has expired: run sls phone set "
							"again"
						      : "that is not the code that was sent");
		return SLS_EXIT_OK; /* the failure is written; the verb still fails */
	}
	snprintf(t->user->phone, sizeof(t->user->phone), "%s", st->phone_pending);
	t->user->phone_verified = true;
	sls_phone_mask(t->user->phone, v->masked, sizeof(v->masked));
	add_sms_device(t->user, v);
	t->user_changed = true;
	memset(st->phone_pending, 0, sizeof(st->phone_pending));
	sls_wipe(&st->phone, sizeof(st->phone));
	return SLS_EXIT_OK;
}

static int verify_code(struct sls_cli *cli, char **args)
{
	struct phone_verify v = {.code = args[0]};
	int status = sls_cli_transact(cli, SLS_CLI_NEW_USER | SLS_CLI_STATE, verify, &v);

	if (status == SLS_EXIT_OK && v.wrong) {
		sls_log_event(&cli->log, SLS_EV_PHONE, NULL, "failure", NULL,
			      "wrong confirm code for a new phone");
		return SLS_EXIT_REFUSED; /* counted, and said */
	}
	if (status == SLS_EXIT_OK) {
		printf("Phone %s is verified for %s.\n", v.masked, cli->user);
		if (v.enrolled_sms)
			printf("You had no active device: logins now send an SMS code to %s "
			       "(device %s).\n",
			       v.masked, SMS_DEVICE_NAME);
		sls_log_event(&cli->log, SLS_EV_PHONE, v.enrolled_sms ? SMS_DEVICE_NAME : NULL,
			      "success", NULL, "phone verified");
	}
	return status;
}

static int run_verify(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 1, verify_code);
}

static const struct sls_verb subs[] = {
    {.name = "set", .synopsis = "NUMBER [--country CC]", .summary = NULL, .run = run_set},
    {.name = "verify", .synopsis = "CODE", .summary = NULL, .run = run_verify},
    {.name = NULL},
};

const struct sls_verb sls_verb_phone = {
    .name = "phone",
    .synopsis = "",
    .summary = "show your phone",
    .run = run_show,
    .subs = subs,
};
