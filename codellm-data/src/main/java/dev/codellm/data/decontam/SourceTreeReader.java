package dev.codellm.data.decontam;

import dev.codellm.decontam.SourceRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of source files as jsonl records {@code {"path", "text"}}, in sorted path order
 * (so runs are reproducible and the Spark job can produce the same order). Binary files and
 * files over the size limit are skipped with a reason; hidden directories ({@code .git}) are not walked.
 */
final class SourceTreeReader implements ChunkSource {
    private final Path root;
    private final Iterator<Path> files;
    private final Stream<Path> walk;
    private final int chunkBytes;
    private final long maxFileBytes;

    SourceTreeReader(Path root, int chunkBytes, long maxFileBytes) throws IOException {
        this.root = root;
        this.chunkBytes = chunkBytes;
        this.maxFileBytes = maxFileBytes;
        this.walk = Files.walk(root);
        this.files = walk.filter(p -> !hiddenUnder(root, p) && Files.isRegularFile(p))
                .sorted(Comparator.comparing((Path p) -> relUnix(root, p))).iterator();
    }

    /** Relative path with '/' separators: the record's {@code path} field and the sort key. */
    static String relUnix(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static boolean hiddenUnder(Path root, Path p) {
        for (Path part : root.relativize(p)) if (part.toString().startsWith(".")) return true;
        return false;
    }

    @Override
    public Chunk next() throws IOException {
        if (!files.hasNext()) return null;
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunkBytes + 1024);
        List<Chunk.Skip> skips = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (files.hasNext() && out.size() < chunkBytes) {
            Path f = files.next();
            String rel = relUnix(root, f);
            try {
                long size = Files.size(f);
                if (size > maxFileBytes) {
                    skips.add(new Chunk.Skip("file too large", rel + " (" + size + " bytes)"));
                    continue;
                }
                byte[] content = Files.readAllBytes(f);
                String text = SourceRecords.text(content);
                if (text == null) {
                    skips.add(new Chunk.Skip(SourceRecords.binaryReason(content), rel));
                    continue;
                }
                out.write(SourceRecords.line(rel, text).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                names.add(rel);
            } catch (IOException | UncheckedIOException e) {
                skips.add(new Chunk.Skip("unreadable file", rel + ": " + e.getMessage()));
            }
        }
        byte[] data = out.toByteArray();
        return new Chunk(data, data.length, skips, names);
    }

    @Override
    public void close() {
        walk.close();
    }
}
