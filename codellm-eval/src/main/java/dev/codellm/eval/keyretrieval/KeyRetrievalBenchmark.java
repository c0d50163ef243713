package dev.codellm.eval.keyretrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.run.Benchmark;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Synthetic key retrieval as the driver runs it: the tasks come from {@link KeyRetrievalGenerator}
 * (deterministic from {@code --seed}, default 0), a model completes each file's final
 * {@code assert NAME() == } greedily (one line, a few tokens), and a sample is right when the
 * integer it starts with is the key's. A prompt the model's context cannot hold is a wrong answer
 * that says so, not a failed run. The canonical answers score 100 %.
 */
public final class KeyRetrievalBenchmark implements Benchmark<KeyVerdict, KeyRetrievalScore> {
    /** Tokens an answer may take: a 4-digit integer is at most 5 Code Llama tokens. */
    static final int ANSWER_TOKENS = 12;

    private final KeyRetrievalGrid grid;
    private final Map<String, KeyRetrievalTask> tasks = new LinkedHashMap<>();
    private final EvalOptions opts;
    private final String sha256;

    public KeyRetrievalBenchmark(KeyRetrievalGrid grid, EvalOptions opts) {
        this.grid = grid;
        this.opts = opts;
        List<KeyRetrievalTask> all = grid.tasks(opts.seed() == null ? 0 : opts.seed());
        if (opts.limit() > 0 && opts.limit() < all.size()) all = all.subList(0, opts.limit());
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (KeyRetrievalTask t : all) {
                tasks.put(t.taskId(), t);
                md.update(t.prompt().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            sha256 = HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<KeyRetrievalTask> tasks() { return List.copyOf(tasks.values()); }

    @Override
    public String name() { return KeyRetrievalGrid.NAME; }

    @Override
    public String sha256() { return sha256; }

    @Override
    public List<String> taskIds() { return List.copyOf(tasks.keySet()); }

    @Override
    public Path dir(Path out) { return out; }

    @Override
    public String describeJudge() { return "exact match of the asserted integer"; }

    @Override
    public SampleRecord generate(Generator generator, String taskId, int completionId) {
        KeyRetrievalTask t = tasks.get(taskId);
        SamplingParams p = SamplingParams.GREEDY.withMaxTokens(Math.min(opts.maxTokens(), ANSWER_TOKENS)).withStop(List.of("\n"));
        try {
            String c = generator.complete(CompletionRequest.of(t.prompt(), p), TokenSink.NONE).text();
            return new SampleRecord(taskId, completionId, c, c);
        } catch (CodellmException e) {
            // a file longer than the context is this cell's answer (wrong, and why); anything else stops the run
            String m = String.valueOf(e.getMessage());
            if (!m.contains("context")) throw e;
            return new SampleRecord(taskId, completionId, "", "not run: " + m);
        }
    }

    @Override
    public List<SampleRecord> samplesFromFile(Path file) {
        Map<String, Integer> next = new HashMap<>();
        List<SampleRecord> out = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.read(file, "samples file")) {
            String id = l.json().path("task_id").asText();
            if (!tasks.containsKey(id)) continue;
            JsonNode c = l.json().get("completion");
            if (c == null || !c.isTextual()) throw new CodellmException(l.where() + " has no completion");
            out.add(new SampleRecord(id, next.merge(id, 1, Integer::sum) - 1, c.asText(), c.asText()));
        }
        return out;
    }

    @Override
    public List<SampleRecord> canonical(int n) {
        List<SampleRecord> out = new ArrayList<>();
        for (KeyRetrievalTask t : tasks.values()) {
            for (int i = 0; i < n; i++) out.add(new SampleRecord(t.taskId(), i, t.answer() + "", t.answer() + ""));
        }
        return out;
    }

    @Override
    public KeyVerdict judge(SampleRecord sample) {
        KeyRetrievalTask t = tasks.get(sample.taskId());
        if (t == null) throw new CodellmException("no task " + sample.taskId() + " in " + name());
        Integer got = KeyRetrievalGenerator.parseAnswer(sample.completion());
        return new KeyVerdict(got != null && got == t.answer(), got);
    }

    @Override
    public ObjectNode resultRow(SampleRecord sample, KeyVerdict v) {
        KeyRetrievalTask t = tasks.get(sample.taskId());
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("task_id", sample.taskId());
        o.put("completion_id", sample.completionId());
        o.put("length", t.lengthTokens());
        o.put("position", t.position());
        o.put("expected", t.answer());
        if (v.got() != null) o.put("got", v.got());
        else o.putNull("got");
        o.put("correct", v.correct());
        return o;
    }

    @Override
    public KeyVerdict verdict(JsonNode row) {
        return new KeyVerdict(row.path("correct").asBoolean(), row.path("got").isInt() ? row.path("got").asInt() : null);
    }

    @Override
    public KeyRetrievalScore score(List<SampleRecord> samples, Map<SampleKey, KeyVerdict> verdicts, String model, Path dir) {
        int L = grid.lengths().size(), P = grid.positions().size();
        int[][] correct = new int[L][P], total = new int[L][P];
        List<String> failures = new ArrayList<>();
        for (SampleRecord s : samples) {
            KeyRetrievalTask t = tasks.get(s.taskId());
            int l = grid.lengths().indexOf(t.lengthTokens()), p = grid.positions().indexOf(t.position());
            KeyVerdict v = verdicts.get(SampleKey.of(s));
            total[l][p]++;
            if (v.correct()) correct[l][p]++;
            else failures.add(s.taskId() + "\t" + t.answer() + "\t" + s.solution());
        }
        KeyRetrievalScore score = new KeyRetrievalScore(model, grid.lengths(), grid.positions(), correct, total, failures);
        score.write(dir);
        return score;
    }
}
