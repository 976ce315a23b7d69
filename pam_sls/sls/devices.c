/* sls devices - the caller's devices (or --user's), with their state. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "sls_card.h"
#include "sls_scratch.h"
#include "sls_share.h"
#include "sls_tempcode.h"

/* A device's status as the STATUS column shows it: the file's word, in the user's language. */
static const char *status_word(enum sls_device_status status)
{
	if (status == SLS_STATUS_PENDING)
		/* TRANSLATORS: a device's status in the STATUS column of sls devices (8 wide) */
		return _("pending");
	if (status == SLS_STATUS_ACTIVE)
		/* TRANSLATORS: a device's status in the STATUS column of sls devices (8 wide) */
		return _("active");
	if (status == SLS_STATUS_REVOKED)
		/* TRANSLATORS: a device's status in the STATUS column of sls devices (8 wide) */
		return _("revoked");
	return sls_device_status_name(status);
}

/*
 * active, or what keeps an active device from a login: expired, unusable
 * (sms: no phone; shared: the device it is shared from no longer answers),
 * used (scratch: every code used)
 */
static const char *status_text(const struct sls_user *user, const struct sls_device *d,
			       const struct sls_device_state *ds, bool gone)
{
	time_t now = time(NULL);

	if (d->status != SLS_STATUS_ACTIVE)
		return status_word(d->status);
	if (d->expires != 0 && now >= d->expires)
		/* TRANSLATORS: a device's status in the STATUS column of sls devices (8 wide) */
		return _("expired");
	if (!sls_device_usable(user, d, now) || gone)
		/* TRANSLATORS: a device's status in the STATUS column of sls devices (8 wide) */
		return _("unusable");
	if (sls_devtype_spent(d, ds))
		/* TRANSLATORS: a device's status (every scratch code used), in sls devices */
		return _("used");
	return status_word(d->status);
}

/* What a card, scratch codes or a temporary passcode are good for, under its line. */
static void print_details(const struct sls_device *d, const struct sls_device_state *ds, time_t now)
{
	char a[32], b[32];

	if (d->type == &sls_devtype_scratch && d->status == SLS_STATUS_ACTIVE)
		printf(_("  %zu of %u codes left\n"), sls_scratch_left(d, ds), d->u.scratch.ncodes);

	sls_cli_time(d->expires, b, sizeof(b));
	if (d->type == &sls_devtype_card && d->status == SLS_STATUS_ACTIVE &&
	    sls_card_id(d, a, sizeof(a)) == SLS_OK) {
		if (d->expires)
			/* TRANSLATORS: a card's id ("4821-7730"), then a date and time */
			printf(_("  card %s, valid until %s\n"), a, b);
		else
			printf(_("  card %s, no expiry\n"), a);
	}
	if (!d->type->stand_in)
		return;
	sls_cli_time(sls_tempcode_login_until(d), a, sizeof(a));
	switch (sls_tempcode_phase(d, now)) {
	case SLS_TEMPCODE_LOGIN:
		/* TRANSLATORS: a temporary passcode: two dates and times */
		printf(_("  logs in until %s; then only sls card print takes it, until %s\n"), a,
		       b);
		break;
	case SLS_TEMPCODE_CARD:
		/* TRANSLATORS: a temporary passcode: two dates and times */
		printf(_("  only sls card print takes it, until %s (logins ended %s)\n"), b, a);
		break;
	default:
		break;
	}
}

static void print_devices(struct sls_cli *cli, const struct sls_user *user,
			  const struct sls_state *state)
{
	char created[32], used[32];

	/* TRANSLATORS: the headings of sls devices; columns 16, 8, 5, 8, 16, 16 wide */
	const char *headings[] = {_("NAME"),    _("TYPE"),      _("LEVEL"), _("STATUS"),
				  _("CREATED"), _("LAST USED"), _("LABEL")};
	static const int widths[] = {16, 8, 5, 8, 16, 16};

	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		sls_cli_cell(stdout, headings[i], widths[i]);
		putchar(' ');
	}
	printf("%s\n", headings[6]);
	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];
		const struct sls_device_state *ds = sls_state_find(state, d);
		bool gone = sls_cli_dead_share(cli, user, d, time(NULL));

		sls_cli_time(d->created, created, sizeof(created));
		sls_cli_time(ds ? ds->last_used : 0, used, sizeof(used));
		printf("%-16s %-8s %-5d ", d->name, d->type->name, d->level);
		sls_cli_cell(stdout, status_text(user, d, ds, gone), 8);
		printf(" %-16s %-16s %s\n", created, used, d->label[0] ? d->label : "-");
		print_details(d, ds, time(NULL));
		if (d->shared_with[0] != '\0')
			/* TRANSLATORS: the users (comma-separated) a device is shared with */
			printf(_("  shared with %s\n"), d->shared_with);
		if (d->shared_from[0] != '\0' && gone)
			/* TRANSLATORS: the user whose device this one is */
			printf(_("  shared from %s: no longer answers (revoked, transferred or "
				 "expired there, or the identities differ)\n"),
			       d->shared_from);
		else if (d->shared_from[0] != '\0')
			/* TRANSLATORS: the user whose device this one is */
			printf(_("  shared from %s\n"), d->shared_from);
	}
}

static int show(struct sls_cli *cli, const struct sls_user *user, const struct sls_state *state,
		void *arg)
{
	size_t *count = arg;

	if (user->ndevices == 0)
		/* TRANSLATORS: a user name, then the synopsis of sls enroll */
		printf(_("%s has no devices: enroll one with sls enroll %s\n"), cli->user,
		       _(sls_verb_enroll.synopsis));
	else
		print_devices(cli, user, state);
	*count = user->ndevices;
	return SLS_EXIT_OK;
}

/* Devices and state of cli->user, printed; *count gets the number of devices. */
int sls_cli_show_devices(struct sls_cli *cli, size_t *count)
{
	*count = 0;
	return sls_cli_view(cli, show, count);
}

static int show_own(struct sls_cli *cli, char **args)
{
	size_t count;

	(void)args;
	return sls_cli_show_devices(cli, &count);
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	return sls_cli_run_args(cli, argc, argv, 0, show_own);
}

const struct sls_verb sls_verb_devices = {
    .name = "devices",
    .synopsis = "",
    .summary = N_("list your devices"),
    .run = run,
};
