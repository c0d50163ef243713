"""Independent reference encodings for the Java tokenizer tests (run with Debian's /usr/bin/python3).

  reference_tokenize.py spm  tokenizer.model  in.json out.json   # Google's SentencePiece library
  reference_tokenize.py bpe  vocab.gguf       in.json out.json   # GPT-2's encoder.py algorithm

in.json is a list of strings; out.json receives one list of ids per string. The BPE side reads the
GGUF vocabulary with its own small parser and follows OpenAI's original GPT-2 encoder (regex word
split, then repeatedly merge the lowest-ranked pair), so it shares no code with the Java side.
"""
import json
import struct
import sys


def read_gguf_metadata(path):
    scalar = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}
    with open(path, 'rb') as f:
        def rd(fmt):
            return struct.unpack('<' + fmt, f.read(struct.calcsize(fmt)))[0]

        def rstr():
            return f.read(rd('Q')).decode('utf-8')

        def rval(t):
            if t == 8:
                return rstr()
            if t == 9:
                at, n = rd('I'), rd('Q')
                return [rval(at) for _ in range(n)]
            return rd(scalar[t])

        assert f.read(4) == b'GGUF', 'not a GGUF file'
        rd('I'); rd('Q'); n_kv = rd('Q')
        meta = {}
        for _ in range(n_kv):
            key = rstr()
            meta[key] = rval(rd('I'))
        return meta


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('\xa1'), ord('\xac') + 1)) + list(range(ord('\xae'), ord('\xff') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def gpt2_encoder(gguf_path):
    import regex
    meta = read_gguf_metadata(gguf_path)
    tokens = meta['tokenizer.ggml.tokens']
    ids = {t: i for i, t in reversed(list(enumerate(tokens)))}
    ranks = {tuple(m.split(' ', 1)): r for r, m in reversed(list(enumerate(meta['tokenizer.ggml.merges'])))}
    byte_encoder = bytes_to_unicode()
    pat = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

    def bpe(word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(ranks.get((parts[i], parts[i + 1]), 1 << 62), i) for i in range(len(parts) - 1)]
            best = min(pairs)[0]
            if best == 1 << 62:
                break
            pair = next((parts[i], parts[i + 1]) for r, i in pairs if r == best)
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and (parts[i], parts[i + 1]) == pair:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def encode(text):
        out = []
        for word in pat.findall(text):
            spelled = ''.join(byte_encoder[b] for b in word.encode('utf-8'))
            out.extend(ids[p] for p in bpe(spelled))
        return out

    return encode


def main():
    mode, model, inp, outp = sys.argv[1:5]
    texts = json.load(open(inp, encoding='utf-8'))
    if mode == 'spm':
        import sentencepiece
        sp = sentencepiece.SentencePieceProcessor(model_file=model)
        result = [sp.encode(t) for t in texts]
    elif mode == 'bpe':
        encode = gpt2_encoder(model)
        result = [encode(t) for t in texts]
    else:
        raise SystemExit('unknown mode ' + mode)
    json.dump(result, open(outp, 'w'))


if __name__ == '__main__':
    main()
