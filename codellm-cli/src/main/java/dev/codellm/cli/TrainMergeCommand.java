package dev.codellm.cli;

import dev.codellm.train.ModelGguf;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.train.model.TrainableLlama;
import java.nio.file.Path;
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

    @Override
    public Integer call() throws Exception {
        int n;
        try (GgufFile b = GgufFile.open(base); GgufFile a = GgufFile.open(adapter)) {
            TrainableLlama m = ModelGguf.load(b);
            n = ModelGguf.mergeAdapter(m, a);
            ModelGguf.write(m, ModelGguf.tokenizer(b), b.optString("general.name", "merged") + "-merged", out,
                    b.optString(dev.codellm.model.tokenizer.TokenizerGguf.CHAT_TEMPLATE, ModelGguf.defaultChatTemplate()));
        }
        spec.commandLine().getOut().println("merged " + n + " adapted layers -> " + out);
        return 0;
    }
}
