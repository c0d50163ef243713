package dev.codellm.decontam;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Test helper: a JSON string literal. */
final class Json {
    private Json() {}

    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
