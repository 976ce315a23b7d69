/* sls-authenticator - run the sls-qrdecode helper and collect its output. */
#ifndef SLS_QRRUN_H
#define SLS_QRRUN_H

/*
 * Decode the QR code in the image at path with the sls-qrdecode helper (found
 * beside this program, else in LIBEXECDIR), run with fork+execv, no shell.
 * On success *text is a malloc'ed NUL-terminated copy of the code's text
 * (free with sls_free_secret_str) and the result is 0; otherwise -1 and the
 * helper's message has gone to stderr.
 */
int qrrun_decode(const char *path, char **text);

#endif /* SLS_QRRUN_H */
