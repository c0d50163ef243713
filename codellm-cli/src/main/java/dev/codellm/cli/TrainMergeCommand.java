package dev.codellm.cli;

import dev.codellm.train.ModelGguf;
import dev.codellm.train.gguf.GgufIn;
import dev.codellm.train.model.LlamaModel;
import dev.codellm.train.tokenizer.BpeTokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code codellm train merge}: fold a LoRA adapter GGUF into its base model. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge a LoRA adapter (llama.cpp adapter GGUF) into a base llama GGUF: W += alpha/r * B A.")
public final class TrainMergeCommand implements Callable<Integer> {
    @Option(names = "--base", required = true) Path base;
    @Option(names = "--adapter", required = true) Path adapter;
    @Option(names = "--out", required = true) Path out;

    @Override
    public Integer call() throws Exception {
        GgufIn b = GgufIn.read(base);
        LlamaModel m = ModelGguf.load(b);
        int n = ModelGguf.mergeAdapter(m, GgufIn.read(adapter));
        ModelGguf.write(m, BpeTokenizer.fromGguf(b), b.metadata().getOrDefault("general.name", "merged") + "-merged", out);
        System.out.println("merged " + n + " adapted layers -> " + out);
        return 0;
    }
}
