/* pam_sls - slsd's two halves: the listener (main.c) and one call (serve.c). */
#ifndef SLSD_H
#define SLSD_H

#include <stdbool.h>
#include <sys/socket.h>

/*
 * Seconds a caller has for its HELLO (the module builds it before it
 * connects), and slsd for sending a frame.
 */
#define SLSD_HELLO_TIMEOUT 3
#define SLSD_SEND_TIMEOUT  10
/* The longest wait for an answer, with challenge_timeout 0 (never). */
#define SLSD_CALL_MAX 3600

struct sls_store;

/*
 * Serve one connection (fd, the caller's SO_PEERCRED cred) in a process of
 * its own: its HELLO, the login with the socket as the conversation, the
 * RESULT. conf: sls.conf when the PAM line names none (and the only one a
 * caller without root may name); conf_named: it was named (--conf), so a
 * missing file is an error, not the defaults. warm: a database store the
 * process opened before the call (the spare of main.c), which the login
 * takes when it is what its sls.conf names and still up (sls_pg_reusable),
 * else closes; NULL: none. Returns the exit status for the process.
 */
int slsd_serve(int fd, const struct ucred *cred, const char *conf, bool conf_named,
	       struct sls_store *warm);

#endif /* SLSD_H */
