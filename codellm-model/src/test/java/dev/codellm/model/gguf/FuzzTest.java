package dev.codellm.model.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.codellm.core.SharedData;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random truncations, byte flips and overwritten fields of real GGUF files: every case must either
 * open (and then be fully readable) or throw {@link GgufFormatException} — never another exception,
 * an OOM or a crash. Deterministic seeds, so a failure names a reproducible case.
 */
class FuzzTest {
    static final int CASES_PER_FILE = 800;

    @ParameterizedTest
    @ValueSource(strings = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-deepseek-coder.gguf", "vocab/ggml-vocab-gpt-2.gguf",
            "vocab/ggml-vocab-starcoder.gguf", "models/stories260K/stories260K.gguf", "writer:all-types"})
    void mutatedFilesOpenOrFailWithAFormatError(String source) throws Exception {
        byte[] original = source.startsWith("writer:") ? allTypesFile() : Files.readAllBytes(SharedData.require(source));
        byte[] bytes = original.clone();
        Path label = Path.of(source);
        // The structural part (header, metadata, tensor infos) is where corruption matters most.
        int structure;
        try (GgufFile f = GgufFile.read(MemorySegment.ofArray(original), label)) {
            structure = (int) Math.min(f.dataOffset(), original.length);
        }
        Random r = new Random(source.hashCode());
        int opened = 0, rejected = 0;
        for (int c = 0; c < CASES_PER_FILE; c++) {
            int kind = c % 3;
            String what;
            MemorySegment seg;
            int[] touched = new int[0];
            if (kind == 0) {
                int len = 1 + r.nextInt(original.length - 1);
                what = "truncated to " + len;
                seg = MemorySegment.ofArray(bytes).asSlice(0, len);
            } else {
                int n = 1 + r.nextInt(kind == 1 ? 4 : 8);
                int at = r.nextBoolean() ? r.nextInt(Math.min(structure, 4096)) : r.nextInt(structure);
                touched = new int[n];
                for (int i = 0; i < n; i++) {
                    touched[i] = kind == 1 ? (r.nextBoolean() ? at : r.nextInt(original.length)) : Math.min(original.length - 1, at + i);
                    bytes[touched[i]] = kind == 1 ? (byte) (bytes[touched[i]] ^ (1 << r.nextInt(8))) : (byte) (r.nextBoolean() ? 0xFF : r.nextInt(256));
                }
                what = (kind == 1 ? "bit flips" : "overwrite") + " at " + java.util.Arrays.toString(touched);
                seg = MemorySegment.ofArray(bytes);
            }
            try (GgufFile f = GgufFile.read(seg, label)) {
                readEverything(f);
                opened++;
            } catch (GgufFormatException e) {
                assertTrue(e.getMessage().contains(source), e.getMessage());
                rejected++;
            } catch (Throwable t) {
                fail(source + " case " + c + " (" + what + "): " + t, t);
            }
            for (int i : touched) bytes[i] = original[i];
        }
        System.out.println(source + ": " + opened + " opened, " + rejected + " rejected");
        assertTrue(rejected > CASES_PER_FILE / 4, "the mutations should break many cases: " + rejected);
    }

    private static void readEverything(GgufFile f) {
        f.metadata().forEach((k, v) -> { if (v == null) throw new AssertionError(k); });
        for (GgufTensor t : f.tensors()) if (t.elementCount() < 1 << 22) Dequant.toFloat(t);
    }

    static byte[] allTypesFile() {
        GgufWriter w = RoundTripTest.allValueTypes();
        Random r = new Random(1);
        for (GgmlType type : GgmlType.values()) {
            float[] x = new float[Math.max(256, type.blockSize())];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            w.addTensor("w." + type, type, new long[] {x.length}, x);
        }
        return w.toBytes();
    }
}
