package dev.codellm.eval.ds1000;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.eval.score.PassAtK;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The score of a DS-1000 run: pass@k per library and overall, over the problems that can be
 * scored on this machine. A problem is <em>not scoreable here</em> when its reference solution
 * fails for a reason of the machine's (a library Debian does not ship, such as TensorFlow; a
 * dataset download in an offline sandbox): it is left out of every pass@k, and counted with its
 * reason beside it. Written as {@code pass_at_k.json}; {@link #read} loads it back for
 * {@code eval compare}.
 *
 * @param dataset       the run's dataset name ({@code ds1000}, {@code ds1000/pandas,numpy})
 * @param model         what produced the samples
 * @param samplesPerTask the smallest number of samples a problem had
 * @param libraries     per library in the selection, in the paper's column order
 * @param overall       every library of the selection together
 * @param notScoreable  problem id → reason, for the problems left out
 */
public record Ds1000Score(String dataset, String model, int samplesPerTask, Map<Ds1000Library, Part> libraries, Part overall,
                          Map<String, String> notScoreable) {

    /**
     * @param problems     problems selected
     * @param scoreable    of which scoreable here
     * @param reasons      why the others are not (reason → count)
     * @param passAtK      over the scoreable ones; empty when there are none
     */
    public record Part(int problems, int scoreable, Map<String, Integer> reasons, Map<String, Double> passAtK) {
        public double passAt1() { return passAtK.getOrDefault("pass@1", Double.NaN); }

        public boolean scored() { return scoreable > 0; }

        ObjectNode toJson() {
            ObjectNode o = Json.MAPPER.createObjectNode().put("problems", problems).put("scoreable", scoreable);
            if (problems > scoreable) {
                ObjectNode r = o.putObject("not_scoreable");
                reasons.forEach(r::put);
            }
            passAtK.forEach(o::put);
            return o;
        }

        static Part fromJson(JsonNode o) {
            Map<String, Integer> reasons = new TreeMap<>();
            o.path("not_scoreable").properties().forEach(e -> reasons.put(e.getKey(), e.getValue().asInt()));
            Map<String, Double> k = new LinkedHashMap<>();
            o.properties().forEach(e -> {
                if (e.getKey().startsWith("pass@") && e.getValue().isNumber()) k.put(e.getKey(), e.getValue().asDouble());
            });
            return new Part(o.path("problems").asInt(), o.path("scoreable").asInt(), reasons, k);
        }
    }

    /** Per problem: its library, samples, correct samples, and why it is not scoreable (null if it is). */
    public record ProblemTally(Ds1000Library library, int n, int correct, String notScoreable) {}

    /** Scores tallies given in dataset order. */
    public static Ds1000Score of(String dataset, String model, Map<String, ProblemTally> tallies) {
        Map<Ds1000Library, List<ProblemTally>> byLib = new EnumMap<>(Ds1000Library.class);
        Map<String, String> notScoreable = new LinkedHashMap<>();
        int minN = Integer.MAX_VALUE;
        for (Map.Entry<String, ProblemTally> e : tallies.entrySet()) {
            byLib.computeIfAbsent(e.getValue().library(), k -> new ArrayList<>()).add(e.getValue());
            if (e.getValue().notScoreable() != null) notScoreable.put(e.getKey(), e.getValue().notScoreable());
            minN = Math.min(minN, e.getValue().n());
        }
        Map<Ds1000Library, Part> libs = new LinkedHashMap<>();
        for (Ds1000Library l : Ds1000Library.PAPER_ORDER) if (byLib.containsKey(l)) libs.put(l, part(byLib.get(l)));
        return new Ds1000Score(dataset, model, tallies.isEmpty() ? 0 : minN, libs, part(List.copyOf(tallies.values())), notScoreable);
    }

    private static Part part(List<ProblemTally> ts) {
        List<ProblemTally> scored = ts.stream().filter(t -> t.notScoreable() == null).toList();
        Map<String, Integer> reasons = new TreeMap<>();
        ts.stream().filter(t -> t.notScoreable() != null).forEach(t -> reasons.merge(t.notScoreable(), 1, Integer::sum));
        Map<String, Double> k = scored.isEmpty() ? Map.of()
                : PassAtK.mean(scored.stream().mapToInt(ProblemTally::n).toArray(), scored.stream().mapToInt(ProblemTally::correct).toArray());
        return new Part(ts.size(), scored.size(), reasons, k);
    }

    /** The pass@1 of a library, NaN when it was not in the run or nothing of it was scoreable. */
    public double passAt1(Ds1000Library l) {
        Part p = libraries.get(l);
        return p == null || !p.scored() ? Double.NaN : p.passAt1();
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode().put("dataset", dataset).put("model", model).put("samples_per_task", samplesPerTask);
        ObjectNode all = overall.toJson();
        o.setAll(all);
        ObjectNode libs = o.putObject("libraries");
        libraries.forEach((l, p) -> libs.set(l.dataName(), p.toJson()));
        ObjectNode ns = o.putObject("not_scoreable_problems");
        notScoreable.forEach(ns::put);
        return o;
    }

    public void write(Path dir) {
        Json.write(dir.resolve(FILE), toJson());
    }

    public static final String FILE = "pass_at_k.json";

    /** Reads what {@link #write} wrote; {@code where} names the file in errors. */
    public static Ds1000Score fromJson(JsonNode o, String where) {
        if (!o.path("dataset").asText().startsWith(Ds1000Family.NAME)) throw new CodellmException(where + ": not a DS-1000 score");
        Map<Ds1000Library, Part> libs = new LinkedHashMap<>();
        for (Ds1000Library l : Ds1000Library.PAPER_ORDER) {
            JsonNode p = o.path("libraries").path(l.dataName());
            if (p.isObject()) libs.put(l, Part.fromJson(p));
        }
        Map<String, String> ns = new LinkedHashMap<>();
        o.path("not_scoreable_problems").properties().forEach(e -> ns.put(e.getKey(), e.getValue().asText()));
        return new Ds1000Score(o.path("dataset").asText(), o.path("model").asText(null), o.path("samples_per_task").asInt(),
                libs, Part.fromJson(o), ns);
    }

    public static Ds1000Score read(Path dir) {
        Path f = dir.resolve(FILE);
        return fromJson(Json.read(f), f.toString());
    }
}
