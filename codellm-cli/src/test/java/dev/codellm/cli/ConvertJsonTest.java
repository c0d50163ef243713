package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --json of synth-model, convert (both ways), quantize and train merge: one JSON object on stdout
 * (snake_case, like every other --json), whose figures are the files' real sizes and contents;
 * and {@code train export --framework hf}, the spelling of {@code convert --to hf}.
 */
class ConvertJsonTest {
    @TempDir Path dir;

    private static JsonNode json(CliRun r) throws Exception {
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void synthConvertAndQuantizePrintOneJsonObject() throws Exception {
        Path gguf = dir.resolve("tiny.gguf"), hf = dir.resolve("hf"), back = dir.resolve("back.gguf"), q = dir.resolve("q8.gguf");
        JsonNode synth = json(CliRun.of("synth-model", "--shape", "tiny", "--type", "F16", "--seed", "4", "--json", gguf.toString()));
        assertEquals(gguf.toString(), synth.get("output").asText());
        assertEquals("F16", synth.get("type").asText());
        assertEquals(Files.size(gguf), synth.get("bytes").asLong());

        JsonNode export = json(CliRun.of("convert", gguf.toString(), hf.toString(), "--to", "hf", "--json"));
        assertEquals("hf", export.get("to").asText());
        try (GgufFile f = GgufFile.open(gguf)) {  // the F16/F32 tensors' bytes, unchanged in the safetensors
            assertEquals(f.tensors().stream().mapToLong(t -> t.data().byteSize()).sum(), export.get("tensor_bytes").asLong());
        }
        assertEquals("tokenizer.model", export.get("tokenizer_file").asText());
        assertTrue(export.get("tensors").asInt() > 0);

        JsonNode conv = json(CliRun.of("convert", hf.toString(), back.toString(), "--type", "f16", "--threads", "1", "--json"));
        assertEquals("convert", conv.get("command").asText());
        assertEquals("f16", conv.get("type").asText());
        assertEquals(Files.size(back), conv.get("bytes_out").asLong());

        JsonNode quant = json(CliRun.of("quantize", back.toString(), q.toString(), "q8_0", "--threads", "2", "--json"));
        assertEquals("quantize", quant.get("command").asText());
        assertEquals("q8_0", quant.get("type").asText());
        assertEquals(Files.size(back), quant.get("bytes_in").asLong());
        assertEquals(Files.size(q), quant.get("bytes_out").asLong());
        try (GgufFile f = GgufFile.open(q)) {
            long weights = f.tensors().stream().mapToLong(t -> java.util.Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b)).sum();
            assertEquals(weights, quant.get("weights").asLong());
            long q8 = f.tensors().stream().filter(t -> t.type() == GgmlType.Q8_0).count();
            assertEquals(q8, quant.get("tensor_types").get("Q8_0").asLong());
        }
        assertEquals(quant.get("bytes_out").asDouble() * 8 / quant.get("weights").asDouble(), quant.get("bits_per_weight_out").asDouble(), 1e-9);
        assertTrue(quant.get("seconds").asDouble() > 0);
    }

    @Test
    void trainMergePrintsOneJsonObject() throws Exception {
        Path data = Files.createDirectories(dir.resolve("stories"));
        Files.writeString(data.resolve("a.txt"), "Once upon a time, there was a little cat.\n".repeat(40));
        String base = dev.codellm.core.SharedData.require("models/stories260K/stories260K.gguf").toString();
        Path run = dir.resolve("lora"), merged = dir.resolve("merged.gguf");
        CliRun lora = CliRun.of("train", "--base", base, "--data", data.toString(), "--extensions", "txt", "--held-out-permille", "0", "--fim-rate", "0",
                "--steps", "1", "--seq-len", "16", "--batch", "1", "--threads", "1", "--lora-rank", "2", "--out", run.toString());
        assertEquals(0, lora.code(), lora.err());
        JsonNode m = json(CliRun.of("train", "merge", "--base", base, "--adapter", run.resolve("adapter.gguf").toString(),
                "--out", merged.toString(), "--json"));
        assertEquals(merged.toString(), m.get("output").asText());
        assertEquals(Files.size(merged), m.get("bytes").asLong());
        assertTrue(m.get("adapted_layers").asInt() > 0, m.toString());
    }

    @Test
    void trainExportFrameworkHfIsConvertToHf() throws Exception {
        Path gguf = dir.resolve("tiny.gguf"), viaTrain = dir.resolve("train-hf"), viaConvert = dir.resolve("convert-hf");
        SyntheticGguf.write(gguf, ModelShape.parse("tiny"), GgmlType.F16, 0, 5);
        CliRun t = CliRun.of("train", "export", "--framework", "hf", "--base-model", gguf.toString(), "--out", viaTrain.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("Hugging Face"), t.out());
        assertEquals(0, CliRun.of("convert", gguf.toString(), viaConvert.toString(), "--to", "hf").code());
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"})
            assertArrayEquals(Files.readAllBytes(viaConvert.resolve(f)), Files.readAllBytes(viaTrain.resolve(f)), f);

        CliRun noModel = CliRun.of("train", "export", "--framework", "hf", "--out", dir.resolve("x").toString());
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().startsWith("codellm: error: --framework hf exports a local GGUF"), noModel.err());
        CliRun noData = CliRun.of("train", "export", "--framework", "trl", "--out", dir.resolve("y").toString());
        assertEquals(1, noData.code());
        assertTrue(noData.err().startsWith("codellm: error: --data is required"), noData.err());
    }
}
