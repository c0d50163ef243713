package dev.codellm.model.inspect;

import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Scans every floating-point tensor of a GGUF file for NaN and infinite values ({@code codellm
 * inspect --check}). A file whose weights hold one NaN loads and runs, but every logit becomes
 * NaN and generation prints nothing; this names the tensors at fault.
 *
 * <p>Each tensor is decoded block by block with the reference {@link Dequant}, so a NaN or
 * infinite block scale of a quantized type shows as the non-finite values it produces (an
 * infinite scale times a zero quant is NaN too). Integer tensors cannot hold either and are skipped.
 */
public final class WeightScan {
    private WeightScan() {}

    /** A tensor with non-finite values: how many are NaN and how many are ±Inf, and the first one's element index. */
    public record Bad(String name, GgmlType type, long nan, long inf, long firstIndex) {
        public long count() { return nan + inf; }
    }

    /** The outcome: tensors and elements scanned, and the tensors with non-finite values, in file order. */
    public record Result(int tensors, long elements, List<Bad> bad) {
        public Result { bad = List.copyOf(bad); }
        public boolean clean() { return bad.isEmpty(); }
    }

    /** Elements decoded per step: a bounded buffer whatever the tensor's size. */
    private static final int CHUNK = 1 << 16;

    /** Scans all tensors; {@code progress} gets the bytes scanned so far after each step (may be null). */
    public static Result scan(GgufFile f, LongConsumer progress) {
        List<Bad> bad = new ArrayList<>();
        long elements = 0, bytes = 0;
        float[] buf = new float[CHUNK];
        int scanned = 0;
        for (GgufTensor t : f.tensors()) {
            if (isInteger(t.type())) continue;
            scanned++;
            Bad b = scan(t, buf, bytes, progress);
            if (b != null) bad.add(b);
            elements += t.elementCount();
            bytes += t.byteSize();
        }
        return new Result(scanned, elements, bad);
    }

    /** Total bytes {@link #scan} reads (for a progress bar). */
    public static long bytesToScan(GgufFile f) {
        long n = 0;
        for (GgufTensor t : f.tensors()) if (!isInteger(t.type())) n += t.byteSize();
        return n;
    }

    private static boolean isInteger(GgmlType type) {
        return switch (type) {
            case I8, I16, I32, I64 -> true;
            default -> false;
        };
    }

    private static Bad scan(GgufTensor t, float[] buf, long bytesBefore, LongConsumer progress) {
        GgmlType type = t.type();
        long rowLen = t.rowLength(), rows = t.rowCount(), rowBytes = t.rowBytes();
        // whole rows per step when they fit; else pieces of a row, a whole number of blocks each
        long piece = rowLen <= CHUNK ? rowLen * Math.max(1, CHUNK / rowLen) : (long) (CHUNK / type.blockSize()) * type.blockSize();
        long total = rowLen * rows;
        long nan = 0, inf = 0, first = -1;
        boolean rowsPerStep = rowLen <= CHUNK;
        for (long at = 0; at < total; ) {
            int n = (int) Math.min(piece, total - at);
            long byteOffset = rowsPerStep ? at / rowLen * rowBytes : at / rowLen * rowBytes + type.rowBytes(at % rowLen);
            if (!rowsPerStep) n = (int) Math.min(n, rowLen - at % rowLen); // a piece never crosses a row end
            Dequant.decode(type, t.data(), byteOffset, buf, 0, n);
            for (int i = 0; i < n; i++) {
                float v = buf[i];
                if (Float.isFinite(v)) continue;
                if (first < 0) first = at + i;
                if (Float.isNaN(v)) nan++;
                else inf++;
            }
            at += n;
            if (progress != null) progress.accept(bytesBefore + (rowsPerStep ? at / rowLen * rowBytes : byteOffset + type.rowBytes(n)));
        }
        return nan + inf == 0 ? null : new Bad(t.name(), type, nan, inf, first);
    }
}
