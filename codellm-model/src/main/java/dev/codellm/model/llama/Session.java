package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.Quantize;
import dev.codellm.model.kernels.WeightFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One sequence's state: its KV cache (off-heap, per layer, laid out [kv head][position][head
 * dim] in the {@link KvType}'s encoding: floats, halves or ggml blocks of 32) and how many
 * positions are filled. Head-major because attention reads one head's rows over every position:
 * laid out [position][kvDim], those rows were a whole cache row apart (4,352 bytes for a 7B
 * model's Q8_0 cache), one page and a prefetcher miss each, and generation at 16k tokens of
 * context read the cache at 3.5 GB/s of the machine's 31; now each head's rows are one stream. Rewind with {@link #truncate(int)} to reuse a shared prefix.
 * Not thread-safe: one sequence is advanced by one caller at a time.
 */
public final class Session {
    private final LlamaModel model;
    private final int contextLength;
    private final KvType kvType;
    private final int kvDim;
    /** Bytes of one position's row of one kv head (headDim elements; blocks of 32 for the quantized types). */
    private final long rowBytes;
    private final int headDim;
    /** Bytes between two kv heads' regions of a layer (contextLength rows). */
    private final long headStride;
    /** Dequantizer of a quantized type's blocks, null for F32/F16. */
    private final WeightFormat format;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;
    private int position;

    Session(LlamaModel model, int contextLength, KvType kvType) {
        LlamaConfig c = model.config();
        if (contextLength <= 0) throw new CodellmException("context length must be positive, got " + contextLength);
        this.model = model;
        this.contextLength = contextLength;
        this.kvType = kvType;
        this.kvDim = c.kvDim();
        kvType.check(c);
        this.headDim = c.headDim();
        this.rowBytes = kvType.rowBytes(headDim);
        this.headStride = contextLength * rowBytes;
        this.format = kvType.quantized() ? WeightFormat.forGgmlId(kvType.ggml().id()) : null;
        long layerBytes = (long) (kvDim / headDim) * headStride, stride = (layerBytes + 63) / 64 * 64;
        keys = new MemorySegment[c.layers()];
        values = new MemorySegment[c.layers()];
        try {
            MemorySegment all = Arena.ofAuto().allocate(2 * c.layers() * stride, 64);  // every layer's keys and values
            for (int l = 0; l < c.layers(); l++) {
                keys[l] = all.asSlice(2 * l * stride, layerBytes);
                values[l] = all.asSlice((2 * l + 1) * stride, layerBytes);
            }
        } catch (OutOfMemoryError e) {
            // The advice is KvType's, as KvBudget's: never "use f16" to someone already on f16.
            throw new CodellmException("not enough memory for a KV cache of " + bytes(c, contextLength, kvType) / (1 << 20)
                    + " MiB (context " + contextLength + ", " + kvType.name().toLowerCase(java.util.Locale.ROOT) + "): lower "
                    + kvType.memoryFlags(1, c.headDim()));
        }
    }

    /** Bytes of KV cache a session of this context length and type needs, for printing up front. */
    public static long bytes(LlamaConfig c, int contextLength, KvType kvType) {
        return 2L * c.layers() * contextLength * kvType.rowBytes(c.kvDim());
    }

    public LlamaModel model() { return model; }
    public int contextLength() { return contextLength; }
    public KvType kvType() { return kvType; }

    /** Number of tokens already processed (the position of the next token). */
    public int position() { return position; }

    /** Forgets everything from {@code pos} on, keeping the cache of the first {@code pos} tokens. */
    public void truncate(int pos) {
        if (pos < 0 || pos > position) throw new IllegalArgumentException("cannot truncate to " + pos + " (position " + position + ")");
        position = pos;
    }

    void advance(int n) { position += n; }

    /**
     * llama.cpp's context shift on this cache: positions [keep, keep + discard) are dropped, the
     * later ones move down by {@code discard}, each key turned back by {@code discard} positions
     * ({@code rotation}: {@link Rope#shiftTable}); values do not depend on the position and just move.
     * A quantized key is decoded, turned and encoded again (one more rounding, as ggml's shift of a
     * quantized cache does through its f32 copy).
     */
    void shift(int keep, int discard, Rope rope, float[] rotation, int headDim) {
        if (keep < 0 || discard <= 0 || keep + discard > position) {
            throw new IllegalArgumentException("cannot drop " + discard + " positions after " + keep + " (position " + position + ")");
        }
        int from = keep + discard, n = position - from, heads = kvDim / headDim;
        float[] row = new float[kvDim];
        for (int l = 0; l < keys.length; l++) {
            MemorySegment ks = keys[l];
            for (int p = from; p < position; p++) {
                readRow(ks, p, row);
                rope.apply(row, 0, heads, headDim, rotation);
                writeRow(ks, p - discard, row, 0);
            }
            // one overlapping move per head (MemorySegment.copy copies as through a temporary)
            for (int h = 0; h < heads; h++) {
                MemorySegment.copy(values[l], h * headStride + from * rowBytes, values[l], h * headStride + keep * rowBytes, n * rowBytes);
            }
        }
        position -= discard;
    }

    /** Stores one key and value row (kvDim floats from the given offsets) at {@code pos}. */
    void store(int layer, int pos, float[] k, int ko, float[] v, int vo) {
        writeRow(keys[layer], pos, k, ko);
        writeRow(values[layer], pos, v, vo);
    }

    /** Decodes the row at {@code pos} of a layer's keys or values (every head's) into {@code out[0..kvDim)}. */
    private void readRow(MemorySegment s, int pos, float[] out) {
        for (int h = 0, o = 0; o < kvDim; h++, o += headDim) {
            long off = h * headStride + pos * rowBytes;
            switch (kvType) {
                case F32 -> MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, off, out, o, headDim);
                case F16 -> {
                    for (int i = 0; i < headDim; i++) out[o + i] = Float.float16ToFloat(s.get(ValueLayout.JAVA_SHORT, off + 2L * i));
                }
                default -> format.dequant(s, off, out, o, headDim);
            }
        }
    }

    /**
     * Encodes {@code x[xo..xo+kvDim)} into the row at {@code pos}, head by head (quantized types:
     * ggml's reference rounding; a head is whole blocks of 32, so the bytes are those of the whole row).
     */
    private void writeRow(MemorySegment s, int pos, float[] x, int xo) {
        for (int h = 0, o = 0; o < kvDim; h++, o += headDim) {
            long off = h * headStride + pos * rowBytes;
            switch (kvType) {
                case F32 -> MemorySegment.copy(x, xo + o, s, ValueLayout.JAVA_FLOAT, off, headDim);
                case F16 -> {
                    for (int i = 0; i < headDim; i++) s.set(ValueLayout.JAVA_SHORT, off + 2L * i, Float.floatToFloat16(x[xo + o + i]));
                }
                default -> MemorySegment.copy(Quantize.quantize(kvType.ggml(), x, xo + o, headDim), 0, s, ValueLayout.JAVA_BYTE, off,
                        (int) rowBytes);
            }
        }
    }

    /**
     * Causal attention of {@code nq} queries of one head at consecutive positions {@code first} …
     * {@code first + nq - 1}, each over the keys up to its own position: writes Σ softmax(q·k/√d)·v
     * of query i into out[oo + i·oStride ..) from q[qo + i·qStride ..). {@code kvOff} selects the
     * kv head (its first element within a kvDim row: head kvOff / headDim). Blocked over key tiles with an online softmax
     * ({@link FlashAttention}).
     */
    void attend(int layer, int first, int nq, float[] q, int qo, int qStride, int kvOff, int headDim, float[] out, int oo, int oStride) {
        if (headDim != this.headDim) throw new IllegalArgumentException("head size " + headDim + ", cache laid out for " + this.headDim);
        long head = kvOff / headDim * headStride;
        FlashAttention.attend(kvType, format, keys[layer].asSlice(head), values[layer].asSlice(head), rowBytes, headDim, first, nq,
                q, qo, qStride, (float) (1.0 / Math.sqrt(headDim)), out, oo, oStride);
    }
}
