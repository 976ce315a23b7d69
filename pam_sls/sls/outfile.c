/*
 * sls - a new file for what holds a secret (a QR code image, a security
 * code card): created exclusively as the caller, 0600, buffered through a
 * buffer we wipe, removed again after a failure (outfile.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/* Map the errno of the failed exclusive create to an sls_rc. */
static enum sls_rc rc_from_create_errno(int err)
{
	switch (err) {
	case EEXIST: /* also a symlink, dangling or not: O_EXCL never follows one */
		return SLS_ERR_EXISTS;
	case ENOENT:
		return SLS_ERR_NOENT;
	case ELOOP:
		return SLS_ERR_UNSAFE;
	default:
		return SLS_ERR_IO;
	}
}

/* The exclusive create (outfile.h). */
enum sls_rc sls_outfile_create(const char *path, struct sls_outfile *f)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return rc_from_create_errno(errno);
	if (fstat(fd, &f->st) != 0 || (f->fp = fdopen(fd, "wb")) == NULL) {
		/* we created path an instant ago: remove it */
		saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return saved == ENOMEM ? SLS_ERR_NOMEM : SLS_ERR_IO;
	}
	return SLS_OK;
}

/* fflush, fsync, fclose: all must succeed. */
enum sls_rc sls_outfile_finish(struct sls_outfile *f)
{
	enum sls_rc rc = SLS_ERR_IO;
	FILE *fp = f->fp;

	f->fp = NULL;
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		fclose(fp);
		return rc;
	}
	if (fclose(fp) == 0)
		rc = SLS_OK;
	return rc;
}

/* The same file (device and inode) as we made, or none at all, is removed. */
void sls_outfile_abort(const char *path, struct sls_outfile *f)
{
	int saved = errno;
	struct stat st;

	if (f->fp != NULL)
		fclose(f->fp);
	f->fp = NULL;
	if (lstat(path, &st) == 0 && st.st_dev == f->st.st_dev && st.st_ino == f->st.st_ino)
		unlink(path);
	errno = saved;
}
