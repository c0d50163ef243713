package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Aggregate generation throughput of the whole server path (HTTP, scheduler, batched decode) for a
 * given number of slots: starts a server on a loopback port, sends {@code requests} greedy
 * completions at once, and counts completion tokens per second of wall time.
 */
public final class ServerBench {
    /** One measurement. {@code decodeTokensPerSecond} excludes prompt processing and HTTP. */
    public record Result(int parallel, int requests, long completionTokens, double seconds,
                         double tokensPerSecond, double decodeTokensPerSecond, double meanBatch) {}

    /**
     * The engine's batched decode step alone, without HTTP or scheduling: wall and process CPU
     * milliseconds per step for {@code batch} sequences. If a step streamed the weights once for
     * the whole batch and were bound by that, a step of 4 would cost about what a step of 1 does;
     * if it is bound by arithmetic it costs up to 4 times as much. CPU time stays meaningful on a
     * machine shared with other jobs, where wall time mostly measures the neighbours.
     */
    public record StepCost(int batch, int steps, double wallMillisPerStep, double cpuMillisPerStep) {
        public double wallMillisPerToken() { return wallMillisPerStep / batch; }
        public double cpuMillisPerToken() { return cpuMillisPerStep / batch; }
    }

    private ServerBench() {}

    /**
     * {@code codellm serve-bench}: loads {@code model}, warms up (JIT, sessions, HTTP stack), then
     * runs {@link #run} once per value of {@code parallel}; {@code log} gets the loading line.
     */
    public static List<Result> compare(java.nio.file.Path model, dev.codellm.model.generate.GeneratorOptions options,
                                       List<Integer> parallel, int requests, int maxTokens, java.util.function.Consumer<String> log) throws Exception {
        if (requests < 1 || maxTokens < 1) throw new IllegalArgumentException("--requests and --max-tokens must be >= 1");
        checkPositive(parallel);
        try (EngineBatchBackend engine = EngineBatchBackend.open(model, options)) {
            log.accept(loaded(engine));
            run(engine, 1, 1, Math.min(8, maxTokens));
            List<Result> results = new ArrayList<>();
            for (int p : parallel) results.add(run(engine, p, requests, maxTokens));
            return results;
        }
    }

    /** {@code serve-bench --step-only}: the batched decode step's cost for each batch size (after a JIT warm-up). */
    public static List<StepCost> stepCosts(java.nio.file.Path model, dev.codellm.model.generate.GeneratorOptions options,
                                           List<Integer> batches, int steps, java.util.function.Consumer<String> log) {
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1");
        checkPositive(batches);
        try (EngineBatchBackend engine = EngineBatchBackend.open(model, options)) {
            log.accept(loaded(engine));
            stepCost(engine, 1, 1);
            List<StepCost> results = new ArrayList<>();
            for (int b : batches) results.add(stepCost(engine, b, steps));
            return results;
        }
    }

    private static String loaded(EngineBatchBackend engine) {
        return "loaded " + engine.summary() + "; kernels: " + dev.codellm.model.generate.LoadedModel.kernelsDescription();
    }

    private static void checkPositive(List<Integer> parallel) {
        for (int p : parallel) if (p < 1) throw new IllegalArgumentException("--parallel values must be >= 1, got " + p);
    }

    /** Decodes {@code steps} batched steps of {@code batch} fresh sequences (after 2 warm-up steps). */
    public static StepCost stepCost(BatchBackend model, int batch, int steps) {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        BatchBackend.Sequence[] seqs = new BatchBackend.Sequence[batch];
        int[] tokens = new int[batch];
        try {
            for (int i = 0; i < batch; i++) {
                int[] prompt = model.encode("Step bench sequence " + i + ":", true, false);
                seqs[i] = model.newSequence(prompt);
                float[] logits = model.prefill(seqs[i], java.util.Arrays.copyOfRange(prompt, seqs[i].cachedTokens(), prompt.length));
                tokens[i] = dev.codellm.model.generate.Sampler.greedy(logits);
            }
            for (int s = 0; s < 2; s++) next(model, seqs, tokens);
            long wall0 = System.nanoTime(), cpu0 = os.getProcessCpuTime();
            for (int s = 0; s < steps; s++) next(model, seqs, tokens);
            double wall = (System.nanoTime() - wall0) / 1e6, cpu = (os.getProcessCpuTime() - cpu0) / 1e6;
            return new StepCost(batch, steps, wall / steps, cpu / steps);
        } finally {
            for (BatchBackend.Sequence s : seqs) if (s != null) s.release();
        }
    }

    private static void next(BatchBackend model, BatchBackend.Sequence[] seqs, int[] tokens) {
        float[][] logits = model.decode(seqs, tokens);
        for (int i = 0; i < seqs.length; i++) tokens[i] = dev.codellm.model.generate.Sampler.greedy(logits[i]);
    }

    public static Result run(BatchBackend model, int parallel, int requests, int maxTokens) throws Exception {
        Metrics metrics = new Metrics();
        BatchScheduler scheduler = new BatchScheduler(model, parallel, Math.max(1, requests), metrics);
        ApiServer server = new ApiServer(scheduler, ServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)), metrics).start();
        String url = "http://127.0.0.1:" + server.port() + "/v1/completions";
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                // Distinct prompts, greedy; an answer that ends early (EOS) just counts fewer tokens.
                String body = "{\"prompt\": \"Request " + i + ": Once upon a time\", \"max_tokens\": " + maxTokens + ", \"temperature\": 0}";
                answers.add(clients.submit(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) throw new IllegalStateException("bench request failed: " + r.statusCode() + " " + r.body());
                    JsonNode usage = ResponseJson.MAPPER.readTree(r.body()).get("usage");
                    return usage.get("completion_tokens").asInt();
                }));
            }
            long tokens = 0;
            for (Future<Integer> f : answers) tokens += f.get();
            double secs = (System.nanoTime() - t0) / 1e9;
            double meanBatch = metrics.decodeSteps() == 0 ? 0 : (double) metrics.decodeTokens() / metrics.decodeSteps();
            return new Result(parallel, requests, tokens, secs, tokens / secs, metrics.decodeTokensPerSecond(), meanBatch);
        } finally {
            server.stop();
        }
    }
}
