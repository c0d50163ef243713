package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.train.export.ScaleOutExport;
import dev.codellm.train.export.ScaleOutExport.Framework;
import dev.codellm.train.export.ScaleOutExport.Mode;
import dev.codellm.train.export.ScaleOutExport.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code codellm train export}: a ready-to-run GPU fine-tune for axolotl or DeepSpeed. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a ready-to-run GPU fine-tune of a real Code Llama (config + converted dataset).",
                "Full fine-tune follows Phind's recipe: DeepSpeed ZeRO-3, FlashAttention-2, seq 4096, 2 epochs."})
public final class TrainExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--framework", required = true, description = "axolotl, deepspeed or trl (TRL SFTTrainer).") String framework;
    @Option(names = "--data", required = true, description = "Instruction jsonl (messages or Alpaca records).") Path data;
    @Option(names = "--out", required = true, description = "Output directory.") Path out;
    @Option(names = "--mode", defaultValue = "full", description = "full, lora or qlora. Default: ${DEFAULT-VALUE}.") String mode;
    @Option(names = "--base-model", defaultValue = "codellama/CodeLlama-34b-hf", description = "HF model id, or a local llama GGUF (exported to base-model/ as a Hugging Face directory). Default: ${DEFAULT-VALUE}.") String base;
    @Option(names = "--seq-len", defaultValue = "4096", description = "Training sequence length. Default: ${DEFAULT-VALUE}.") int seqLen;
    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the data. Default: ${DEFAULT-VALUE}.") int epochs;
    @Option(names = "--lr", description = "Peak learning rate (default: 2e-5 full, 2e-4 LoRA/QLoRA).") Double lr;
    @Option(names = "--micro-batch", defaultValue = "1", description = "Sequences per GPU per step. Default: ${DEFAULT-VALUE}.") int microBatch;
    @Option(names = "--grad-accum", defaultValue = "4", description = "Gradient accumulation steps. Default: ${DEFAULT-VALUE}.") int gradAccum;
    @Option(names = "--gpus", defaultValue = "8", description = "GPUs the launch script starts. Default: ${DEFAULT-VALUE}.") int gpus;
    @Option(names = "--lora-rank", defaultValue = "16", description = "LoRA rank (lora/qlora modes). Default: ${DEFAULT-VALUE}.") int loraRank;
    @Option(names = "--lora-alpha", defaultValue = "32", description = "LoRA alpha (lora/qlora modes). Default: ${DEFAULT-VALUE}.") int loraAlpha;

    @Override
    public Integer call() throws Exception {
        Framework f = parse(Framework.class, framework, "--framework");
        Mode m = parse(Mode.class, mode, "--mode");
        Settings d = Settings.phind(f, m, base);
        Settings s = new Settings(f, m, base, seqLen, epochs, lr != null ? lr : d.lr(), microBatch, gradAccum, gpus, loraRank, loraAlpha);
        ScaleOutExport.Written w = ScaleOutExport.write(data, out, s);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("exported " + w.records() + " records for " + f.name().toLowerCase(Locale.ROOT) + " (" + m.name().toLowerCase(Locale.ROOT) + ") to " + w.dir());
        for (Path p : w.files()) stdout.println("  " + p);
        return 0;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CodellmException(option + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + ", not '" + value + "'");
        }
    }
}
