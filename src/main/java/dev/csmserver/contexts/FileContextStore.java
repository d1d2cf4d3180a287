package dev.csmserver.contexts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link ContextStore}: one {@code {id}.ctx} file per context in a directory, in
 * {@link StoredContextCodec}'s form. Writes go to a temp file in the same directory and are moved
 * into place atomically, so a crash never leaves a half-written context and the store survives
 * restarts. Ids are restricted to {@code [A-Za-z0-9_-]{1,64}} so they can never name a path
 * outside the directory.
 */
public final class FileContextStore implements ContextStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileContextStore.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String SUFFIX = ".ctx";

    private final Path dir;

    public FileContextStore(Path dir) {
        this.dir = dir;
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
    public void put(StoredContext context) {
        Path target = file(context.id());
        byte[] data = StoredContextCodec.encode(context);
        try {
            Path tmp = Files.createTempFile(dir, ".put-", ".tmp");
            try {
                Files.write(tmp, data);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot write context " + context.id(), e);
        }
    }

    @Override
    public Optional<StoredContext> get(String id) {
        if (!isValidId(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(StoredContextCodec.decode(Files.readAllBytes(file(id))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot read context " + id, e);
        }
    }

    @Override
    public List<StoredContext> list() {
        List<StoredContext> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                try {
                    all.add(StoredContextCodec.decode(Files.readAllBytes(f)));
                } catch (IllegalArgumentException | NoSuchFileException e) {
                    LOG.warn("skipping unreadable context file {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new ContextStoreUnavailableException("cannot list contexts in " + dir, e);
        }
        all.sort(Comparator.comparing(StoredContext::createdAt).reversed().thenComparing(StoredContext::id));
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

    private Path file(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("invalid context id: " + id);
        }
        return dir.resolve(id + SUFFIX);
    }
}
