package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufValue;
import dev.codellm.model.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one llama GGUF schema against files llama.cpp's converter wrote (the shared stories260K and
 * llama-2-tiny-random GGUFs): the tensors it says a config has are exactly the file's, names and
 * shapes, and writing the config read from such a file reproduces every {@code llama.*} key the
 * file has, type and value. Then: whatever config is written reads back equal.
 */
class LlamaGgufTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K/stories260K.gguf", "models/llama-2-tiny-random/llama-2-tiny-random.gguf"})
    void schemaMatchesFilesLlamaCppWrote(String file) throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.require(file))) {
            LlamaConfig c = LlamaGguf.read(f);
            Map<String, String> expected = new TreeMap<>(), ours = new TreeMap<>();
            for (GgufTensor t : f.tensors()) expected.put(t.name(), java.util.Arrays.toString(t.shape()));
            for (LlamaGguf.TensorSpec t : LlamaGguf.tensors(c)) ours.put(t.name(), java.util.Arrays.toString(t.shape()));
            assertEquals(expected, ours);

            Path out = dir.resolve("header.gguf");
            GgufWriter w = LlamaGguf.writeConfig(new GgufWriter(), c, "x", 0);
            addZeroTensors(w, c);
            w.write(out);
            try (GgufFile g = GgufFile.open(out)) {
                for (Map.Entry<String, GgufValue> e : f.entries().entrySet()) {
                    if (!e.getKey().startsWith("llama.")) continue;
                    GgufValue mine = g.entry(e.getKey()).orElseThrow(() -> new AssertionError("schema does not write " + e.getKey()));
                    assertEquals(e.getValue().type(), mine.type(), e.getKey());
                    assertEquals(e.getValue().value(), mine.value(), e.getKey());
                }
                assertEquals(c, LlamaGguf.read(g));
            }
        }
    }

    static Stream<LlamaConfig> configs() {
        return Stream.of(
                new LlamaConfig(64, 2, 4, 2, 96, 50, 128, 1e-6f, 5e5f, false),
                new LlamaConfig(64, 1, 4, 4, 96, 50, 128, 1e-5f, 1e4f, true),
                new LlamaConfig(64, 1, 4, 1, 96, 50, 256, 1e-5f, 1e6f, 8, RopeScaling.NONE, false),
                new LlamaConfig(64, 1, 4, 2, 96, 50, 512, 1e-5f, 1e4f, 16, new RopeScaling(RopeScaling.Type.LINEAR, 4f, 0), true),
                new LlamaConfig(64, 1, 4, 2, 96, 50, 512, 1e-5f, 1e4f, 12, new RopeScaling(RopeScaling.Type.YARN, 8f, 64), false));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void writtenConfigReadsBackEqual(LlamaConfig c) throws Exception {
        Path out = dir.resolve("m.gguf");
        GgufWriter w = LlamaGguf.writeConfig(new GgufWriter(), c, "round trip", LlamaGguf.fileType(GgmlType.F32));
        addZeroTensors(w, c);
        w.write(out);
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals(c, LlamaConfig.fromGguf(g));
            assertEquals(c.tiedOutput(), g.findTensor(LlamaGguf.OUTPUT).isEmpty());
        }
    }

    @Test
    void syntheticModelIsWrittenThroughTheSchema() throws Exception {
        Path out = dir.resolve("synthetic.gguf");
        SyntheticGguf.write(out, ModelShape.TINY, GgmlType.Q8_0, 1, 3);
        try (GgufFile g = GgufFile.open(out)) {
            LlamaConfig c = LlamaGguf.read(g);
            assertEquals(new LlamaConfig(ModelShape.TINY.dim, 1, ModelShape.TINY.heads, ModelShape.TINY.kvHeads, ModelShape.TINY.ffn,
                    ModelShape.TINY.vocab, 16384, 1e-5f, 1e6f, false), c);
            assertEquals(7L, g.getLong(LlamaGguf.FILE_TYPE));
            assertEquals(LlamaGguf.tensors(c).size(), g.tensors().size());
            for (LlamaGguf.TensorSpec t : LlamaGguf.tensors(c)) assertArrayEquals(t.shape(), g.tensor(t.name()).shape(), t.name());
        }
    }

    private static void addZeroTensors(GgufWriter w, LlamaConfig c) {
        for (LlamaGguf.TensorSpec t : LlamaGguf.tensors(c)) {
            long n = 1;
            for (long d : t.shape()) n *= d;
            w.addTensor(t.name(), GgmlType.F32, t.shape(), new float[(int) n]);
        }
    }
}
