package dev.codellm.data.decontam;

import java.util.List;

/**
 * A slice of the input handed to one worker: jsonl bytes holding whole lines ({@code data[0, len)}),
 * plus records the reader already had to skip (binary files, oversized lines), which are counted
 * where they occur so nothing is lost silently.
 *
 * @param names for a source tree, the file path of each line (for skip examples); null for jsonl
 */
record Chunk(byte[] data, int len, List<Skip> skips, List<String> names) {
    record Skip(String reason, String where) {}
}
