package dev.codellm.core.report;

import static org.junit.jupiter.api.Assertions.*;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The charts parse as XML, escape every label, and lay texts out so none is cut. */
class SvgChartTest {
    static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }

    static List<String> texts(Document d) {
        List<String> out = new ArrayList<>();
        NodeList n = d.getElementsByTagName("text");
        for (int i = 0; i < n.getLength(); i++) out.add(n.item(i).getTextContent());
        return out;
    }

    @Test
    void groupedBarsNameEverySeriesLabelMissingValuesAndEscape() throws Exception {
        String svg = SvgChart.bars("pass@k (k+ = with <plus> tests & more)").categories(List.of("pass@1", "C# & F#"))
                .series("base", new double[] {0.5, 0.0}).series("plus", new double[] {0.5, Double.NaN}).percent().svg();
        Document d = parse(svg);
        List<String> t = texts(d);
        assertEquals("pass@k (k+ = with <plus> tests & more)", t.get(0), "title escaped, whole");
        assertTrue(t.containsAll(List.of("base", "plus", "C# & F#", "n/a", "0.0", "0%", "100%")), t.toString());
        assertEquals(2, t.stream().filter("50.0"::equals).count(), "one value label per bar");
        // The zero bar is still drawn (as a thin bar on the axis); the missing one is not.
        NodeList rects = d.getElementsByTagName("rect");
        int bars = 0;
        for (int i = 0; i < rects.getLength(); i++) if (((Element) rects.item(i)).getElementsByTagName("title").getLength() > 0) bars++;
        assertEquals(3, bars);
        // Wide enough for its title (13 px bold, ~0.6 em per glyph).
        int width = Integer.parseInt(d.getDocumentElement().getAttribute("width"));
        assertTrue(width >= 0.6 * 13 * t.get(0).length(), "width " + width);
    }

    @Test
    void aLegendNameLongerThanThePlotWidensTheChart() throws Exception {
        // HumanEval+'s one-category chart: "plus (base + extra tests)" was cut at the SVG's edge.
        String name = "plus (base + extra tests)";
        Document d = parse(SvgChart.bars("pass@k").categories(List.of("pass@1")).percent()
                .series("base", new double[] {0.1}).series(name, new double[] {0.05}).svg());
        int width = Integer.parseInt(d.getDocumentElement().getAttribute("width"));
        NodeList n = d.getElementsByTagName("text");
        for (int i = 0; i < n.getLength(); i++) {
            Element e = (Element) n.item(i);
            if (!name.equals(e.getTextContent())) continue;
            double x = Double.parseDouble(e.getAttribute("x"));
            assertTrue(x + 0.6 * 11 * name.length() <= width, "legend text ends at " + (x + 0.6 * 11 * name.length()) + " of " + width);
            return;
        }
        fail("no legend entry " + name);
    }

    @Test
    void rejectsASeriesOfTheWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> SvgChart.bars("t").categories(List.of("a", "b")).series("s", new double[] {1}));
    }

    @Test
    void ticksAreRoundNumbers() {
        assertArrayEquals(new double[] {0, 1, 2, 3}, SvgChart.Ticks.nice(0, 2.7, 6), 1e-12);
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2, 2.5, 3}, SvgChart.Ticks.nice(0, 2.7, 8), 1e-12);
        assertArrayEquals(new double[] {2, 4, 6, 8}, SvgChart.Ticks.nice(2.3, 6.8, 5), 1e-12);
        assertArrayEquals(new double[] {0, 200, 400, 600, 800, 1000}, SvgChart.Ticks.nice(0, 1000, 6), 1e-12);
        assertEquals("2.5", SvgChart.Ticks.label(2.5, false));
        assertEquals("50%", SvgChart.Ticks.label(50, true));
    }

    @Test
    void linesHaveALegendBelowThePlotAndRoundTicks() throws Exception {
        List<double[]> train = new ArrayList<>();
        for (int s = 0; s <= 30; s++) train.add(new double[] {s, 5.7 - s * 0.1});
        String svg = SvgChart.lines("loss <nats>").series("train loss", train).series("held-out", List.of(new double[] {30, 3.1}))
                .xLabel("optimizer step").yLabel("nats/token").svg();
        Document d = parse(svg);
        List<String> t = texts(d);
        assertTrue(t.containsAll(List.of("loss <nats>", "train loss", "held-out", "optimizer step", "nats/token", "0", "30", "3", "6")), t.toString());
        assertEquals(2, d.getElementsByTagName("polyline").getLength());
        // The legend is below the plot frame, so it cannot cover a curve.
        Element frame = (Element) d.getElementsByTagName("rect").item(0);
        double frameBottom = Double.parseDouble(frame.getAttribute("y")) + Double.parseDouble(frame.getAttribute("height"));
        NodeList texts = d.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element e = (Element) texts.item(i);
            if (e.getTextContent().equals("train loss")) assertTrue(Double.parseDouble(e.getAttribute("y")) > frameBottom + 20);
        }
    }

    @Test
    void horizontalBarsAndStripEscapeLabels() throws Exception {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("Web <Problems>", 3);
        m.put("none", 0);
        Document d = parse(SvgChart.horizontalBars("Categories", m));
        assertTrue(texts(d).containsAll(List.of("Web <Problems>", "3", "0")));
        Document s = parse(SvgChart.strip("per task", List.of("HumanEval/0", "<x>"), new double[] {1, 0}));
        assertEquals(Arrays.asList("per task", "per task"), List.of(texts(s).get(0), s.getElementsByTagName("title").item(0).getTextContent()));
        assertEquals("<x>: 0%", s.getElementsByTagName("title").item(2).getTextContent());
    }

    @Test
    void tickLabelsKeepTheDecimalsOfTheirStep() {
        // a learning rate axis: %.4f had turned 0.00005 into "0.0001"
        assertArrayEquals(new String[] {"0", "0.5e-4", "1e-4", "1.5e-4"}, SvgChart.Ticks.labels(new double[] {0, 5e-5, 1e-4, 1.5e-4}));
        assertArrayEquals(new String[] {"0", "1e-4", "2e-4", "3e-4"}, SvgChart.Ticks.labels(SvgChart.Ticks.nice(0, 3e-4, 4)));
        assertArrayEquals(new String[] {"0.5", "1.0", "1.5"}, SvgChart.Ticks.labels(new double[] {0.5, 1.0, 1.5}));
        assertArrayEquals(new String[] {"0", "100", "200"}, SvgChart.Ticks.labels(new double[] {0, 100, 200}));
    }

    @Test
    void aFlatOrNearlyFlatSeriesStillGetsDistinctTicks() {
        // a constant learning rate plus rounding noise: the step had come out 0 and the label
        // format asked for ~2^31 decimals (OutOfMemoryError in the training run's loss page)
        for (double[] range : new double[][] {{3e-4, 3e-4}, {3e-4, 3e-4 + 5e-20}, {2.5, 2.5 + 1e-17}, {0, 0}, {Double.NaN, 1}}) {
            double[] t = SvgChart.Ticks.nice(range[0], range[1], 5);
            assertTrue(t.length >= 2 && t[1] > t[0], Arrays.toString(range) + " -> " + Arrays.toString(t));
            for (String l : SvgChart.Ticks.labels(t)) assertTrue(l.length() < 24, l);
        }
        assertArrayEquals(new String[] {"1", "1", "1"}, SvgChart.Ticks.labels(new double[] {1, 1, 1}));
    }
}
