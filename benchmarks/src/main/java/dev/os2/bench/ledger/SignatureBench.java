package dev.os2.bench.ledger;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.PublicKey;
import dev.os2.ledger.SigningKey;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ed25519 signing and verification of a signed checkpoint's statement: OS2's
 * {@link SigningKey}/{@link PublicKey} (BouncyCastle underneath), beside the JDK's own
 * {@code Ed25519} {@link Signature}, same key, same bytes, same run. Scores are signatures (or
 * verifications) per second.
 *
 * <p>Fairness: both sign the same canonical bytes with the same key, and the setup checks that
 * they produce the same signature (Ed25519 is deterministic) and accept each other's. The JDK
 * side is set up once ({@code initSign}/{@code initVerify}) and reused, its cheapest use. The
 * OS2 side is its public API as the ledger and snapshot modules call it, which also checks that
 * the statement is a typed JSON object.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignatureBench {

    /** A fixed key: the benchmark needs a key, not an unpredictable one. */
    private static final byte[] SEED = new byte[32];

    static {
        for (int i = 0; i < SEED.length; i++) {
            SEED[i] = (byte) (i * 7 + 1);
        }
    }

    /** A checkpoint statement (about 200 bytes), the kind of thing OS2 signs. */
    private static final CanonicalJson STATEMENT = CanonicalJson.parse("""
            {"type":"os2.ledger.checkpoint","format":1,
             "chain_id":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
             "position":1048576,
             "head_hash":"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"}""");

    private SigningKey key;
    private PublicKey publicKey;
    private byte[] message;
    private byte[] signature;
    private Signature jdkSigner;
    private Signature jdkVerifier;

    /**
     * Makes the keys and the signature, and checks that OS2 and the JDK agree on them.
     *
     * @throws GeneralSecurityException if this JDK has no Ed25519
     */
    @Setup
    public void setUp() throws GeneralSecurityException {
        key = SigningKey.fromSeed(SEED);
        publicKey = key.publicKey();
        message = STATEMENT.toUtf8();
        signature = key.sign(STATEMENT);

        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        jdkSigner = Signature.getInstance("Ed25519");
        jdkSigner.initSign(factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, SEED)));
        jdkVerifier = Signature.getInstance("Ed25519");
        jdkVerifier.initVerify(factory.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519,
                point(publicKey.toBytes()))));

        if (!Arrays.equals(jdkSign(), signature) || !jdkVerify() || !os2Verify()) {
            throw new IllegalStateException("OS2 and the JDK disagree on the signature of the benchmark's statement");
        }
    }

    /** The RFC 8032 encoding (y little-endian, the sign of x in the top bit) as a JDK point. */
    private static EdECPoint point(byte[] encoded) {
        byte[] bigEndian = new byte[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            bigEndian[i] = encoded[encoded.length - 1 - i];
        }
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7f;
        return new EdECPoint(xOdd, new BigInteger(1, bigEndian));
    }

    /** OS2: sign the statement. */
    @Benchmark
    public byte[] os2Sign() {
        return key.sign(STATEMENT);
    }

    /** Peer: the JDK signs the same bytes with the same key. */
    @Benchmark
    public byte[] jdkSign() throws SignatureException {
        jdkSigner.update(message);
        return jdkSigner.sign();
    }

    /** OS2: verify the statement's signature. */
    @Benchmark
    public boolean os2Verify() {
        return publicKey.verify(STATEMENT, signature);
    }

    /** Peer: the JDK verifies the same signature over the same bytes. */
    @Benchmark
    public boolean jdkVerify() throws SignatureException {
        jdkVerifier.update(message);
        return jdkVerifier.verify(signature);
    }
}
