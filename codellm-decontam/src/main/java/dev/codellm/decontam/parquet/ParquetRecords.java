package dev.codellm.decontam.parquet;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * The rows of one Parquet file as jsonl records (one JSON object per row, every column in schema
 * order, see {@link RowJson}), read row group by row group. The in-process run (local files) and
 * the Spark job (one task per row group, any Hadoop file system) both read Parquet through this
 * class, which is why their records, and so their results, are identical.
 *
 * <p>Any failure (not a Parquet file, truncated, corrupt page, unsupported codec) is an
 * {@link IOException} whose message starts with the file's name.
 */
public final class ParquetRecords implements Closeable {
    private final String name;
    private final ParquetFileReader reader;
    private final MessageType schema;
    private final MessageColumnIO columnIO;
    private final RowJson json;
    private RecordReader<Group> rows;
    private long rowsLeftInGroup;
    private int groupsToRead;

    private ParquetRecords(String name, ParquetFileReader reader) {
        this.name = name;
        this.reader = reader;
        this.schema = reader.getFooter().getFileMetaData().getSchema();
        this.columnIO = new ColumnIOFactory().getColumnIO(schema);
        this.json = new RowJson(schema);
        this.groupsToRead = reader.getRowGroups().size();
    }

    /** Opens a Parquet file; {@code name} is how errors refer to it (its path). */
    public static ParquetRecords open(InputFile file, String name) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new ParquetCodecs())
                .build();
        try {
            return new ParquetRecords(name, ParquetFileReader.open(file, options));
        } catch (IOException | RuntimeException e) {
            throw failure(name, e);
        }
    }

    /** The number of row groups (the unit the Spark job splits a file into). */
    public int rowGroupCount() {
        return reader.getRowGroups().size();
    }

    /** Rows in the file, from the footer. */
    public long rowCount() {
        return reader.getRowGroups().stream().mapToLong(BlockMetaData::getRowCount).sum();
    }

    /** Restricts reading to row groups [first, first + count). Call before the first {@link #next}. */
    public ParquetRecords onlyRowGroups(int first, int count) throws IOException {
        for (int i = 0; i < first; i++) {
            if (!reader.skipNextRowGroup()) throw new IOException(name + ": has no row group " + first);
        }
        groupsToRead = Math.min(count, rowGroupCount() - first);
        return this;
    }

    /** The next row as one JSON object (no newline in it), or null after the last row. */
    public String next() throws IOException {
        try {
            while (rowsLeftInGroup == 0) {
                if (groupsToRead == 0) return null;
                PageReadStore pages = reader.readNextRowGroup();
                if (pages == null) throw new IOException("fewer row groups than the footer lists");
                groupsToRead--;
                rowsLeftInGroup = pages.getRowCount();
                rows = columnIO.getRecordReader(pages, new GroupRecordConverter(schema));
            }
            rowsLeftInGroup--;
            return json.render(rows.read());
        } catch (IOException | RuntimeException e) {
            throw failure(name, e);
        }
    }

    /** Column names in schema order (what every record holds, in this order). */
    public List<String> columns() {
        return schema.getFields().stream().map(f -> f.getName()).toList();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** One message naming the file; parquet-java's own messages say what is wrong with it. */
    private static IOException failure(String name, Exception e) {
        if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(name)) return io;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof ParquetDecodingException || root instanceof UncheckedIOException)) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new IOException(name + ": not a readable Parquet file (" + why.lines().findFirst().orElse(why) + ")", e);
    }
}
