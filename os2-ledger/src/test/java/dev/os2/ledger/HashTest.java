package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** {@link Hash}: a 32-byte value with one hex spelling. */
class HashTest {

    @Test
    void sha256KnownAnswers() {
        // FIPS 180-2 examples.
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hash.sha256(new byte[0]).toHex());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Hash.sha256("abc".getBytes(StandardCharsets.US_ASCII)).toHex());
    }

    @Test
    void genesisIsThirtyTwoZeroBytes() {
        assertArrayEquals(new byte[32], Hash.GENESIS.toBytes());
        assertEquals("0".repeat(64), Hash.GENESIS.toHex());
        assertEquals(Hash.GENESIS, Hash.parse("0".repeat(64)));
    }

    @Test
    void parseAndPrintRoundTrip() {
        Hash h = Hash.sha256("x".getBytes(StandardCharsets.UTF_8));
        String hex = h.toHex();
        assertTrue(hex.matches("[0-9a-f]{64}"), hex);
        assertEquals(h, Hash.parse(hex));
        assertEquals(h, Hash.parse(hex.toUpperCase(java.util.Locale.ROOT)));
        assertEquals(hex, Hash.parse(hex.toUpperCase(java.util.Locale.ROOT)).toHex());
        assertEquals(hex, h.toString());
        assertEquals(hex.substring(0, 12), h.toShortHex());
        assertEquals(h, Hash.of(h.toBytes()));
        assertEquals(h.hashCode(), Hash.of(h.toBytes()).hashCode());
    }

    @Test
    void refusesBadInput() {
        assertThrows(NullPointerException.class, () -> Hash.parse(null));
        assertThrows(NullPointerException.class, () -> Hash.of(null));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("0".repeat(63)));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("0".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("g" + "0".repeat(63)));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse(" " + "0".repeat(63)));
        assertThrows(IllegalArgumentException.class, () -> Hash.parse("x".repeat(1000)));
        assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Hash.of(new byte[33]));
    }

    @Test
    void isAnImmutableValue() {
        byte[] source = new byte[32];
        source[0] = 7;
        Hash h = Hash.of(source);
        source[0] = 8;
        assertEquals(7, h.toBytes()[0], "of() must copy its argument");
        byte[] out = h.toBytes();
        out[0] = 9;
        assertEquals(7, h.toBytes()[0], "toBytes() must hand out a copy");
        byte[] target = new byte[40];
        h.copyTo(target, 4);
        assertEquals(7, target[4]);
        assertEquals(0, target[3]);
    }

    @Test
    void updateDigestFeedsTheBytes() throws Exception {
        Hash h = Hash.sha256(new byte[] {1, 2, 3});
        MessageDigest a = MessageDigest.getInstance("SHA-256");
        h.updateDigest(a);
        MessageDigest b = MessageDigest.getInstance("SHA-256");
        b.update(h.toBytes());
        assertArrayEquals(b.digest(), a.digest());
    }

    @Test
    void ordersAsUnsignedBytes() {
        byte[] low = new byte[32];
        byte[] high = new byte[32];
        low[0] = 0x7f;
        high[0] = (byte) 0x80;
        assertTrue(Hash.of(low).compareTo(Hash.of(high)) < 0);
        assertTrue(Hash.GENESIS.compareTo(Hash.of(low)) < 0);
        assertEquals(0, Hash.of(high).compareTo(Hash.of(high.clone())));
        assertNotEquals(Hash.of(low), Hash.of(high));
        assertEquals(Hash.of(low).toHex().compareTo(Hash.of(high).toHex()) < 0, Hash.of(low).compareTo(Hash.of(high)) < 0);
    }
}
