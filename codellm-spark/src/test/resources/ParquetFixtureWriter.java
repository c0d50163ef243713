import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The independent Parquet writer for codellm's Parquet tests: Apache Spark (run on JDK 17 as a
 * single-file program: java -cp SPARK_CLASSPATH ParquetFixtureWriter.java IN.jsonl OUT_DIR MAX_PARTITION_BYTES
 * [CODEC...]; each extra codec (zstd, gzip, ...) also writes OUT_DIR/rows-CODEC.parquet).
 * Reads IN.jsonl with a fixed schema of many column types and writes the same rows twice:
 * OUT_DIR/rows.parquet (a Spark dataset directory, snappy, Spark's default INT96 timestamps; one
 * part file per input split, so a small MAX_PARTITION_BYTES gives several) and OUT_DIR/twin.jsonl
 * (Spark's own JSON rendering of the same rows, null fields kept), to compare with what codellm reads.
 * Arguments after a {@code --job} are then passed to codellm's DecontamJob (on the classpath) in
 * the same JVM, which saves the Spark test a second JVM start.
 */
public class ParquetFixtureWriter {
    static final String SCHEMA = "path STRING, text STRING, id INT, stars BIGINT, score DOUBLE, ok BOOLEAN, tags ARRAY<STRING>, "
            + "meta STRUCT<path: STRING, size: BIGINT>, attrs MAP<STRING, INT>, day DATE, at TIMESTAMP, price DECIMAL(10,2)";

    public static void main(String[] args) throws Exception {
        int job = java.util.Arrays.asList(args).indexOf("--job");
        String[] a = job < 0 ? args : java.util.Arrays.copyOf(args, job);
        Path out = Path.of(a[1]);
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("parquet-fixture")
                .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.files.maxPartitionBytes", a.length > 2 ? a[2] : "134217728")
                .config("spark.sql.files.openCostInBytes", "0").getOrCreate()) {
            Dataset<Row> df = spark.read().schema(SCHEMA).json(a[0])
                    .withColumn("blob", functions.expr("encode(substr(coalesce(text, ''), 1, 6), 'UTF-8')"));
            df.write().mode("overwrite").parquet(out.resolve("rows.parquet").toString());
            for (int i = 3; i < a.length; i++) {
                df.coalesce(1).write().mode("overwrite").option("compression", a[i]).parquet(out.resolve("rows-" + a[i] + ".parquet").toString());
            }
            Path twin = out.resolve("twin-dir");
            spark.read().parquet(out.resolve("rows.parquet").toString()).coalesce(1).write().mode("overwrite")
                    .option("ignoreNullFields", "false").option("timestampFormat", "yyyy-MM-dd'T'HH:mm:ssXXX")
                    .json(twin.toString());
            try (var parts = Files.list(twin)) {
                Path part = parts.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
                Files.move(part, out.resolve("twin.jsonl"));
            }
        }
        if (job >= 0) {
            String[] jobArgs = java.util.Arrays.copyOfRange(args, job + 1, args.length);
            Class.forName("dev.codellm.spark.DecontamJob").getMethod("main", String[].class).invoke(null, (Object) jobArgs);
        }
    }
}
