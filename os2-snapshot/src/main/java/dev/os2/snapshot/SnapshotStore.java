package dev.os2.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The snapshots of a workspace: a folder ({@code <workspace>/snapshots/}) holding one
 * {@link SnapshotBundle bundle} per snapshot, {@code s<position>.snapshot.jsonl}, and its signed
 * {@link SnapshotToken token}, if one was minted, {@code s<position>.token.json}. Bundles and
 * tokens are written atomically and never changed afterwards; a second write of the same snapshot
 * is a no-op, a different snapshot under an existing id is refused.
 *
 * <p>Thread-safe in the sense that every method works on files only; two processes writing the
 * same id at once may both succeed only if they write the same bytes.
 */
public final class SnapshotStore {

    /** Ending of bundle file names. */
    public static final String BUNDLE_SUFFIX = ".snapshot.jsonl";
    /** Ending of token file names. */
    public static final String TOKEN_SUFFIX = ".token.json";

    private final Path directory;

    private SnapshotStore(Path directory) {
        this.directory = directory;
    }

    /** The store in {@code directory} (created on the first write). Touches no file. */
    public static SnapshotStore at(Path directory) {
        return new SnapshotStore(Objects.requireNonNull(directory, "directory"));
    }

    /** The store's folder. */
    public Path directory() {
        return directory;
    }

    /** Where the bundle of {@code id} is (whether or not it exists). */
    public Path bundleFile(SnapshotId id) {
        return directory.resolve(id + BUNDLE_SUFFIX);
    }

    /** Where the token of {@code id} is (whether or not it exists). */
    public Path tokenFile(SnapshotId id) {
        return directory.resolve(id + TOKEN_SUFFIX);
    }

    /** Whether the store holds a bundle for {@code id} (it may still be damaged). */
    public boolean contains(SnapshotId id) {
        return Files.exists(bundleFile(id));
    }

    /**
     * Stores {@code snapshot}'s bundle. Storing the same snapshot again changes nothing.
     *
     * @return true if the bundle was written, false if the same one was already there
     * @throws SnapshotFileException CONFLICT if a different snapshot is stored under the id
     *     (another ledger's, or damaged), UNWRITABLE if it cannot be written
     */
    public boolean put(SnapshotState snapshot) {
        return putBytes(snapshot.id(), SnapshotBundle.encode(snapshot));
    }

    private boolean putBytes(SnapshotId id, byte[] bytes) {
        Path file = bundleFile(id);
        if (AtomicFiles.write(file, bytes, false)) {
            return true;
        }
        byte[] existing = AtomicFiles.read(file, SnapshotBundle.MAX_BYTES);
        if (!Arrays.equals(existing, bytes)) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.CONFLICT,
                    "the store already holds a different snapshot " + id + "; remove it first if it is not needed");
        }
        return false;
    }

    /**
     * Reads and checks the snapshot {@code id} (see {@link SnapshotBundle#read}).
     *
     * @throws SnapshotFileException MISSING if the store has no such snapshot, or what reading finds
     */
    public SnapshotState read(SnapshotId id) {
        return SnapshotBundle.read(bundleFile(id));
    }

    /**
     * The header of snapshot {@code id}, cheaply (see {@link SnapshotBundle#readHeader}).
     *
     * @throws SnapshotFileException MISSING if the store has no such snapshot, or what reading finds
     */
    public SnapshotHeader header(SnapshotId id) {
        return SnapshotBundle.readHeader(bundleFile(id));
    }

    /** One file in a {@link #list() listing}. */
    public sealed interface Listing {
        /** The bundle file. */
        Path file();

        /**
         * A bundle whose header reads and whose end frame is in place.
         *
         * @param file the bundle file
         * @param header its header
         */
        record Readable(Path file, SnapshotHeader header) implements Listing {
        }

        /**
         * A bundle file that cannot be used.
         *
         * @param file the bundle file
         * @param problem why
         */
        record Damaged(Path file, SnapshotFileException problem) implements Listing {
        }
    }

    /**
     * The bundles in the store, readable ones by position, then damaged ones by file name. Reads
     * the headers only (see {@link SnapshotBundle#readHeader}). An absent folder is an empty store.
     *
     * @throws SnapshotFileException UNREADABLE if the folder cannot be listed
     */
    public List<Listing> list() {
        List<Listing> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "s*" + BUNDLE_SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!SnapshotId.isId(name.substring(0, name.length() - BUNDLE_SUFFIX.length()))) {
                    continue;
                }
                try {
                    out.add(new Listing.Readable(file, SnapshotBundle.readHeader(file)));
                } catch (SnapshotFileException e) {
                    out.add(new Listing.Damaged(file, e));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new SnapshotFileException(directory, SnapshotFileException.Problem.UNREADABLE,
                    "cannot be listed: " + AtomicFiles.describe(e), e);
        }
        out.sort(Comparator.comparing((Listing l) -> l instanceof Listing.Damaged)
                .thenComparingLong(l -> l instanceof Listing.Readable r ? r.header().position() : 0)
                .thenComparing(l -> l.file().getFileName().toString()));
        return List.copyOf(out);
    }

    /** The headers of the readable bundles, by position. */
    public List<SnapshotHeader> headers() {
        List<SnapshotHeader> out = new ArrayList<>();
        for (Listing l : list()) {
            if (l instanceof Listing.Readable r) {
                out.add(r.header());
            }
        }
        return out;
    }

    /**
     * Stores {@code token} for its snapshot, replacing an older token (a token can be re-minted,
     * for example with another key).
     *
     * @throws SnapshotFileException UNWRITABLE
     */
    public Path putToken(SnapshotToken token) {
        Path file = tokenFile(token.snapshot());
        AtomicFiles.write(file, (token.toJson() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
        return file;
    }

    /**
     * The token of snapshot {@code id}.
     *
     * @throws SnapshotFileException MISSING if none was minted, or what reading finds
     */
    public SnapshotToken readToken(SnapshotId id) {
        return SnapshotToken.read(tokenFile(id));
    }

    /**
     * Copies the bundle of {@code id} (and its token, if there is one) into {@code targetDirectory},
     * checking the bundle first, so a damaged bundle is never exported.
     *
     * @return the exported bundle file
     * @throws SnapshotFileException MISSING, or what reading finds, or UNWRITABLE; CONFLICT if the
     *     target holds a different file of that name
     */
    public Path exportTo(SnapshotId id, Path targetDirectory) {
        SnapshotState s = read(id);
        SnapshotStore target = at(targetDirectory);
        target.put(s);
        if (Files.exists(tokenFile(id))) {
            target.putToken(readToken(id));
        }
        return target.bundleFile(id);
    }

    /**
     * Imports a bundle file (and the token beside it, {@code <same id>.token.json}, if any): checks
     * it completely (frames, checksum, state hash), then stores it. Whether it belongs to this
     * workspace's ledger is {@link SnapshotAuth#verify}'s question.
     *
     * @return the imported snapshot
     * @throws SnapshotFileException what reading finds; CONFLICT if a different snapshot has the id
     */
    public SnapshotState importFrom(Path bundle) {
        SnapshotState s = SnapshotBundle.read(bundle);
        put(s);
        Path token = bundle.resolveSibling(s.id() + TOKEN_SUFFIX);
        if (Files.exists(token) && !token.toAbsolutePath().normalize().equals(tokenFile(s.id()).toAbsolutePath().normalize())) {
            putToken(SnapshotToken.read(token));
        }
        return s;
    }
}
