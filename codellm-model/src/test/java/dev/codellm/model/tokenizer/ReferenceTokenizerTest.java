package dev.codellm.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares our encodings of seeded random text with independent implementations run by Debian's
 * /usr/bin/python3 (packages in scripts/packages/tokenizer.txt): Google's SentencePiece library on
 * the original Llama 2 {@code tokenizer.model}, and OpenAI's GPT-2 encoder algorithm over the GPT-2
 * GGUF vocabulary.
 */
class ReferenceTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void sentencePieceMatchesTheSentencePieceLibrary() throws Exception {
        Tokenizer tok = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"));
        List<String> texts = texts(11, Integer.getInteger("tokenizer.referenceTexts", 400));
        List<int[]> expected = reference("spm", SharedData.require("models/llama2-tokenizer/tokenizer.model"), texts);
        assertAllMatch(tok, texts, expected);
    }

    @Test
    void byteLevelBpeMatchesTheGpt2Encoder() throws Exception {
        Path vocab = SharedData.require("vocab/ggml-vocab-gpt-2.gguf");
        Tokenizer tok = Tokenizer.fromGguf(vocab);
        List<String> texts = texts(12, Integer.getInteger("tokenizer.referenceTexts", 400));
        List<int[]> expected = reference("bpe", vocab, texts);
        assertAllMatch(tok, texts, expected);
    }

    private static List<String> texts(long seed, int count) {
        Random r = new Random(seed);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) texts.add(RandomText.next(r, 40));
        return texts;
    }

    private static void assertAllMatch(Tokenizer tok, List<String> texts, List<int[]> expected) {
        assertEquals(texts.size(), expected.size());
        int pass = 0;
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            int[] got = tok.encode(texts.get(i), false, false);
            if (Arrays.equals(got, expected.get(i))) pass++;
            else if (failures.length() < 4000)
                failures.append(String.format("%n  %s%n    reference %s%n    ours      %s", VocabVectorsTest.quote(texts.get(i)),
                        Arrays.toString(expected.get(i)), Arrays.toString(got)));
        }
        System.out.println(pass + "/" + texts.size() + " random texts match the reference");
        assertEquals(texts.size(), pass, pass + "/" + texts.size() + " random texts match the reference" + failures);
    }

    private List<int[]> reference(String mode, Path model, List<String> texts) throws IOException, InterruptedException {
        Path script = tmp.resolve("reference_tokenize.py");
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/reference_tokenize.py")) {
            Files.copy(in, script);
        }
        Path in = tmp.resolve("in.json"), out = tmp.resolve("out.json"), log = tmp.resolve("log.txt");
        JSON.writeValue(in.toFile(), texts);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), mode, model.toString(), in.toString(), out.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("reference tokenizer timed out");
        }
        assertEquals(0, p.exitValue(), "reference tokenizer failed (needs Debian python3-sentencepiece and python3-regex, "
                + "see scripts/packages/tokenizer.txt):\n" + Files.readString(log));
        int[][] ids = JSON.readValue(out.toFile(), int[][].class);
        return Arrays.asList(ids);
    }
}
