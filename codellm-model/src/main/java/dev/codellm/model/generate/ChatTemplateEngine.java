package dev.codellm.model.generate;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.codellm.core.BadRequestException;
import dev.codellm.core.CodellmException;
import java.io.IOException;
import com.hubspot.jinjava.tree.Node;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinja as Hugging Face's {@code apply_chat_template} runs it (transformers'
 * {@code _compile_jinja_template}: {@code trim_blocks}, {@code lstrip_blocks}, loop controls, a
 * {@code raise_exception(msg)} global, {@code tojson} as {@code json.dumps(ensure_ascii=False)}),
 * on Jinjava with Jinja2's whitespace control ({@link Jinja2Source} for the rest of the grammar), Python's {@code str.strip}
 * for {@code trim} and Python {@code str} methods on strings. A GGUF's template is untrusted input:
 * tags that load other files are disabled and the output size is bounded.
 */
final class ChatTemplateEngine {
    /** Longest rendered prompt accepted (a 128k-token context is well under 1 MiB of text). */
    static final long MAX_OUTPUT_CHARS = 16L << 20;

    private static final Jinjava JINJAVA = create();
    /** Parsed templates by (adapted) source: parsing costs as much as rendering a short chat. */
    private static final Map<String, Node> PARSED = new ConcurrentHashMap<>();

    private ChatTemplateEngine() {}

    /**
     * The template rendered with {@code vars}. A template that calls {@code raise_exception} fails
     * with a {@link BadRequestException} (param {@code messages}) carrying its message; one that
     * cannot be rendered at all, with a {@link CodellmException} naming the template.
     */
    static String render(String name, String source, Map<String, Object> vars) {
        String jinjava = Jinja2Source.forJinjava(name, source); // may refuse: outside the catch below
        if (!PARSED.containsKey(jinjava)) {
            for (String filter : Jinja2Source.filterNames(jinjava)) {
                if (JINJAVA.getGlobalContext().getFilter(filter) == null) {
                    throw new CodellmException("chat template " + name + " cannot be rendered: it uses a filter '" + filter
                            + "' this Jinja engine does not have; choose a built-in one with --template");
                }
            }
        }
        String output;
        List<TemplateError> errors;
        Context context = new Context(JINJAVA.getGlobalContext(), vars, JINJAVA.getGlobalConfig().getDisabled());
        JinjavaInterpreter interpreter = new JinjavaInterpreter(JINJAVA, context, JINJAVA.getGlobalConfig());
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            Node tree = PARSED.get(jinjava);
            if (tree == null) {
                tree = interpreter.parse(jinjava);
                if (interpreter.getErrorsCopy().isEmpty()) PARSED.put(jinjava, tree); // a faulty one is parsed (and reported) each time
            }
            output = interpreter.render(tree, true);
            errors = interpreter.getErrorsCopy();
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new CodellmException("chat template " + name + " cannot be rendered: " + why + "; choose a built-in one with --template", e);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        if (PARSED.size() > 64) PARSED.clear(); // a server loads one template; keep the cache small anyway
        RenderResult r = new RenderResult(output, context, errors);
        for (TemplateError e : r.getErrors()) {
            String raised = raisedMessage(e.getException());
            if (raised != null) throw new BadRequestException("chat template " + name + " refused the conversation: " + raised, "messages");
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new CodellmException("chat template " + name + " cannot be rendered: " + e.getMessage()
                        + (e.getLineno() > 0 ? " (line " + e.getLineno() + ")" : "") + "; choose a built-in one with --template");
            }
        }
        return r.getOutput();
    }

    /** {@code raise_exception(message)}: what a template calls to refuse a conversation. */
    public static String raiseException(Object message) {
        throw new Raised(String.valueOf(message));
    }

    private static String raisedMessage(Throwable t) {
        for (; t != null; t = t.getCause()) if (t instanceof Raised r) return r.getMessage();
        return null;
    }

    /** Thrown by {@link #raiseException}; recognised in Jinjava's error chain. */
    private static final class Raised extends RuntimeException {
        Raised(String message) { super(message, null, false, false); }
    }

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        Map<Context.Library, Set<String>> disabled = new EnumMap<>(Context.Library.class);
        disabled.put(Context.Library.TAG, Set.of("include", "import", "from", "extends"));
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withKeepTrailingNewline(true)
                .withFailOnUnknownTokens(false)
                .withNestedInterpretationEnabled(false) // message text is data: "{{ x }}" in it must stay as written
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withElResolver(resolver)
                .withDisabled(disabled)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        Jinjava j = new Jinjava(config);
        j.setResourceLocator((path, charset, interpreter) -> {
            throw new IOException("chat templates cannot load other files (" + path + ")");
        });
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplateEngine.class, "raiseException", Object.class));
        j.getGlobalContext().registerFilter(new TrimFilter());
        j.getGlobalContext().registerFilter(new ToJsonFilter());
        return j;
    }

    /** {@code trim(chars=None)}: Python's {@code str.strip}, as Jinja2's {@code do_trim}. */
    private static final class TrimFilter implements Filter {
        @Override public String getName() { return "trim"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var == null ? "" : PythonStrings.strip(var.toString(), args.length > 0 ? args[0] : null);
        }
    }

    /** {@code tojson(indent=None)}: Python's {@code json.dumps(x, ensure_ascii=False)}, as transformers defines it. */
    private static final class ToJsonFilter implements Filter {
        @Override public String getName() { return "tojson"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonJson.dumps(var, args.length > 0 && args[0] != null ? Integer.parseInt(args[0]) : -1);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            return PythonJson.dumps(var, indent == null ? -1 : ((Number) indent).intValue());
        }
    }
}
