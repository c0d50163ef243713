package dev.codellm.data.decontam;

import java.io.Closeable;
import java.io.IOException;

/** Where chunks come from (a jsonl stream, a source tree, a Parquet file). Called from one thread. */
interface ChunkSource extends Closeable {
    /** The next chunk, or null at the end. */
    Chunk next() throws IOException;
}
