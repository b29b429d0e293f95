package dev.os2.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Looks at the bytes of a Chronicle queue file after its last entry, without memory-mapping
 * them. A Chronicle excerpt starts with a 4-byte little-endian header: bit 31 set while the
 * excerpt is unfinished, bit 30 set for metadata (which readers skip), the low 30 bits the
 * length; excerpts start at multiples of 4. A finished writer leaves a zero header after its last
 * excerpt, possibly after an index block (a metadata excerpt whose body starts with the binary
 * wire field name {@code index}) that the last append allocated. Anything else there is damage
 * that Chronicle's readers would silently stop at or skip.
 */
final class QueueTail {

    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    /** Chronicle's end-of-file marker: an unfinished metadata header of length 0. */
    private static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    /** Largest metadata excerpt a ledger's queue holds: an index block of 32768 longs, with margin. */
    private static final int METADATA_BYTES_MAX = 1 << 20;
    /** Largest data excerpt a ledger's queue holds: the largest record, with margin. */
    private static final int DATA_BYTES_MAX = ChronicleLedger.MAX_PAYLOAD_BYTES_LIMIT + (64 << 10);
    private static final int HEADERS_MAX = 64;
    /** How an index block's body starts: binary wire field name of 5 bytes, "index". */
    private static final byte[] INDEX_BLOCK_PREFIX = {(byte) 0xb9, 5, 'i', 'n', 'd', 'e', 'x'};

    private QueueTail() {
    }

    /**
     * Null if the bytes after offset {@code end} (where the last entry's excerpt ends) are what a
     * finished writer leaves, a description of the damage otherwise.
     *
     * @param limitBytes reads stop here (the file's size when it was cut short), or Long.MAX_VALUE
     */
    static String inspect(Path file, long end, long limitBytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = Math.min(channel.size(), limitBytes);
            ByteBuffer buffer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            long position = align(end);
            for (int i = 0; i < HEADERS_MAX; i++) {
                if (position + 4 > size) {
                    return null;
                }
                buffer.clear();
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, position + buffer.position()) < 0) {
                        return null;
                    }
                }
                int header = buffer.getInt(0);
                if (header == 0 || header == END_OF_DATA) {
                    return null;
                }
                int length = header & LENGTH_MASK;
                if ((header & NOT_COMPLETE) != 0) {
                    return "an unfinished excerpt header 0x" + Integer.toHexString(header) + " at offset " + position;
                }
                boolean metadata = (header & META_DATA) != 0;
                if (length > (metadata ? METADATA_BYTES_MAX : DATA_BYTES_MAX) || position + 4 + length > size) {
                    return "an excerpt header 0x" + Integer.toHexString(header) + " at offset " + position
                            + " claims " + length + " bytes, more than " + (metadata ? "any metadata" : "any entry")
                            + " of a ledger or than the file holds";
                }
                if (!metadata) {
                    // A finished data excerpt: an entry appended after the reader opened the ledger.
                    return null;
                }
                ByteBuffer prefix = ByteBuffer.allocate(INDEX_BLOCK_PREFIX.length);
                while (prefix.hasRemaining() && channel.read(prefix, position + 4 + prefix.position()) >= 0) {
                    // Read the start of the body.
                }
                if (prefix.hasRemaining() || !Arrays.equals(prefix.array(), INDEX_BLOCK_PREFIX)) {
                    return "a metadata excerpt at offset " + position + " (header 0x" + Integer.toHexString(header)
                            + ") that is not an index block";
                }
                position = align(position + 4 + length);
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static long align(long offset) {
        return (offset + 3) & ~3L;
    }
}
