/* pam_sls - choosing a device, asking for its answer, and checking it. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "module.h"

#define ANSWER_MAX 64 /* longer replies are refused, never truncated */
#define MENU_TRIES 3

void sls_login_say(struct sls_login *login, int style, const char *fmt, ...)
{
	char text[PAM_MAX_MSG_SIZE];
	va_list ap;

	if (login->silent)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	(void)pam_prompt(login->pamh, style, NULL, "%s", text);
}

void sls_login_debug(struct sls_login *login, const char *fmt, ...)
{
	va_list ap;

	if (!login->opts.debug)
		return;
	va_start(ap, fmt);
	pam_vsyslog(login->pamh, LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* "17:36" today, "2026-12-01 17:36" on another day: a 24 h lock must not read as now. */
void sls_login_say_locked(struct sls_login *login, time_t until)
{
	char when[32] = "later";
	time_t now = time(NULL);
	struct tm tm, today;

	if (localtime_r(&until, &tm) != NULL && localtime_r(&now, &today) != NULL)
		strftime(when, sizeof(when),
			 tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday
			     ? "%H:%M"
			     : "%Y-%m-%d %H:%M",
			 &tm);
	sls_login_say(login, PAM_ERROR_MSG,
		      "Too many failed attempts; try again after %s or ask an administrator.",
		      when);
}

void sls_login_usable(struct sls_login *login)
{
	const struct sls_user *u = login->enrollment;
	time_t now = time(NULL);

	login->nusable = 0;
	login->best_level = 0;
	login->nexpired = 0;
	login->nunaskable = 0;
	for (size_t i = 0; i < u->ndevices; i++) {
		const struct sls_device *d = &u->devices[i];

		if (d->status != SLS_STATUS_ACTIVE)
			continue;
		if (!sls_device_type_askable(d->type)) {
			login->nunaskable++;
			continue;
		}
		if (!sls_device_usable(d, now)) {
			login->nexpired++;
			continue;
		}
		if (d->level > login->best_level)
			login->best_level = d->level;
		if (d->level >= login->opts.min_level && (login->opts.types & (1u << d->type)))
			login->usable[login->nusable++] = i;
	}
}

/*
 * Ask one question; *answer gets the reply without spaces and dashes.
 * PAM_CONV_ERR when the conversation fails or returns no reply;
 * PAM_AUTH_ERR for a reply over ANSWER_MAX.
 */
static int ask(struct sls_login *login, const char *prompt, char *answer, size_t size)
{
	char *resp = NULL;
	int retval = pam_prompt(login->pamh, PAM_PROMPT_ECHO_ON, &resp, "%s", prompt);

	answer[0] = '\0';
	if (retval != PAM_SUCCESS || resp == NULL) {
		retval = PAM_CONV_ERR;
		goto out;
	}
	retval = PAM_AUTH_ERR;
	if (strlen(resp) > ANSWER_MAX || !sls_strip_separators(resp, answer, size))
		goto out;
	retval = PAM_SUCCESS;
out:
	sls_free_secret_str(resp);
	return retval;
}

/* ---- the menu ---------------------------------------------------------------- */

static size_t default_choice(const struct sls_login *login)
{
	for (size_t i = 0; i < login->nusable; i++)
		if (strcmp(login->enrollment->devices[login->usable[i]].name,
			   login->state->last_device) == 0)
			return i;
	return 0;
}

static void menu_text(const struct sls_login *login, size_t def, bool again, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%sSelect second factor device:\n",
				      again ? "That is not one of the numbers.\n" : "");

	for (size_t i = 0; i < login->nusable && len < size; i++) {
		const struct sls_device *d = &login->enrollment->devices[login->usable[i]];

		len += (size_t)snprintf(buf + len, size - len, " %zu) %s %s\n", i + 1,
					sls_device_type_name(d->type), d->name);
	}
	if (len < size)
		snprintf(buf + len, size - len, "Device [%zu]: ", def + 1);
}

int sls_login_menu(struct sls_login *login, size_t *choice)
{
	char text[PAM_MAX_MSG_SIZE], answer[ANSWER_MAX + 1];
	size_t def = default_choice(login);
	int retval = PAM_AUTH_ERR;

	for (int i = 0; i < MENU_TRIES; i++) {
		char *end;
		unsigned long n;

		menu_text(login, def, i > 0, text, sizeof(text));
		retval = ask(login, text, answer, sizeof(answer));
		if (retval != PAM_SUCCESS)
			return retval;
		if (answer[0] == '\0') {
			*choice = def;
			return PAM_SUCCESS;
		}
		n = strtoul(answer, &end, 10);
		if (*end == '\0' && answer[0] >= '0' && answer[0] <= '9' && n >= 1 &&
		    n <= login->nusable) {
			*choice = n - 1;
			return PAM_SUCCESS;
		}
	}
	sls_login_say(login, PAM_ERROR_MSG, "No device was chosen.");
	return PAM_AUTH_ERR;
}

/* ---- the device's question --------------------------------------------------------- */

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * The challenge comes from the attempt (sls_login_begin): counted already,
 * and none the device answered in its recent logins, so a response seen on
 * a screen is worth nothing.
 */
static int ask_ocra(struct sls_login *login, const struct sls_device *d,
		    const struct sls_attempt *a)
{
	char prompt[64], answer[ANSWER_MAX + 1];
	struct sls_ocra_input in = {
	    .question = a->challenge, .pin_hash = d->pin_hash, .pin_hash_len = d->pin_hash_len};
	struct timespec asked;
	enum sls_rc rc;
	int retval;

	snprintf(prompt, sizeof(prompt), "Challenge: %s\nResponse: ", a->challenge);
	clock_gettime(CLOCK_MONOTONIC, &asked);
	retval = ask(login, prompt, answer, sizeof(answer));
	if (retval != PAM_SUCCESS)
		goto out;
	if (seconds_since(&asked) > (double)login->conf.challenge_timeout) {
		sls_login_say(login, PAM_ERROR_MSG, "The response has expired; start again.");
		retval = PAM_AUTH_ERR;
		goto out;
	}
	rc = sls_ocra_verify(&d->suite, d->secret, d->secret_len, &in, answer);
	retval = rc == SLS_OK             ? PAM_SUCCESS
		 : rc == SLS_ERR_MISMATCH ? PAM_AUTH_ERR
					  : PAM_SYSTEM_ERR;
out:
	sls_wipe(answer, sizeof(answer));
	return retval;
}

static int ask_totp(struct sls_login *login, const struct sls_device *d,
		    const struct sls_attempt *a, uint64_t *step)
{
	char answer[ANSWER_MAX + 1];
	enum sls_rc rc;
	int retval = ask(login, "Verification code: ", answer, sizeof(answer));

	if (retval != PAM_SUCCESS)
		goto out;
	/* a code of a step already used is refused: not_before = the last step */
	rc = sls_totp_verify(d->totp_hash, d->secret, d->secret_len, time(NULL), d->totp_period,
			     d->totp_digits, 1, a->not_before, answer, step);
	retval = rc == SLS_OK             ? PAM_SUCCESS
		 : rc == SLS_ERR_MISMATCH ? PAM_AUTH_ERR
					  : PAM_SYSTEM_ERR;
out:
	sls_wipe(answer, sizeof(answer));
	return retval;
}

int sls_login_ask(struct sls_login *login, const struct sls_device *d, const struct sls_attempt *a,
		  uint64_t *step)
{
	*step = 0;
	if (d->type == SLS_DEV_TOTP)
		return ask_totp(login, d, a, step);
	return ask_ocra(login, d, a);
}
