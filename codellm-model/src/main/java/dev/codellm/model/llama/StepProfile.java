package dev.codellm.model.llama;

import java.util.EnumMap;
import java.util.Map;

/**
 * Wall time of a forward pass split by phase (System.nanoTime between the steps of
 * {@code LlamaModel.step}), summed over the passes run while it is attached: where one generated
 * token's time goes, and where a prompt's ({@code bench --profile}). The matmul phases include
 * their dispatch and the wait for the slowest thread; {@link Phase#CONVERT} is the activations'
 * conversion for the kernels that precedes each matmul loop.
 */
public final class StepProfile {
    /** The steps of one forward pass, in order. */
    public enum Phase {
        EMBED("token embedding rows"),
        ROPE_TABLES("RoPE cos/sin tables of the rows' positions"),
        ATTN_NORM("RMSNorm before attention"),
        CONVERT("matmul inputs converted (8-bit blocks, bf16)"),
        QKV("Q/K/V matmul (one loop)"),
        ROPE_KV("RoPE + KV-cache store"),
        ATTENTION("attention over the cache"),
        WO("output projection matmul"),
        RESIDUAL("residual adds"),
        FFN_NORM("RMSNorm before the FFN"),
        GATE_UP("gate/up matmul + SwiGLU (one loop)"),
        DOWN("down matmul"),
        OUTPUT_NORM("final RMSNorm"),
        LOGITS("classifier matmul (vocab rows)"),
        OTHER("buffers, logits copy, rest");

        public final String what;

        Phase(String what) { this.what = what; }
    }

    private final long[] nanos = new long[Phase.values().length];
    private long passes;
    private long total;

    void add(Phase p, long ns) { nanos[p.ordinal()] += ns; }

    void pass(long ns) {
        passes++;
        total += ns;
    }

    /** Forward passes measured. */
    public long passes() { return passes; }

    /** Milliseconds per pass of each phase; OTHER is the pass's wall time not in any named phase. */
    public Map<Phase, Double> msPerPass() {
        Map<Phase, Double> m = new EnumMap<>(Phase.class);
        long named = 0;
        for (Phase p : Phase.values()) if (p != Phase.OTHER) named += nanos[p.ordinal()];
        for (Phase p : Phase.values()) {
            long ns = p == Phase.OTHER ? total - named : nanos[p.ordinal()];
            m.put(p, passes == 0 ? 0 : ns / 1e6 / passes);
        }
        return m;
    }

    /** Milliseconds per pass in all. */
    public double totalMsPerPass() { return passes == 0 ? 0 : total / 1e6 / passes; }

    /** Milliseconds of all passes together (a prompt of several chunks is several passes). */
    public double totalMs() { return total / 1e6; }
}
