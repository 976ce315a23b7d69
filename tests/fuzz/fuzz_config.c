/* libFuzzer harness: sls.conf parser. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sls_config.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sls_config conf, defaults;
	struct sls_diag diag = {0};
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sls_config_defaults(&conf);
	sls_config_defaults(&defaults);
	if (sls_config_parse(text, &conf, &diag) != SLS_OK) {
		/* a rejected file leaves exactly the defaults, and names a line */
		if (memcmp(&conf, &defaults, sizeof(conf)) != 0 || diag.msg[0] == '\0')
			abort();
	} else if (conf.store_dir[0] != '/' || conf.deny == 0) {
		abort();
	}
	free(text);
	return 0;
}
