package coop.bulwark.site;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads YAML text into a {@link YamlNode} tree with positions, using Jackson's streaming {@link YAMLParser} (no data
 * binding, so no reflection and no surprise coercions).
 *
 * <p>Reported here: syntax errors (at the position the YAML parser gives), duplicate keys (at the second occurrence;
 * the first one is kept), aliases ({@code *name}; anchors make a file hard to review, and a config this flat does not
 * need them), and a second document.
 *
 * <p>Public for the lab's scenario reader, which reads its YAML into the same positioned tree.
 */
public final class YamlTreeReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final ConfigProblems problems;

    private YamlTreeReader(ConfigProblems problems) {
        this.problems = problems;
    }

    /**
     * The root node of {@code text}, or empty when the text is empty or not valid YAML (the problem is then in
     * {@code problems}).
     */
    public static Optional<YamlNode> read(String text, ConfigProblems problems) {
        return read(text, problems, "a YAML mapping with at least listen and sites");
    }

    /**
     * As {@link #read(String, ConfigProblems)}, for a file whose empty form is reported as {@code empty config file
     * (expected: expectedContent)}.
     */
    public static Optional<YamlNode> read(String text, ConfigProblems problems, String expectedContent) {
        YamlTreeReader reader = new YamlTreeReader(problems);
        try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(1, 1, "empty config file (expected: " + expectedContent + ")");
                return Optional.empty();
            }
            YamlNode root = reader.value(parser, first, "");
            if (parser.nextToken() != null) {
                JsonLocation at = parser.currentTokenLocation();
                problems.add(
                        at.getLineNr(),
                        at.getColumnNr(),
                        "second YAML document (expected: one document; remove the '---' separator)");
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int line = at == null ? 0 : Math.max(at.getLineNr(), 0);
            int column = at == null ? 0 : Math.max(at.getColumnNr(), 0);
            problems.add(line, column, "invalid YAML: " + syntaxMessage(e));
            return Optional.empty();
        } catch (IOException e) {
            // Reading from a String cannot fail with plain I/O; keep the message if it somehow does.
            problems.add(0, 0, "cannot read config: " + e.getMessage());
            return Optional.empty();
        }
    }

    private YamlNode value(YAMLParser parser, JsonToken token, String path) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        return switch (token) {
            case START_OBJECT -> mapping(parser, path, line, column);
            case START_ARRAY -> sequence(parser, path, line, column);
            case VALUE_NULL -> new YamlNode.Empty(line, column);
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_EMBEDDED_OBJECT -> {
                String text = parser.getText();
                if (parser.isCurrentAlias()) {
                    problems.add(
                            line,
                            column,
                            path + ": *" + text + " (expected: a plain value; YAML aliases are not supported)");
                    // Read as absent, so the binder does not report the alias name a second time as a bad value.
                    yield new YamlNode.Empty(line, column);
                }
                yield new YamlNode.Scalar(text == null ? "" : text, line, column);
            }
            default -> throw new IllegalStateException("unexpected YAML token " + token + " at " + line + ":" + column);
        };
    }

    private YamlNode mapping(YAMLParser parser, String path, int line, int column) throws IOException {
        List<YamlNode.Entry> entries = new ArrayList<>();
        Map<String, YamlNode.Entry> seen = new HashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_OBJECT) {
            if (token == null) {
                throw new IllegalStateException("YAML mapping not closed");
            }
            JsonLocation keyAt = parser.currentTokenLocation();
            String key = parser.currentName();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            YamlNode value = value(parser, parser.nextToken(), keyPath);
            YamlNode.Entry entry = new YamlNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), value);
            YamlNode.Entry first = seen.putIfAbsent(key, entry);
            if (first == null) {
                entries.add(entry);
            } else {
                problems.add(
                        entry.line(),
                        entry.column(),
                        keyPath + ": duplicate key (expected: each key once; first at line " + first.line() + ")");
            }
        }
        return new YamlNode.Mapping(entries, line, column);
    }

    private YamlNode sequence(YAMLParser parser, String path, int line, int column) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new IllegalStateException("YAML sequence not closed");
            }
            items.add(value(parser, token, path + "[" + items.size() + "]"));
        }
        return new YamlNode.Sequence(items, line, column);
    }

    /** The YAML parser's own one-line reason, without the multi-line source excerpt it appends. */
    private static String syntaxMessage(JsonProcessingException e) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked
                && marked.getProblem() != null) {
            String context = marked.getContext();
            return context == null ? marked.getProblem() : context + ": " + marked.getProblem();
        }
        String message = e.getOriginalMessage();
        int newline = message == null ? -1 : message.indexOf('\n');
        return newline < 0 ? String.valueOf(message) : message.substring(0, newline);
    }
}
