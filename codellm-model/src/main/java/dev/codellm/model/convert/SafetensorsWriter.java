package dev.codellm.model.convert;

import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one {@code .safetensors} file (the format {@link Safetensors} reads) from tensors whose
 * bytes are streamed in: the header is built from names, dtypes and shapes up front, then each
 * tensor writes exactly its byte count. The header is padded with spaces to 8 bytes, as
 * Hugging Face's writer does, and carries {@code __metadata__: {format: pt}}.
 */
final class SafetensorsWriter {
    /** A tensor to write: HF name and shape, F32/F16/BF16, and its little-endian bytes. */
    record Tensor(String name, GgmlType type, long[] shape, Bytes data) {
        long bytes() {
            long n = type == GgmlType.F32 ? 4 : 2;
            for (long d : shape) n *= d;
            return n;
        }
    }

    /** Writes a tensor's bytes into the sink. */
    interface Bytes {
        void write(WritableByteChannel sink) throws IOException;
    }

    private SafetensorsWriter() {}

    static String dtype(GgmlType t) {
        return switch (t) {
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
            default -> throw new IllegalArgumentException("safetensors holds no " + t);
        };
    }

    static void write(Path file, List<Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long off = 0;
        for (Tensor t : tensors) {
            header.put(t.name(), Map.of("dtype", dtype(t.type()), "shape", t.shape(), "data_offsets", new long[] {off, off + t.bytes()}));
            off += t.bytes();
        }
        byte[] h = Json.line(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        ByteBuffer head = ByteBuffer.allocate(8 + h.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(h.length + pad).put(h);
        for (int i = 0; i < pad; i++) head.put((byte) ' ');
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) ch.write(head);
            for (Tensor t : tensors) {
                long before = ch.position();
                t.data().write(ch);
                if (ch.position() - before != t.bytes())
                    throw new IllegalStateException(t.name() + ": wrote " + (ch.position() - before) + " bytes, " + t.bytes() + " expected");
            }
        }
    }
}
