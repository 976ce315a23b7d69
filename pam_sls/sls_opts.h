/* sls - the command line: options may stand anywhere after "sls". */
#ifndef SLS_OPTS_H
#define SLS_OPTS_H

#include <stdbool.h>

enum sls_opt {
	SLS_OPT_CONF = 1u << 0,
	SLS_OPT_USER = 1u << 1,
	SLS_OPT_NAME = 1u << 2,
	SLS_OPT_LABEL = 1u << 3,
	SLS_OPT_PNG = 1u << 4,
	SLS_OPT_SVG = 1u << 5,
	SLS_OPT_PIN_FD = 1u << 6,
	SLS_OPT_FORCE = 1u << 7,
};

struct sls_opts {
	const char *conf, *user, *name, *label, *png, *svg;
	int pin_fd; /* -1 = ask on the terminal */
	bool force, help, version;
	unsigned seen; /* enum sls_opt bits given */
	int nargs;     /* the verb and its operands */
	char **args;
};

/* Parse argv into *o; exits with usage status 1 on a bad option. */
void sls_opts_parse(int argc, char **argv, struct sls_opts *o);

/*
 * Refuse (message, exit 1) options the verb does not take: allowed is a
 * mask of enum sls_opt; --conf and --user are always allowed.
 */
void sls_opts_only(const struct sls_opts *o, const char *verb, unsigned allowed);

#endif /* SLS_OPTS_H */
