/*
 * Replays inputs through a libFuzzer harness without libFuzzer, so that the
 * seed corpus and any past crash inputs run in every "make check". Each
 * argument is a file, or a directory whose regular files are all replayed.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *grown = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (grown == NULL) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int replay(const char *path)
{
	struct dirent **names;
	struct stat st;
	char child[4096];
	int n, failed = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name);
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
			failed |= replay_file(child);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++)
		failed |= replay(argv[i]);
	return failed;
}
