package dev.os2.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.os2.kernel.InvalidInputException;
import dev.os2.kernel.KernelState;
import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.Hash;
import dev.os2.ledger.InvalidPayloadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The snapshot bundle file: the one place its format is defined. A bundle holds one
 * {@link SnapshotState} and is what {@link SnapshotStore} keeps, exports and imports.
 *
 * <p><b>Format 1.</b> UTF-8 text of exactly four lines, each a canonical JSON value (RFC 8785)
 * followed by a line feed:
 * <ol>
 *   <li>the begin frame {@code {"format":1,"frame":"begin","type":"os2.snapshot.bundle"}};
 *   <li>the {@link SnapshotHeader header};
 *   <li>the state, {@link KernelState#toJson()};
 *   <li>the end frame {@code {"bytes":N,"frame":"end","sha256":"<64 hex>"}}, where N is the number
 *       of bytes of lines 1 to 3 (line feeds included) and the SHA-256 is over those bytes.
 * </ol>
 * A write cut short loses the end frame (it is written last), so a torn bundle is recognised and
 * refused ({@link SnapshotFileException.Problem#TORN}); damage to a complete bundle breaks the
 * checksum ({@code CORRUPT}); a bundle altered and re-framed no longer hashes to its header's
 * state hash ({@code STATE_MISMATCH}). Bundles are also written atomically, through a temporary
 * file, so a bundle under its final name is never half-written in the first place.
 *
 * <p>Reading recomputes the state hash, so it costs time linear in the state.
 */
public final class SnapshotBundle {

    /** The {@code type} member of the begin frame. */
    public static final String TYPE = "os2.snapshot.bundle";
    /** The format this code writes and reads. */
    public static final int FORMAT = 1;
    /** The largest bundle read: 1 GiB. */
    public static final long MAX_BYTES = 1L << 30;

    private static final SortedSet<String> BEGIN_MEMBERS = new TreeSet<>(List.of("format", "frame", "type"));
    private static final SortedSet<String> END_MEMBERS = new TreeSet<>(List.of("bytes", "frame", "sha256"));
    private static final byte[] BEGIN_LINE = (beginFrame() + "\n").getBytes(StandardCharsets.UTF_8);

    private SnapshotBundle() {
    }

    private static String beginFrame() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("format", FORMAT);
        o.put("frame", "begin");
        o.put("type", TYPE);
        return CanonicalJson.of(o).text();
    }

    /** The bundle's bytes. Linear in the state's size. */
    public static byte[] encode(SnapshotState snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BEGIN_LINE);
        out.writeBytes(snapshot.header().toJson().toUtf8());
        out.write('\n');
        out.writeBytes(snapshot.state().toJson().toUtf8());
        out.write('\n');
        byte[] body = out.toByteArray();
        ObjectNode end = JsonNodeFactory.instance.objectNode();
        end.put("bytes", body.length);
        end.put("frame", "end");
        end.put("sha256", Hash.sha256(body).toHex());
        out.writeBytes(CanonicalJson.of(end).toUtf8());
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * Reads a bundle's bytes, checking the frames, the checksum, the header, the state's
     * canonical form and its hash.
     *
     * @param file where the bytes came from, for messages, or null
     * @throws SnapshotFileException TORN, CORRUPT, MALFORMED, UNSUPPORTED_FORMAT or STATE_MISMATCH
     */
    public static SnapshotState decode(byte[] bytes, Path file) {
        int[] ends = lineEnds(bytes);
        boolean complete = bytes.length > 0 && bytes[bytes.length - 1] == '\n';
        int lastStart = ends.length < 2 ? 0 : ends[ends.length - 2] + 1;
        if (!complete || !isEndFrame(bytes, lastStart, ends[ends.length - 1])) {
            if (complete && (ends.length >= 4 || endsWithEndFrame(bytes, lastStart, ends[ends.length - 1]))) {
                // Everything was written (the end frame is there), but the lines around it are damaged.
                throw new SnapshotFileException(file, SnapshotFileException.Problem.CORRUPT,
                        "its last line should be the end frame, but is not: damaged");
            }
            if (ends.length > 0) {
                // Tell a cut-short bundle from a file that is not a bundle at all.
                begin(file, Arrays.copyOfRange(bytes, 0, ends[0]));
            } else if (bytes.length > 0 && bytes[0] != '{') {
                throw StrictJson.malformed(file, "is not a snapshot bundle");
            }
            throw new SnapshotFileException(file, SnapshotFileException.Problem.TORN, bytes.length == 0 ? "is empty: a torn write"
                    : "ends " + (complete ? "after " + ends.length + " line" + (ends.length == 1 ? "" : "s") : "in the middle of a line")
                    + ", before its end frame: the write was cut short");
        }
        int bodyLength = lastStart;
        StrictJson end;
        Hash expected;
        try {
            end = StrictJson.object(file, "the end frame", Arrays.copyOfRange(bytes, lastStart, ends[ends.length - 1]), END_MEMBERS);
            expected = end.hash("sha256");
        } catch (SnapshotFileException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.CORRUPT, "the end frame is damaged: " + e.getMessage(), e);
        }
        if (end.integer("bytes") != bodyLength) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.CORRUPT, "the end frame counts " + end.integer("bytes")
                    + " bytes before it, but there are " + bodyLength + ": damaged");
        }
        Hash actual = Hash.sha256(Arrays.copyOfRange(bytes, 0, bodyLength));
        if (!actual.equals(expected)) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.CORRUPT,
                    "the content does not match the end frame's checksum (SHA-256 " + actual.toShortHex() + " where "
                            + expected.toShortHex() + " was written): damaged");
        }
        if (ends.length != 4) {
            throw StrictJson.malformed(file, "has " + ends.length + " lines; a bundle has 4 (begin frame, header, state, end frame)");
        }
        begin(file, Arrays.copyOfRange(bytes, 0, ends[0]));
        SnapshotHeader header = header(file, Arrays.copyOfRange(bytes, ends[0] + 1, ends[1]));
        byte[] stateBytes = Arrays.copyOfRange(bytes, ends[1] + 1, ends[2]);
        KernelState state;
        try {
            CanonicalJson json = CanonicalJson.parse(stateBytes);
            if (!Arrays.equals(json.toUtf8(), stateBytes)) {
                throw StrictJson.malformed(file, "the state is not in canonical form");
            }
            state = KernelState.fromJson(json);
        } catch (InvalidPayloadException | InvalidInputException e) {
            throw StrictJson.malformed(file, "the state is not a kernel state: " + e.getMessage(), e);
        }
        if (!Arrays.equals(state.toJson().toUtf8(), stateBytes)) {
            throw StrictJson.malformed(file, "the state does not read back to the same bytes: it holds values a kernel state cannot");
        }
        if (!state.stateHash().equals(header.stateHash())) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.STATE_MISMATCH, "the state hashes to "
                    + state.stateHash().toHex() + ", but the header of " + header.id() + " says " + header.stateHash().toHex()
                    + ": the state or the header was altered");
        }
        if (state.clock() != header.timestampTicks()) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.STATE_MISMATCH, "the state's clock is "
                    + state.clock() + ", but the header of " + header.id() + " says " + header.timestampTicks());
        }
        return new SnapshotState(header, state);
    }

    /**
     * Reads and checks a bundle file (see {@link #decode}).
     *
     * @throws SnapshotFileException MISSING or UNREADABLE, or as {@link #decode}
     */
    public static SnapshotState read(Path file) {
        return decode(AtomicFiles.read(file, MAX_BYTES), file);
    }

    /**
     * Reads only the header of a bundle file and checks that the file is complete (its last line
     * is an end frame counting the bytes before it), without reading the state or checking the
     * checksum: cheap, for listings. {@link #read} checks everything.
     *
     * @throws SnapshotFileException MISSING, UNREADABLE, TORN, CORRUPT, MALFORMED or UNSUPPORTED_FORMAT
     */
    public static SnapshotHeader readHeader(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            byte[] head = new byte[(int) Math.min(size, 64 * 1024)];
            in.readFully(head);
            int[] ends = lineEnds(head);
            if (ends.length == 0) {
                throw new SnapshotFileException(file, SnapshotFileException.Problem.TORN, "has no complete line: a torn write");
            }
            begin(file, Arrays.copyOfRange(head, 0, ends[0]));
            if (ends.length < 2) {
                throw new SnapshotFileException(file, SnapshotFileException.Problem.TORN, "ends before its header is complete");
            }
            SnapshotHeader header = header(file, Arrays.copyOfRange(head, ends[0] + 1, ends[1]));
            int tailLength = (int) Math.min(size, 512);
            byte[] tail = new byte[tailLength];
            in.seek(size - tailLength);
            in.readFully(tail);
            int[] tailEnds = lineEnds(tail);
            if (tailLength == 0 || tail[tailLength - 1] != '\n' || tailEnds.length < 2
                    || !isEndFrame(tail, tailEnds[tailEnds.length - 2] + 1, tailEnds[tailEnds.length - 1])) {
                throw new SnapshotFileException(file, SnapshotFileException.Problem.TORN, "does not end with its end frame: the write was cut short");
            }
            long bodyLength = size - (tailLength - tailEnds[tailEnds.length - 2] - 1);
            StrictJson end = StrictJson.object(file, "the end frame",
                    Arrays.copyOfRange(tail, tailEnds[tailEnds.length - 2] + 1, tailEnds[tailEnds.length - 1]), END_MEMBERS);
            if (end.integer("bytes") != bodyLength) {
                throw new SnapshotFileException(file, SnapshotFileException.Problem.CORRUPT, "the end frame counts " + end.integer("bytes")
                        + " bytes before it, but there are " + bodyLength + ": damaged");
            }
            return header;
        } catch (java.io.FileNotFoundException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.MISSING, "does not exist or cannot be opened", e);
        } catch (NoSuchFileException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.MISSING, "does not exist", e);
        } catch (IOException e) {
            throw new SnapshotFileException(file, SnapshotFileException.Problem.UNREADABLE, "cannot be read: " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * Writes {@code snapshot} to {@code file}, replacing it if it exists, atomically.
     *
     * @throws SnapshotFileException UNWRITABLE
     */
    public static void write(Path file, SnapshotState snapshot) {
        AtomicFiles.write(file, encode(snapshot), true);
    }

    private static void begin(Path file, byte[] line) {
        StrictJson b = StrictJson.object(file, "the first line (the begin frame)", line, BEGIN_MEMBERS);
        if (!"begin".equals(b.node().path("frame").asText(null))) {
            throw StrictJson.malformed(file, "the first line is not a begin frame: not a snapshot bundle");
        }
        b.requireType(TYPE, FORMAT);
    }

    private static SnapshotHeader header(Path file, byte[] line) {
        JsonNode node;
        try {
            node = CanonicalJson.parse(line).toJsonNode();
        } catch (InvalidPayloadException e) {
            throw StrictJson.malformed(file, "the header is not JSON: " + e.getMessage(), e);
        }
        return SnapshotHeader.fromJson(file, node);
    }

    /** Whether bytes [from, to) are an end frame (a JSON object whose "frame" is "end"). */
    private static boolean isEndFrame(byte[] bytes, int from, int to) {
        try {
            JsonNode n = CanonicalJson.parse(Arrays.copyOfRange(bytes, from, to)).toJsonNode();
            return n.isObject() && "end".equals(n.path("frame").asText(null));
        } catch (InvalidPayloadException e) {
            return false;
        }
    }

    private static final java.util.regex.Pattern END_FRAME_TAIL =
            java.util.regex.Pattern.compile("\\{\"bytes\":[0-9]{1,19},\"frame\":\"end\",\"sha256\":\"[0-9a-f]{64}\"\\}$");

    /** Whether the line [from, to) ends with an end frame's text (its separator from the line before was damaged). */
    private static boolean endsWithEndFrame(byte[] bytes, int from, int to) {
        int start = Math.max(from, to - 200);
        return END_FRAME_TAIL.matcher(new String(bytes, start, to - start, StandardCharsets.ISO_8859_1)).find();
    }

    /** Positions of the line feeds, in order. */
    private static int[] lineEnds(byte[] bytes) {
        int n = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                n++;
            }
        }
        int[] ends = new int[n];
        int k = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                ends[k++] = i;
            }
        }
        return ends;
    }
}
