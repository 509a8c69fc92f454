package coop.bulwark.site;

import java.util.List;
import java.util.Objects;

/**
 * A YAML value as read from a config file, with the 1-based line and column where it starts, so every problem the
 * binder finds can point at the exact spot. Built by {@link YamlTreeReader}; immutable.
 *
 * <p>Scalars keep the text exactly as written (YAML's own typing of {@code yes}, {@code 0x10} or {@code 010} is
 * ignored): the binder decides what a value means from the key it belongs to.
 *
 * <p>Public for the lab's scenario reader (lists of scalars and of mappings are read through it).
 */
public sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Empty, YamlNode.Mapping, YamlNode.Sequence {
    int line();

    int column();

    /** How the value reads in a message: the scalar as written, or what kind of thing it is. */
    String describe();

    /** A scalar ({@code 10s}, {@code "*.example.org"}, {@code 8080}), text as written without quotes. */
    record Scalar(String text, int line, int column) implements YamlNode {
        public Scalar {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String describe() {
            return text.isEmpty() ? "\"\"" : text;
        }
    }

    /** A key with no value ({@code key:}), {@code ~} or {@code null}. */
    record Empty(int line, int column) implements YamlNode {
        @Override
        public String describe() {
            return "(empty)";
        }
    }

    /** A mapping in file order; keys are unique (the reader reports duplicates and keeps the first). */
    record Mapping(List<Entry> entries, int line, int column) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        @Override
        public String describe() {
            return "(a mapping)";
        }
    }

    /** A sequence ({@code [a, b]} or a block list). */
    record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "(a list)";
        }
    }

    /** One {@code key: value} pair; the position is the key's. */
    record Entry(String key, int line, int column, YamlNode value) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }
}
