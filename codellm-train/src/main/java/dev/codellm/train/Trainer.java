package dev.codellm.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.core.StatusLine;
import dev.codellm.train.data.Example;
import dev.codellm.train.data.ExampleSource;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufValue;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.train.model.Activations;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.model.Param;
import dev.codellm.train.optim.AdamW;
import dev.codellm.train.optim.LrSchedule;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The training loop: rows → parallel forward/backward (one worker per thread, own activations
 * and gradients) → gradient sum → clip + AdamW with warmup/cosine → periodic held-out loss and
 * checkpoints. Everything a run produces lives in its output directory:
 * <ul>
 *   <li>{@code model.gguf} — the model (for LoRA runs: with the adapter merged), engine-loadable</li>
 *   <li>{@code adapter.gguf} — LoRA runs only: the llama.cpp-format adapter</li>
 *   <li>{@code state.gguf} — trainable weights, AdamW moments and the step, for resuming</li>
 *   <li>{@code metrics.jsonl}, {@code loss.html} — the loss history and its curve</li>
 * </ul>
 * Files are replaced atomically, so after a kill -9 the run resumes from the last checkpoint.
 */
public final class Trainer {
    /** {@code stepsRun} is 0 when the run in the output directory had already reached its last step. */
    public record Result(int steps, int stepsRun, double trainLoss, double heldOutLoss, double tokensPerSecond, double gflops) {
        public boolean alreadyFinished() { return stepsRun == 0; }
    }

    private final TrainableLlama model;
    private final Tokenizer tok;
    private final ExampleSource data;
    private final List<Example> heldOut;
    private final TrainOptions o;
    private final Path out;
    private final String name;
    private final String chatTemplate;
    private final PrintStream log;
    private final AdamW adam;
    private final List<Param> params;
    private final ObjectMapper json = dev.codellm.core.io.Json.MAPPER;
    private final List<double[]> trainCurve = new ArrayList<>(), heldCurve = new ArrayList<>(), lrCurve = new ArrayList<>();
    private int step;

    public Trainer(TrainableLlama model, Tokenizer tok, ExampleSource data, List<Example> heldOut, TrainOptions o, Path out, String name, PrintStream log) {
        this(model, tok, data, heldOut, o, out, name, log, ModelGguf.defaultChatTemplate());
    }

    /** As above; {@code chatTemplate} (Jinja) is written into the model GGUF. */
    public Trainer(TrainableLlama model, Tokenizer tok, ExampleSource data, List<Example> heldOut, TrainOptions o, Path out, String name,
                   PrintStream log, String chatTemplate) {
        this.chatTemplate = chatTemplate;
        this.model = model;
        this.tok = tok;
        this.data = data;
        this.heldOut = heldOut;
        this.o = o;
        this.out = out;
        this.name = name;
        this.log = log;
        this.params = model.params.all();
        this.adam = new AdamW(params, 0.9, 0.95, 1e-8, o.weightDecay());
    }

    private boolean lora() { return model.linears().stream().anyMatch(l -> l.rank() > 0); }
    private Path statePath() { return out.resolve("state.gguf"); }
    private Path metricsPath() { return out.resolve("metrics.jsonl"); }

    public Result run() {
        try {
            Files.createDirectories(out);
            if (Files.exists(statePath())) resume();
            if (step >= o.steps()) return finished();
            if (o.warmup() > o.steps()) {
                log.printf(Locale.ROOT, "train: warning: warm-up (%d steps) is longer than the run (%d steps): the rate never reaches %.2e%n",
                        o.warmup(), o.steps(), o.lr());
            }
            LrSchedule lr = new LrSchedule(o.lr(), o.minLr(), o.warmup(), o.steps());
            long flopsPerToken = flopsPerToken();
            log.printf(Locale.ROOT, "train: %s | %,d trainable of %,d params | %d rows x %d tokens per step | %d threads | from step %d/%d%n",
                    model.config, model.params.trainableCount(), model.params.totalCount(), o.rowsPerStep(), o.seqLen(), o.threads(), step, o.steps());
            ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> { Thread t = new Thread(r, "train-worker"); t.setDaemon(true); return t; });
            Worker[] workers = new Worker[o.threads()];
            for (int i = 0; i < workers.length; i++) workers[i] = new Worker();
            long t0 = System.nanoTime(), tokens = 0, lastLog = 0;
            int startStep = step;
            double lastLoss = Double.NaN, lastHeld = Double.NaN;
            // On a terminal the step line is a bar redrawn in place and only held-out evaluations
            // stay on screen; in a log every line stays (one per --log interval, as before).
            double[] shown = {Double.NaN, Double.NaN, 0};
            Progress bar = log == System.err && StatusLine.stderrIsTerminal()
                    ? new Progress(startStep == 0 ? "train steps" : "train steps after " + startStep, o.steps() - startStep).detail(() -> String.format(Locale.ROOT,
                            "loss %.4f%s lr %.2e", shown[0], Double.isNaN(shown[1]) ? "" : String.format(Locale.ROOT, " held-out %.4f", shown[1]), shown[2]))
                    : null;
            try (bar) {
                while (step < o.steps()) {
                    List<Example> rows = new ArrayList<>();
                    for (int j = 0; j < o.rowsPerStep(); j++) rows.add(data.get((long) step * o.rowsPerStep() + j));
                    double weightSum = 0;
                    for (Example e : rows) weightSum += e.weightSum();
                    if (weightSum == 0) throw new CodellmException("step " + step + " has no tokens carrying loss");
                    double lossSum = parallel(pool, workers, rows, (float) (1 / weightSum), true);
                    for (Example e : rows) tokens += e.length();
                    for (int w = 1; w < workers.length; w++) workers[0].addAndClear(workers[w].grads);
                    double rate = lr.at(step);
                    double gnorm = adam.step(params, workers[0].grads, rate, o.clip());
                    workers[0].clear();
                    lastLoss = lossSum / weightSum;
                    step++;
                    trainCurve.add(new double[] {step, lastLoss});
                    lrCurve.add(new double[] {step, rate});
                    boolean last = step == o.steps();
                    if (o.evalEvery() > 0 && !heldOut.isEmpty() && (step % o.evalEvery() == 0 || last)) {
                        lastHeld = heldOutLoss(pool, workers);
                        heldCurve.add(new double[] {step, lastHeld});
                    }
                    appendMetrics(step, lastLoss, rate, gnorm, heldCurve.isEmpty() || heldCurve.getLast()[0] != step ? Double.NaN : lastHeld);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    if (bar != null) {
                        shown[0] = lastLoss;
                        shown[1] = lastHeld;
                        shown[2] = rate;
                        if (!heldCurve.isEmpty() && heldCurve.getLast()[0] == step) {
                            bar.note(String.format(Locale.ROOT, "step %d/%d loss %.4f held-out %.4f lr %.2e", step, o.steps(), lastLoss, lastHeld, rate));
                        }
                        bar.step(1);
                    } else if (secs - lastLog >= o.logSeconds() || last || step == startStep + 1) {
                        lastLog = (long) secs;
                        double tps = tokens / secs;
                        double eta = (o.steps() - step) * (secs / (step - startStep));
                        log.printf(Locale.ROOT, "step %d/%d loss %.4f%s lr %.2e gnorm %.2f | %.0f tok/s %.2f GFLOP/s | ETA %s%n",
                                step, o.steps(), lastLoss, Double.isNaN(lastHeld) ? "" : String.format(Locale.ROOT, " held-out %.4f", lastHeld),
                                rate, gnorm, tps, tps * flopsPerToken / 1e9, eta(eta));
                    }
                    if ((o.checkpointEvery() > 0 && step % o.checkpointEvery() == 0) || last) checkpoint();
                }
            } finally {
                pool.shutdownNow();
            }
            double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            LossCurve.write(out.resolve("loss.html"), name + " — loss", trainCurve, heldCurve, lrCurve);
            double tps = tokens / secs;
            return new Result(step, step - startStep, lastLoss, lastHeld, tps, tps * flopsPerToken / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A rerun of a run that already reached its last step: nothing to train; the losses it ended with. */
    private Result finished() {
        double loss = trainCurve.isEmpty() ? Double.NaN : trainCurve.getLast()[1];
        double held = heldCurve.isEmpty() ? Double.NaN : heldCurve.getLast()[1];
        log.printf(Locale.ROOT, "train: %s already finished at step %d of %d (train loss %.4f%s); raise --steps to train further, or use another --out%n",
                out, step, o.steps(), loss, Double.isNaN(held) ? "" : String.format(Locale.ROOT, ", held-out loss %.4f", held));
        return new Result(step, 0, loss, held, Double.NaN, Double.NaN);
    }

    /** Held-out loss (nats per weighted token) of the current weights. */
    public double heldOutLoss() {
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        try {
            Worker[] workers = new Worker[o.threads()];
            for (int i = 0; i < workers.length; i++) workers[i] = new Worker();
            return heldOutLoss(pool, workers);
        } finally {
            pool.shutdownNow();
        }
    }

    private double heldOutLoss(ExecutorService pool, Worker[] workers) {
        double w = 0;
        for (Example e : heldOut) w += e.weightSum();
        return parallel(pool, workers, heldOut, 0f, false) / w;
    }

    /** Runs rows over the workers (dynamic queue); returns the summed weighted NLL. */
    private double parallel(ExecutorService pool, Worker[] workers, List<Example> rows, float scale, boolean backward) {
        AtomicInteger next = new AtomicInteger();
        List<Future<Double>> fs = new ArrayList<>();
        for (Worker w : workers) fs.add(pool.submit(() -> {
            double sum = 0;
            for (int j; (j = next.getAndIncrement()) < rows.size(); ) sum += w.run(rows.get(j), scale, backward);
            return sum;
        }));
        double total = 0;
        try {
            for (Future<Double> f : fs) total += f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("training interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
        return total;
    }

    private final class Worker {
        final float[][] grads = model.params.newGradients();
        final Activations acts = model.newActivations(o.seqLen());

        double run(Example e, float scale, boolean backward) {
            double loss = model.forward(e.tokens(), e.targets(), e.weights(), e.length(), acts);
            if (backward) model.backward(e.tokens(), e.targets(), e.weights(), e.length(), scale, grads, acts);
            return loss;
        }

        void addAndClear(float[][] other) {
            for (int i = 0; i < grads.length; i++) {
                if (grads[i] == null) continue;
                dev.codellm.train.model.Kernels.axpy(1f, other[i], 0, grads[i], 0, grads[i].length);
                java.util.Arrays.fill(other[i], 0f);
            }
        }

        void clear() { for (float[] g : grads) if (g != null) java.util.Arrays.fill(g, 0f); }
    }

    /** Approximate training FLOPs per token: 6×weights (2 fwd + 4 bwd; 4× for frozen ones) + attention. */
    long flopsPerToken() {
        var c = model.config;
        long frozenFactor = lora() ? 4 : 6;
        return frozenFactor * c.weightMacsPerToken() + 6L * c.layers() * o.seqLen() * c.dim();
    }

    private void appendMetrics(int step, double loss, double lr, double gnorm, double held) throws IOException {
        ObjectNode n = json.createObjectNode().put("step", step).put("loss", loss).put("lr", lr).put("grad_norm", gnorm);
        if (!Double.isNaN(held)) n.put("held_out_loss", held);
        Files.writeString(metricsPath(), n + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** Writes the model (and adapter) then the resumable state, each atomically. */
    private void checkpoint() throws IOException {
        if (tok == null) return; // benchmark runs have no vocabulary and keep nothing
        if (lora()) {
            ModelGguf.writeAdapter(model, name, out.resolve("adapter.gguf"));
        } else {
            ModelGguf.write(model, tok, name, out.resolve("model.gguf"), chatTemplate);
        }
        GgufWriter s = new GgufWriter();
        s.putString("general.architecture", "codellm-train-state")
                .put("train.step", GgufValue.ofUInt64((long) step)).put("train.adam_t", GgufValue.ofUInt64(adam.t))
                .putString("train.model", model.config.toString());
        for (Param p : params) {
            if (!p.trainable) continue;
            long[] d = {p.size()};
            s.addTensor("param." + p.name, GgmlType.F32, d, p.data);
            s.addTensor("adam.m." + p.name, GgmlType.F32, d, adam.m[p.index]);
            s.addTensor("adam.v." + p.name, GgmlType.F32, d, adam.v[p.index]);
        }
        s.write(statePath());
    }

    private void resume() throws IOException {
        try (GgufFile s = GgufFile.open(statePath())) {
            String saved = s.getString("train.model");
            if (!saved.equals(model.config.toString())) throw new CodellmException(statePath() + " was saved for model " + saved + ", not " + model.config + "; use another --out");
            for (Param p : params) {
                if (!p.trainable) continue;
                if (s.findTensor("param." + p.name).isEmpty()) throw new CodellmException(statePath() + " lacks " + p.name + " (different LoRA targets?); use another --out");
                System.arraycopy(ModelGguf.floats(s, "param." + p.name), 0, p.data, 0, p.size());
                System.arraycopy(ModelGguf.floats(s, "adam.m." + p.name), 0, adam.m[p.index], 0, p.size());
                System.arraycopy(ModelGguf.floats(s, "adam.v." + p.name), 0, adam.v[p.index], 0, p.size());
            }
            step = s.getInt("train.step");
            adam.t = s.getLong("train.adam_t");
        }
        // keep the history up to the checkpoint; later lines came from the killed process, and a line
        // it tore mid-append is cut off by core's one torn-line policy
        if (Files.exists(metricsPath())) {
            List<String> kept = new ArrayList<>();
            for (var n : dev.codellm.core.io.Jsonl.readTolerant(metricsPath()).rows()) {
                if (n.get("step").asInt() > step) continue;
                kept.add(dev.codellm.core.io.Json.line(n));
                trainCurve.add(new double[] {n.get("step").asInt(), n.get("loss").asDouble()});
                if (n.has("held_out_loss")) heldCurve.add(new double[] {n.get("step").asInt(), n.get("held_out_loss").asDouble()});
                if (n.has("lr")) lrCurve.add(new double[] {n.get("step").asInt(), n.get("lr").asDouble()});
            }
            Files.write(metricsPath(), kept);
        }
        log.printf(Locale.ROOT, "train: resuming from %s at step %d%n", statePath(), step);
    }

    static String eta(double secs) {
        long s = Math.round(secs);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
