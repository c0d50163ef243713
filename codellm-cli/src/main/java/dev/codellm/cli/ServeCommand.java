package dev.codellm.cli;

import dev.codellm.model.generate.InfillFormat;
import dev.codellm.server.Server;
import dev.codellm.server.RequestLog;
import dev.codellm.server.ServerConfig;
import dev.codellm.server.ServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code codellm serve}: the OpenAI-compatible HTTP server with continuous batching. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP: the OpenAI, llama-server and ollama APIs with continuous batching, and a web UI.",
                "OpenAI: /v1/completions, /v1/chat/completions, /v1/embeddings, /v1/models (also without /v1); llama-server:",
                "/completion, /infill, /tokenize, /detokenize, /apply-template, /props, /health, /metrics; ollama: /api/generate,",
                "/api/chat, /api/tags, ...; the web UI at /.",
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

    @Option(names = {"-a", "--alias"}, paramLabel = "NAME",
            description = {"Name /v1/models and /api/tags list for the model (repeatable; default: its GGUF name).",
                    "Requests may name any model: the one loaded model answers."})
    List<String> aliases = new ArrayList<>();

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = {"Access-Control-Allow-Origin granted to browser pages on other origins ('' for none;",
                    "default: * when listening on loopback only, none otherwise)."})
    String corsOrigin = ServerOptions.DEFAULT_CORS;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "One line per request on stderr (method, route, status, prompt+completion tokens, ms, client): "
                    + "text, json (one object a line, for log shippers) or none. Default: ${DEFAULT-VALUE}.")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("CODELLM_API_KEY");
        if (key != null && key.isBlank()) key = null;
        ServerOptions http = new ServerOptions(host, port, key, Duration.ofSeconds(timeoutSeconds),
                (long) maxBodyMiB << 20, Duration.ofSeconds(graceSeconds), aliases, corsOrigin, RequestLog.Format.parse(logFormat));
        try (Server server = Server.start(new ServerConfig(model.modelPath(), model.options(InfillFormat.PSM), parallel, queue, http, model.lookup()))) {
            System.err.println("codellm: loaded " + server.summary());
            System.err.printf("codellm: serving %s on http://%s:%d/v1 (%d parallel slots, queue %d%s%s)%n",
                    server.info().name(), host, server.port(), parallel, queue, key != null ? ", API key required" : "",
                    model.lookup() > 0 ? ", lookup " + model.lookup() : "");
            server.awaitShutdown(() -> System.err.println("codellm: shutting down (finishing running requests, up to " + graceSeconds + " s)"));
        }
        return 0;
    }
}
