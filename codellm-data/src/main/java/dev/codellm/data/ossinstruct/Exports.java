package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The instruction data in the shapes trainers read unchanged, and a schema check for each:
 * OpenAI fine-tuning {@code messages}, Alpaca ({@code instruction/input/output}) and ShareGPT
 * ({@code conversations} of {@code from: human|gpt}).
 */
public final class Exports {
    private Exports() {}

    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    public enum Format {
        MESSAGES, ALPACA, SHAREGPT;

        public static Format parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown export format '" + s + "', expected messages, alpaca or sharegpt");
            }
        }

        public String fileName() { return name().toLowerCase(Locale.ROOT) + ".jsonl"; }
    }

    /** Writes data.jsonl ({@code problem}, {@code solution}) in one format; returns the record count. */
    public static int write(Path data, Format format, Path out) throws IOException {
        int n = 0;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                JsonNode r = JSON.readTree(line);
                w.write(JSON.writeValueAsString(convert(format, r.get("problem").asText(), r.get("solution").asText())));
                w.write('\n');
                n++;
            }
        }
        return n;
    }

    static ObjectNode convert(Format f, String problem, String solution) {
        ObjectNode o = JSON.createObjectNode();
        switch (f) {
            case MESSAGES -> {
                ArrayNode m = o.putArray("messages");
                m.addObject().put("role", "user").put("content", problem);
                m.addObject().put("role", "assistant").put("content", solution);
            }
            case ALPACA -> o.put("instruction", problem).put("input", "").put("output", solution);
            case SHAREGPT -> {
                ArrayNode c = o.putArray("conversations");
                c.addObject().put("from", "human").put("value", problem);
                c.addObject().put("from", "gpt").put("value", solution);
            }
        }
        return o;
    }

    /**
     * Writes {@code OUT/data.jsonl} in every format, each checked against its schema after
     * writing (a failed check is an error); returns file name → records, in format order.
     */
    public static java.util.Map<String, Object> writeAll(Path out, List<Format> formats) throws IOException {
        java.util.Map<String, Object> written = new java.util.LinkedHashMap<>();
        for (Format f : formats) {
            Path file = out.resolve(f.fileName());
            int n = write(out.resolve("data.jsonl"), f, file);
            List<String> problems = validate(file, f);
            if (!problems.isEmpty()) throw new dev.codellm.core.CodellmException("export " + file + " failed its schema check: " + problems.get(0));
            written.put(f.fileName(), n);
        }
        return written;
    }

    /** Schema check of an exported file: one problem per line ("line 3: ..."); empty when valid. */
    public static List<String> validate(Path file, Format f) throws IOException {
        List<String> problems = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            try {
                String err = validateRecord(JSON.readTree(line), f);
                if (err != null) problems.add("line " + lineNo + ": " + err);
            } catch (IOException e) {
                problems.add("line " + lineNo + ": not JSON");
            }
        }
        return problems;
    }

    static String validateRecord(JsonNode r, Format f) {
        if (r == null || !r.isObject()) return "not a JSON object";
        switch (f) {
            case MESSAGES -> {
                JsonNode m = r.get("messages");
                if (m == null || !m.isArray() || m.isEmpty()) return "messages must be a non-empty array";
                boolean assistant = false;
                for (JsonNode msg : m) {
                    String role = msg.path("role").asText("");
                    if (!List.of("system", "user", "assistant").contains(role)) return "bad role '" + role + "'";
                    if (!msg.path("content").isTextual() || msg.get("content").asText().isEmpty()) return "message content must be a non-empty string";
                    assistant |= role.equals("assistant");
                }
                if (!assistant) return "no assistant message";
                if (!m.get(m.size() - 1).path("role").asText().equals("assistant")) return "last message must be the assistant's";
            }
            case ALPACA -> {
                for (String k : List.of("instruction", "input", "output")) if (!r.path(k).isTextual()) return k + " must be a string";
                if (r.get("instruction").asText().isEmpty() || r.get("output").asText().isEmpty()) return "instruction and output must be non-empty";
            }
            case SHAREGPT -> {
                JsonNode c = r.get("conversations");
                if (c == null || !c.isArray() || c.size() < 2) return "conversations must hold at least two turns";
                String expect = "human";
                for (JsonNode t : c) {
                    String from = t.path("from").asText("");
                    if (from.equals("system")) continue;
                    if (!from.equals(expect)) return "turns must alternate human/gpt, got '" + from + "'";
                    if (!t.path("value").isTextual() || t.get("value").asText().isEmpty()) return "value must be a non-empty string";
                    expect = expect.equals("human") ? "gpt" : "human";
                }
            }
        }
        return null;
    }
}
