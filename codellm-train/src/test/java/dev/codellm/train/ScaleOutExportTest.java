package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.codellm.core.CodellmException;
import dev.codellm.train.data.SftSource;
import dev.codellm.train.export.ScaleOutExport;
import dev.codellm.train.export.ScaleOutExport.Framework;
import dev.codellm.train.export.ScaleOutExport.Mode;
import dev.codellm.train.export.ScaleOutExport.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported configs against the key rules of the trainers' documented schemas: DeepSpeed's
 * config-json reference (deepspeed.ai/docs/config-json) and axolotl's config reference
 * (docs/config.qmd): known keys, value domains, and the cross-field constraints each documents.
 */
class ScaleOutExportTest {
    @TempDir Path dir;
    static final ObjectMapper JSON = new ObjectMapper(), YAML = new ObjectMapper(new YAMLFactory());

    static final Set<String> DS_TOP = Set.of("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
            "optimizer", "scheduler", "fp16", "bf16", "gradient_clipping", "zero_optimization", "steps_per_print",
            "wall_clock_breakdown", "zero_allow_untested_optimizer", "activation_checkpointing", "flops_profiler");
    static final Set<String> DS_ZERO = Set.of("stage", "allgather_partitions", "allgather_bucket_size", "overlap_comm",
            "reduce_scatter", "reduce_bucket_size", "contiguous_gradients", "offload_param", "offload_optimizer",
            "stage3_max_live_parameters", "stage3_max_reuse_distance", "stage3_prefetch_bucket_size",
            "stage3_param_persistence_threshold", "stage3_gather_16bit_weights_on_model_save", "sub_group_size");
    static final Set<String> DS_OPTIMIZERS = Set.of("Adam", "AdamW", "OneBitAdam", "ZeroOneAdam", "OneBitLamb", "Lamb", "Lion");
    static final Set<String> DS_SCHEDULERS = Set.of("LRRangeTest", "OneCycle", "WarmupLR", "WarmupDecayLR", "WarmupCosineLR");

    static final Set<String> AXOLOTL_KEYS = Set.of("base_model", "model_type", "tokenizer_type", "load_in_8bit", "load_in_4bit",
            "strict", "datasets", "chat_template", "chat_template_jinja", "dataset_prepared_path", "val_set_size", "output_dir",
            "sequence_len", "sample_packing", "pad_to_sequence_len", "adapter", "lora_r", "lora_alpha", "lora_dropout",
            "lora_target_linear", "lora_target_modules", "gradient_accumulation_steps", "micro_batch_size", "num_epochs",
            "optimizer", "lr_scheduler", "learning_rate", "warmup_ratio", "weight_decay", "max_grad_norm", "train_on_inputs",
            "group_by_length", "bf16", "tf32", "gradient_checkpointing", "flash_attention", "logging_steps", "saves_per_epoch",
            "evals_per_epoch", "deepspeed", "special_tokens");
    static final Set<String> AXOLOTL_OPTIMIZERS = Set.of("adamw_torch", "adamw_torch_fused", "adamw_bnb_8bit", "paged_adamw_8bit",
            "paged_adamw_32bit", "adamw_hf", "adafactor", "lion_8bit");

    private Path instructions() throws Exception {
        Path p = dir.resolve("oss.jsonl");
        Files.writeString(p, """
                {"messages":[{"role":"user","content":"Write add(a, b)."},{"role":"assistant","content":"def add(a, b):\\n    return a + b"}]}
                {"instruction":"Reverse a string.","input":"","output":"def rev(s):\\n    return s[::-1]"}
                """);
        return p;
    }

    @Test
    void trlExportFromALocalGgufBase() throws Exception {
        Path gguf = dir.resolve("base.gguf");
        dev.codellm.model.llama.SyntheticGguf.write(gguf, dev.codellm.model.llama.ModelShape.parse("tiny"),
                dev.codellm.model.gguf.GgmlType.F16, 0, 1);
        Path out = dir.resolve("trl");
        ScaleOutExport.write(instructions(), out, Settings.phind(Framework.TRL, Mode.QLORA, gguf.toString()));
        assertTrue(Files.isRegularFile(out.resolve("base-model/config.json")) && Files.isRegularFile(out.resolve("base-model/model.safetensors")),
                "the GGUF base is exported as a Hugging Face directory");
        String launch = Files.readString(out.resolve("launch.sh"));
        assertTrue(launch.contains("trl>=") && launch.contains("--model " + out.resolve("base-model").toAbsolutePath()) && launch.contains("--load-in-4bit"), launch);
        String py = Files.readString(out.resolve("train.py"));
        assertTrue(py.contains("SFTTrainer(") && py.contains("packing=True") && py.contains("prepare_model_for_kbit_training")
                && py.contains("[INST]") && !py.contains("__CHAT_TEMPLATE__"), py);
        pyCompiles(out.resolve("train.py"));
        checkDeepSpeed(JSON.readTree(out.resolve("ds_config.json").toFile()), 8);
    }

    @Test
    void shareGptRecordsAsOssInstructWritesThemAreAccepted() throws Exception {
        Path p = dir.resolve("sharegpt.jsonl");
        Files.writeString(p, """
                {"conversations":[{"from":"human","value":"Write add(a, b)."},{"from":"gpt","value":"def add(a, b):\\n    return a + b"}]}
                """);
        var w = ScaleOutExport.write(p, dir.resolve("sg"), Settings.phind(Framework.AXOLOTL, Mode.LORA, "codellama/CodeLlama-7b-hf"));
        assertEquals(1, w.records());
        JsonNode rec = JSON.readTree(Files.readAllLines(dir.resolve("sg/data/train.jsonl")).get(0));
        assertEquals("user", rec.at("/messages/0/role").asText());
        assertEquals("assistant", rec.at("/messages/1/role").asText());
        // `codellm train --data sharegpt.jsonl` too: instruction data, not a text corpus ("no records with a text field")
        assertTrue(SftSource.looksLikeInstructions(p), "ShareGPT is taken for SFT data");
    }

    @Test
    void deepspeedFullFollowsPhindAndTheSchema() throws Exception {
        Path out = dir.resolve("ds");
        var w = ScaleOutExport.write(instructions(), out, Settings.phind(Framework.DEEPSPEED, Mode.FULL, "codellama/CodeLlama-34b-hf"));
        assertEquals(2, w.records());
        JsonNode c = JSON.readTree(out.resolve("ds_config.json").toFile());
        checkDeepSpeed(c, 8);
        assertEquals(3, c.at("/zero_optimization/stage").asInt(), "full fine-tune shards everything (ZeRO-3)");
        assertEquals("auto", c.get("train_batch_size").asText(), "the HF integration fills it from the arguments (a hard-coded 32 broke other GPU counts)");
        String py = Files.readString(out.resolve("train.py"));
        assertTrue(py.contains("def pack(") && py.contains("batched=True"), "conversations are packed, not just truncated");
        assertTrue(py.contains("prepare_model_for_kbit_training"), "QLoRA prepares the 4-bit model for training");
        String launch = Files.readString(out.resolve("launch.sh"));
        assertTrue(launch.contains("--seq-len 4096") && launch.contains("--epochs 2") && launch.contains("flash-attn"), launch);
        pyCompiles(out.resolve("train.py"));
        assertEquals(2, Files.readAllLines(out.resolve("data/train.jsonl")).size());
        JsonNode rec = JSON.readTree(Files.readAllLines(out.resolve("data/train.jsonl")).get(1));
        assertEquals("assistant", rec.at("/messages/1/role").asText(), "Alpaca records become messages");
    }

    @Test
    void axolotlVariantsFollowTheSchema() throws Exception {
        for (Mode m : Mode.values()) {
            Path out = dir.resolve("ax-" + m);
            ScaleOutExport.write(instructions(), out, Settings.phind(Framework.AXOLOTL, m, "codellama/CodeLlama-7b-hf"));
            JsonNode y = YAML.readTree(out.resolve("axolotl.yml").toFile());
            for (Iterator<String> it = y.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                assertTrue(AXOLOTL_KEYS.contains(k), "undocumented axolotl key " + k);
            }
            assertFalse(y.get("base_model").asText().isBlank());
            assertEquals(4096, y.get("sequence_len").asInt());
            assertEquals(2, y.get("num_epochs").asInt());
            assertTrue(y.get("micro_batch_size").asInt() >= 1 && y.get("gradient_accumulation_steps").asInt() >= 1);
            assertTrue(y.get("learning_rate").isNumber());
            assertTrue(AXOLOTL_OPTIMIZERS.contains(y.get("optimizer").asText()), y.get("optimizer").asText());
            assertTrue(Set.of("cosine", "linear", "one_cycle", "constant").contains(y.get("lr_scheduler").asText()));
            assertTrue(y.get("flash_attention").asBoolean(), "sample_packing needs flash attention");
            assertTrue(y.get("datasets").isArray() && !y.get("datasets").isEmpty());
            for (JsonNode d : y.get("datasets")) {
                assertTrue(Files.exists(out.resolve(d.get("path").asText())), "dataset path resolves inside the export");
                assertEquals("chat_template", d.get("type").asText());
                assertEquals("messages", d.get("field_messages").asText());
            }
            if (y.path("chat_template").asText().equals("jinja")) assertTrue(y.get("chat_template_jinja").asText().contains("[INST]"));
            assertFalse(y.get("train_on_inputs").asBoolean(), "loss on responses only");
            switch (m) {
                case FULL -> assertFalse(y.has("adapter"));
                case LORA -> { assertEquals("lora", y.get("adapter").asText()); assertFalse(y.get("load_in_4bit").asBoolean()); }
                case QLORA -> { assertEquals("qlora", y.get("adapter").asText()); assertTrue(y.get("load_in_4bit").asBoolean(), "qlora requires load_in_4bit"); }
            }
            if (m != Mode.FULL) assertTrue(y.get("lora_r").asInt() > 0 && y.get("lora_alpha").asInt() > 0 && y.get("lora_target_modules").isArray());
            Path ds = out.resolve(y.get("deepspeed").asText());
            JsonNode c = JSON.readTree(ds.toFile());
            checkDeepSpeed(c, 8);
            assertEquals(m == Mode.FULL ? 3 : 2, c.at("/zero_optimization/stage").asInt());
        }
    }

    @Test
    void rejectsBadInput() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": 1}\n");
        var e = assertThrows(CodellmException.class, () -> ScaleOutExport.write(bad, dir.resolve("x"), Settings.phind(Framework.AXOLOTL, Mode.FULL, "m")));
        assertTrue(e.getMessage().contains("bad.jsonl:1"), e.getMessage());
        Files.writeString(bad, "{not json\n");
        e = assertThrows(CodellmException.class, () -> ScaleOutExport.write(bad, dir.resolve("x"), Settings.phind(Framework.AXOLOTL, Mode.FULL, "m")));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    /** Key rules of DeepSpeed's config-json reference. */
    static void checkDeepSpeed(JsonNode c, int gpus) {
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertTrue(DS_TOP.contains(k), "undocumented DeepSpeed key " + k);
        }
        for (Iterator<String> it = c.get("zero_optimization").fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertTrue(DS_ZERO.contains(k), "undocumented zero_optimization key " + k);
            if (k.startsWith("stage3_")) assertEquals(3, c.at("/zero_optimization/stage").asInt(), k + " only applies to stage 3");
        }
        int stage = c.at("/zero_optimization/stage").asInt(-1);
        assertTrue(stage >= 0 && stage <= 3);
        assertTrue(c.at("/bf16/enabled").isBoolean());
        assertFalse(c.at("/fp16/enabled").asBoolean(false) && c.at("/bf16/enabled").asBoolean(), "fp16 and bf16 are exclusive");
        JsonNode tbs = c.get("train_batch_size"), mbs = c.get("train_micro_batch_size_per_gpu"), gas = c.get("gradient_accumulation_steps");
        if (tbs.isNumber()) assertEquals(tbs.asInt(), mbs.asInt() * gas.asInt() * gpus, "train_batch_size = micro * accumulation * GPUs");
        else for (JsonNode n : List.of(tbs, mbs, gas)) assertEquals("auto", n.asText());
        if (c.has("optimizer")) {
            assertTrue(DS_OPTIMIZERS.contains(c.at("/optimizer/type").asText()));
            assertTrue(c.at("/optimizer/params/lr").isNumber());
            assertEquals(2, c.at("/optimizer/params/betas").size());
        }
        if (c.has("scheduler")) assertTrue(DS_SCHEDULERS.contains(c.at("/scheduler/type").asText()));
        JsonNode clip = c.get("gradient_clipping");
        assertTrue(clip.isNumber() || "auto".equals(clip.asText()));
    }

    static void pyCompiles(Path script) throws Exception {
        if (!Files.isExecutable(ReferencePython.PYTHON)) return;
        Process p = new ProcessBuilder(ReferencePython.PYTHON.toString(), "-m", "py_compile", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }
}
