package dev.codellm.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormalizerTest {
    @Test
    void keepsOnlyLettersAndDigitsOfAnyScript() {
        assertEquals("deffxreturnx1", Normalizer.lettersAndDigits("def f(x):\r\n\treturn x + 1  # ;"));
        assertEquals("éßπ42名前", Normalizer.lettersAndDigits("é-ß π=42 名前!"));
        // A supplementary letter (mathematical bold A) is kept whole; an emoji is dropped whole.
        assertEquals("a\uD835\uDC00b", Normalizer.lettersAndDigits("a\uD835\uDC00 \uD83D\uDE00b"));
        assertEquals("", Normalizer.lettersAndDigits(" \t\n(){}[];:'\"_"));
    }

    @Test
    void wordCharsIncludeUnderscore() {
        assertEquals(true, Normalizer.isWordChar('_'));
        assertEquals(true, Normalizer.isWordChar('z'));
        assertEquals(false, Normalizer.isWordChar('.'));
    }

    /**
     * Normalising a JSON literal's bytes gives what normalising the decoded string gives, on real
     * source text and on random mixes of ASCII, escapes, accents, CJK, lone and paired surrogates,
     * with literals written by Jackson both as UTF-8 and with every non-ASCII char as an escape.
     */
    @Test
    void jsonBytesNormaliseLikeTheDecodedString() throws IOException {
        Random rnd = new Random(7);
        String alphabet = "aZ09 _\t\n\r\"\\/{}();:=+-<>#éßπ名前\u0001\u00a0\u2028\u0660";
        for (int trial = 0; trial < 3000; trial++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(200);
            for (int i = 0; i < len; i++) {
                int pick = rnd.nextInt(20);
                if (pick == 0) sb.append("\uD835\uDC00");          // a supplementary letter
                else if (pick == 1) sb.append("\uD83D\uDE00");     // an emoji
                else if (pick == 2) sb.append(rnd.nextBoolean() ? '\uD835' : '\uDC00');  // lone surrogates
                else sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            for (boolean escapeNonAscii : new boolean[] {false, true}) {
                byte[] json = literal(s, escapeNonAscii);
                char[] dst = new char[json.length];
                int n = Normalizer.lettersAndDigitsOfJsonString(json, 1, json.length, dst);
                assertEquals(Normalizer.lettersAndDigits(s), new String(dst, 0, n), s);
            }
        }
    }

    /** {"k":"<s>"} minus the key: the string literal as Jackson writes it, quotes included. */
    private static byte[] literal(String s, boolean escapeNonAscii) throws IOException {
        JsonFactory f = JsonFactory.builder().configure(JsonWriteFeature.ESCAPE_NON_ASCII, escapeNonAscii).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = f.createGenerator(out)) {
            g.writeString(s);
        }
        return out.toByteArray();
    }
}
