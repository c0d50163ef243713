package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.model.generate.PromptPart.FimToken;
import dev.codellm.model.tokenizer.StreamingDecoder;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/** {@link TokenCodec} over the project's {@link Tokenizer} (SentencePiece or byte-level BPE from GGUF). */
public final class TokenizerCodec implements TokenCodec {
    private final Tokenizer tokenizer;

    public TokenizerCodec(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public Tokenizer tokenizer() { return tokenizer; }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        return tokenizer.encode(text, false, parseSpecial);
    }

    @Override
    public int vocabSize() { return tokenizer.vocabSize(); }

    @Override
    public int bos() {
        return tokenizer.bos().orElseThrow(() -> new CodellmException("the model's vocabulary has no BOS token, which this prompt format needs"));
    }

    @Override
    public int eos() {
        return tokenizer.eos().orElseThrow(() -> new CodellmException("the model's vocabulary has no EOS token, which this prompt format needs"));
    }

    @Override
    public boolean addsBos() { return tokenizer.addsBos(); }

    @Override
    public OptionalInt specialId(String name) { return tokenizer.specialId(name); }

    @Override
    public OptionalInt fim(FimToken token) {
        return switch (token) {
            case PRE -> tokenizer.fimPrefix();
            case SUF -> tokenizer.fimSuffix();
            case MID -> tokenizer.fimMiddle();
            case EOT -> tokenizer.eot();
        };
    }

    @Override
    public boolean isEndOfGeneration(int id) { return tokenizer.isEndOfGeneration(id); }

    @Override
    public String piece(int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] pieceBytes(int id) { return tokenizer.tokenBytes(id); }

    @Override
    public TextDecoder newDecoder() {
        StreamingDecoder d = tokenizer.streamingDecoder();
        return new TextDecoder() {
            @Override public String accept(int id) { return d.accept(id); }
            @Override public String flush() { return d.flush(); }
        };
    }
}
