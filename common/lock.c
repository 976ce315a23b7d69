/*
 * pam_sls - per-user locks: flock on STORE/lock/USER.
 *
 * The lock file is never unlinked. If it were, a locker could open the old
 * inode just before the unlink and a second locker create a new one after
 * it: both would "hold" the lock, on different inodes, and one update would
 * be lost. An empty file per user is the price of a lock that always works.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sls_file.h"

/* Poll interval while another process holds the lock. */
#define SLS_LOCK_STEP_MS 10u
/* Attempts when the lock file is found unlinked under us (see lock_stale). */
#define SLS_LOCK_TRIES 3

/*
 * Open the lock file, check it, and with create make it when it is missing
 * and chmod it 0600; without create (a reader that must change nothing) a
 * missing file is SLS_ERR_NOENT and nothing is made or chmod'ed. The
 * fstatat first refuses a symlink, FIFO or device before open() can touch
 * it (O_NONBLOCK: a FIFO put there between the two cannot hang);
 * sls_fd_check on the opened fd is the check that counts.
 */
static enum sls_rc lock_open(int dirfd, const char *name, uid_t owner, bool create, int *out)
{
	const int flags =
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (create ? O_CREAT : 0);
	enum sls_rc rc;
	struct stat st;
	int fd, saved;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode))
			return SLS_ERR_UNSAFE;
	} else if (errno != ENOENT) {
		return SLS_ERR_IO;
	} else if (!create) {
		return SLS_ERR_NOENT;
	}
	fd = openat(dirfd, name, flags, 0600);
	if (fd < 0)
		return errno == ELOOP               ? SLS_ERR_UNSAFE
		       : errno == ENOENT && !create ? SLS_ERR_NOENT
						    : SLS_ERR_IO;
	rc = sls_fd_check(fd, owner, &st);
	/* 0600 whatever the umask, or a non-root owner could not reopen it. */
	if (create && rc == SLS_OK && (st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0)
		rc = SLS_ERR_IO;
	if (rc != SLS_OK) {
		saved = errno;
		close(fd);
		errno = saved;
		return rc;
	}
	*out = fd;
	return SLS_OK;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Try LOCK_NB, sleep a step, and so on until timeout_ms of sleeping. The
 * budget counts the sleeps rather than reading a clock: tests freeze the
 * clock with libfaketime, and a frozen clock must not mean waiting forever.
 * No SIGALRM either: a module must not touch its host's signals.
 */
static enum sls_rc lock_wait(int fd, unsigned timeout_ms)
{
	unsigned waited = 0, step;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return SLS_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return SLS_ERR_IO;
		if (waited >= timeout_ms) {
			errno = ETIMEDOUT;
			return SLS_ERR_LOCK;
		}
		step =
		    timeout_ms - waited < SLS_LOCK_STEP_MS ? timeout_ms - waited : SLS_LOCK_STEP_MS;
		sleep_ms(step);
		waited += step;
	}
}

/*
 * True when the locked file has been unlinked since it was opened (by
 * hand: we never do it). Its lock guards nothing; lock the new file.
 */
static bool lock_stale(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_nlink == 0;
}

/* sls_lock_acquire and sls_lock_acquire_existing: create says which. */
static enum sls_rc acquire(int lockdirfd, const char *name, uid_t owner, unsigned timeout_ms,
			   bool create, int *lockfd)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	int fd = -1, saved;

	if (lockfd == NULL)
		return SLS_ERR_INVAL;
	*lockfd = -1;
	if (lockdirfd < 0)
		return SLS_ERR_INVAL;
	if (!sls_name_valid(name))
		return SLS_ERR_NAME;
	for (int i = 0; i < SLS_LOCK_TRIES; i++) {
		rc = lock_open(lockdirfd, name, owner, create, &fd);
		if (rc != SLS_OK)
			break;
		rc = lock_wait(fd, timeout_ms);
		if (rc != SLS_OK || !lock_stale(fd))
			break;
		close(fd); /* drops the useless lock: look for the file again */
		fd = -1;
		rc = SLS_ERR_LOCK;
	}
	if (rc == SLS_OK) {
		*lockfd = fd;
	} else if (fd >= 0) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return rc;
}

enum sls_rc sls_lock_acquire(int lockdirfd, const char *name, uid_t owner, unsigned timeout_ms,
			     int *lockfd)
{
	return acquire(lockdirfd, name, owner, timeout_ms, true, lockfd);
}

enum sls_rc sls_lock_acquire_existing(int lockdirfd, const char *name, uid_t owner,
				      unsigned timeout_ms, int *lockfd)
{
	return acquire(lockdirfd, name, owner, timeout_ms, false, lockfd);
}

/*
 * One /proc/locks line: "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF".
 * Waiting lockers have "->" after the number and are not holders.
 */
static pid_t holder_in_line(const char *line, const struct stat *st)
{
	char kind[16], mode[16], rw[16];
	unsigned maj, min;
	unsigned long long ino;
	long pid;

	if (strstr(line, "->") != NULL || sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu", kind,
						 mode, rw, &pid, &maj, &min, &ino) != 7)
		return 0;
	if (strcmp(kind, "FLOCK") != 0 || maj != major(st->st_dev) || min != minor(st->st_dev) ||
	    ino != (unsigned long long)st->st_ino || pid <= 0)
		return 0;
	return (pid_t)pid;
}

pid_t sls_lock_holder(int lockdirfd, const char *name)
{
	char line[256];
	struct stat st;
	pid_t pid = 0;
	FILE *f;

	if (lockdirfd < 0 || !sls_name_valid(name) ||
	    fstatat(lockdirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	f = fopen("/proc/locks", "re");
	if (f == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof(line), f) != NULL)
		pid = holder_in_line(line, &st);
	fclose(f);
	return pid;
}

void sls_lock_release(int lockfd)
{
	int saved = errno;

	if (lockfd < 0)
		return;
	flock(lockfd, LOCK_UN); /* close() would drop it too; say so explicitly */
	close(lockfd);
	errno = saved;
}
