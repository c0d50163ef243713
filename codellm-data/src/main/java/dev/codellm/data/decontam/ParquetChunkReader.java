package dev.codellm.data.decontam;

import dev.codellm.decontam.parquet.ParquetRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Parquet input for the in-process run ({@link ParquetInput}). Each row becomes one jsonl
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
        this.files = ParquetInput.files(input).iterator();
        this.chunkBytes = chunkBytes;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Chunk next() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunkBytes + (1 << 16));
        List<Chunk.Skip> skips = new ArrayList<>();
        while (out.size() < chunkBytes) {
            if (current == null) {
                if (!files.hasNext()) break;
                Path f = files.next();
                current = ParquetInput.open(f);
            }
            String row = ParquetInput.next(current);
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

    @Override
    public void close() throws IOException {
        if (current != null) current.close();
    }
}
