/* sls - the terminal as the login flow's UI (sls_ui.h): what a proof and a confirmation ask. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sls_tty.h"

/* The prompt on stdout, the reply a line of stdin (the end of input gives none). */
static enum sls_rc terminal_ask(void *ctx, const char *prompt, char **reply)
{
	char line[SLS_ANSWER_MAX + 2];
	enum sls_rc rc = SLS_OK;

	(void)ctx;
	*reply = NULL;
	errno = 0;
	if (!sls_tty_ask_line(stdout, prompt, line, sizeof(line)))
		rc = errno == EMSGSIZE ? SLS_ERR_TOOBIG : SLS_ERR_CONV;
	else if ((*reply = strdup(line)) == NULL)
		rc = SLS_ERR_NOMEM;
	sls_wipe(line, sizeof(line));
	return rc;
}

static void terminal_say(void *ctx, enum sls_say_kind kind, const char *text)
{
	(void)ctx;
	if (kind == SLS_SAY_ERROR) {
		warnx("%s", text);
		return;
	}
	printf("%s\n", text);
	fflush(stdout);
}

void sls_cli_terminal_ui(struct sls_cli *cli)
{
	cli->ui.ask = terminal_ask;
	cli->ui.say = terminal_say;
	cli->ui.plain_challenge = !cli->stdout_tty; /* scripts read the challenge line */
	cli->ui.colour = cli->stdout_tty;
	cli->ui.ctx = cli;
}
