package dev.codellm.data.decontam;

import dev.codellm.core.CodellmException;
import dev.codellm.decontam.parquet.ParquetRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.io.LocalInputFile;

/**
 * A local Parquet input: a {@code .parquet} file, or a directory of them (a Spark or Hive style
 * dataset: its {@code *.parquet} files in name order; names starting with {@code _} or {@code .} are
 * not data, as in Hadoop).
 * Rows come out as jsonl records ({@link ParquetRecords}); an unreadable file is a
 * {@link CodellmException} naming it.
 */
public final class ParquetInput {
    private ParquetInput() {}

    /** The Parquet files of an input path, in the order their rows are read. */
    public static List<Path> files(Path input) throws IOException {
        if (!Files.isDirectory(input)) return List.of(input);
        try (Stream<Path> s = Files.list(input)) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().endsWith(".parquet")
                    && !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().startsWith("_")
                    && Files.isRegularFile(p)).sorted().toList();
            if (parts.isEmpty()) throw new CodellmException("no .parquet files in " + input);
            return parts;
        }
    }

    public static ParquetRecords open(Path file) {
        try {
            // Named by its path: parquet-java's messages print the InputFile ("LocalInputFile@1b2c3d" otherwise).
            LocalInputFile in = new LocalInputFile(file) {
                @Override
                public String toString() {
                    return file.toString();
                }
            };
            return ParquetRecords.open(in, file.toString());
        } catch (IOException e) {
            throw new CodellmException(e.getMessage(), e);
        }
    }

    /** What to do with each row of an input (a JSON object on one line). */
    public interface RowConsumer {
        void accept(String row) throws IOException;
    }

    /** Every row of every file of the input, in order. */
    public static void forEachRow(Path input, RowConsumer consumer) throws IOException {
        for (Path f : files(input)) {
            try (ParquetRecords rows = open(f)) {
                String row;
                while ((row = next(rows)) != null) consumer.accept(row);
            }
        }
    }

    /** The next row, with a read failure as a one-line user error naming the file. */
    static String next(ParquetRecords rows) {
        try {
            return rows.next();
        } catch (IOException e) {
            throw new CodellmException(e.getMessage(), e);
        }
    }
}
