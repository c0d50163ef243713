package dev.codellm.train.data;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Source files for pretraining: every file under a directory (or listed, one path a line, in a
 * {@code .txt} manifest) with one of the given extensions, read as UTF-8 (others skipped), split
 * into train and held-out documents by a stable hash of the path.
 */
public final class Corpus {
    public record Document(String name, String text) {}

    public final List<Document> train = new ArrayList<>();
    public final List<Document> heldOut = new ArrayList<>();
    public long skipped;

    public static Corpus load(Path source, Set<String> extensions, int heldOutPermille, long maxFileBytes) {
        if (!Files.exists(source)) throw new CodellmException("training data not found: " + source);
        Corpus c = new Corpus();
        List<Path> files = new ArrayList<>();
        try {
            if (Files.isDirectory(source)) {
                try (Stream<Path> s = Files.walk(source)) {
                    s.filter(Files::isRegularFile).filter(p -> extensions.contains(extension(p))).sorted().forEach(files::add);
                }
            } else if (source.toString().endsWith(".jsonl")) {
                readJsonlDocuments(source, heldOutPermille, c);
                if (c.train.isEmpty()) throw new CodellmException(source + ": no records with a \"text\" or \"content\" field");
                return c;
            } else if (source.toString().endsWith(".txt")) {
                for (String line : Files.readAllLines(source)) if (!line.isBlank()) files.add(Path.of(line.trim()));
            } else {
                files.add(source);
            }
            for (Path f : files) {
                if (Files.size(f) > maxFileBytes || Files.size(f) == 0) { c.skipped++; continue; }
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
                } catch (CharacterCodingException e) { c.skipped++; continue; }
                String name = f.toString();
                (Math.floorMod(stableHash(name), 1000) < heldOutPermille ? c.heldOut : c.train).add(new Document(name, text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (c.train.isEmpty()) throw new CodellmException("no training files with extensions " + extensions + " under " + source);
        return c;
    }

    /** Pretraining jsonl: one document per record, from its "text" or "content" field. */
    private static void readJsonlDocuments(Path source, int heldOutPermille, Corpus c) throws IOException {
        var om = new com.fasterxml.jackson.databind.ObjectMapper();
        int no = 0;
        for (String line : Files.readAllLines(source)) {
            no++;
            if (line.isBlank()) continue;
            com.fasterxml.jackson.databind.JsonNode n;
            try { n = om.readTree(line); } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CodellmException(source + ":" + no + ": malformed JSON: " + e.getOriginalMessage());
            }
            String text = n.has("text") ? n.get("text").asText() : n.has("content") ? n.get("content").asText() : null;
            if (text == null || text.isEmpty()) { c.skipped++; continue; }
            String name = source + ":" + no;
            (Math.floorMod(stableHash(name), 1000) < heldOutPermille ? c.heldOut : c.train).add(new Document(name, text));
        }
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1);
    }

    /** FNV-1a over the UTF-8 path: the split must not change between JVMs or runs. */
    static int stableHash(String s) {
        int h = 0x811c9dc5;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) { h ^= b & 0xFF; h *= 0x01000193; }
        return h;
    }

    public static long chars(List<Document> docs) {
        long n = 0;
        for (Document d : docs) n += d.text().length();
        return n;
    }
}
