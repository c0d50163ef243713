package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.llama.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our quantize output is bit-identical to llama-quantize's on the same F16 file: same tensors, same
 * per-tensor types, same bytes, for every type we offer. The file has Llama 2's vocabulary (so
 * llama.cpp loads it as a real model) and 12 layers (so the _M mixes' layer rules matter, counted
 * in llama-quantize's name order).
 * Skipped, with the reason, where llama.cpp is not built ({@link LlamaCppPeer}).
 */
class LlamaQuantizeParityTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K", "Q4_K_S", "Q5_K_S"})
    void tensorsAreBitIdenticalToLlamaQuantizes(QuantType type) throws Exception {
        Path tool = LlamaCppPeer.require("llama-quantize");
        Path in = dir.resolve("f16.gguf");
        TinyModels.write(in, GgmlType.F16, false, 10000f, 11, new TinyModels.Shape(256, 12, 4, 2, 512, 32000), w -> {
            w.putUInt32("general.file_type", 1);
            try (GgufFile v = GgufFile.open(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"))) {
                v.entries().forEach((k, val) -> { if (k.startsWith("tokenizer.")) w.put(k, val); });
            }
        });
        Path theirs = dir.resolve("llama.gguf"), ours = dir.resolve("ours.gguf");
        LlamaCppPeer.run(600, tool, in.toString(), theirs.toString(), type.name(), "2");
        GgufQuantizer.quantize(in, ours, type, 2, false, new PrintStream(new ByteArrayOutputStream()));
        try (GgufFile a = GgufFile.open(theirs); GgufFile b = GgufFile.open(ours)) {
            assertEquals(a.tensors().stream().map(GgufTensor::name).sorted().toList(), b.tensors().stream().map(GgufTensor::name).sorted().toList());
            assertEquals(a.getInt("general.file_type"), b.getInt("general.file_type"));
            for (GgufTensor t : a.tensors()) {
                GgufTensor u = b.tensor(t.name());
                assertEquals(t.type(), u.type(), type + " " + t.name());
                assertEquals(Arrays.toString(t.shape()), Arrays.toString(u.shape()));
                assertArrayEquals(t.data().toArray(ValueLayout.JAVA_BYTE), u.data().toArray(ValueLayout.JAVA_BYTE), type + " " + t.name());
            }
        }
    }
}
