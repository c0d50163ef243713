package dev.codellm.core.report;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void escapesEveryMarkupCharacterInTextAndAttributes() {
        assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", Html.esc("<script>alert('x')</script> & \"q\""));
        assertEquals("", Html.esc(null));
    }

    @Test
    void tablesEscapeCellsAndPagesTheTitle() {
        assertEquals("<table><tr><th>a&lt;b</th></tr><tr><td>x &amp; y</td></tr></table>", Html.table(List.of("a<b"), List.of(List.of("x & y"))));
        String page = Html.page("run <1>", "<p>body</p>");
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("<title>run &lt;1&gt;</title>") && page.contains("<p>body</p>"));
    }
}
