package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.io.Jsonl;
import dev.codellm.data.curate.PairFilter;
import dev.codellm.decontam.Decision;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns teacher answers into instruction data: parse the two sections, drop answers that are
 * malformed, too short, oversized or (for Python) do not parse, drop exact and MinHash
 * near-duplicates, and drop what the decontamination core flags. Every answer ends in
 * {@code data.jsonl} or in {@code rejected.jsonl} with its reason: none is lost.
 */
public final class Curator {
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    public record Options(int minProblemChars, int maxCodeChars, double nearDupThreshold) {
        public static Options defaults() { return new Options(40, 20_000, 0.8); }
    }

    /** @param parsed answers whose problem and solution could be read (before the syntax, near-duplicate and contamination checks) */
    public record Stats(int answers, int parsed, int kept, Map<String, Integer> rejected) {}

    private final Options options;
    private final RecordDecontaminator decontaminator;

    /** @param decontaminator null to skip decontamination */
    public Curator(Options options, RecordDecontaminator decontaminator) {
        this.options = options;
        this.decontaminator = decontaminator;
    }

    private record Candidate(JsonNode response, Seed seed, OssInstructPrompt.Parsed parsed, String code, boolean python) {}

    public Stats curate(Map<String, Seed> seeds, Path responses, Path data, Path rejected) throws IOException {
        Map<String, Integer> reasons = new TreeMap<>();
        List<Candidate> candidates = new ArrayList<>();
        int answers = 0;
        Set<String> seen = new HashSet<>();
        try (BufferedWriter rej = Files.newBufferedWriter(rejected, StandardCharsets.UTF_8)) {
            // The teacher's own append-only file: the one torn-line policy (a torn last line is cut, a corrupt one is an error).
            for (Jsonl.Line line : Jsonl.readTolerant(responses).lines()) {
                JsonNode r = line.json();
                String id = r.path("seed_id").asText();
                if (!seen.add(id)) continue; // a seed answered twice (concurrent reruns): first answer wins
                answers++;
                Seed seed = seeds.get(id);
                try {
                    OssInstructPrompt.Parsed p = OssInstructPrompt.parse(r.path("response").asText(null));
                    String code = p.code() != null ? p.code() : p.solution();
                    if (p.problem().length() < options.minProblemChars()) throw new IllegalArgumentException("problem too short");
                    if (code.isBlank()) throw new IllegalArgumentException("empty solution code");
                    if (code.length() > options.maxCodeChars()) throw new IllegalArgumentException("oversized solution code");
                    boolean python = p.codeLang() != null ? p.codeLang().matches("python3?|py")
                            : p.code() != null && seed != null && "python".equals(seed.lang());
                    candidates.add(new Candidate(r, seed, p, code, python));
                } catch (IllegalArgumentException e) {
                    reject(rej, reasons, r, e.getMessage());
                }
            }
            // One python3 process checks all Python solutions (parse only, nothing runs).
            List<Candidate> py = candidates.stream().filter(Candidate::python).toList();
            List<String> errors = PythonSyntaxChecker.check(py.stream().map(Candidate::code).toList());
            Map<Candidate, String> syntax = new java.util.IdentityHashMap<>();
            for (int i = 0; i < py.size(); i++) if (errors.get(i) != null) syntax.put(py.get(i), errors.get(i));

            PairFilter filter = new PairFilter(options.nearDupThreshold(), null);
            RecordDecontaminator.Worker decon = decontaminator == null ? null : decontaminator.newWorker();
            int kept = 0;
            try (BufferedWriter out = Files.newBufferedWriter(data, StandardCharsets.UTF_8)) {
                for (Candidate c : candidates) {
                    if (syntax.containsKey(c)) {
                        reject(rej, reasons, c.response(), "python solution does not parse", syntax.get(c));
                        continue;
                    }
                    // Duplicates are judged on the code; contamination below on the whole solution text.
                    PairFilter.Rejection dup = filter.check(c.parsed().problem(), c.code());
                    if (dup != null) {
                        reject(rej, reasons, c.response(), dup.reason());
                        continue;
                    }
                    ObjectNode rec = JSON.createObjectNode();
                    rec.put("seed_id", c.response().path("seed_id").asText());
                    rec.put("lang", c.seed() != null ? c.seed().lang() : c.response().path("lang").asText());
                    rec.put("problem", c.parsed().problem());
                    rec.put("solution", c.parsed().solution());
                    if (c.seed() != null) rec.put("seed", c.seed().code());
                    rec.put("model", c.response().path("model").asText());
                    if (decon != null) {
                        ObjectNode probe = JSON.createObjectNode();
                        probe.put("problem", c.parsed().problem());
                        probe.put("solution", c.parsed().solution());
                        Decision d = decon.decide(JSON.writeValueAsString(probe));
                        if (d.kind() == Decision.Kind.REMOVED) {
                            reject(rej, reasons, c.response(), "contaminated", String.join(",", d.matched()));
                            continue;
                        }
                    }
                    out.write(JSON.writeValueAsString(rec));
                    out.write('\n');
                    kept++;
                }
            }
            return new Stats(answers, candidates.size(), kept, reasons);
        }
    }

    private static void reject(BufferedWriter rej, Map<String, Integer> reasons, JsonNode r, String reason) throws IOException {
        reject(rej, reasons, r, reason, null);
    }

    private static void reject(BufferedWriter rej, Map<String, Integer> reasons, JsonNode r, String reason, String detail)
            throws IOException {
        reasons.merge(reason, 1, Integer::sum);
        ObjectNode o = JSON.createObjectNode();
        o.put("seed_id", r.path("seed_id").asText());
        o.put("reason", reason);
        if (detail != null) o.put("detail", detail);
        o.put("response", r.path("response").asText());
        rej.write(JSON.writeValueAsString(o));
        rej.write('\n');
    }

    /** Reads seeds.jsonl into a map by id, in file order. */
    public static Map<String, Seed> readSeeds(Path seedsFile) throws IOException {
        Map<String, Seed> m = new LinkedHashMap<>();
        for (Jsonl.Line line : Jsonl.read(seedsFile, "seeds file")) {
            Seed s = JSON.treeToValue(line.json(), Seed.class);
            m.put(s.id(), s);
        }
        return m;
    }
}
