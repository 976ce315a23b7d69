/*
 * pam_sls - the UI seam: how device code and the login flow talk to a
 * person, whatever the host (the PAM conversation in the module, the
 * terminal in sls, later a pipe). Device code never sees a pam_handle_t.
 */
#ifndef SLS_UI_H
#define SLS_UI_H

#include <stddef.h>
#include <time.h>

#include "sls_error.h"

/* The longest answer taken; a longer reply is a wrong one, never truncated. */
#define SLS_ANSWER_MAX 64

enum sls_say_kind {
	SLS_SAY_INFO,  /* PAM_TEXT_INFO */
	SLS_SAY_ERROR, /* PAM_ERROR_MSG */
};

struct sls_ui {
	/*
	 * Show prompt (the whole text of one prompt: everything the user needs
	 * stands in it, lines joined by '\n', because sshd holds messages back
	 * until the next prompt) and read one reply, shown as typed: what is
	 * asked (a response, a code, a menu choice) is single-use, and seeing
	 * it type helps. SLS_OK with *reply malloc'ed (the caller wipes and
	 * frees it), SLS_ERR_TOOBIG for a reply too long to take, SLS_ERR_CONV
	 * when the conversation failed or gave no reply.
	 */
	enum sls_rc (*ask)(void *ctx, const char *prompt, char **reply);
	/*
	 * The same, not echoed (a new PIN); NULL when the host cannot hide a
	 * reply (then nothing secret is asked through it).
	 */
	enum sls_rc (*ask_secret)(void *ctx, const char *prompt, char **reply);
	/* Show one message; failures are ignored. A host may stay silent (PAM_SILENT). */
	void (*say)(void *ctx, enum sls_say_kind kind, const char *text);
	void *ctx;
	/*
	 * The challenge prompt stays "Challenge: NNNNNN" whatever the locale:
	 * sls sets it when its output is not a terminal, for the scripts that
	 * read the challenge off it.
	 */
	bool plain_challenge;
	/*
	 * The host shows ANSI colour sequences (sls on a terminal): a QR code
	 * is then drawn black on white whatever the terminal's theme. Never
	 * through PAM: the ssh client prints a prompt's ESC as the text
	 * "\033", so there a code is drawn as blocks and spaces alone.
	 */
	bool colour;
};

/*
 * Ask prompt through ui and put the reply, without spaces and dashes, into
 * answer (size > SLS_ANSWER_MAX). SLS_OK; SLS_ERR_MISMATCH for a reply over
 * SLS_ANSWER_MAX (a wrong answer); SLS_ERR_CONV. The raw reply is wiped.
 */
enum sls_rc sls_ui_ask_answer(const struct sls_ui *ui, const char *prompt, char *answer,
			      size_t size);

/*
 * Ask prompt through ui->ask_secret and put the reply as typed into out
 * (size bytes with its NUL). SLS_OK; SLS_ERR_TOOBIG for a longer reply;
 * SLS_ERR_CONV (also when the host has no ask_secret). The raw reply is
 * wiped.
 */
enum sls_rc sls_ui_ask_secret(const struct sls_ui *ui, const char *prompt, char *out, size_t size);

/* Say a formatted line through ui. */
void sls_ui_sayf(const struct sls_ui *ui, enum sls_say_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Whether an answer to a prompt shown at asked (CLOCK_MONOTONIC) comes
 * after timeout seconds (0: never); if so, says "The response has expired;
 * start again." through ui.
 */
bool sls_ui_too_late(const struct sls_ui *ui, const struct timespec *asked, unsigned timeout);

#endif /* SLS_UI_H */
