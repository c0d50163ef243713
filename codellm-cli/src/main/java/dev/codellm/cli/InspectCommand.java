package dev.codellm.cli;

import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.model.inspect.GgufReport;
import dev.codellm.model.inspect.WeightScan;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

    @Option(names = "--check", description = "Also decode every weight and report each tensor holding NaN or Inf values (bad block scales included); exits 1 when any does.")
    boolean check;

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
            WeightScan.Result scan = check ? scan(f) : null;
            if (json) {
                var doc = (com.fasterxml.jackson.databind.node.ObjectNode) dev.codellm.core.io.Json.MAPPER.readTree(GgufReport.json(f, items));
                if (rope != null) doc.put("effective_rope", rope);
                doc.put("kernels", dev.codellm.model.generate.LoadedModel.kernelsIsa());
                doc.put("kernels_why", dev.codellm.model.generate.LoadedModel.kernelsDescription());
                if (scan != null) doc.set("check", dev.codellm.core.io.Json.MAPPER.valueToTree(checkJson(scan)));
                spec.commandLine().getOut().println(dev.codellm.core.io.Json.pretty(doc));
            } else {
                spec.commandLine().getOut().print(GgufReport.text(f, items, !noTensors));
                if (rope != null) spec.commandLine().getOut().println("effective rope: " + rope + (this.rope.overrides().isNone() ? "" : " (set by flags)"));
                spec.commandLine().getOut().println("kernels on this CPU: " + dev.codellm.model.generate.LoadedModel.kernelsDescription());
                if (scan != null) spec.commandLine().getOut().print(checkText(scan));
            }
            spec.commandLine().getOut().flush();
            if (scan != null && !scan.clean()) {
                WeightScan.Bad b = scan.bad().getFirst();
                throw new CodellmException(scan.bad().size() + " of " + scan.tensors() + " tensors hold NaN/Inf weights, first "
                        + b.name() + " (" + b.count() + "): the file is damaged; generation from it would give NaN logits");
            }
        }
        return 0;
    }

    /** Scans with a progress bar on stderr (a 7B file takes a while). */
    private static WeightScan.Result scan(GgufFile f) {
        try (Progress p = new Progress("check weights (MB)", Math.max(1, WeightScan.bytesToScan(f) >> 20))) {
            long[] shown = {0};
            return WeightScan.scan(f, bytes -> {
                long mb = bytes >> 20;
                if (mb > shown[0]) {
                    p.step(mb - shown[0]);
                    shown[0] = mb;
                }
            });
        }
    }

    static String checkText(WeightScan.Result r) {
        StringBuilder sb = new StringBuilder();
        for (WeightScan.Bad b : r.bad())
            sb.append(String.format(Locale.ROOT, "check: %-32s %-5s %,d NaN, %,d Inf (first at element %,d)%n",
                    b.name(), b.type(), b.nan(), b.inf(), b.firstIndex()));
        sb.append(String.format(Locale.ROOT, "check: %,d tensors, %,d weights: %s%n", r.tensors(), r.elements(),
                r.clean() ? "all finite" : r.bad().size() + " tensors with NaN/Inf"));
        return sb.toString();
    }

    private static Map<String, Object> checkJson(WeightScan.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tensors", r.tensors());
        m.put("elements", r.elements());
        m.put("clean", r.clean());
        m.put("bad", r.bad().stream().map(b -> Map.of("name", b.name(), "type", b.type().name(), "nan", b.nan(), "inf", b.inf(),
                "first_index", b.firstIndex())).toList());
        return m;
    }
}
