// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_trace.c - "tcesim trace v1" input through the replay, every hcall
 * tier (tcesim_replay_buffers() and tcesim_replay_file(), what
 * `tcesim replay` does).
 *
 * Input: the bytes of a trace file, as on disk (so the committed
 * reproducers fuzz/corpus/trace/defect-* are plain trace files):
 *  - xz or gzip data (by its magic) is written to a memfd and replayed by
 *    path: the streaming decompressor and line splitter (64 KiB chunks,
 *    every xz stream / gzip member), once, with the default tier (QEMU);
 *  - text is split in two: lines starting with 'X' become the .xlate.txt
 *    buffer, the others the .tce.txt buffer (so the merge of the two files
 *    by seq is fuzzed too), and replayed three times, with hcall=qemu,
 *    kvm and kvm+qemu (a TCG trace through KVM mismatches: exit 1 is fine).
 * Any return code is fine (0, 1, 2): a crash, sanitizer report, leak or
 * hang is the finding.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <tcesim/replay.h>

#include "fuzz.h"

static bool compressed(const uint8_t *d, size_t n)
{
	static const uint8_t xz[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

	return (n >= 6 && !memcmp(d, xz, 6)) || (n >= 2 && d[0] == 0x1f && d[1] == 0x8b);
}

static void replay_file(const uint8_t *data, size_t size)
{
	struct tcesim_replay_opts opts = { .size = sizeof(opts), .no_xlate = true };
	struct tcesim_replay_summary sum;
	char path[64];
	size_t off = 0;
	int fd = memfd_create("fuzz.tce.txt", MFD_CLOEXEC);

	if (fd < 0)
		return;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	opts.err = fuzz_devnull();
	opts.hcall = TCESIM_HCALL_QEMU;
	if (off == size)
		tcesim_replay_file(path, &opts, &sum);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tcesim_hcall_mode tiers[] = {
		TCESIM_HCALL_QEMU, TCESIM_HCALL_KVM, TCESIM_HCALL_KVM_QEMU,
	};
	struct tcesim_replay_opts opts = { .size = sizeof(opts) };
	struct tcesim_replay_summary sum;
	char *tce, *xl;
	size_t nt = 0, nx = 0, i = 0;
	unsigned int t;

	if (compressed(data, size)) {
		replay_file(data, size);
		return 0;
	}
	tce = malloc(size + 1);
	xl = malloc(size + 1);
	if (!tce || !xl)
		goto out;
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) + 1 : size - i;

		if (data[i] == 'X') {
			memcpy(xl + nx, data + i, len);
			nx += len;
		} else {
			memcpy(tce + nt, data + i, len);
			nt += len;
		}
		i += len;
	}
	tce[nt] = 0;
	xl[nx] = 0;
	opts.err = fuzz_devnull();
	for (t = 0; t < sizeof(tiers) / sizeof(tiers[0]); t++) {
		opts.hcall = tiers[t];
		tcesim_replay_buffers("fuzz.tce.txt", tce, nt, nx ? "fuzz.xlate.txt" : NULL,
				      nx ? xl : NULL, nx, &opts, &sum);
	}
out:
	free(tce);
	free(xl);
	return 0;
}
