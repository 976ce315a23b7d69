/* sls - a new file for what holds a secret (outfile.c). */
#ifndef SLS_OUTFILE_H
#define SLS_OUTFILE_H

#include <stdio.h>
#include <sys/stat.h>

#include "sls_error.h"

/*
 * A file being written. stdio buffers through iobuf, which is ours so
 * that it can be wiped after fclose (what went through it encodes the secret).
 * st identifies the file we created, so that a failure removes only that.
 */
struct sls_outfile {
	FILE *fp;
	struct stat st;
	char iobuf[BUFSIZ];
};

/*
 * Create path (never an existing name: SLS_ERR_EXISTS, also for a symlink)
 * with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, and wrap it in f->fp (the
 * caller may give it f->iobuf with setvbuf, and wipes that after).
 */
enum sls_rc sls_outfile_create(const char *path, struct sls_outfile *f);

/* Flush to disk and close; f->fp is closed (and NULL) whatever the result. */
enum sls_rc sls_outfile_finish(struct sls_outfile *f);

/* After a failure: close f if still open, and remove path if it is still the file we made. */
void sls_outfile_abort(const char *path, struct sls_outfile *f);

#endif /* SLS_OUTFILE_H */
