"""Independent reference for Code Llama prompt token ids (infill and Llama-2 chat).

Follows github.com/meta-llama/codellama llama/generation.py + llama/tokenizer.py semantics, on the
SentencePiece library with Meta's Llama 2 tokenizer.model (Code Llama 7B/13B add the infilling
pieces at ids 32007..32010 on top of these 32000, see Code Llama's tokenizer.model).

stdin: JSON {"model": path, "cases": [{"kind": "psm"|"spm", "prefix", "suffix"} |
                                      {"kind": "chat", "messages": [{"role", "content"}]}]}
stdout: JSON list of id lists, one per case.
"""
import json
import sys

import sentencepiece

PRE, SUF, MID = 32007, 32008, 32009


def main():
    req = json.load(sys.stdin)
    sp = sentencepiece.SentencePieceProcessor(model_file=req["model"])
    bos, eos = sp.bos_id(), sp.eos_id()

    def enc(text):
        # plain encode: SentencePiece adds its dummy-prefix space
        return sp.encode(text)

    def enc_no_space(text):
        # encode_infilling: prepend a smiley, then cut the dummy space and the smiley tokens
        return sp.encode("\u263a" + text)[2:]

    out = []
    for case in req["cases"]:
        kind = case["kind"]
        if kind == "psm":
            ids = [bos, PRE] + enc(case["prefix"]) + [SUF] + enc_no_space(case["suffix"]) + [MID]
        elif kind == "spm":
            ids = [bos, PRE, SUF] + enc_no_space(case["suffix"]) + [MID] + enc(case["prefix"])
        else:
            msgs = list(case["messages"])
            if msgs[0]["role"] == "system":
                merged = "<<SYS>>\n" + msgs[0]["content"] + "\n<</SYS>>\n\n" + msgs[1]["content"]
                msgs = [{"role": msgs[1]["role"], "content": merged}] + msgs[2:]
            ids = []
            for i in range(0, len(msgs) - 1, 2):
                q, a = msgs[i]["content"].strip(), msgs[i + 1]["content"].strip()
                ids += [bos] + enc("[INST] " + q + " [/INST] " + a + " ") + [eos]
            ids += [bos] + enc("[INST] " + msgs[-1]["content"].strip() + " [/INST]")
        out.append(ids)
    json.dump(out, sys.stdout)


main()
