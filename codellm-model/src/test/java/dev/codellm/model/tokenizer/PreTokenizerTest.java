package dev.codellm.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written scanners must cut exactly where their regular expressions do. */
class PreTokenizerTest {
    static final List<String> KINDS = List.of("default", "gpt-2", "starcoder", "deepseek-coder", "deepseek-llm", "llama3",
            "qwen2", "falcon");

    @Test
    void characterClassesAgreeWithJavaRegexOnTheWholeBmp() {
        Pattern letter = Pattern.compile("\\p{L}"), number = Pattern.compile("\\p{N}"), punct = Pattern.compile("\\p{P}");
        Pattern space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
        for (int cp = 0; cp < 0x10000; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) continue;
            String s = Character.toString(cp);
            assertEquals(letter.matcher(s).matches(), SplitRule.isLetter(cp), "letter U+" + Integer.toHexString(cp));
            assertEquals(number.matcher(s).matches(), SplitRule.isNumber(cp), "number U+" + Integer.toHexString(cp));
            assertEquals(punct.matcher(s).matches(), SplitRule.isPunctuation(cp), "punctuation U+" + Integer.toHexString(cp));
            assertEquals(space.matcher(s).matches(), SplitRule.isWhiteSpace(cp), "space U+" + Integer.toHexString(cp));
        }
    }

    @Test
    void scannersCutLikeTheirExpressions() {
        Random r = new Random(99);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 1500; i++) texts.add(RandomText.next(r, 50));
        // awkward corners: whitespace runs at piece ends, lone quotes, contractions at the end, controls
        texts.addAll(List.of("", " ", "  ", "a  ", "  a", "'", "'s", "'ll", "x'", "x 's", " \u00a0\u3000x", "\u0085\u2028 a",
                "\t\n \t", "3.3 3..3", "\u001c\u001fx", "a\u0301b", "ǅǈ", "12345 678", "$+<=>^~|`", "x\r\ny", "ab  \n"));
        for (String name : KINDS) {
            PreTokenizer fast = PreTokenizer.forName(name, "test");
            PreTokenizer regex = fast.regexOnly();
            for (String t : texts) {
                assertArrayEquals(regex.split(t).toArray(), fast.split(t).toArray(), name + ": " + VocabVectorsTest.quote(t));
            }
        }
    }
}
