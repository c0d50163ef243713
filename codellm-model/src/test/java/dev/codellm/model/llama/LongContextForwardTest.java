package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.UseKernels;
import dev.codellm.model.kernels.VecMath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The forward pass beyond 4,096 positions and at 16k (θ = 1e6, and with linear and YaRN scaling
 * read from the GGUF's llama.rope.scaling.* keys) against the independent numpy forward pass:
 * logits at chosen positions within 1e-4, then 8 greedy steps teacher-forced on numpy's tokens,
 * each step's logits within 1e-4 and its argmax numpy's wherever numpy's best two are further
 * apart than twice the error. A one-layer, one-head model keeps a 16k-token prompt to seconds on
 * both sides; the attention softmax then runs over 16k scores per query.
 */
@UseKernels(UseKernels.Path.JAVA)
class LongContextForwardTest {
    static final TinyModels.Shape MICRO = new TinyModels.Shape(64, 1, 1, 1, 128, 320);
    static final int GREEDY = 8;
    static final double TOL = 1e-4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"none, 1, 0, 16400", "linear, 4, 0, 4200", "yarn, 4, 4096, 4200"})
    void matchesNumpyAtLongPositions(String type, float factor, int origCtx, int length) throws Exception {
        Path gguf = TinyModels.write(dir.resolve("micro.gguf"), GgmlType.F32, false, 1e6f, 99, MICRO, w -> {
            w.putUInt32("llama.context_length", 16384);
            if (!type.equals("none")) {
                w.putString("llama.rope.scaling.type", type);
                w.putFloat32("llama.rope.scaling.factor", factor);
                if (origCtx > 0) w.putUInt32("llama.rope.scaling.original_context_length", origCtx);
            }
        });
        int[] prompt = new SplittableRandom(length).ints(length, 0, MICRO.vocab()).toArray();
        List<Integer> report = List.of(0, 1, 2047, 4095, 4097, length / 2, length - 2, length - 1);
        Path work = dir.resolve("ref");
        NumpyReference.writeTensors(gguf, work);
        String scaling = type.equals("none") ? "" : String.format(Locale.ROOT, ", \"rope_scaling\": {\"type\": \"%s\", \"factor\": %s, \"orig_ctx\": %d}",
                type, Float.toString(factor), origCtx);
        NumpyReference.writeConfig(work, MICRO, false, 1e6f, GREEDY, prompt, false, scaling + ", \"report_positions\": " + report);
        NumpyReference.run(300, NumpyReference.copyForward(work).toString(), work.toString());
        List<String> lines = Files.readAllLines(work.resolve("reference.txt"));
        assertEquals(report.size() + 2 + GREEDY, lines.size());
        int[] greedy = Arrays.stream(lines.get(report.size()).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        double[] margins = doubles(lines.get(report.size() + 1));
        try (GgufFile f = GgufFile.open(gguf); LlamaModel model = LlamaModel.load(f, 2)) {
            assertEquals(type.equals("none") ? RopeScaling.Type.NONE : RopeScaling.Type.valueOf(type.toUpperCase(Locale.ROOT)),
                    model.config().ropeScaling().type(), "the GGUF's scaling reaches the config");
            Session s = model.newSession(length + GREEDY, KvType.F32);
            float[][] logits = model.forwardAll(s, prompt);
            double worst = 0;
            for (int r = 0; r < report.size(); r++) {
                double err = LlamaReferenceTest.maxAbsDiff(logits[report.get(r)], doubles(lines.get(r)));
                worst = Math.max(worst, err);
                assertTrue(err <= TOL, type + " position " + report.get(r) + ": max abs diff " + err);
            }
            float[] last = logits[length - 1];
            for (int step = 0; step < GREEDY; step++) {
                double err = LlamaReferenceTest.maxAbsDiff(last, doubles(lines.get(report.size() + 2 + step)));
                worst = Math.max(worst, err);
                assertTrue(err <= TOL, type + " greedy step " + step + " (position " + (length + step) + "): max abs diff " + err);
                if (margins[step] > 2 * err) assertEquals(greedy[step], VecMath.argmax(last), type + " greedy step " + step);
                last = model.forward(s, new int[] {greedy[step]});
            }
            System.out.printf("long context %s x%s, %d tokens: worst |logit - numpy| %.2e%n", type, factor, length, worst);
        }
    }

    private static double[] doubles(String line) {
        return Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }
}
