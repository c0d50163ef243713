package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** {@code codellm eval compare} of finished runs of one family: a table, its JSON, an HTML page. */
public interface RunComparison {
    String text();

    JsonNode json();

    void writeHtml(Path file);
}
