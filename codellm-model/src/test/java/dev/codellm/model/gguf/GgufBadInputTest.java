package dev.codellm.model.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-made corruptions: each gives a GgufFormatException naming the file, the problem and the offset. */
class GgufBadInputTest {
    @TempDir Path dir;

    /** Header (24) + key "general.architecture" (8+20) + type (4) + value "llama" (8+5) = byte 69: first tensor info. */
    static final int FIRST_TENSOR_INFO = 24 + 8 + 20 + 4 + 8 + 5;

    static byte[] sample() {
        return new GgufWriter().putString("general.architecture", "llama")
                .addTensor("w", GgmlType.Q8_0, new long[] {64, 2}, new float[128])
                .addTensor("n", GgmlType.F32, new long[] {4}, new float[] {1, 2, 3, 4}).toBytes();
    }

    static GgufFormatException expectBad(byte[] bytes, Consumer<ByteBuffer> patch, String problem, long offset) {
        ByteBuffer b = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
        patch.accept(b);
        var e = assertThrows(GgufFormatException.class, () -> GgufFile.read(MemorySegment.ofArray(b.array()), Path.of("bad.gguf")));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains("bad.gguf"), e.getMessage());
        if (offset >= 0) assertEquals(offset, e.offset(), e.getMessage());
        return e;
    }

    @Test
    void sampleIsValid() {
        try (GgufFile f = GgufFile.read(MemorySegment.ofArray(sample()), Path.of("ok.gguf"))) {
            assertEquals("w", f.tensors().get(0).name());
            assertEquals(FIRST_TENSOR_INFO, 24 + 8 + "general.architecture".length() + 4 + 8 + 5);
        }
    }

    @Test
    void headerProblems() {
        byte[] s = sample();
        expectBad(s, b -> b.put(0, (byte) 'X'), "not a GGUF file", 0);
        expectBad(s, b -> b.putInt(4, 1), "version 1 is not supported", 4);
        expectBad(s, b -> b.putInt(4, 99), "unsupported GGUF version 99", 4);
        expectBad(s, b -> b.putInt(4, Integer.reverseBytes(3)), "big-endian", 4);
        expectBad(s, b -> b.putLong(8, -1L), "absurd tensor count", 8);
        expectBad(s, b -> b.putLong(8, 1L << 40), "absurd tensor count", 8);
        expectBad(s, b -> b.putLong(16, 1L << 40), "absurd metadata entry count", 16);
    }

    @Test
    void metadataProblems() {
        byte[] s = sample();
        expectBad(s, b -> b.putLong(24, Long.MAX_VALUE), "absurd metadata key length", 24);
        expectBad(s, b -> b.putInt(52, 13), "unknown metadata value type 13 for key 'general.architecture'", 52);
        expectBad(s, b -> b.putLong(56, 1L << 33), "absurd value of 'general.architecture' length", 56);
        // turn the string value into an array of u64 with an absurd length
        expectBad(s, b -> { b.putInt(52, 9); b.putInt(56, 10); b.putLong(60, 1L << 50); }, "absurd array length of 'general.architecture'", 60);
        expectBad(s, b -> { b.putInt(52, 9); b.putInt(56, 77); }, "unknown metadata value type 77", 56);
        expectBad(s, b -> b.putInt(52, 7), "bool value of 'general.architecture' is 5", 56);
        byte[] dup = new GgufWriter().putString("a", "x").putString("b", "y").toBytes();
        expectBad(dup, b -> b.put(24 + 8 + 1 + 4 + 8 + 1 + 8, (byte) 'a'), "duplicate metadata key 'a'", 24 + 8 + 1 + 4 + 8 + 1);
        byte[] al = new GgufWriter().alignment(64).toBytes();
        expectBad(al, b -> b.putInt(24 + 8 + 17 + 4, 48), "general.alignment = 48 is not a power of two", 24 + 8 + 17);
        expectBad(al, b -> b.putInt(24 + 8 + 17, 5), "general.alignment must be UINT32", 24 + 8 + 17);
    }

    @Test
    void tensorInfoProblems() {
        byte[] s = sample();
        int t = FIRST_TENSOR_INFO, dims = t + 8 + 1, type = dims + 4 + 16, offset = type + 4;
        expectBad(s, b -> b.putInt(dims, 5), "has 5 dimensions (max 4)", dims);
        expectBad(s, b -> b.putLong(dims + 4, -5L), "dimension 0 = 18446744073709551611 is absurd", dims + 4);
        expectBad(s, b -> { b.putLong(dims + 4, 1L << 40); b.putLong(dims + 12, 1L << 40); }, "is absurd", dims + 12);
        expectBad(s, b -> b.putLong(dims + 4, 1L << 36), "runs past the end of the file", offset);
        expectBad(s, b -> b.putLong(dims + 4, 48), "row length 48 is not a multiple of the Q8_0 block size 32", dims);
        expectBad(s, b -> b.putInt(type, 4), "unknown or unsupported ggml type 4", type);
        expectBad(s, b -> b.putInt(type, 1000), "unknown or unsupported ggml type 1000", type);
        expectBad(s, b -> b.putLong(offset, 8), "not a multiple of the alignment 32", offset);
        expectBad(s, b -> b.putLong(offset, 1L << 20), "runs past the end of the file", offset);
        expectBad(s, b -> b.putLong(offset, -32L), "not a multiple of the alignment", offset);
        expectBad(s, b -> b.put(t + 8, (byte) 'n'), "duplicate tensor name 'n'", -1);
    }

    /** Issue 21 §3: damage that loaded without a word before. */
    @Test
    void overlappingMistypedEmptyAndNamelessTensorsAreRefused() {
        byte[] s = sample();
        int t = FIRST_TENSOR_INFO, dims = t + 8 + 1, type = dims + 4 + 16, offset = type + 4;
        int second = offset + 8, secondOffset = second + 8 + 1 + 4 + 8 + 4;
        expectBad(s, b -> b.putLong(secondOffset, 0), "overlaps the data of the tensor before it", secondOffset);
        // 'w' declared Q4_0: 72 bytes (padded 96) where Q8_0's 136 (padded 160) are: its type does not match its data.
        expectBad(s, b -> b.putInt(type, 2), "tensor 'n' data offset 160, expected 96", secondOffset);
        expectBad(s, b -> b.putLong(dims + 12, 0), "dimension 1 is 0 (an empty tensor)", dims + 12);
        expectBad(s, b -> b.put(t + 8, (byte) ' '), "tensor #0 has no name", t);
        // The overflow shows at dimension 1 (4), but dimension 0 (2^62) is the absurd one.
        expectBad(s, b -> { b.putLong(dims + 4, 1L << 62); b.putLong(dims + 12, 4); }, "dimension 0 = 4611686018427387904 is absurd", dims + 4);
    }

    @Test
    void truncatedFilesAndRealFilesOnDisk() throws Exception {
        byte[] s = sample();
        long end;
        try (GgufFile f = GgufFile.read(MemorySegment.ofArray(s), Path.of("ok.gguf"))) {
            end = f.dataOffset() + f.tensor("n").offset() + f.tensor("n").byteSize();
        }
        for (int len = 1; len < s.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(s, len);
            if (len >= end) { // only the padding after the last tensor is missing: still readable
                GgufFile.read(MemorySegment.ofArray(cut), Path.of("cut.gguf")).close();
                continue;
            }
            var e = assertThrows(GgufFormatException.class, () -> GgufFile.read(MemorySegment.ofArray(cut), Path.of("cut.gguf")), "length " + len);
            assertTrue(e.offset() <= len, e.getMessage());
        }
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        var e = assertThrows(GgufFormatException.class, () -> GgufFile.open(empty));
        assertTrue(e.getMessage().contains("empty file") && e.getMessage().contains(empty.toString()), e.getMessage());
        Path text = Files.writeString(dir.resolve("model.gguf"), "{\"this\": \"is json\"}", StandardCharsets.UTF_8);
        e = assertThrows(GgufFormatException.class, () -> GgufFile.open(text));
        assertTrue(e.getMessage().startsWith("bad GGUF file " + text + ": not a GGUF file"), e.getMessage());
        Path half = Files.write(dir.resolve("half.gguf"), java.util.Arrays.copyOf(s, s.length - 100));
        e = assertThrows(GgufFormatException.class, () -> GgufFile.open(half));
        assertTrue(e.getMessage().contains("tensor 'w' data"), e.getMessage());
    }

    @Test
    void segmentsAreUnusableAfterClose() throws Exception {
        Path p = Files.write(dir.resolve("ok.gguf"), sample());
        GgufTensor t;
        try (GgufFile f = GgufFile.open(p)) {
            t = f.tensor("n");
            assertEquals(2f, Dequant.toFloat(t)[1]);
        }
        GgufTensor closed = t;
        assertThrows(IllegalStateException.class, () -> Dequant.toFloat(closed));
    }
}
