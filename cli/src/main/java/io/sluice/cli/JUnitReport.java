package io.sluice.cli;

import io.sluice.engine.TestResult;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** Writes test results as JUnit XML (one testsuite per pipeline), the format CI systems read. */
final class JUnitReport {
    private JUnitReport() {
    }

    static void write(Path file, List<TestResult> results, String hostname) throws IOException {
        Map<String, List<TestResult>> byPipeline = new LinkedHashMap<>();
        results.forEach(r -> byPipeline.computeIfAbsent(r.pipeline(), k -> new java.util.ArrayList<>()).add(r));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("testsuites");
            xml.writeAttribute("name", "sluice test");
            xml.writeAttribute("tests", String.valueOf(results.size()));
            xml.writeAttribute("failures", String.valueOf(results.stream().filter(r -> !r.passed()).count()));
            for (var e : byPipeline.entrySet()) {
                List<TestResult> suite = e.getValue();
                xml.writeStartElement("testsuite");
                xml.writeAttribute("name", e.getKey());
                xml.writeAttribute("tests", String.valueOf(suite.size()));
                xml.writeAttribute("failures", String.valueOf(suite.stream().filter(r -> !r.passed()).count()));
                xml.writeAttribute("errors", "0");
                xml.writeAttribute("skipped", "0");
                xml.writeAttribute("time", seconds(suite.stream().mapToLong(r -> r.duration().toMillis()).sum()));
                xml.writeAttribute("hostname", hostname);
                for (TestResult r : suite) {
                    xml.writeStartElement("testcase");
                    xml.writeAttribute("classname", r.pipeline());
                    xml.writeAttribute("name", r.test());
                    xml.writeAttribute("time", seconds(r.duration().toMillis()));
                    if (!r.passed()) {
                        xml.writeStartElement("failure");
                        xml.writeAttribute("message", clean(String.join("; ", r.problems())));
                        xml.writeAttribute("type", "expectation");
                        StringBuilder body = new StringBuilder(String.join("\n", r.problems()));
                        if (!r.logExcerpt().isBlank()) {
                            body.append("\n\nlast lines of the failing log:\n").append(r.logExcerpt());
                        }
                        xml.writeCharacters(clean(body.toString()));
                        xml.writeEndElement();
                    }
                    xml.writeEndElement();
                }
                xml.writeEndElement();
            }
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.flush();
            xml.close();
            out.write('\n');
        } catch (XMLStreamException e) {
            throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
        }
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** XML 1.0 cannot carry most control characters, which task logs may hold. */
    static String clean(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
            b.appendCodePoint(ok ? c : '?');
        });
        return b.toString();
    }
}
