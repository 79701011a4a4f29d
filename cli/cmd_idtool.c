// SPDX-License-Identifier: MPL-2.0
// `weft idtool`: identity files and signatures, command for command and message for message
// as ZeroTier One's identity tool (service.md §3.3), so scripts written for it keep working.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fs.h"
#include "hex.h"
#include "identity.h"
#include "random.h"

#define MAX_INPUT_FILE (64u << 20)

struct idtool_cmd {
	const char *name;
	int (*run)(int argc, char **argv); // argv[0] is the subcommand
	int min_args;
	int missing_exit; // exit status when arguments are missing
	const char *usage;
};

static const char *prog = "weft idtool";

static void help(void);

// An identity argument is a literal string (longer than 32 chars, ':' at index 10) or a file.
static bool load_identity(const char *arg, struct weft_identity *id)
{
	size_t len = strlen(arg);
	if (len > 32 && arg[10] == ':')
		return weft_identity_from_string(id, arg, len, NULL) == WEFT_OK;
	char *text = weft_fs_read(arg, 4096, &len);
	if (!text)
		return false;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
	               text[len - 1] == '\t'))
		len--;
	bool ok = weft_identity_from_string(id, text, len, NULL) == WEFT_OK;
	memset(text, 0, len);
	free(text);
	return ok;
}

static bool write_identity(const char *path, const struct weft_identity *id, bool secret)
{
	char s[WEFT_IDENTITY_STR_SECRET_LEN + 1];
	size_t n = weft_identity_to_string(id, secret, s, sizeof s);
	int r = weft_fs_write_atomic(path, s, n, secret ? 0600 : 0644);
	memset(s, 0, sizeof s);
	if (r != 0) {
		fprintf(stderr, "Error writing to %s\n", path);
		return false;
	}
	printf("%s written\n", path);
	return true;
}

static bool vanity_match(uint64_t addr, uint64_t prefix, unsigned bits)
{
	return bits == 0 || (addr >> (40 - bits)) == (prefix >> (40 - bits));
}

static int cmd_generate(int argc, char **argv)
{
	struct weft_identity id;
	uint64_t prefix = 0;
	unsigned bits = 0;
	if (argc >= 4) {
		size_t vl = strlen(argv[3]);
		if (vl > 10 || !weft_hex_u64(&prefix, argv[3], vl)) {
			fprintf(stderr, "vanity prefix must be 1 to 10 hex digits: %s\n", argv[3]);
			return 1;
		}
		bits = (unsigned)vl * 4;
		prefix <<= 40 - bits;
	}
	for (;;) {
		if (weft_identity_generate(&id, weft_os_random, NULL) != WEFT_OK) {
			fprintf(stderr, "identity generation failed: out of memory\n");
			return 1;
		}
		if (vanity_match(id.address, prefix, bits))
			break;
		fprintf(stderr,
		        "vanity address: tried %010llx looking for first %u bits of %010llx\n",
		        (unsigned long long)id.address, bits, (unsigned long long)prefix);
	}
	if (bits)
		fprintf(stderr, "vanity address: found %010llx !\n",
		        (unsigned long long)id.address);
	int rc = 0;
	if (argc >= 2) {
		if (!write_identity(argv[1], &id, true) ||
		    (argc >= 3 && !write_identity(argv[2], &id, false)))
			rc = 1;
	} else {
		char s[WEFT_IDENTITY_STR_SECRET_LEN + 1];
		weft_identity_to_string(&id, true, s, sizeof s);
		fputs(s, stdout);
		memset(s, 0, sizeof s);
	}
	weft_identity_clear(&id);
	return rc;
}

static int bad_identity(const char *arg)
{
	fprintf(stderr, "Identity argument invalid or file unreadable: %s\n", arg);
	return 1;
}

static int cmd_validate(int argc, char **argv)
{
	struct weft_identity id;
	(void)argc;
	if (!load_identity(argv[1], &id))
		return bad_identity(argv[1]);
	enum weft_result r = weft_identity_validate(&id);
	weft_identity_clear(&id);
	if (r != WEFT_OK) {
		fprintf(stderr, "%s FAILED validation.\n", argv[1]);
		return 1;
	}
	printf("%s is a valid identity\n", argv[1]);
	return 0;
}

static int cmd_getpublic(int argc, char **argv)
{
	struct weft_identity id;
	char s[WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
	(void)argc;
	if (!load_identity(argv[1], &id))
		return bad_identity(argv[1]);
	weft_identity_to_string(&id, false, s, sizeof s);
	weft_identity_clear(&id);
	fputs(s, stdout);
	return 0;
}

static int cmd_sign(int argc, char **argv)
{
	struct weft_identity id;
	uint8_t sig[WEFT_SIGNATURE_LEN];
	char hex[2 * WEFT_SIGNATURE_LEN + 1];
	size_t len;
	(void)argc;
	if (!load_identity(argv[1], &id))
		return bad_identity(argv[1]);
	if (!id.has_secret) {
		fprintf(stderr, "%s does not contain a private key (must use private to sign)\n",
		        argv[1]);
		return 1;
	}
	char *data = weft_fs_read(argv[2], MAX_INPUT_FILE, &len);
	if (!data) {
		weft_identity_clear(&id);
		fprintf(stderr, "%s is not readable\n", argv[2]);
		return 1;
	}
	weft_identity_sign(&id, data, len, sig);
	weft_identity_clear(&id);
	free(data);
	weft_hex_encode(hex, sig, sizeof sig);
	fputs(hex, stdout);
	return 0;
}

// The signature argument is hex, or a file holding hex.
static bool load_signature(const char *arg, uint8_t sig[WEFT_SIGNATURE_LEN])
{
	size_t len = strlen(arg);
	if (weft_hex_decode(sig, WEFT_SIGNATURE_LEN, arg, len))
		return true;
	char *text = weft_fs_read(arg, 4096, &len);
	if (!text)
		return false;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	bool ok = weft_hex_decode(sig, WEFT_SIGNATURE_LEN, text, len);
	free(text);
	return ok;
}

static int cmd_verify(int argc, char **argv)
{
	struct weft_identity id;
	uint8_t sig[WEFT_SIGNATURE_LEN];
	size_t len;
	(void)argc;
	if (!load_identity(argv[1], &id))
		return bad_identity(argv[1]);
	char *data = weft_fs_read(argv[2], MAX_INPUT_FILE, &len);
	if (!data) {
		fprintf(stderr, "%s is not readable\n", argv[2]);
		return 1;
	}
	bool ok =
	    load_signature(argv[3], sig) && weft_identity_verify(&id, data, len, sig, sizeof sig);
	free(data);
	weft_identity_clear(&id);
	if (!ok) {
		fprintf(stderr, "%s signature check FAILED\n", argv[2]);
		return 1;
	}
	printf("%s signature valid\n", argv[2]);
	return 0;
}

static const struct idtool_cmd cmds[] = {
    {"generate", cmd_generate, 0, 1, "[<identity.secret>] [<identity.public>] [<vanity>]"},
    {"validate", cmd_validate, 1, 1, "<identity.secret/public>"},
    {"getpublic", cmd_getpublic, 1, 1, "<identity.secret>"},
    {"sign", cmd_sign, 2, 1, "<identity.secret> <file>"},
    {"verify", cmd_verify, 3, 1, "<identity.secret/public> <file> <signature>"},
    // service.md §3.3: initmoon and genmoon print help and exit 0 when arguments are missing.
    {"initmoon", weft_cli_idtool_initmoon, 1, 0, "<identity.public of first seed>"},
    {"genmoon", weft_cli_idtool_genmoon, 1, 0, "<moon json>"},
    {"initplanet", weft_cli_idtool_initplanet, 1, 1, "<identity.public> [<identity.public> ...]"},
    {"genplanet", weft_cli_idtool_genplanet, 1, 1,
     "<planet json> [<output file, default planet>]\n"
     "      If the JSON has previousSigningKey and previousSigningKey_SECRET, that pair signs\n"
     "      and signingKey becomes updatesMustBeSignedBy (a key rotation; vl1.md 7.7)."},
};

#define NCMDS (sizeof cmds / sizeof cmds[0])

static void help(void)
{
	printf("weft %s identity tool (ZeroTier-compatible identities)\n", WEFT_VERSION_STRING);
	printf("Usage: %s <command> [<args>]\n\nCommands:\n", prog);
	for (size_t i = 0; i < NCMDS; i++)
		printf("  %s %s\n", cmds[i].name, cmds[i].usage);
}

int weft_cli_idtool(const char *argv0, int argc, char **argv)
{
	// As `weft idtool ...` argv[0] is "idtool"; as a symlink it is the program path.
	if (strstr(argv0, "idtool"))
		prog = argv0;
	if (argc < 2) {
		help();
		return 1;
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		if (argc - 2 < cmds[i].min_args) {
			help();
			return cmds[i].missing_exit;
		}
		return cmds[i].run(argc - 1, argv + 1);
	}
	help();
	return 1;
}
