/*
 * pam_sls - the monotonic clock and a wait against a deadline on it, for
 * every bounded wait on a descriptor (slsd's socket, the database's
 * connection) and a sender's run.
 */
#ifndef SLS_CLOCK_H
#define SLS_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC. */
long long sls_now_ms(void);

/*
 * Wait until fd has one of events (poll(2)'s), at most until deadline
 * (sls_now_ms's; -1: no limit). A signal does not start the wait again.
 * 1: it has; 0: the deadline came first (one last look is taken at it);
 * -1 with errno: poll failed.
 */
int sls_poll_until(int fd, short events, long long deadline);

#endif /* SLS_CLOCK_H */
