#!/usr/bin/python3
"""Hostile or broken Meta-layout checkpoints for HfConvertTest: each case is a directory with a
params.json and a consolidated.00.pth that a pickle-executing loader (torch.load without
weights_only, pickle.load) would run code from, or that is cut short. None of them is ever loaded
here: pickletools only disassembles them, to show they are well-formed pickles.

Usage: hostile_pth.py OUT_DIR MARKER   (MARKER: the file the payloads would create)
"""
import io
import os
import pickle
import pickletools
import struct
import sys
import zipfile

out, marker = sys.argv[1], sys.argv[2]
cmd = "touch " + marker


class Evil:
    def __reduce__(self):
        return (os.system, (cmd,))


def unicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


cases = {
    # GLOBAL posix.system + REDUCE, as torch.save would write an object with a hostile __reduce__
    "global-system": pickle.dumps({"norm.weight": Evil()}, protocol=2),
    # protocol 0's INST: finds os.system and calls it with the marked arguments
    "inst": b"\x80\x02(" + unicode(cmd) + b"ios\nsystem\n.",
    # protocol 4's STACK_GLOBAL (module and name from the stack) + REDUCE
    "stack-global": b"\x80\x04" + b"\x8c\x02os\x8c\x06system\x93" + unicode(cmd) + b"\x85R.",
    # a plain dict, cut before its end
    "truncated-pickle": pickle.dumps({"norm.weight": 1, "output.weight": 2}, protocol=2)[:-4],
}
for name, data in cases.items():
    if name != "truncated-pickle":
        pickletools.dis(data, out=io.StringIO())  # a well-formed pickle (disassembled, never loaded)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "params.json"), "w") as f:
        f.write('{"dim": 64, "n_layers": 1, "n_heads": 4, "vocab_size": 100, "norm_eps": 1e-5}')
    with zipfile.ZipFile(os.path.join(d, "consolidated.00.pth"), "w") as z:
        z.writestr("consolidated/version", "3\n")
        z.writestr("consolidated/data.pkl", data)
