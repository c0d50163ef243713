package dev.codellm.cli;

import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.inspect.GgufReport;
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

    @picocli.CommandLine.Mixin
    RopeOptions rope;

    @Spec
    CommandSpec spec;

    /** The RoPE settings the forward pass would run with (the file's, with the flags applied); null for a file that is not a runnable llama model. */
    private String effectiveRope(GgufFile f) {
        dev.codellm.model.llama.RopeOverrides o = rope.overrides();
        try {
            return dev.codellm.model.llama.RopeOverrides.describe(o.apply(dev.codellm.model.llama.LlamaConfig.fromGguf(f)));
        } catch (dev.codellm.core.CodellmException e) {
            if (!o.isNone()) throw e;
            return null;
        }
    }

    @Override
    public Integer call() throws com.fasterxml.jackson.core.JsonProcessingException {
        if (items < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--items must be >= 0");
        try (GgufFile f = GgufFile.open(file != null ? file : DefaultModelFile.path())) {
            String rope = effectiveRope(f);
            if (json) {
                var doc = (com.fasterxml.jackson.databind.node.ObjectNode) dev.codellm.core.io.Json.MAPPER.readTree(GgufReport.json(f, items));
                if (rope != null) doc.put("effective_rope", rope);
                doc.put("kernels", dev.codellm.model.generate.LoadedModel.kernelsIsa());
                doc.put("kernels_why", dev.codellm.model.generate.LoadedModel.kernelsDescription());
                spec.commandLine().getOut().println(dev.codellm.core.io.Json.pretty(doc));
            } else {
                spec.commandLine().getOut().print(GgufReport.text(f, items, !noTensors));
                if (rope != null) spec.commandLine().getOut().println("effective rope: " + rope + (this.rope.overrides().isNone() ? "" : " (set by flags)"));
                spec.commandLine().getOut().println("kernels on this CPU: " + dev.codellm.model.generate.LoadedModel.kernelsDescription());
            }
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
