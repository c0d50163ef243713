package dev.codellm.server;

import dev.codellm.core.ModelInfo;
import java.util.concurrent.CountDownLatch;

/**
 * {@code codellm serve} as one object: loads the model as a batching engine, starts the scheduler
 * with its metrics and the HTTP API, and stops them in order (HTTP drains, then the model is
 * closed). The CLI only parses options into a {@link ServerConfig} and prints.
 */
public final class Server implements AutoCloseable {
    private final EngineBatchBackend engine;
    private final ApiServer api;
    private final ServerConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    private Server(EngineBatchBackend engine, ApiServer api, ServerConfig config) {
        this.engine = engine;
        this.api = api;
        this.config = config;
    }

    /** Loads the model and starts listening; fails with a one-line {@code CodellmException} when it cannot. */
    public static Server start(ServerConfig config) {
        EngineBatchBackend engine = EngineBatchBackend.open(config.model(), config.generator().withSlots(config.parallel()));
        BatchScheduler scheduler = null;
        try {
            Metrics metrics = new Metrics();
            scheduler = new BatchScheduler(engine, config.parallel(), config.queue(), metrics);
            scheduler.setLookup(config.lookup());
            ApiServer api = new ApiServer(scheduler, config.http(), metrics, ServedModel.of(engine, config.http().aliases())).start();
            return new Server(engine, api, config);
        } catch (RuntimeException e) {
            if (scheduler != null) scheduler.close();
            engine.close();
            throw e;
        }
    }

    /** One line about the loaded model. */
    public String summary() { return engine.summary(); }

    public ModelInfo info() { return engine.info(); }

    /** The port actually bound (useful with port 0). */
    public int port() { return api.port(); }

    public String host() { return config.http().host(); }

    public Metrics metrics() { return api.metrics(); }

    /**
     * Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C); then {@code onSignal} runs (to say
     * so), running requests get the
     * shutdown grace to finish, the listener closes and the model is unloaded before the JVM exits.
     */
    public void awaitShutdown(Runnable onSignal) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            onSignal.run();
            close();
        }, "codellm-shutdown"));
        stopped.await();
    }

    /** Graceful stop (see {@link ApiServer#stop}), then the model is closed; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            api.stop();
        } finally {
            engine.close();
            stopped.countDown();
        }
    }
}
