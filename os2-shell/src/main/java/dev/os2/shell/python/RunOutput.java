package dev.os2.shell.python;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a run wrote: the captured bytes of stdout and stderr (at most the sandbox's output limit,
 * plus the truncation marker), how many bytes the script wrote in all, and their hash.
 *
 * <p>The hash is the run's output identity in transcripts and the ledger. Its format, version 1:
 * SHA-256 over the ASCII line {@code os2-python-output/1\n}, then the captured stdout's length as
 * an 8-byte big-endian integer and its bytes, then the same for stderr; written as 64 lowercase
 * hex digits.
 *
 * <p>Immutable: the accessors for the bytes return copies.
 */
public final class RunOutput {

    // Declared before EMPTY, whose construction hashes with it.
    private static final byte[] HASH_HEADER = "os2-python-output/1\n".getBytes(StandardCharsets.US_ASCII);

    /** No output at all (a refused run). */
    public static final RunOutput EMPTY = new RunOutput(new byte[0], new byte[0], 0, 0, false);

    private final byte[] stdout;
    private final byte[] stderr;
    private final long stdoutBytes;
    private final long stderrBytes;
    private final boolean truncated;
    private final String sha256;

    /**
     * Captures a run's output and computes its hash.
     *
     * @param stdout the captured stdout bytes (copied)
     * @param stderr the captured stderr bytes (copied)
     * @param stdoutBytes the bytes the script wrote to stdout, captured or not
     * @param stderrBytes the bytes the script wrote to stderr, captured or not
     * @param truncated whether output was cut at the limit
     * @throws IllegalArgumentException if a count is negative
     */
    public RunOutput(byte[] stdout, byte[] stderr, long stdoutBytes, long stderrBytes, boolean truncated) {
        if (stdoutBytes < 0 || stderrBytes < 0) {
            throw new IllegalArgumentException("byte counts must not be negative");
        }
        this.stdout = stdout.clone();
        this.stderr = stderr.clone();
        this.stdoutBytes = stdoutBytes;
        this.stderrBytes = stderrBytes;
        this.truncated = truncated;
        this.sha256 = hash(this.stdout, this.stderr);
    }

    /**
     * The version-1 output hash of two captured streams (see the class comment).
     *
     * @param stdout the stdout bytes
     * @param stderr the stderr bytes
     * @return 64 lowercase hex digits
     */
    public static String hash(byte[] stdout, byte[] stderr) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        digest.update(HASH_HEADER);
        digest.update(ByteBuffer.allocate(8).putLong(stdout.length).array());
        digest.update(stdout);
        digest.update(ByteBuffer.allocate(8).putLong(stderr.length).array());
        digest.update(stderr);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * A copy of the captured stdout bytes.
     *
     * @return a copy of the captured stdout bytes
     */
    public byte[] stdout() {
        return stdout.clone();
    }

    /**
     * A copy of the captured stderr bytes.
     *
     * @return a copy of the captured stderr bytes
     */
    public byte[] stderr() {
        return stderr.clone();
    }

    /**
     * The captured stdout decoded as UTF-8 (invalid bytes replaced).
     *
     * @return the captured stdout decoded as UTF-8 (invalid bytes replaced)
     */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /**
     * The captured stderr decoded as UTF-8 (invalid bytes replaced).
     *
     * @return the captured stderr decoded as UTF-8 (invalid bytes replaced)
     */
    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /**
     * The bytes the script wrote to stdout, including any cut off.
     *
     * @return the bytes the script wrote to stdout, including any cut off
     */
    public long stdoutBytes() {
        return stdoutBytes;
    }

    /**
     * The bytes the script wrote to stderr, including any cut off.
     *
     * @return the bytes the script wrote to stderr, including any cut off
     */
    public long stderrBytes() {
        return stderrBytes;
    }

    /**
     * Whether output was cut at the sandbox's limit.
     *
     * @return whether output was cut at the sandbox's limit
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * The version-1 SHA-256 of the captured output, 64 lowercase hex digits.
     *
     * @return the version-1 SHA-256 of the captured output, 64 lowercase hex digits
     */
    public String sha256() {
        return sha256;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunOutput other && stdoutBytes == other.stdoutBytes && stderrBytes == other.stderrBytes
                && truncated == other.truncated && Arrays.equals(stdout, other.stdout)
                && Arrays.equals(stderr, other.stderr);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }

    @Override
    public String toString() {
        return "RunOutput[stdoutBytes=" + stdoutBytes + ", stderrBytes=" + stderrBytes + ", truncated=" + truncated
                + ", sha256=" + sha256 + "]";
    }
}
