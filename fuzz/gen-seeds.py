#!/usr/bin/env python3
"""gen-seeds.py - write the seed inputs of the binary harnesses
(fuzz/corpus/vfio, fuzz/corpus/hcall) from readable op lists, so that the
seeds start from a working container / linked table (see the byte layout
in fuzz_vfio.c and fuzz_hcall.c). Usage: fuzz/gen-seeds.py [fuzz/corpus]"""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")

# fuzz_vfio.c: cfg byte; ops: (opcode, args...); val()/argsz()/flags() selector 0 = natural
REG = [2, 0, 0, 0, 0, 0]             # REGISTER_MEMORY RAM_VA 1M
UNREG = [2, 0, 0, 0, 0, 1]
MAP = [0, 0, 0, 0, 0, 0]             # MAP RAM_VA -> iova 0, 4K, read|write
UNMAP = [1, 0, 0, 0, 0]
ENABLE, DISABLE = [7, 1], [7, 0]
INFO = [5, 0, 0]
CREATE_DDW = [3, 0, 0, 3, 0, 0, 0, 1, 0, 0]   # page_shift 24, 256M, 2 levels
MAP_HUGE = [0, 0, 0, 120, 128, 168]  # HUGE_VA -> DDW_BUS, 16M
UNMAP_DDW = [1, 0, 0, 128, 168]
REMOVE_DDW = [4, 0, 0, 1, 0]
DMA_R, DMA_W = [0xa0, 2, 0, 0, 8], [0xa2, 2, 0, 0, 8]
EEH = [6, 0, 0, 2, 0]
DETACH = [0x80]
BARRIER = [0xc0]
vfio = {
    "seed-v1-enable-map-unmap": [0x00] + ENABLE + MAP + DMA_W + DMA_R + UNMAP + DISABLE + INFO,
    "seed-v2-prereg-ddw": [0x08] + REG + INFO + CREATE_DDW + MAP + MAP_HUGE + DMA_W + UNMAP_DDW
    + REMOVE_DDW + UNREG + BARRIER,
    "seed-v2-upstream-unreg-busy": [0x0c] + REG + MAP + UNREG + DETACH + DETACH + UNMAP + UNREG,
    "seed-v1-legacy2015-eeh": [0x02] + ENABLE + EEH + MAP + DETACH + MAP + DETACH + ENABLE,
    "seed-wrong-type": [0xc5] + INFO + ENABLE,
}
# fuzz_hcall.c: cfg byte; hcall op < 208: low 2 bits req (PUT, INDIRECT, STUFF, GET),
# bits 2-3 path (0/1 dispatch, 2 KVM vm+rm, 3 QEMU); liobn selector (s%5: LINK, QEMU, BOTH)
def put(path, l, entry, gpa):
    return [path << 2 | 0, l, entry & 0xff, entry >> 8, 0, gpa & 0xff, gpa >> 8, 0, 0]
def get(path, l, entry):
    return [path << 2 | 3, l, entry & 0xff, entry >> 8, 0, 0, 0, 2, 0]
def stuff(path, l, entry, n):
    return [path << 2 | 2, l, entry & 0xff, entry >> 8, 0, 0, 0, 2, n]
def indirect(path, l, entry, tces):
    b = [path << 2 | 1, l, entry & 0xff, entry >> 8, 0, len(tces) - 1]
    for g in tces:
        b += [g & 0xff, g >> 8, 0]
    return b + [1, 1]
UNLINK = [0xd0]
hcall = {
    "seed-linked-put-get": [0x00] + put(0, 0, 1, 5) + get(0, 0, 1) + put(2, 0, 2, 6)
    + get(2, 0, 2) + [0xd3, 1, 0, 0] + stuff(0, 0, 0, 2) + get(0, 0, 1),
    "seed-qemu-indirect-stuff": [0x08] + indirect(0, 1, 0, [1, 2, 3, 4]) + get(3, 1, 2)
    + stuff(3, 1, 0, 3) + indirect(3, 2, 8, [7, 8]) + get(0, 2, 9),
    "seed-kvm-only-too-hard": [0x04] + put(0, 1, 3, 3) + put(0, 0, 3, 3) + UNLINK
    + put(0, 0, 4, 4) + UNLINK + get(0, 0, 3),
    "seed-legacy2016-rm": [0x03] + put(2, 0, 1, 1) + indirect(2, 0, 2, [2, 3]) + stuff(2, 0, 0, 1)
    + get(0, 0, 2) + [0xd9] + put(0, 0, 1, 1),
    "seed-legacy2013": [0x01] + put(0, 2, 1, 1) + indirect(0, 2, 0, [5, 6]) + stuff(0, 2, 0, 2)
    + [0xd1] + get(0, 2, 1),
}
for sub, seeds in (("vfio", vfio), ("hcall", hcall)):
    d = os.path.join(out, sub)
    os.makedirs(d, exist_ok=True)
    for name, b in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes(b))
