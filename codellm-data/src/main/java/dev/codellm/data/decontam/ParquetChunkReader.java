package dev.codellm.data.decontam;

import dev.codellm.core.CodellmException;
import java.nio.file.Path;

/** Parquet input for the in-process run. */
final class ParquetChunkReader {
    private ParquetChunkReader() {}

    static ChunkSource open(Path input, int chunkBytes) {
        throw new CodellmException("Parquet input is not supported by the in-process run yet: " + input
                + " (use the Spark job, or convert to jsonl)");
    }
}
