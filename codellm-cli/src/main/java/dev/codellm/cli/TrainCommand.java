package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.train.TrainJob;
import dev.codellm.train.Trainer;
import dev.codellm.train.TrainOptions;
import dev.codellm.train.optim.LrSchedule;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code codellm train}: pretrain (causal LM + FIM) or fine-tune (SFT, full or LoRA) in Java. */
@Command(name = "train", mixinStandardHelpOptions = true,
        subcommands = {TrainExportCommand.class, TrainMergeCommand.class, TrainBenchCommand.class},
        description = {"Train a Llama-architecture model on the CPU and write GGUF checkpoints.",
                "--data DIR, a .txt list of files, or a .jsonl of {\"text\"|\"content\"} records: causal LM with Code Llama's FIM transformation.",
                "--data FILE.jsonl with messages or Alpaca records: supervised fine-tuning, loss on responses only (needs --base).",
                "OUT gets model.gguf, state.gguf (resume: rerun the same command), metrics.jsonl, loss.html",
                "(LoRA runs also adapter.gguf; model.gguf then has the adapter merged)."})
public final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data", description = "Source directory, .txt file list, text/content .jsonl, or instruction .jsonl (required).") Path data;
    @Option(names = "--out", description = "Output directory; rerun with the same --out to resume (required).") Path out;
    @Option(names = "--base", description = "Start from this llama GGUF (byte-level BPE or SentencePiece vocabulary; quantized weights are dequantized) instead of a fresh model (default: a fresh model).") Path base;
    @Option(names = "--name", defaultValue = "codellm-train", description = "general.name of the written GGUF. Default: ${DEFAULT-VALUE}.") String name;
    @Option(names = "--template", paramLabel = "NAME",
            description = "Chat template for instruction data and the written GGUF: llama2, magicoder, chatml, deepseek-coder (default: the base's, else llama2).")
    String template;

    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer steps of the whole run. Default: ${DEFAULT-VALUE}.") int steps;
    @Option(names = "--batch", defaultValue = "8", description = "Rows per micro-batch. Default: ${DEFAULT-VALUE}.") int batch;
    @Option(names = "--accum", defaultValue = "1", description = "Micro-batches per optimizer step (gradient accumulation). Default: ${DEFAULT-VALUE}.") int accum;
    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per row. Default: ${DEFAULT-VALUE}.") int seqLen;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.") double lr;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "Learning rate at the end of the cosine decay. Default: ${DEFAULT-VALUE}.") double minLr;
    @Option(names = "--warmup", paramLabel = "STEPS", description = "Linear warm-up steps (default: 5%% of --steps, at least 1).") Integer warmup;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW decoupled weight decay (matrices only). Default: ${DEFAULT-VALUE}.") double weightDecay;
    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip (0 = off). Default: ${DEFAULT-VALUE}.") double clip;
    @Option(names = "--seed", defaultValue = "1234", description = "Seed of the initial weights, data order and FIM choices. Default: ${DEFAULT-VALUE}.") long seed;
    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Steps between checkpoints. Default: ${DEFAULT-VALUE}.") int checkpointEvery;
    @Option(names = "--eval-every", defaultValue = "100", description = "Steps between held-out evaluations (and the last step). Default: ${DEFAULT-VALUE}.") int evalEvery;
    @Option(names = "--held-out-rows", defaultValue = "32", description = "Held-out rows evaluated. Default: ${DEFAULT-VALUE}.") int heldOutRows;
    @Option(names = "--held-out-permille", defaultValue = "20", description = "Share of files held out, per mille. Default: ${DEFAULT-VALUE}.") int heldOutPermille;

    @Option(names = "--fim-rate", defaultValue = "0.9", description = "Share of documents FIM-transformed (Code Llama: 0.9). Default: ${DEFAULT-VALUE}.") double fimRate;
    @Option(names = "--spm-rate", defaultValue = "0.5", description = "Share of FIM documents in SPM order (Code Llama: 0.5). Default: ${DEFAULT-VALUE}.") double spmRate;

    @Option(names = "--vocab-merges", defaultValue = "2000", description = "BPE merges learned for a fresh model. Default: ${DEFAULT-VALUE}.") int merges;
    @Mixin TrainModelOptions model;
    @Option(names = "--kv-heads", description = "Grouped-query attention KV heads (default: --heads).") Integer kvHeads;
    @Option(names = "--context", defaultValue = "1024", description = "Context length recorded in the GGUF (RoPE works beyond --seq-len). Default: ${DEFAULT-VALUE}.") int context;

    @Option(names = "--lora-rank", defaultValue = "0", description = "LoRA rank (0 = full fine-tune). Default: ${DEFAULT-VALUE}.") int loraRank;
    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA scale alpha (updates scaled by alpha/rank). Default: ${DEFAULT-VALUE}.") double loraAlpha;
    @Option(names = "--lora-targets", split = ",", defaultValue = "attn_q,attn_v",
            description = "Layers to adapt: attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down. Default: ${DEFAULT-VALUE}.") List<String> loraTargets;

    @Option(names = "--extensions", split = ",", defaultValue = "py", description = "Source file extensions. Default: ${DEFAULT-VALUE}.") List<String> extensions;
    @Option(names = "--max-file-bytes", defaultValue = "1000000", description = "Skip source files larger than this. Default: ${DEFAULT-VALUE}.") long maxFileBytes;

    @Option(names = "--json", description = "Print the run's figures as one JSON object (model, steps, losses, tokens/s) instead of the model's path.")
    boolean json;

    @Override
    public Integer call() {
        if (data == null || out == null) throw new CodellmException("train needs --data and --out (see codellm train --help)");
        TrainOptions o = new TrainOptions(seqLen, batch, accum, steps, lr, minLr, warmup != null ? warmup : LrSchedule.defaultWarmup(steps),
                weightDecay, clip, model.threads(), seed,
                checkpointEvery, evalEvery, 10);
        TrainJob.Spec job = new TrainJob.Spec(data, out, base, name, merges, model.dim, model.layers, model.heads,
                kvHeads == null ? model.heads : kvHeads, model.ffn, Math.max(context, seqLen), fimRate, spmRate, loraRank, loraAlpha, loraTargets, new HashSet<>(extensions),
                heldOutPermille, heldOutRows, maxFileBytes, o, template);
        Trainer.Result r = TrainJob.run(job, System.err);
        Path model = out.resolve("model.gguf");
        if (json) {
            var doc = dev.codellm.core.io.Json.MAPPER.createObjectNode().put("model", model.toString()).put("steps", r.steps())
                    .put("steps_run", r.stepsRun()).put("already_finished", r.alreadyFinished());
            putFinite(doc, "train_loss", r.trainLoss());
            putFinite(doc, "held_out_loss", r.heldOutLoss());
            putFinite(doc, "tokens_per_second", r.tokensPerSecond());
            putFinite(doc, "gflops", r.gflops());
            spec.commandLine().getOut().println(dev.codellm.core.io.Json.line(doc));
        } else {
            spec.commandLine().getOut().println(model);
        }
        return 0;
    }

    /** A figure the run does not have (no held-out rows, nothing run) is null, never a bare NaN that jq refuses. */
    private static void putFinite(com.fasterxml.jackson.databind.node.ObjectNode doc, String key, double v) {
        if (Double.isFinite(v)) doc.put(key, v);
        else doc.putNull(key);
    }
}
