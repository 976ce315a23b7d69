/* sls - the command line. */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sls_cli.h"
#include "sls_opts.h"

static const struct option longopts[] = {{"conf", required_argument, NULL, 'c'},
					 {"user", required_argument, NULL, 'u'},
					 {"name", required_argument, NULL, 'n'},
					 {"label", required_argument, NULL, 'l'},
					 {"png", required_argument, NULL, 'p'},
					 {"svg", required_argument, NULL, 's'},
					 {"pin-fd", required_argument, NULL, 'f'},
					 {"force", no_argument, NULL, 'F'},
					 {"help", no_argument, NULL, 'h'},
					 {"version", no_argument, NULL, 'V'},
					 {NULL, 0, NULL, 0}};

static const char *const opt_names[] = {"--conf", "--user", "--name",   "--label",
					"--png",  "--svg",  "--pin-fd", "--force"};

static int parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1024)
		errx(SLS_EXIT_USAGE, "invalid --pin-fd %s", s);
	return (int)v;
}

static void take(struct sls_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'c':
		o->conf = arg;
		o->seen |= SLS_OPT_CONF;
		break;
	case 'u':
		o->user = arg;
		o->seen |= SLS_OPT_USER;
		break;
	case 'n':
		o->name = arg;
		o->seen |= SLS_OPT_NAME;
		break;
	case 'l':
		o->label = arg;
		o->seen |= SLS_OPT_LABEL;
		break;
	case 'p':
		o->png = arg;
		o->seen |= SLS_OPT_PNG;
		break;
	case 's':
		o->svg = arg;
		o->seen |= SLS_OPT_SVG;
		break;
	case 'f':
		o->pin_fd = parse_fd(arg);
		o->seen |= SLS_OPT_PIN_FD;
		break;
	case 'F':
		o->force = true;
		o->seen |= SLS_OPT_FORCE;
		break;
	case 'h':
		o->help = true;
		break;
	case 'V':
		o->version = true;
		break;
	default:
		errx(SLS_EXIT_USAGE, "try sls --help");
	}
}

void sls_opts_parse(int argc, char **argv, struct sls_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->pin_fd = -1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		take(o, c, optarg);
	o->nargs = argc - optind;
	o->args = argv + optind;
}

void sls_opts_only(const struct sls_opts *o, const char *verb, unsigned allowed)
{
	unsigned extra = o->seen & ~(allowed | SLS_OPT_CONF | SLS_OPT_USER);

	for (unsigned i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if (extra & (1u << i))
			errx(SLS_EXIT_USAGE, "%s does not take %s", verb, opt_names[i]);
}
