package dev.csmserver.contexts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link ContextStore}: one {@code {id}.ctx} file per context in a directory, in {@link
 * StoredContextCodec}'s form. A context is written whole to a temp file in the same directory and
 * then hard-linked to its final name, which fails if the name exists: the file system decides
 * atomically which of several concurrent creates wins, a reader never sees half a context, and the
 * store survives restarts. Ids are restricted to {@code [A-Za-z0-9_-]{1,64}} so they can never name
 * a path outside the directory.
 */
public final class FileContextStore implements ContextStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileContextStore.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String SUFFIX = ".ctx";

    private final Path dir;
    private final Consumer<CorruptContextException> onCorrupt;

    public FileContextStore(Path dir) {
        this(dir, e -> {});
    }

    /** {@code onCorrupt} hears of every unreadable entry met (for a metric); it is also logged. */
    public FileContextStore(Path dir, Consumer<CorruptContextException> onCorrupt) {
        this.dir = dir;
        this.onCorrupt = onCorrupt;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create context directory " + dir, e);
        }
    }

    /** Whether {@code id} is a well-formed context id. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    @Override
    public void create(StoredContext context) {
        Path target = file(context.id());
        byte[] data = StoredContextCodec.encode(context);
        try {
            Path tmp = Files.createTempFile(dir, ".put-", ".tmp");
            try {
                Files.write(tmp, data);
                link(tmp, target, context.id());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot write context " + context.id(), e);
        }
    }

    /** Publishes the complete {@code tmp} as {@code target} unless {@code target} exists. */
    private static void link(Path tmp, Path target, String id) throws IOException {
        try {
            Files.createLink(target, tmp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw new ContextExistsException(id);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug(
                    "hard links unavailable in {} ({}); claiming the name first",
                    target.getParent(),
                    e.toString());
        }
        // A file system without hard links: claim the name atomically, then move the data over the
        // claim. A reader in between sees an empty (unreadable) entry, never someone else's
        // context.
        try {
            Files.createFile(target);
        } catch (FileAlreadyExistsException e) {
            throw new ContextExistsException(id);
        }
        try {
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public Optional<StoredContext> get(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(file(id), id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (CorruptContextException e) {
            corrupt(e);
            throw e;
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot read context " + id, e);
        }
    }

    @Override
    public boolean exists(String id) {
        return isValidId(id) && Files.exists(file(id));
    }

    @Override
    public List<StoredContext> list() {
        List<StoredContext> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                try {
                    if (!isValidId(id)) {
                        throw new CorruptContextException(id, "not a valid context id");
                    }
                    all.add(read(f, id));
                } catch (NoSuchFileException e) {
                    // deleted while we listed
                } catch (CorruptContextException e) {
                    corrupt(e);
                }
            }
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot list contexts in " + dir, e);
        }
        all.sort(
                Comparator.comparing(StoredContext::createdAt)
                        .reversed()
                        .thenComparing(StoredContext::id));
        return all;
    }

    @Override
    public boolean delete(String id) {
        if (!isValidId(id)) {
            return false;
        }
        try {
            return Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot delete context " + id, e);
        }
    }

    /** Reads and decodes one file, refusing one too large to be a context before reading it. */
    private static StoredContext read(Path f, String id) throws IOException {
        long size = Files.size(f);
        if (size > StoredContextCodec.MAX_BYTES) {
            throw new CorruptContextException(id, size + " bytes, more than any context");
        }
        return StoredContextCodec.decode(Files.readAllBytes(f), id);
    }

    private void corrupt(CorruptContextException e) {
        LOG.warn("unreadable context file {}{} in {}: {}", e.id(), SUFFIX, dir, e.getMessage());
        onCorrupt.accept(e);
    }

    private Path file(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("invalid context id: " + id);
        }
        return dir.resolve(id + SUFFIX);
    }
}
