package dev.codellm.data.decontam;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.decontam.DecontamReport;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;

/**
 * The in-process decontamination run: one reader thread cuts the input into chunks, {@code threads}
 * workers decide every line, and the calling thread writes results in input order to
 * {@code clean.jsonl}, {@code removed.jsonl} and {@code report.json}. Memory stays bounded (at
 * most 2 chunks per worker in flight). Files are written under temporary names and renamed at
 * the end, so an interrupted run never leaves output that looks complete; rerunning redoes it.
 */
public final class DecontamPipeline {
    public static final int CHUNK_BYTES = 4 << 20;

    private final RecordDecontaminator decontaminator;
    private final int threads;
    private final long maxLineBytes;
    private final PrintStream progressOut;
    private final SourceOpener opener;

    /** Opens the chunk source of an input (the file kinds by default; tests give failing ones). */
    interface SourceOpener {
        ChunkSource open(InputKind kind, Path input) throws IOException;
    }

    public DecontamPipeline(RecordDecontaminator decontaminator, int threads, long maxLineBytes, PrintStream progressOut) {
        this(decontaminator, threads, maxLineBytes, progressOut, null);
    }

    DecontamPipeline(RecordDecontaminator decontaminator, int threads, long maxLineBytes, PrintStream progressOut, SourceOpener opener) {
        this.decontaminator = decontaminator;
        this.threads = Math.max(1, threads);
        this.maxLineBytes = maxLineBytes;
        this.progressOut = progressOut;
        this.opener = opener != null ? opener : this::open;
    }

    /** The figures of a finished run. */
    public record Summary(DecontamReport report, double seconds, double cpuSeconds, int threads, Path reportFile) {
        public double megabytesPerSecond() { return report.bytes / 1e6 / seconds; }
    }

    public Summary run(Path input, Path outDir) throws IOException {
        InputKind kind = InputKind.of(input);
        Files.createDirectories(outDir);
        Path clean = outDir.resolve("clean.jsonl");
        Path removed = outDir.resolve("removed.jsonl");
        Path reportFile = outDir.resolve("report.json");
        Path cleanTmp = outDir.resolve("clean.jsonl.partial");
        Path removedTmp = outDir.resolve("removed.jsonl.partial");
        long started = System.nanoTime();
        long cpuStarted = processCpuNanos();
        DecontamReport report = new DecontamReport();
        long total = kind == InputKind.JSONL ? Files.size(input) : 0;
        Progress progress = progressOut == null ? null : new Progress("decontam MB", total / 1_000_000, progressOut, 2000);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "decontam-worker");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<ChunkProcessor> processors = ThreadLocal.withInitial(() -> new ChunkProcessor(decontaminator, maxLineBytes));
        BlockingQueue<Future<ChunkProcessor.Result>> inFlight = new ArrayBlockingQueue<>(threads * 2);
        Future<ChunkProcessor.Result> endMarker = java.util.concurrent.CompletableFuture.completedFuture(null);
        Thread reader = new Thread(() -> {
            try (ChunkSource src = opener.open(kind, input)) {
                Chunk c;
                while ((c = src.next()) != null) {
                    Chunk chunk = c;
                    inFlight.put(pool.submit(() -> processors.get().process(chunk)));
                }
                inFlight.put(endMarker);
            } catch (InterruptedException e) {
                // the writer gave up (it failed or was interrupted) and stopped us: nobody is waiting
            } catch (Throwable e) {
                // Any Throwable, Errors too (a Parquet class missing at run time, a stack overflow
                // in a reader): the writer waits on this queue, and would wait forever otherwise.
                inFlight.clear();
                inFlight.offer(java.util.concurrent.CompletableFuture.failedFuture(e));
            }
        }, "decontam-reader");
        reader.setDaemon(true);
        reader.start();
        long lineBase = 0, bytesRead = 0;
        try (OutputStream cleanOut = new BufferedOutputStream(Files.newOutputStream(cleanTmp), 1 << 20);
             OutputStream removedOut = new BufferedOutputStream(Files.newOutputStream(removedTmp), 1 << 20)) {
            while (true) {
                Future<ChunkProcessor.Result> f = inFlight.take();
                if (f == endMarker) break;
                ChunkProcessor.Result r = f.get();
                r.writeClean(cleanOut);
                removedOut.write(r.removed());
                report.merge(r.report());
                for (ChunkProcessor.SkipExample ex : r.examples()) {
                    String where = ex.name() != null ? ex.name() : ex.relLine() >= 0 ? "line " + (lineBase + ex.relLine() + 1) : "";
                    report.skippedExample.putIfAbsent(ex.reason(), ex.detail().isEmpty() ? where : where + ": " + ex.detail());
                }
                lineBase += r.lines();
                long mbBefore = bytesRead / 1_000_000;
                bytesRead += r.report().bytes; // whole MB stepped as they are reached: chunks are smaller than one
                if (progress != null) progress.step(bytesRead / 1_000_000 - mbBefore);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("decontam interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CodellmException ce) throw ce;
            if (cause instanceof Error err) throw err;  // as it is: an OutOfMemoryError must read as one
            if (cause instanceof IOException io) throw new CodellmException("cannot read " + input + ": " + io.getMessage(), io);
            throw new CodellmException("decontam failed on " + input + ": " + cause, cause);
        } finally {
            if (progress != null) progress.close();
            stop(reader, pool);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStarted) / 1e9;
        Files.move(cleanTmp, clean, StandardCopyOption.REPLACE_EXISTING);
        Files.move(removedTmp, removed, StandardCopyOption.REPLACE_EXISTING);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("input", input.toString());
        extra.put("input_kind", kind.name().toLowerCase());
        extra.put("threads", threads);
        extra.put("seconds", Math.round(seconds * 1000) / 1000.0);
        extra.put("mb_per_s", Math.round(report.bytes / 1e6 / seconds * 10) / 10.0);
        extra.put("mb_per_s_per_thread", Math.round(report.bytes / 1e6 / seconds / threads * 10) / 10.0);
        // Per core, measured in CPU time: the machine may be shared, so wall time understates speed.
        extra.put("cpu_seconds", Math.round(cpuSeconds * 1000) / 1000.0);
        extra.put("mb_per_cpu_second", Math.round(report.bytes / 1e6 / cpuSeconds * 10) / 10.0);
        Files.writeString(reportFile, report.toJson(decontaminator.method(), extra), StandardCharsets.UTF_8);
        return new Summary(report, seconds, cpuSeconds, threads, reportFile);
    }

    /**
     * Ends the reader (it may be blocked handing over a chunk after the writer failed) and the
     * workers, and waits for them: nothing of the run is left running when it returns or throws.
     */
    private static void stop(Thread reader, ExecutorService pool) {
        reader.interrupt();
        pool.shutdownNow();
        boolean interrupted = Thread.interrupted();
        try {
            reader.join(30_000);
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** CPU time of the whole process (all threads, GC and JIT included: an honest per-core figure). */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private ChunkSource open(InputKind kind, Path input) throws IOException {
        return switch (kind) {
            case JSONL -> new JsonlChunkReader(Files.newInputStream(input), CHUNK_BYTES, maxLineBytes);
            case JSONL_GZ -> {
                InputStream raw = Files.newInputStream(input);
                yield new JsonlChunkReader(new GZIPInputStream(raw, 1 << 16), CHUNK_BYTES, maxLineBytes);
            }
            case SOURCE_TREE -> new SourceTreeReader(input, CHUNK_BYTES, maxLineBytes);
            case PARQUET -> new ParquetChunkReader(input, CHUNK_BYTES, maxLineBytes);
        };
    }
}
