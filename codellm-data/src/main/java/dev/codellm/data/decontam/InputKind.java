package dev.codellm.data.decontam;

import dev.codellm.core.CodellmException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How an input path is read: by what it is (directory) or by its file name. */
public enum InputKind {
    JSONL, JSONL_GZ, SOURCE_TREE, PARQUET;

    /** A directory named {@code *.parquet} (how Spark writes a dataset) is Parquet; any other is a source tree. */
    public static InputKind of(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase();
        if (Files.isDirectory(p)) return n.endsWith(".parquet") ? PARQUET : SOURCE_TREE;
        if (!Files.isRegularFile(p)) throw new CodellmException("input not found: " + p);
        if (n.endsWith(".parquet")) return PARQUET;
        if (n.endsWith(".gz")) return JSONL_GZ;
        return JSONL;
    }
}
