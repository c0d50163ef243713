package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.openai.OpenAiConfig;
import dev.codellm.core.openai.OpenAiGenerator;
import dev.codellm.data.teacher.TeacherClient;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LocalGenerator;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The teacher of evol-instruct and self-instruct, as a picocli mixin: an OpenAI-compatible
 * endpoint, else a local GGUF model (the bundled default without {@code --model}), and how the
 * one teacher client asks it.
 */
public final class TeacherOptions {
    @Option(names = "--endpoint", description = "OpenAI-compatible teacher, e.g. http://127.0.0.1:8080/v1 (key from $" + OpenAiConfig.API_KEY_ENV + "; with --api-model).")
    String endpoint;

    @Option(names = "--api-model", description = "Teacher model name sent to the endpoint.")
    String apiModel;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "Local GGUF teacher when no --endpoint (default: the bundled model).")
    Path model;

    @Option(names = "--concurrency", defaultValue = "4", description = "Requests in flight. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--rpm", defaultValue = "0", description = "Max requests started per minute (0 = no limit).")
    double rpm;

    @Option(names = "--retries", defaultValue = "3", description = "Retries after a failed call (a 4xx is never retried). Default: ${DEFAULT-VALUE}.")
    int retries;

    @Option(names = "--temperature", defaultValue = "0.0", description = "Teacher temperature. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--max-tokens", defaultValue = "1024", description = "Max tokens per answer. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    public TeacherClient.Options client() {
        return client(temperature);
    }

    public TeacherClient.Options client(double temp) {
        return new TeacherClient.Options(concurrency, rpm, retries, Duration.ofSeconds(2), SamplingParams.GREEDY.withTemperature(temp).withMaxTokens(maxTokens));
    }

    public Generator open() {
        return open(endpoint, apiModel, model, "--endpoint", "--api-model");
    }

    /** An endpoint (which needs a model name) or a local model file, else the bundled model. */
    static Generator open(String endpoint, String apiModel, Path model, String endpointOption, String apiModelOption) {
        if (endpoint != null) {
            if (apiModel == null) throw new CodellmException(endpointOption + " needs " + apiModelOption);
            if (model != null) throw new CodellmException("give " + endpointOption + " or a local model, not both");
            return OpenAiGenerator.open(endpoint, apiModel);
        }
        return LocalGenerator.open(model != null ? model : DefaultModelFile.path(), GeneratorOptions.DEFAULT);
    }
}
