package dev.codellm.spark;

import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.decontam.BenchmarkItems;
import dev.codellm.decontam.Decision;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.DecontamReport;
import dev.codellm.decontam.RecordDecontaminator;
import dev.codellm.decontam.SourceRecords;
import dev.codellm.decontam.parquet.ParquetRecords;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * {@code codellm decontam} as a Spark job, for corpora that outgrow one machine:
 * <pre>
 * spark-submit --class dev.codellm.spark.DecontamJob codellm-spark-job.jar \
 *   --input hdfs:///corpus/*.jsonl.gz --out hdfs:///decontam --shared /path/to/shared \
 *   [--method openai50|ngram|exact] [--benchmarks humaneval,mbpp+,...] [--seed 42] ...
 * </pre>
 * The driver loads the benchmarks (they are small) and broadcasts the built matcher; executors
 * run the very same {@link RecordDecontaminator} as the in-process run, so the decisions are
 * identical. Output: {@code OUT/clean/part-*}, {@code OUT/removed/part-*} (concatenated in part
 * order they are the in-process files, in input order) and {@code OUT/report.json}.
 */
public final class DecontamJob {
    private DecontamJob() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parse(args);
        String input = require(o, "input");
        String out = require(o, "out");
        String method = o.getOrDefault("method", "openai50");
        DecontamConfig cfg = new DecontamConfig(method,
                Arrays.asList(o.getOrDefault("benchmarks", String.join(",", BenchmarkItems.DEFAULT_NAMES)).split(",")),
                Long.parseLong(o.getOrDefault("seed", "42")),
                Integer.parseInt(o.getOrDefault("min-chars", Integer.toString(DecontamConfig.defaultMinChars(method)))),
                Integer.parseInt(o.getOrDefault("ngram", "13")),
                Double.parseDouble(o.getOrDefault("threshold", "0.5")),
                o.containsKey("fields") ? new HashSet<>(Arrays.asList(o.get("fields").split(","))) : null);
        String shared = o.getOrDefault("shared", System.getenv("CODELLM_SHARED"));
        // --shared: its datasets/ must hold the files; otherwise the usual lookup (shared data, cache, verified download).
        RecordDecontaminator dec = cfg.build(shared == null ? BenchmarkFiles.standard()
                : BenchmarkFiles.of(Path.of(shared).resolve("datasets"), null));

        SparkSession.Builder b = SparkSession.builder().appName("codellm-decontam");
        if (o.containsKey("master")) b = b.master(o.get("master"));
        try (SparkSession spark = b.getOrCreate()) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String kind = o.containsKey("source-tree") ? "source_tree"
                    : o.containsKey("parquet") || input.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet") ? "parquet" : "jsonl";
            run(spark, sc, dec, input, out, kind);
        }
    }

    static void run(SparkSession spark, JavaSparkContext sc, RecordDecontaminator dec, String input, String out, String kind)
            throws Exception {
        long started = System.nanoTime();
        Broadcast<RecordDecontaminator> bdec = sc.broadcast(dec);
        JavaRDD<Tuple2<String, String>> lines = switch (kind) {
            case "source_tree" -> sourceTreeRows(sc, input);
            case "parquet" -> numbered(parquetRows(sc, input));
            default -> numbered(sc.textFile(input));
        };
        JavaRDD<Row> rows = lines
                .mapPartitions(it -> decideAll(bdec.value(), it))
                .persist(StorageLevel.MEMORY_AND_DISK());

        rows.filter(r -> r.decision != null && r.decision.kind() == Decision.Kind.CLEAN).map(r -> r.line).saveAsTextFile(out + "/clean");
        rows.filter(r -> r.decision != null && r.decision.kind() == Decision.Kind.REMOVED)
                .map(r -> RecordDecontaminator.withMatches(r.line, r.decision.matched()))
                .saveAsTextFile(out + "/removed");
        DecontamReport report = rows.treeAggregate(new DecontamReport(),
                (rep, r) -> {
                    if (r.skip != null) rep.skip(r.skip, r.where);
                    else rep.add(r.decision, r.bytes, r.where);
                    return rep;
                },
                DecontamReport::merge);
        rows.unpersist();

        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("input", input);
        extra.put("input_kind", kind);
        extra.put("engine", "spark " + sc.version() + " (" + sc.master() + ")");
        extra.put("seconds", Math.round(seconds * 1000) / 1000.0);
        org.apache.hadoop.fs.Path reportPath = new org.apache.hadoop.fs.Path(out + "/report.json");
        FileSystem fs = reportPath.getFileSystem(sc.hadoopConfiguration());
        try (OutputStream os = fs.create(reportPath, true)) {
            os.write(report.toJson(dec.method(), extra).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One input line (or skipped file) and what was decided for it. */
    static final class Row implements java.io.Serializable {
        String line;
        String where;
        long bytes;
        Decision decision;
        String skip;  // set when the record never became a line (binary file...)
    }

    /** Lines numbered for skip examples (textFile: Hadoop splits on \n, \r\n or \r and decompresses .gz). */
    private static JavaRDD<Tuple2<String, String>> numbered(JavaRDD<String> lines) {
        return lines.zipWithIndex().map(t -> new Tuple2<>(t._1, "line " + (t._2 + 1)));
    }

    /**
     * A directory of source files as {"path","text"} records in sorted path order, like the
     * in-process reader. Files are listed with the FileSystem API, not an input format: Hadoop's
     * input formats silently skip names starting with '_' (every {@code __init__.py}).
     */
    private static JavaRDD<Tuple2<String, String>> sourceTreeRows(JavaSparkContext sc, String input) throws IOException {
        org.apache.hadoop.fs.Path rootPath = new org.apache.hadoop.fs.Path(input);
        FileSystem fs = rootPath.getFileSystem(sc.hadoopConfiguration());
        String root = fs.makeQualified(rootPath).toString().replaceAll("/+$", "");
        List<String> rels = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(rootPath, true);
        while (it.hasNext()) {
            String rel = relative(it.next().getPath().toString(), root + "/");
            if (!rel.startsWith(".") && !rel.contains("/.")) rels.add(rel);
        }
        rels.sort(null);
        return sc.parallelize(rels, Math.max(1, Math.min(rels.size(), sc.defaultParallelism()))).map(rel -> {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root + "/" + rel);
            byte[] content;
            try (InputStream in = p.getFileSystem(new Configuration()).open(p)) {
                content = in.readAllBytes();
            }
            String text = SourceRecords.text(content);
            if (text == null) return new Tuple2<>(null, "\u0000" + SourceRecords.binaryReason(content) + "\u0000" + rel);
            return new Tuple2<>(SourceRecords.line(rel, text), rel);
        });
    }

    /**
     * Parquet rows as jsonl records, rendered by the same {@link ParquetRecords} the in-process run
     * uses (not Spark's toJSON, whose rendering differs: it drops null columns, formats dates its own
     * way), so both runs see byte-identical records. Input: a .parquet file or a directory of them
     * (part files in name order). One task per row group, in file and row-group order.
     */
    private static JavaRDD<String> parquetRows(JavaSparkContext sc, String input) throws IOException {
        org.apache.hadoop.fs.Path in = new org.apache.hadoop.fs.Path(input);
        Configuration conf = sc.hadoopConfiguration();
        FileSystem fs = in.getFileSystem(conf);
        List<String> files = new ArrayList<>();
        if (fs.getFileStatus(in).isDirectory()) {
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(in)) {
                String n = st.getPath().getName();
                if (st.isFile() && n.endsWith(".parquet") && !n.startsWith(".") && !n.startsWith("_")) files.add(st.getPath().toString());
            }
            files.sort(java.util.Comparator.comparing(f -> new org.apache.hadoop.fs.Path(f).getName()));
            if (files.isEmpty()) throw new IllegalArgumentException("no .parquet files in " + input);
        } else {
            files.add(fs.makeQualified(in).toString());
        }
        List<Tuple2<String, Integer>> splits = new ArrayList<>();
        for (String f : files) {
            try (ParquetRecords r = ParquetRecords.open(HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f), conf), f)) {
                for (int g = 0; g < r.rowGroupCount(); g++) splits.add(new Tuple2<>(f, g));
            }
        }
        return sc.parallelize(splits, Math.max(1, splits.size())).flatMap(split -> {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(split._1);
            List<String> rows = new ArrayList<>();
            try (ParquetRecords r = ParquetRecords.open(HadoopInputFile.fromPath(p, new Configuration()), split._1)) {
                r.onlyRowGroups(split._2, 1);
                for (String row = r.next(); row != null; row = r.next()) rows.add(row);
            }
            return rows.iterator();
        });
    }

    private static String relative(String path, String root) {
        return path.startsWith(root) ? path.substring(root.length()) : path;
    }

    private static Iterator<Row> decideAll(RecordDecontaminator dec, Iterator<Tuple2<String, String>> lines) {
        RecordDecontaminator.Worker w = dec.newWorker();
        List<Row> out = new ArrayList<>();
        while (lines.hasNext()) {
            Tuple2<String, String> t = lines.next();
            Row r = new Row();
            if (t._1 == null) {
                String[] parts = t._2.split("\u0000");
                r.skip = parts[1];
                r.where = parts[2];
            } else {
                byte[] bytes = t._1.getBytes(StandardCharsets.UTF_8);
                r.line = t._1;
                r.where = t._2;
                r.bytes = bytes.length + 1;
                r.decision = w.decide(bytes, 0, bytes.length);
            }
            out.add(r);
        }
        return out.iterator();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + args[i]);
            String k = args[i].substring(2);
            if (k.equals("source-tree") || k.equals("parquet")) o.put(k, "true");
            else if (i + 1 < args.length) o.put(k, args[++i]);
            else throw new IllegalArgumentException("--" + k + " needs a value");
        }
        return o;
    }

    private static String require(Map<String, String> o, String k) {
        String v = o.get(k);
        if (v == null) throw new IllegalArgumentException("missing --" + k);
        return v;
    }
}
