package io.sluice.definition;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The files of a pipeline directory, which together are a version (SPEC §1): sorted by path,
 * without {@code .git}, {@code .sluice} and editor swap files.
 *
 * <p>Symlinks are never followed out of the directory: a link to a file inside it counts as that
 * file's content; a link that leaves the directory, a link to a directory, and special files are
 * left out with a note. So a workspace copy never carries content from outside the pipeline.
 */
public final class PipelineDirectory {

    /** One file of the version: its path inside the pipeline, where to read it, and whether it is executable. */
    public record PipelineFile(String path, Path source, boolean executable) {
    }

    private final Path root;
    private final List<PipelineFile> files;
    private final List<String> skipped;

    private PipelineDirectory(Path root, List<PipelineFile> files, List<String> skipped) {
        this.root = root;
        this.files = List.copyOf(files);
        this.skipped = List.copyOf(skipped);
    }

    public static PipelineDirectory scan(Path directory) throws IOException {
        Path root = directory.toRealPath();
        List<PipelineFile> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && isExcluded(dir.getFileName().toString(), true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String relative = root.relativize(file).toString();
                if (isExcluded(file.getFileName().toString(), false)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    Path target;
                    try {
                        target = file.toRealPath();
                    } catch (IOException e) {
                        skipped.add(relative + ": broken symlink, left out");
                        return FileVisitResult.CONTINUE;
                    }
                    if (!target.startsWith(root)) {
                        skipped.add(relative + ": symlink to outside the pipeline directory, left out");
                    } else if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                        skipped.add(relative + ": symlink to a directory, left out");
                    } else {
                        files.add(new PipelineFile(relative, target, Files.isExecutable(target)));
                    }
                } else if (attrs.isRegularFile()) {
                    files.add(new PipelineFile(relative, file, Files.isExecutable(file)));
                } else {
                    skipped.add(relative + ": not a regular file, left out");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.add(root.relativize(file) + ": unreadable (" + e.getMessage() + "), left out");
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort((a, b) -> a.path().compareTo(b.path())); // not Comparator.comparing: see Problem.ORDER
        return new PipelineDirectory(root, files, skipped);
    }

    static boolean isExcluded(String name, boolean directory) {
        if (directory) {
            return name.equals(".git") || name.equals(".sluice");
        }
        return name.endsWith(".swp") || name.endsWith(".swo") || name.endsWith(".swx") || name.endsWith("~")
                || name.startsWith(".#") || (name.startsWith("#") && name.endsWith("#")) || name.equals(".DS_Store");
    }

    public Path root() {
        return root;
    }

    public List<PipelineFile> files() {
        return files;
    }

    /** Notes about what was left out, for validate to show as warnings. */
    public List<String> skipped() {
        return skipped;
    }

    /**
     * The version: SHA-256 over each file's path, executable bit and content, in path order, as 64
     * hex digits. The bit counts because it changes what a task can run: a version that passed its
     * tests must not become another one by a chmod.
     */
    public String version() throws IOException {
        MessageDigest all = sha256();
        byte[] buffer = new byte[64 * 1024];
        for (PipelineFile f : files) {
            MessageDigest content = sha256();
            try (InputStream in = Files.newInputStream(f.source())) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    content.update(buffer, 0, n);
                }
            }
            all.update(f.path().getBytes(StandardCharsets.UTF_8));
            all.update((byte) 0);
            all.update((byte) (f.executable() ? 'x' : '-'));
            all.update(content.digest());
        }
        return HexFormat.of().formatHex(all.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
