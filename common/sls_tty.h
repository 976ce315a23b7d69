/* sls-authenticator - reading the PIN: from the terminal without echo, or from a file descriptor.
 */
#ifndef SLS_TTY_H
#define SLS_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SLS_PIN_INPUT_MAX 64

/*
 * Read one line (without its newline) into pin (size bytes). With fd >= 0
 * read it from fd (for scripts); otherwise open /dev/tty, print prompt there
 * and read with echo off. 0 on success, -1 on error (errno set; ENOTTY when
 * there is no terminal, EMSGSIZE when the line is too long). On error pin is
 * wiped.
 */
int sls_tty_read_secret(int fd, const char *prompt, char *pin, size_t size);

/*
 * Print prompt to out, then read one line from stdin into buf without its
 * newline. False at end of input, or for a line longer than buf (drained,
 * errno EMSGSIZE): a long line never turns into two answers.
 */
bool sls_tty_ask_line(FILE *out, const char *prompt, char *buf, size_t size);

#endif /* SLS_TTY_H */
