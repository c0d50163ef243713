package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules docs/architecture.md states and Maven's module dependencies cannot express, checked
 * on every main source file's references to codellm classes (imports and qualified names): the
 * model module's users reach only its public packages, the GGUF container imports no tokenizer,
 * and the CLI does not wire the engine itself.
 */
class ModuleBoundariesTest {
    static final Path ROOT = ArchitectureDocTest.ROOT;
    static final Pattern REF = Pattern.compile("\\bdev\\.codellm\\.((?:[a-z0-9]+\\.)*[a-z0-9]+)\\.([A-Z]\\w*)");

    /** One reference from a source file: the package it names and the class. */
    record Ref(Path file, String pkg, String cls) {
        @Override public String toString() { return ROOT.relativize(file) + " -> " + pkg + "." + cls; }
    }

    @Test
    void ggufContainerKnowsNoModelPackageAboveIt() {
        assertEquals(List.of(), violations("codellm-model", "dev/codellm/model/gguf",
                r -> r.pkg.startsWith("model.") && !r.pkg.equals("model.gguf")));
    }

    @Test
    void serverReachesOnlyTheModelModulesPublicPackages() {
        assertEquals(List.of(), violations("codellm-server", "", r -> r.pkg.startsWith("model.")
                && !(r.pkg.equals("model.generate") || r.pkg.equals("model.gguf") || r.pkg.equals("model.tokenizer"))));
    }

    @Test
    void evalAndDataModulesDoNotReachModelsServerOrTrainer() {
        for (String m : List.of("codellm-eval", "codellm-data", "codellm-decontam", "codellm-embed", "codellm-spark"))
            assertEquals(List.of(), violations(m, "", r -> r.pkg.startsWith("model") || r.pkg.startsWith("server") || r.pkg.startsWith("train")
                    || r.pkg.startsWith("cli")), m + " reaches models only through core's Generator");
    }

    @Test
    void modelKnowsNothingOfServingEvaluationOrTraining() {
        assertEquals(List.of(), violations("codellm-model", "", r -> !r.pkg.startsWith("model") && !r.pkg.startsWith("core")));
        assertEquals(List.of(), violations("codellm-core", "", r -> !r.pkg.startsWith("core")));
    }

    @Test
    void cliDoesNotWireTheEngine() {
        assertEquals(List.of(), violations("codellm-cli", "", r -> r.pkg.equals("model.kernels")
                || (r.pkg.equals("model.llama") && List.of("LlamaModel", "Session", "KvType", "LayerWeights", "KvMath", "Rope").contains(r.cls))));
    }

    /** References in {@code module}'s main code (under {@code under}) that {@code forbidden} matches. */
    static List<String> violations(String module, String under, Predicate<Ref> forbidden) {
        Path src = ROOT.resolve(module).resolve("src/main/java");
        assertTrue(Files.isDirectory(src), src + " is missing");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src.resolve(under))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                Matcher m = REF.matcher(text);
                while (m.find()) {
                    Ref r = new Ref(f, m.group(1), m.group(2));
                    if (forbidden.test(r)) out.add(r.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.stream().distinct().sorted().toList();
    }
}
