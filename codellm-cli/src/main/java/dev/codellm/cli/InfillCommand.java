package dev.codellm.cli;

import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.model.generate.InfillFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code codellm infill --prefix … --suffix …}: fills in the middle with Code Llama's FIM format. */
@Command(name = "infill", mixinStandardHelpOptions = true,
        description = "Fill in the middle between a prefix and a suffix (Code Llama <PRE>/<SUF>/<MID> format), streaming it to stdout.")
public final class InfillCommand implements Callable<Integer> {
    @Option(names = "--prefix", paramLabel = "TEXT", description = "Code before the gap, as typed unless --escape.")
    String prefix;

    @Option(names = "--suffix", paramLabel = "TEXT", description = "Code after the gap, as typed unless --escape.")
    String suffix;

    @Option(names = "--prefix-file", paramLabel = "FILE", description = "Read the prefix from FILE (as it is).")
    Path prefixFile;

    @Option(names = "--suffix-file", paramLabel = "FILE", description = "Read the suffix from FILE (as it is).")
    Path suffixFile;

    @Option(names = "--format", paramLabel = "psm|spm", defaultValue = "psm",
            description = "Prefix-suffix-middle or suffix-prefix-middle order (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--full", description = "Print prefix + middle + suffix instead of the middle alone.")
    boolean full;

    @Mixin GenerationOptions generation;

    @Override
    public Integer call() throws IOException {
        String pre = text(prefix, prefixFile, "prefix", generation.escape);
        String suf = text(suffix, suffixFile, "suffix", generation.escape);
        InfillFormat fmt = InfillFormat.parse(format);
        try (GenerationOptions.Run run = generation.open(fmt)) {
            TextOutput out = run.text();
            if (full) out.echo(pre);
            Completion c = run.generator().complete(new CompletionRequest(pre, suf, generation.params()), out);
            if (full) out.echo(suf);
            run.finish(out, c);
        }
        return 0;
    }

    private static String text(String inline, Path file, String what, boolean escape) throws IOException {
        String text = TextArgs.inlineOrFile(inline, file, what, escape);
        if (text == null) throw new IllegalArgumentException("missing --" + what + " (or --" + what + "-file)");
        return text;
    }
}
