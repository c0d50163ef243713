package dev.codellm.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RoundTripTest {
    @TempDir Path dir;

    static GgufWriter allValueTypes() {
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "tiny ✓ ünïcode")
                .put("t.u8", GgufValue.ofInt(GgufValueType.UINT8, 255))
                .put("t.i8", GgufValue.ofInt(GgufValueType.INT8, -128))
                .put("t.u16", GgufValue.ofInt(GgufValueType.UINT16, 65535))
                .put("t.i16", GgufValue.ofInt(GgufValueType.INT16, -32768))
                .putUInt32("t.u32", 0xFFFF_FFFFL)
                .putInt32("t.i32", Integer.MIN_VALUE)
                .put("t.u64", GgufValue.ofUInt64(-1L))
                .put("t.i64", Long.MIN_VALUE)
                .putFloat32("t.f32", 1.5e-5f)
                .put("t.f64", Math.PI)
                .putBool("t.bool", true)
                .putStrings("t.strings", List.of("a", "", "<0x0A>", "▁<PRE>"))
                .putFloats("t.floats", new float[] {-1f, 0f, Float.MAX_VALUE})
                .putInt32s("t.ints", new int[] {1, -2, 3})
                .put("t.u8s", GgufValue.ofInts(GgufValueType.UINT8, new int[] {0, 255}))
                .put("t.i16s", GgufValue.ofInts(GgufValueType.INT16, new int[] {-32768, 32767}))
                .put("t.u32s", GgufValue.ofLongs(GgufValueType.UINT32, new long[] {0, 0xFFFF_FFFFL}))
                .put("t.u64s", GgufValue.ofLongs(GgufValueType.UINT64, new long[] {1, -1}))
                .put("t.f64s", new double[] {0.25, -8})
                .put("t.bools", new boolean[] {true, false})
                .put("t.empty", new int[0])
                .put("t.nested", GgufValue.ofArrays(List.of(
                        GgufValue.ofStrings(List.of("x", "y")),
                        GgufValue.ofInt32s(new int[] {7}),
                        GgufValue.ofArrays(List.of(GgufValue.ofFloats(new float[] {2.5f}))))));
    }

    @Test
    void everyMetadataTypeSurvivesWriteAndRead() throws Exception {
        GgufWriter w = allValueTypes();
        Path p = dir.resolve("meta.gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(24, f.entries().size());
            assertEquals("tiny ✓ ünïcode", f.getString("general.name"));
            assertEquals(255, f.getInt("t.u8"));
            assertEquals(-128, f.getInt("t.i8"));
            assertEquals(65535, f.getInt("t.u16"));
            assertEquals(-32768, f.getInt("t.i16"));
            assertEquals(0xFFFF_FFFFL, f.getLong("t.u32"));
            assertEquals(Integer.MIN_VALUE, f.getInt("t.i32"));
            assertEquals(-1L, f.getLong("t.u64"));
            assertThrows(dev.codellm.core.CodellmException.class, () -> f.getInt("t.u64"));
            assertThrows(dev.codellm.core.CodellmException.class, () -> f.getInt("t.u32"));
            assertEquals(Long.MIN_VALUE, f.getLong("t.i64"));
            assertEquals(1.5e-5f, f.getFloat("t.f32"));
            assertEquals(Math.PI, f.getDouble("t.f64"));
            assertTrue(f.getBoolean("t.bool"));
            assertArrayEquals(new String[] {"a", "", "<0x0A>", "▁<PRE>"}, f.getStringArray("t.strings"));
            assertArrayEquals(new float[] {-1f, 0f, Float.MAX_VALUE}, f.getFloatArray("t.floats"));
            assertArrayEquals(new int[] {1, -2, 3}, f.getIntArray("t.ints"));
            assertArrayEquals(new int[] {0, 255}, f.getIntArray("t.u8s"));
            assertThrows(dev.codellm.core.CodellmException.class, () -> f.getIntArray("t.u32s"));
            assertArrayEquals(new long[] {0, 0xFFFF_FFFFL}, (long[]) f.metadata().get("t.u32s"));
            List<?> nested = (List<?>) f.metadata().get("t.nested");
            assertEquals(List.of("x", "y"), nested.get(0));
            assertArrayEquals(new int[] {7}, (int[]) nested.get(1));
            assertArrayEquals(new float[] {2.5f}, (float[]) ((List<?>) nested.get(2)).get(0));
            assertEquals(GgufValueType.ARRAY, f.entry("t.nested").orElseThrow().elementType());
            assertEquals(0, f.getIntArray("t.empty").length);
            // Types and values are identical, so writing the read metadata again gives the same bytes.
            assertEquals(w.put("x", 1).remove("x").toBytes().length, Files.size(p));
            assertArrayEquals(w.toBytes(), new GgufWriter().putAll(f).toBytes());
        }
    }

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** Relative RMS error bound of dequant(quant(x)) for Gaussian data, per type. */
    static double tolerance(GgmlType t) {
        return switch (t) {
            case F32, F64 -> 0;
            case F16 -> 1e-3;
            case BF16 -> 5e-3;
            case Q8_0, Q8_1, Q8_K -> 0.01;
            case Q6_K -> 0.03;
            case Q5_0, Q5_1, Q5_K -> 0.06;
            case Q4_0, Q4_1, Q4_K -> 0.12;
            case Q3_K -> 0.2;
            case Q2_K -> 0.42;
            case I8, I16, I32, I64 -> Double.NaN; // integer types: checked separately
        };
    }

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void quantizedTensorsDecodeCloseToTheirSource(GgmlType type) {
        int rowLen = type.blockSize() == 1 ? 64 : 512;
        long[] shape = {rowLen, 3};
        float[] x = gaussian(rowLen * 3, type.id());
        if (Double.isNaN(tolerance(type))) for (int i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 40);
        Path p = dir.resolve(type + ".gguf");
        new GgufWriter().alignment(64).addTensor("a", GgmlType.F32, new long[] {5}, new float[] {1, 2, 3, 4, 5})
                .addTensor("w." + type, type, shape, x).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(64, f.alignment());
            GgufTensor t = f.tensor("w." + type);
            assertEquals(type, t.type());
            assertArrayEquals(shape, t.shape());
            assertEquals(0, t.offset() % 64);
            assertEquals(0, (f.dataOffset() + t.offset()) % 64);
            float[] y = Dequant.toFloat(t);
            double err = 0, norm = 0;
            for (int i = 0; i < x.length; i++) {
                err += (x[i] - y[i]) * (x[i] - y[i]);
                norm += x[i] * x[i];
            }
            double rel = Math.sqrt(err / norm);
            double tol = Double.isNaN(tolerance(type)) ? 0 : tolerance(type);
            assertTrue(rel <= tol, type + " relative RMS error " + rel + " > " + tol);
            float[] row2 = Dequant.row(t, 2);
            assertArrayEquals(java.util.Arrays.copyOfRange(y, 2 * rowLen, 3 * rowLen), row2);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5}, Dequant.toFloat(f.tensor("a")));
        }
    }

    @Test
    void zeroBlocksDecodeToZero() {
        for (GgmlType type : GgmlType.values()) {
            int n = Math.max(256, type.blockSize());
            float[] zeros = new float[n];
            assertArrayEquals(zeros, Dequant.decode(type, java.lang.foreign.MemorySegment.ofArray(Quantize.quantize(type, zeros)), n), 0f, type.toString());
        }
    }

    @Test
    void version2FilesAndCopiedTensorsRead() {
        Path src = SharedData.require("models/stories260K/stories260K.gguf");
        Path p = dir.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(src)) {
            GgufWriter w = new GgufWriter().version(2).putAll(f);
            f.tensors().forEach(w::addTensor);
            w.write(p);
            try (GgufFile g = GgufFile.open(p)) {
                assertEquals(2, g.version());
                assertEquals(f.entries(), g.entries());
                assertEquals(f.tensors().size(), g.tensors().size());
                for (GgufTensor t : f.tensors())
                    assertArrayEquals(Dequant.toFloat(t), Dequant.toFloat(g.tensor(t.name())), t.name());
            }
        }
    }

    @Test
    void writerRejectsInvalidTensors() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q4_0, new long[] {30}, new float[30]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.F32, new long[] {4}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q8_0, new long[] {32}, new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new float[1]));
        w.addTensor("q", GgmlType.F32, new long[] {1}, new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.F32, new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("general.alignment", 3));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", new Object()));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.ofInt(GgufValueType.UINT8, 256));
    }
}
