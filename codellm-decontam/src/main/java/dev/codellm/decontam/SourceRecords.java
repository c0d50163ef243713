package dev.codellm.decontam;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A source file as a record: {@code {"path": "relative/path", "text": "..."}}, one jsonl line.
 * Binary files (a NUL byte, or bytes that are not UTF-8) are not records: {@link #text} says why.
 */
public final class SourceRecords {
    private SourceRecords() {}

    /** The file's text, or null when it is binary; see {@link #binaryReason}. */
    public static String text(byte[] content) {
        if (binaryReason(content) != null) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Why content is not text ("binary file (NUL byte)", "binary file (not UTF-8)"), or null. */
    public static String binaryReason(byte[] content) {
        int n = Math.min(content.length, 8192);
        for (int i = 0; i < n; i++) if (content[i] == 0) return "binary file (NUL byte)";
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content));
        } catch (CharacterCodingException e) {
            return "binary file (not UTF-8)";
        }
        return null;
    }

    /** The jsonl line for a text file ({@code relPath} uses '/' separators). */
    public static String line(String relPath, String text) {
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        StringBuilder sb = new StringBuilder(text.length() + relPath.length() + 32).append("{\"path\":\"");
        enc.quoteAsString(relPath, sb);
        sb.append("\",\"text\":\"");
        enc.quoteAsString(text, sb);
        return sb.append("\"}").toString();
    }
}
