package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md matches the tree: its module table lists the build's modules with the
 * codellm modules each one's pom depends on (main scope), its package table every package that
 * has main code, and every CamelCase class name it puts in backticks is a class of the tree.
 */
class ArchitectureDocTest {
    static final Path ROOT = root();
    static final String DOC = read(ROOT.resolve("docs/architecture.md"));

    @Test
    void moduleTableIsTheBuildsModulesWithTheirDependencies() {
        Map<String, Set<String>> documented = new TreeMap<>();
        for (List<String> row : table("## Modules")) {
            Set<String> deps = new TreeSet<>();
            for (String d : row.get(2).split(",")) {
                String name = d.trim();
                if (!name.isEmpty() && !name.equals("—")) deps.add(name.startsWith("codellm-") ? name : "codellm-" + name);
            }
            documented.put(unquote(row.get(0)), deps);
        }
        Map<String, Set<String>> built = new TreeMap<>();
        String parent = read(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (m.find()) built.put(m.group(1), mainDependencies(ROOT.resolve(m.group(1)).resolve("pom.xml")));
        assertEquals(built, documented, "docs/architecture.md's module table against the poms");
    }

    @Test
    void packageTableIsEveryPackageWithMainCode() throws IOException {
        Set<String> documented = new TreeSet<>();
        for (List<String> row : table("## Packages")) documented.add(unquote(row.get(0)));
        Set<String> inTree = new TreeSet<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("codellm-")).toList()) {
                Path src = module.resolve("src/main/java");
                if (!Files.isDirectory(src)) continue;
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("module-info.java"))
                            .forEach(f -> inTree.add(src.relativize(f.getParent()).toString().replace('/', '.')));
                }
            }
        }
        assertEquals(inTree, documented, "docs/architecture.md's package table against the packages with main code");
    }

    @Test
    void everyClassItNamesExists() throws IOException {
        Set<String> classes = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(f -> f.toString().contains("/src/") && f.toString().endsWith(".java"))
                    .forEach(f -> classes.add(f.getFileName().toString().replace(".java", "")));
        }
        List<String> missing = new ArrayList<>();
        Matcher m = Pattern.compile("`([A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*)(?:[.#(][^`]*)?`").matcher(DOC);
        int named = 0;
        while (m.find()) {
            named++;
            if (!classes.contains(m.group(1))) missing.add(m.group(1));
        }
        assertTrue(named > 20, "the check found only " + named + " class names: has the doc's style changed?");
        assertEquals(List.of(), missing, "classes docs/architecture.md names that the tree does not have");
    }

    /** The rows (cells trimmed) of the first table after {@code heading}. */
    private static List<List<String>> table(String heading) {
        int at = DOC.indexOf("\n" + heading + "\n");
        assertTrue(at >= 0, "docs/architecture.md has no " + heading);
        List<List<String>> rows = new ArrayList<>();
        boolean in = false;
        for (String line : DOC.substring(at + heading.length() + 2).split("\n")) {
            if (line.startsWith("|")) {
                in = true;
                if (line.matches("\\|[-| ]+\\|")) continue;
                List<String> cells = new ArrayList<>();
                for (String c : line.substring(1, line.length() - 1).split("\\|")) cells.add(c.trim());
                rows.add(cells);
            } else if (in) {
                break;
            }
        }
        assertTrue(rows.size() > 1, heading + " has no table");
        return rows.subList(1, rows.size()); // without the header row
    }

    /** The codellm modules a pom depends on outside test scope. */
    private static Set<String> mainDependencies(Path pom) {
        String s = read(pom).replaceAll("(?s)<dependencyManagement>.*?</dependencyManagement>", "");
        Set<String> out = new TreeSet<>();
        Matcher d = Pattern.compile("(?s)<dependency>(.*?)</dependency>").matcher(s);
        while (d.find()) {
            Matcher a = Pattern.compile("<artifactId>(codellm-[a-z]+)</artifactId>").matcher(d.group(1));
            if (a.find() && !d.group(1).contains("<scope>test</scope>")) out.add(a.group(1));
        }
        return out;
    }

    private static String unquote(String cell) {
        return cell.replace("`", "").trim();
    }

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("docs")) && Files.exists(p.resolve("codellm-cli")))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
        return p;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
