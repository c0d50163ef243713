package dev.codellm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text from the command line means the same in every command: it is taken as typed (a backslash-n
 * in {@code 'x = "a\nb"'} stays two characters, as it must inside a string literal of code), and
 * only {@code --escape} turns escape sequences into the characters they name. Text from a file is
 * never changed.
 */
final class TextArgs {
    private TextArgs() {}

    /**
     * {@code \n \t \r \0 \\ \" \'} and {@code \xHH} become the characters they name; any other
     * backslash stays as it is (so {@code \d} in a regex survives).
     */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(i + 1);
            switch (n) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '0' -> b.append('\0');
                case '\\', '"', '\'' -> b.append(n);
                case 'x' -> {
                    if (i + 3 < s.length() && isHex(s.charAt(i + 2)) && isHex(s.charAt(i + 3))) {
                        b.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                        i += 2;
                    } else {
                        b.append("\\x");
                    }
                }
                default -> b.append(c).append(n);
            }
            i++;
        }
        return b.toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /**
     * The text given inline ({@code --what}, unescaped only when {@code escape}) or read from a file
     * ({@code --what-file}, as it is); at most one of them; null when neither is given.
     */
    static String inlineOrFile(String inline, Path file, String what, boolean escape) throws IOException {
        if (inline != null && file != null) throw new IllegalArgumentException("give the " + what + " either inline or as a file, not both");
        if (file != null) return Files.readString(file, StandardCharsets.UTF_8);
        if (inline == null) return null;
        return escape ? unescape(inline) : inline;
    }
}
