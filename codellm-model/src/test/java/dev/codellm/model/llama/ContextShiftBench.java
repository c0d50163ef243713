package dev.codellm.model.llama;

import dev.codellm.model.gguf.GgufFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not run by the suite (the name does not end in Test): the time of one context shift
 * of a full cache, the part of --context-shift that is not a forward pass.
 * {@code ./run-tests -pl codellm-model -am -Dtest=ContextShiftBench -Dbench.model=FILE.gguf
 * [-Dbench.ctx=16384] [-Dbench.kv=f16]}. The cache's contents do not change the cost, so it is
 * marked full without running a prompt.
 */
class ContextShiftBench {
    @Test
    void oneShiftOfAFullCache() throws Exception {
        Path model = Path.of(System.getProperty("bench.model"));
        int ctx = Integer.getInteger("bench.ctx", 16384);
        KvType kv = KvType.parse(System.getProperty("bench.kv", "f16"));
        try (GgufFile f = GgufFile.open(model); LlamaModel m = LlamaModel.load(f, 1)) {
            Session s = m.newSession(ctx, kv);
            for (int rep = 0; rep < 4; rep++) {
                s.advance(ctx - s.position());
                int discard = (ctx - 1) / 2;
                long t0 = System.nanoTime();
                m.shift(s, 1, discard);
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf(java.util.Locale.ROOT, "ContextShiftBench %s: %d layers, kv dim %d, ctx %d, %s: %d positions moved in %.0f ms%n",
                        model.getFileName(), m.config().layers(), m.config().kvDim(), ctx, kv, ctx - 1 - discard, ms);
            }
        }
    }
}
