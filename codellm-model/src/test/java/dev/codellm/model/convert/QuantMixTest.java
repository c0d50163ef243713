package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.model.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** QuantMix's rules where they are easy to get wrong: the name-order layer count, tied output, fallbacks. */
class QuantMixTest {
    record Model(List<String> names, List<long[]> shapes, List<GgmlType> types) {}

    static Model model(int layers, int dim, boolean tied) {
        Model m = new Model(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        add(m, "token_embd.weight", dim, 1000);
        for (int l = 0; l < layers; l++) {
            for (String t : List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up")) add(m, "blk." + l + "." + t + ".weight", dim, dim);
            add(m, "blk." + l + ".ffn_down.weight", dim, dim);
            add(m, "blk." + l + ".attn_norm.weight", dim);
            add(m, "blk." + l + ".ffn_norm.weight", dim);
        }
        add(m, "output_norm.weight", dim);
        if (!tied) add(m, "output.weight", dim, 1000);
        return m;
    }

    static void add(Model m, String name, long... shape) {
        m.names().add(name);
        m.shapes().add(shape);
        m.types().add(shape.length == 1 ? GgmlType.F32 : GgmlType.F16);
    }

    static Set<Integer> layersWith(Model m, List<QuantMix.Choice> plan, String tensor, GgmlType type) {
        Set<Integer> s = new TreeSet<>();
        for (int i = 0; i < m.names().size(); i++)
            if (m.names().get(i).endsWith(tensor) && plan.get(i).type() == type) s.add(Integer.parseInt(m.names().get(i).split("\\.")[1]));
        return s;
    }

    @Test
    void moreBitsLayersAreCountedInLayerOrderWhateverTheFileOrder() {
        // use_more_bits(i, 12) holds for i = 0, 3, 6, 9, 10, 11; llama-quantize counts by layer number
        // (not by name, where blk.10 would come before blk.2), whatever order the file lists them in
        Model m = model(12, 256, false);
        java.util.Collections.reverse(m.names());
        java.util.Collections.reverse(m.shapes());
        java.util.Collections.reverse(m.types());
        var plan = QuantMix.plan(m.names(), m.shapes(), m.types(), QuantType.Q4_K_M, 12, 4, 4);
        assertEquals(Set.of(0, 3, 6, 9, 10, 11), layersWith(m, plan, "attn_v.weight", GgmlType.Q6_K));
        assertEquals(Set.of(0, 3, 6, 9, 10, 11), layersWith(m, plan, "ffn_down.weight", GgmlType.Q6_K));
        assertEquals(GgmlType.Q6_K, plan.get(m.names().indexOf("output.weight")).type());
        assertEquals(GgmlType.Q4_K, plan.get(m.names().indexOf("token_embd.weight")).type());
        assertEquals(GgmlType.F32, plan.get(m.names().indexOf("blk.3.ffn_norm.weight")).type());
    }

    @Test
    void tiedEmbeddingTakesTheOutputRuleAndOddRowsFallBack() {
        Model tied = model(2, 256, true);
        var plan = QuantMix.plan(tied.names(), tied.shapes(), tied.types(), QuantType.Q4_0, 2, 4, 4);
        assertEquals(GgmlType.Q6_K, plan.get(tied.names().indexOf("token_embd.weight")).type());
        Model odd = model(8, 96, false);  // rows of 96: not a multiple of 256, a multiple of 32
        var oddPlan = QuantMix.plan(odd.names(), odd.shapes(), odd.types(), QuantType.Q4_K_M, 8, 4, 4);
        assertEquals(GgmlType.Q5_0, oddPlan.get(odd.names().indexOf("blk.1.attn_q.weight")).type());
        assertEquals(GgmlType.Q8_0, oddPlan.get(odd.names().indexOf("output.weight")).type());
        assertEquals(GgmlType.Q8_0, oddPlan.get(odd.names().indexOf("blk.0.ffn_down.weight")).type(), "Q6_K falls back to Q8_0");
    }
}
