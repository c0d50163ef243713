package dev.codellm.model.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks files against an independent GGUF reader written in Python from the spec
 * ({@code src/test/resources/gguf/gguf_reader.py}, run with Debian's /usr/bin/python3 + numpy):
 * files our writer makes must parse and decode the same there, and the shared real-world
 * files must read the same in both.
 */
class PythonCrossCheckTest {
    static final String PYTHON = "/usr/bin/python3";
    @TempDir Path dir;

    record PyResult(JsonNode json, Path dumpDir) {}

    PyResult runPython(Path gguf) throws Exception {
        Path script = Path.of(getClass().getResource("/gguf/gguf_reader.py").toURI());
        Path dump = Files.createTempDirectory(dir, "dump");
        Path out = dir.resolve("py-" + System.nanoTime() + ".json"), err = dir.resolve("py.err");
        Process p = new ProcessBuilder(PYTHON, script.toString(), gguf.toString(), "--dump", dump.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("python reader timed out on " + gguf);
        }
        if (p.exitValue() != 0) fail("python reader failed on " + gguf + ": " + Files.readString(err));
        return new PyResult(new ObjectMapper().readTree(out.toFile()), dump);
    }

    /** Same version, alignment, metadata (keys, order, types, values) and tensor table. */
    static void assertSameStructure(GgufFile f, JsonNode py) {
        assertEquals(f.version(), py.get("version").asInt());
        assertEquals(f.alignment(), py.get("alignment").asInt());
        assertEquals(f.dataOffset(), py.get("data_offset").asLong());
        List<String> pyKeys = new ArrayList<>();
        py.get("metadata").fieldNames().forEachRemaining(pyKeys::add);
        assertEquals(List.copyOf(f.entries().keySet()), pyKeys);
        for (Map.Entry<String, GgufValue> e : f.entries().entrySet()) assertSameValue(e.getKey(), e.getValue(), py.get("metadata").get(e.getKey()));
        JsonNode tensors = py.get("tensors");
        assertEquals(f.tensors().size(), tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensor t = f.tensors().get(i);
            JsonNode pt = tensors.get(i);
            assertEquals(t.name(), pt.get("name").asText());
            assertEquals(t.type().name(), pt.get("type").asText(), t.name());
            assertEquals(t.type().id(), pt.get("type_id").asInt());
            long[] shape = new long[pt.get("shape").size()];
            for (int d = 0; d < shape.length; d++) shape[d] = pt.get("shape").get(d).asLong();
            org.junit.jupiter.api.Assertions.assertArrayEquals(t.shape(), shape, t.name());
            assertEquals(t.offset(), pt.get("offset").asLong(), t.name());
            assertEquals(t.byteSize(), pt.get("n_bytes").asLong(), t.name());
        }
    }

    static void assertSameValue(String key, GgufValue v, JsonNode py) {
        assertEquals(v.type().name(), py.get("type").asText(), key);
        if (v.type() != GgufValueType.ARRAY) {
            assertSameScalar(key, v.type(), v.value(), py.get("value"));
            return;
        }
        assertEquals(v.elementType().name(), py.get("element_type").asText(), key);
        JsonNode items = py.get("value");
        assertEquals(v.length(), items.size(), key + " length");
        Object a = v.value();
        for (int i = 0; i < items.size(); i++) {
            Object javaItem = switch (a) {
                case int[] x -> x[i];
                case long[] x -> x[i];
                case float[] x -> x[i];
                case double[] x -> x[i];
                case boolean[] x -> x[i];
                case List<?> l -> l.get(i);
                default -> throw new AssertionError(a);
            };
            if (javaItem instanceof GgufValue inner) assertSameValue(key + "[" + i + "]", inner, items.get(i));
            else assertSameScalar(key + "[" + i + "]", v.elementType(), javaItem, items.get(i));
        }
    }

    static void assertSameScalar(String key, GgufValueType t, Object java, JsonNode py) {
        switch (t) {
            case STRING -> assertEquals(java, py.asText(), key);
            case BOOL -> assertEquals(java, py.asBoolean(), key);
            case FLOAT32, FLOAT64 -> {
                double d = ((Number) java).doubleValue();
                if (py.isTextual()) assertTrue(Double.isNaN(d) || Double.isInfinite(d), key + " = " + d + " vs " + py);
                else assertEquals(d, py.asDouble(), 0.0, key);
            }
            case UINT64 -> assertEquals(Long.toUnsignedString((Long) java), py.bigIntegerValue().toString(), key);
            default -> assertEquals(((Number) java).longValue(), py.asLong(), key);
        }
    }

    static float[] readF32(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] a = new float[b.remaining() / 4];
        b.asFloatBuffer().get(a);
        return a;
    }

    /** Python's decode of every tensor equals ours (up to float rounding order). */
    static void assertSameTensorValues(GgufFile f, Path dump) throws Exception {
        for (int i = 0; i < f.tensors().size(); i++) {
            GgufTensor t = f.tensors().get(i);
            float[] ours = Dequant.toFloat(t), theirs = readF32(dump.resolve(i + ".f32"));
            assertEquals(ours.length, theirs.length, t.name());
            for (int j = 0; j < ours.length; j++)
                if (!(Math.abs(ours[j] - theirs[j]) <= 1e-6 * (1 + Math.abs(ours[j]))))
                    fail(t.name() + " (" + t.type() + ") element " + j + ": java " + ours[j] + " python " + theirs[j]);
        }
    }

    @Test
    void writerOutputOfEveryTypeDecodesInPythonCloseToTheSource() throws Exception {
        GgufWriter w = RoundTripTest.allValueTypes();
        Random r = new Random(42);
        java.util.Map<String, float[]> sources = new java.util.LinkedHashMap<>();
        for (GgmlType type : GgmlType.values()) {
            int rowLen = Math.max(type.blockSize() * 2, 64);
            float[] x = new float[rowLen * 2];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (1 + i % 7));
            if (Double.isNaN(RoundTripTest.tolerance(type))) for (int i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 10);
            sources.put("w." + type, x);
            w.addTensor("w." + type, type, new long[] {rowLen, 2}, x);
        }
        Path p = dir.resolve("all.gguf");
        w.write(p);
        PyResult py = runPython(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertSameStructure(f, py.json());
            assertSameTensorValues(f, py.dumpDir());
            for (int i = 0; i < f.tensors().size(); i++) {
                GgufTensor t = f.tensors().get(i);
                float[] x = sources.get(t.name()), y = readF32(py.dumpDir().resolve(i + ".f32"));
                double err = 0, norm = 0;
                for (int j = 0; j < x.length; j++) {
                    err += (x[j] - y[j]) * (x[j] - y[j]);
                    norm += x[j] * x[j];
                }
                double tol = Double.isNaN(RoundTripTest.tolerance(t.type())) ? 0 : RoundTripTest.tolerance(t.type());
                assertTrue(Math.sqrt(err / norm) <= tol, t.type() + ": python decodes our encoding with relative error " + Math.sqrt(err / norm));
            }
        }
    }

    @Test
    void version2WithWideAlignmentReadsInPython() throws Exception {
        Path p = dir.resolve("v2.gguf");
        new GgufWriter().version(2).alignment(256).putString("general.architecture", "llama")
                .addTensor("a", GgmlType.Q8_0, new long[] {32, 3}, new float[96])
                .addTensor("b", GgmlType.F16, new long[] {3}, new float[] {1, -2, 65504}).write(p);
        PyResult py = runPython(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(256, f.alignment());
            assertEquals(256, f.tensor("b").offset());
            assertSameStructure(f, py.json());
            assertSameTensorValues(f, py.dumpDir());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-deepseek-coder.gguf", "vocab/ggml-vocab-gpt-2.gguf",
            "vocab/ggml-vocab-starcoder.gguf", "models/llama-2-tiny-random/llama-2-tiny-random.gguf", "models/stories260K/stories260K.gguf"})
    void sharedFilesReadTheSameInPython(String relative) throws Exception {
        Path p = SharedData.require(relative);
        PyResult py = runPython(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertSameStructure(f, py.json());
            assertSameTensorValues(f, py.dumpDir());
        }
    }
}
