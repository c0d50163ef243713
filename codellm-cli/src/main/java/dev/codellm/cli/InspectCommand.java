package dev.codellm.cli;

import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code codellm inspect FILE.gguf}: summary, metadata and tensor table of a GGUF file. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a GGUF file: architecture summary (params, layers, heads, context, rope, vocab, special and FIM tokens), metadata and tensors.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.gguf", description = "The GGUF file to inspect (default: the model bundled with codellm).")
    Path file;

    @Option(names = "--json", description = "Print machine-readable JSON (summary, metadata, tensors) instead of text.")
    boolean json;

    @Option(names = "--items", paramLabel = "N", defaultValue = "8",
            description = "Show at most N items of each metadata array (default: ${DEFAULT-VALUE}); the full length is always given.")
    int items;

    @Option(names = "--no-tensors", description = "Leave out the tensor table (text output).")
    boolean noTensors;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (items < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--items must be >= 0");
        try (GgufFile f = GgufFile.open(file != null ? file : DefaultModelFile.path())) {
            spec.commandLine().getOut().print(json ? GgufReport.json(f, items) + "\n" : GgufReport.text(f, items, !noTensors));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
