package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs the numpy references (reference_forward.py and the scripts built on it) for tests: the
 * GGUF's tensors dequantized to {@code <name>.f32} files, the tiny model's config.json, the script
 * copied next to them, python3 with one BLAS thread.
 */
public final class NumpyReference {
    private NumpyReference() {}

    /** Writes every tensor of {@code gguf} as float32 little-endian {@code work/<name>.f32}. */
    public static void writeTensors(Path gguf, Path work) throws Exception {
        Files.createDirectories(work);
        try (GgufFile f = GgufFile.open(gguf)) {
            for (GgufTensor t : f.tensors()) {
                float[] v = Dequant.toFloat(t);
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                Files.write(work.resolve(t.name() + ".f32"), bb.array());
            }
        }
    }

    /** config.json for a {@link TinyModels} file; {@code extra} is more JSON members (", ..."), or "". */
    public static void writeConfig(Path work, boolean tied, float theta, int greedy, int[] prompt, boolean q8Activations, String extra)
            throws Exception {
        writeConfig(work, TinyModels.TINY, tied, theta, greedy, prompt, q8Activations, extra);
    }

    /** config.json for a model of {@code shape}. */
    public static void writeConfig(Path work, TinyModels.Shape shape, boolean tied, float theta, int greedy, int[] prompt,
                                   boolean q8Activations, String extra) throws Exception {
        String cfg = String.format(Locale.ROOT,
                "{\"dim\": %d, \"layers\": %d, \"heads\": %d, \"kv_heads\": %d, \"ffn\": %d, \"vocab\": %d, \"eps\": 1e-5,"
                        + " \"theta\": %s, \"tied\": %s, \"greedy\": %d, \"prompt\": %s, \"q8_activations\": %s%s}",
                shape.dim(), shape.layers(), shape.heads(), shape.kvHeads(), shape.ffn(), shape.vocab(),
                Float.toString(theta), tied, greedy, Arrays.toString(prompt), q8Activations, extra);
        Files.writeString(work.resolve("config.json"), cfg);
    }

    /** Copies the classpath resource {@code /dev/codellm/model/<resource>} into {@code work}. */
    public static Path copyScript(Path work, String resource) throws Exception {
        Path script = work.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = NumpyReference.class.getResourceAsStream("/dev/codellm/model/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return script;
    }

    /** Copies reference_forward.py and the rope_reference.py it imports into {@code work}; returns the former. */
    public static Path copyForward(Path work) throws Exception {
        copyScript(work, "llama/rope_reference.py");
        return copyScript(work, "llama/reference_forward.py");
    }

    /** Runs python3 with {@code args}, failing the test on a non-zero exit or after {@code timeoutSeconds}. */
    public static void run(long timeoutSeconds, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "/usr/bin/python3";
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // Tiny matrices: BLAS threads only fight the JVM for the two cores.
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "numpy reference timed out");
        assertEquals(0, p.exitValue(), "numpy reference failed: " + output);
        System.out.printf("numpy reference %s: %.1f s%n", Path.of(args[0]).getFileName(), (System.nanoTime() - t0) / 1e9);
    }
}
