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

    @Option(names = "--framework", required = true, description = "axolotl, deepspeed, trl (TRL SFTTrainer), or hf (just the model: --base-model X.gguf as a Hugging Face directory, what `convert --to hf` writes).") String framework;
    @Option(names = "--data", description = "Instruction jsonl (messages or Alpaca records); required except for --framework hf.") Path data;
    @Option(names = "--out", required = true, description = "Output directory.") Path out;
    @Option(names = "--mode", defaultValue = "full", description = "full, lora or qlora. Default: ${DEFAULT-VALUE}.") String mode;
    @Option(names = {"--base-model", "--model"}, defaultValue = "codellama/CodeLlama-34b-hf", description = "HF model id, or a local llama GGUF (exported to base-model/ as a Hugging Face directory). Default: ${DEFAULT-VALUE}.") String base;
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
        if (framework.equalsIgnoreCase("hf")) return exportHf();
        Framework f;
        try {
            f = Enum.valueOf(Framework.class, framework.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CodellmException("--framework must be one of [axolotl, deepspeed, trl, hf], not '" + framework + "'");
        }
        if (data == null) throw new CodellmException("--data is required for --framework " + framework.toLowerCase(Locale.ROOT));
        Mode m = parse(Mode.class, mode, "--mode");
        Settings d = Settings.phind(f, m, base);
        Settings s = new Settings(f, m, base, seqLen, epochs, lr != null ? lr : d.lr(), microBatch, gradAccum, gpus, loraRank, loraAlpha);
        ScaleOutExport.Written w = ScaleOutExport.write(data, out, s);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("exported " + w.records() + " records for " + f.name().toLowerCase(Locale.ROOT) + " (" + m.name().toLowerCase(Locale.ROOT) + ") to " + w.dir());
        for (Path p : w.files()) stdout.println("  " + p);
        return 0;
    }

    /** {@code --framework hf}: the spelling of {@code convert GGUF DIR --to hf}; the same export, nothing else written. */
    private int exportHf() {
        Path gguf = Path.of(base);
        if (!java.nio.file.Files.isRegularFile(gguf))
            throw new CodellmException("--framework hf exports a local GGUF: pass it as --base-model MODEL.gguf (" + base + " is not a file)");
        if (data != null) throw new CodellmException("--framework hf exports only the model; --data is for axolotl, deepspeed and trl");
        var r = dev.codellm.model.convert.GgufToHf.export(gguf, out, System.err);
        spec.commandLine().getOut().printf(Locale.ROOT, "exported %s to %s as a Hugging Face model (%d tensors, %.1f MiB of safetensors, %s) in %.1f s%n",
                gguf, out, r.tensors(), r.bytes() / 1048576.0, r.tokenizerFile(), r.seconds());
        spec.commandLine().getOut().flush();
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
