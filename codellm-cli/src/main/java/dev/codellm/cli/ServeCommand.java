package dev.codellm.cli;

import dev.codellm.model.generate.InfillFormat;
import dev.codellm.server.BatchScheduler;
import dev.codellm.server.EngineBatchModel;
import dev.codellm.server.Metrics;
import dev.codellm.server.OpenAiServer;
import dev.codellm.server.ServerOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code codellm serve}: the OpenAI-compatible HTTP server with continuous batching. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP: OpenAI-compatible API with continuous batching.",
                "Routes: /v1/completions, /v1/chat/completions, /v1/models, plus llama.cpp's /infill, /tokenize, /detokenize, /health and /metrics.",
                "Up to --parallel requests are decoded together in one batch step; more wait in a bounded queue."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = {"-np", "--parallel"}, defaultValue = "4", description = "Slots decoded together (default: ${DEFAULT-VALUE}). Each holds a --ctx KV cache.")
    int parallel;

    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait for a slot before new ones get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' (default: env CODELLM_API_KEY, else no key).")
    String apiKey;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "Per-request time limit; generation then ends with finish_reason 'length' (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--max-body", defaultValue = "8", paramLabel = "MiB", description = "Largest request body, larger gets 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyMiB;

    @Option(names = "--shutdown-grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "On SIGTERM, time running requests get to finish before they are ended (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Override
    public Integer call() throws Exception {
        if (parallel < 1) throw new IllegalArgumentException("--parallel must be >= 1, got " + parallel);
        if (queue < 1) throw new IllegalArgumentException("--queue must be >= 1, got " + queue);
        if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout must be >= 1 second, got " + timeoutSeconds);
        String key = apiKey != null ? apiKey : System.getenv("CODELLM_API_KEY");
        if (key != null && key.isBlank()) key = null;
        EngineBatchModel engine = EngineBatchModel.open(model.modelPath(), model.options(InfillFormat.PSM));
        System.err.println("codellm: loaded " + engine.summary());
        Metrics metrics = new Metrics();
        BatchScheduler scheduler = new BatchScheduler(engine, parallel, queue, metrics);
        ServerOptions options = new ServerOptions(host, port, key, Duration.ofSeconds(timeoutSeconds),
                (long) maxBodyMiB << 20, Duration.ofSeconds(graceSeconds));
        OpenAiServer server = new OpenAiServer(scheduler, options, metrics).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("codellm: shutting down (finishing running requests, up to " + graceSeconds + " s)");
            server.stop();
            engine.close();
            stopped.countDown();
        }, "codellm-shutdown"));
        System.err.printf("codellm: serving %s on http://%s:%d/v1 (%d parallel slots, queue %d%s)%n",
                engine.info().name(), host, server.port(), parallel, queue, key != null ? ", API key required" : "");
        stopped.await();
        return 0;
    }
}
