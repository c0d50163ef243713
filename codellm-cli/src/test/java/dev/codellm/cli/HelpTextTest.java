package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Walks the whole picocli command tree: every command's first description line (what
 * {@code codellm --help} lists) is a whole sentence, every option and parameter is described, and
 * every one with a default shows it in its help (a {@code defaultValue} by its value; a field's
 * initial value, which picocli cannot show, by the text saying what the default is).
 */
class HelpTextTest {

    static List<CommandLine> all(CommandLine c) {
        List<CommandLine> out = new ArrayList<>(List.of(c));
        for (CommandLine sub : c.getSubcommands().values()) {
            if (sub.getCommand() instanceof CommandLine.HelpCommand || out.contains(sub)) continue;
            out.addAll(all(sub));
        }
        return out.stream().distinct().toList();
    }

    static String where(CommandSpec cmd, ArgSpec a) {
        String name = a instanceof OptionSpec o ? o.longestName() : ((PositionalParamSpec) a).paramLabel();
        return cmd.qualifiedName() + " " + name;
    }

    @Test
    void everyOptionIsDescribedAndShowsItsDefault() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cl : all(new CommandLine(new Main()))) {
            CommandSpec cmd = cl.getCommandSpec();
            List<ArgSpec> args = new ArrayList<>(cmd.options());
            args.addAll(cmd.positionalParameters());
            for (ArgSpec a : args) {
                if (a instanceof OptionSpec o && (o.usageHelp() || o.versionHelp())) continue;
                String text = String.join(" ", a.renderedDescription()).strip();
                if (text.isEmpty()) {
                    problems.add(where(cmd, a) + ": no description");
                    continue;
                }
                boolean flag = a.type() == boolean.class || a.type() == Boolean.class;
                if (a.defaultValue() != null && !flag && !text.contains(a.defaultValue())) {
                    problems.add(where(cmd, a) + ": default " + a.defaultValue() + " not shown in \"" + text + "\"");
                }
                // a default given as the field's value (or a primitive's 0) never reaches ${DEFAULT-VALUE}: the text must say it
                Object initial = a.initialValue();
                boolean single = initial != null && !(initial instanceof java.util.Collection<?>) && !(initial instanceof java.util.Map<?, ?>)
                        && !initial.getClass().isArray();
                if (a.defaultValue() == null && single && !flag && !text.toLowerCase(java.util.Locale.ROOT).contains("default")) {
                    problems.add(where(cmd, a) + ": starts at " + initial + " but its text does not say the default: \"" + text + "\"");
                }
            }
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    /** picocli formats descriptions (String.format): a bare '%' prints a [picocli WARN] line over the help text. */
    @Test
    void everyHelpRendersWithoutPicocliWarnings() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        List<String> problems = new ArrayList<>();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            for (CommandLine cl : all(new CommandLine(new Main()))) {
                captured.reset();
                cl.getUsageMessage();
                String warned = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
                if (!warned.isEmpty()) problems.add(cl.getCommandSpec().qualifiedName() + ": " + warned.strip());
            }
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    void theCommandListShowsWholeSentences() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cl : all(new CommandLine(new Main()))) {
            String[] d = cl.getCommandSpec().usageMessage().description();
            if (d.length == 0 || !d[0].strip().endsWith(".")) problems.add(cl.getCommandSpec().qualifiedName() + ": \"" + (d.length == 0 ? "" : d[0]) + "\"");
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
        String eval = new CommandLine(new Main()).getSubcommands().get("eval").getCommandSpec().usageMessage().description()[0];
        assertTrue(eval.contains("MultiPL-E"), eval);
    }

    @Test
    void topLevelHelpListsEveryCommandOnOneLine() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("oss-instruct"), r.out());
        assertTrue(r.out().contains("install-link"), "the launcher's own command is mentioned: " + r.out());
    }
}
