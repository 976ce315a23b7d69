/*
 * sls card print [--format text|svg|pdf] [--output FILE] - a new security
 * code card: 100 indexed codes a login asks two of. It replaces the user's
 * card (the old one stops working). Proven with a temporary passcode it is
 * an online card, valid [card] online_days; otherwise a printed card, with
 * no expiry unless [card] printed_days says so.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "card_render.h"
#include "cli.h"
#include "outfile.h"
#include "sls_card.h"
#include "sls_tempcode.h"

#define CARD_NAME "card"
#define DAY       86400

struct printing {
	enum sls_card_format fmt;
	const char *output; /* NULL: stdout (text only) */
	bool online;        /* proven with a temporary passcode */
	struct sls_device dev;
	struct sls_card_sheet sheet;
	struct sls_outfile f;
	size_t stand_ins_revoked;
};

/* ---- who may print ---- */

/*
 * Root prints for anyone. A user with a temporary passcode proves with it
 * (even past its login days: this is what it is still for) and gets an
 * online card; anyone else proves with their strongest device, if any.
 */
static int prove_with(struct sls_cli *cli, struct sls_user *user, void *arg)
{
	struct printing *p = arg;
	const struct sls_device *tc = sls_tempcode_find(user, time(NULL), false);

	if (tc == NULL)
		return sls_cli_prove(cli, sls_devtype_card.level,
				     _("To print a security code card"));
	p->online = true;
	return sls_cli_prove_with(cli, tc, _("To print a security code card"), true);
}

static int prove(struct sls_cli *cli, struct printing *p)
{
	return cli->ruid == 0 ? SLS_EXIT_OK : sls_cli_with_user(cli, true, prove_with, p);
}

/* ---- the card ---- */

static int make(struct sls_cli *cli, struct printing *p)
{
	time_t now = time(NULL);
	unsigned days = p->online ? cli->conf.card_online_days : cli->conf.card_printed_days;
	char host[256], code[SLS_CARD_CODE_DIGITS + 1];
	enum sls_rc rc = sls_card_new(&p->dev);

	snprintf(p->dev.name, sizeof(p->dev.name), CARD_NAME);
	p->dev.status = SLS_STATUS_ACTIVE;
	p->dev.created = now;
	p->dev.expires = days == 0 ? 0 : now + (time_t)days * DAY;
	/* proven by a device that expires (an online card): the new card ends no later */
	if (cli->proven_until != 0 && (p->dev.expires == 0 || cli->proven_until < p->dev.expires)) {
		p->dev.expires = cli->proven_until;
		p->online = true;
	}
	snprintf(p->dev.label, sizeof(p->dev.label), "%s", p->online ? "online" : "printed");
	if (rc == SLS_OK)
		rc = sls_card_id(&p->dev, p->sheet.id, sizeof(p->sheet.id));
	for (unsigned i = 0; rc == SLS_OK && i < SLS_CARD_POSITIONS; i++) {
		rc = sls_card_code(&p->dev, i + 1, code, sizeof(code));
		if (rc == SLS_OK)
			p->sheet.codes[i] = (uint16_t)strtoul(code, NULL, 10);
	}
	sls_wipe(code, sizeof(code));
	if (rc != SLS_OK) {
		warnx(_("cannot make a card: %s"), sls_strerror(rc));
		return SLS_EXIT_STORE;
	}
	sls_issuer_or_localhost(host, sizeof(host));
	snprintf(p->sheet.user, sizeof(p->sheet.user), "%.*s", (int)sizeof(p->sheet.user) - 1,
		 cli->user);
	snprintf(p->sheet.issuer, sizeof(p->sheet.issuer), "%.*s", (int)sizeof(p->sheet.issuer) - 1,
		 host);
	if (p->dev.expires != 0)
		sls_cli_time(p->dev.expires, p->sheet.valid_until, sizeof(p->sheet.valid_until));
	return SLS_EXIT_OK;
}

/* The card to the file (made new, as the caller) or to stdout, before it is active. */
static int render(struct printing *p)
{
	enum sls_rc rc;

	if (p->output == NULL) {
		rc = sls_card_render(stdout, p->fmt, &p->sheet);
		if (rc == SLS_OK && fflush(stdout) != 0)
			rc = SLS_ERR_IO;
		if (rc != SLS_OK)
			warnx(_("cannot write the card: %s; it was not activated"),
			      sls_strerror(rc));
		return rc == SLS_OK ? SLS_EXIT_OK : SLS_EXIT_INPUT;
	}
	rc = sls_outfile_create(p->output, &p->f);
	if (rc == SLS_ERR_EXISTS) {
		warnx(_("%s: exists; not overwritten"), p->output);
		return SLS_EXIT_INPUT;
	}
	if (rc == SLS_OK && setvbuf(p->f.fp, p->f.iobuf, _IOFBF, sizeof(p->f.iobuf)) != 0)
		rc = SLS_ERR_IO;
	if (rc == SLS_OK)
		rc = sls_card_render(p->f.fp, p->fmt, &p->sheet);
	if (rc == SLS_OK)
		rc = sls_outfile_finish(&p->f);
	if (rc != SLS_OK) {
		warn(_("%s: cannot write the card; it was not activated"), p->output);
		sls_outfile_abort(p->output, &p->f);
		return SLS_EXIT_INPUT;
	}
	return SLS_EXIT_OK;
}

/* The new card replaces every card of the user; a temporary passcode has done its work. */
static int activate(struct sls_cli *cli, struct sls_txn *t, void *arg)
{
	struct printing *p = arg;
	struct sls_user *u = t->user;
	struct sls_device *d = sls_user_find_device(u, CARD_NAME);

	if (d != NULL && d->type != &sls_devtype_card && d->status != SLS_STATUS_REVOKED) {
		sls_cli_later(cli, _("%s has a device named %s that is not a card"), cli->user,
			      CARD_NAME);
		return SLS_EXIT_EXISTS;
	}
	for (size_t i = 0; i < u->ndevices; i++)
		if (u->devices[i].type == &sls_devtype_card)
			u->devices[i].status = SLS_STATUS_REVOKED;
	d = sls_user_place_device(u, CARD_NAME, &p->dev.created);
	if (d == NULL) {
		sls_cli_later(cli, _("%s has %d devices that are not revoked; revoke one first"),
			      cli->user, SLS_DEVICES_MAX);
		return SLS_EXIT_INPUT;
	}
	*d = p->dev;
	p->stand_ins_revoked = sls_user_revoke_stand_ins(u, d);
	t->user_changed = true;
	return SLS_EXIT_OK;
}

static int print_card(struct sls_cli *cli, struct printing *p)
{
	FILE *msg = p->output == NULL ? stderr : stdout;
	int status = prove(cli, p);

	if (status == SLS_EXIT_OK)
		status = make(cli, p);
	if (status == SLS_EXIT_OK)
		status = render(p);
	if (status != SLS_EXIT_OK)
		return status;
	status = sls_cli_transact(cli, SLS_CLI_NEW_USER, activate, p);
	if (status != SLS_EXIT_OK) {
		if (p->output != NULL)
			sls_outfile_abort(p->output, &p->f);
		if (p->output != NULL)
			warnx(_("the new card was not activated"));
		else
			warnx(_("the new card was not activated: do not keep it"));
		return status;
	}
	if (p->online)
		sls_log_event(&cli->log, SLS_EV_CARD, CARD_NAME, "success", NULL,
			      "online security code card made: earlier cards stop working");
	else
		sls_log_event(&cli->log, SLS_EV_CARD, CARD_NAME, "success", NULL,
			      "security code card printed: earlier cards stop working");
	if (p->dev.expires != 0)
		fprintf(msg,
			/* TRANSLATORS: the card's id, a user name, a date and time */
			_("Security code card %s is active for %s (valid until %s); an earlier "
			  "card no longer works.\n"),
			p->sheet.id, cli->user, p->sheet.valid_until);
	else
		fprintf(msg,
			/* TRANSLATORS: the card's id ("4821-7730"), then a user name */
			_("Security code card %s is active for %s (no expiry); an earlier card no "
			  "longer works.\n"),
			p->sheet.id, cli->user);
	fflush(msg);
	sls_cli_stand_ins_revoked(cli, msg, p->stand_ins_revoked);
	return SLS_EXIT_OK;
}

static int run_print(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
						 {"output", required_argument, NULL, 'o'},
						 SLS_COMMON_OPTIONS};
	struct printing *p = calloc(1, sizeof(*p));
	int c, status;

	if (p == NULL)
		err(SLS_EXIT_USAGE, _("out of memory"));
	p->fmt = SLS_CARD_TEXT;
	while ((c = sls_cli_getopt(cli, argc, argv, longopts)) != -1) {
		if (c == 'f' && !sls_card_format_parse(optarg, &p->fmt))
			errx(SLS_EXIT_USAGE, _("--format is text, svg or pdf"));
		if (c == 'o')
			p->output = optarg;
	}
	if (argc - optind != 0)
		sls_cli_usage(cli);
	if (p->fmt != SLS_CARD_TEXT && p->output == NULL)
		errx(SLS_EXIT_USAGE, _("an SVG or PDF card goes to a file: --output FILE"));
	status = sls_cli_start(cli);
	if (status == SLS_EXIT_OK)
		status = print_card(cli, p);
	sls_wipe(p, sizeof(*p));
	free(p);
	return status;
}

static const struct sls_verb subs[] = {
    {.name = "print",
     /* TRANSLATORS: keep the options and text|svg|pdf; FILE may be translated */
     .synopsis = N_("[--format text|svg|pdf] [--output FILE]"),
     .summary = NULL,
     .run = run_print},
    {.name = NULL},
};

const struct sls_verb sls_verb_card = {
    .name = "card",
    .synopsis = "",
    .summary = NULL,
    .subs = subs,
};
