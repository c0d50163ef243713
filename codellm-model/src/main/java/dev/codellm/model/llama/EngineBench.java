package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.kernels.Parallel;
import dev.codellm.model.kernels.VecMath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * llama-bench-style measurement: prompt processing (one batched forward of {@code promptTokens}),
 * then {@code genTokens} single-token decode steps, plus this machine's memory read bandwidth
 * measured in the same run, so generation speed can be compared with the bandwidth bound.
 */
public final class EngineBench {

    /**
     * Results; bandwidth figures in GB/s (1e9 bytes). {@code dispatchesPerToken}: parallel loops
     * handed to the worker threads per generated token; {@code dispatchNanos}: wall time of one
     * empty dispatch on the model's threads (the fixed cost each of them pays; 0 with one thread).
     */
    public record Result(String model, String weightType, int threads, boolean nativeKernels, int promptTokens, int genTokens,
                         double ppTokensPerS, double tgTokensPerS, long weightBytesPerToken, double weightGbPerS,
                         double bandwidthGbPerS, double bandwidthRatio, long kvCacheBytes, long fileBytes, long rssBytes,
                         double tgCpuSeconds, double tgWallSeconds, String isa, String kernelsWhy, int depth, double depthTokensPerS,
                         String kvType, double dispatchesPerToken, double dispatchNanos, StepProfile profile, StepProfile ppProfile) {
        /** Share of the requested threads' time this process actually got while generating (contention shows as < 1). */
        public double tgCpuShare() { return tgCpuSeconds / (tgWallSeconds * threads); }
    }

    private EngineBench() {}

    /** Which matrix kernels to run: the process's default, the pure-Java ones, or the native ones (required). */
    public enum Kernels { DEFAULT, JAVA, NATIVE }

    /**
     * What {@code codellm bench} asks for; {@code threads} null = one per available processor;
     * {@code isa} (amx, avx512, avx2, java) forces one kernel variant, null = the best this CPU runs.
     */
    public record Options(Integer threads, int promptTokens, int genTokens, String kvType, Kernels kernels, String isa, int depth,
                          boolean profile) {
        public Options(Integer threads, int promptTokens, int genTokens, String kvType, Kernels kernels, String isa) {
            this(threads, promptTokens, genTokens, kvType, kernels, isa, 0, false);
        }
    }

    /**
     * Loads {@code file} with the chosen kernels, tells {@code kernelsNote} which kernels run its
     * matrices (null: say nothing and print no progress), measures, and restores the process's
     * kernel choice (in-process callers such as tests keep theirs).
     */
    public static Result run(Path file, Options o, java.util.function.Consumer<String> kernelsNote) {
        int t = o.threads() == null ? Parallel.defaultThreads() : o.threads();
        if (t < 1) throw new CodellmException("--threads must be >= 1");
        if (o.kernels() == Kernels.NATIVE && !NativeKernels.available())
            throw new CodellmException("--native: native kernels unavailable: " + NativeKernels.status());
        KvType kv = KvType.parse(o.kvType());
        boolean before = NativeKernels.enabled();
        if (o.isa() != null) NativeKernels.select(o.isa().trim().toLowerCase(java.util.Locale.ROOT));
        else NativeKernels.setEnabled(o.kernels() != Kernels.JAVA && (o.kernels() == Kernels.NATIVE || before));
        try (dev.codellm.model.gguf.GgufFile f = dev.codellm.model.gguf.GgufFile.open(file); LlamaModel m = LlamaModel.load(f, t)) {
            if (kernelsNote != null) kernelsNote.accept(kernelsLine(m));
            return run(file, m, o.depth(), o.promptTokens(), o.genTokens(), kv, kernelsNote == null, o.profile());
        } finally {
            if (o.isa() != null) NativeKernels.selectDefault();
            NativeKernels.setEnabled(before);
        }
    }

    /** Which kernels run this model's matrices and why (a weight type without a native kernel runs Java). */
    static String kernelsLine(LlamaModel m) {
        dev.codellm.model.kernels.WeightFormat f = dev.codellm.model.kernels.WeightFormat.forName(m.weightTypeName());
        if (NativeKernels.enabled() && f != null && !NativeKernels.supports(f)) {
            return "Java Vector API kernels (" + f.name() + " weights have no native kernel; native attention over the KV cache)";
        }
        return NativeKernels.describe();
    }

    public static Result run(Path modelPath, LlamaModel model, int promptTokens, int genTokens, KvType kvType, boolean quiet) {
        return run(modelPath, model, 0, promptTokens, genTokens, kvType, quiet, false);
    }

    /**
     * With {@code depth} &gt; 0 the session is first filled with that many tokens (timed on its own,
     * {@code depthTokensPerS}), then pp and tg run after them: llama-bench's "at depth" tests, how
     * long-context speed is compared. {@code promptTokens} may then be 0 (no pp test).
     * <p>Generation starts at position {@code depth} (the pp prompt is dropped from the cache
     * first), as llama-bench's tg test does: it clears the cache between its pp and tg tests, so
     * its tg64 reads the keys of 0-63 earlier positions, and ours, run after a 512-token prompt,
     * read those of 512-575 (8x the attention work of the run it is compared with).
     * With {@code profile} the generated tokens' passes are timed by phase ({@link StepProfile}),
     * and so is the pp prompt (its chunks' passes), in a profile of its own.
     */
    public static Result run(Path modelPath, LlamaModel model, int depth, int promptTokens, int genTokens, KvType kvType, boolean quiet,
                             boolean profile) {
        if (depth < 0) throw new CodellmException("--depth must be >= 0");
        if (promptTokens < (depth > 0 ? 0 : 1) || genTokens < 1) {
            throw new CodellmException("prompt and generation token counts must be at least 1 (the prompt may be 0 with --depth)");
        }
        int ctx = depth + promptTokens + genTokens + 1;
        SplittableRandom rnd = new SplittableRandom(42);
        int vocab = model.config().vocabSize();
        // Warm-up: JIT-compile the batched and single-token paths before timing.
        Session warm = model.newSession(Math.min(ctx, 64), kvType);
        model.forward(warm, rnd.ints(Math.max(1, Math.min(8, promptTokens)), 0, vocab).toArray());
        model.forward(warm, new int[] {1});

        Session s = model.newSession(ctx, kvType);
        double depthSecs = 0;
        float[] logits = null;
        if (depth > 0) {
            if (!quiet) System.err.println("bench: filling the context to depth " + depth + " tokens...");
            long d0 = System.nanoTime();
            int[] fill = rnd.ints(depth, 0, vocab).toArray();
            for (int at = 0; at < depth; at += LlamaModel.MAX_CHUNK) {  // chunk by chunk, so the progress line moves
                logits = model.forward(s, java.util.Arrays.copyOfRange(fill, at, Math.min(depth, at + LlamaModel.MAX_CHUNK)));
                if (!quiet && (at / LlamaModel.MAX_CHUNK) % 8 == 7) System.err.printf("bench: depth %d of %d%n", at + LlamaModel.MAX_CHUNK, depth);
            }
            depthSecs = (System.nanoTime() - d0) / 1e9;
        }
        double ppSecs = Double.NaN;
        StepProfile ppProf = profile && promptTokens > 0 ? new StepProfile() : null;
        if (promptTokens > 0) {
            int[] prompt = rnd.ints(promptTokens, 0, vocab).toArray();
            if (!quiet) System.err.println("bench: prompt processing " + promptTokens + " tokens" + (depth > 0 ? " at depth " + depth : "") + "...");
            model.profile(ppProf);
            long t0 = System.nanoTime();
            try {
                logits = model.forward(s, prompt);
            } finally {
                model.profile(null);
            }
            ppSecs = (System.nanoTime() - t0) / 1e9;
        }

        s.truncate(depth);  // tg at the depth, as llama-bench (see above)

        Progress progress = quiet ? null : new Progress("bench: generation", genTokens);
        StepProfile prof = profile ? new StepProfile() : null;
        model.profile(prof);
        long c1 = processCpuNanos();
        long d1 = model.dispatches();
        long t1 = System.nanoTime();
        try {
            for (int i = 0; i < genTokens; i++) {
                logits = model.forward(s, new int[] {VecMath.argmax(logits)});
                if (progress != null) progress.step(1);
            }
        } finally {
            model.profile(null);
        }
        double tgSecs = (System.nanoTime() - t1) / 1e9;
        double tgCpu = (processCpuNanos() - c1) / 1e9;
        double dispatchesPerToken = (model.dispatches() - d1) / (double) genTokens;
        double dispatchNanos = model.measureDispatchNanos();

        double bandwidth = measureReadBandwidth(model.threads());
        double tg = genTokens / tgSecs;
        long bytesPerToken = model.weightBytesPerToken();
        double weightGbps = bytesPerToken * tg / 1e9;
        long fileBytes = modelPath.toFile().length();
        return new Result(modelPath.getFileName().toString(), model.weightTypeName(), model.threads(), NativeKernels.enabled(),
                promptTokens, genTokens, promptTokens / ppSecs, tg, bytesPerToken, weightGbps, bandwidth, weightGbps / bandwidth,
                Session.bytes(model.config(), ctx, kvType), fileBytes, residentBytes(), tgCpu, tgSecs, NativeKernels.isa(), NativeKernels.describe(),
                depth, depth > 0 ? depth / depthSecs : Double.NaN, kvType.flagName(), dispatchesPerToken, dispatchNanos, prof, ppProf);
    }

    /**
     * Sustained read bandwidth with {@code threads} threads over a 512 MiB buffer (far beyond the
     * caches): best of three passes, each thread summing its own slices with vector loads.
     */
    public static double measureReadBandwidth(int threads) {
        long size = 512L << 20;
        try (Arena arena = Arena.ofShared(); Parallel par = new Parallel(threads)) {
            MemorySegment buf = arena.allocate(size, 64);
            buf.fill((byte) 1);
            // Vector code only runs at speed once C2 has compiled it: warm up on a cached slice.
            float warm = 0;
            for (int i = 0; i < 20_000; i++) warm += sum(buf, 0, 4096);
            int chunks = 256;
            long chunk = size / chunks;
            double best = 0;
            float[] sink = new float[chunks];
            for (int pass = 0; pass < 3; pass++) {
                long t0 = System.nanoTime();
                par.forRange(chunks, 1, (from, to) -> {
                    for (int c = from; c < to; c++) sink[c] = sum(buf, c * chunk, (c + 1) * chunk);
                });
                best = Math.max(best, size / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            if (warm == 42 && sink[0] == 42) System.err.print("");  // keep the sums alive
            return best;
        }
    }

    private static float sum(MemorySegment buf, long from, long to) {
        VectorSpecies<Float> f = FloatVector.SPECIES_256;
        FloatVector a0 = FloatVector.zero(f), a1 = FloatVector.zero(f), a2 = FloatVector.zero(f), a3 = FloatVector.zero(f);
        for (long o = from; o < to; o += 128) {
            a0 = a0.add(FloatVector.fromMemorySegment(f, buf, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(f, buf, o + 32, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(f, buf, o + 64, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(f, buf, o + 96, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** CPU time of this whole process (all threads), or 0 when the JVM cannot tell. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /** Resident set size of this process (Linux), or -1 when unknown. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception e) {
            // not Linux: unknown
        }
        return -1;
    }
}
