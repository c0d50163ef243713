package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SentencePiece {@code tokenizer.model} (Llama 2, Code Llama): the serialized {@code ModelProto}'s
 * pieces (text, score, type) and the few trainer/normalizer settings a llama GGUF needs. Read and
 * written with a hand-written reader of the protobuf wire format for these few fields: the message
 * is tiny and fixed, and protobuf-java (4.x) would clash in the one shaded jar with the 3.x the
 * data modules' Parquet stack brings. Unknown fields are skipped, as protobuf does.
 *
 * @param pieces          the vocabulary in id order
 * @param modelType       trainer_spec.model_type: 1 unigram, 2 BPE (Llama's)
 * @param byteFallback    trainer_spec.byte_fallback (&lt;0xNN&gt; pieces for unknown bytes)
 * @param addDummyPrefix  normalizer_spec.add_dummy_prefix (a leading space before the first word)
 * @param unkId           trainer_spec ids (-1: none)
 */
public record SentencePieceModel(List<Piece> pieces, int modelType, boolean byteFallback, boolean addDummyPrefix,
                                 int unkId, int bosId, int eosId, int padId) {
    /** One piece; {@code type} uses SentencePiece's numbering, which GGUF's token_type shares (1 normal .. 6 byte). */
    public record Piece(String text, float score, int type) {}

    public static SentencePieceModel read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CodellmException("file not found: " + file);
        } catch (IOException e) {
            throw new CodellmException("cannot read " + file + ": " + e.getMessage());
        }
        if (looksLikeTiktoken(b))
            throw new CodellmException(file + ": a tiktoken BPE vocabulary (Llama 3's original Meta layout), not a SentencePiece model:"
                    + " not supported; convert the Hugging Face layout of the same model (config.json, *.safetensors, tokenizer.json),"
                    + " or a Llama 2 / Code Llama Meta checkpoint (its tokenizer.model is SentencePiece)");
        try {
            return parse(b);
        } catch (RuntimeException e) {
            throw new CodellmException(file + ": not a SentencePiece model (" + e.getMessage() + ")");
        }
    }

    /**
     * Llama 3's original layout ships tiktoken's vocabulary under the same name: text lines of
     * {@code base64-token rank}. A protobuf starts with a field tag byte, never such a line.
     */
    static boolean looksLikeTiktoken(byte[] b) {
        int end = 0;
        while (end < b.length && end < 512 && b[end] != '\n') end++;
        if (end == b.length || end == 512) return false;
        return new String(b, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1).matches("[A-Za-z0-9+/]+=* [0-9]+\r?");
    }

    static SentencePieceModel parse(byte[] bytes) {
        Wire w = new Wire(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        List<Piece> pieces = new ArrayList<>();
        int modelType = 1, unk = 0, bos = 1, eos = 2, pad = -1;
        boolean byteFallback = false, dummy = true;
        while (w.more()) {
            int tag = w.varint32();
            switch (tag) {
                case (1 << 3) | 2 -> pieces.add(piece(w.sub()));
                case (2 << 3) | 2 -> {
                    Wire t = w.sub();
                    while (t.more()) {
                        int tt = t.varint32();
                        switch (tt) {
                            case (3 << 3) -> modelType = t.varint32();
                            case (35 << 3) -> byteFallback = t.varint64() != 0;
                            case (40 << 3) -> unk = t.varint32();
                            case (41 << 3) -> bos = t.varint32();
                            case (42 << 3) -> eos = t.varint32();
                            case (43 << 3) -> pad = t.varint32();
                            default -> t.skip(tt);
                        }
                    }
                }
                case (3 << 3) | 2 -> {
                    Wire n = w.sub();
                    while (n.more()) {
                        int nt = n.varint32();
                        if (nt == (3 << 3)) dummy = n.varint64() != 0;
                        else n.skip(nt);
                    }
                }
                default -> w.skip(tag);
            }
        }
        if (pieces.isEmpty()) throw new IllegalArgumentException("no pieces");
        return new SentencePieceModel(List.copyOf(pieces), modelType, byteFallback, dummy, unk, bos, eos, pad);
    }

    private static Piece piece(Wire p) {
        String text = "";
        float score = 0;
        int type = 1;
        while (p.more()) {
            int tag = p.varint32();
            switch (tag) {
                case (1 << 3) | 2 -> text = p.string();
                case (2 << 3) | 5 -> score = p.fixed32();
                case (3 << 3) -> type = p.varint32();
                default -> p.skip(tag);
            }
        }
        return new Piece(text, score, type);
    }

    /**
     * The serialized ModelProto: pieces, and a trainer/normalizer spec of Llama's kind (identity
     * normalization, whitespace escaped as ▁, no extra-whitespace removal), so the sentencepiece
     * library encodes with it as with the original.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Piece p : pieces) {
            ByteArrayOutputStream m = new ByteArrayOutputStream();
            Wire.lenField(m, 1, p.text.getBytes(StandardCharsets.UTF_8));
            Wire.tag(m, 2, 5);
            int bits = Float.floatToRawIntBits(p.score);
            for (int i = 0; i < 4; i++) m.write(bits >>> (8 * i));
            if (p.type != 1) Wire.varintField(m, 3, p.type);
            Wire.lenField(out, 1, m.toByteArray());
        }
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        Wire.varintField(t, 3, modelType);
        Wire.varintField(t, 4, pieces.size());
        Wire.varintField(t, 35, byteFallback ? 1 : 0);
        Wire.varintField(t, 40, unkId);
        Wire.varintField(t, 41, bosId);
        Wire.varintField(t, 42, eosId);
        Wire.varintField(t, 43, padId);
        Wire.lenField(out, 2, t.toByteArray());
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        Wire.lenField(n, 1, "identity".getBytes(StandardCharsets.UTF_8));
        Wire.varintField(n, 3, addDummyPrefix ? 1 : 0);
        Wire.varintField(n, 4, 0);
        Wire.varintField(n, 5, 1);
        Wire.lenField(out, 3, n.toByteArray());
        return out.toByteArray();
    }

    /** The protobuf wire format, as much as ModelProto needs. */
    private static final class Wire {
        private final ByteBuffer b;

        Wire(ByteBuffer b) { this.b = b; }

        boolean more() { return b.hasRemaining(); }

        long varint64() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = b.get() & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new IllegalArgumentException("malformed varint");
        }

        int varint32() { return (int) varint64(); }

        float fixed32() { return b.getFloat(); }

        Wire sub() {
            int len = varint32();
            if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("field length " + len + " past the end");
            ByteBuffer s = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
            b.position(b.position() + len);
            return new Wire(s);
        }

        String string() {
            Wire s = sub();
            byte[] a = new byte[s.b.remaining()];
            s.b.get(a);
            return new String(a, StandardCharsets.UTF_8);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint64();
                case 1 -> b.position(b.position() + 8);
                case 2 -> sub();
                case 5 -> b.position(b.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }

        static void tag(ByteArrayOutputStream o, int field, int wire) { varint(o, ((long) field << 3) | wire); }

        static void varint(ByteArrayOutputStream o, long v) {
            while ((v & ~0x7FL) != 0) {
                o.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            o.write((int) v);
        }

        static void varintField(ByteArrayOutputStream o, int field, long v) {
            tag(o, field, 0);
            varint(o, v);  // negative int32 values take ten bytes, as protobuf writes them
        }

        static void lenField(ByteArrayOutputStream o, int field, byte[] data) {
            tag(o, field, 2);
            varint(o, data.length);
            o.writeBytes(data);
        }
    }
}
