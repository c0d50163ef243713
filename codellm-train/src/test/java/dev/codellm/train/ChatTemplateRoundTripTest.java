package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.generate.ChatTemplate;
import dev.codellm.model.generate.ChatTemplates;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LabeledIds;
import dev.codellm.model.generate.LocalGenerator;
import dev.codellm.model.generate.PromptEncoder;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.data.SftSource;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat template a fine-tuned GGUF carries is the one its instruction data was rendered with,
 * and the engine, reading it back, renders the same prompt: for every training conversation, the
 * prompt ids {@code chat} builds for the turns before the last answer are exactly the unlearned
 * ids the trainer put before that answer. With the base's template (kept) and with
 * {@code train --template chatml} (replacing it).
 */
class ChatTemplateRoundTripTest {
    static final String DATA = """
            {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Write f0."},{"role":"assistant","content":"def f0(x):\\n    return x + 0"}]}
            {"messages":[{"role":"user","content":"Write f1."},{"role":"assistant","content":"def f1(x):\\n    return x + 1"},{"role":"user","content":"And f2?"},{"role":"assistant","content":"def f2(x):\\n    return x + 2"}]}
            {"instruction":"Write f3.","output":"def f3(x):\\n    return x + 3"}
            """;

    @TempDir Path dir;

    @Test
    void theBasesTemplateIsKept() throws Exception {
        roundTrip(null, "llama2");
    }

    @Test
    void trainTemplateReplacesIt() throws Exception {
        roundTrip("chatml", "chatml");
    }

    private void roundTrip(String templateOption, String expectedName) throws Exception {
        BpeTrainer bt = new BpeTrainer();
        bt.add(DATA.repeat(3));
        Tokenizer tok = bt.train(80, SpecialTokens.CODE_LLAMA_SPELLINGS);
        TrainableLlama base = new TrainableLlama(new LlamaConfig(16, 1, 2, 2, 32, tok.vocabSize(), 256, 1e-5f, 10000f, true));
        base.initRandom(3);
        Path baseFile = dir.resolve("base.gguf");
        ModelGguf.write(base, tok, "base", baseFile);
        Path data = dir.resolve("sft.jsonl");
        Files.writeString(data, DATA.repeat(4));
        Path out = dir.resolve("run-" + expectedName);
        TrainOptions o = new TrainOptions(128, 2, 1, 2, 1e-3, 1e-4, 1, 0.0, 1.0, 1, 7, 2, 0, 3600);
        TrainJob.run(new TrainJob.Spec(data, out, baseFile, "sft", 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 8, List.of("attn_q"),
                Set.of("py"), 0, 0, 1_000_000, o, templateOption), new PrintStream(new ByteArrayOutputStream()));

        ChatTemplate used = ChatTemplates.byName(expectedName);
        Path tuned = out.resolve("model.gguf");
        try (GgufFile g = GgufFile.open(tuned)) {
            assertEquals(used.source(), g.getString("tokenizer.chat_template"));
        }
        try (LocalGenerator engine = LocalGenerator.open(tuned, new GeneratorOptions(256, "f32", null, null, 1))) {
            assertEquals(expectedName, engine.template().name());
            PromptEncoder encoder = new PromptEncoder(engine.codec());
            for (List<ChatMessage> conv : SftSource.readJsonl(data).subList(0, 3)) {
                LabeledIds trained = encoder.encode(engine.template().renderConversation(conv));
                // the last answer is the final learned run; what precedes it is the prompt chat builds
                int lastAnswer = trained.size();
                while (lastAnswer > 0 && trained.learned()[lastAnswer - 1]) lastAnswer--;
                assertTrue(lastAnswer < trained.size(), "the answer is learned");
                int[] prompt = engine.promptIds(ChatRequest.of(conv.subList(0, conv.size() - 1), SamplingParams.GREEDY));
                assertArrayEquals(prompt, Arrays.copyOf(trained.ids(), lastAnswer), expectedName + " " + conv);
            }
        }
    }
}
