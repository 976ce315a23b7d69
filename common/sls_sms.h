/*
 * pam_sls - sending a code to a phone: an SMS by a program or into an
 * smstools spool, or a voice call by a program ([sms] of sls.conf).
 */
#ifndef SLS_SMS_H
#define SLS_SMS_H

#include <stdbool.h>

#include "sls_config.h"
#include "sls_error.h"

enum sls_sms_channel {
	SLS_SMS_TEXT,  /* [sms] command, else [sms] spool */
	SLS_SMS_VOICE, /* [sms] voice_command */
};

/* What became of a send, for the journal (never the code or the number). */
struct sls_sms_result {
	char output[256]; /* the sender's first line, printable, digit runs masked; may be "" */
	int status;       /* its exit status; -1 when it did not exit by itself */
	bool timed_out;   /* killed at [sms] timeout */
};

/*
 * Send text to number (the stored form, "+" and digits).
 *
 * A program (command=, voice_command=) must be a regular file of root's (or
 * the euid's) that nobody else may write; it runs with fork and execve,
 * never a shell: argv [program, NUMBER], text on stdin, the environment PATH and
 * LANG only, stdout and stderr to one pipe of which the first line is
 * kept, in a process group of its own that is killed at [sms] timeout. It
 * succeeds when it exits 0.
 *
 * The spool (spool=, an smstools outgoing directory): the file "To: "
 * number without "+", "Alphabet: UTF-8", a blank line and text, written
 * and fsync'ed as a dot-file in the spool's parent directory (on the same
 * filesystem), readable by the spool's group, then renamed into the spool
 * under a unique name (never over another file).
 *
 * SLS_OK; SLS_ERR_SENDER when no sender is set for the channel or it
 * failed (missing or not executable, a non-zero exit, the timeout, a spool
 * that cannot be written), with *res saying what it can; SLS_ERR_NOMEM.
 * The caller holds no lock: this may take [sms] timeout seconds.
 */
enum sls_rc sls_sms_send(const struct sls_config *conf, enum sls_sms_channel ch, const char *number,
			 const char *text, struct sls_sms_result *res);

/* Whether a sender is set for ch. */
bool sls_sms_can(const struct sls_config *conf, enum sls_sms_channel ch);

#endif /* SLS_SMS_H */
