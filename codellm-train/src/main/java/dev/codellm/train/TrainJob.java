package dev.codellm.train;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.CodellmException;
import dev.codellm.model.generate.ChatTemplate;
import dev.codellm.model.generate.ChatTemplates;
import dev.codellm.train.data.Corpus;
import dev.codellm.train.data.Example;
import dev.codellm.train.data.ExampleSource;
import dev.codellm.train.data.PackedLmSource;
import dev.codellm.train.data.SftSource;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.train.model.Linear;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.train.model.Param;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Assembles a run from user-level choices: which data (a code directory for causal LM + FIM, or
 * instruction jsonl for SFT), which starting point (a fresh model with a BPE vocabulary learned
 * from the corpus, or a base llama GGUF with its byte-level BPE or SentencePiece vocabulary), full
 * fine-tuning or LoRA, then hands it to {@link Trainer}.
 */
public final class TrainJob {
    /**
     * Everything a run needs; null base means "train from scratch". {@code chatTemplate} names a
     * built-in template ({@code train --template}) for the instruction data and the written GGUF;
     * null keeps the base's {@code tokenizer.chat_template}, else the default.
     */
    public record Spec(Path data, Path out, Path base, String name,
                       int vocabMerges, int dim, int layers, int heads, int kvHeads, int ffnDim, int context,
                       double fimRate, double spmRate, int loraRank, double loraAlpha, List<String> loraTargets,
                       Set<String> extensions, int heldOutPermille, int heldOutRows, long maxFileBytes, TrainOptions options,
                       String chatTemplate) {
        public Spec(Path data, Path out, Path base, String name,
                    int vocabMerges, int dim, int layers, int heads, int kvHeads, int ffnDim, int context,
                    double fimRate, double spmRate, int loraRank, double loraAlpha, List<String> loraTargets,
                    Set<String> extensions, int heldOutPermille, int heldOutRows, long maxFileBytes, TrainOptions options) {
            this(data, out, base, name, vocabMerges, dim, layers, heads, kvHeads, ffnDim, context, fimRate, spmRate, loraRank, loraAlpha,
                    loraTargets, extensions, heldOutPermille, heldOutRows, maxFileBytes, options, null);
        }
    }

    private TrainJob() {}

    public static Trainer.Result run(Spec s, PrintStream log) {
        try {
            Files.createDirectories(s.out());
            boolean sft = SftSource.looksLikeInstructions(s.data());
            TrainOptions o = s.options();
            Corpus corpus = sft ? null : Corpus.load(s.data(), s.extensions(), s.heldOutPermille(), s.maxFileBytes());
            if (corpus != null && corpus.heldOut.isEmpty() && corpus.train.size() > 1 && s.heldOutPermille() > 0) {
                corpus.heldOut.add(corpus.train.removeLast()); // small corpora: hold out at least one file
            }
            if (corpus != null) log.printf(Locale.ROOT, "data: %d train files (%,d chars), %d held-out files, %d skipped%n",
                    corpus.train.size(), Corpus.chars(corpus.train), corpus.heldOut.size(), corpus.skipped);

            Tokenizer tok;
            TrainableLlama model;
            String baseTemplate = null;
            if (s.base() != null) {
                try (GgufFile g = GgufFile.open(s.base())) {
                    tok = ModelGguf.tokenizer(g);
                    model = ModelGguf.load(g);
                    baseTemplate = g.optString(dev.codellm.model.tokenizer.TokenizerGguf.CHAT_TEMPLATE, null);
                }
                log.println("base: " + s.base() + " (" + model.config + ")");
            } else {
                if (corpus == null) throw new CodellmException("SFT data needs a --base model to start from");
                tok = vocabulary(s, corpus, log);
                model = new TrainableLlama(new LlamaConfig(s.dim(), s.layers(), s.heads(), s.kvHeads(), s.ffnDim(), tok.vocabSize(), s.context(), 1e-5f, 10000f, true));
                model.initRandom(o.seed());
            }
            if (o.seqLen() > model.config.contextLength()) throw new CodellmException("--seq-len " + o.seqLen() + " exceeds the model context " + model.config.contextLength());
            tok.specialTokens().require("bos"); // fail early if BOS/EOS are missing (FIM tokens: when the objective needs them)
            tok.specialTokens().require("eos");
            if (s.loraRank() > 0) attachLora(model, s, o.seed(), log);
            ChatTemplate template = ChatTemplates.choose(s.chatTemplate(), baseTemplate);

            ExampleSource data;
            List<Example> heldOut = new ArrayList<>();
            if (sft) {
                List<List<ChatMessage>> convs = SftSource.readJsonl(s.data());
                // a tenth of the records, and at least one of a small file, so the run reports a held-out loss
                int nHeld = Math.min(Math.max(convs.size() / 10, convs.size() > 1 ? 1 : 0), s.heldOutRows());
                data = new SftSource(convs.subList(nHeld, convs.size()), tok, template, o.seqLen(), o.seed());
                log.println("chat template: " + template.name() + (s.chatTemplate() == null && baseTemplate != null ? " (the base's)" : ""));
                if (nHeld > 0) heldOut.addAll(sftRows(convs.subList(0, nHeld), tok, template, o, log));
                log.printf(Locale.ROOT, "data: %d instruction rows for training, %d held out%n", data.size(), heldOut.size());
            } else {
                int chunkChars = o.seqLen() * 3;
                data = new PackedLmSource(corpus.train, tok, s.fimRate(), s.spmRate(), o.seqLen(), chunkChars, o.seed());
                if (!corpus.heldOut.isEmpty()) {
                    // held-out loss is plain left-to-right (no FIM), so it reads as ordinary LM loss
                    PackedLmSource h = new PackedLmSource(corpus.heldOut, tok, 0, 0, o.seqLen(), chunkChars, 7);
                    for (int i = 0; i < s.heldOutRows(); i++) heldOut.add(h.get(i));
                }
            }
            Trainer trainer = new Trainer(model, tok, data, heldOut, o, s.out(), s.name(), log, template.source());
            Trainer.Result r = trainer.run();
            if (r.alreadyFinished()) return r;
            if (s.loraRank() > 0) {
                for (Linear lin : model.linears()) lin.mergeLora();
                ModelGguf.write(model, tok, s.name(), s.out().resolve("model.gguf"), template.source());
                log.println("merged LoRA adapter into " + s.out().resolve("model.gguf"));
            }
            log.printf(Locale.ROOT, "done: %d steps, train loss %.4f, %s, %.0f tok/s, %.2f GFLOP/s -> %s%n",
                    r.steps(), r.trainLoss(), Double.isNaN(r.heldOutLoss()) ? "no held-out loss (nothing held out)"
                            : String.format(Locale.ROOT, "held-out loss %.4f", r.heldOutLoss()),
                    r.tokensPerSecond(), r.gflops(), s.out().resolve("model.gguf"));
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Held-out SFT rows; none (said in the log) when no held-out record has a reply inside --seq-len. */
    static List<Example> sftRows(List<List<ChatMessage>> convs, Tokenizer tok, ChatTemplate template, TrainOptions o, PrintStream log) {
        SftSource held;
        try {
            held = new SftSource(convs, tok, template, o.seqLen(), o.seed());
        } catch (CodellmException e) {
            log.println("data: no held-out loss: the held-out records have no reply inside --seq-len " + o.seqLen());
            return List.of();
        }
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < held.size(); i++) rows.add(held.get(i));
        return rows;
    }

    /** Learns a BPE vocabulary on the training files, or reuses the one a previous run saved. */
    static Tokenizer vocabulary(Spec s, Corpus corpus, PrintStream log) throws IOException {
        Path saved = s.out().resolve("tokenizer.gguf");
        if (Files.exists(saved)) {
            log.println("tokenizer: reusing " + saved);
            try (GgufFile g = GgufFile.open(saved)) {
                return ModelGguf.tokenizer(g);
            }
        }
        long t0 = System.nanoTime();
        BpeTrainer bt = new BpeTrainer();
        long budget = 8_000_000, used = 0; // characters: enough for stable merge statistics
        for (Corpus.Document d : corpus.train) {
            if (used > budget) break;
            bt.add(d.text());
            used += d.text().length();
        }
        Tokenizer tok = bt.train(s.vocabMerges(), SpecialTokens.CODE_LLAMA_SPELLINGS);
        GgufWriter g = new GgufWriter().putString("general.architecture", "llama").putString("general.name", s.name() + "-tokenizer");
        ModelGguf.putTokenizer(g, tok, ModelGguf.defaultChatTemplate());
        g.write(saved);
        log.printf(Locale.ROOT, "tokenizer: %d tokens (%d merges) learned from %,d chars in %.1fs -> %s%n",
                tok.vocabSize(), tok.vocabulary().merges().size(), used, (System.nanoTime() - t0) / 1e9, saved);
        return tok;
    }

    static void attachLora(TrainableLlama model, Spec s, long seed, PrintStream log) {
        Random rnd = new Random(seed + 17);
        for (Param p : model.params.all()) p.trainable = false;
        int n = 0;
        for (Linear lin : model.linears()) {
            String kind = lin.weight.name.substring(lin.weight.name.indexOf('.', 4) + 1).replace(".weight", "");
            if (!s.loraTargets().contains(kind)) continue;
            lin.attachLora(model.params, s.loraRank(), (float) s.loraAlpha(), rnd);
            n++;
        }
        if (n == 0) throw new CodellmException("no layers match --lora-targets " + s.loraTargets() + " (choose from " + ModelGguf.loraTargets() + ")");
        log.printf(Locale.ROOT, "lora: rank %d alpha %.1f on %d layers (%s)%n", s.loraRank(), s.loraAlpha(), n, s.loraTargets());
    }
}
