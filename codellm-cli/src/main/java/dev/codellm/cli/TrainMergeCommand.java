package dev.codellm.cli;

import dev.codellm.train.ModelGguf;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.core.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code codellm train merge}: fold a LoRA adapter GGUF into its base model. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge a LoRA adapter (llama.cpp adapter GGUF) into a base llama GGUF: W += alpha/r * B A.")
public final class TrainMergeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--base", required = true, description = "The base llama GGUF the adapter was trained on.") Path base;
    @Option(names = "--adapter", required = true, description = "The LoRA adapter GGUF (llama.cpp format, e.g. OUT/adapter.gguf of a LoRA run).") Path adapter;
    @Option(names = "--out", required = true, description = "The merged GGUF to write.") Path out;
    @Option(names = "--json", description = "Print what was merged as one JSON object.") boolean json;

    @Override
    public Integer call() throws Exception {
        int n;
        try (GgufFile b = GgufFile.open(base); GgufFile a = GgufFile.open(adapter)) {
            TrainableLlama m = ModelGguf.load(b);
            n = ModelGguf.mergeAdapter(m, a);
            ModelGguf.write(m, ModelGguf.tokenizer(b), b.optString("general.name", "merged") + "-merged", out,
                    b.optString(dev.codellm.model.tokenizer.TokenizerGguf.CHAT_TEMPLATE, ModelGguf.defaultChatTemplate()));
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("base", base.toString());
            m.put("adapter", adapter.toString());
            m.put("output", out.toString());
            m.put("adapted_layers", n);
            m.put("bytes", java.nio.file.Files.size(out));
            spec.commandLine().getOut().println(Json.line(m));
        } else {
            spec.commandLine().getOut().println("merged " + n + " adapted layers -> " + out);
        }
        return 0;
    }
}
