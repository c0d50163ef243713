package dev.codellm.server;

import dev.codellm.model.generate.GeneratorOptions;
import java.nio.file.Path;

/**
 * Everything {@link Server#start} needs: which model and how to set it up, how many requests run
 * together and wait, and how the HTTP side listens.
 *
 * @param parallel slots decoded together in one batch step (each with its own KV cache)
 * @param queue    requests that may wait for a slot before new ones get 503
 * @param lookup   prompt-lookup decoding: drafted tokens per slot and step (--lookup), 0 = off
 */
public record ServerConfig(Path model, GeneratorOptions generator, int parallel, int queue, ServerOptions http, int lookup) {
    /** Without prompt-lookup decoding. */
    public ServerConfig(Path model, GeneratorOptions generator, int parallel, int queue, ServerOptions http) {
        this(model, generator, parallel, queue, http, 0);
    }

    public ServerConfig {
        if (lookup < 0) throw new IllegalArgumentException("--lookup must be >= 0, got " + lookup);
        if (model == null) throw new IllegalArgumentException("a model file is needed");
        if (parallel < 1) throw new IllegalArgumentException("--parallel must be >= 1, got " + parallel);
        if (queue < 1) throw new IllegalArgumentException("--queue must be >= 1, got " + queue);
        if (http.requestTimeout().isNegative() || http.requestTimeout().isZero()) {
            throw new IllegalArgumentException("--timeout must be >= 1 second, got " + http.requestTimeout().toSeconds());
        }
    }
}
