package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.LlamaGguf;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code codellm quantize}: rewrites a llama GGUF with its weights in another {@link QuantType},
 * as llama-quantize does (same per-tensor types, {@link QuantMix}; same blocks, {@code Quantize};
 * metadata copied, {@code general.file_type} and {@code general.quantization_version} set).
 * Streams tensor by tensor from the memory-mapped input, so memory stays small whatever the size.
 */
public final class GgufQuantizer {
    /** What a run did: file sizes, weights, how many tensors got each type, wall time. */
    public record Result(long bytesIn, long bytesOut, long elements, Map<GgmlType, Integer> types, List<String> notes, double seconds) {
        /** Bits per weight of the output (all tensors). */
        public double bitsPerWeight() { return elements == 0 ? 0 : bytesOut * 8.0 / elements; }
    }

    private GgufQuantizer() {}

    /** ggml's GGML_QNT_VERSION: the block layout version of the quantized types. */
    static final int QUANTIZATION_VERSION = 2;

    public static Result quantize(Path in, Path out, QuantType type, int threads, boolean allowRequantize, PrintStream log) {
        long t0 = System.nanoTime();
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize()))
            throw new CodellmException("output " + out + " is the input file: write to another name");
        try (GgufFile f = GgufFile.open(in)) {
            LlamaConfig cfg = LlamaConfig.fromGguf(f);
            List<GgufTensor> tensors = f.tensors();
            List<QuantMix.Choice> plan = QuantMix.plan(tensors.stream().map(GgufTensor::name).toList(),
                    tensors.stream().map(GgufTensor::shape).toList(), tensors.stream().map(GgufTensor::type).toList(),
                    type, cfg.layers(), cfg.heads(), cfg.kvHeads());
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensor t = tensors.get(i);
                if (t.type() != plan.get(i).type() && t.type().isQuantized() && !allowRequantize)
                    throw new CodellmException(in + ": tensor " + t.name() + " is already " + t.type()
                            + "; requantizing loses quality, quantize from the F16/BF16/F32 file (or pass --allow-requantize)");
            }
            GgufWriter w = new GgufWriter().putAll(f)
                    .putUInt32(LlamaGguf.FILE_TYPE, type.fileType());
            if (type.quantized()) w.putUInt32(LlamaGguf.QUANTIZATION_VERSION, QUANTIZATION_VERSION);
            return write(w, tensors.stream().map(GgufQuantizer::source).toList(), plan, out, threads, "quantize", log, in, t0);
        }
    }

    /** Streams {@code sources} as {@code plan} says into {@code w} and writes {@code out}; shared with the converter. */
    static Result write(GgufWriter w, List<TensorSource> sources, List<QuantMix.Choice> plan, Path out, int threads, String label,
                        PrintStream log, Path in, long t0) {
        int n = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread th = new Thread(r, label);
            th.setDaemon(true);
            return th;
        });
        try {
            TensorEncoding enc = new TensorEncoding(pool, n);
            Progress progress = new Progress(label, sources.size(), log, 2000);
            Map<GgmlType, Integer> types = new TreeMap<>();
            List<String> notes = new ArrayList<>();
            long elements = 0, bytesIn = 0;
            for (int i = 0; i < sources.size(); i++) {
                TensorSource s = sources.get(i);
                QuantMix.Choice c = plan.get(i);
                if (c.note() != null) notes.add(s.name() + ": " + c.note());
                types.merge(c.type(), 1, Integer::sum);
                elements += s.elementCount();
                bytesIn += s.rowCount() * s.type().rowBytes(s.rowLength());
                GgufWriter.TensorEncoder e = enc.encoder(s, c.type(), done -> { });
                w.addTensor(s.name(), c.type(), s.shape(), sink -> {
                    e.encode(sink);
                    s.release();
                    progress.step(1);
                });
            }
            for (String note : notes) log.println(label + ": " + note);
            w.write(out);
            long bytesOut;
            try {
                bytesOut = Files.size(out);
            } catch (java.io.IOException e) {
                bytesOut = -1;
            }
            if (in != null) {
                try {
                    bytesIn = Files.isDirectory(in) ? bytesIn : Files.size(in);
                } catch (java.io.IOException ignored) {
                    // keep the tensor bytes
                }
            }
            return new Result(bytesIn, bytesOut, elements, types, notes, (System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A GGUF tensor as a source: rows decoded from the mapped file, raw bytes when copied unchanged. */
    static TensorSource source(GgufTensor t) {
        return new TensorSource() {
            @Override public String name() { return t.name(); }
            @Override public long[] shape() { return t.shape(); }
            @Override public GgmlType type() { return t.type(); }
            @Override public MemorySegment raw() { return t.data(); }

            @Override
            public void readRows(long first, int count, float[] dst) {
                Dequant.decode(t.type(), t.data(), first * t.rowBytes(), dst, 0, (int) (count * t.rowLength()));
            }
        };
    }
}
