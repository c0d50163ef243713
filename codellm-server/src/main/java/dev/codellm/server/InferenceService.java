package dev.codellm.server;

import dev.codellm.core.ModelInfo;
import dev.codellm.model.generate.RequestPlanner;
import java.time.Duration;

/**
 * The model side of the server: runs {@link Job}s, at most {@link #slots()} at once with a
 * bounded queue behind them. Two implementations: {@link BatchScheduler} (continuous batching
 * over a {@link BatchBackend}) and {@link GeneratorService} (any {@code Generator}, one at a time).
 */
public interface InferenceService extends AutoCloseable {

    ModelInfo info();

    /** Tokenizer for /tokenize, prompt checks and usage; null when the backend has none. */
    BatchBackend tokenizer();

    /** The model module's planner of this backend's requests, or null when the backend plans (tokenizes) itself. */
    RequestPlanner planner();

    /** Queues a job; throws {@link ApiError} 503 when the queue is full or the service is draining. */
    void submit(Job job);

    /** The backend's embeddings, or null when it has none (then /v1/embeddings answers 400). */
    default Embeddings embeddings() { return null; }

    int slots();

    int busySlots();

    int queueDepth();

    /**
     * Stops taking jobs, lets running and queued ones finish for up to {@code grace}, then cancels
     * the rest. The model is not closed: whoever opened it does that.
     */
    void drain(Duration grace);

    @Override
    default void close() { drain(Duration.ZERO); }
}
