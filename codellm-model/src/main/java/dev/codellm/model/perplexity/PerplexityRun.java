package dev.codellm.model.perplexity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.core.io.Jsonl;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.KvBudget;
import dev.codellm.model.generate.LoadedModel;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.RopeOverrides;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code codellm perplexity}: texts (whole files, or one field of each jsonl record) tokenized as
 * llama-perplexity does (BOS first when the model adds one, one trailing newline of a file
 * dropped), scored by {@link PerplexityScorer}, folded into a {@link PerplexityResult}.
 */
public final class PerplexityRun {
    /** What to score and how; {@code ctx} 0 = the model's context length, {@code stride} 0 = ctx/2. */
    public record Options(List<Path> inputs, String jsonlField, PerplexityMethod method, int ctx, int stride, int bucket,
                          String kvType, int threads, RopeOverrides rope, boolean progress) {}

    private PerplexityRun() {}

    public record Text(String name, String text) {}

    /** The texts of the inputs: a {@code .jsonl} file gives one text per record's {@code field}. */
    public static List<Text> texts(List<Path> inputs, String field) {
        if (inputs.isEmpty()) throw new CodellmException("no input files given");
        List<Text> out = new ArrayList<>();
        for (Path p : inputs) {
            String name = p.toString();
            if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) {
                if (field == null) throw new CodellmException(p + " is JSON lines: name the text field with --field");
                for (Jsonl.Line l : Jsonl.read(p, "input")) {
                    JsonNode v = l.json().get(field);
                    if (v == null || !v.isTextual()) throw new CodellmException(l.where() + " has no text field '" + field + "'");
                    out.add(new Text(l.where(), v.asText()));
                }
            } else {
                try {
                    String t = Files.readString(p, StandardCharsets.UTF_8);
                    if (t.endsWith("\n")) t = t.substring(0, t.length() - 1);  // as llama.cpp's -f does
                    out.add(new Text(name, t));
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new CodellmException("input not found: " + p);
                } catch (java.nio.charset.MalformedInputException e) {
                    throw new CodellmException(p + " is not UTF-8 text");
                } catch (IOException e) {
                    throw new CodellmException("cannot read " + p + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    public static PerplexityResult run(Path modelPath, Options o) {
        List<Text> texts = texts(o.inputs(), o.jsonlField());
        try (LoadedModel loaded = LoadedModel.open(modelPath, new GeneratorOptions(0, o.kvType(), null, null, o.threads()).withRope(o.rope()))) {
            Tokenizer tok = loaded.tokenizer();
            // the same memory check as every engine command: a default that does not fit is lowered with a note
            KvBudget.Decision fit = KvBudget.decide(loaded.model().config(), KvType.parse(o.kvType()), loaded.model().config().contextLength(),
                    o.ctx(), 1, KvBudget.availableBytes());
            if (fit.note() != null) System.err.println("codellm: " + fit.note());
            int ctx = fit.contextLength();
            int stride = o.stride() > 0 ? o.stride() : Math.max(1, ctx / 2);
            int bos = tok.addsBos() && tok.bos().isPresent() ? tok.bos().getAsInt() : -1;
            PerplexityScorer scorer = new PerplexityScorer(loaded.model(), KvType.parse(o.kvType()), o.method(), ctx, stride, bos);
            List<int[]> ids = new ArrayList<>();
            long work = 0;
            for (Text t : texts) {
                int[] x = tok.encode(t.text(), true, false);
                ids.add(x);
                work += scorer.workTokens(x.length);
            }
            if (work == 0) {
                int longest = ids.stream().mapToInt(a -> a.length).max().orElse(0);
                throw new CodellmException("nothing to score: the longest input has " + longest + " tokens, "
                        + (o.method() == PerplexityMethod.LLAMA_CPP ? "fewer than one window of --ctx " + ctx + " (lower --ctx or use --method sliding)"
                        : "fewer than 2"));
            }
            Progress progress = o.progress() ? new Progress("perplexity tokens", work) : null;
            long t0 = System.nanoTime();
            List<TokenScores> scores = new ArrayList<>();
            try {
                for (int[] x : ids) scores.add(scorer.score(x, n -> { if (progress != null) progress.step(n); }));
            } finally {
                if (progress != null) progress.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            String name = loaded.file().path().getFileName().toString();
            return PerplexityResult.of(name, o.method(), ctx, stride, texts.stream().map(Text::name).toList(),
                    ids.stream().map(a -> a.length).toList(), scores, o.bucket(), work, secs);
        }
    }
}
