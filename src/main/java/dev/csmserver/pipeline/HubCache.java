package dev.csmserver.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One repo's corner of the cache, in the huggingface_hub layout: {@code models--{org}--{name}/}
 * with {@code snapshots/{commit}/} (the repo's files as plain files at their repo paths: the folder
 * the loader reads) and {@code refs/{revision}} (the commit the branch or tag had when it was last
 * downloaded completely, so a moving {@code main} never mixes two commits). There is no {@code
 * blobs/} store; instead {@code complete/{commit}} lists each file of a finished snapshot with its
 * hash and size: it is what makes a snapshot usable offline, and what lets a new commit hard-link
 * the unchanged files of an older one instead of downloading them again.
 */
final class HubCache {
    private final Path repoDir;

    HubCache(Path cacheDir, String repo) {
        this.repoDir = cacheDir.resolve("models--" + repo.replace("/", "--"));
    }

    Path repoDir() {
        return repoDir;
    }

    Path snapshot(String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    /** Where a repo file lands in the snapshot; a path that would leave it is refused. */
    Path file(String commit, String name) throws HubException {
        Path snapshot = snapshot(commit);
        Path p = snapshot.resolve(name).normalize();
        if (name.isEmpty() || !p.startsWith(snapshot) || p.equals(snapshot)) {
            throw new HubException("refusing a repo file path outside the snapshot: " + name);
        }
        return p;
    }

    /** The commit {@code revision} had at its last complete download, if any. */
    Optional<String> ref(String revision) throws IOException {
        Path ref = refPath(revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
        return commit.matches("[0-9a-f]{40}") ? Optional.of(commit) : Optional.empty();
    }

    /**
     * Points {@code revision} at {@code commit} (nothing to do when the revision is the commit).
     */
    void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refPath(revision);
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + ".tmp");
        Files.writeString(tmp, commit, StandardCharsets.UTF_8);
        Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Whether {@code commit} was downloaded completely and every file is still there at its size.
     */
    boolean complete(String commit) throws IOException {
        Optional<List<HubFile>> files = manifest(commit);
        if (files.isEmpty()) {
            return false;
        }
        for (HubFile f : files.get()) {
            Path p = file(commit, f.name());
            if (!Files.isRegularFile(p) || Files.size(p) != f.size()) {
                return false;
            }
        }
        return true;
    }

    /** Records that every file of {@code commit} is in place (written last, after all of them). */
    void markComplete(String commit, List<HubFile> files) throws IOException {
        StringBuilder b = new StringBuilder();
        for (HubFile f : files) {
            b.append(f.hash() == null ? "-" : f.hash())
                    .append('\t')
                    .append(f.size())
                    .append('\t')
                    .append(f.name())
                    .append('\n');
        }
        Path done = repoDir.resolve("complete").resolve(commit);
        Files.createDirectories(done.getParent());
        Path tmp = done.resolveSibling(commit + ".tmp");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A file with the same content hash and size in another complete snapshot, if there is one. */
    Optional<Path> sameContent(HubFile wanted) throws IOException {
        Path dir = repoDir.resolve("complete");
        if (wanted.hash() == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> manifests;
        try (Stream<Path> s = Files.list(dir)) {
            manifests =
                    s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{40}"))
                            .sorted()
                            .toList();
        }
        for (Path m : manifests) {
            String commit = m.getFileName().toString();
            for (HubFile f : manifest(commit).orElse(List.of())) {
                if (wanted.hash().equals(f.hash()) && wanted.size() == f.size()) {
                    Path p = file(commit, f.name());
                    if (Files.isRegularFile(p) && Files.size(p) == f.size()) {
                        return Optional.of(p);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private Optional<List<HubFile>> manifest(String commit) throws IOException {
        Path done = repoDir.resolve("complete").resolve(commit);
        if (!Files.isRegularFile(done)) {
            return Optional.empty();
        }
        List<HubFile> files = new ArrayList<>();
        for (String line : Files.readAllLines(done, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", 3);
            if (f.length == 3 && f[1].matches("\\d+")) {
                files.add(new HubFile(f[2], Long.parseLong(f[1]), f[0].equals("-") ? null : f[0]));
            }
        }
        return Optional.of(files);
    }

    private Path refPath(String revision) throws HubException {
        Path refs = repoDir.resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (revision.isEmpty() || !ref.startsWith(refs) || ref.equals(refs)) {
            throw new HubException("not a usable revision name: " + revision);
        }
        return ref;
    }
}
