package dev.codellm.train.data;

import dev.codellm.core.CodellmException;
import dev.codellm.core.IntList;
import dev.codellm.model.generate.InfillFormat;
import dev.codellm.model.generate.Prompt;
import dev.codellm.model.generate.PromptEncoder;
import dev.codellm.model.generate.PromptPart.FimToken;
import dev.codellm.model.generate.TokenizerCodec;
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
 * Other documents become {@code <s> text </s>}. The prompt part is the model module's
 * {@link InfillFormat} prompt, encoded by its {@link PromptEncoder}: the very ids {@code infill}
 * and {@code /infill} send (the suffix without SentencePiece's dummy-prefix space), so what is
 * learned is what is asked later. The middle is encoded as text continuing the prompt (the tokens
 * the model writes after it). Every token carries loss, as in the FIM papers' joint objective.
 */
public final class FimTransform {
    private final PromptEncoder encoder;
    private final double rate, spmRate;

    public FimTransform(Tokenizer tok, double rate, double spmRate) {
        if (rate < 0 || rate > 1 || spmRate < 0 || spmRate > 1) throw new IllegalArgumentException("FIM rates must lie in [0,1]");
        if (rate > 0 && !tok.specialTokens().hasFim())
            throw new CodellmException("the vocabulary has no <PRE>/<SUF>/<MID>/<EOT> tokens for the FIM objective: use --fim-rate 0");
        tok.specialTokens().require("eos");
        this.encoder = new PromptEncoder(new TokenizerCodec(tok));
        this.rate = rate;
        this.spmRate = spmRate;
    }

    /** Appends the ids of one document, FIM-transformed with probability {@code rate}. */
    public IntList apply(String doc, Random rnd, IntList out) {
        if (rate > 0 && doc.length() >= 2 && rnd.nextDouble() < rate) {
            int a = splitPoint(doc, rnd.nextInt(doc.length() + 1)), b = splitPoint(doc, rnd.nextInt(doc.length() + 1));
            int lo = Math.min(a, b), hi = Math.max(a, b);
            InfillFormat format = rnd.nextDouble() < spmRate ? InfillFormat.SPM : InfillFormat.PSM;
            return out.addAll(example(doc.substring(0, lo), doc.substring(lo, hi), doc.substring(hi), format));
        }
        return out.addAll(encoder.encode(Prompt.builder().bos().text(doc).eos().build()));
    }

    /** One FIM example: the infill prompt for (prefix, suffix), then the middle and {@code <EOT>}. */
    public int[] example(String prefix, String middle, String suffix, InfillFormat format) {
        return encoder.encode(Prompt.builder().append(format.prompt(prefix, suffix)).rawText(middle).fim(FimToken.EOT).build());
    }

    /** Character-level split that never cuts a surrogate pair in two. */
    private static int splitPoint(String s, int i) {
        return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i - 1 : i;
    }
}
