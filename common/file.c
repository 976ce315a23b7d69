/*
 * pam_sls - safe file I/O: directories walked without following symlinks,
 * checked reads, atomic replace. See sls_file.h for the contracts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sls_file.h"
#include "sls_secret.h"

/* close() for cleanup paths: the caller's errno is what explains the failure. */
static void close_keep_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* Map the errno of a failed O_NOFOLLOW open to an sls_rc. */
static enum sls_rc rc_from_open_errno(int err)
{
	switch (err) {
	case ENOENT:
		return SLS_ERR_NOENT;
	case ELOOP:   /* the name is a symlink (O_NOFOLLOW) */
	case ENOTDIR: /* not a directory, or a symlink with O_DIRECTORY */
		return SLS_ERR_UNSAFE;
	default:
		return SLS_ERR_IO;
	}
}

enum sls_rc sls_fd_check(int fd, uid_t owner, struct stat *out)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return SLS_ERR_IO;
	if (out != NULL)
		*out = st;
	/* nlink 0: replaced (renamed over) since it was opened; still whole. */
	if (!S_ISREG(st.st_mode) || st.st_nlink > 1 || st.st_uid != owner ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return SLS_ERR_UNSAFE;
	return SLS_OK;
}

static enum sls_rc dir_check(int fd, uid_t owner)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return SLS_ERR_IO;
	if (!S_ISDIR(st.st_mode) || st.st_uid != owner || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return SLS_ERR_UNSAFE;
	return SLS_OK;
}

/*
 * A directory on the way to the final one (and "/" or the cwd the walk
 * starts from): root's or owner's, and writable by nobody else, as OpenSSH
 * checks the path of authorized_keys. Whoever may write to a parent could
 * rename the store away and put one of their own in its place. A sticky
 * world-writable directory such as /tmp is refused too.
 */
static enum sls_rc parent_check(int fd, uid_t owner)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return SLS_ERR_IO;
	if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != owner) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return SLS_ERR_UNSAFE;
	return SLS_OK;
}

#define SLS_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * mkdir comp 0700 and open it; -1 with errno on failure. EEXIST is no
 * error: a concurrent creator won, and the caller checks what is there.
 * The umask may strip bits off the 0700, even the owner's, and then the
 * open fails with EACCES: fchmodat with AT_SYMLINK_NOFOLLOW puts them back
 * without following a symlink swapped in meanwhile.
 */
static int make_dir(int parent, const char *comp, bool *created)
{
	int fd;

	if (mkdirat(parent, comp, 0700) == 0)
		*created = true;
	else if (errno != EEXIST)
		return -1;
	fd = openat(parent, comp, SLS_DIR_FLAGS);
	if (fd < 0 && errno == EACCES && *created &&
	    fchmodat(parent, comp, 0700, AT_SYMLINK_NOFOLLOW) == 0)
		fd = openat(parent, comp, SLS_DIR_FLAGS);
	return fd;
}

/*
 * Open directory comp of parent for real use (fsync, openat, fstat) and
 * check it. With create, a missing one is made 0700 whatever the umask.
 */
static enum sls_rc open_final_dir(int parent, const char *comp, uid_t owner, bool create, int *out)
{
	enum sls_rc rc = SLS_ERR_IO;
	bool created = false;
	int fd;

	fd = openat(parent, comp, SLS_DIR_FLAGS);
	if (fd < 0 && errno == ENOENT && create)
		fd = make_dir(parent, comp, &created);
	if (fd < 0) {
		rc = rc_from_open_errno(errno);
		goto out;
	}
	rc = dir_check(fd, owner);
	if (rc == SLS_OK && created && fchmod(fd, 0700) != 0)
		rc = SLS_ERR_IO;
out:
	if (rc == SLS_OK)
		*out = fd;
	else
		close_keep_errno(fd);
	return rc;
}

/*
 * Split the next component off the path at *cursor (in place), skipping
 * empty and "." components. NULL at the end.
 */
static char *next_component(char **cursor)
{
	char *p = *cursor, *comp;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0') {
			*cursor = p;
			return NULL;
		}
		comp = p;
		while (*p != '\0' && *p != '/')
			p++;
		if (*p == '/')
			*p++ = '\0';
		if (strcmp(comp, ".") != 0) {
			*cursor = p;
			return comp;
		}
	}
}

/*
 * Walk copy (a writable copy of the path) from start, consuming start.
 * Intermediate directories are opened O_PATH (search permission is enough)
 * with O_NOFOLLOW|O_DIRECTORY, so a symlink anywhere fails the walk, and
 * each must pass parent_check. ".." is refused: a store path has no
 * business climbing.
 */
static enum sls_rc walk(int start, char *copy, uid_t owner, bool create, int *out)
{
	enum sls_rc rc;
	char *cursor = copy, *comp, *next;
	int fd = start, nfd;

	rc = parent_check(fd, owner);
	if (rc != SLS_OK)
		goto out;
	comp = next_component(&cursor);
	if (comp == NULL) { /* "/" or "." itself */
		rc = open_final_dir(fd, ".", owner, false, out);
		goto out;
	}
	for (; comp != NULL; comp = next) {
		next = next_component(&cursor);
		if (strcmp(comp, "..") == 0) {
			rc = SLS_ERR_INVAL;
			goto out;
		}
		if (next == NULL) {
			rc = open_final_dir(fd, comp, owner, create, out);
			goto out;
		}
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			rc = rc_from_open_errno(errno);
			goto out;
		}
		close(fd);
		fd = nfd;
		rc = parent_check(fd, owner);
		if (rc != SLS_OK)
			goto out;
	}
out:
	close_keep_errno(fd);
	return rc;
}

enum sls_rc sls_dir_open(const char *path, uid_t owner, bool create, int *dirfd)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	char *copy = NULL;
	int start;

	if (dirfd == NULL)
		return SLS_ERR_INVAL;
	*dirfd = -1;
	if (path == NULL || path[0] == '\0')
		goto out;
	rc = SLS_ERR_NOMEM;
	copy = strdup(path);
	if (copy == NULL)
		goto out;
	rc = SLS_ERR_IO;
	start = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (start < 0)
		goto out;
	rc = walk(start, copy, owner, create, dirfd);
out:
	free(copy);
	return rc;
}

enum sls_rc sls_subdir_open(int dirfd, const char *name, uid_t owner, bool create, int *subfd)
{
	if (subfd == NULL)
		return SLS_ERR_INVAL;
	*subfd = -1;
	if (dirfd < 0)
		return SLS_ERR_INVAL;
	if (!sls_name_valid(name))
		return SLS_ERR_NAME;
	return open_final_dir(dirfd, name, owner, create, subfd);
}

/*
 * Open name for reading and check it. The fstatat before the open refuses
 * a symlink, FIFO or device before open() can touch it; the fstat of the
 * opened fd is the check that counts.
 */
static enum sls_rc open_checked(int dirfd, const char *name, uid_t owner, struct stat *st, int *out)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	enum sls_rc rc;
	int fd;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? SLS_ERR_NOENT : SLS_ERR_IO;
	if (!S_ISREG(st->st_mode))
		return SLS_ERR_UNSAFE;
	fd = openat(dirfd, name, flags);
	if (fd < 0)
		return rc_from_open_errno(errno);
	rc = sls_fd_check(fd, owner, st);
	if (rc == SLS_OK)
		*out = fd;
	else
		close_keep_errno(fd);
	return rc;
}

/* Read up to len bytes, stopping early only at end of file; *got says how many. */
static enum sls_rc read_full(int fd, char *buf, size_t len, size_t *got)
{
	ssize_t n;

	*got = 0;
	while (*got < len) {
		n = read(fd, buf + *got, len - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return SLS_ERR_IO;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return SLS_OK;
}

/*
 * Read the size bytes fstat promised. A file that grows while read is being
 * written in place, which our writers never do: SLS_ERR_IO with EAGAIN.
 */
static enum sls_rc read_contents(int fd, size_t size, char **out, size_t *outlen)
{
	enum sls_rc rc = SLS_ERR_NOMEM;
	char *buf = malloc(size + 1);
	char probe = 0;
	size_t got = 0, extra = 0;

	if (buf == NULL)
		goto out;
	rc = read_full(fd, buf, size, &got);
	if (rc == SLS_OK && got == size)
		rc = read_full(fd, &probe, 1, &extra);
	if (rc != SLS_OK)
		goto out;
	rc = SLS_ERR_IO;
	if (extra != 0) {
		errno = EAGAIN;
		goto out;
	}
	buf[got] = '\0';
	rc = SLS_ERR_FORMAT;
	if (memchr(buf, '\0', got) != NULL)
		goto out;
	*out = buf;
	*outlen = got;
	rc = SLS_OK;
out:
	sls_wipe(&probe, sizeof(probe));
	if (rc != SLS_OK)
		sls_free_secret(buf, size + 1);
	return rc;
}

enum sls_rc sls_file_read(int dirfd, const char *name, uid_t owner, size_t max, char **buf,
			  size_t *len)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	struct stat st;
	int fd = -1;

	if (buf == NULL || len == NULL)
		return SLS_ERR_INVAL;
	*buf = NULL;
	*len = 0;
	if (dirfd < 0)
		goto out;
	rc = SLS_ERR_NAME;
	if (!sls_name_valid(name))
		goto out;
	rc = open_checked(dirfd, name, owner, &st, &fd);
	if (rc != SLS_OK)
		goto out;
	rc = SLS_ERR_TOOBIG;
	if (st.st_size < 0 || (unsigned long long)st.st_size > max)
		goto out;
	rc = read_contents(fd, (size_t)st.st_size, buf, len);
out:
	close_keep_errno(fd);
	return rc;
}

/*
 * The temp name of name: ".NAME#new". There is one per target, because the
 * caller holds the lock of that target (the contract of sls_file_replace):
 * no other writer uses the name now, so a file found under it is what a
 * writer killed between create and rename left behind, and it is removed
 * here, before this write. No stale temp file outlives the next write of
 * its target. '#' is refused by sls_name_valid, so a temp file can never be
 * taken for a user's file.
 */
static enum sls_rc temp_name(const char *name, char *out, size_t outsize)
{
	int n = snprintf(out, outsize, ".%s#new", name);

	return n > 0 && (size_t)n < outsize ? SLS_OK : SLS_ERR_NAME;
}

/* Create the temp file of name, removing a stale one first; tmp gets its name. */
static enum sls_rc temp_create(int dirfd, const char *name, char *tmp, size_t tmpsize, int *out)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	enum sls_rc rc = temp_name(name, tmp, tmpsize);

	if (rc != SLS_OK)
		goto fail;
	/* unlinkat removes a symlink or FIFO itself, never what it points to */
	if (unlinkat(dirfd, tmp, 0) != 0 && errno != ENOENT) {
		rc = SLS_ERR_IO;
		goto fail;
	}
	*out = openat(dirfd, tmp, flags, 0600);
	if (*out >= 0)
		return SLS_OK;
	rc = SLS_ERR_IO;
fail:
	tmp[0] = '\0'; /* nothing of ours to remove */
	return rc;
}

enum sls_rc sls_file_read_path(const char *path, uid_t owner, size_t max, char **buf, size_t *len)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	char dir[PATH_MAX];
	enum sls_rc rc;
	int dirfd = -1, saved;

	if (buf == NULL || len == NULL)
		return SLS_ERR_INVAL;
	*buf = NULL;
	*len = 0;
	if (slash == NULL || path[0] != '/' || slash[1] == '\0' ||
	    (size_t)(slash - path) >= sizeof(dir))
		return SLS_ERR_INVAL;
	/* a file in / has "/" for its directory */
	memcpy(dir, path, slash == path ? 1 : (size_t)(slash - path));
	dir[slash == path ? 1 : slash - path] = '\0';
	rc = sls_dir_open(dir, owner, false, &dirfd);
	if (rc == SLS_OK)
		rc = sls_file_read(dirfd, slash + 1, owner, max, buf, len);
	saved = errno;
	if (dirfd >= 0)
		close(dirfd);
	errno = saved;
	return rc;
}

enum sls_rc sls_write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return SLS_ERR_IO;
		if (n == 0) { /* should not happen for a regular file; do not spin */
			errno = EIO;
			return SLS_ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return SLS_OK;
}

/* Write, set the final mode (fchmod: no umask) and make both durable. */
static enum sls_rc temp_fill(int fd, const void *data, size_t len, mode_t mode)
{
	enum sls_rc rc = sls_write_full(fd, data, len);

	if (rc != SLS_OK)
		return rc;
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
		return SLS_ERR_IO;
	return SLS_OK;
}

/*
 * Whether the file now called tmp is still the one we wrote through fd.
 * Only a writer that broke the lock contract could have put another there;
 * then nothing is renamed, and the file, not ours, is left alone (EBUSY).
 */
static bool temp_still_ours(int dirfd, const char *tmp, int fd)
{
	struct stat mine, there;

	if (fstat(fd, &mine) != 0 || fstatat(dirfd, tmp, &there, AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	if (mine.st_dev == there.st_dev && mine.st_ino == there.st_ino)
		return true;
	errno = EBUSY;
	return false;
}

/*
 * After a successful renameat the temp name is gone, so only a failure
 * before it removes the temp file. If the final fsync of the directory
 * fails, the new contents are in place but may not survive a power cut:
 * SLS_ERR_IO all the same.
 */
enum sls_rc sls_file_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	enum sls_rc rc = SLS_ERR_INVAL;
	char tmp[SLS_USER_NAME_MAX + 32] = "";
	int fd = -1;

	if (dirfd < 0 || (data == NULL && len > 0) || (mode & ~(mode_t)0777) != 0)
		goto out;
	rc = SLS_ERR_NAME;
	if (!sls_name_valid(name))
		goto out;
	rc = temp_create(dirfd, name, tmp, sizeof(tmp), &fd);
	if (rc != SLS_OK)
		goto out;
	rc = temp_fill(fd, data, len, mode);
	if (rc != SLS_OK)
		goto out;
	rc = SLS_ERR_IO;
	if (!temp_still_ours(dirfd, tmp, fd)) {
		tmp[0] = errno == EBUSY ? '\0' : tmp[0];
		goto out;
	}
	if (close(fd) != 0) { /* Linux: the fd is gone even on error */
		fd = -1;
		goto out;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) != 0)
		goto out;
	tmp[0] = '\0';
	if (fsync(dirfd) != 0)
		goto out;
	rc = SLS_OK;
out:
	close_keep_errno(fd);
	if (tmp[0] != '\0') {
		int saved = errno;

		unlinkat(dirfd, tmp, 0);
		errno = saved;
	}
	return rc;
}

enum sls_rc sls_file_remove(int dirfd, const char *name)
{
	if (dirfd < 0)
		return SLS_ERR_INVAL;
	if (!sls_name_valid(name))
		return SLS_ERR_NAME;
	if (unlinkat(dirfd, name, 0) != 0)
		return errno == ENOENT ? SLS_ERR_NOENT : SLS_ERR_IO;
	if (fsync(dirfd) != 0)
		return SLS_ERR_IO;
	return SLS_OK;
}
