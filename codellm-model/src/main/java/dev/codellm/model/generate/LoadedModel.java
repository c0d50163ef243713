package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A GGUF file opened for generation: the mapped file, its tokenizer and the engine over its
 * weights. {@link EngineSetup#of} applies the options to it (context, template, planner), for
 * {@link LocalGenerator#open} and for the server's batching engine.
 */
public record LoadedModel(GgufFile file, LlamaModel model, Tokenizer tokenizer) implements AutoCloseable {

    /** Opens {@code path} with {@code options.threads()} workers (0: one per processor). */
    public static LoadedModel open(Path path, GeneratorOptions options) {
        if (!Files.isRegularFile(path)) throw new CodellmException("model file not found: " + path);
        GgufFile file = GgufFile.open(path);
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            LlamaModel model = LlamaModel.load(file, options.threads() > 0 ? options.threads() : dev.codellm.model.kernels.Parallel.defaultThreads(),
                    options.rope());
            return new LoadedModel(file, model, tokenizer);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The kernel variant that runs the matrices: amx, avx512, avx2 or java (for /props and status lines). */
    public static String kernelsIsa() {
        return dev.codellm.model.kernels.NativeKernels.isa();
    }

    /** Which kernels run and why, in one line. */
    public static String kernelsDescription() {
        return dev.codellm.model.kernels.NativeKernels.describe();
    }

    @Override
    public void close() {
        model.close();
        file.close();
    }
}
