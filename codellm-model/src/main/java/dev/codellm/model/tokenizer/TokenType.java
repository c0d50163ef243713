package dev.codellm.model.tokenizer;

/**
 * The kind of a vocabulary entry, with the integer codes GGUF stores in
 * {@code tokenizer.ggml.token_type} (the same codes as SentencePiece's piece types).
 */
public enum TokenType {
    UNDEFINED(0),
    NORMAL(1),
    UNKNOWN(2),
    CONTROL(3),
    USER_DEFINED(4),
    UNUSED(5),
    BYTE(6);

    public final int code;

    TokenType(int code) { this.code = code; }

    /** The type for a GGUF code; unknown codes read as UNDEFINED, as llama.cpp does. */
    public static TokenType fromCode(int code) {
        for (TokenType t : values()) if (t.code == code) return t;
        return UNDEFINED;
    }
}
