package dev.codellm.model.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CompletionRequest;
import dev.codellm.core.ModelFaultException;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LocalGenerator;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufWriter;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 §3: NaN/Inf weights loaded silently and generation printed nothing. The scan must name
 * the tensor and count exactly the values the damage makes non-finite, for plain floats and for
 * quantized blocks whose scale is NaN or Inf; generation must stop with an error.
 */
class WeightScanTest {
    @TempDir
    Path dir;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final short F16_NAN = 0x7E00, F16_INF = 0x7C00;

    /** stories260K with element {@code index} of {@code tensor} (an F32 tensor) set to {@code value}. */
    static Path poisoned(Path out, String tensor, int index, float value) {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"))) {
            GgufWriter w = new GgufWriter().putAll(f);
            for (GgufTensor t : f.tensors()) {
                if (!t.name().equals(tensor)) {
                    w.addTensor(t);
                    continue;
                }
                if (t.type() != GgmlType.F32) throw new IllegalStateException(tensor + " is " + t.type());
                byte[] b = t.data().toArray(ValueLayout.JAVA_BYTE);
                java.lang.foreign.MemorySegment.ofArray(b).set(U32, 4L * index, Float.floatToRawIntBits(value));
                w.addTensor(t.name(), t.type(), t.shape(), b);
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void cleanModelScansClean() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"))) {
            WeightScan.Result r = WeightScan.scan(f, null);
            assertTrue(r.clean(), r.bad().toString());
            assertEquals(f.tensors().size(), r.tensors());
            assertEquals(f.tensors().stream().mapToLong(GgufTensor::elementCount).sum(), r.elements());
        }
    }

    @Test
    void oneNanWeightIsNamedAndCounted() {
        Path p = poisoned(dir.resolve("nan.gguf"), "blk.1.ffn_norm.weight", 7, Float.NaN);
        try (GgufFile f = GgufFile.open(p)) {
            WeightScan.Result r = WeightScan.scan(f, null);
            assertEquals(1, r.bad().size(), r.bad().toString());
            WeightScan.Bad b = r.bad().getFirst();
            assertEquals("blk.1.ffn_norm.weight", b.name());
            assertEquals(1, b.nan());
            assertEquals(0, b.inf());
            assertEquals(7, b.firstIndex());
        }
    }

    /** A NaN or Inf block scale makes the whole block non-finite (Inf × a zero quant is NaN): all of it is counted. */
    @Test
    void nonFiniteBlockScalesOfEveryQuantTypeAreFound() {
        // type, byte offset of the block's f16 scale d within a block
        Object[][] cases = {{GgmlType.Q4_0, 0}, {GgmlType.Q8_0, 0}, {GgmlType.Q4_K, 0}, {GgmlType.Q5_K, 0}, {GgmlType.Q6_K, 208},
                {GgmlType.F16, 0}, {GgmlType.BF16, 0}};
        for (Object[] c : cases) {
            GgmlType type = (GgmlType) c[0];
            int scaleAt = (Integer) c[1];
            long[] shape = {512, 3};
            float[] values = new float[512 * 3];
            Random rnd = new Random(1);
            for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian();
            GgufWriter clean = new GgufWriter().addTensor("w", type, shape, values);
            byte[] bytes;
            try (GgufFile f = GgufFile.read(java.lang.foreign.MemorySegment.ofArray(clean.toBytes()), Path.of("clean"))) {
                assertTrue(WeightScan.scan(f, null).clean(), type.toString());
                bytes = f.tensor("w").data().toArray(ValueLayout.JAVA_BYTE);
            }
            // damage the second row: its second block's scale NaN, its third block's Inf
            long rowBytes = type.rowBytes(512), block = type.typeSize();
            var seg = java.lang.foreign.MemorySegment.ofArray(bytes);
            short nan = type == GgmlType.BF16 ? (short) 0x7FC0 : F16_NAN, inf = type == GgmlType.BF16 ? (short) 0x7F80 : F16_INF;
            seg.set(U16, rowBytes + block + scaleAt, nan);
            seg.set(U16, rowBytes + 2 * block + scaleAt, inf);
            GgufWriter w = new GgufWriter().addTensor("w", type, shape, bytes);
            try (GgufFile f = GgufFile.read(java.lang.foreign.MemorySegment.ofArray(w.toBytes()), Path.of("bad"))) {
                WeightScan.Result r = WeightScan.scan(f, null);
                assertEquals(1, r.bad().size(), type.toString());
                WeightScan.Bad b = r.bad().getFirst();
                int bs = type.blockSize();
                assertEquals(2L * bs, b.count(), type + ": " + b);
                assertEquals(512 + bs, b.firstIndex(), type + ": " + b);
                if (bs == 1) assertEquals(1, b.inf(), type.toString());
            }
        }
    }

    @Test
    void generationFromNanWeightsStopsWithAnErrorInsteadOfEmptyText() {
        Path p = poisoned(dir.resolve("nan.gguf"), "output_norm.weight", 3, Float.NaN);
        try (LocalGenerator g = LocalGenerator.open(p, new GeneratorOptions(256, "f32", null, null, 1))) {
            ModelFaultException e = assertThrows(ModelFaultException.class,
                    () -> g.complete(CompletionRequest.of("Once upon a time", SamplingParams.GREEDY.withMaxTokens(16)), t -> true));
            assertTrue(e.getMessage().contains("logits became NaN") && e.getMessage().contains("inspect --check"), e.getMessage());
        }
        Path inf = poisoned(dir.resolve("inf.gguf"), "output_norm.weight", 3, Float.POSITIVE_INFINITY);
        try (LocalGenerator g = LocalGenerator.open(inf, new GeneratorOptions(256, "f32", null, null, 1))) {
            assertThrows(ModelFaultException.class,
                    () -> g.complete(CompletionRequest.of("Once upon a time", SamplingParams.GREEDY.withMaxTokens(16).withTemperature(0.8)), t -> true));
        }
    }
}
