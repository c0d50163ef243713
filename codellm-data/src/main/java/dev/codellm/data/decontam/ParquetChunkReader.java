package dev.codellm.data.decontam;

import dev.codellm.core.CodellmException;
import dev.codellm.decontam.parquet.ParquetRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.io.LocalInputFile;

/**
 * Parquet input for the in-process run: a {@code .parquet} file, or a directory of them (a Spark
 * or Hive style dataset: its {@code *.parquet} files in name order). Each row becomes one jsonl
 * record with every column in schema order ({@link ParquetRecords}), so the rest of the pipeline
 * (and its output) is the same as for jsonl input. A file that is not readable Parquet stops the
 * run with its name: a half-read dataset is not a clean result.
 */
final class ParquetChunkReader implements ChunkSource {
    private final Iterator<Path> files;
    private final int chunkBytes;
    private final long maxLineBytes;
    private ParquetRecords current;

    ParquetChunkReader(Path input, int chunkBytes, long maxLineBytes) throws IOException {
        this.files = files(input).iterator();
        this.chunkBytes = chunkBytes;
        this.maxLineBytes = maxLineBytes;
    }

    /** The Parquet files of an input path, in the order their rows are read. */
    static List<Path> files(Path input) throws IOException {
        if (!Files.isDirectory(input)) return List.of(input);
        try (Stream<Path> s = Files.list(input)) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(p))
                    .sorted().toList();
            if (parts.isEmpty()) throw new CodellmException("no .parquet files in " + input);
            return parts;
        }
    }

    @Override
    public Chunk next() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunkBytes + (1 << 16));
        List<Chunk.Skip> skips = new ArrayList<>();
        while (out.size() < chunkBytes) {
            if (current == null) {
                if (!files.hasNext()) break;
                Path f = files.next();
                current = open(f);
            }
            String row = current.next();
            if (row == null) {
                current.close();
                current = null;
                continue;
            }
            byte[] line = row.getBytes(StandardCharsets.UTF_8);
            // The same limit and reason as a jsonl line, so a record is never silently lost.
            if (line.length > maxLineBytes) skips.add(new Chunk.Skip("line too long", "a row longer than " + maxLineBytes + " bytes as JSON"));
            else {
                out.write(line);
                out.write('\n');
            }
        }
        if (out.size() == 0 && skips.isEmpty()) return null;
        byte[] data = out.toByteArray();
        return new Chunk(data, data.length, skips, null);
    }

    private static ParquetRecords open(Path f) {
        try {
            return ParquetRecords.open(new LocalInputFile(f), f.toString());
        } catch (IOException e) {
            throw new CodellmException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) current.close();
    }
}
