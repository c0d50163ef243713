package dev.codellm.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
