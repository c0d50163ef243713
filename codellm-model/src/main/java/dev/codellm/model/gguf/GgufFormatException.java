package dev.codellm.model.gguf;

import dev.codellm.core.CodellmException;
import java.nio.file.Path;

/** A GGUF file that cannot be read as GGUF; the message names the file and the byte offset. */
public class GgufFormatException extends CodellmException {
    private final long offset;

    public GgufFormatException(Path file, long offset, String problem) {
        super("bad GGUF file " + file + ": " + problem + " (at byte offset " + offset + ")");
        this.offset = offset;
    }

    /** Byte offset in the file where the problem was found. */
    public long offset() { return offset; }
}
