package dev.codellm.train.data;

import dev.codellm.core.IntList;
import dev.codellm.core.CodellmException;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.Random;

/**
 * Code Llama's fill-in-the-middle transformation (Rozière et al. 2023, §2.3, after Bavarian et
 * al. 2022). With probability {@code rate} a document is split at two uniformly random character
 * positions into prefix/middle/suffix and rearranged; half of those (spmRate) use SPM order:
 * <pre>
 *   PSM: &lt;s&gt; &lt;PRE&gt; prefix &lt;SUF&gt; suffix &lt;MID&gt; middle &lt;EOT&gt;
 *   SPM: &lt;s&gt; &lt;PRE&gt; &lt;SUF&gt; suffix &lt;MID&gt; prefix middle &lt;EOT&gt;
 * </pre>
 * Other documents become {@code <s> text </s>}. Each part is tokenized on its own, exactly as an
 * infilling prompt is at inference.
 */
public final class FimTransform {
    private final Tokenizer tok;
    private final SpecialTokens sp;
    private final double rate, spmRate;

    public FimTransform(Tokenizer tok, double rate, double spmRate) {
        if (rate < 0 || rate > 1 || spmRate < 0 || spmRate > 1) throw new IllegalArgumentException("FIM rates must lie in [0,1]");
        this.tok = tok;
        this.sp = tok.specialTokens();
        if (rate > 0 && !sp.hasFim())
            throw new CodellmException("the vocabulary has no <PRE>/<SUF>/<MID>/<EOT> tokens for the FIM objective: use --fim-rate 0");
        this.rate = rate;
        this.spmRate = spmRate;
    }

    public IntList apply(String doc, Random rnd, IntList out) {
        if (rate > 0 && doc.length() >= 2 && rnd.nextDouble() < rate) {
            int a = splitPoint(doc, rnd.nextInt(doc.length() + 1)), b = splitPoint(doc, rnd.nextInt(doc.length() + 1));
            int lo = Math.min(a, b), hi = Math.max(a, b);
            String prefix = doc.substring(0, lo), middle = doc.substring(lo, hi), suffix = doc.substring(hi);
            out.add(sp.require("bos")).add(sp.require("fim_pre"));
            if (rnd.nextDouble() < spmRate) {
                out.add(sp.require("fim_suf")).addAll(tok.encode(suffix)).add(sp.require("fim_mid")).addAll(tok.encode(prefix));
            } else {
                out.addAll(tok.encode(prefix)).add(sp.require("fim_suf")).addAll(tok.encode(suffix)).add(sp.require("fim_mid"));
            }
            return out.addAll(tok.encode(middle)).add(sp.require("eot"));
        }
        return out.add(sp.require("bos")).addAll(tok.encode(doc)).add(sp.require("eos"));
    }

    /** Character-level split that never cuts a surrogate pair in two. */
    private static int splitPoint(String s, int i) {
        return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i - 1 : i;
    }
}
