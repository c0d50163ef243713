package dev.codellm.train.export;

import dev.codellm.core.io.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.codellm.core.CodellmException;
import dev.codellm.core.ChatMessage;
import dev.codellm.train.data.SftSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Hands a fine-tune too big for a CPU to an existing GPU trainer: writes a ready-to-run directory
 * for axolotl (YAML + DeepSpeed JSON) or plain DeepSpeed (JSON config + an HF Trainer script),
 * with the instruction data converted to the format that config reads.
 *
 * <p>The full recipe follows Phind's Code Llama fine-tune: ZeRO-3 sharding, FlashAttention-2,
 * 4096-token sequences, 2 epochs, bf16, cosine schedule; LoRA / QLoRA variants adapt the
 * attention and MLP projections instead and fit with ZeRO-2.
 */
public final class ScaleOutExport {
    public enum Framework { AXOLOTL, DEEPSPEED, TRL }
    public enum Mode { FULL, LORA, QLORA }

    /** The knobs of an exported run. */
    public record Settings(Framework framework, Mode mode, String baseModel, int seqLen, int epochs, double lr,
                           int microBatch, int gradAccum, int gpus, int loraRank, int loraAlpha) {
        public static Settings phind(Framework f, Mode m, String base) {
            return new Settings(f, m, base, 4096, 2, m == Mode.FULL ? 2e-5 : 2e-4, 1, 4, 8, 16, 32);
        }
    }

    /** Files written, for the summary line. */
    public record Written(Path dir, List<Path> files, int records) {}

    private static final ObjectMapper JSON = Json.MAPPER;
    /** YAML, not JSON (axolotl's config): its own mapper over Jackson's YAML factory. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    /** HF module names of Llama's projections (LoRA targets). */
    static final List<String> LLAMA_PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private ScaleOutExport() {}

    public static Written write(Path instructions, Path out, Settings s) throws IOException {
        List<List<ChatMessage>> convs = SftSource.readJsonl(instructions);
        Files.createDirectories(out.resolve("data"));
        s = withLocalBase(out, s);
        return switch (s.framework()) {
            case AXOLOTL -> axolotl(convs, out, s);
            case DEEPSPEED -> deepspeed(convs, out, s, "deepspeed_train.py", "train.py");
            case TRL -> deepspeed(convs, out, s, "trl_sft.py", "train.py");
        };
    }

    /**
     * A {@code --base-model} that is a local GGUF (a codellm-trained or -converted model) is exported
     * to a Hugging Face directory inside the run ({@code base-model/}), which the configs then name:
     * the GPU trainers load HF checkpoints, not GGUF.
     */
    static Settings withLocalBase(Path out, Settings s) {
        Path base = Path.of(s.baseModel());
        if (!s.baseModel().endsWith(".gguf")) return s;
        if (!Files.isRegularFile(base)) throw new CodellmException("--base-model " + base + " is not a file (a GGUF path or a Hugging Face model id)");
        Path hf = out.resolve("base-model").toAbsolutePath();
        dev.codellm.model.convert.GgufToHf.export(base, hf, System.err);
        return new Settings(s.framework(), s.mode(), hf.toString(), s.seqLen(), s.epochs(), s.lr(), s.microBatch(), s.gradAccum(), s.gpus(),
                s.loraRank(), s.loraAlpha());
    }

    private static Written axolotl(List<List<ChatMessage>> convs, Path out, Settings s) throws IOException {
        Path data = out.resolve("data/train.jsonl");
        int n = writeMessages(convs, data);
        Path ds = out.resolve("deepspeed_configs/" + (s.mode() == Mode.FULL ? "zero3_bf16.json" : "zero2.json"));
        Files.createDirectories(ds.getParent());
        Json.write(ds, deepspeedConfig(s, true));
        ObjectNode y = YAML.createObjectNode();
        y.put("base_model", s.baseModel()).put("model_type", "LlamaForCausalLM").put("tokenizer_type", "AutoTokenizer");
        y.put("load_in_8bit", false).put("load_in_4bit", s.mode() == Mode.QLORA).put("strict", false);
        ArrayNode datasets = y.putArray("datasets");
        ObjectNode d = datasets.addObject();
        d.put("path", "data/train.jsonl").put("ds_type", "json").put("type", "chat_template")
                .put("field_messages", "messages").put("message_field_role", "role").put("message_field_content", "content");
        d.putArray("roles_to_train").add("assistant");
        // Code Llama Instruct's [INST] format, the same template `codellm train` uses for SFT by default
        y.put("chat_template", "jinja").put("chat_template_jinja", dev.codellm.train.ModelGguf.defaultChatTemplate());
        y.put("dataset_prepared_path", "last_run_prepared").put("val_set_size", 0.02).put("output_dir", "./out");
        y.put("sequence_len", s.seqLen()).put("sample_packing", true).put("pad_to_sequence_len", true);
        if (s.mode() != Mode.FULL) {
            y.put("adapter", s.mode() == Mode.QLORA ? "qlora" : "lora").put("lora_r", s.loraRank()).put("lora_alpha", s.loraAlpha())
                    .put("lora_dropout", 0.05).put("lora_target_linear", true);
            ArrayNode t = y.putArray("lora_target_modules");
            LLAMA_PROJECTIONS.forEach(t::add);
        }
        y.put("gradient_accumulation_steps", s.gradAccum()).put("micro_batch_size", s.microBatch()).put("num_epochs", s.epochs());
        y.put("optimizer", s.mode() == Mode.QLORA ? "paged_adamw_8bit" : "adamw_torch").put("lr_scheduler", "cosine")
                .put("learning_rate", s.lr()).put("warmup_ratio", 0.03).put("weight_decay", 0.0).put("max_grad_norm", 1.0);
        y.put("train_on_inputs", false).put("group_by_length", false);
        y.put("bf16", "auto").put("tf32", true).put("gradient_checkpointing", true).put("flash_attention", true);
        y.put("logging_steps", 1).put("saves_per_epoch", 1).put("evals_per_epoch", 4);
        y.put("deepspeed", out.relativize(ds).toString());
        ObjectNode special = y.putObject("special_tokens");
        special.put("bos_token", "<s>").put("eos_token", "</s>").put("unk_token", "<unk>");
        Path yml = out.resolve("axolotl.yml");
        Files.writeString(yml, "# codellm train export --framework axolotl (" + s.mode().name().toLowerCase(Locale.ROOT)
                + "): run with\n#   accelerate launch -m axolotl.cli.train axolotl.yml\n" + YAML.writeValueAsString(y));
        Path readme = readme(out, s, "accelerate launch -m axolotl.cli.train axolotl.yml");
        return new Written(out, List.of(yml, ds, data, readme), n);
    }

    /** A stand-alone HF Trainer script ({@code resource}: plain DeepSpeed or TRL's SFTTrainer) with ds_config.json and launch.sh. */
    private static Written deepspeed(List<List<ChatMessage>> convs, Path out, Settings s, String resource, String scriptName) throws IOException {
        Path data = out.resolve("data/train.jsonl");
        int n = writeMessages(convs, data);
        Path cfg = out.resolve("ds_config.json");
        Json.write(cfg, deepspeedConfig(s, false));
        Path script = out.resolve(scriptName);
        try (InputStream in = ScaleOutExport.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("__CHAT_TEMPLATE__", Json.line(dev.codellm.train.ModelGguf.defaultChatTemplate()));
            Files.writeString(script, text);
        }
        String args = String.format(Locale.ROOT, "--model %s --data data/train.jsonl --seq-len %d --epochs %d --lr %s --micro-batch %d --grad-accum %d%s",
                s.baseModel(), s.seqLen(), s.epochs(), s.lr(), s.microBatch(), s.gradAccum(),
                switch (s.mode()) { case FULL -> ""; case LORA -> " --lora-rank " + s.loraRank() + " --lora-alpha " + s.loraAlpha();
                    case QLORA -> " --lora-rank " + s.loraRank() + " --lora-alpha " + s.loraAlpha() + " --load-in-4bit"; });
        String command = "deepspeed --num_gpus " + s.gpus() + " train.py --deepspeed ds_config.json " + args;
        Path launch = out.resolve("launch.sh");
        Files.writeString(launch, "#!/usr/bin/env bash\n# Generated by codellm train export --framework " + s.framework().name().toLowerCase(Locale.ROOT)
                + "\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
                + "pip install 'transformers>=4.46' 'deepspeed>=0.14' datasets accelerate flash-attn" + (s.framework() == Framework.TRL ? " 'trl>=0.20'" : "")
                + (s.mode() == Mode.FULL ? "" : " peft") + (s.mode() == Mode.QLORA ? " bitsandbytes" : "") + "\n" + command + "\n");
        launch.toFile().setExecutable(true);
        Path readme = readme(out, s, "./launch.sh");
        return new Written(out, List.of(cfg, script, launch, data, readme), n);
    }

    /**
     * DeepSpeed JSON: ZeRO-3 (parameters, gradients and optimizer state sharded) for full
     * fine-tunes, ZeRO-2 for adapters; batch sizes always left to the HF integration ("auto"), the
     * optimizer too under axolotl, explicit for the stand-alone script.
     */
    static ObjectNode deepspeedConfig(Settings s, boolean hfAuto) {
        ObjectNode c = JSON.createObjectNode();
        // batch sizes "auto" in both: the HF Trainer integration (axolotl's and our train.py's) fills
        // them from its arguments, so a changed --micro-batch, --grad-accum or GPU count cannot disagree
        c.put("train_batch_size", "auto").put("train_micro_batch_size_per_gpu", "auto").put("gradient_accumulation_steps", "auto")
                .put("gradient_clipping", "auto");
        c.putObject("bf16").put("enabled", true);
        ObjectNode z = c.putObject("zero_optimization");
        boolean full = s.mode() == Mode.FULL;
        z.put("stage", full ? 3 : 2).put("overlap_comm", true).put("contiguous_gradients", true)
                .put("reduce_bucket_size", hfAuto ? "auto" : "5e8");
        if (full) {
            z.put("stage3_prefetch_bucket_size", hfAuto ? "auto" : "5e8").put("stage3_param_persistence_threshold", hfAuto ? "auto" : "1e6")
                    .put("stage3_gather_16bit_weights_on_model_save", true).put("sub_group_size", 1_000_000_000);
        }
        if (!hfAuto) {
            ObjectNode opt = c.putObject("optimizer").put("type", "AdamW");
            ObjectNode params = opt.putObject("params").put("lr", s.lr());
            params.putArray("betas").add(0.9).add(0.95);
            params.put("eps", 1e-8).put("weight_decay", 0.0);
            ObjectNode sch = c.putObject("scheduler").put("type", "WarmupCosineLR");
            sch.putObject("params").put("total_num_steps", "auto").put("warmup_num_steps", "auto");
            // HF Trainer's DeepSpeed integration fills the two "auto" step counts from the dataset size
        }
        c.put("steps_per_print", 10).put("wall_clock_breakdown", false);
        return c;
    }

    /** Writes OpenAI-messages jsonl; returns the record count. */
    static int writeMessages(List<List<ChatMessage>> convs, Path file) throws IOException {
        int n = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (List<ChatMessage> conv : convs) {
                ObjectNode rec = JSON.createObjectNode();
                ArrayNode msgs = rec.putArray("messages");
                for (ChatMessage t : conv) msgs.addObject().put("role", t.role()).put("content", t.content());
                w.write(Json.line(rec));
                w.write('\n');
                n++;
            }
        }
        if (n == 0) throw new CodellmException("no records to export");
        return n;
    }

    private static Path readme(Path out, Settings s, String command) throws IOException {
        Path p = out.resolve("README.md");
        Files.writeString(p, "# " + s.framework().name().toLowerCase(Locale.ROOT) + " " + s.mode().name().toLowerCase(Locale.ROOT)
                + " fine-tune of " + s.baseModel() + "\n\nGenerated by `codellm train export`. On a machine with "
                + s.gpus() + " GPUs and the trainer installed:\n\n    " + command + "\n\n"
                + String.format(Locale.ROOT, "Recipe: sequence length %d, %d epochs, lr %s cosine, micro-batch %d x accumulation %d x %d GPUs, bf16, FlashAttention-2, %s.%n",
                s.seqLen(), s.epochs(), s.lr(), s.microBatch(), s.gradAccum(), s.gpus(), s.mode() == Mode.FULL ? "DeepSpeed ZeRO-3" : "DeepSpeed ZeRO-2, LoRA r=" + s.loraRank())
                + "Data: data/train.jsonl (OpenAI messages; loss on assistant turns only).\n");
        return p;
    }
}
