/* Replays a fuzz target over files given on the command line, so the
 * committed corpus runs in `make check` without clang or libFuzzer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;
		if (!f)
			continue; /* an empty corpus glob */
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		if (len < 0 || !(buf = malloc((size_t)len + 1)) || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	printf("replay %s: %d inputs\n", argv[0], n);
	return 0;
}
