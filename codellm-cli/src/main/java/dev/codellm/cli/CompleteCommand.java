package dev.codellm.cli;

import dev.codellm.core.CompletionRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.GenerationState;
import dev.codellm.model.generate.LocalGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code codellm complete PROMPT}: continues the prompt, streaming the text. */
@Command(name = "complete", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a local model, streaming the completion to stdout.")
public final class CompleteCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "The text to continue, as typed unless --escape ('-' reads stdin).")
    String prompt;

    @Option(names = {"-f", "--prompt-file", "--file"}, paramLabel = "FILE", description = "Read the prompt from FILE (as it is).")
    Path file;

    @Option(names = "--ids", description = "Print only the generated token ids, space-separated (for comparing runs).")
    boolean ids;

    @Option(names = "--echo", description = "Print the prompt before the completion.")
    boolean echo;

    @Mixin GenerationOptions generation;

    @Override
    public Integer call() throws IOException {
        String text = promptText(prompt == null || prompt.equals("-") ? prompt : generation.text(prompt), file);
        SamplingParams params = generation.params();
        try (GenerationOptions.Run run = generation.open()) {
            LocalGenerator g = run.generator();
            if (ids) {
                int[] promptIds = g.promptIds(CompletionRequest.of(text, params));
                GenerationState s = g.generate(promptIds, params, t -> {
                    run.report().firstToken();
                    return true;
                });
                run.out().println(Arrays.stream(s.generatedIds()).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
                run.out().flush();
                run.report().done(promptIds.length, s.generatedTokens(), s.finishReason());
                return 0;
            }
            TextOutput sink = run.text();
            if (echo) sink.echo(text);
            run.finish(sink, g.complete(CompletionRequest.of(text, params), sink));
        }
        return 0;
    }

    /** The prompt from the argument, {@code -} (stdin) or {@code --prompt-file}; exactly one must be given. */
    static String promptText(String arg, Path file) throws IOException {
        if (file != null && arg != null) throw new IllegalArgumentException("give the prompt either as an argument or with --file, not both");
        if (file != null) return Files.readString(file, StandardCharsets.UTF_8);
        if (arg == null) throw new IllegalArgumentException("no prompt: give PROMPT, '-' for stdin, or --file FILE");
        if (arg.equals("-")) return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        return arg;
    }
}
