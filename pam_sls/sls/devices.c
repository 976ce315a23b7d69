/* sls devices - the caller's devices (or --user's), with their state. */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

static void print_devices(const struct sls_user *user, struct sls_state *state)
{
	char created[32], used[32];

	printf("%-16s %-8s %-5s %-8s %-16s %-16s %s\n", "NAME", "TYPE", "LEVEL", "STATUS",
	       "CREATED", "LAST USED", "LABEL");
	for (size_t i = 0; i < user->ndevices; i++) {
		const struct sls_device *d = &user->devices[i];
		const struct sls_device_state *ds = sls_state_find(state, d);

		sls_cli_time(d->created, created, sizeof(created));
		sls_cli_time(ds ? ds->last_used : 0, used, sizeof(used));
		printf("%-16s %-8s %-5d %-8s %-16s %-16s %s\n", d->name, d->type->name, d->level,
		       d->status == SLS_STATUS_ACTIVE && !sls_device_usable(d, time(NULL))
			   ? "expired"
			   : sls_device_status_name(d->status),
		       created, used, d->label[0] ? d->label : "-");
	}
}

/* Devices and state of cli->user, printed; *count gets the number of devices. */
int sls_cli_show_devices(struct sls_cli *cli, size_t *count)
{
	struct sls_user *user = calloc(1, sizeof(*user));
	struct sls_state *state = calloc(1, sizeof(*state));
	int status;

	if (user == NULL || state == NULL)
		err(SLS_EXIT_USAGE, "out of memory");
	status = sls_cli_read_user(cli, user, true);
	if (status == SLS_EXIT_OK)
		status = sls_cli_read_state(cli, state);
	if (status == SLS_EXIT_OK && user->ndevices == 0)
		printf("%s has no devices: enroll one with sls enroll %s\n", cli->user,
		       sls_verb_enroll.synopsis);
	else if (status == SLS_EXIT_OK)
		print_devices(user, state);
	*count = user->ndevices;
	sls_user_clear(user);
	sls_state_clear(state);
	free(user);
	free(state);
	return status;
}

static int run(struct sls_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {SLS_COMMON_OPTIONS};
	size_t count;
	int status;

	while (sls_cli_getopt(cli, argc, argv, longopts) != -1)
		;
	if (argc - optind != 0)
		sls_cli_usage(cli);
	status = sls_cli_start(cli);
	return status == SLS_EXIT_OK ? sls_cli_show_devices(cli, &count) : status;
}

const struct sls_verb sls_verb_devices = {
    .name = "devices",
    .synopsis = "",
    .summary = "list your devices",
    .run = run,
};
