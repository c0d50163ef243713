package dev.codellm.data.ossinstruct;

import java.util.Locale;
import java.util.Map;

/** Programming language by file extension (what Magicoder's seed corpus keys on). */
public final class Languages {
    private Languages() {}

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("py", "python"), Map.entry("java", "java"), Map.entry("c", "c"), Map.entry("h", "c"),
            Map.entry("cc", "cpp"), Map.entry("cpp", "cpp"), Map.entry("cxx", "cpp"), Map.entry("hpp", "cpp"),
            Map.entry("hh", "cpp"), Map.entry("rs", "rust"), Map.entry("go", "go"), Map.entry("js", "javascript"),
            Map.entry("mjs", "javascript"), Map.entry("ts", "typescript"), Map.entry("sh", "shell"),
            Map.entry("bash", "shell"), Map.entry("rb", "ruby"), Map.entry("php", "php"), Map.entry("cs", "csharp"),
            Map.entry("kt", "kotlin"), Map.entry("scala", "scala"), Map.entry("swift", "swift"), Map.entry("lua", "lua"),
            Map.entry("pl", "perl"), Map.entry("pm", "perl"), Map.entry("r", "r"), Map.entry("sql", "sql"),
            Map.entry("hs", "haskell"), Map.entry("ml", "ocaml"), Map.entry("el", "elisp"), Map.entry("tcl", "tcl"));

    /** The language of a file name, or null when the extension is not a programming language we seed from. */
    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) return null;
        return BY_EXTENSION.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
