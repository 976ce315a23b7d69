/* pam_sls - what every host's UI shares (sls_ui.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sls_codec.h"
#include "sls_i18n.h"
#include "sls_secret.h"
#include "sls_ui.h"

enum sls_rc sls_ui_ask_answer(const struct sls_ui *ui, const char *prompt, char *answer,
			      size_t size)
{
	char *reply = NULL;
	enum sls_rc rc = ui->ask(ui->ctx, prompt, &reply);

	answer[0] = '\0';
	if (rc == SLS_ERR_TOOBIG)
		return SLS_ERR_MISMATCH;
	if (rc != SLS_OK || reply == NULL) {
		rc =
		    rc == SLS_ERR_NOMEM ? rc : SLS_ERR_CONV; /* no reply: the conversation failed */
		goto out;
	}
	rc = SLS_ERR_MISMATCH;
	if (strlen(reply) <= SLS_ANSWER_MAX && sls_strip_separators(reply, answer, size))
		rc = SLS_OK;
out:
	sls_free_secret_str(reply);
	return rc;
}

enum sls_rc sls_ui_ask_secret(const struct sls_ui *ui, const char *prompt, char *out, size_t size)
{
	char *reply = NULL;
	enum sls_rc rc =
	    ui->ask_secret != NULL ? ui->ask_secret(ui->ctx, prompt, &reply) : SLS_ERR_CONV;

	out[0] = '\0';
	if (rc == SLS_OK && reply == NULL)
		rc = SLS_ERR_CONV;
	if (rc == SLS_OK && strlen(reply) >= size)
		rc = SLS_ERR_TOOBIG;
	if (rc == SLS_OK)
		snprintf(out, size, "%s", reply);
	sls_free_secret_str(reply);
	return rc;
}

void sls_ui_sayf(const struct sls_ui *ui, enum sls_say_kind kind, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	/* the format is a message: translated here (xgettext: --keyword=sls_ui_sayf:3) */
	vsnprintf(text, sizeof(text), _(fmt), ap);
	va_end(ap);
	ui->say(ui->ctx, kind, text);
}

bool sls_ui_too_late(const struct sls_ui *ui, const struct timespec *asked, unsigned timeout)
{
	struct timespec now;
	double secs;

	if (timeout == 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - asked->tv_sec) + (double)(now.tv_nsec - asked->tv_nsec) / 1e9;
	if (secs <= (double)timeout)
		return false;
	ui->say(ui->ctx, SLS_SAY_ERROR, _("The response has expired; start again."));
	return true;
}
