package io.sluice.yaml;

import io.sluice.yaml.YNode.Entry;
import io.sluice.yaml.YNode.YMap;
import io.sluice.yaml.YNode.YScalar;
import io.sluice.yaml.YNode.YSeq;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The trees of YAML texts read before, kept in files named by the SHA-256 of the text. In a cold
 * JVM, snakeyaml's scanner takes 80-100 ms for a 200-task pipeline.yaml, half the start of
 * {@code sluice run}; decoding the same tree from here takes a few. Only a text that read without
 * a problem and without aliases is kept, so a tree from here is exactly what reading the text
 * would give, and the readers after it (keys, types, validation) run on it as they always do.
 * A file that cannot be read back, for any reason, is as good as absent.
 */
public final class YamlTreeCache {
    /** Changes whenever the layout below changes: older files are then simply not found. */
    private static final String FORMAT = "1";
    private static final int MAGIC = 0x534c5954; // "SLYT"
    private static final byte SCALAR = 1;
    private static final byte SEQ = 2;
    private static final byte MAP = 3;
    /** Past this many files, the oldest half is deleted when one is added. */
    static final int MAX_FILES = 200;

    private final Path directory;
    private final YamlLimits limits;

    public YamlTreeCache(Path directory, YamlLimits limits) {
        this.directory = directory;
        this.limits = limits;
    }

    /** The name a text's tree is kept under. */
    static String keyOf(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash) + ".v" + FORMAT;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The tree kept for {@code key}, if there is a readable one. */
    Optional<YNode> get(String key) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(directory.resolve(key));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.getInt() != MAGIC) {
                return Optional.empty();
            }
            YNode root = new Decoder(in).node(0);
            return in.hasRemaining() ? Optional.empty() : Optional.of(root);
        } catch (BufferUnderflowException | CorruptTree | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Keeps {@code tree} under {@code key}; a home that cannot be written to only loses the speed-up. */
    void put(String key, YNode tree) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            write(out, tree);
            out.flush();
            Files.createDirectories(directory);
            Path temp = Files.createTempFile(directory, "tree", ".tmp");
            try {
                Files.write(temp, bytes.toByteArray());
                try {
                    Files.move(temp, directory.resolve(key), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, directory.resolve(key), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            trim();
        } catch (IOException | RuntimeException e) {
            // the next read parses the text again
        }
    }

    /** Deletes the oldest files once there are more than {@link #MAX_FILES}, keeping the newest half. */
    private void trim() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            entries.forEach(files::add);
        }
        if (files.size() <= MAX_FILES) {
            return;
        }
        List<Aged> aged = new ArrayList<>();
        for (Path f : files) {
            try {
                aged.add(new Aged(f, Files.getLastModifiedTime(f)));
            } catch (IOException e) {
                // deleted meanwhile by another process
            }
        }
        aged.sort((a, b) -> a.modified.compareTo(b.modified));
        for (int i = 0; i < aged.size() - MAX_FILES / 2; i++) {
            Files.deleteIfExists(aged.get(i).file);
        }
    }

    private record Aged(Path file, FileTime modified) {
    }

    private static void write(DataOutputStream out, YNode node) throws IOException {
        switch (node) {
            case YScalar s -> {
                out.writeByte(SCALAR);
                writePosition(out, s.position());
                out.writeBoolean(s.plain());
                byte[] value = s.value().getBytes(StandardCharsets.UTF_8);
                out.writeInt(value.length);
                out.write(value);
            }
            case YSeq q -> {
                out.writeByte(SEQ);
                writePosition(out, q.position());
                out.writeInt(q.items().size());
                for (YNode item : q.items()) {
                    write(out, item);
                }
            }
            case YMap m -> {
                out.writeByte(MAP);
                writePosition(out, m.position());
                out.writeInt(m.entries().size());
                for (Entry e : m.entries()) {
                    write(out, e.key());
                    write(out, e.value());
                }
            }
        }
    }

    private static void writePosition(DataOutputStream out, Position at) throws IOException {
        out.writeInt(at.line());
        out.writeInt(at.column());
    }

    /** Reads what {@link #write} wrote; anything else ends in {@link CorruptTree} or an underflow. */
    private final class Decoder {
        private final ByteBuffer in;
        private int nodes;

        Decoder(ByteBuffer in) {
            this.in = in;
        }

        YNode node(int depth) {
            if (depth > limits.maxDepth() || ++nodes > limits.maxNodes()) {
                throw new CorruptTree();
            }
            byte kind = in.get();
            Position at = new Position(in.getInt(), in.getInt());
            return switch (kind) {
                case SCALAR -> scalar(at);
                case SEQ -> {
                    int size = count();
                    List<YNode> items = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        items.add(node(depth + 1));
                    }
                    yield new YSeq(List.copyOf(items), at);
                }
                case MAP -> {
                    int size = count();
                    List<Entry> entries = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        if (!(node(depth + 1) instanceof YScalar key)) {
                            throw new CorruptTree();
                        }
                        entries.add(new Entry(key, node(depth + 1)));
                    }
                    yield new YMap(List.copyOf(entries), at);
                }
                default -> throw new CorruptTree();
            };
        }

        private YScalar scalar(Position at) {
            boolean plain = in.get() != 0;
            int length = count();
            String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return new YScalar(value, plain, at);
        }

        /** A length or count, which cannot be more than the bytes left. */
        private int count() {
            int n = in.getInt();
            if (n < 0 || n > in.remaining()) {
                throw new CorruptTree();
            }
            return n;
        }
    }

    /** The file is not a tree this version wrote. */
    private static final class CorruptTree extends RuntimeException {
        CorruptTree() {
            super(null, null, false, false);
        }
    }
}
