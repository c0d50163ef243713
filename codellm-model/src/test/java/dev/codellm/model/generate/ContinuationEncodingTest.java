package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.SharedData;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text encoded as a continuation ({@link PromptPart.RawText}, Code Llama's encode_infilling) has no
 * dummy-prefix space also on a SentencePiece vocabulary without a {@code ☺} token (stories260K's
 * 512 pieces spell it with byte-fallback tokens): it decodes to itself, and a leading space is the
 * same token the dummy prefix gives.
 */
class ContinuationEncodingTest {
    @Test
    void continuationHasNoDummySpaceWithoutASmileyToken() {
        Tokenizer tok = Tokenizer.fromGguf(SharedData.require("models/stories260K/stories260K.gguf"));
        assertEquals(Tokenizer.Kind.SENTENCEPIECE, tok.kind());
        TokenizerCodec codec = new TokenizerCodec(tok);
        assertEquals(3, tok.encode("\u263A", false, false).length - 1, "☺ is spelled by byte tokens after the dummy space");
        PromptEncoder encoder = new PromptEncoder(codec);
        for (String s : List.of("c = a + b", " once upon a time", "\n    return x", "(x)", "ünï")) {
            int[] raw = encoder.encode(Prompt.builder().rawText(s).build());
            assertEquals(s, decode(tok, raw), s);
            int[] fresh = encoder.encode(Prompt.builder().text(s).build());
            assertArrayEquals(fresh, encoder.encode(Prompt.builder().rawText(" " + s).build()), s);
        }
    }

    private static String decode(Tokenizer tok, int[] ids) {
        var d = tok.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(d.accept(id));
        return sb.append(d.flush()).toString();
    }
}
