package dev.codellm.data.decontam;

import dev.codellm.decontam.Decision;
import dev.codellm.decontam.DecontamReport;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Runs the decontamination decision on every line of a chunk; one per worker thread. */
final class ChunkProcessor {
    private final RecordDecontaminator.Worker worker;
    private final long maxLineBytes;

    ChunkProcessor(RecordDecontaminator decontaminator, long maxLineBytes) {
        this.worker = decontaminator.newWorker();
        this.maxLineBytes = maxLineBytes;
    }

    /** A skipped line's example, located by chunk-relative line index or by file name. */
    record SkipExample(String reason, int relLine, String name, String detail) {}

    /** What a chunk produced; the writer appends these in input order. */
    /**
     * What a chunk produced; the writer appends these in input order. Clean lines are not copied:
     * {@code cleanRanges} holds (start, end) pairs into {@code data}, each written with a newline.
     */
    record Result(byte[] data, int[] cleanRanges, int cleanCount, byte[] removed, DecontamReport report, int lines,
                  List<SkipExample> examples) {
        void writeClean(java.io.OutputStream out) throws java.io.IOException {
            for (int i = 0; i < cleanCount; i++) {
                out.write(data, cleanRanges[2 * i], cleanRanges[2 * i + 1] - cleanRanges[2 * i]);
                out.write('\n');
            }
        }
    }

    Result process(Chunk chunk) {
        int[] cleanRanges = new int[64];
        int cleanCount = 0;
        ByteArrayOutputStream removed = new ByteArrayOutputStream();
        DecontamReport report = new DecontamReport();
        List<SkipExample> examples = new ArrayList<>();
        Set<String> exampleReasons = new HashSet<>();
        for (Chunk.Skip s : chunk.skips()) {
            report.skipped.merge(s.reason(), 1L, Long::sum);
            if (exampleReasons.add(s.reason())) examples.add(new SkipExample(s.reason(), -1, s.where(), ""));
        }
        byte[] b = chunk.data();
        int lineNo = 0;
        int start = 0;
        int end = chunk.len();
        while (start < end) {
            int nl = indexOfNewline(b, start, end);
            int lineEnd = nl > start && b[nl - 1] == '\r' ? nl - 1 : nl;
            Decision d = lineEnd - start > maxLineBytes
                    ? Decision.skipped("line too long", "longer than " + maxLineBytes + " bytes")
                    : worker.decide(b, start, lineEnd - start);
            switch (d.kind()) {
                case CLEAN -> {
                    if (2 * cleanCount + 2 > cleanRanges.length) cleanRanges = java.util.Arrays.copyOf(cleanRanges, cleanRanges.length * 2);
                    cleanRanges[2 * cleanCount] = start;
                    cleanRanges[2 * cleanCount + 1] = lineEnd;
                    cleanCount++;
                    report.add(d, lineEnd - start + 1, "");
                }
                case REMOVED -> {
                    String line = new String(b, start, lineEnd - start, StandardCharsets.UTF_8);
                    removed.writeBytes(RecordDecontaminator.withMatches(line, d.matched()).getBytes(StandardCharsets.UTF_8));
                    removed.write('\n');
                    report.add(d, lineEnd - start + 1, "");
                }
                case BLANK -> report.add(d, lineEnd - start + 1, "");
                case SKIPPED -> {
                    report.bytes += lineEnd - start + 1;
                    report.skipped.merge(d.reason(), 1L, Long::sum);
                    if (exampleReasons.add(d.reason())) {
                        String name = chunk.names() == null ? null : chunk.names().get(lineNo);
                        examples.add(new SkipExample(d.reason(), lineNo, name, d.detail()));
                    }
                }
            }
            lineNo++;
            start = nl + 1;
        }
        return new Result(b, cleanRanges, cleanCount, removed.toByteArray(), report, lineNo, examples);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long NEWLINES = ONES * '\n';

    /**
     * The first '\n' in {@code b[from, end)}, or {@code end}. Eight bytes per step (a zero-byte test on
     * the word XOR newlines): the byte-by-byte loop cost ~6% of a whole decontamination run.
     */
    static int indexOfNewline(byte[] b, int from, int end) {
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            long found = (x - ONES) & ~x & (ONES << 7);
            if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
        }
        while (i < end && b[i] != '\n') i++;
        return i;
    }
}
