package dev.codellm.cli;

import picocli.CommandLine.Option;

/**
 * The shape of a model trained from scratch and the worker threads: a picocli mixin shared by
 * {@code train} and {@code train bench}, so both default to the same small model.
 */
final class TrainModelOptions {
    @Option(names = "--dim", defaultValue = "128", description = "Embedding width of a fresh model. Default: ${DEFAULT-VALUE}.") int dim;
    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks of a fresh model. Default: ${DEFAULT-VALUE}.") int layers;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads of a fresh model. Default: ${DEFAULT-VALUE}.") int heads;
    @Option(names = "--ffn", defaultValue = "344", description = "SwiGLU hidden size of a fresh model. Default: ${DEFAULT-VALUE}.") int ffn;
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;

    /** {@code --threads}, else every core. */
    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
