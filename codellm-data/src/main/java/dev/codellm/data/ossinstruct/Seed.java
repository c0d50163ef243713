package dev.codellm.data.ossinstruct;

/**
 * One seed snippet: {@code lines} consecutive lines of a real source file.
 *
 * @param id        stable id ({@code seed-000042}); responses and results refer to it
 * @param lang      language from the file extension
 * @param path      where the snippet came from (relative path or the record's path field)
 * @param startLine first line, 1-based
 * @param endLine   last line, inclusive
 * @param code      the snippet
 */
public record Seed(String id, String lang, String path, int startLine, int endLine, String code) {}
