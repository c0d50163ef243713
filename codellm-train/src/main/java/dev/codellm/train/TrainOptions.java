package dev.codellm.train;

/**
 * Hyper-parameters of one run. batch rows × accum micro-batches make one optimizer step;
 * rows are spread over threads (batch × sequence parallelism), each with its own gradients.
 */
public record TrainOptions(int seqLen, int batch, int accum, int steps, double lr, double minLr, int warmup,
                           double weightDecay, double clip, int threads, long seed,
                           int checkpointEvery, int evalEvery, int logSeconds) {
    public TrainOptions {
        if (seqLen < 2 || batch < 1 || accum < 1 || steps < 1 || threads < 1)
            throw new IllegalArgumentException("seq-len >= 2, batch, accum, steps and threads >= 1 required");
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive");
    }

    public int rowsPerStep() { return batch * accum; }

    public static TrainOptions defaults() {
        return new TrainOptions(256, 8, 1, 1000, 1e-3, 1e-4, 50, 0.1, 1.0,
                Math.max(1, Runtime.getRuntime().availableProcessors()), 1234, 100, 100, 10);
    }
}
