package dev.codellm.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's tokenizer test vectors ({@code shared/vocab/*.gguf.inp/.out}, made with the Hugging
 * Face tokenizers): every case must give exactly the expected ids. As in llama.cpp's
 * test-tokenizer-0, cases are separated by "\n__ggml_vocab_test__\n", encoded with no BOS/EOS and
 * without parsing special tokens, and the expected ids are the space-separated numbers of the
 * matching .out line.
 */
public class VocabVectorsTest {

    public record Case(String text, int[] expected) {}

    static List<Path> vocabFiles() throws IOException {
        try (Stream<Path> s = Files.list(SharedData.require("vocab"))) {
            return s.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
    }

    /** Reads the cases exactly as llama.cpp's test-tokenizer-0 does. */
    public static List<Case> readCases(Path gguf) throws IOException {
        String raw = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> out = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        String sep = "\n__ggml_vocab_test__\n";
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(sep, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + sep.length();
        }
        assertEquals(inputs.size(), out.size(), gguf + ": .inp and .out hold different numbers of cases");
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = out.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(inputs.get(i), ids));
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyVectorMatches() throws IOException {
        List<Path> files = vocabFiles();
        assertTrue(files.size() >= 4, "expected the four shared vocabularies, found " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Tokenizer tok = Tokenizer.fromGguf(f);
            List<Case> cases = readCases(f);
            int pass = 0;
            StringBuilder failures = new StringBuilder();
            for (Case c : cases) {
                int[] got = tok.encode(c.text(), false, false);
                if (Arrays.equals(got, c.expected())) pass++;
                else failures.append(String.format("%n  %s%n    expected %s%n    got      %s",
                        quote(c.text()), Arrays.toString(c.expected()), Arrays.toString(got)));
            }
            String summary = f.getFileName() + ": " + pass + "/" + cases.size() + " vectors match";
            System.out.println(summary);
            assertEquals(cases.size(), pass, summary + failures);
        }));
    }

    @TestFactory
    Stream<DynamicTest> decodeReversesEncode() throws IOException {
        return vocabFiles().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Tokenizer tok = Tokenizer.fromGguf(f);
            for (Case c : readCases(f)) {
                assertEquals(c.text(), tok.decode(tok.encode(c.text(), false, false)), "plain: " + quote(c.text()));
                assertEquals(c.text(), tok.decode(tok.encode(c.text(), true, false)), "with BOS: " + quote(c.text()));
                assertEquals(c.text(), tok.decode(c.expected()), "expected ids: " + quote(c.text()));
            }
        }));
    }

    static String quote(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
