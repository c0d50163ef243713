package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.gguf.Quantize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Encodes {@link TensorSource}s into a target {@link GgmlType} while a GGUF is written: rows are
 * decoded and encoded in chunks of about {@value #CHUNK_ELEMENTS} elements on the given threads,
 * a few chunks ahead of the one being written, and written in order. Memory stays bounded by the
 * chunks in flight, whatever the tensor's size (a 7B model's 500 MB output matrix included).
 */
public final class TensorEncoding {
    static final int CHUNK_ELEMENTS = 1 << 20;

    private final ExecutorService pool;
    private final int ahead;

    /** {@code pool} runs the chunk jobs; {@code threads} is its size (how many chunks are kept in flight). */
    public TensorEncoding(ExecutorService pool, int threads) {
        this.pool = pool;
        this.ahead = Math.max(2, 2 * threads);
    }

    /**
     * The encoder writing {@code src} as {@code target}; {@code bytesDone} hears how many source
     * elements each finished chunk held (for progress).
     */
    public GgufWriter.TensorEncoder encoder(TensorSource src, GgmlType target, LongConsumer elementsDone) {
        return sink -> {
            if (src.type() == target && src.copyStored(sink)) {
                elementsDone.accept(src.elementCount());
                return;
            }
            encodeRows(src, target, sink, elementsDone);
        };
    }

    private void encodeRows(TensorSource src, GgmlType target, WritableByteChannel sink, LongConsumer elementsDone) throws IOException {
        long rowLen = src.rowLength(), rows = src.rowCount();
        if (rowLen > Integer.MAX_VALUE / 8) throw new CodellmException("tensor " + src.name() + ": rows of " + rowLen + " elements are too long");
        int perChunk = (int) Math.max(1, Math.min(rows, CHUNK_ELEMENTS / rowLen));
        ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
        long next = 0;
        try {
            while (next < rows || !inFlight.isEmpty()) {
                while (next < rows && inFlight.size() < ahead) {
                    long first = next;
                    int count = (int) Math.min(perChunk, rows - first);
                    inFlight.add(pool.submit(() -> {
                        float[] buf = new float[(int) (count * rowLen)];
                        src.readRows(first, count, buf);
                        return Quantize.quantize(target, buf);
                    }));
                    next += count;
                }
                byte[] done = inFlight.removeFirst().get();
                TensorSource.writeFully(sink, ByteBuffer.wrap(done));
                elementsDone.accept(done.length / target.typeSize() * (long) target.blockSize());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while encoding " + src.name());
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new CodellmException("encoding " + src.name() + " failed: " + c, c);
        } finally {
            for (Future<byte[]> f : inFlight) f.cancel(true);
        }
    }
}
