/*
 * pam_sls - SMS devices, level 1: a 6-digit code sent to the user's
 * verified phone (the number is in [user]; the device has no key of its
 * own), or read out by a voice call. The code is sent only once the device
 * is chosen, lives [sms] validity seconds, is kept as a salted hash, and is
 * used once; a new one is sent at most every [sms] min_interval seconds.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sls_attempt.h"
#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_i18n.h"
#include "sls_log.h"
#include "sls_phone.h"
#include "sls_secret.h"
#include "sls_sms.h"
#include "sls_state.h"
#include "sls_ui.h"

#define ROUNDS_MAX 10 /* prompts of one attempt ("resend", "voice", an expired code) */

/* ---- the enrolment file: nothing of its own ---- */

static bool valid(const struct sls_device *d)
{
	return d->secret_len == 0;
}

/* A verified phone to send to. */
static bool usable(const struct sls_device *d, const struct sls_user *u, time_t now)
{
	(void)d;
	(void)now;
	return u != NULL && u->phone_verified && u->phone[0] != '\0';
}

/* The menu shows where the code goes: "sms ******4567". */
static void label(const struct sls_device *d, const struct sls_user *u, char *out, size_t size)
{
	(void)d;
	sls_phone_mask(u->phone, out, size);
}

/* ---- the code in the state, under the lock ---- */

/* A new code into a and the state. */
static enum sls_rc new_code(const struct sls_hookctx *ctx, struct sls_attempt *a)
{
	enum sls_rc rc = sls_pending_new(&ctx->state->sms, a->code, sizeof(a->code), ctx->now,
					 ctx->conf->sms_validity);

	a->pending = ctx->state->sms;
	return rc;
}

/* Whether since (a time in the state) is less than min_interval before now. */
static bool too_soon(const struct sls_hookctx *ctx, time_t since)
{
	return since != 0 && ctx->now - since < (time_t)ctx->conf->sms_min_interval;
}

/*
 * The pending code while it is valid (another login sent it: not sent
 * again); else a new one, at most every min_interval (SLS_ERR_WAIT: nothing
 * is counted, the login says when and offers the other devices).
 */
static enum sls_rc prepare(const struct sls_device *d, const struct sls_hookctx *ctx,
			   struct sls_attempt *a)
{
	(void)d;
	snprintf(a->phone, sizeof(a->phone), "%s", ctx->user->phone);
	a->pending = ctx->state->sms;
	if (ctx->state->sms.pending && ctx->now < ctx->state->sms.expires)
		return SLS_OK;
	if (too_soon(ctx, ctx->state->sms.sent))
		return SLS_ERR_WAIT;
	return new_code(ctx, a);
}

/*
 * "resend": a new code, at most every min_interval. "voice" (a->call): a
 * call at most every min_interval, reading out this attempt's code if the
 * state still holds it, else a new one (a code this attempt did not make
 * is known only by its hash).
 */
static enum sls_rc renew(const struct sls_device *d, const struct sls_hookctx *ctx,
			 struct sls_attempt *a)
{
	struct sls_pending_code *c = &ctx->state->sms;

	(void)d;
	if (too_soon(ctx, a->call ? c->called : c->sent)) {
		a->pending = *c;
		return SLS_ERR_WAIT;
	}
	if (a->call && a->code[0] != '\0' && c->pending &&
	    sls_secure_equal(c->hash, a->pending.hash, sizeof(c->hash))) {
		c->called = ctx->now;
		a->pending = *c;
		return SLS_OK;
	}
	if (a->call)
		c->called = ctx->now;
	return new_code(ctx, a);
}

/* The code is used once: the one this attempt checked against, if it is still the pending one. */
static enum sls_rc record(const struct sls_device *d, struct sls_state *state,
			  struct sls_device_state *ds, const struct sls_attempt *a, uint64_t step)
{
	(void)d;
	(void)ds;
	(void)step;
	if (!state->sms.pending ||
	    !sls_secure_equal(state->sms.hash, a->pending.hash, sizeof(a->pending.hash)))
		return SLS_ERR_MISMATCH;
	sls_pending_drop(&state->sms);
	return SLS_OK;
}

/* ---- sending ---- */

/* The code to the user's phone, by SMS or a call; logged with the masked number only. */
static enum sls_rc send(const struct sls_ask *ask, const struct sls_device *d,
			const struct sls_attempt *a, enum sls_sms_channel ch, const char *code)
{
	const char *number = a->phone;
	struct sls_sms_result res;
	struct sls_diag diag = {0};
	char masked[32], text[160];
	enum sls_rc rc;

	if (ch == SLS_SMS_VOICE)
		snprintf(text, sizeof(text),
			 "Your login code is %c %c %c %c %c %c. Again: %c %c %c "
			 "%c %c %c.\n",
			 code[0], code[1], code[2], code[3], code[4], code[5], code[0], code[1],
			 code[2], code[3], code[4], code[5]);
	else
		snprintf(text, sizeof(text),
			 "Your login code is %s. It is valid for %u minutes. "
			 "Never tell it anyone.",
			 code, (ask->conf->sms_validity + 59) / 60);
	if (ask->sender_enter != NULL)
		ask->sender_enter(ask);
	rc = sls_sms_send(ask->conf, ch, number, text, &res);
	if (ask->sender_leave != NULL)
		ask->sender_leave(ask);
	sls_wipe(text, sizeof(text));
	sls_phone_mask(number, masked, sizeof(masked));
	if (res.timed_out)
		sls_diag_set(&diag, 0, "to %s; sender killed after %u s: %s", masked,
			     ask->conf->sms_timeout, res.output[0] ? res.output : "-");
	else if (res.status > 0)
		sls_diag_set(&diag, 0, "to %s; sender exit status %d: %s", masked, res.status,
			     res.output[0] ? res.output : "-");
	else
		sls_diag_set(&diag, 0, "to %s; sender: %s", masked,
			     res.output[0] ? res.output : "-");
	if (rc != SLS_OK)
		sls_log_event(ask->log, SLS_EV_SMS_FAILED, d->name, "error", &diag,
			      "the code could not be sent");
	else if (ch == SLS_SMS_VOICE)
		sls_log_event(ask->log, SLS_EV_VOICE_CALL, d->name, "sent", &diag,
			      "the code was read out by a call");
	else
		sls_log_event(ask->log, SLS_EV_SMS_SENT, d->name, "sent", &diag,
			      "the code was sent");
	return rc;
}

/* ---- a login ---- */

/* "A new code can be sent in 95 seconds." above the prompt. */
static void wait_line(char *line, size_t size, bool call, time_t since, unsigned interval)
{
	long wait = (long)(since + (time_t)interval - time(NULL));

	if (wait < 1)
		wait = 1;
	if (call)
		snprintf(line, size,
			 P_("A call can be placed in %ld second.\n",
			    "A call can be placed in %ld seconds.\n", (unsigned long)wait),
			 wait);
	else
		snprintf(line, size,
			 P_("A new code can be sent in %ld second.\n",
			    "A new code can be sent in %ld seconds.\n", (unsigned long)wait),
			 wait);
}

/*
 * "resend", or "voice" (call): a new code by SMS, or a call that reads the
 * code out, in a short transaction of their own (ask->renew) and then sent
 * with no lock held. Each at most every min_interval. What became of it is
 * the line above the next prompt; a send that fails here leaves the code
 * sent before as it was (it is not the attempt's end, nor a refund).
 */
static enum sls_rc request(const struct sls_ask *ask, const struct sls_device *d,
			   struct sls_attempt *a, bool call, char *line, size_t size,
			   const char *masked)
{
	uint8_t before[SLS_CODE_HASH_LEN];
	enum sls_rc rc;
	bool same;

	if (call && !sls_sms_can(ask->conf, SLS_SMS_VOICE)) {
		snprintf(line, size, "%s", _("Voice calls are not available here.\n"));
		return SLS_OK;
	}
	memcpy(before, a->pending.hash, sizeof(before));
	a->call = call;
	rc = ask->renew != NULL ? ask->renew(ask, d, a) : SLS_ERR_WAIT;
	a->call = false;
	same = sls_secure_equal(before, a->pending.hash, sizeof(before));
	if (rc == SLS_ERR_WAIT) {
		wait_line(line, size, call, call ? a->pending.called : a->pending.sent,
			  ask->conf->sms_min_interval);
		return SLS_OK;
	}
	if (rc == SLS_ERR_GONE) /* revoked or replaced meanwhile: no answer can be right */
		return SLS_ERR_MISMATCH;
	if (rc != SLS_OK)
		return rc;
	if (send(ask, d, a, call ? SLS_SMS_VOICE : SLS_SMS_TEXT, a->code) != SLS_OK)
		snprintf(line, size, "%s",
			 call ? _("The call could not be placed.\n")
			      : _("The new code could not be sent.\n"));
	else if (call)
		/* TRANSLATORS: %s is the phone number, partly masked */
		snprintf(line, size,
			 same ? _("Calling %s to read the code out.\n")
			      : _("Calling %s to read a new code out.\n"),
			 masked);
	else
		snprintf(line, size, _("A new SMS code was sent to %s.\n"), masked);
	return SLS_OK;
}

/*
 * One reply: SLS_OK right (or, with *again, asked for something: ask
 * again), SLS_ERR_MISMATCH wrong.
 */
static enum sls_rc one_round(const struct sls_ask *ask, const struct sls_device *d,
			     struct sls_attempt *a, char *line, size_t size, const char *masked,
			     bool *again)
{
	char prompt[256], answer[SLS_ANSWER_MAX + 1];
	enum sls_rc rc;

	*again = false;
	/* TRANSLATORS: the words "voice" and "resend" are typed by the user: keep them */
	snprintf(prompt, sizeof(prompt), "%s%s", line, _("SMS code (or \"voice\", \"resend\"): "));
	rc = sls_ui_ask_answer(ask->ui, prompt, answer, sizeof(answer));
	if (rc == SLS_OK && (strcmp(answer, "resend") == 0 || strcmp(answer, "voice") == 0)) {
		*again = true;
		rc = request(ask, d, a, answer[0] == 'v', line, size, masked);
	} else if (rc == SLS_OK) {
		rc = sls_pending_check(&a->pending, answer, time(NULL));
		if (rc == SLS_ERR_GONE) {
			*again = true;
			rc = SLS_OK;
			/* TRANSLATORS: "resend" is typed by the user: keep it */
			snprintf(line, size, "%s",
				 _("That code has expired; type \"resend\" for a new one.\n"));
		}
	}
	sls_wipe(answer, sizeof(answer));
	return rc;
}

/*
 * Send the code made for this attempt (if any), then ask:
 * "SMS code sent to ******4567.\nSMS code (or "voice", "resend"): ".
 */
static enum sls_rc attempt(const struct sls_device *d, struct sls_attempt *a,
			   const struct sls_ask *ask, uint64_t *step)
{
	char masked[32], line[160];
	enum sls_rc rc = SLS_OK;
	bool again = true;

	*step = 0;
	sls_phone_mask(a->phone, masked, sizeof(masked));
	if (a->code[0] != '\0') {
		rc = send(ask, d, a, SLS_SMS_TEXT, a->code);
		snprintf(line, sizeof(line), _("SMS code sent to %s.\n"), masked);
	} else {
		snprintf(line, sizeof(line), _("An SMS code was sent to %s and is still valid.\n"),
			 masked);
	}
	for (int i = 0; rc == SLS_OK && again && i < ROUNDS_MAX; i++)
		rc = one_round(ask, d, a, line, sizeof(line), masked, &again);
	if (rc == SLS_OK && again) {
		sls_ui_sayf(ask->ui, SLS_SAY_ERROR, "No code was entered; start again.");
		return SLS_ERR_MISMATCH;
	}
	return rc;
}

const struct sls_devtype sls_devtype_sms = {
    .name = "sms",
    .level = 1,
    .pin = SLS_PINKIND_NONE,
    .keys = NULL,
    .nkeys = 0,
    .valid = valid,
    .usable = usable,
    .label = label,
    .prepare = prepare,
    .attempt = attempt,
    .record = record,
    .renew = renew,
};
