/*
 * sls - a new secret for a device and its first answer: what sls enroll,
 * sls transfer and sls pin share (newdev.c).
 */
#ifndef SLS_NEWDEV_H
#define SLS_NEWDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "sls_tty.h"

/* A device being made (or remade), its URI, and the answer that confirmed it. */
struct sls_newdev {
	struct sls_device dev;
	char pin[SLS_PIN_INPUT_MAX];
	char *uri;
	struct sls_attempt confirm; /* the answer that confirmed the device */
	uint64_t confirm_step;
	size_t stand_ins_revoked; /* temporary passcodes its activation revoked */
};

/* Wipe e (it holds the secret and the PIN). */
void sls_newdev_clear(struct sls_newdev *e);

/*
 * Ask the new PIN of e->dev (twice on a terminal; once from pin_fd >= 0),
 * check it against the PIN policy (user's name, verified phone) and hand it
 * to the type. On a terminal a refused PIN is asked again (up to three
 * times) when retry; otherwise it ends with SLS_EXIT_INPUT. The rule broken
 * is said, never the PIN.
 */
int sls_newdev_choose_pin(struct sls_cli *cli, int pin_fd, bool retry, struct sls_newdev *e,
			  const struct sls_user *user);

/* A new secret for e->dev (type and name set) and its URI, issued by this host. */
int sls_newdev_provision(struct sls_cli *cli, struct sls_newdev *e);

/* QR in the terminal, optional image files (png, svg: NULL for none), then the URI. */
int sls_newdev_show(const struct sls_cli *cli, const char *png, const char *svg,
		    const struct sls_newdev *e);

/*
 * One right answer from e->dev, asked by its type (no time limit: the user
 * may have a QR code to scan first), up to three tries. Not counted: the
 * device cannot log in before this. True when right.
 */
bool sls_newdev_confirmed(const struct sls_cli *cli, struct sls_newdev *e);

/*
 * In a transaction (SLS_CLI_USER | SLS_CLI_STATE; arg: the sls_newdev):
 * the answer that confirmed e->dev (a TOTP step, a challenge) is used and
 * may not log in again; its state entry belongs to e->dev.
 */
int sls_newdev_record_confirmation(struct sls_cli *cli, struct sls_txn *t, void *arg);

#endif /* SLS_NEWDEV_H */
